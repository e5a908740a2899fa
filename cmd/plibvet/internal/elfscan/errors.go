package elfscan

import "errors"

// Sentinel errors; Scan wraps them with %w and the detail, so test with errors.Is.
var (
	// ErrNotELF means the input is not an ELF file (bad magic or unreadable headers).
	ErrNotELF = errors.New("elfscan: not an ELF file")

	// ErrMachine means the ELF file is for a machine other than x86 (EM_X86_64 or EM_386): PKU
	// and the patterns searched for exist on x86 only.
	ErrMachine = errors.New("elfscan: not an x86 ELF file")

	// ErrNoCode means the file has neither an executable PT_LOAD segment nor an SHF_EXECINSTR
	// section, so there is nothing to scan.
	ErrNoCode = errors.New("elfscan: no executable code")
)
