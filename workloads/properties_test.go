package workloads

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParseJavaProperties(t *testing.T) {
	text := "# comment\n" +
		"! also a comment \\\n" +
		"a=1\n" +
		"  b : 2  \n" +
		"c 3\n" +
		"d=\n" +
		"e==x\n" +
		"f=one \\\n    two \\\\\n" +
		"g\\ h=sp\\u0041ce\\tq\r\n" +
		"\n" +
		"last=\\\n"
	want := []propertyLine{
		{"a", "1", 3}, {"b", "2  ", 4}, {"c", "3", 5}, {"d", "", 6}, {"e", "=x", 7},
		{"f", `one two \`, 8}, {"g h", "spAce\tq", 10}, {"last", "", 12},
	}
	if got := parseJavaProperties(text); !reflect.DeepEqual(got, want) {
		t.Errorf("parseJavaProperties:\n got %+v\nwant %+v", got, want)
	}
}

func writeFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadPropertiesLaterWins(t *testing.T) {
	dir := t.TempDir()
	first := writeFile(t, dir, "first", "recordcount=10\nfieldcount=3\nreadproportion=1\n")
	second := writeFile(t, dir, "second", "recordcount=20\nupdateproportion=0\n")
	p, warnings, err := LoadProperties([]string{first, second}, []string{"fieldcount=5", "fieldcount=7", "x.y=a=b"})
	if err != nil {
		t.Fatal(err)
	}
	want := Properties{"recordcount": "20", "fieldcount": "7", "readproportion": "1", "updateproportion": "0", "x.y": "a=b"}
	if !reflect.DeepEqual(p, want) {
		t.Errorf("properties %v, want %v", p, want)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], `"x.y"`) {
		t.Errorf("warnings %q, want one about x.y", warnings)
	}
}

func TestLoadPropertiesWarnsUnknown(t *testing.T) {
	_, warnings, err := LoadProperties([]string{"workloada"},
		[]string{"recordcont=5", "threadcount=4", "hdrhistogram.percentiles=50,99", "memcached.hosts=x", "bogus=1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 2 {
		t.Fatalf("warnings %q, want 2 (bogus, recordcont)", warnings)
	}
	if !strings.Contains(warnings[0], `"bogus"`) || !strings.Contains(warnings[1], `did you mean "recordcount"`) {
		t.Errorf("warnings %q", warnings)
	}
	_, warnings, _ = LoadProperties(nil, []string{"workload=site.ycsb.workloads.TimeSeriesWorkload"})
	if len(warnings) != 1 || !strings.Contains(warnings[0], "only CoreWorkload") {
		t.Errorf("warnings for another workload class: %q", warnings)
	}
}

func TestLoadPropertiesErrors(t *testing.T) {
	for _, tc := range []struct {
		files, overrides []string
	}{
		{files: []string{"/nonexistent/workloada"}},
		{files: []string{"no-such-builtin"}},
		{overrides: []string{"novalue"}},
		{overrides: []string{"=5"}},
	} {
		if _, _, err := LoadProperties(tc.files, tc.overrides); !errors.Is(err, ErrBadProperty) {
			t.Errorf("LoadProperties(%q, %q): %v, want ErrBadProperty", tc.files, tc.overrides, err)
		}
	}
}

func TestBuiltinMatchesFiles(t *testing.T) {
	for _, name := range BuiltinNames() {
		embedded, err := Builtin(name)
		if err != nil {
			t.Fatal(err)
		}
		onDisk, err := os.ReadFile(name) // tests run in the package directory
		if err != nil {
			t.Fatal(err)
		}
		if string(embedded) != string(onDisk) {
			t.Errorf("built-in %s differs from the file", name)
		}
	}
	if _, err := Builtin("workloadz"); !errors.Is(err, ErrBadProperty) {
		t.Errorf("Builtin(workloadz): %v", err)
	}
}

func TestNewCoreWorkloadDefaults(t *testing.T) {
	w := mustWorkload(t, Properties{})
	if w.RecordCount != 2147483647 || w.FieldCount != 10 || w.FieldLength != 100 ||
		w.ReadProportion != 0.95 || w.UpdateProportion != 0.05 || w.RequestDistribution != "uniform" ||
		w.ZeroPadding != 1 || w.Ordered || w.FieldLengthDistribution != "constant" ||
		w.HotspotDataFraction != 0.2 || w.HotspotOpnFraction != 0.8 || w.InsertVisibility != "thread" {
		t.Errorf("defaults differ from YCSB's: %+v", w)
	}
	if w.InsertCount != w.RecordCount || w.MaxValueSize() != 1000 {
		t.Errorf("insertcount %d, max value size %d", w.InsertCount, w.MaxValueSize())
	}
}

func TestNewCoreWorkloadRejects(t *testing.T) {
	for _, tc := range []struct {
		p    Properties
		want string // the property named in the error
	}{
		{Properties{"recordcount": "-1"}, "recordcount"},
		{Properties{"recordcount": "ten"}, "recordcount"},
		{Properties{"operationcount": "-5"}, "operationcount"},
		{Properties{"insertstart": "-1"}, "insertstart"},
		{Properties{"recordcount": "100", "insertstart": "50", "insertcount": "51"}, "insertcount"},
		{Properties{"recordcount": "100", "insertstart": "100"}, "insertstart"},
		{Properties{"fieldcount": "0"}, "fieldcount"},
		{Properties{"fieldlength": "-3"}, "fieldlength"},
		{Properties{"fieldcount": "100000", "fieldlength": "100000"}, "fieldlength"},
		{Properties{"fieldlengthdistribution": "uniform", "minfieldlength": "200"}, "minfieldlength"},
		{Properties{"fieldlengthdistribution": "histogram"}, "fieldlengthdistribution"},
		{Properties{"readproportion": "0.5", "updateproportion": "0.4"}, "sum to 0.9"},
		{Properties{"readproportion": "1.5", "updateproportion": "-0.5"}, "readproportion"},
		{Properties{"readproportion": "NaN"}, "readproportion"},
		{Properties{"requestdistribution": "pareto"}, "requestdistribution"},
		{Properties{"insertorder": "random"}, "insertorder"},
		{Properties{"zeropadding": "-1"}, "zeropadding"},
		{Properties{"zeropadding": "300"}, "zeropadding"},
		{Properties{"hotspotdatafraction": "1.2"}, "hotspotdatafraction"},
		{Properties{"exponential.percentile": "100"}, "exponential.percentile"},
		{Properties{"exponential.frac": "0"}, "exponential.frac"},
		{Properties{"insertvisibility": "global"}, "insertvisibility"},
	} {
		_, err := NewCoreWorkload(tc.p)
		if !errors.Is(err, ErrBadProperty) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("NewCoreWorkload(%v) = %v, want ErrBadProperty naming %s", tc.p, err, tc.want)
		}
	}
}

func TestNewCoreWorkloadReportsEveryProblem(t *testing.T) {
	_, err := NewCoreWorkload(Properties{"recordcount": "-1", "fieldcount": "x", "requestdistribution": "foo"})
	for _, name := range []string{"recordcount", "fieldcount", "requestdistribution"} {
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("error %v does not name %s", err, name)
		}
	}
}

func TestScanRejected(t *testing.T) {
	p, _, err := LoadProperties([]string{"workloade"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = NewCoreWorkload(p)
	if !errors.Is(err, ErrScanUnsupported) || !strings.Contains(err.Error(), "scanproportion") {
		t.Errorf("workload E: %v, want ErrScanUnsupported", err)
	}
}
