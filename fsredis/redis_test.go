package fsredis_test

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fscollections/fscollections"
	"github.com/fscollections/fscollections/fsredis"
	"github.com/fscollections/fscollections/internal/redistest"
)

func client(t *testing.T, addr string) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
	t.Cleanup(func() { c.Close() })
	return c
}

// TestOptionsWithoutMeaningAreRefused: each option that means nothing on
// Redis is refused with ErrInvalidOptions naming the field.
func TestOptionsWithoutMeaningAreRefused(t *testing.T) {
	srv := redistest.Start(t)
	c := client(t, srv.Addr)
	for field, o := range map[string]fscollections.Options{
		"Cache":               {Cache: fscollections.LRU},
		"CacheSize":           {CacheSize: 10},
		"Sync":                {Sync: fscollections.SyncAlways},
		"SyncInterval":        {Sync: fscollections.SyncInterval, SyncInterval: time.Second},
		"CompactionThreshold": {CompactionThreshold: 0.5},
		"AutoCompact":         {AutoCompact: true},
		"Shared":              {Shared: true},
		"LockTimeout":         {LockTimeout: time.Second},
		"Compression":         {Compression: fscollections.Snappy},
	} {
		_, err := fsredis.OpenList[int](c, "opts", &o)
		if !errors.Is(err, fscollections.ErrInvalidOptions) || !strings.Contains(err.Error(), field) {
			t.Errorf("%s: got %v, want ErrInvalidOptions naming it", field, err)
		}
	}
	_, err := fsredis.OpenMap[int](c, "", nil)
	if !errors.Is(err, fscollections.ErrInvalidOptions) {
		t.Errorf("empty name: %v", err)
	}
	_, err = fsredis.OpenMap[int](nil, "x", nil)
	if !errors.Is(err, fscollections.ErrInvalidOptions) {
		t.Errorf("nil client: %v", err)
	}
	_, err = fsredis.OpenMap[*fscollections.FSList[int]](c, "nested", nil)
	if !errors.Is(err, fscollections.ErrUnsupportedType) {
		t.Errorf("nested collection values: %v", err)
	}
	_, err = fsredis.OpenMap[int](c, "codec", &fscollections.Options{Codec: "not a codec"})
	if !errors.Is(err, fscollections.ErrInvalidOptions) {
		t.Errorf("wrong Codec: %v", err)
	}
	_, err = fsredis.OpenMap[chan int](c, "chan", nil)
	if !errors.Is(err, fscollections.ErrUnsupportedType) {
		t.Errorf("unsupported type: %v", err)
	}
}

// TestReadOnly: a ReadOnly handle reads, refuses every write with
// ErrReadOnly, and does not create a missing collection.
func TestReadOnly(t *testing.T) {
	srv := redistest.Start(t)
	c := client(t, srv.Addr)
	ro := &fscollections.Options{ReadOnly: true}
	_, err := fsredis.OpenMap[int](c, "missing", ro)
	if !errors.Is(err, fscollections.ErrNotFound) {
		t.Fatalf("ReadOnly open of a missing map: %v", err)
	}
	m, err := fsredis.OpenMap[int](c, "m", nil)
	ok(t, err)
	ok(t, m.Set("a", 1))
	r, err := fsredis.OpenMap[int](c, "m", ro)
	ok(t, err)
	if v, err := r.Get("a"); err != nil || v != 1 {
		t.Fatalf("ReadOnly Get = %d, %v", v, err)
	}
	wantErr(t, "ReadOnly Set", r.Set("b", 2), fscollections.ErrReadOnly)
	wantErr(t, "ReadOnly Delete", r.Delete("a"), fscollections.ErrReadOnly)
	l, err := fsredis.OpenList[int](c, "l", nil)
	ok(t, err)
	ok(t, l.Close())
	rl, err := fsredis.OpenList[int](c, "l", ro)
	ok(t, err)
	wantErr(t, "ReadOnly Append", rl.Append(1), fscollections.ErrReadOnly)
}

