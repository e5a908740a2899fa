# plibcached: memcached as a protected library, and the benchmark suite that proves it.
#
# make test       all tests (race detector on the packages where it fits); < 10 min on 2 cores
# make reproduce  the paper's evaluation end to end (see README.md)
# make bench      Go micro-benchmarks, every backend side by side

GO        ?= go
PKGS      := ./...
# Packages whose tests spawn many processes or hammer shared memory for long get no -race:
# the race detector's 5-10x slowdown would push `make test` past its 10-minute budget.
RACE_PKGS := ./kv/... ./workloads/...

.PHONY: all build test test-race test-all vet fmt-check bench deps tools

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

bench:
	$(GO) test -run '^$$' -bench . -benchmem -timeout 30m $(PKGS)
