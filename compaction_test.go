package fscollections_test

import (
	"bytes"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/fscollections/fscollections"
)

func TestCompactShrinksAndKeepsOrder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m")
	m, err := fscollections.OpenMap[string](path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2000 {
		_ = m.Set(fmt.Sprint("k", i), fmt.Sprint("value ", i))
	}
	for i := 0; i < 2000; i += 2 {
		_ = m.Delete(fmt.Sprint("k", i))
	}
	_ = m.Set("k1", "overwritten") // keeps its place
	wantKeys := slices.Collect(m.Keys())
	wantVals := slices.Collect(m.Values())
	before := m.Metrics()
	if err := m.Compact(); err != nil {
		t.Fatal(err)
	}
	after := m.Metrics()
	if after.DataFileBytes >= before.DataFileBytes || after.DeadBytes != 0 || after.Compactions != 1 {
		t.Fatalf("before %+v\nafter %+v", before, after)
	}
	if after.DataFileBytes > before.DataFileBytes*6/10 {
		t.Fatalf("deleting half left %d of %d bytes", after.DataFileBytes, before.DataFileBytes)
	}
	check := func(when string) {
		t.Helper()
		if !slices.Equal(slices.Collect(m.Keys()), wantKeys) || !slices.Equal(slices.Collect(m.Values()), wantVals) {
			t.Fatalf("%s: contents or order changed", when)
		}
	}
	check("after Compact")
	_ = m.Close()
	if m, err = fscollections.OpenMap[string](path, nil); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	check("after reopen")
}

// With CompactionThreshold t, a write that takes dead/total above t
// compacts, and none below does.
func TestCompactionThreshold(t *testing.T) {
	const threshold = 0.3
	l := openList[string](t, "", &fscollections.Options{CompactionThreshold: threshold})
	defer l.Close()
	value := "twenty bytes value.."
	for range 60000 { // about 2 MB: over the 1 MiB floor
		if err := l.Append(value); err != nil {
			t.Fatal(err)
		}
	}
	elem, popRec := int64(14+len(value)), int64(14+8)
	for l.Len() > 0 {
		m := l.Metrics()
		live, dead := m.LiveBytes-elem, m.DeadBytes+elem+popRec
		wantCompaction := float64(dead)/float64(live+dead) > threshold
		if _, err := l.Pop(l.Len() - 1); err != nil {
			t.Fatal(err)
		}
		got := l.Metrics().Compactions - m.Compactions
		if wantCompaction != (got == 1) {
			t.Fatalf("at ratio %.3f (len %d): %d compactions, want %v", float64(dead)/float64(live+dead), l.Len(), got, wantCompaction)
		}
		if got == 1 {
			if r := l.Metrics().FragmentationRatio; r != 0 {
				t.Fatalf("fragmentation %.3f right after compaction", r)
			}
			return
		}
	}
	t.Fatal("the threshold never fired")
}

// The same random workload gives the same results with every cache policy
// and with none; hits + misses count every Get of a present key.
func TestCachePoliciesGiveIdenticalResults(t *testing.T) {
	policies := []fscollections.CachePolicy{fscollections.NoCache, fscollections.LRU, fscollections.FIFO, fscollections.LFU}
	maps := make([]*fscollections.FSMap[[]int], len(policies))
	for i, p := range policies {
		o := &fscollections.Options{Cache: p}
		if p != fscollections.NoCache {
			o.CacheSize = 50
		}
		m, err := fscollections.OpenMap[[]int]("", o)
		if err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		maps[i] = m
	}
	r := rand.New(rand.NewPCG(5, 6))
	gets := 0
	for step := range 20000 {
		k := fmt.Sprint("k", int(r.ExpFloat64()*40)%300) // a hot set
		v := []int{step, step * 2}
		op := r.IntN(10)
		var results []string
		for _, m := range maps {
			switch {
			case op < 6:
				got, err := m.Get(k)
				if err == nil && len(got) > 0 {
					got[0] = -1 // mutating a returned value must not reach the cache
				}
				results = append(results, fmt.Sprint(got, err))
			case op < 9:
				results = append(results, fmt.Sprint(m.Set(k, v)))
			case step%500 == 0:
				results = append(results, fmt.Sprint(m.Compact()))
			default:
				results = append(results, fmt.Sprint(m.Delete(k)))
			}
		}
		for _, res := range results[1:] {
			if res != results[0] {
				t.Fatalf("step %d: results differ across policies: %q", step, results)
			}
		}
		if op < 6 && results[0] != fmt.Sprint([]int(nil), fmt.Errorf("fscollections: not found: key %q", k)) {
			gets++
		}
	}
	for i, m := range maps {
		mt := m.Metrics()
		if policies[i] == fscollections.NoCache {
			if mt.CacheHits+mt.CacheMisses != 0 {
				t.Fatalf("no cache, yet %d hits and %d misses", mt.CacheHits, mt.CacheMisses)
			}
			continue
		}
		if mt.CacheHits+mt.CacheMisses != int64(gets) || mt.CacheHits == 0 || mt.CacheEvictions == 0 {
			t.Fatalf("policy %d: hits %d + misses %d != %d reads (evictions %d)", policies[i], mt.CacheHits, mt.CacheMisses, gets, mt.CacheEvictions)
		}
		t.Logf("policy %d: hit ratio %.2f", policies[i], float64(mt.CacheHits)/float64(gets))
	}
}

