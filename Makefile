# fscollections: the two commands a newcomer needs are `make run` and `make test`.
GO        ?= go
STATICCHECK = honnef.co/go/tools/cmd/staticcheck@v0.8.2
BENCHSTAT   = golang.org/x/perf/cmd/benchstat@latest

.PHONY: run test redis-server check cross lint fmt vet bench bench-compare bench-peers bench-users stress fuzz fuzz-short

FUZZ_TARGETS = FuzzReplay:./domain FuzzCheckpointDecode:./domain FuzzFileHeader:./domain FuzzOpen:. FuzzOpenList:. FuzzOpenSwapList:. FuzzIndexFile:.
# fuzz-short's budgets, in executions (about 4-6 s each on 2 cores): a count, not a duration,
# because Go 1.26's fuzz coordinator can fail a duration run with a spurious "context deadline
# exceeded" when -fuzztime expires while a worker is busy (golang/go#75804, fixed in Go 1.27).
FUZZ_SHORT = FuzzReplay:./domain:100000x FuzzCheckpointDecode:./domain:120000x FuzzFileHeader:./domain:120000x \
	FuzzOpen:.:3000x FuzzOpenList:.:3000x FuzzOpenSwapList:.:5000x FuzzIndexFile:.:1500x

## run: the guided tour (writes ./data; run it twice to see the data survive)
run:
	$(GO) run ./examples/tour

## test: every test under the race detector (the Redis engine's against real redis-server
## processes the tests start), then a short run of each fuzz target (about 5 minutes on 2 cores
## from a cold build cache); go test runs vet's main checks, and make check all of them
test: redis-server
	FSC_REQUIRE_REDIS=1 $(GO) test -race -count=1 -timeout 15m ./...
	$(MAKE) fuzz-short

## redis-server: install Redis (server and redis-cli) when missing; fsredis's tests start their own servers
redis-server:
	@if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "installing redis-server (apt-get install -y redis-server)"; \
			(apt-get install -y redis-server >/dev/null 2>&1 || (apt-get update >/dev/null && apt-get install -y redis-server >/dev/null)) && \
			systemctl disable --now redis-server >/dev/null 2>&1 || true; \
		else \
			echo "redis-server is missing: install it (sudo apt-get install -y redis-server, or brew install redis) and run make test again"; exit 1; \
		fi; \
	fi
	@command -v redis-server >/dev/null || { echo "redis-server could not be installed"; exit 1; }

## fuzz-short / fuzz: each fuzz target for a few seconds (a fixed number of executions) / 5 min
## (seed corpora in testdata/fuzz). fuzz-short skips minimizing new inputs: FuzzOpen's executions
## fsync, and minimizing one input could take the whole budget.
fuzz-short:
	@for t in $(FUZZ_SHORT); do n=$${t%%:*}; rest=$${t#*:}; pkg=$${rest%:*}; count=$${rest##*:}; \
		$(GO) test -run '^$$' -fuzz "^$$n$$" -fuzztime $$count -fuzzminimizetime 1x $$pkg || exit 1; done
fuzz:
	@for t in $(FUZZ_TARGETS); do $(GO) test -run '^$$' -fuzz "^$${t%%:*}$$" -fuzztime 5m $${t#*:} || exit 1; done

vet:
	$(GO) vet ./...

## check: gofmt (fails, listing unformatted files), vet, staticcheck and the cross-builds; CI runs it
check: vet cross
	@files="$$(gofmt -l .)"; if [ -n "$$files" ]; then echo "gofmt: these files need formatting (make fmt):"; echo "$$files"; exit 1; fi
	$(GO) run $(STATICCHECK) ./...

## cross: the library and tools build for darwin, windows and freebsd (Linux is the tested platform)
cross:
	GOOS=darwin $(GO) build ./...
	GOOS=windows $(GO) build ./...
	GOOS=freebsd $(GO) build ./...

## lint: staticcheck at a pinned version
lint: vet
	$(GO) run $(STATICCHECK) ./...

fmt:
	gofmt -l -w .

## bench: the headline benchmarks (root package), saved to bench.out
bench:
	$(GO) test -run '^$$' -bench . -benchmem -count=5 . | tee bench.out

## bench-peers: the same workloads on fscollections, bbolt, badger, pebble, buntdb and goleveldb; writes bench/RESULTS.md (a few minutes)
bench-peers:
	cd bench && $(GO) run . -out RESULTS.md

## bench-users: the user database's benchmark table beside the old database's figures (about 30 s)
bench-users:
	$(GO) run ./examples/users -bench -iterations 10

## bench-compare: benchstat of bench.old against bench.out (cp bench.out bench.old before a change)
bench-compare:
	$(GO) run $(BENCHSTAT) bench.old bench.out

## stress: the crash harness with 1,000 SIGKILL rounds per kind and a 60 s soak
stress:
	$(GO) test -count=1 -timeout 90m -run 'Crash|Soak' ./integration -args -rounds=1000 -soak=60s
