package fscollections

import (
	"errors"
	"fmt"
	"iter"
	"math/rand/v2"
	"strings"

	"github.com/fscollections/fscollections/application"
	"github.com/fscollections/fscollections/domain"
	"github.com/fscollections/fscollections/internal/engine"
)

// FSMap is a map from string keys to V stored on disk. Iteration is in
// insertion order, as Python's dict; overwriting a key keeps its place.
// Keys are not held in memory: the index costs about 24-28 bytes per key
// whatever the key length. All methods are safe for concurrent use.
//
// An FSMap may also be a view made by Sub: the keys of its parent under a
// prefix, seen and written without it.
type FSMap[V any] struct {
	m      engine.Map[V] // the engine: files, or Redis (package fsredis)
	path   string
	prefix string   // a view's prefix; "" for the collection (or Sub(""))
	sub    bool     // made by Sub: does not own the handle
	temp   bool     // opened with path "": its files go with Close
	refs   *refs    // for values that are collection handles, else nil
	remote *Options // on another engine than the files (Redis): its options; path is its name
}

// isView reports whether m was made by Sub (even Sub("")).
func (m *FSMap[V]) isView() bool { return m != nil && (m.sub || m.prefix != "") }

// inner is the open collection, or a closed one for a zero or nil handle,
// so that its methods answer ErrClosed instead of panicking.
func (m *FSMap[V]) inner() engine.Map[V] {
	if m == nil || m.m == nil {
		return domain.ClosedMap[V]()
	}
	return m.m
}

// view reports whether m is a view made by Sub.
func (m *FSMap[V]) view() bool { return m != nil && m.prefix != "" }

// full is the key in the whole collection.
func (m *FSMap[V]) full(key string) string {
	if m.view() {
		return m.prefix + key
	}
	return key
}

// Sub returns a view of the keys under prefix: its methods see and write
// only those keys, without the prefix (v := m.Sub("user/"); v.Set("ada",
// x) sets "user/ada" in m). The view shares m's files, lock and handle:
// closing m closes its views. Sub of a view nests (the prefixes join);
// Sub("") is a view of every key. On a view, Len, Clear, PopItem and
// RandomKey go through the whole collection's keys (O(Len of the
// collection)); Sync, Compact and Metrics act on the whole collection;
// Close does nothing (the collection's owner closes it); Destroy and
// Backup are refused with ErrInvalidOptions.
func (m *FSMap[V]) Sub(prefix string) *FSMap[V] {
	if m == nil {
		return &FSMap[V]{prefix: prefix, sub: true}
	}
	p := m.prefix + prefix
	if p == "" {
		// A view of every key still behaves as a view (Close does nothing).
		return &FSMap[V]{m: m.m, path: m.path, prefix: "", sub: true, temp: m.temp, refs: m.refs, remote: m.remote}
	}
	return &FSMap[V]{m: m.m, path: m.path, prefix: p, sub: true, temp: m.temp, refs: m.refs, remote: m.remote}
}

// Len returns the number of keys (0 once closed). O(1); on a view,
// O(Len of the collection).
func (m *FSMap[V]) Len() int {
	if !m.view() {
		return m.inner().Len()
	}
	n := 0
	for range m.Keys() {
		n++
	}
	return n
}

// Get returns key's value, or ErrNotFound naming the key. O(1).
func (m *FSMap[V]) Get(key string) (V, error) { return m.inner().Get(m.full(key)) }

// Lookup returns key's value and whether it is present (the comma-ok
// form of Get). A missing key is not an error. O(1).
func (m *FSMap[V]) Lookup(key string) (V, bool, error) { return m.inner().Lookup(m.full(key)) }

// Set sets key to v. O(1).
func (m *FSMap[V]) Set(key string, v V) error { return m.inner().Set(m.full(key), v) }

// GetMany returns the values of keys, in order, and whether each is
// present (a missing key is not an error). The keys are looked up
// together, up to 1,024 per hold of the read lock, so their memory
// misses overlap: several times faster than as many Gets. On Redis, one
// HMGET per 1,024 keys.
func (m *FSMap[V]) GetMany(keys ...string) (values []V, found []bool, err error) {
	values, found = make([]V, len(keys)), make([]bool, len(keys))
	err = m.inner().GetMany(m.fullKeys(keys), values, found)
	return values, found, err
}