// A clean reopen maps the index file copy-on-write: writes to the index
// in memory (deletes clear order slots and hash slots) must never reach
// the file, which only a checkpoint replaces.
func TestMappedIndexStaysPrivate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m")
	m, err := fscollections.OpenMap[int](path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5000 {
		if err := m.Set(fmt.Sprint(i), i); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	m, err = fscollections.OpenMap[int](path, nil)
	if err != nil {
		t.Fatal(err)
	}
	onDisk, err := os.ReadFile(path + ".index.fscollection")
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5000; i += 2 {
		if err := m.Delete(fmt.Sprint(i)); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 100 {
		if err := m.Set(fmt.Sprint(i), -i); err != nil {
			t.Fatal(err)
		}
	}
	if now, _ := os.ReadFile(path + ".index.fscollection"); !bytes.Equal(now, onDisk) {
		t.Fatal("changes to the index in memory reached the index file")
	}
	want := map[string]int{}
	for i := 1; i < 5000; i += 2 {
		want[fmt.Sprint(i)] = i
	}
	for i := range 100 {
		want[fmt.Sprint(i)] = -i
	}
	check := func(when string) {
		t.Helper()
		if got := maps.Collect(m.All()); !maps.Equal(got, want) {
			t.Fatalf("%s: %d entries, want %d", when, len(got), len(want))
		}
	}
	check("after the changes")
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	m, err = fscollections.OpenMap[int](path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	check("after reopening")
	if r := m.Metrics().RecordsReplayed; r != 0 {
		t.Fatalf("clean reopen replayed %d records", r)
	}
}

// Closing a collection nothing was written to since a clean open puts the
// clean-close marker back instead of rewriting the index; any write, a
// Compact or a Clear makes Close write a whole new checkpoint.
func TestCloseAfterNoWritesRestoresTheMarkerOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m")
	index := path + ".index.fscollection"
	m, err := fscollections.OpenMap[string](path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 1000 {
		if err := m.Set(fmt.Sprint(i), "v"); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	closed, err := os.ReadFile(index)
	if err != nil {
		t.Fatal(err)
	}
	stat := func() os.FileInfo {
		t.Helper()
		fi, err := os.Stat(index)
		if err != nil {
			t.Fatal(err)
		}
		return fi
	}
	reopen := func(change func(*fscollections.FSMap[string]) error) (sameFile bool) {
		t.Helper()
		before := stat()
		m, err := fscollections.OpenMap[string](path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !m.Metrics().CleanShutdown {
			t.Fatal("the previous Close left no clean marker")
		}
		if v, err := m.Get("7"); err != nil || v != "v" {
			t.Fatalf("Get(7) = %q, %v", v, err)
		}
		if change != nil {
			if err := change(m); err != nil {
				t.Fatal(err)
			}
		}
		if err := m.Close(); err != nil {
			t.Fatal(err)
		}
		return os.SameFile(before, stat())
	}
	if !reopen(nil) {
		t.Fatal("Close after no writes replaced the index file")
	}
	if now, _ := os.ReadFile(index); !bytes.Equal(now, closed) {
		t.Fatal("Close after no writes changed the index file's bytes")
	}
	for _, c := range []struct {
		name   string
		change func(*fscollections.FSMap[string]) error
	}{
		{"Set", func(m *fscollections.FSMap[string]) error { return m.Set("new", "v") }},
		{"Delete", func(m *fscollections.FSMap[string]) error { return m.Delete("new") }},
		{"Compact", func(m *fscollections.FSMap[string]) error { return m.Compact() }},
	} {
		if reopen(c.change) {
			t.Fatalf("Close after %s kept the old index file", c.name)
		}
	}
	if !reopen(nil) {
		t.Fatal("Close after no writes replaced the index file")
	}
}
