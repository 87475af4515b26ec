# fscollections: the two commands a newcomer needs are `make run` and `make test`.
GO        ?= go
STATICCHECK = honnef.co/go/tools/cmd/staticcheck@v0.8.2
BENCHSTAT   = golang.org/x/perf/cmd/benchstat@latest

.PHONY: run test test-race lint fmt vet bench bench-compare stress

## run: the guided tour (writes ./data; run it twice to see the data survive)
run:
	$(GO) run ./examples/tour

## test: vet, then every test under the race detector (about a minute on 2 cores)
test: vet
	$(GO) test -race -count=1 -timeout 15m ./...

vet:
	$(GO) vet ./...

## lint: staticcheck at a pinned version
lint: vet
	$(GO) run $(STATICCHECK) ./...

fmt:
	gofmt -l -w .

## bench: the DESIGN.md section 7 benchmarks, saved to bench.out
bench:
	$(GO) test -run '^$$' -bench . -benchmem -count=5 . | tee bench.out

## bench-compare: benchstat of bench.old against bench.out (cp bench.out bench.old before a change)
bench-compare:
	$(GO) run $(BENCHSTAT) bench.old bench.out

## stress: the crash harness with many more SIGKILL rounds
stress:
	$(GO) test -race -count=1 -timeout 60m -run Crash ./integration -args -rounds=1000
