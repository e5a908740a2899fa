package elfscan

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const (
	plantedPkg   = "github.com/plibcached/plibcached/cmd/plibvet/internal/elfscan/testdata/planted"
	enterExitPkg = "github.com/plibcached/plibcached/plib/internal/pkey/testdata/enterexit"
)

// want is an expected finding: kind, symbol (without the linker's ".abi0") and offset in it.
type want struct {
	kind   Kind
	symbol string
	offset uint64
}

// plantedWant lists what testdata/planted/planted_amd64.s plants.
var plantedWant = []want{
	{WRPKRU, "main.plantedWRPKRU", 2},
	{XRSTOR, "main.plantedXRSTOR", 2},
	{XRSTOR64, "main.plantedXRSTOR64", 2},
	{XRSTORS, "main.plantedXRSTORS", 2},
	{WRPKRU, "main.plantedHidden", 3},
}

func TestScanPlanted(t *testing.T) {
	bin := buildGo(t, plantedPkg)

	t.Run("finds exactly the planted patterns", func(t *testing.T) {
		findings, err := ScanFile(bin, Options{})
		if err != nil {
			t.Fatal(err)
		}
		checkFindings(t, findings, plantedWant)
		for _, f := range findings {
			if f.Allowed || f.Section != ".text" || f.Addr != fileAddr(t, bin, f.FileOffset) {
				t.Errorf("%v: want not allowed, in .text, file offset mapping to the address", f)
			}
		}
	})

	t.Run("allow by symbol", func(t *testing.T) {
		findings, err := ScanFile(bin, Options{Allow: []string{"main.plantedWRPKRU", "main.plantedXRSTORS"}})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range findings {
			name := strings.TrimSuffix(f.Symbol, ".abi0")
			if allowed := name == "main.plantedWRPKRU" || name == "main.plantedXRSTORS"; f.Allowed != allowed {
				t.Errorf("%v: Allowed = %v, want %v", f, f.Allowed, allowed)
			}
		}
		if got := len(Stray(findings)); got != len(plantedWant)-2 {
			t.Errorf("Stray: %d findings, want %d", got, len(plantedWant)-2)
		}
	})

	t.Run("wrong machine", func(t *testing.T) {
		data, err := os.ReadFile(bin)
		if err != nil {
			t.Fatal(err)
		}
		binary.LittleEndian.PutUint16(data[18:], uint16(elf.EM_AARCH64)) // e_machine
		_, err = Scan(bytes.NewReader(data), Options{})
		if !errors.Is(err, ErrMachine) {
			t.Errorf("Scan of an arm64-labelled file: %v, want ErrMachine", err)
		}
	})
}

// TestScanStripped checks the .gopclntab fallback: without .symtab, hits still get symbols.
func TestScanStripped(t *testing.T) {
	bin := buildGo(t, plantedPkg, "-ldflags=-s")
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Symbols(); !errors.Is(err, elf.ErrNoSymbols) {
		t.Fatalf("-ldflags=-s left a symbol table (%v)", err)
	}
	f.Close()
	findings, err := ScanFile(bin, Options{Allow: []string{"main.plantedHidden"}})
	if err != nil {
		t.Fatal(err)
	}
	checkFindings(t, findings, plantedWant)
	// Strays: every planted pattern but the allowed one and the privileged XRSTORS.
	if got := len(Stray(findings)); got != len(plantedWant)-2 {
		t.Errorf("allowing main.plantedHidden left %d strays, want %d", got, len(plantedWant)-2)
	}
}

