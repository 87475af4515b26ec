package domain

import (
	"fmt"
	"sync"
	"time"
)

// Batched map operations: many keys under one hold of the lock. Lookups
// go through the hash table together (their cache misses overlap, see
// keyState.findMany); writes are committed as one (with SyncAlways, one
// fsync for the batch). A batch longer than manyBatch takes the lock once
// per manyBatch keys, so that other goroutines get their turn.

// manyBatch is how many keys a batched operation handles per lock hold.
const manyBatch = 1024

// manyScratch is the working memory of one batched lookup.
type manyScratch struct {
	keys [][]byte
	offs []int64
}

var scratchPool = sync.Pool{New: func() any {
	return &manyScratch{keys: make([][]byte, 0, manyBatch), offs: make([]int64, manyBatch)}
}}

func getScratch() *manyScratch { return scratchPool.Get().(*manyScratch) }

// putScratch returns sc to the pool, dropping its references to keys.
func putScratch(sc *manyScratch) {
	clear(sc.keys[:cap(sc.keys)])
	scratchPool.Put(sc)
}

// mapBatches is a Map's operations on many keys at once.
type mapBatches[V any] struct{ m *Map[V] }

// GetMany sets vals[i] and found[i] to the value of keys[i] and whether it
// is present.
func (bt *mapBatches[V]) GetMany(keys []string, vals []V, found []bool) error {
	m := bt.m
	if len(vals) < len(keys) || len(found) < len(keys) {
		return fmt.Errorf("%w: GetMany of %d keys into %d values and %d flags", ErrInvalidOptions, len(keys), len(vals), len(found))
	}
	owned, _ := any(m.codec).(ownedDecoder[V])
	var mem slab
	return m.lookUp(keys, func(lo int, kb [][]byte, offs []int64) error {
		return m.getFound(kb, offs, owned, &mem, vals[lo:lo+len(kb)], found[lo:lo+len(kb)])
	})
}

// getFound looks keys up together and decodes what it finds. Read lock held.
func (bt *mapBatches[V]) getFound(keys [][]byte, offs []int64, owned ownedDecoder[V], mem *slab, vals []V, found []bool) error {
	m := bt.m
	m.st.findMany(m.c, keys, offs)
	reads := int64(0)
	defer func() { m.c.reads.Add(reads) }()
	for i, off := range offs {
		var zero V
		vals[i], found[i] = zero, off != 0
		if off == 0 {
			continue
		}
		reads++
		_, b, err := m.entry(off)
		if err != nil {
			return err
		}
		v, ok := m.cache.iterValue(owned, mem, off, b)
		if !ok {
			if v, err = m.decode(off, b); err != nil {
				return err
			}
		}
		vals[i] = v
	}
	return nil
}

// GetManyFunc looks keys up together and calls fn with each key's index,
// value and presence, under the read lock. A value the codec can take
// without copying ([]byte, string) is a view of the mapped file (or of a
// buffer reused from one compressed value to the next), valid
// only until fn returns.
func (bt *mapBatches[V]) GetManyFunc(keys []string, fn func(i int, v V, found bool)) error {
	m := bt.m
	views := m.views()
	return m.lookUp(keys, func(lo int, kb [][]byte, offs []int64) error {
		m.st.findMany(m.c, kb, offs)
		reads := int64(0)
		defer func() { m.c.reads.Add(reads) }()
		for i, off := range offs {
			var v V
			if off == 0 {
				fn(lo+i, v, false)
				continue
			}
			reads++
			_, b, err := m.entry(off)
			if err == nil {
				v, err = views.decode(m, off, b)
			}
			if err != nil {
				return err
			}
			fn(lo+i, v, true)
		}
		return nil
	})
}

// ContainsMany sets found[i] to whether keys[i] is present, reading no value.
func (bt *mapBatches[V]) ContainsMany(keys []string, found []bool) error {
	m := bt.m
	if len(found) < len(keys) {
		return fmt.Errorf("%w: ContainsMany of %d keys into %d flags", ErrInvalidOptions, len(keys), len(found))
	}
	return m.lookUp(keys, func(lo int, kb [][]byte, offs []int64) error {
		m.st.findMany(m.c, kb, offs)
		for i, off := range offs {
			found[lo+i] = off != 0
		}
		return nil
	})
}

