package elfscan

import (
	"cmp"
	"debug/elf"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

// DefaultAllow is plib's own PKRU write: the assembly function behind pkey.Enter and pkey.Exit.
// It is the only function in the project allowed to contain WRPKRU.
var DefaultAllow = []string{"github.com/plibcached/plibcached/plib/internal/pkey.wrpkru"}

// Options configure Scan.
type Options struct {
	// Allow names the functions whose patterns are expected. A Finding lying wholly inside a
	// function whose symbol is one of these names, or one of them plus the ".abi0" suffix the
	// Go linker gives assembly functions, has Allowed set. Scan adds nothing by default: pass DefaultAllow to
	// allow plib's trampoline.
	Allow []string
	// AllowUnaligned also sets Allowed on a Finding that lies strictly inside one
	// instruction of its function, decoded from the function's start (Finding.Inside):
	// bytes of another instruction's immediate or displacement, which only a jump into the
	// middle of that instruction could execute. A pattern that is a real instruction, or
	// one in bytes that do not decode, is never allowed this way.
	AllowUnaligned bool
}

// Finding is one PKRU-writing byte pattern in executable memory.
type Finding struct {
	Kind       Kind
	Addr       uint64 // virtual address of the pattern's first byte (section offset in a relocatable object)
	FileOffset uint64 // offset of that byte in the file
	Size       int    // bytes of the pattern: 3, or 4 with a REX.W prefix
	Section    string // the section holding Addr, "" if none does
	Symbol     string // the function containing the pattern, "" if none is known
	SymOffset  uint64 // Addr minus the function's start
	Allowed    bool   // the whole pattern lies in a function named in Options.Allow, or Inside it is allowed
	// Inside is the instruction (Go syntax) whose bytes contain the pattern when the pattern
	// starts strictly inside one instruction of its function; "" when it starts at an
	// instruction boundary, or the function is unknown or does not decode up to it.
	Inside string
}

// String formats f on one line: kind, address, file offset, symbol+offset, section.
func (f Finding) String() string {
	sym := "?"
	if f.Symbol != "" {
		sym = fmt.Sprintf("%s+%#x", f.Symbol, f.SymOffset)
	}
	s := fmt.Sprintf("%s at %#x (file offset %#x) in %s", f.Kind, f.Addr, f.FileOffset, sym)
	if f.Section != "" {
		s += " [" + f.Section + "]"
	}
	if f.Inside != "" {
		s += " inside " + f.Inside
	}
	switch {
	case f.Allowed:
		s += " (allowed)"
	case f.Kind.Privileged():
		s += " (privileged: faults in user mode, not a stray)"
	}
	return s
}

// IsStray reports whether f is a pattern user code could execute to change PKRU outside the
// allowed functions: not Allowed, and not a privileged instruction.
func (f Finding) IsStray() bool { return !f.Allowed && !f.Kind.Privileged() }

// Stray returns the findings for which IsStray holds, in their original order.
func Stray(findings []Finding) []Finding {
	return slices.DeleteFunc(slices.Clone(findings), func(f Finding) bool { return !f.IsStray() })
}

// ScanFile opens the ELF file at path and scans it; see Scan.
func ScanFile(path string, opts Options) ([]Finding, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	findings, err := Scan(file, opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return findings, nil
}

// Scan reads an x86 ELF file and returns, sorted by address, every WRPKRU, XRSTOR(64) and
// XRSTORS(64) byte pattern in its executable memory, at any byte offset (see findPatterns), each
// attributed to the function containing it and marked Allowed per opts.
//
// Executable memory means the PT_LOAD segments with PF_X, which is what the loader maps
// executable (for a Go binary: the ELF and program headers, the build-id notes and .text); a file
// without program headers (a relocatable object) is scanned by its SHF_EXECINSTR sections.
// Segments are scanned one by one, so a pattern straddling two adjacent segments is missed.
//
// Errors wrap ErrNotELF, ErrMachine or ErrNoCode, or come from reading r.
func Scan(r io.ReaderAt, opts Options) ([]Finding, error) {
	f, err := elf.NewFile(r)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotELF, err)
	}
	if f.Machine != elf.EM_X86_64 && f.Machine != elf.EM_386 {
		return nil, fmt.Errorf("%w: machine %v", ErrMachine, f.Machine)
	}
	regions, err := codeRegions(f)
	if err != nil {
		return nil, err
	}
	s := scanner{file: f, syms: loadSymbols(f), allow: opts.Allow, unaligned: opts.AllowUnaligned}
	var findings []Finding
	for _, reg := range regions {
		for _, m := range findPatterns(reg.data, f.Machine == elf.EM_X86_64) {
			findings = append(findings, s.finding(reg, m))
		}
	}
	slices.SortStableFunc(findings, func(a, b Finding) int { return cmp.Compare(a.Addr, b.Addr) })
	return findings, nil
}

