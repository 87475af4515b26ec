package infrastructure

import (
	"slices"
	"testing"

	"github.com/fscollections/fscollections/domain"
)

func keys(c domain.Cache, candidates ...int64) []int64 {
	var in []int64
	for _, k := range candidates {
		if _, ok := c.Get(k); ok {
			in = append(in, k)
		}
	}
	return in
}

// Each policy, capacity 3, the same scripted accesses: the evicted
// entries differ exactly as the policies say they should.
func TestCachePoliciesEvictTheExpectedEntries(t *testing.T) {
	script := func(c domain.Cache) int {
		evictions := 0
		add := func(k int64) {
			if c.Add(k, k*10) {
				evictions++
			}
		}
		add(1)
		add(2)
		add(3)
		c.Get(1) // 1 becomes recent (LRU) and used twice (LFU)
		c.Get(1)
		c.Get(3)
		add(4) // full: one of 1, 2, 3 goes
		c.Get(4)
		add(5) // full again
		return evictions
	}
	lru, _ := NewLRU(3)
	for name, tc := range map[string]struct {
		cache domain.Cache
		want  []int64
	}{
		// LRU: 2 is least recent at add(4); then 1 (used before 3 and 4) at add(5).
		"LRU": {lru, []int64{3, 4, 5}},
		// FIFO: 1 then 2, the oldest, whatever their use.
		"FIFO": {NewFIFO(3), []int64{3, 4, 5}},
		// LFU: counts 1:3, 2:1, 3:2 -> 2 goes; then 4:2 and 3:2 tie: 3 is least recent.
		"LFU": {NewLFU(3), []int64{1, 4, 5}},
	} {
		if n := script(tc.cache); n != 2 {
			t.Errorf("%s: %d evictions, want 2", name, n)
		}
		if got := keys(tc.cache, 1, 2, 3, 4, 5); !slices.Equal(got, tc.want) {
			t.Errorf("%s holds %v, want %v", name, got, tc.want)
		}
	}
}

func TestLFUTieBreaksByRecency(t *testing.T) {
	c := NewLFU(2)
	c.Add(1, "a")
	c.Add(2, "b")
	c.Get(1)
	c.Get(2) // both used twice; 1 is less recent
	c.Add(3, "c")
	if _, ok := c.Get(1); ok {
		t.Fatal("1, the least recently used of the least used, should be evicted")
	}
	if _, ok := c.Get(2); !ok {
		t.Fatal("2 should stay")
	}
	c.Remove(2)
	c.Purge()
	if c.Len() != 0 {
		t.Fatalf("Len after Purge = %d", c.Len())
	}
}
