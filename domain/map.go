package domain

import (
	"fmt"
	"iter"
)

// Map is a file-backed map from string keys to V: the logic behind
// fscollections.FSMap. Iteration is in insertion order; overwriting a key
// keeps its place.
type Map[V any] struct {
	keyed
	codec Codec[V]
	cache cacheOf[V]
	// The parts, each in its own file.
	mapIteration[V] // All, Keys, Values, Scan, Range (mapiter.go)
	mapAtomic[V]    // CompareAndSwap, Swap, Compute, versions (mapatomic.go)
	mapBatches[V]   // GetMany, ContainsMany, SetMany, DeleteMany (mapbatch.go)
}

// newMap returns a map on k with its parts wired to it.
func newMap[V any](k keyed, codec Codec[V], cache cacheOf[V]) *Map[V] {
	m := &Map[V]{keyed: k, codec: codec, cache: cache}
	m.mapIteration.m, m.mapAtomic.m, m.mapBatches.m = m, m, m
	return m
}

// OpenMap opens or creates the map stored in storage.
func OpenMap[V any](storage Storage, cfg Config, codec Codec[V]) (*Map[V], error) {
	k, err := openKeyed(storage, cfg, KindMap)
	if err != nil {
		return nil, err
	}
	return newMap(k, codec, newCacheOf[V](k.c, codec)), nil
}

func notFound(key string) error { return fmt.Errorf("%w: key %q", ErrNotFound, key) }

func (m *Map[V]) decode(off int64, b []byte) (V, error) {
	if v, ok := m.cache.get(off); ok {
		return v, nil
	}
	v, err := m.codec.Decode(b)
	if err != nil {
		return v, fmt.Errorf("%w (record at offset %d of %s)", err, off, m.c.log.Path())
	}
	m.cache.add(off, v, b)
	return v, nil
}

// get returns key's value. Lock held.
func (m *Map[V]) get(key string) (V, error) {
	off := m.find(stringBytes(key))
	if off == 0 {
		var zero V
		return zero, notFound(key)
	}
	return m.valueOf(off)
}

// valueOf returns the value of the entry record at off. Lock held.
func (m *Map[V]) valueOf(off int64) (V, error) {
	if v, ok := m.cache.get(off); ok {
		return v, nil
	}
	_, b, err := m.entryAt(off)
	if err != nil {
		var zero V
		return zero, err
	}
	v, err := m.codec.Decode(b)
	if err != nil {
		return v, fmt.Errorf("%w (record at offset %d of %s)", err, off, m.c.log.Path())
	}
	m.cache.add(off, v, b)
	return v, nil
}

// Len returns the number of keys.
func (m *Map[V]) Len() int { return m.c.Len() }

// Lookup returns key's value and whether it is present, without building
// an error for a missing key.
func (m *Map[V]) Lookup(key string) (V, bool, error) {
	var zero V
	if err := m.c.beginRead(); err != nil {
		return zero, false, err
	}
	defer m.c.endRead()
	off := m.find(stringBytes(key))
	if off == 0 {
		return zero, false, nil
	}
	v, err := m.valueOf(off)
	return v, err == nil, err
}

// Get returns the value of key, or ErrNotFound.
func (m *Map[V]) Get(key string) (V, error) {
	if err := m.c.beginRead(); err != nil {
		var zero V
		return zero, err
	}
	defer m.c.endRead()
	return m.get(key)
}

func (m *Map[V]) set(key string, v V) error {
	return m.put(stringBytes(key), func(dst []byte) ([]byte, error) { return m.codec.Append(dst, v) })
}

// Set sets key to v.
func (m *Map[V]) Set(key string, v V) error {
	if err := m.c.beginWrite(); err != nil {
		return err
	}
	return m.c.endWrite(m.set(key, v))
}

// Delete removes key, or returns ErrNotFound.
func (m *Map[V]) Delete(key string) error {
	if err := m.c.beginWrite(); err != nil {
		return err
	}
	found, err := m.delete(stringBytes(key))
	if err == nil && !found {
		err = notFound(key)
	}
	return m.c.endWrite(err)
}

