package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/plibcached/plibcached/plib"
)

// segment is a segment file opened for maintenance.
type segment struct {
	path string
	c    *plib.Client
}

// openSegment attaches an existing segment without PKU (a tool needs no guard against
// its own stray writes), refusing one that other processes have mapped unless online.
func openSegment(path string, online bool, lockTimeout time.Duration) (*segment, error) {
	full := path
	if !strings.ContainsRune(path, '/') {
		full = filepath.Join("/dev/shm", path)
	}
	st, err := os.Stat(full)
	switch {
	case err != nil:
		return nil, err
	case !st.Mode().IsRegular():
		return nil, fmt.Errorf("%s is not a regular file", full)
	case st.Size() == 0:
		return nil, fmt.Errorf("%s is empty: %w", full, plib.ErrNotSegment)
	}
	if !online {
		if pids := mappedBy(full); len(pids) > 0 {
			return nil, fmt.Errorf("%s is mapped by running process(es) %v (use -online to proceed anyway)", full, pids)
		}
	}
	c, err := plib.Open(full, plib.Options{Protection: plib.ModeNoPKU, LockTimeout: lockTimeout})
	if err != nil {
		return nil, err
	}
	return &segment{path: full, c: c}, nil
}

func (s *segment) close() { s.c.Close() }

// mappedBy lists the other processes whose memory maps show the file.
func mappedBy(path string) []int {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil
	}
	dirs, _ := os.ReadDir("/proc")
	var pids []int
	for _, d := range dirs {
		pid, err := strconv.Atoi(d.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		if mapsShow(fmt.Sprintf("/proc/%d/maps", pid), abs) {
			pids = append(pids, pid)
		}
	}
	return pids
}

func mapsShow(maps, path string) bool {
	f, err := os.Open(maps)
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasSuffix(line, " "+path) || strings.HasSuffix(line, " "+path+" (deleted)") {
			return true
		}
	}
	return false
}

// check reports the slot table and held locks, then runs the store's check (which, to hold
// every lock, repairs the locks of dead clients it meets).
func check(s *segment, w io.Writer) (bool, error) {
	live, dead := s.c.SlotOwners()
	locks := s.c.LocksHeld()
	fmt.Fprintf(w, "segment %s\nclient slots: %d live, %d dead\nlocks held: %d\n", s.path, live, dead, locks)
	err := s.c.Check()
	var ce *plib.CheckError
	switch {
	case err == nil:
		fmt.Fprintln(w, "check: ok")
	case errors.As(err, &ce):
		fmt.Fprintf(w, "check: %d problem(s)\n", len(ce.Problems))
		for _, p := range ce.Problems {
			fmt.Fprintf(w, "  %s\n", p)
		}
		return false, nil
	default:
		return false, err
	}
	if dead > 0 {
		fmt.Fprintf(w, "%d dead client slot(s) await repair: run plibctl repair\n", dead)
	}
	return true, nil
}

// repair frees every dead client's slot, repairing what each left half-done, then checks.
func repair(s *segment, w io.Writer) (bool, error) {
	r, err := s.c.Recover()
	if err != nil {
		return false, err
	}
	_, chunks := s.c.Recovered()
	fmt.Fprintf(w, "repair: %d dead slot(s), %d repaired and freed, %d busy; %d leaked chunk(s) freed\n",
		r.DeadSlots, r.Freed, r.Busy, chunks)
	ok, err := check(s, w)
	return ok && r.Busy == 0, err
}

// stats prints the store's statistics, by memcached's names.
func stats(s *segment, w io.Writer) (bool, error) {
	st := s.c.Stats()
	for _, f := range []struct {
		name string
		v    uint64
	}{
		{"curr_items", st.CurrItems}, {"total_items", st.TotalItems}, {"bytes", st.Bytes},
		{"limit_maxbytes", st.LimitBytes}, {"cmd_get", st.CmdGet}, {"cmd_set", st.CmdSet},
		{"get_hits", st.GetHits}, {"get_misses", st.GetMisses}, {"evictions", st.Evictions},
		{"reclaimed", st.Reclaimed}, {"total_pages", st.TotalPages}, {"free_pages", st.FreePages},
		{"hash_power_level", uint64(st.HashPower)}, {"hash_bytes", st.HashBytes},
		{"class_shards", uint64(st.ClassShards)},
	} {
		fmt.Fprintf(w, "%s %d\n", f.name, f.v)
	}
	fmt.Fprintf(w, "huge_pages %s\n", s.c.HugePages())
	// Lock contention, per kind of lock: how often a client found it taken, and how it
	// waited (rounds looking at the word, yields, futex sleeps).
	for _, c := range st.Contention {
		fmt.Fprintf(w, "lock_%s_contended %d\nlock_%s_spins %d\nlock_%s_yields %d\nlock_%s_sleeps %d\n",
			c.Kind, c.Contended, c.Kind, c.Spins, c.Kind, c.Yields, c.Kind, c.Sleeps)
	}
	return true, nil
}
