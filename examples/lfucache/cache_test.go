package main

import (
	"path/filepath"
	"strings"
	"testing"

	lru "github.com/hashicorp/golang-lru/v2"
)

func has(t *testing.T, c *Cache, keys ...string) string {
	t.Helper()
	var in []string
	for _, k := range keys {
		c.mu.Lock()
		_, ok := c.items[k]
		c.mu.Unlock()
		if ok {
			in = append(in, k)
		}
	}
	return strings.Join(in, ",")
}

// Capacity 3: among the least used entries the least recently used goes.
func TestEvictsLeastFrequentThenLeastRecent(t *testing.T) {
	c, err := Open(t.TempDir(), 3)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	v := []byte("v")
	_ = c.Put("a", v)
	_ = c.Put("b", v)
	_ = c.Put("c", v)
	c.Get("a")        // a: 2 uses
	c.Get("c")        // c: 2 uses; b: 1
	_ = c.Put("d", v) // evicts b, the least used
	if got := has(t, c, "a", "b", "c", "d"); got != "a,c,d" {
		t.Fatalf("after d: %s", got)
	}
	c.Get("d")        // d: 2 uses; a, c, d all at 2, a least recent
	_ = c.Put("e", v) // evicts a
	if got := has(t, c, "a", "c", "d", "e"); got != "c,d,e" {
		t.Fatalf("after e: %s", got)
	}
	s := c.Stats()
	if s.Hits != 3 || s.Evictions != 2 || s.Len != 3 {
		t.Fatalf("stats %+v", s)
	}
}

// Entries and use counts survive a restart: the same eviction follows.
func TestCountsSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	c, _ := Open(dir, 3)
	v := []byte("value")
	_ = c.Put("hot", v)
	_ = c.Put("warm", v)
	_ = c.Put("cold", v)
	for range 5 {
		c.Get("hot")
	}
	c.Get("warm")
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	c, err := Open(dir, 3)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if got, ok, _ := c.Get("hot"); !ok || string(got) != "value" {
		t.Fatal("hot entry lost across the restart")
	}
	_ = c.Put("new", v) // cold has the fewest uses
	if got := has(t, c, "hot", "warm", "cold", "new"); got != "hot,warm,new" {
		t.Fatalf("after the restart, the eviction ignored the saved counts: %s", got)
	}
}

func TestDemoRuns(t *testing.T) {
	var out strings.Builder
	dir := filepath.Join(t.TempDir(), "cache")
	for range 2 {
		if err := demo(&out, dir, 100, 5000); err != nil {
			t.Fatal(err)
		}
	}
	if !strings.Contains(out.String(), "100 entries kept from earlier runs") || !strings.Contains(out.String(), "hit ratio") {
		t.Fatalf("demo output:\n%s", out.String())
	}
}

// BenchmarkZipf serves Zipf-distributed keys (s = 1.1 over 100,000 keys)
// through a 1,000-entry cache: this persistent LFU beside an in-memory
// golang-lru LRU. Reports the hit ratio beside ns/op.
func BenchmarkZipf(b *testing.B) {
	keys := zipfKeys(1, 1<<20)
	value := make([]byte, 64)
	b.Run("persistent-lfu", func(b *testing.B) {
		c, err := Open(b.TempDir(), 1000)
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		b.ResetTimer()
		for i := 0; b.Loop(); i++ {
			k := keys[i%len(keys)]
			if _, ok, _ := c.Get(k); !ok {
				_ = c.Put(k, value)
			}
		}
		b.ReportMetric(c.Stats().HitRatio(), "hit-ratio")
	})
	b.Run("memory-lru", func(b *testing.B) {
		c, _ := lru.New[string, []byte](1000)
		hits := 0
		for i := 0; b.Loop(); i++ {
			k := keys[i%len(keys)]
			if _, ok := c.Get(k); ok {
				hits++
			} else {
				c.Add(k, value)
			}
		}
		b.ReportMetric(float64(hits)/float64(b.N), "hit-ratio")
	})
}
