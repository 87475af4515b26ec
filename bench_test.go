package fscollections_test

import (
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/fscollections/fscollections"
)

// Run with: make bench (or go test -run '^$' -bench . -benchmem).
// The 1M-element benchmarks build their collection once per size.

const bigN = 1_000_000

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

func BenchmarkListAppend(b *testing.B) {
	l, _ := fscollections.OpenList[int64](filepath.Join(b.TempDir(), "l"), nil)
	defer l.Close()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if err := l.Append(int64(i)); err != nil {
			b.Fatal(err)
		}
	}
}

func filledList(b *testing.B, n int) *fscollections.FSList[int64] {
	b.Helper()
	l, err := fscollections.OpenList[int64](filepath.Join(b.TempDir(), "l"), nil)
	if err != nil {
		b.Fatal(err)
	}
	for i := range n {
		if err := l.Append(int64(i)); err != nil {
			b.Fatal(err)
		}
	}
	return l
}

// BenchmarkListGet reads random elements of a 1M list and reports the
// heap the index holds per element.
func BenchmarkListGet(b *testing.B) {
	before := heapInUse()
	l := filledList(b, bigN)
	defer l.Close()
	heap := float64(heapInUse()-before) / bigN
	r := rand.New(rand.NewPCG(1, 2))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		i := r.IntN(bigN)
		if v, err := l.Get(i); err != nil || v != int64(i) {
			b.Fatal(v, err)
		}
	}
	b.ReportMetric(heap, "heapB/elem")
}

func BenchmarkListSlice1000(b *testing.B) {
	l := filledList(b, 100_000)
	defer l.Close()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		s, err := l.Slice(5000, 6000)
		if err != nil || s[999] != 5999 {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1000, "ns/elem")
}

