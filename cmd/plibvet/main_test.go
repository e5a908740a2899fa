package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

const plantedPkg = "github.com/plibcached/plibcached/cmd/plibvet/internal/elfscan/testdata/planted"

// TestBuiltCommand builds plibvet and runs it as a user would: on itself (which must be clean:
// plibvet does not link plib's pkey package) and on the planted test program.
func TestBuiltCommand(t *testing.T) {
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		t.Skipf("builds and runs x86-64 Linux binaries; this is %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	plibvet := buildGo(t, "github.com/plibcached/plibcached/cmd/plibvet")
	planted := buildGo(t, plantedPkg)

	t.Run("self scan is clean", func(t *testing.T) {
		out, code := runBinary(t, plibvet, plibvet)
		if code != exitClean || out != "" {
			t.Errorf("plibvet %s: exit %d, output %q; want exit 0 and no output", plibvet, code, out)
		}
	})
	t.Run("planted patterns", func(t *testing.T) {
		out, code := runBinary(t, plibvet, planted)
		if code != exitStray {
			t.Errorf("exit %d, want %d", code, exitStray)
		}
		for _, want := range []string{"WRPKRU at", "in main.plantedWRPKRU", "XRSTOR64 at", "in main.plantedHidden"} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
		if strings.Contains(out, "XRSTORS at") {
			t.Errorf("privileged XRSTORS reported as a stray:\n%s", out)
		}
		if n := strings.Count(out, "\n"); n != 4 {
			t.Errorf("%d lines, want 4 (XRSTORS is privileged, shown only with -v):\n%s", n, out)
		}
		if vout, _ := runBinary(t, plibvet, "-v", planted); !strings.Contains(vout, "XRSTORS at") || !strings.Contains(vout, "privileged") {
			t.Errorf("-v does not show the privileged XRSTORS:\n%s", vout)
		}
	})
	t.Run("allow everything planted", func(t *testing.T) {
		args := []string{"-v"}
		for _, fn := range []string{"WRPKRU", "XRSTOR", "XRSTOR64", "XRSTORS", "Hidden"} {
			args = append(args, "-allow", "main.planted"+fn)
		}
		out, code := runBinary(t, plibvet, append(args, planted)...)
		if code != exitClean || strings.Count(out, "(allowed)") != 5 {
			t.Errorf("exit %d, want 0 with 5 allowed lines:\n%s", code, out)
		}
	})
	t.Run("allow unaligned", func(t *testing.T) {
		// plantedHidden's WRPKRU is the immediate of a MOVL: allowed. The others are
		// real instructions: still strays.
		out, code := runBinary(t, plibvet, "-v", "-allow-unaligned", planted)
		if code != exitStray || !strings.Contains(out, "main.plantedHidden.abi0+0x3 [.text] inside MOVL $0xef010f, AX (allowed)") {
			t.Errorf("exit %d, want %d with plantedHidden allowed as inside a MOVL:\n%s", code, exitStray, out)
		}
		if n := strings.Count(out, "(allowed)"); n != 1 {
			t.Errorf("%d allowed lines, want 1 (only the hidden pattern):\n%s", n, out)
		}
	})
}

func TestUsageAndErrors(t *testing.T) {
	notELF := filepath.Join(t.TempDir(), "script.sh")
	if err := os.WriteFile(notELF, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		args   []string
		stderr string
	}{
		{"no binary", nil, "usage: plibvet"},
		{"unknown flag", []string{"-nope", notELF}, "flag provided but not defined"},
		{"not ELF", []string{notELF}, "not an ELF file"},
		{"missing file", []string{notELF + ".missing"}, "no such file"},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		if code := run(tt.args, &stdout, &stderr); code != exitError || !strings.Contains(stderr.String(), tt.stderr) {
			t.Errorf("%s: exit %d, stderr %q; want exit %d mentioning %q", tt.name, code, stderr.String(), exitError, tt.stderr)
		}
	}
}

// runBinary runs bin with args and returns its stdout and exit status; stderr is logged.
func runBinary(t *testing.T, bin string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if stderr.Len() > 0 {
		t.Logf("stderr: %s", stderr.String())
	}
	var exit *exec.ExitError
	switch {
	case err == nil:
		return stdout.String(), 0
	case errors.As(err, &exit):
		return stdout.String(), exit.ExitCode()
	}
	t.Fatalf("running %s: %v", bin, err)
	return "", 0
}

// buildGo builds the main package pkg for the host into a temporary directory, skipping the test
// when there is no go command.
func buildGo(t *testing.T, pkg string) string {
	t.Helper()
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go command to build test binaries: %v", err)
	}
	bin := filepath.Join(t.TempDir(), filepath.Base(pkg))
	cmd := exec.Command(goCmd, "build", "-o", bin, pkg)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, out)
	}
	return bin
}
