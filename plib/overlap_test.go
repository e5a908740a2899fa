package plib

import "testing"

// TestOverlapRefused: buffers that lie in the segment are refused, whatever the mode, so
// the library never writes (or reads) its own memory on a caller's behalf.
func TestOverlapRefused(t *testing.T) {
	c, _ := openTest(t, ModeNoPKU)
	s, err := c.Session()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Set([]byte("k"), []byte("value"), 0, 0); err != nil {
		t.Fatal(err)
	}
	inside := c.seg.mem[c.seg.layout.kvOff : c.seg.layout.kvOff+64]
	straddle := c.seg.mem[len(c.seg.mem)-8:]
	before := c.Stats()
	for name, call := range map[string]func() error{
		"GetInto dst inside":    func() error { _, err := s.GetInto([]byte("k"), inside); return err },
		"GetInto dst straddles": func() error { _, err := s.GetInto([]byte("k"), straddle); return err },
		"Set value inside":      func() error { return s.Set([]byte("k"), inside, 0, 0) },
		"Set key inside":        func() error { return s.Set(inside[:8], []byte("v"), 0, 0) },
		"Delete key inside":     func() error { return s.Delete(inside[:8]) },
		"Client.GetInto inside": func() error { _, err := c.GetInto([]byte("k"), inside); return err },
	} {
		if err := call(); err != ErrOverlap {
			t.Errorf("%s: %v, want ErrOverlap", name, err)
		}
	}
	dst := make([]byte, 16)
	if m, err := s.GetInto([]byte("k"), dst); err != nil || string(dst[:m.Len]) != "value" {
		t.Fatalf("k changed: %q %v", dst[:m.Len], err)
	}
	if after := c.Stats(); after.CmdSet != before.CmdSet || after.CurrItems != before.CurrItems {
		t.Fatalf("a refused call reached the store: sets %d -> %d", before.CmdSet, after.CmdSet)
	}
}
