package fscollections

import (
	"iter"

	"github.com/fscollections/fscollections/application"
	"github.com/fscollections/fscollections/domain"
)

// FSMap is a map from string keys to V stored on disk. Iteration is in
// insertion order, as Python's dict; overwriting a key keeps its place.
// Keys are not held in memory: the index costs about 24-28 bytes per key
// whatever the key length. All methods are safe for concurrent use.
type FSMap[V any] struct {
	m    *domain.Map[V]
	path string
}

// inner is the open collection, or a closed one for a zero or nil handle,
// so that its methods answer ErrClosed instead of panicking.
func (m *FSMap[V]) inner() *domain.Map[V] {
	if m == nil || m.m == nil {
		return domain.ClosedMap[V]()
	}
	return m.m
}

// Len returns the number of keys (0 once closed). O(1).
func (m *FSMap[V]) Len() int { return m.inner().Len() }

// Get returns key's value, or ErrNotFound naming the key. O(1).
func (m *FSMap[V]) Get(key string) (V, error) { return m.inner().Get(key) }

// Lookup returns key's value and whether it is present (the comma-ok
// form of Get). A missing key is not an error. O(1).
func (m *FSMap[V]) Lookup(key string) (V, bool, error) { return m.inner().Lookup(key) }

// Set sets key to v. O(1).
func (m *FSMap[V]) Set(key string, v V) error { return m.inner().Set(key, v) }

// Delete removes key, or returns ErrNotFound (as Python's del).
func (m *FSMap[V]) Delete(key string) error { return m.inner().Delete(key) }

// Contains reports whether key is present (false once closed).
func (m *FSMap[V]) Contains(key string) bool { return m.inner().Contains(key) }

// Pop removes key and returns its value, or ErrNotFound.
func (m *FSMap[V]) Pop(key string) (V, error) { return m.inner().Pop(key) }

// PopItem removes and returns the most recently inserted entry (LIFO, as
// Python's dict.popitem), or ErrEmpty.
func (m *FSMap[V]) PopItem() (string, V, error) { return m.inner().PopItem() }

// SetDefault returns key's value if present; otherwise it sets key to v
// and returns v.
func (m *FSMap[V]) SetDefault(key string, v V) (V, error) { return m.inner().SetDefault(key, v) }

// Update sets every pair seq yields, in order, in batches. seq runs with
// no lock held, so it may read this map.
func (m *FSMap[V]) Update(seq iter.Seq2[string, V]) error { return m.inner().Update(seq) }

// Keys yields the keys in insertion order.
func (m *FSMap[V]) Keys() iter.Seq[string] { return m.inner().Keys() }

// Values yields the values in insertion order.
func (m *FSMap[V]) Values() iter.Seq[V] { return m.inner().Values() }

// All yields keys and values in insertion order. See the package
// documentation for what a loop that mutates the map sees, and Err.
func (m *FSMap[V]) All() iter.Seq2[string, V] { return m.inner().All() }

// Scan yields the entries for which pred returns true, in insertion
// order, streaming in bounded memory. pred runs with no lock held.
func (m *FSMap[V]) Scan(pred func(string, V) bool) iter.Seq2[string, V] { return m.inner().Scan(pred) }

// Clear removes every entry and truncates the files.
func (m *FSMap[V]) Clear() error { return m.inner().Clear() }

// Sync makes every write so far durable (flush and fsync).
func (m *FSMap[V]) Sync() error { return m.inner().Sync() }

// Compact rewrites the data file with only the live entries, in
// insertion order. Crash-safe.
func (m *FSMap[V]) Compact() error { return m.inner().Compact() }

// Metrics returns the map's Metrics, computed without disk writes.
func (m *FSMap[V]) Metrics() Metrics { return m.inner().Metrics() }

// Err returns the error that ended an iteration early since the last call
// to Err, and clears it.
func (m *FSMap[V]) Err() error { return m.inner().Err() }

// Close makes everything durable, writes the index checkpoint with the
// clean-close marker and releases the files and lock. A temporary map's
// files are deleted instead. Closing twice returns nil.
func (m *FSMap[V]) Close() error { return m.inner().Close() }

// Destroy closes the map and deletes its files.
func (m *FSMap[V]) Destroy() error { return m.inner().Destroy() }

// Backup writes an online, consistent, compacted copy of the collection
// to a new collection at path, which it opens as (same kind, value type
// and options). It holds the read lock while it copies: readers go on,
// writers wait, and the copy is one state of the collection. The copy has
// its own identity (its index files cannot be taken for the original's).
// A collection already at path is refused with ErrInvalidOptions; a copy
// that fails is removed.
func (m *FSMap[V]) Backup(path string) error {
	return application.Backup(path, m.inner().CopyTo)
}

// Path returns the base path of the map's files.
func (m *FSMap[V]) Path() string {
	if m == nil {
		return ""
	}
	return m.path
}
