// Package main's Cache is a size-bounded, persistent LFU key-value cache:
// entries and their use counts survive a restart. Among entries used
// equally often, the least recently used is evicted first.
package main

import (
	"cmp"
	"container/list"
	"errors"
	"path/filepath"
	"slices"
	"sync"

	"github.com/fscollections/fscollections"
)

// meta is what the cache remembers of an entry besides its value.
type meta struct {
	Freq uint64 // uses
	Tick uint64 // logical time of the last use
}

// Stats is the cache's telemetry.
type Stats struct {
	Hits, Misses, Evictions uint64
	Len                     int
}

// HitRatio is hits / (hits + misses).
func (s Stats) HitRatio() float64 {
	if s.Hits+s.Misses == 0 {
		return 0
	}
	return float64(s.Hits) / float64(s.Hits+s.Misses)
}

// Cache is a persistent LFU cache. Values live in one FSMap; use counts
// and recency in another, written back by Sync and Close (so after a crash
// the counts are those of the last Sync, the entries those of the last
// acknowledged Put). All methods are safe for concurrent use.
type Cache struct {
	mu      sync.Mutex
	values  *fscollections.FSMap[[]byte]
	metas   *fscollections.FSMap[meta]
	size    int
	tick    uint64
	items   map[string]*list.Element
	buckets map[uint64]*list.List // count -> entries, front = most recent
	minFreq uint64
	dirty   map[string]bool
	stats   Stats
}

type node struct {
	key string
	meta
}

// Open opens the cache in dir with room for size entries.
func Open(dir string, size int) (*Cache, error) {
	if size < 1 {
		return nil, errors.New("lfucache: size must be at least 1")
	}
	values, err := fscollections.OpenMap[[]byte](filepath.Join(dir, "values"), nil)
	if err != nil {
		return nil, err
	}
	metas, err := fscollections.OpenMap[meta](filepath.Join(dir, "metas"), nil)
	if err != nil {
		values.Close()
		return nil, err
	}
	c := &Cache{values: values, metas: metas, size: size, items: map[string]*list.Element{},
		buckets: map[uint64]*list.List{}, dirty: map[string]bool{}}
	// Rebuild the order from the saved counts, oldest use first, so that
	// each bucket's recency order is what it was.
	var nodes []node
	for k := range values.Keys() {
		m, ok, err := metas.Lookup(k)
		if err != nil {
			c.Close()
			return nil, err
		}
		if !ok {
			m = meta{Freq: 1}
		}
		nodes = append(nodes, node{k, m})
	}
	slices.SortFunc(nodes, func(a, b node) int { return cmp.Compare(a.Tick, b.Tick) })
	for _, n := range nodes {
		c.tick = max(c.tick, n.Tick)
		c.insert(n)
	}
	return c, nil
}

func (c *Cache) bucket(f uint64) *list.List {
	b := c.buckets[f]
	if b == nil {
		b = list.New()
		c.buckets[f] = b
	}
	return b
}

func (c *Cache) insert(n node) {
	c.items[n.key] = c.bucket(n.Freq).PushFront(&n)
	if c.minFreq == 0 || n.Freq < c.minFreq {
		c.minFreq = n.Freq
	}
}

func (c *Cache) unlink(e *list.Element) *node {
	n := e.Value.(*node)
	b := c.buckets[n.Freq]
	b.Remove(e)
	if b.Len() == 0 {
		delete(c.buckets, n.Freq)
		if c.minFreq == n.Freq {
			c.minFreq = 0
			for f := range c.buckets {
				if c.minFreq == 0 || f < c.minFreq {
					c.minFreq = f
				}
			}
		}
	}
	delete(c.items, n.key)
	return n
}

func (c *Cache) touch(e *list.Element) {
	n := c.unlink(e)
	c.tick++
	n.Freq, n.Tick = n.Freq+1, c.tick
	c.insert(*n)
	c.dirty[n.key] = true
}

// Get returns the value cached for key.
func (c *Cache) Get(key string) ([]byte, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[key]
	if !ok {
		c.stats.Misses++
		return nil, false, nil
	}
	v, err := c.values.Get(key)
	if err != nil {
		return nil, false, err
	}
	c.touch(e)
	c.stats.Hits++
	return v, true, nil
}

// Put caches value for key, evicting the least frequently used entry
// (the least recently used among equals) when full.
func (c *Cache) Put(key string, value []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[key]; ok {
		c.touch(e)
		return c.values.Set(key, value)
	}
	if len(c.items) >= c.size {
		victim := c.unlink(c.buckets[c.minFreq].Back())
		delete(c.dirty, victim.key)
		if err := c.values.Delete(victim.key); err != nil {
			return err
		}
		if err := c.metas.Delete(victim.key); err != nil && !errors.Is(err, fscollections.ErrNotFound) {
			return err
		}
		c.stats.Evictions++
	}
	c.tick++
	c.insert(node{key, meta{Freq: 1, Tick: c.tick}})
	c.dirty[key] = true
	return c.values.Set(key, value)
}

// Stats returns the telemetry since Open.
func (c *Cache) Stats() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.stats
	s.Len = len(c.items)
	return s
}

// Sync writes the use counts back and makes everything durable.
func (c *Cache) Sync() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.syncLocked()
}

func (c *Cache) syncLocked() error {
	for k := range c.dirty {
		if e, ok := c.items[k]; ok {
			if err := c.metas.Set(k, e.Value.(*node).meta); err != nil {
				return err
			}
		}
		delete(c.dirty, k)
	}
	return errors.Join(c.metas.Sync(), c.values.Sync())
}

// Close writes the use counts back and closes the cache.
func (c *Cache) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	err := c.syncLocked()
	return errors.Join(err, c.metas.Close(), c.values.Close())
}
