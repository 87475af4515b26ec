package domain_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
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

// A background checkpoint is the state at the moment it started, though
// writers go on changing the index while it is written (they copy a page
// the checkpoint still reads before writing it; with -race any write to a
// page the checkpoint reads is reported). A process dying at any moment
// leaves a checkpoint and a log that reopen to exactly what was written.
func TestBackgroundCheckpointIsTheStateWhenItStarted(t *testing.T) {
	codec, _ := domain.CodecFor[int64]()
	cfg := domain.Config{Header: domain.FileHeader{Generation: 1, TypeName: "int64", FixedSize: 8}, CheckpointEvery: 2048}
	disk := &domaintest.Disk{}
	m, err := domain.OpenMap(domaintest.NewMemStorage(disk), cfg, codec)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	r := rand.New(rand.NewPCG(3, 4))
	model := map[string]int64{}
	used := 0
	for i := range 60000 {
		k := fmt.Sprint("key-", r.IntN(20000))
		if r.IntN(4) == 0 {
			if _, ok := model[k]; ok {
				if err := m.Delete(k); err != nil {
					t.Fatal(err)
				}
				delete(model, k)
			}
		} else {
			if err := m.Set(k, int64(i)); err != nil {
				t.Fatal(err)
			}
			model[k] = int64(i)
		}
		if i%5000 != 4999 {
			continue
		}
		// The process dies here: the flushed data and the index as the
		// last finished checkpoint left it.
		if err := m.Sync(); err != nil {
			t.Fatal(err)
		}
		dead := disk.Clone()
		got, err := domain.OpenMap(domaintest.NewMemStorage(dead), cfg, codec)
		if err != nil {
			t.Fatalf("after %d operations: %v", i+1, err)
		}
		if got.Len() != len(model) {
			t.Fatalf("after %d operations: Len %d, want %d", i+1, got.Len(), len(model))
		}
		for k, want := range model {
			if v, err := got.Get(k); err != nil || v != want {
				t.Fatalf("after %d operations: %s = %d, %v; want %d", i+1, k, v, err, want)
			}
		}
		if got.Metrics().RecordsReplayed < int64(i+1)/2 {
			used++ // a checkpoint was adopted: only its tail was replayed
		}
		_ = got.Close()
	}
	if used == 0 {
		t.Fatal("no reopen used a background checkpoint")
	}
}

// While a map grows, each background checkpoint asks for room for the
// next one in the staging file, a quarter more than itself; once the map
// stops growing no more is asked for, and a reopen starts from the size
// of the index it loaded.
func TestBackgroundCheckpointsReserveRoomWhileTheIndexGrows(t *testing.T) {
	codec, _ := domain.CodecFor[string]()
	cfg := domain.Config{Header: domain.FileHeader{Generation: 1, TypeName: "string"}, CheckpointEvery: 4096}
	value := strings.Repeat("v", 300) // records well past the index's 21 bytes a key
	disk := &domaintest.Disk{}
	m, err := domain.OpenMap(domaintest.NewMemStorage(disk), cfg, codec)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 20000 {
		if err := m.Set(fmt.Sprint("key-", i), value); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	grown := disk.Reserves()
	if len(grown) < 3 {
		t.Fatalf("%d reservations while growing to 20,000 keys, want several", len(grown))
	}
	for i := 1; i < len(grown); i++ {
		if grown[i] <= grown[i-1] {
			t.Fatalf("reservations %v do not follow the growing index", grown)
		}
	}

	// The same keys overwritten: the index keeps its size.
	m, err = domain.OpenMap(domaintest.NewMemStorage(disk), cfg, codec)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	index := func() []byte {
		b, err := domaintest.NewMemStorage(disk).Index().Load()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	loaded := index()
	for round := range 3 {
		for i := range 20000 {
			if err := m.Set(fmt.Sprint("key-", i), value[round:]); err != nil {
				t.Fatal(err)
			}
		}
	}
	if bytes.Equal(index(), loaded) {
		t.Fatal("no background checkpoint while overwriting")
	}
	if more := disk.Reserves()[len(grown):]; len(more) != 0 {
		t.Fatalf("reserved %v more for an index that did not grow", more)
	}
}
