package fscollections

import (
	"time"

	"github.com/fscollections/fscollections/domain"
)

// ComputeOp tells FSMap.Compute what to do with the value its function
// returns, as in xsync's MapOf.
type ComputeOp int

// The compute operations.
const (
	// CancelOp leaves the key as it is.
	CancelOp ComputeOp = iota
	// UpdateOp stores the returned value under the key.
	UpdateOp
	// DeleteOp deletes the key (nothing happens if it is absent).
	DeleteOp
)

// CompareAndSwap sets key to new if it is present with a value whose
// encoding equals old's, and reports whether it did. One linearizable
// step: across processes too, in Shared mode.
func (m *FSMap[V]) CompareAndSwap(key string, old, new V) (swapped bool, err error) {
	return m.inner().CompareAndSwap(m.full(key), old, new)
}

// CompareAndDelete deletes key if it is present with a value whose
// encoding equals old's, and reports whether it did. One linearizable step.
func (m *FSMap[V]) CompareAndDelete(key string, old V) (deleted bool, err error) {
	return m.inner().CompareAndDelete(m.full(key), old)
}

// Swap sets key to v and returns the previous value and whether there was
// one (loaded). One linearizable step.
func (m *FSMap[V]) Swap(key string, v V) (previous V, loaded bool, err error) {
	return m.inner().Swap(m.full(key), v)
}

// Compute reads key's value (old, with loaded saying whether it is
// present), calls fn, and does what fn returns: CancelOp leaves the key
// as it is, UpdateOp stores the returned value, DeleteOp deletes the key.
// It returns the key's value afterwards (for CancelOp and DeleteOp, the
// value fn was given) and ok, whether the key exists afterwards.
//
// The read, fn and the write are one linearizable step, across processes
// in Shared mode: fn runs while the collection's write lock (and in Shared
// mode the exclusive file lock) is held. So fn must be quick and must not
// call this map, which would wait for the lock fn runs under: a deadlock.
// A word count is:
//
//	m.Compute(word, func(n int, _ bool) (int, fscollections.ComputeOp) { return n + 1, fscollections.UpdateOp })
func (m *FSMap[V]) Compute(key string, fn func(old V, loaded bool) (V, ComputeOp)) (actual V, ok bool, err error) {
	if f, ok := m.inner().(*domain.Map[V]); ok {
		// The file engine called directly, so that this closure can stay on
		// the stack (the one fn is, reaching the Redis engine below, cannot).
		return f.Compute(m.full(key), func(old V, loaded bool) (V, domain.ComputeAction) {
			return actionOf(fn(old, loaded))
		})
	}
	return m.inner().Compute(m.full(key), func(old V, loaded bool) (V, domain.ComputeAction) {
		return actionOf(fn(old, loaded))
	})
}

// actionOf translates what a Compute function returned for the engine.
func actionOf[V any](v V, op ComputeOp) (V, domain.ComputeAction) {
	switch op {
	case UpdateOp:
		return v, domain.ComputeUpdate
	case DeleteOp:
		return v, domain.ComputeDelete
	}
	return v, domain.ComputeCancel
}

// EntryInfo describes a map entry as its last write left it.
type EntryInfo struct {
	// Version identifies the entry's last write: at least 1, different
	// after every write of the key, and never back to an earlier value for
	// the collection's life (across Close and Open, Compact, crashes and
	// processes). It is what SetIfVersion compares. Versions grow, but not
	// by one: they are not a count of writes.
	Version uint64
	// Modified is the wall-clock time of the key's last write, stored on
	// disk. Zero for an entry written by a version of this library that
	// did not record it.
	Modified time.Time
	// Size is the length in bytes of the entry's encoded value as stored:
	// compressed, with Compression.
	Size int64
}

// Info returns the entry of key's version, write time and value size, or
// ErrNotFound naming the key. O(1): one read of the record.
func (m *FSMap[V]) Info(key string) (EntryInfo, error) {
	meta, size, err := m.inner().Info(m.full(key))
	if err != nil {
		return EntryInfo{}, err
	}
	info := EntryInfo{Version: meta.Version, Size: int64(size)}
	if meta.Modified != 0 {
		info.Modified = time.Unix(0, meta.Modified)
	}
	return info, nil
}

// SetIfVersion sets key to v if the key's current version is version
// (0: the key is absent), as one linearizable step, and fails with
// ErrConflict otherwise: optimistic concurrency, as an HTTP ETag. Read the
// version with Info, compute the new value, then write it only if no one
// else wrote the key meanwhile.
func (m *FSMap[V]) SetIfVersion(key string, v V, version uint64) error {
	return m.inner().SetIfVersion(m.full(key), v, version)
}