// TestScanTrampoline scans a program linking plib's pkey package: its one WRPKRU, in pkey.wrpkru,
// is found and allowed by DefaultAllow, and nothing else is found.
func TestScanTrampoline(t *testing.T) {
	bin := buildGo(t, enterExitPkg)
	findings, err := ScanFile(bin, Options{Allow: DefaultAllow})
	if err != nil {
		t.Fatal(err)
	}
	if len(findings) != 1 {
		t.Fatalf("findings: %v, want the one WRPKRU in %s", findings, DefaultAllow[0])
	}
	f := findings[0]
	if f.Kind != WRPKRU || strings.TrimSuffix(f.Symbol, ".abi0") != DefaultAllow[0] || !f.Allowed {
		t.Errorf("finding %v, want an allowed WRPKRU in %s", f, DefaultAllow[0])
	}
}

func TestScanNotELF(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"text":      "#!/bin/sh\necho not an ELF binary\n",
		"empty":     "",
		"truncated": "\x7fELF\x02\x01\x01",
	} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := ScanFile(path, Options{})
		if !errors.Is(err, ErrNotELF) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: error %v, want ErrNotELF naming the file", name, err)
		}
	}
	if _, err := ScanFile(filepath.Join(dir, "missing"), Options{}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v, want ErrNotExist", err)
	}
}

// TestFindingAllowedOnlyInside checks that a pattern straddling the end of an allowed function is
// not allowed, and one in an unknown function is reported without a symbol.
func TestFindingAllowedOnlyInside(t *testing.T) {
	s := scanner{
		file:  &elf.File{},
		syms:  symTable{funcs: []funcSym{{name: "ok", start: 0x1000, end: 0x1010}}},
		allow: []string{"ok"},
	}
	reg := region{addr: 0x1000, off: 0x100}
	tests := []struct {
		m       match
		symbol  string
		allowed bool
	}{
		{match{off: 0x4, size: 3, kind: WRPKRU}, "ok", true},
		{match{off: 0xd, size: 3, kind: WRPKRU}, "ok", true},
		{match{off: 0xe, size: 3, kind: WRPKRU}, "ok", false}, // last byte past the end
		{match{off: 0x10, size: 3, kind: WRPKRU}, "", false},  // after the function
	}
	for _, tt := range tests {
		f := s.finding(reg, tt.m)
		if f.Symbol != tt.symbol || f.Allowed != tt.allowed || f.FileOffset != 0x100+uint64(tt.m.off) {
			t.Errorf("match at +%#x: %+v, want symbol %q allowed %v", tt.m.off, f, tt.symbol, tt.allowed)
		}
	}
}

// checkFindings asserts that findings are exactly wants, in address order.
func checkFindings(t *testing.T, findings []Finding, wants []want) {
	t.Helper()
	var got []want
	for _, f := range findings {
		got = append(got, want{f.Kind, strings.TrimSuffix(f.Symbol, ".abi0"), f.SymOffset})
	}
	sortWants := func(ws []want) []want {
		return slices.SortedFunc(slices.Values(ws), func(a, b want) int { return strings.Compare(a.symbol, b.symbol) })
	}
	if !slices.Equal(sortWants(got), sortWants(wants)) {
		t.Errorf("findings:\n%v\nwant (kind, symbol, offset):\n%v", findings, wants)
	}
}

// fileAddr maps a file offset to its virtual address through the PT_LOAD segments.
func fileAddr(t *testing.T, path string, off uint64) uint64 {
	t.Helper()
	f, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_LOAD && p.Off <= off && off < p.Off+p.Filesz {
			return p.Vaddr + off - p.Off
		}
	}
	t.Fatalf("file offset %#x in no segment", off)
	return 0
}

// buildGo builds the Go main package pkg for linux/amd64 into a temporary directory and returns
// the binary's path. It skips the test when no go command is at hand.
func buildGo(t *testing.T, pkg string, flags ...string) string {
	t.Helper()
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go command to build test binaries: %v", err)
	}
	bin := filepath.Join(t.TempDir(), filepath.Base(pkg))
	args := append([]string{"build", "-o", bin}, flags...)
	cmd := exec.Command(goCmd, append(args, pkg)...)
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=amd64", "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, out)
	}
	return bin
}
