package main

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/plibcached/plibcached/evaluation"
)

func TestParseArgsPresets(t *testing.T) {
	var stderr bytes.Buffer
	full, err := parseArgs(nil, &stderr)
	if err != nil || full.Name != "reference" || full.Records != 0 || full.Repetitions != 3 || !reflect.DeepEqual(full.Systems, evaluation.Full().Systems) {
		t.Errorf("defaults: %+v, %v; want the full run's systems, record count chosen by memory", full, err)
	}
	quick, err := parseArgs([]string{"-quick", "-threads", "paper", "-reps", "1"}, &stderr)
	if err != nil || quick.Name != "quick" || quick.Records != 1_000_000 || quick.Repetitions != 1 || len(quick.Systems) != len(evaluation.AllSystems()) ||
		!reflect.DeepEqual(quick.Threads, evaluation.PaperThreads) || quick.Duration != 2*time.Second {
		t.Errorf("-quick: %+v, %v", quick, err)
	}
	picked, err := parseArgs([]string{"-systems", "plib-nopku,memcached-4t", "-mixes", "writeheavy", "-records", "5000"}, &stderr)
	if err != nil || len(picked.Systems) != 2 || picked.Systems[0].ID != "plib-nopku" || picked.Mixes[0].Name != "writeheavy" ||
		picked.Records != 5000 || picked.RecordsReason != "" {
		t.Errorf("picked: %+v, %v", picked, err)
	}
}

func TestSplitFlags(t *testing.T) {
	var stderr bytes.Buffer
	quick, err := parseArgs([]string{"-quick"}, &stderr)
	if err != nil || len(quick.Split.Systems) != len(evaluation.SplitSystems) || quick.Split.Repetitions != 2 {
		t.Fatalf("-quick split: %+v, %v; want every split system, two runs per point", quick.Split, err)
	}
	none, err := parseArgs([]string{"-quick", "-split-systems", "none"}, &stderr)
	if err != nil || len(none.Split.Systems) != 0 {
		t.Errorf("-split-systems none: %+v, %v", none.Split, err)
	}
	two, err := parseArgs([]string{"-split-systems", "lmdb,plib-nopku", "-split-reps", "2"}, &stderr)
	if err != nil || len(two.Split.Systems) != 2 || two.Split.Systems[0].ID != "lmdb" || two.Split.Repetitions != 2 {
		t.Errorf("-split-systems lmdb,plib-nopku: %+v, %v", two.Split, err)
	}
}

func TestBadUsage(t *testing.T) {
	for _, args := range [][]string{
		{"-threads", "1,x"}, {"-threads", "0"}, {"-systems", "mongodb"}, {"-split-systems", "mongodb"}, {"-mixes", "readmostly"}, {"extra"}, {"-bogus"},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(args, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), "reproduce") && !strings.Contains(stderr.String(), "flag") {
			t.Errorf("%q: exit %d, stderr %q; want 2 and a message", args, code, stderr.String())
		}
	}
}
