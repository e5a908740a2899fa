package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestCodeLines(t *testing.T) {
	cases := []struct {
		name  string
		src   string
		goRaw bool
		want  int
	}{
		{"blank and comment lines", "\n  \n// c\n\t/* c */\n", false, 0},
		{"code with trailing comments", "int a; // c\nint b; /* c */\n", false, 2},
		{"block comment over lines", "/* one\n two\n three */ int x;\n", false, 1},
		{"code before a block comment", "int x; /* starts\n ends */\n", false, 1},
		{"comment markers in strings", "s = \"/* not a comment\";\nt = \"// nor this\";\n", false, 2},
		{"escaped quote", "s = \"a\\\"/*\"; int y;\n", false, 1},
		{"char literals", "c = '\"'; d = '/';\n/* x */\n", false, 1},
		{"preprocessor", "#include <stdio.h>\n#define X 1\n", false, 2},
		{"go raw string over lines", "var s = `a\n\n// inside\nb`\n", true, 4},
		{"backquote in C", "x = `a; // c\n", false, 1},
		{"no final newline", "int x;", false, 1},
		{"unterminated string resyncs", "s = \"abc\n// comment\n", false, 1},
	}
	for _, c := range cases {
		if got := CodeLines([]byte(c.src), c.goRaw); got != c.want {
			t.Errorf("%s: %d code lines, want %d", c.name, got, c.want)
		}
	}
}

func TestRun(t *testing.T) {
	var out, errs bytes.Buffer
	if code := run([]string{"-label", "self", "count.go", "main.go"}, &out, &errs); code != 0 {
		t.Fatalf("exit %d: %s", code, errs.String())
	}
	if !strings.HasPrefix(out.String(), "self: ") || !strings.Contains(out.String(), "in 2 files") {
		t.Errorf("output %q", out.String())
	}
	if code := run(nil, &out, &errs); code != 2 {
		t.Errorf("no files: exit %d, want 2", code)
	}
}
