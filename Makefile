# plibcached: memcached as a protected library, and the benchmark suite that proves it.
#
# make test             all tests (race detector on the packages where it fits); < 10 min on 2 cores
# make reproduce        the paper's evaluation end to end (see README.md): results/reference/,
#                       plots/reference/; about an hour on 2 cores
# make reproduce-quick  the same pipeline at 1M records with short runs: results/quick/,
#                       plots/quick/; about 15 minutes on 2 cores
# make plots            redraw every run's tables and figures from results/ (RUN=name: one run)
# make regress          performance floors (regress/floors.txt) measured in one process; < 2 min
# make bench            Go micro-benchmarks, every backend side by side
# make bench-scale      plib-nopku's throughput at 1, 2, 4 client threads: the 2t/1t ratios
# make kv-memory        40M items in a 10 GiB region: the per-item memory figure (~2 min)
# make test-pku-qemu    the PKU test suites in a QEMU guest with an emulated PKU CPU
# make test-peers       the Redis and LMDB backends' conformance and multi-process tests (also in make test)
# make conformance      memcached 1.6.18's own t/ suite against plibd and stock memcached

GO        ?= go
PKGS      := ./...
# Packages whose tests spawn many processes or hammer shared memory for long get no -race:
# the race detector's 5-10x slowdown would push `make test` past its 10-minute budget.
RACE_PKGS := ./kv/... ./workloads/...

PHONY_EXTRA := test-pku-qemu kv-memory bench-plibd bin/plibd bench-scale test-peers conformance
.PHONY: $(PHONY_EXTRA) all build test test-race test-all vet fmt-check bench deps tools reproduce reproduce-quick plots regress torture

all: build

deps:
	@scripts/ensure-deps.sh

build:
	$(GO) build ./...

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

test: deps fmt-check vet
	$(GO) test -count=1 -timeout 20m $(PKGS)
	$(GO) test -count=1 -race -short -timeout 20m $(RACE_PKGS)
	scripts/pkru-vet.sh
	scripts/pku-tests.sh

# The peers (redis, redis-unix, lmdb): conformance, checksum-verified workloads, several
# processes on one store. They skip, saying why, only where redis-server or cgo is missing.
test-peers: deps
	$(GO) test -count=1 -run 'TestConformance/(redis|lmdb)|TestEveryBackendSmallWorkload/(redis|lmdb)|TestAttach|TestLMDB|TestRedis|TestRunProcesses' ./harness/
	$(GO) test -count=1 -run 'TestMultiProcessPeers' ./cmd/ycsb/

# The PKU suites under QEMU's emulated PKU CPU, whatever this CPU has.
test-pku-qemu:
	scripts/qemu-pku/run.sh ./plib/internal/pkey
	scripts/qemu-pku/run.sh ./plib

# 40 million 128-byte items with YCSB keys in a 10 GiB region: the memory-use figure.
kv-memory:
	$(GO) test -count=1 -run TestFullScaleMemory -kv.fullscale -timeout 30m -v ./kv/

# plibd's binary, where the harness's plibd backend finds it.
bin/plibd:
	$(GO) build -o bin/plibd ./cmd/plibd

# plibd over loopback TCP beside memcached over loopback TCP at equal threads, read- and
# write-heavy, 4, 16 and 256 connections, alternating rounds: one table of medians (~3 min).
bench-plibd: deps bin/plibd
	$(GO) run ./cmd/plibdbench $(PLIBDBENCH_FLAGS)

# memcached 1.6.18's own test suite (its t/*.t text and meta files) against plibd and, as a
# control, memcached-debug built from the same Debian source; prints file | memcached | plibd.
# Not part of `make test` (about 8 minutes on 2 cores); scripts/conformance/excluded.txt lists
# the files not run and why. CONFORMANCE_TESTS="a.t b.t" runs only those.
conformance: deps
	scripts/conformance.sh

# Crash torture: 4 workers SIGKILLed and replaced 1000 times, then Recover, Check and porcupine
# (TORTURE_FLAGS adds flags, e.g. -seed 7 -out dir). A few minutes on 2 cores.
# Four runs, about 3-4 minutes on 2 busy cores: random kills; kill-repairers mode (lock
# repairers, reclaimers and lock holders killed on purpose); stop mode (workers SIGSTOPped
# past a 200 ms lock timeout: busy calls, no hangs); both modes at once (stopped repairers,
# reclaimers waiting behind stopped holders).
torture:
	$(GO) run ./cmd/torture -kills 1000 $(TORTURE_FLAGS)
	$(GO) run ./cmd/torture -kills 300 -class-shards 4 $(TORTURE_FLAGS)
	$(GO) run ./cmd/torture -kills 300 -kill-repairers $(TORTURE_FLAGS)
	$(GO) run ./cmd/torture -kills 300 -stop -max-delay 100ms $(TORTURE_FLAGS)
	$(GO) run ./cmd/torture -kills 300 -kill-repairers -stop -max-delay 60ms $(TORTURE_FLAGS)

bench:
	$(GO) test -run '^$$' -bench . -benchmem -timeout 30m $(PKGS)

# plib-nopku at 1, 2 and 4 client threads on both paper mixes, 1M and 10M records, rounds
# alternating: the 2t/1t ratios, then kv's lock contention per operation (~15 min).
bench-scale:
	scripts/bench-scale.sh

# REPRODUCE_FLAGS passes flags to cmd/reproduce, e.g. REPRODUCE_FLAGS='-threads paper'.
reproduce: deps build
	$(GO) run ./cmd/reproduce $(REPRODUCE_FLAGS)

reproduce-quick: deps build
	$(GO) run ./cmd/reproduce -quick $(REPRODUCE_FLAGS)

plots:
	$(GO) run ./cmd/plots $(if $(RUN),-run $(RUN))

regress: deps
	$(GO) run ./cmd/regress