// GetManyFunc looks keys up together, as GetMany does, and calls fn with
// each key's index in keys, its value and whether it is present, in the
// order of keys, without building result slices. fn runs while the read
// lock is held (up to 1,024 keys per hold): it must be quick and must not
// call this map, which would wait for the lock fn runs under. A []byte or
// string value is a view of the file, valid only until fn returns: copy
// what you keep. Values of other types are fn's. On Redis the values come
// from one HMGET per 1,024 keys and are always fn's.
func (m *FSMap[V]) GetManyFunc(keys []string, fn func(i int, v V, found bool)) error {
	return m.inner().GetManyFunc(m.fullKeys(keys), fn)
}

// ContainsMany reports, for each key, whether it is present, looked up
// together as GetMany does but reading no value.
func (m *FSMap[V]) ContainsMany(keys ...string) (found []bool, err error) {
	found = make([]bool, len(keys))
	return found, m.inner().ContainsMany(m.fullKeys(keys), found)
}

// SetMany sets keys[i] to values[i], in order (a key given twice ends
// with its last value). Up to 1,024 keys are written per hold of the write
// lock and committed as one (with SyncAlways, one fsync per 1,024). It is
// not a transaction: after an error or a crash, the writes before it
// stay. ErrInvalidOptions when the lengths differ.
func (m *FSMap[V]) SetMany(keys []string, values []V) error {
	return m.inner().SetMany(m.fullKeys(keys), values)
}

// DeleteMany deletes keys (missing ones are skipped) and returns how many
// were present, batched as SetMany. A deletion reads nothing of the value
// it removes.
func (m *FSMap[V]) DeleteMany(keys ...string) (deleted int, err error) {
	return m.inner().DeleteMany(m.fullKeys(keys))
}

// DeleteManyFunc deletes each present key for which fn, given the key's
// index in keys and its current value, returns true, and returns how many
// it deleted: a conditional DeleteMany, where deciding and deleting are
// one step, so no write can come between what fn saw and the deletion.
// Missing keys are skipped without calling fn, as is a key given again
// after fn condemned it (it is gone by then). Batched as DeleteMany: fn runs while the write lock is held
// (up to 1,024 keys per hold, one lookup per key) and must be quick and
// must not call this map; a []byte or string value is a view of the file,
// valid only until fn returns. Like DeleteMany it is not a transaction: a
// damaged record stops the call with ErrCorrupt, and the deletions before
// it stay. On Redis the values are read with HMGET
// and the chosen keys deleted by one script per batch that skips a key
// written in between, which is then read and given to fn again.
func (m *FSMap[V]) DeleteManyFunc(keys []string, fn func(i int, v V) bool) (deleted int, err error) {
	return m.inner().DeleteManyFunc(m.fullKeys(keys), fn)
}

// fullKeys is full for many keys.
func (m *FSMap[V]) fullKeys(keys []string) []string {
	if !m.view() {
		return keys
	}
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = m.prefix + k
	}
	return out
}

// Delete removes key, or returns ErrNotFound (as Python's del).
func (m *FSMap[V]) Delete(key string) error { return m.inner().Delete(m.full(key)) }

// Contains reports whether key is present (false once closed).
func (m *FSMap[V]) Contains(key string) bool { return m.inner().Contains(m.full(key)) }

// Pop removes key and returns its value, or ErrNotFound.
func (m *FSMap[V]) Pop(key string) (V, error) { return m.inner().Pop(m.full(key)) }

// PopItem removes and returns the most recently inserted entry (LIFO, as
// Python's dict.popitem), or ErrEmpty.
func (m *FSMap[V]) PopItem() (string, V, error) {
	if !m.view() {
		return m.inner().PopItem()
	}
	for {
		last, found := "", false
		if err := m.rangeKeys(func(k string) bool { last, found = k, true; return true }); err != nil {
			var zero V
			return "", zero, err
		}
		if !found {
			var zero V
			return "", zero, fmt.Errorf("%w: PopItem on an empty view %q", ErrEmpty, m.prefix)
		}
		v, err := m.Pop(last)
		if err == nil || !errorsIsNotFound(err) {
			return last, v, err
		}
		// Another writer took it first: look again.
	}
}

