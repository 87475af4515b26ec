package domain_test

import (
	"sync"
	"testing"

	"github.com/fscollections/fscollections/domain"
	"github.com/fscollections/fscollections/domain/domaintest"
)

// The contract suite on the in-memory fake: the domain's logic with no I/O.
func TestContractOnMemStorage(t *testing.T) {
	domaintest.RunStorageContract(t, func(t *testing.T) domaintest.Opener {
		disk := &domaintest.Disk{}
		return func(*testing.T) domain.Storage { return domaintest.NewMemStorage(disk) }
	})
}

// Background checkpoints race writers, Compact and Close: run with -race.
// Afterwards the files hold every write, and a reopen replays only what
// came after the last checkpoint.
func TestBackgroundCheckpoints(t *testing.T) {
	disk := &domaintest.Disk{}
	codec, _ := domain.CodecFor[int64]()
	cfg := domain.Config{Header: domain.FileHeader{Generation: 1, TypeName: "int64", FixedSize: 8}, CheckpointEvery: 4096}
	l, err := domain.OpenList(domaintest.NewMemStorage(disk), cfg, codec)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 5000 {
				if err := l.Append(int64(g*10000 + i)); err != nil {
					t.Error(err)
					return
				}
				if g == 0 && i%1000 == 999 {
					if err := l.Compact(); err != nil {
						t.Error(err)
					}
				}
			}
		}()
	}
	wg.Wait()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	l, err = domain.OpenList(domaintest.NewMemStorage(disk), cfg, codec)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if l.Len() != 20000 {
		t.Fatalf("Len %d after reopen, want 20000", l.Len())
	}
	if m := l.Metrics(); m.RecordsReplayed != 0 || !m.CleanShutdown {
		t.Fatalf("reopen after Close replayed %d records (clean %v)", m.RecordsReplayed, m.CleanShutdown)
	}
}
