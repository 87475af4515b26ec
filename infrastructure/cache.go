package infrastructure

import (
	"container/list"
	"sync"

	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/fscollections/fscollections/domain"
)

// NewLRU returns a least-recently-used domain.Cache of size entries.
func NewLRU(size int) (domain.Cache, error) {
	c, err := lru.New[int64, any](size)
	if err != nil {
		return nil, err
	}
	return lruCache{c}, nil
}

type lruCache struct{ c *lru.Cache[int64, any] }

func (l lruCache) Get(off int64) (any, bool) { return l.c.Get(off) }
func (l lruCache) Add(off int64, v any) bool { return l.c.Add(off, v) }
func (l lruCache) Remove(off int64)          { l.c.Remove(off) }
func (l lruCache) Purge()                    { l.c.Purge() }
func (l lruCache) Len() int                  { return l.c.Len() }

// FIFO is a first-in-first-out domain.Cache: the oldest entry is evicted
// whatever its use.
type FIFO struct {
	mu    sync.Mutex
	size  int
	queue *list.List // front = oldest
	items map[int64]*list.Element
}

type entry struct {
	off   int64
	value any
	freq  int
}

// NewFIFO returns a FIFO cache of size entries.
func NewFIFO(size int) *FIFO {
	return &FIFO{size: size, queue: list.New(), items: make(map[int64]*list.Element)}
}

// Get returns the cached value for off.
func (c *FIFO) Get(off int64) (any, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[off]; ok {
		return e.Value.(*entry).value, true
	}
	return nil, false
}

// Add caches v for off, evicting the oldest entry when full.
func (c *FIFO) Add(off int64, v any) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[off]; ok {
		e.Value.(*entry).value = v
		return false
	}
	evicted := false
	if c.queue.Len() >= c.size {
		oldest := c.queue.Front()
		delete(c.items, oldest.Value.(*entry).off)
		c.queue.Remove(oldest)
		evicted = true
	}
	c.items[off] = c.queue.PushBack(&entry{off: off, value: v})
	return evicted
}

// Remove drops off's entry.
func (c *FIFO) Remove(off int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[off]; ok {
		delete(c.items, off)
		c.queue.Remove(e)
	}
}

// Purge drops every entry.
func (c *FIFO) Purge() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.queue.Init()
	clear(c.items)
}

// Len is the number of entries.
func (c *FIFO) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.queue.Len()
}

// LFU is a least-frequently-used domain.Cache with stable tie-breaking:
// among entries of equal use count, the least recently used is evicted
// first. Every operation is O(1): entries sit in one recency list per count.
type LFU struct {
	mu      sync.Mutex
	size    int
	items   map[int64]*list.Element
	buckets map[int]*list.List // count -> entries, front = most recent
	minFreq int
}

// NewLFU returns an LFU cache of size entries.
func NewLFU(size int) *LFU {
	return &LFU{size: size, items: make(map[int64]*list.Element), buckets: make(map[int]*list.List)}
}

func (c *LFU) bucket(f int) *list.List {
	b := c.buckets[f]
	if b == nil {
		b = list.New()
		c.buckets[f] = b
	}
	return b
}

// touch moves an entry to the next count's list.
func (c *LFU) touch(e *list.Element) *list.Element {
	en := e.Value.(*entry)
	b := c.buckets[en.freq]
	b.Remove(e)
	if b.Len() == 0 {
		delete(c.buckets, en.freq)
		if c.minFreq == en.freq {
			c.minFreq++
		}
	}
	en.freq++
	ne := c.bucket(en.freq).PushFront(en)
	c.items[en.off] = ne
	return ne
}

// Get returns the cached value for off and counts the use.
func (c *LFU) Get(off int64) (any, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[off]
	if !ok {
		return nil, false
	}
	return c.touch(e).Value.(*entry).value, true
}

// Add caches v for off, evicting the least frequently used entry when full.
func (c *LFU) Add(off int64, v any) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[off]; ok {
		c.touch(e).Value.(*entry).value = v
		return false
	}
	evicted := false
	if len(c.items) >= c.size {
		b := c.buckets[c.minFreq]
		victim := b.Back()
		b.Remove(victim)
		if b.Len() == 0 {
			delete(c.buckets, c.minFreq)
		}
		delete(c.items, victim.Value.(*entry).off)
		evicted = true
	}
	c.items[off] = c.bucket(1).PushFront(&entry{off: off, value: v, freq: 1})
	c.minFreq = 1
	return evicted
}

// Remove drops off's entry.
func (c *LFU) Remove(off int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[off]
	if !ok {
		return
	}
	en := e.Value.(*entry)
	b := c.buckets[en.freq]
	b.Remove(e)
	if b.Len() == 0 {
		delete(c.buckets, en.freq)
	}
	delete(c.items, off)
	if len(c.items) == 0 {
		c.minFreq = 0
	} else if _, ok := c.buckets[c.minFreq]; !ok {
		c.minFreq = c.lowest()
	}
}

func (c *LFU) lowest() int {
	m := 0
	for f := range c.buckets {
		if m == 0 || f < m {
			m = f
		}
	}
	return m
}

// Purge drops every entry.
func (c *LFU) Purge() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.items)
	clear(c.buckets)
	c.minFreq = 0
}

// Len is the number of entries.
func (c *LFU) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.items)
}