// SetDefault returns key's value if present; otherwise it sets key to v
// and returns v.
func (m *FSMap[V]) SetDefault(key string, v V) (V, error) {
	return m.inner().SetDefault(m.full(key), v)
}

// Update sets every pair seq yields, in order, in batches. seq runs with
// no lock held, so it may read this map.
func (m *FSMap[V]) Update(seq iter.Seq2[string, V]) error {
	if !m.view() {
		return m.inner().Update(seq)
	}
	return m.inner().Update(func(yield func(string, V) bool) {
		for k, v := range seq {
			if !yield(m.prefix+k, v) {
				return
			}
		}
	})
}

// under filters and strips a view's prefix from an iteration of the
// whole collection's keys.
func (m *FSMap[V]) under(key string) (string, bool) {
	if !strings.HasPrefix(key, m.prefix) {
		return "", false
	}
	return key[len(m.prefix):], true
}

// Keys yields the keys in insertion order.
func (m *FSMap[V]) Keys() iter.Seq[string] {
	if !m.view() {
		return m.inner().Keys()
	}
	return func(yield func(string) bool) {
		for k := range m.inner().Keys() {
			if k, ok := m.under(k); ok && !yield(k) {
				return
			}
		}
	}
}

// Values yields the values in insertion order.
func (m *FSMap[V]) Values() iter.Seq[V] {
	if !m.view() {
		return m.inner().Values()
	}
	return func(yield func(V) bool) {
		for _, v := range m.All() {
			if !yield(v) {
				return
			}
		}
	}
}

// All yields keys and values in insertion order. See the package
// documentation for what a loop that mutates the map sees, and Err.
func (m *FSMap[V]) All() iter.Seq2[string, V] {
	if !m.view() {
		return m.inner().All()
	}
	return m.Scan(func(string, V) bool { return true })
}

// Scan yields the entries for which pred returns true, in insertion
// order, streaming in bounded memory. pred runs with no lock held.
func (m *FSMap[V]) Scan(pred func(string, V) bool) iter.Seq2[string, V] {
	if !m.view() {
		return m.inner().Scan(pred)
	}
	return func(yield func(string, V) bool) {
		// The prefix test runs first; only keys under it are decoded for pred.
		for k, v := range m.inner().Scan(func(k string, v V) bool {
			k, ok := m.under(k)
			return ok && pred(k, v)
		}) {
			if !yield(k[len(m.prefix):], v) {
				return
			}
		}
	}
}

// RandomKey returns a key chosen uniformly at random, or ErrEmpty. O(1)
// expected; on a view, O(Len of the collection).
func (m *FSMap[V]) RandomKey() (string, error) {
	if !m.view() {
		return m.inner().RandomKey()
	}
	chosen, n := "", 0
	err := m.rangeKeys(func(k string) bool { // reservoir sampling: each key kept with probability 1/n
		if n++; rand.IntN(n) == 0 {
			chosen = k
		}
		return true
	})
	if err != nil {
		return "", err
	}
	if n == 0 {
		return "", fmt.Errorf("%w: RandomKey of an empty view %q", ErrEmpty, m.prefix)
	}
	return chosen, nil
}

// Clear removes every entry and truncates the files. On a view it deletes
// the view's keys, in batches.
func (m *FSMap[V]) Clear() error {
	if !m.view() {
		return m.inner().Clear()
	}
	for {
		var batch []string
		err := m.inner().RangeKeys(func(k string) bool {
			if _, ok := m.under(k); ok {
				batch = append(batch, k)
			}
			return len(batch) < 1024
		})
		if err != nil {
			return err
		}
		if len(batch) == 0 {
			return nil
		}
		for _, k := range batch {
			if err := m.inner().Delete(k); err != nil && !errorsIsNotFound(err) {
				return err
			}
		}
	}
}

// Sync makes every write so far durable (flush and fsync).
func (m *FSMap[V]) Sync() error { return m.inner().Sync() }

// Compact rewrites the data file with only the live entries, in
// insertion order. Crash-safe.
func (m *FSMap[V]) Compact() error { return m.inner().Compact() }

// Metrics returns the map's Metrics, computed without disk writes.
func (m *FSMap[V]) Metrics() Metrics { return metricsOf(m.inner().Metrics()) }

