package elfscan

import (
	"debug/elf"
	"debug/gosym"
	"sort"
)

// funcSym is one function's address range.
type funcSym struct {
	name       string
	start, end uint64 // [start, end)
	section    elf.SectionIndex
}

// symTable finds the function containing an address.
type symTable struct {
	funcs  []funcSym // sorted by start
	source string    // where the names came from, for messages
}

// loadSymbols reads function symbols from, in order of preference, the ELF symbol table, the Go
// line table (.gopclntab, which survives `go build -ldflags=-s`), or the dynamic symbol table.
// A binary with none of them yields an empty table: findings then carry no symbol and none can
// be allowed.
func loadSymbols(f *elf.File) symTable {
	if syms, err := f.Symbols(); err == nil && len(syms) > 0 {
		if t := elfFuncs(syms, ".symtab"); len(t.funcs) > 0 {
			return t
		}
	}
	if t := goFuncs(f); len(t.funcs) > 0 {
		return t
	}
	if syms, err := f.DynamicSymbols(); err == nil {
		return elfFuncs(syms, ".dynsym")
	}
	return symTable{}
}

// elfFuncs keeps the defined STT_FUNC symbols. A symbol without a size (hand-written assembly in
// C objects often lacks .size) is taken to extend to the next function.
func elfFuncs(syms []elf.Symbol, source string) symTable {
	var funcs []funcSym
	for _, s := range syms {
		if elf.ST_TYPE(s.Info) != elf.STT_FUNC || s.Section == elf.SHN_UNDEF {
			continue
		}
		funcs = append(funcs, funcSym{name: s.Name, start: s.Value, end: s.Value + s.Size, section: s.Section})
	}
	sort.SliceStable(funcs, func(i, j int) bool { return funcs[i].start < funcs[j].start })
	for i := range funcs {
		if funcs[i].end == funcs[i].start && i+1 < len(funcs) {
			funcs[i].end = funcs[i+1].start
		}
	}
	return symTable{funcs: funcs, source: source}
}

// goFuncs reads function ranges from a Go binary's .gopclntab.
func goFuncs(f *elf.File) symTable {
	pcln, text := f.Section(".gopclntab"), f.Section(".text")
	if pcln == nil || text == nil {
		return symTable{}
	}
	data, err := pcln.Data()
	if err != nil {
		return symTable{}
	}
	table, err := gosym.NewTable(nil, gosym.NewLineTable(data, text.Addr))
	if err != nil {
		return symTable{}
	}
	funcs := make([]funcSym, 0, len(table.Funcs))
	for _, fn := range table.Funcs {
		funcs = append(funcs, funcSym{name: fn.Name, start: fn.Entry, end: fn.End})
	}
	sort.SliceStable(funcs, func(i, j int) bool { return funcs[i].start < funcs[j].start })
	return symTable{funcs: funcs, source: ".gopclntab"}
}

// lookup returns the function with the nearest start whose range contains addr. With section > 0
// (scanning a section of a relocatable object, where symbol values are section offsets), only
// that section's functions are considered. The backward walk is linear, which is fine for the
// handful of findings a binary has.
func (t symTable) lookup(addr uint64, section elf.SectionIndex) (funcSym, bool) {
	i := sort.Search(len(t.funcs), func(i int) bool { return t.funcs[i].start > addr })
	for i--; i >= 0; i-- {
		fn := t.funcs[i]
		if (section == 0 || fn.section == section) && addr < fn.end {
			return fn, true
		}
	}
	return funcSym{}, false
}