// region is one span of executable bytes.
type region struct {
	addr, off uint64 // virtual address (section offset for ET_REL) and file offset of data[0]
	data      []byte
	section   elf.SectionIndex // > 0 when the region is a section of a relocatable object
	name      string           // that section's name
}

// codeRegions returns the executable PT_LOAD segments or, without any, the SHF_EXECINSTR
// sections.
func codeRegions(f *elf.File) ([]region, error) {
	var regions []region
	for _, p := range f.Progs {
		if p.Type != elf.PT_LOAD || p.Flags&elf.PF_X == 0 || p.Filesz == 0 {
			continue
		}
		data, err := io.ReadAll(p.Open()) // bounded by the file, whatever Filesz claims
		if err != nil {
			return nil, fmt.Errorf("reading segment at %#x: %w", p.Vaddr, err)
		}
		regions = append(regions, region{addr: p.Vaddr, off: p.Off, data: data})
	}
	if len(regions) > 0 {
		return regions, nil
	}
	for i, sec := range f.Sections {
		if sec.Flags&elf.SHF_EXECINSTR == 0 || sec.Type == elf.SHT_NOBITS {
			continue
		}
		data, err := sec.Data()
		if err != nil {
			return nil, fmt.Errorf("reading section %s: %w", sec.Name, err)
		}
		regions = append(regions, region{addr: sec.Addr, off: sec.Offset, data: data,
			section: elf.SectionIndex(i), name: sec.Name})
	}
	if len(regions) == 0 {
		return nil, ErrNoCode
	}
	return regions, nil
}

// scanner turns matches into findings.
type scanner struct {
	file      *elf.File
	syms      symTable
	allow     []string
	unaligned bool // Options.AllowUnaligned
}

func (s scanner) finding(reg region, m match) Finding {
	addr := reg.addr + uint64(m.off)
	fd := Finding{Kind: m.kind, Addr: addr, FileOffset: reg.off + uint64(m.off), Size: m.size, Section: reg.name}
	if fd.Section == "" {
		fd.Section = s.sectionAt(addr)
	}
	if fn, ok := s.syms.lookup(addr, reg.section); ok {
		fd.Symbol, fd.SymOffset = fn.name, addr-fn.start
		fd.Allowed = addr+uint64(m.size) <= fn.end && s.allowed(fn.name)
		if fn.start >= reg.addr && fn.end <= reg.addr+uint64(len(reg.data)) {
			mode := 32
			if s.file.Machine == elf.EM_X86_64 {
				mode = 64
			}
			var inside bool
			inside, fd.Inside = insideInstruction(reg.data[fn.start-reg.addr:fn.end-reg.addr], int(addr-fn.start), mode)
			fd.Allowed = fd.Allowed || inside && s.unaligned
		}
	}
	return fd
}

// allowed reports whether name, or name without the Go linker's ".abi0" suffix, is allowed.
func (s scanner) allowed(name string) bool {
	base := strings.TrimSuffix(name, ".abi0")
	return slices.Contains(s.allow, name) || slices.Contains(s.allow, base)
}

// sectionAt names the allocated section containing addr.
func (s scanner) sectionAt(addr uint64) string {
	for _, sec := range s.file.Sections {
		if sec.Flags&elf.SHF_ALLOC != 0 && sec.Addr <= addr && addr < sec.Addr+sec.Size {
			return sec.Name
		}
	}
	return ""
}