// BenchmarkListSliceBytes1000 is Slice(1000) of 100-byte []byte values,
// the peers benchmark's list slice.
func BenchmarkListSliceBytes1000(b *testing.B) {
	l, err := fscollections.OpenList[[]byte]("", nil)
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	v := make([]byte, 100)
	for range 100_000 {
		if err := l.Append(v); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		s, err := l.Slice(5000, 6000)
		if err != nil || len(s[999]) != 100 {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1000, "ns/elem")
}

func BenchmarkListGet1000(b *testing.B) {
	l := filledList(b, 100_000)
	defer l.Close()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for i := 5000; i < 6000; i++ {
			if v, err := l.Get(i); err != nil || v != int64(i) {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1000, "ns/elem")
}

func BenchmarkListReopen1M(b *testing.B) {
	l := filledList(b, bigN)
	path := l.Path()
	l.Close()
	b.ResetTimer()
	for b.Loop() {
		l, err := fscollections.OpenList[int64](path, nil)
		if err != nil || l.Len() != bigN {
			b.Fatal(err)
		}
		b.StopTimer()
		l.Close()
		b.StartTimer()
	}
}

func key32(i int) string { return fmt.Sprintf("key-%028d", i) }

var value100 = make([]byte, 100)

func filledMap(b *testing.B, n int) *fscollections.FSMap[[]byte] {
	b.Helper()
	return filledMapWith(b, n, nil)
}

func filledMapWith(b *testing.B, n int, opts *fscollections.Options) *fscollections.FSMap[[]byte] {
	b.Helper()
	m, err := fscollections.OpenMap[[]byte](filepath.Join(b.TempDir(), "m"), opts)
	if err != nil {
		b.Fatal(err)
	}
	for i := range n {
		if err := m.Set(key32(i), value100); err != nil {
			b.Fatal(err)
		}
	}
	return m
}

// shuffledKeys returns the keys key32(0..n-1) in random order.
func shuffledKeys(n int) []string {
	keys := make([]string, n)
	for i, k := range rand.Perm(n) {
		keys[i] = key32(k)
	}
	return keys
}

func BenchmarkMapSet(b *testing.B) {
	m, _ := fscollections.OpenMap[[]byte](filepath.Join(b.TempDir(), "m"), nil)
	defer m.Close()
	keys := make([]string, bigN)
	for i := range keys {
		keys[i] = key32(i)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if err := m.Set(keys[i%bigN], value100); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMapDelete deletes keys of a 1M-key map in random order, one
// Delete per op (the map is refilled, untimed, when every key is gone).
func BenchmarkMapDelete(b *testing.B) {
	m := filledMap(b, bigN)
	defer m.Close()
	keys := shuffledKeys(bigN)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if i > 0 && i%bigN == 0 {
			refill(b, m, keys)
		}
		if err := m.Delete(keys[i%bigN]); err != nil {
			b.Fatal(err)
		}
	}
}

// refill sets every key of keys back to value100, untimed.
func refill(b *testing.B, m *fscollections.FSMap[[]byte], keys []string) {
	b.StopTimer()
	defer b.StartTimer()
	vals := make([][]byte, len(keys))
	for j := range vals {
		vals[j] = value100
	}
	if err := m.SetMany(keys, vals); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkMapDeleteMany deletes 1,024 keys of a 1M-key map per op, in
// random order, with one DeleteMany (the map is refilled, untimed, when
// every key is gone); ns/key is per key.
func BenchmarkMapDeleteMany(b *testing.B) {
	const batch = 1024
	m := filledMap(b, bigN)
	defer m.Close()
	keys := shuffledKeys(bigN)
	b.ReportAllocs()
	b.ResetTimer()
	at := 0
	for b.Loop() {
		if at+batch > bigN {
			refill(b, m, keys)
			at = 0
		}
		if n, err := m.DeleteMany(keys[at : at+batch]...); err != nil || n != batch {
			b.Fatal(n, err)
		}
		at += batch
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/batch, "ns/key")
}

// BenchmarkMapGetParallel reads random keys of a 1M-key map from
// GOMAXPROCS goroutines at once (b.RunParallel): the cost of what
// concurrent readers share.
func BenchmarkMapGetParallel(b *testing.B) {
	m := filledMap(b, bigN)
	defer m.Close()
	keys := make([]string, 4096)
	for i := range keys {
		keys[i] = key32(rand.IntN(bigN))
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for i := rand.IntN(len(keys)); pb.Next(); i++ {
			if v, err := m.Get(keys[i%len(keys)]); err != nil || len(v) != 100 {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkMapGet reads random keys of a 1M-key map and reports the heap
// the index holds per key.
func BenchmarkMapGet(b *testing.B) {
	before := heapInUse()
	m := filledMap(b, bigN)
	defer m.Close()
	heap := float64(heapInUse()-before) / bigN
	keys := make([]string, 4096)
	for i := range keys {
		keys[i] = key32(rand.IntN(bigN))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if v, err := m.Get(keys[i%len(keys)]); err != nil || len(v) != 100 {
			b.Fatal(err)
		}
	}
	b.ReportMetric(heap, "heapB/key")
}

// BenchmarkMapScan reads a 100k-entry map through All: keys and values
// the caller owns.
func BenchmarkMapScan(b *testing.B) {
	benchMapScan(b, func(m *fscollections.FSMap[[]byte], visit func(v []byte)) error {
		for _, v := range m.All() {
			visit(v)
		}
		return m.Err()
	})
}

// BenchmarkMapScanViews is BenchmarkMapScan through RangeViews: the keys
// and values are views of the file, nothing is copied.
func BenchmarkMapScanViews(b *testing.B) {
	benchMapScan(b, func(m *fscollections.FSMap[[]byte], visit func(v []byte)) error {
		return m.RangeViews(func(_, v []byte) bool { visit(v); return true })
	})
}

// BenchmarkMapScanViewsSnappy is BenchmarkMapScanViews on a map with
// Compression: Snappy: each value is uncompressed into one reused buffer.
func BenchmarkMapScanViewsSnappy(b *testing.B) {
	benchMapScanWith(b, &fscollections.Options{Compression: fscollections.Snappy}, func(m *fscollections.FSMap[[]byte], visit func(v []byte)) error {
		return m.RangeViews(func(_, v []byte) bool { visit(v); return true })
	})
}

// benchMapScan times scan over a 100k-entry map of 100-byte values,
// checking each value and the count, and reports ns/item.
func benchMapScan(b *testing.B, scan func(m *fscollections.FSMap[[]byte], visit func(v []byte)) error) {
	benchMapScanWith(b, nil, scan)
}

func benchMapScanWith(b *testing.B, opts *fscollections.Options, scan func(m *fscollections.FSMap[[]byte], visit func(v []byte)) error) {
	m := filledMapWith(b, 100_000, opts)
	defer m.Close()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		n := 0
		err := scan(m, func(v []byte) {
			if len(v) != 100 {
				b.Fatal("bad value")
			}
			n++
		})
		if err != nil || n != 100_000 {
			b.Fatal(n, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/100_000, "ns/item")
}

func BenchmarkMapReopen1M(b *testing.B) {
	m := filledMap(b, bigN)
	path := m.Path()
	m.Close()
	b.ResetTimer()
	for b.Loop() {
		m, err := fscollections.OpenMap[[]byte](path, nil)
		if err != nil || m.Len() != bigN {
			b.Fatal(err)
		}
		b.StopTimer()
		m.Close()
		b.StartTimer()
	}
}

// BenchmarkMapClose1M times Close of a 1M-key map after 10,000 random
// deletes (reopening, untimed, before each op): the fsync of the data and
// a checkpoint of the whole index.
func BenchmarkMapClose1M(b *testing.B) {
	m := filledMap(b, bigN)
	path := m.Path()
	if err := m.Close(); err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(5, 6))
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		m, err := fscollections.OpenMap[[]byte](path, nil)
		if err != nil {
			b.Fatal(err)
		}
		keys := make([]string, 10_000)
		for i := range keys {
			keys[i] = key32(r.IntN(bigN))
		}
		if _, err := m.DeleteMany(keys...); err != nil {
			b.Fatal(err)
		}
		vals := make([][]byte, len(keys))
		for i := range vals {
			vals[i] = value100
		}
		if err := m.SetMany(keys, vals); err != nil { // the same size for the next op
			b.Fatal(err)
		}
		b.StartTimer()
		if err := m.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMapFillThenClose1M times the Close of a map filled with 1M keys
// in one session, then thinned by 100,000 single Deletes (untimed): the
// fill's background checkpoints are done, and Close writes the first
// checkpoint of this size. Each op fills a new map (about a second,
// untimed), so it runs only when named, one op per process (the page cache
// and heap a process has already used make later ops faster than a first
// Close is):
//
//	go test -c -o /tmp/fsc.test . && for i in 1 2 3 4 5 6 7 8; do
//	    /tmp/fsc.test -test.run '^$' -test.bench 'MapFillThenClose1M$' -test.benchtime=1x; done
func BenchmarkMapFillThenClose1M(b *testing.B) { benchFillThenClose(b, 0) }

// BenchmarkMapFillPauseThenClose1M is BenchmarkMapFillThenClose1M with a
// pause of a second in the writes between the fill and the deletes, as
// the peers table's run has (it reads meanwhile): the idle sync makes the
// fill durable during the pause, so Close has only the deletes' records
// to fsync. Run it as BenchmarkMapFillThenClose1M.
func BenchmarkMapFillPauseThenClose1M(b *testing.B) { benchFillThenClose(b, time.Second) }

func benchFillThenClose(b *testing.B, pause time.Duration) {
	if !strings.Contains(flag.Lookup("test.bench").Value.String(), "ThenClose") {
		b.Skip("fills a map per op: run it by name (see its comment)")
	}
	keys := make([]string, bigN)
	vals := make([][]byte, bigN)
	for i := range keys {
		keys[i], vals[i] = key32(i), value100
	}
	dir := b.TempDir()
	for n := 0; b.Loop(); n++ {
		b.StopTimer()
		sub := filepath.Join(dir, fmt.Sprint(n))
		m, err := fscollections.OpenMap[[]byte](filepath.Join(sub, "m"), nil)
		if err != nil {
			b.Fatal(err)
		}
		for lo := 0; lo < bigN; lo += 1024 {
			hi := min(lo+1024, bigN)
			if err := m.SetMany(keys[lo:hi], vals[lo:hi]); err != nil {
				b.Fatal(err)
			}
		}
		time.Sleep(pause)
		for i := range bigN / 10 {
			if err := m.Delete(keys[i*7%bigN]); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		if err := m.Close(); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if err := os.RemoveAll(sub); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}

// BenchmarkSyncAlways compares throughput of 1 and 8 writing goroutines
// under SyncAlways: writers waiting together share one fsync.
func BenchmarkSyncAlways(b *testing.B) {
	for _, writers := range []int{1, 8} {
		b.Run(fmt.Sprintf("writers=%d", writers), func(b *testing.B) {
			l, _ := fscollections.OpenList[int64](filepath.Join(b.TempDir(), "l"), &fscollections.Options{Sync: fscollections.SyncAlways})
			defer l.Close()
			b.ResetTimer()
			var wg sync.WaitGroup
			per := b.N/writers + 1
			for range writers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range per {
						if err := l.Append(int64(i)); err != nil {
							b.Error(err)
							return
						}
					}
				}()
			}
			wg.Wait()
			b.ReportMetric(float64(per*writers)/b.Elapsed().Seconds(), "ops/s")
		})
	}
}

// BenchmarkListScan1M scans a 1M-element list with a predicate. B/op is
// the memory of one whole scan: constant (one batch), not per element.
func BenchmarkListScan1M(b *testing.B) {
	l := filledList(b, bigN)
	defer l.Close()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		n := 0
		for range l.Scan(func(v int64) bool { return v%10 == 0 }) {
			n++
		}
		if n != bigN/10 {
			b.Fatal(n)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/bigN, "ns/elem")
}

// BenchmarkMapGetHotSet reads a hot set of 1,000 keys of a 100k-key map of
// structs (JSON-encoded), with and without an LRU cache.
func BenchmarkMapGetHotSet(b *testing.B) {
	type rec struct {
		Name string
		Tags []string
		N    int
	}
	for _, policy := range []fscollections.CachePolicy{fscollections.NoCache, fscollections.LRU} {
		b.Run(fmt.Sprintf("cache=%d", policy), func(b *testing.B) {
			o := &fscollections.Options{Cache: policy}
			m, _ := fscollections.OpenMap[rec](filepath.Join(b.TempDir(), "m"), o)
			defer m.Close()
			for i := range 100_000 {
				_ = m.Set(key32(i), rec{Name: "name", Tags: []string{"a", "b"}, N: i})
			}
			hot := make([]string, 1000)
			for i := range hot {
				hot[i] = key32(i)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				k := (i * 7919) % 1000
				if v, err := m.Get(hot[k]); err != nil || v.N != k {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkListPopFront pops the front of a 1M-element list, as a queue
// does: O(1), the offsets are a deque.
func BenchmarkListPopFront(b *testing.B) {
	l := filledList(b, bigN)
	defer l.Close()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if l.Len() == 0 {
			b.StopTimer()
			for j := range bigN {
				_ = l.Append(int64(j))
			}
			b.StartTimer()
		}
		if _, err := l.Pop(0); err != nil {
			b.Fatal(err)
		}
	}
}

// usersStore returns a store of n generated users and their IDs and names.
func usersStore(b *testing.B, n int) (*fscollections.UserStore, []uuid.UUID, []string) {
	s, err := fscollections.OpenUsers(filepath.Join(b.TempDir(), "users"), nil)
	if err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(7, 8))
	users := make([]fscollections.User, n)
	ids, names := make([]uuid.UUID, n), make([]string, n)
	for i := range users {
		name := make([]byte, 15)
		for j := range name {
			name[j] = byte('a' + r.IntN(26))
		}
		users[i] = fscollections.User{ID: uuid.New(), Name: string(name), Age: 1 + r.IntN(100)}
		ids[i], names[i] = users[i].ID, users[i].Name
	}
	if err := s.Add(users...); err != nil {
		b.Fatal(err)
	}
	return s, ids, names
}

// BenchmarkUsersHas checks 100,000 IDs of a 100,000-user store per op,
// the users table's "Check" row; ns/id is per ID.
func BenchmarkUsersHas(b *testing.B) {
	s, ids, _ := usersStore(b, 100_000)
	defer s.Close()
	for b.Loop() {
		if !s.Has(ids...) {
			b.Fatal("an ID is missing")
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(ids)), "ns/id")
}

// BenchmarkUsersSearch searches 100,000 names per op (the "Search" row).
func BenchmarkUsersSearch(b *testing.B) {
	s, _, names := usersStore(b, 100_000)
	defer s.Close()
	for b.Loop() {
		if got := s.SearchByName(names...); len(got) < len(names) {
			b.Fatalf("found %d of %d", len(got), len(names))
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(names)), "ns/name")
}

// BenchmarkUsersAdd adds 100,000 users to an empty store per op (the "Add"
// row); ns/user is per user.
func BenchmarkUsersAdd(b *testing.B) {
	r := rand.New(rand.NewPCG(9, 10))
	users := make([]fscollections.User, 100_000)
	for i := range users {
		name := make([]byte, 15)
		for j := range name {
			name[j] = byte('a' + r.IntN(26))
		}
		users[i] = fscollections.User{ID: uuid.New(), Name: string(name), Age: 1 + r.IntN(100)}
	}
	dir := b.TempDir()
	n := 0
	for b.Loop() {
		n++
		sub := filepath.Join(dir, fmt.Sprint(n))
		s, err := fscollections.OpenUsers(filepath.Join(sub, "users"), nil)
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Add(users...); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if err := errors.Join(s.Close(), os.RemoveAll(sub)); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(users)), "ns/user")
}

// BenchmarkUsersRemoveIDs removes 100,000 users by ID per op (the "Remove
// by ID" row), adding them back untimed between ops; ns/user is per user.
func BenchmarkUsersRemoveIDs(b *testing.B) {
	s, ids, _ := usersStore(b, 100_000)
	defer s.Close()
	benchmarkUsersRemove(b, s, len(ids), func() error { return s.RemoveIDs(ids...) })
}

// BenchmarkUsersRemoveNames removes 100,000 users by name per op (the
// "Remove by name" row); ns/user is per user.
func BenchmarkUsersRemoveNames(b *testing.B) {
	s, _, names := usersStore(b, 100_000)
	defer s.Close()
	benchmarkUsersRemove(b, s, len(names), func() error { return s.RemoveNames(names...) })
}

// benchmarkUsersRemove times remove, restoring the store's users between ops.
func benchmarkUsersRemove(b *testing.B, s *fscollections.UserStore, n int, remove func() error) {
	var users []fscollections.User
	for u := range s.All() {
		users = append(users, u)
	}
	for b.Loop() {
		if err := remove(); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if s.Len() != 0 {
			b.Fatalf("%d users left", s.Len())
		}
		if err := s.Add(users...); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/user")
}

// BenchmarkUsersBackup backs a 1,000,000-user store up per op (the
// "Backup" row: a verified, compacted copy, fsynced); ns/user is per user.
func BenchmarkUsersBackup(b *testing.B) {
	s, ids, _ := usersStore(b, 1_000_000)
	defer s.Close()
	dir := b.TempDir()
	n := 0
	for b.Loop() {
		n++
		path := filepath.Join(dir, fmt.Sprint(n))
		if err := s.Backup(path); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		files, _ := filepath.Glob(path + ".*")
		for _, f := range files {
			if err := os.Remove(f); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(ids)), "ns/user")
}

// BenchmarkListCompact1M compacts a list of 1,000,000 int64s per op: every
// record verified and copied to a new data file, fsynced.
func BenchmarkListCompact1M(b *testing.B) {
	l := filledList(b, bigN)
	defer l.Close()
	for b.Loop() {
		if err := l.Compact(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMapCompact compacts a map of 100,000 entries with 32-byte keys
// and 100-byte values per op.
func BenchmarkMapCompact(b *testing.B) {
	m := filledMap(b, 100_000)
	defer m.Close()
	for b.Loop() {
		if err := m.Compact(); err != nil {
			b.Fatal(err)
		}
	}
}

// setPair builds two sets of n int64s each, overlapping by half, once per n.
var setPairs = map[int][2]*fscollections.FSSet[int64]{}

func setPair(b *testing.B, n int) (*fscollections.FSSet[int64], *fscollections.FSSet[int64]) {
	if p, ok := setPairs[n]; ok {
		return p[0], p[1]
	}
	var p [2]*fscollections.FSSet[int64]
	for i := range p {
		// Temporary sets: they outlive this benchmark (cached for the
		// next), and a temporary collection cleans up after the process.
		s, err := fscollections.OpenSet[int64]("", nil)
		if err != nil {
			b.Fatal(err)
		}
		start := int64(i * n / 2)
		if _, err := s.AddAll(func(yield func(int64) bool) {
			for v := start; v < start+int64(n); v++ {
				if !yield(v) {
					return
				}
			}
		}); err != nil {
			b.Fatal(err)
		}
		p[i] = s
	}
	setPairs[n] = p
	return p[0], p[1]
}

// BenchmarkSetIntersection streams the intersection of two 1M-element
// sets; elements/s counts the elements of s examined, and live-heap-B the
// heap a pass holds halfway through (after a GC), beyond what the open
// sets hold: bounded, whatever the sets' size.
func BenchmarkSetIntersection(b *testing.B) {
	a, c := setPair(b, bigN)
	before := heapInUse()
	var during uint64
	n := 0
	for range a.Intersection(c) {
		if n++; n == bigN/4 {
			during = heapInUse()
		}
	}
	b.ResetTimer()
	for range b.N {
		n := 0
		for range a.Intersection(c) {
			n++
		}
		if n != bigN/2 {
			b.Fatalf("intersection has %d elements", n)
		}
	}
	b.ReportMetric(float64(b.N)*bigN/b.Elapsed().Seconds(), "elements/s")
	b.ReportMetric(float64(during)-float64(before), "live-heap-B")
}

// BenchmarkSetUnion streams the union of two 1M-element sets.
func BenchmarkSetUnion(b *testing.B) {
	a, c := setPair(b, bigN)
	b.ResetTimer()
	for range b.N {
		n := 0
		for range a.Union(c) {
			n++
		}
		if n != bigN*3/2 {
			b.Fatalf("union has %d elements", n)
		}
	}
	b.ReportMetric(float64(b.N)*2*bigN/b.Elapsed().Seconds(), "elements/s")
}

// The atomic operations beside Set and Get, on a 100k-key map of 100-byte
// values (each benchmark fills its own).

func BenchmarkMapOps(b *testing.B) {
	const n = 100_000
	keys := make([]string, n)
	for i := range keys {
		keys[i] = key32(i)
	}
	other := slices.Clone(value100)
	other[0] ^= 1
	keyIndex := make(map[string]int, n)
	for i, k := range keys {
		keyIndex[k] = i
	}
	holdsOther := make([]bool, n) // which twin each key holds: every CompareAndSwap swaps
	run := func(name string, op func(m *fscollections.FSMap[[]byte], key string) error) {
		b.Run(name, func(b *testing.B) {
			m := filledMap(b, n)
			defer m.Close()
			clear(holdsOther) // a fresh map holds value100 everywhere
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				if err := op(m, keys[rand.IntN(n)]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	run("Set", func(m *fscollections.FSMap[[]byte], k string) error { return m.Set(k, value100) })
	run("CompareAndSwap", func(m *fscollections.FSMap[[]byte], k string) error {
		i := keyIndex[k]
		from, to := value100, other
		if holdsOther[i] {
			from, to = other, value100
		}
		ok, err := m.CompareAndSwap(k, from, to)
		if err == nil && !ok {
			err = errors.New("CompareAndSwap did not swap")
		}
		holdsOther[i] = !holdsOther[i]
		return err
	})
	run("Compute", func(m *fscollections.FSMap[[]byte], k string) error {
		_, _, err := m.Compute(k, func(old []byte, _ bool) ([]byte, fscollections.ComputeOp) { return value100, fscollections.UpdateOp })
		return err
	})
	run("Get", func(m *fscollections.FSMap[[]byte], k string) error { _, err := m.Get(k); return err })
	run("Info", func(m *fscollections.FSMap[[]byte], k string) error { _, err := m.Info(k); return err })
}

// profile is a JSON document of the kind compression is for: repeated
// field names, short strings, numbers.
type profile struct {
	ID       int      `json:"id"`
	Name     string   `json:"name"`
	Email    string   `json:"email"`
	Country  string   `json:"country"`
	Active   bool     `json:"active"`
	Score    float64  `json:"score"`
	Tags     []string `json:"tags"`
	Referrer string   `json:"referrer"`
}

func profileOf(i int) profile {
	return profile{ID: i, Name: fmt.Sprint("user ", i), Email: fmt.Sprintf("user%d@example.com", i),
		Country: []string{"NL", "DE", "FR", "US"}[i%4], Active: i%3 != 0, Score: float64(i%1000) / 10,
		Tags: []string{"customer", "newsletter", "beta"}[:1+i%3], Referrer: "https://example.com/campaign/spring"}
}

// BenchmarkCompression writes (Set) and reads (Get, random keys of 100k)
// JSON values in a map without and with Snappy, and reports the data
// file's bytes per value after the writes: "doc" is one profile of about
// 200 bytes, "page" a page of 16 (about 3 KB). Snappy compresses each value
// on its own, so it pays on values with repeats inside them.
func BenchmarkCompression(b *testing.B) {
	const n = 100_000
	for _, c := range []fscollections.Compression{fscollections.NoCompression, fscollections.Snappy} {
		for _, size := range []struct {
			name string
			n    int
			keys int
		}{{"doc", 1, n}, {"page", 16, n / 10}} {
			benchCompression(b, c, size.name, size.n, size.keys)
		}
	}
}

func pageOf(i, n int) []profile {
	page := make([]profile, n)
	for j := range page {
		page[j] = profileOf(i*n + j)
	}
	return page
}

func benchCompression(b *testing.B, c fscollections.Compression, name string, per, n int) {
	opts := &fscollections.Options{Compression: c}
	b.Run(c.String()+"/"+name+"/Set", func(b *testing.B) {
		path := filepath.Join(b.TempDir(), "m")
		m, err := fscollections.OpenMap[[]profile](path, opts)
		if err != nil {
			b.Fatal(err)
		}
		defer m.Close()
		pages := make([][]profile, 1000)
		for i := range pages {
			pages[i] = pageOf(i, per)
		}
		b.ReportAllocs()
		ops := 0
		for i := 0; b.Loop(); i++ {
			if err := m.Set(key32(i%n), pages[i%len(pages)]); err != nil {
				b.Fatal(err)
			}
			ops++
		}
		b.StopTimer()
		if err := m.Sync(); err != nil {
			b.Fatal(err)
		}
		fi, err := os.Stat(path + ".data.fscollection")
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(fi.Size())/float64(ops), "diskB/op")
	})
	b.Run(c.String()+"/"+name+"/Get", func(b *testing.B) {
		m, err := fscollections.OpenMap[[]profile](filepath.Join(b.TempDir(), "m"), opts)
		if err != nil {
			b.Fatal(err)
		}
		defer m.Close()
		for i := range n {
			if err := m.Set(key32(i), pageOf(i, per)); err != nil {
				b.Fatal(err)
			}
		}
		keys := shuffledKeys(n)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; b.Loop(); i++ {
			if v, err := m.Get(keys[i%n]); err != nil || len(v) != per {
				b.Fatal(len(v), err)
			}
		}
	})
}
