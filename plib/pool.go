package plib

import (
	"runtime"
	"sync/atomic"
)

// sessionPool is a lock-free stack of a client's idle sessions (a Treiber stack indexed by
// slot, with a generation count in the head against ABA).
type sessionPool struct {
	head     atomic.Uint64 // generation<<32 | (slot+1), 0 slot part when empty
	next     []atomic.Uint32
	sessions []atomic.Pointer[Session]
}

func (p *sessionPool) init(slots int) {
	p.next = make([]atomic.Uint32, slots)
	p.sessions = make([]atomic.Pointer[Session], slots)
}

func (p *sessionPool) push(s *Session) {
	i := uint32(s.slot)
	p.sessions[i].Store(s)
	for {
		h := p.head.Load()
		p.next[i].Store(uint32(h))
		if p.head.CompareAndSwap(h, (h>>32+1)<<32|uint64(i+1)) {
			return
		}
	}
}

func (p *sessionPool) pop() *Session {
	for {
		h := p.head.Load()
		top := uint32(h)
		if top == 0 {
			return nil
		}
		if p.head.CompareAndSwap(h, (h>>32+1)<<32|uint64(p.next[top-1].Load())) {
			return p.sessions[top-1].Load()
		}
	}
}

func yield() { runtime.Gosched() }