// Contains reports whether key is present.
func (m *Map[V]) Contains(key string) bool {
	if m.c.beginRead() != nil {
		return false
	}
	defer m.c.endRead()
	return m.find(stringBytes(key)) != 0
}

// Pop removes key and returns its value, or ErrNotFound.
func (m *Map[V]) Pop(key string) (V, error) {
	if err := m.c.beginWrite(); err != nil {
		var zero V
		return zero, err
	}
	v, err := m.get(key)
	if err == nil {
		_, err = m.delete(stringBytes(key))
	}
	return v, m.c.endWrite(err)
}

// PopItem removes and returns the most recently inserted entry, or ErrEmpty.
func (m *Map[V]) PopItem() (string, V, error) {
	var (
		key string
		v   V
	)
	if err := m.c.beginWrite(); err != nil {
		return key, v, err
	}
	err := m.popLast(func(k, b []byte) error {
		key = string(k)
		var err error
		v, err = m.codec.Decode(b)
		return err
	})
	if err == ErrEmpty {
		err = fmt.Errorf("%w: PopItem on an empty map", ErrEmpty)
	}
	return key, v, m.c.endWrite(err)
}

// SetDefault returns key's value if present; otherwise it sets key to v and returns v.
func (m *Map[V]) SetDefault(key string, v V) (V, error) {
	if err := m.c.beginWrite(); err != nil {
		return v, err
	}
	cur, err := m.get(key)
	if err == nil {
		return cur, m.c.endWrite(nil)
	}
	if isNotFound(err) {
		err = m.set(key, v)
		cur = v
	}
	return cur, m.c.endWrite(err)
}

// isNotFound reports whether err is a not-found error.
func isNotFound(err error) bool { return err != nil && isErr(err, ErrNotFound) }

// updateBatch is how many pairs Update writes per lock hold.
const updateBatch = 256

// Update sets every key/value pair seq yields, in order. seq runs with no
// lock held, so it may read this map (m.Update(other.All()) and
// m.Update(m.Scan(...)) both work).
func (m *Map[V]) Update(seq iter.Seq2[string, V]) error {
	keys := make([]string, 0, updateBatch)
	vals := make([]V, 0, updateBatch)
	write := func() error {
		if len(keys) == 0 {
			return nil
		}
		if err := m.c.beginWrite(); err != nil {
			return err
		}
		var err error
		for i := range keys {
			if err = m.set(keys[i], vals[i]); err != nil {
				break
			}
		}
		keys, vals = keys[:0], vals[:0]
		return m.c.endWrite(err)
	}
	var err error
	seq(func(k string, v V) bool {
		keys, vals = append(keys, k), append(vals, v)
		if len(keys) == updateBatch {
			err = write()
		}
		return err == nil
	})
	if err != nil {
		return err
	}
	return write()
}

type mapEntry[V any] struct {
	key string
	val V
}

// Clear removes every entry and shrinks the files.
func (m *Map[V]) Clear() error { return m.c.Clear() }

// Sync makes every write so far durable.
func (m *Map[V]) Sync() error { return m.c.Sync() }

// Compact rewrites the data file with only the live records.
func (m *Map[V]) Compact() error { return m.c.Compact() }

// Metrics describes the map's state.
func (m *Map[V]) Metrics() Metrics { return m.c.Metrics() }

// Close writes a checkpoint and the clean-close marker and releases the files.
func (m *Map[V]) Close() error { return m.c.Close() }

// Destroy closes the map and deletes its files.
func (m *Map[V]) Destroy() error { return m.c.Destroy() }

// Err returns the error that ended an iteration early since the last call.
func (m *Map[V]) Err() error { return m.c.Err() }

// RandomKey returns a key chosen uniformly at random, or ErrEmpty.
func (m *Map[V]) RandomKey() (string, error) {
	if err := m.c.beginRead(); err != nil {
		return "", err
	}
	defer m.c.endRead()
	pos := m.randomPosition()
	if pos < 0 {
		return "", fmt.Errorf("%w: RandomKey of an empty map", ErrEmpty)
	}
	key, _, err := m.entryAt(int64(m.st.order.At(pos)))
	return string(key), err
}
