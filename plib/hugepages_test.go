package plib

import (
	"strings"
	"testing"
)

func TestSelectedMode(t *testing.T) {
	for in, want := range map[string]string{
		"always within_size advise [never] deny force\n": "never",
		"[advise] never":  "advise",
		"always never":    "",
		"":                "",
		"[within_size]\n": "within_size",
	} {
		if got := selectedMode(in); got != want {
			t.Errorf("selectedMode(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestHugePagesNote: every client says what its mapping got, in one line.
func TestHugePagesNote(t *testing.T) {
	c, _ := openTest(t, ModeNoPKU)
	note := c.HugePages()
	if note == "" || strings.Contains(note, "\n") {
		t.Fatalf("HugePages() = %q, want one non-empty line", note)
	}
	t.Log(note)
}