// TestTwoClientsAreLinearizable: increments through Compute from two
// separate clients (as two machines would have) lose nothing, and a
// CompareAndSwap race has exactly one winner per round.
func TestTwoClientsAreLinearizable(t *testing.T) {
	srv := redistest.Start(t)
	var maps []*fscollections.FSMap[int]
	for range 2 {
		m, err := fsredis.OpenMap[int](client(t, srv.Addr), "shared", nil)
		ok(t, err)
		maps = append(maps, m)
	}
	const rounds = 100
	// The round counter exists before either client races for it: a
	// CompareAndSwap on a missing key swaps nothing, and both would then
	// wait for a round nobody can win.
	ok(t, maps[0].Set("round", 0))
	var wg sync.WaitGroup
	wins := make([]int, 2)
	for i, m := range maps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range rounds {
				if _, _, err := m.Compute("n", func(n int, _ bool) (int, fscollections.ComputeOp) {
					return n + 1, fscollections.UpdateOp
				}); err != nil {
					t.Error(err)
					return
				}
				swapped, err := m.CompareAndSwap("round", r, r+1)
				if err != nil {
					t.Error(err)
					return
				}
				if swapped {
					wins[i]++
				}
				for deadline := time.Now().Add(time.Minute); ; { // wait for the round to be won by someone
					if v, _, _ := m.Lookup("round"); v > r {
						break
					}
					if time.Now().After(deadline) {
						t.Errorf("round %d was never won", r)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	if v, _ := maps[0].Get("n"); v != 2*rounds {
		t.Fatalf("n = %d, want %d", v, 2*rounds)
	}
	if wins[0]+wins[1] != rounds {
		t.Fatalf("CompareAndSwap winners: %v, want %d in all", wins, rounds)
	}
}

// TestClusterSpreadsCollections: collections of different names live on
// different masters (each is one hash-tagged slot).
func TestClusterSpreadsCollections(t *testing.T) {
	nodes := redistest.StartCluster(t, 3)
	cc := redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{nodes[0].Addr}})
	t.Cleanup(func() { cc.Close() })
	for i := range 30 {
		m, err := fsredis.OpenMap[int](cc, fmt.Sprintf("spread-%d", i), nil)
		ok(t, err)
		ok(t, m.Set("k", i))
	}
	holding := 0
	for _, n := range nodes {
		c := client(t, n.Addr)
		keys, err := c.Keys(context.Background(), "fsc:*").Result()
		ok(t, err)
		if len(keys) > 0 {
			holding++
		}
	}
	if holding < 2 {
		t.Fatalf("30 collections on %d of 3 masters", holding)
	}
}

// TestServerKilledAndRestarted: redis-server is killed (SIGKILL) during a
// run of list Inserts and map Computes and restarted from its
// append-only file. Operations during the outage fail with an error
// wrapping the client's; afterwards every acknowledged operation is there,
// none is half-applied, and the structures are consistent.
func TestServerKilledAndRestarted(t *testing.T) {
	srv := redistest.Start(t, "appendonly", "yes", "appendfsync", "always")
	c := client(t, srv.Addr)
	l, err := fsredis.OpenList[string](c, "kill-list", nil)
	ok(t, err)
	m, err := fsredis.OpenMap[int](c, "kill-map", nil)
	ok(t, err)

	var (
		mu           sync.Mutex
		acked        []string // inserted values whose Insert returned nil
		failed       []string // inserted values whose Insert returned an error
		counts       = map[string]int{}
		countFailed  = map[string]int{}
		sawOutageErr error
	)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				v := fmt.Sprintf("w%d-%d", w, i)
				err := l.Insert(i%(l.Len()+1), v)
				key := fmt.Sprintf("k%d", i%7)
				_, _, cerr := m.Compute(key, func(n int, _ bool) (int, fscollections.ComputeOp) {
					return n + 1, fscollections.UpdateOp
				})
				mu.Lock()
				if err == nil {
					acked = append(acked, v)
				} else {
					failed = append(failed, v)
					sawOutageErr = err
				}
				if cerr == nil {
					counts[key]++
				} else {
					countFailed[key]++
				}
				mu.Unlock()
				if err != nil {
					time.Sleep(10 * time.Millisecond)
				}
			}
		}()
	}
	time.Sleep(300 * time.Millisecond)
	srv.Kill()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		mu.Lock()
		down := len(failed)
		mu.Unlock()
		if down >= 5 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	srv.Restart()
	time.Sleep(300 * time.Millisecond)
	close(stop)
	wg.Wait()

	if sawOutageErr == nil {
		t.Fatal("no operation failed while the server was down")
	}
	if !strings.Contains(sawOutageErr.Error(), "fsredis:") {
		t.Errorf("outage error does not say where it happened: %v", sawOutageErr)
	}
	if len(acked) == 0 || len(failed) == 0 {
		t.Fatalf("%d acknowledged and %d failed inserts: the run did not span the outage", len(acked), len(failed))
	}
	_ = l.Err() // Len's errors during the outage
	got := listItems(t, l)
	if l.Len() != len(got) {
		t.Fatalf("Len %d, iteration %d", l.Len(), len(got))
	}
	seen := map[string]int{}
	for _, v := range got {
		seen[v]++
	}
	for _, v := range acked {
		if seen[v] != 1 {
			t.Fatalf("acknowledged insert %q present %d times", v, seen[v])
		}
	}
	for v, n := range seen {
		if n != 1 || !slices.Contains(acked, v) && !slices.Contains(failed, v) {
			t.Fatalf("value %q present %d times, never written", v, n)
		}
	}
	for key, n := range counts {
		v, err := m.Get(key)
		ok(t, err)
		if v < n || v > n+countFailed[key] {
			t.Fatalf("%s = %d: %d acknowledged and %d failed increments", key, v, n, countFailed[key])
		}
	}
	// The map's three structures agree: every key iterated has a value
	// and a version, and Len counts them.
	n := 0
	for k := range m.Keys() {
		if _, err := m.Info(k); err != nil {
			t.Fatalf("Info(%s): %v", k, err)
		}
		n++
	}
	ok(t, m.Err())
	if n != m.Len() {
		t.Fatalf("%d keys iterated, Len %d", n, m.Len())
	}
	t.Logf("%d inserts acknowledged, %d failed; outage error: %v", len(acked), len(failed), sawOutageErr)
}

// TestRootDoesNotLinkGoRedis: a program that uses the file collections
// only does not link go-redis.
func TestRootDoesNotLinkGoRedis(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/fscollections/fscollections",
		"github.com/fscollections/fscollections/examples/tour").CombinedOutput()
	if err != nil {
		t.Skipf("go list: %v\n%s", err, out)
	}
	if strings.Contains(string(out), "go-redis") {
		t.Fatalf("the root package links go-redis:\n%s", out)
	}
}