// lookUp calls fn, under the read lock, for each batch of up to manyBatch
// keys starting at index lo, as byte slices, with room for their offsets.
func (bt *mapBatches[V]) lookUp(keys []string, fn func(lo int, kb [][]byte, offs []int64) error) error {
	m := bt.m
	sc := getScratch()
	defer putScratch(sc)
	for lo := 0; lo < len(keys); lo += manyBatch {
		hi := min(len(keys), lo+manyBatch)
		kb, offs := sc.keys[:0], sc.offs[:hi-lo]
		for _, k := range keys[lo:hi] {
			kb = append(kb, stringBytes(k))
		}
		if err := m.c.beginRead(); err != nil {
			return err
		}
		err := fn(lo, kb, offs)
		m.c.endRead()
		if err != nil {
			return err
		}
	}
	return nil
}

// SetMany sets keys[i] to vals[i], in order.
func (bt *mapBatches[V]) SetMany(keys []string, vals []V) error {
	m := bt.m
	if len(vals) != len(keys) {
		return fmt.Errorf("%w: SetMany of %d keys and %d values", ErrInvalidOptions, len(keys), len(vals))
	}
	for lo := 0; lo < len(keys); lo += manyBatch {
		hi := min(len(keys), lo+manyBatch)
		if err := m.c.beginWrite(); err != nil {
			return err
		}
		var err error
		m.c.batchTime = time.Now().UnixNano() // one time for the batch
		for i := lo; i < hi && err == nil; i++ {
			err = m.set(keys[i], vals[i])
		}
		m.c.batchTime = 0
		if err := m.c.endWrite(err); err != nil {
			return err
		}
	}
	return nil
}

// DeleteMany deletes keys, in order, and returns how many were present.
func (bt *mapBatches[V]) DeleteMany(keys []string) (int, error) {
	return bt.deleteMany(keys, nil)
}

// DeleteManyFunc deletes, in order, each present key for which fn, given
// the key's index and its value, returns true, and returns how many it
// deleted. fn runs under the write lock; a value the codec can take
// without copying is a view of the mapped file (or of a buffer reused
// from one compressed value to the next), valid until fn returns.
func (bt *mapBatches[V]) DeleteManyFunc(keys []string, fn func(i int, v V) bool) (int, error) {
	m := bt.m
	views := m.views()
	return bt.deleteMany(keys, func(i int, off int64) (bool, error) {
		_, b, err := m.entryAt(off)
		if err != nil {
			return false, err
		}
		v, err := views.decode(m, off, b)
		if err != nil {
			return false, err
		}
		return fn(i, v), nil
	})
}

// deleteMany is DeleteMany and DeleteManyFunc: manyBatch keys per hold of
// the write lock, looked up together, each deleted when doomed (nil: all)
// says so given its index in keys and its record's offset.
func (bt *mapBatches[V]) deleteMany(keys []string, doomed func(i int, off int64) (bool, error)) (int, error) {
	m := bt.m
	sc := getScratch()
	defer putScratch(sc)
	n := 0
	for lo := 0; lo < len(keys); lo += manyBatch {
		hi := min(len(keys), lo+manyBatch)
		kb, offs := sc.keys[:0], sc.offs[:hi-lo]
		for _, k := range keys[lo:hi] {
			kb = append(kb, stringBytes(k))
		}
		if err := m.c.beginWrite(); err != nil {
			return n, err
		}
		var at func(i int, off int64) (bool, error)
		if doomed != nil {
			at = func(i int, off int64) (bool, error) { return doomed(lo+i, off) }
		}
		d, err := m.keyed.deleteMany(kb, offs, at)
		n += d
		if err := m.c.endWrite(err); err != nil {
			return n, err
		}
	}
	return n, nil
}