// rangeKeys calls fn with each key of the view (without its prefix) until
// fn returns false; the error that ends it early is its own.
func (m *FSMap[V]) rangeKeys(fn func(string) bool) error {
	return m.inner().RangeKeys(func(k string) bool {
		k, ok := m.under(k)
		return !ok || fn(k)
	})
}

// Range calls fn for each key and value in insertion order until fn
// returns false, and returns the error that ended the iteration early:
// nil when it ran to the end or fn stopped it, ErrClosed on a closed map.
// The error is this call's own, unlike All's, which Err reports for the
// whole handle: goroutines that iterate one map at the same time should
// use Range. Like All, it holds no lock while fn runs.
func (m *FSMap[V]) Range(fn func(key string, v V) bool) error {
	if !m.view() {
		return m.inner().Range(fn)
	}
	return m.inner().Range(func(k string, v V) bool {
		k, ok := m.under(k)
		return !ok || fn(k, v)
	})
}

// RangeViews is the fastest way to read every entry: Range without
// copies. It calls fn for each key and value in insertion order until fn
// returns false, and returns the error that ended the iteration early (its
// own, as Range's). fn runs while the read lock is held, taken once per
// batch of records, and every record's checksum is verified before fn
// sees it. The key, and a []byte or string value, are views of the
// mapped file (a compressed value: of a buffer reused for the next one),
// valid only until fn returns: copy what you keep (a string
// value must be cloned with strings.Clone, not merely stored). Values of
// other types are decoded and are fn's. Like GetManyFunc's fn, fn must
// not call this map: a writer waiting for the lock would wait for fn and
// fn for it. On Redis the keys and values are fn's.
func (m *FSMap[V]) RangeViews(fn func(key []byte, v V) bool) error {
	if !m.view() {
		return m.inner().RangeViews(fn)
	}
	prefix := m.prefix
	return m.inner().RangeViews(func(k []byte, v V) bool {
		if len(k) < len(prefix) || string(k[:len(prefix)]) != prefix {
			return true
		}
		return fn(k[len(prefix):], v)
	})
}

// Err returns the error that ended an iteration (All, Keys, Values,
// Scan) early since the last call to Err, and clears it. It belongs to
// the handle (and its views), not to one loop: goroutines iterating at
// the same time should use Range, whose error is its own.
func (m *FSMap[V]) Err() error { return m.inner().Err() }

// Close makes everything durable, writes the index checkpoint with the
// clean-close marker and releases the files and lock. A temporary map's
// files are deleted instead. Closing twice returns nil. Closing a view
// does nothing: the collection stays open.
func (m *FSMap[V]) Close() error {
	if m.isView() {
		return nil
	}
	err := errors.Join(m.children().closeChildren(), m.inner().Close())
	if m != nil {
		forget(m.path, m)
	}
	return err
}

// Destroy closes the map and deletes its files. A view refuses it.
func (m *FSMap[V]) Destroy() error {
	if m.isView() {
		return fmt.Errorf("%w: Destroy of a view (Sub); destroy the collection or Clear the view", ErrInvalidOptions)
	}
	err := errors.Join(m.children().closeChildren(), m.inner().Destroy())
	if m != nil {
		forget(m.path, m)
	}
	return err
}

// Backup writes an online, consistent, compacted copy of the collection
// to a new collection at path, which it opens as (same kind, value type
// and options). It holds the read lock while it copies: readers go on,
// writers wait, and the copy is one state of the collection. The copy has
// its own identity (its index files cannot be taken for the original's).
// A collection already at path is refused with ErrInvalidOptions; a copy
// that fails is removed. A view refuses it.
// On Redis, see FSList.Backup.
func (m *FSMap[V]) Backup(path string) error {
	if m.isView() {
		return fmt.Errorf("%w: Backup of a view (Sub); back up the collection", ErrInvalidOptions)
	}
	if m != nil && m.refs != nil {
		return errNestedBackup
	}
	if m != nil && m.remote != nil {
		return m.copyBackup(path)
	}
	return application.Backup(path, m.inner().CopyTo)
}

// Path returns the base path of the map's files; for a map on Redis, its name.
func (m *FSMap[V]) Path() string {
	if m == nil {
		return ""
	}
	return m.path
}

func errorsIsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
