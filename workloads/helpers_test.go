package workloads

import "testing"

// mustWorkload builds a workload from YCSB's defaults overridden by p.
func mustWorkload(t testing.TB, p Properties) *CoreWorkload {
	t.Helper()
	w, err := NewCoreWorkload(p)
	if err != nil {
		t.Fatalf("NewCoreWorkload(%v): %v", p, err)
	}
	return w
}

// mustBuiltin loads a built-in workload with overrides ("key=value").
func mustBuiltin(t testing.TB, name string, overrides ...string) *CoreWorkload {
	t.Helper()
	p, _, err := LoadProperties([]string{name}, overrides)
	if err != nil {
		t.Fatalf("LoadProperties(%s): %v", name, err)
	}
	return mustWorkload(t, p)
}
