package pkey

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

func TestKeyMask(t *testing.T) {
	tests := []struct {
		key  Key
		want uint32
	}{
		{0, 0x0000_0003},
		{1, 0x0000_000c},
		{2, 0x0000_0030},
		{7, 0x0000_c000},
		{14, 0x3000_0000},
		{15, 0xc000_0000},
		{16, 0}, // out of range: shifted out of the register
		{-1, 0},
	}
	for _, tt := range tests {
		if got := tt.key.Mask(); got != tt.want {
			t.Errorf("Key(%d).Mask() = %#x, want %#x", tt.key, got, tt.want)
		}
	}
}

func TestKeyArithmetic(t *testing.T) {
	tests := []struct {
		name      string
		key       Key
		pkru      uint32
		allow     uint32
		deny      uint32
		rights    Rights
		read, wrt bool
	}{
		{"init pkru, key 1", 1, DefaultInitPKRU, 0x5555_5550, 0x5555_555c, DisableAccess, false, false},
		{"init pkru, key 15", 15, DefaultInitPKRU, 0x1555_5554, 0xd555_5554, DisableAccess, false, false},
		{"init pkru, key 0", 0, DefaultInitPKRU, 0x5555_5554, 0x5555_5557, ReadWrite, true, true},
		{"all open, key 3", 3, 0, 0, 0x0000_00c0, ReadWrite, true, true},
		{"all closed, key 3", 3, 0xffff_ffff, 0xffff_ff3f, 0xffff_ffff, DenyAll, false, false},
		{"write-disabled key 2", 2, 0x0000_0020, 0, 0x0000_0030, DisableWrite, true, false},
		{"AD only key 2", 2, 0x0000_0010, 0, 0x0000_0030, DisableAccess, false, false},
		{"neighbours kept", 5, 0xaaaa_aaaa, 0xaaaa_a2aa, 0xaaaa_aeaa, DisableWrite, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := tt.key
			if got := k.Allow(tt.pkru); got != tt.allow {
				t.Errorf("Allow(%#x) = %#x, want %#x", tt.pkru, got, tt.allow)
			}
			if got := k.Deny(tt.pkru); got != tt.deny {
				t.Errorf("Deny(%#x) = %#x, want %#x", tt.pkru, got, tt.deny)
			}
			if got := k.RightsIn(tt.pkru); got != tt.rights {
				t.Errorf("RightsIn(%#x) = %d, want %d", tt.pkru, got, tt.rights)
			}
			if got := k.CanRead(tt.pkru); got != tt.read {
				t.Errorf("CanRead(%#x) = %v, want %v", tt.pkru, got, tt.read)
			}
			if got := k.CanWrite(tt.pkru); got != tt.wrt {
				t.Errorf("CanWrite(%#x) = %v, want %v", tt.pkru, got, tt.wrt)
			}
		})
	}
}

// TestKeyOnlyTouchesOwnBits checks, over random registers and every key, that Allow, Deny and
// With change exactly the key's two bits and produce the rights they promise.
func TestKeyOnlyTouchesOwnBits(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		pkru := rng.Uint32()
		for k := Key(0); k < NumKeys; k++ {
			others := ^k.Mask()
			for _, r := range []Rights{ReadWrite, DisableAccess, DisableWrite, DenyAll} {
				got := k.With(pkru, r)
				if got&others != pkru&others {
					t.Fatalf("Key(%d).With(%#x, %d) = %#x changed other keys' bits", k, pkru, r, got)
				}
				if k.RightsIn(got) != r {
					t.Fatalf("Key(%d).With(%#x, %d) = %#x has rights %d", k, pkru, r, got, k.RightsIn(got))
				}
			}
			if a := k.Allow(pkru); a != k.With(pkru, ReadWrite) || !k.CanWrite(a) {
				t.Fatalf("Key(%d).Allow(%#x) = %#x", k, pkru, a)
			}
			if d := k.Deny(pkru); d != k.With(pkru, DenyAll) || k.CanRead(d) {
				t.Fatalf("Key(%d).Deny(%#x) = %#x", k, pkru, d)
			}
		}
	}
}

func TestDefaultInitPKRUDeniesAllButKeyZero(t *testing.T) {
	if !Key(0).CanWrite(DefaultInitPKRU) {
		t.Errorf("key 0 not writable under %#x", DefaultInitPKRU)
	}
	for k := Key(1); k < NumKeys; k++ {
		if k.CanRead(DefaultInitPKRU) {
			t.Errorf("key %d readable under %#x", k, DefaultInitPKRU)
		}
	}
}

func ExampleKey_Allow() {
	k := Key(1)
	inside := k.Allow(DefaultInitPKRU) // what Enter writes on a thread at the kernel default
	outside := k.Deny(inside)          // what Exit writes
	fmt.Printf("inside  %#08x read=%v write=%v\n", inside, k.CanRead(inside), k.CanWrite(inside))
	fmt.Printf("outside %#08x read=%v write=%v\n", outside, k.CanRead(outside), k.CanWrite(outside))
	// Output:
	// inside  0x55555550 read=true write=true
	// outside 0x5555555c read=false write=false
}
