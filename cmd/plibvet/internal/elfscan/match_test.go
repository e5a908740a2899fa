package elfscan

import (
	"bytes"
	"slices"
	"testing"
)

func TestFindPatterns(t *testing.T) {
	tests := []struct {
		name string
		code []byte
		rex  bool
		want []match
	}{
		{"empty", nil, true, nil},
		{"too short", []byte{0x0F, 0x01}, true, nil},
		{"wrpkru", []byte{0x0F, 0x01, 0xEF}, true, []match{{0, 3, WRPKRU}}},
		{"wrpkru at the very end", []byte{0x90, 0x90, 0x0F, 0x01, 0xEF}, true, []match{{2, 3, WRPKRU}}},
		{"wrpkru in an immediate", []byte{0xB8, 0x0F, 0x01, 0xEF, 0x00}, true, []match{{1, 3, WRPKRU}}},
		{"escape byte doubled", []byte{0x0F, 0x0F, 0x01, 0xEF}, true, []match{{1, 3, WRPKRU}}},
		{"rdpkru is a read", []byte{0x0F, 0x01, 0xEE}, true, nil},
		{"xrstor [rdi]", []byte{0x0F, 0xAE, 0x2F}, true, []match{{0, 3, XRSTOR}}},
		{"xrstor [rip+disp32]", []byte{0x0F, 0xAE, 0x2D, 1, 2, 3, 4}, true, []match{{0, 3, XRSTOR}}},
		{"xrstor [rsp+disp8] (mod 01)", []byte{0x0F, 0xAE, 0x6C, 0x24, 0x10}, true, []match{{0, 3, XRSTOR}}},
		{"xrstor mod 10", []byte{0x0F, 0xAE, 0xA8, 1, 0, 0, 0}, true, []match{{0, 3, XRSTOR}}},
		{"xrstor64", []byte{0x48, 0x0F, 0xAE, 0x2F}, true, []match{{0, 4, XRSTOR64}}},
		{"xrstor64 with REX.WB", []byte{0x49, 0x0F, 0xAE, 0x2F}, true, []match{{0, 4, XRSTOR64}}},
		{"REX without W is plain xrstor", []byte{0x41, 0x0F, 0xAE, 0x2F}, true, []match{{1, 3, XRSTOR}}},
		{"0x48 in 32-bit code is DEC EAX", []byte{0x48, 0x0F, 0xAE, 0x2F}, false, []match{{1, 3, XRSTOR}}},
		{"lfence (0F AE E8) is mod 11", []byte{0x0F, 0xAE, 0xE8}, true, nil},
		{"incssp-like mod 11 reg 5", []byte{0xF3, 0x48, 0x0F, 0xAE, 0xED}, true, nil},
		{"xsave is /4", []byte{0x0F, 0xAE, 0x27}, true, nil},
		{"xsaveopt is /6", []byte{0x0F, 0xAE, 0x37}, true, nil},
		{"xrstors [rdi]", []byte{0x0F, 0xC7, 0x1F}, true, []match{{0, 3, XRSTORS}}},
		{"xrstors64", []byte{0x48, 0x0F, 0xC7, 0x1F}, true, []match{{0, 4, XRSTORS64}}},
		{"cmpxchg16b is /1", []byte{0x48, 0x0F, 0xC7, 0x0F}, true, nil},
		{"rdrand is /6 mod 11", []byte{0x0F, 0xC7, 0xF0}, true, nil},
		{"several", []byte{0x0F, 0x01, 0xEF, 0x48, 0x0F, 0xAE, 0x2F, 0x0F, 0xC7, 0x1F}, true,
			[]match{{0, 3, WRPKRU}, {3, 4, XRSTOR64}, {7, 3, XRSTORS}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := findPatterns(tt.code, tt.rex); !slices.Equal(got, tt.want) {
				t.Errorf("findPatterns(% x, rex=%v) = %v, want %v", tt.code, tt.rex, got, tt.want)
			}
		})
	}
}

// TestFindPatternsEveryOffset plants each pattern at every offset of a buffer of filler bytes
// that cannot start one, and checks it is found exactly there.
func TestFindPatternsEveryOffset(t *testing.T) {
	patterns := []struct {
		bytes []byte
		kind  Kind
	}{
		{[]byte{0x0F, 0x01, 0xEF}, WRPKRU},
		{[]byte{0x0F, 0xAE, 0x2F}, XRSTOR},
		{[]byte{0x48, 0x0F, 0xAE, 0x2F}, XRSTOR64},
		{[]byte{0x0F, 0xC7, 0x1F}, XRSTORS},
	}
	for _, p := range patterns {
		for off := 0; off+len(p.bytes) <= 64; off++ {
			code := bytes.Repeat([]byte{0x90}, 64)
			copy(code[off:], p.bytes)
			want := []match{{off, len(p.bytes), p.kind}}
			if got := findPatterns(code, true); !slices.Equal(got, want) {
				t.Fatalf("%v at offset %d: got %v", p.kind, off, got)
			}
		}
	}
}

// FuzzFindPatterns checks that every reported match really spells its kind and that the
// matches are in order and inside the buffer.
func FuzzFindPatterns(f *testing.F) {
	f.Add([]byte{0x0F, 0x01, 0xEF}, true)
	f.Add([]byte{0x48, 0x0F, 0xAE, 0x2F, 0x0F, 0xC7, 0x1F}, true)
	f.Add([]byte{0x0F, 0xAE, 0xE8, 0x0F}, false)
	f.Fuzz(func(t *testing.T, code []byte, rex bool) {
		last := -1
		for _, m := range findPatterns(code, rex) {
			if m.off <= last || m.off+m.size > len(code) {
				t.Fatalf("match %v out of order or range (len %d)", m, len(code))
			}
			last = m.off
			esc := m.off
			if m.size == 4 {
				if !rex || code[m.off]&rexWMask != rexW {
					t.Fatalf("match %v: 4 bytes without REX.W", m)
				}
				esc++
			}
			if again, ok := matchAt(code, esc, rex); !ok || again != m {
				t.Fatalf("match %v does not re-match: %v %v", m, again, ok)
			}
		}
	})
}
