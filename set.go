package fscollections

import (
	"errors"
	"iter"

	"github.com/fscollections/fscollections/application"
	"github.com/fscollections/fscollections/domain"
	"github.com/fscollections/fscollections/internal/engine"
)

// FSSet is a set of T stored on disk. Two values are the same element
// when their encodings are equal (so for float64, +0 and -0 differ and
// NaN equals NaN; for time.Time, the same instant in two zones differs).
// Iteration is in insertion order. All methods are safe for concurrent use.
type FSSet[T any] struct {
	s      engine.Set[T] // the engine: files, or Redis (package fsredis)
	path   string
	temp   bool     // opened with path "": its files go with Close
	refs   *refs    // for elements that are collection handles, else nil
	remote *Options // on another engine than the files (Redis): its options; path is its name
}

// inner is the open collection, or a closed one for a zero or nil handle,
// so that its methods answer ErrClosed instead of panicking.
func (s *FSSet[T]) inner() engine.Set[T] {
	if s == nil || s.s == nil {
		return domain.ClosedSet[T]()
	}
	return s.s
}

// Len returns the number of elements (0 once closed). O(1).
func (s *FSSet[T]) Len() int { return s.inner().Len() }

// Add adds v; adding a present element writes nothing. O(1).
func (s *FSSet[T]) Add(v T) error { return s.inner().Add(v) }

// Contains reports whether v is in the set (false once closed). O(1).
func (s *FSSet[T]) Contains(v T) bool { return s.inner().Contains(v) }

// Remove removes v, or returns ErrNotFound.
func (s *FSSet[T]) Remove(v T) error { return s.inner().Remove(v) }

// Discard removes v if present; a missing v is not an error.
func (s *FSSet[T]) Discard(v T) error { return s.inner().Discard(v) }

// Pop removes and returns the most recently added element, or ErrEmpty.
func (s *FSSet[T]) Pop() (T, error) { return s.inner().Pop() }

// All yields every element in insertion order.
func (s *FSSet[T]) All() iter.Seq[T] { return s.inner().All() }

// Scan yields the elements for which pred returns true, streaming in
// bounded memory. pred runs with no lock held.
func (s *FSSet[T]) Scan(pred func(T) bool) iter.Seq[T] { return s.inner().Scan(pred) }

// Clear removes every element and truncates the files.
func (s *FSSet[T]) Clear() error { return s.inner().Clear() }

// Sync makes every write so far durable (flush and fsync).
func (s *FSSet[T]) Sync() error { return s.inner().Sync() }

// Compact rewrites the data file with only the live elements. Crash-safe.
func (s *FSSet[T]) Compact() error { return s.inner().Compact() }

// Metrics returns the set's Metrics, computed without disk writes.
func (s *FSSet[T]) Metrics() Metrics { return metricsOf(s.inner().Metrics()) }

// Range calls fn for each element in insertion order until fn returns
// false, and returns the error that ended the iteration early: nil when it
// ran to the end or fn stopped it, ErrClosed on a closed set. The error
// is this call's own, unlike All's, which Err reports for the whole
// handle: goroutines that iterate one set at the same time should use
// Range. Like All, it holds no lock while fn runs.
func (s *FSSet[T]) Range(fn func(v T) bool) error { return s.inner().Range(fn) }

// Err returns the error that ended an iteration (All, Scan, and the set
// algebra's streams) early since the last call to Err, and clears it. It
// belongs to the handle, not to one loop: goroutines iterating at the
// same time should use Range, whose error is its own.
func (s *FSSet[T]) Err() error { return s.inner().Err() }

// Close makes everything durable, writes the index checkpoint with the
// clean-close marker and releases the files and lock. A temporary set's
// files are deleted instead. Closing twice returns nil.
func (s *FSSet[T]) Close() error {
	err := errors.Join(s.children().closeChildren(), s.inner().Close())
	if s != nil {
		forget(s.path, s)
	}
	return err
}

// Destroy closes the set and deletes its files.
func (s *FSSet[T]) Destroy() error {
	err := errors.Join(s.children().closeChildren(), s.inner().Destroy())
	if s != nil {
		forget(s.path, s)
	}
	return err
}

// Backup writes an online, consistent, compacted copy of the collection
// to a new collection at path, which it opens as (same kind, value type
// and options). It holds the read lock while it copies: readers go on,
// writers wait, and the copy is one state of the collection. The copy has
// its own identity (its index files cannot be taken for the original's).
// A collection already at path is refused with ErrInvalidOptions; a copy
// that fails is removed.
// On Redis, see FSList.Backup.
func (s *FSSet[T]) Backup(path string) error {
	if s != nil && s.refs != nil {
		return errNestedBackup
	}
	if s != nil && s.remote != nil {
		return s.copyBackup(path)
	}
	return application.Backup(path, s.inner().CopyTo)
}

// Path returns the base path of the set's files; for a set on Redis, its name.
func (s *FSSet[T]) Path() string {
	if s == nil {
		return ""
	}
	return s.path
}
