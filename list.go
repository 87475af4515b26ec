package fscollections

import (
	"context"
	"errors"
	"iter"
	"slices"

	"github.com/fscollections/fscollections/application"
	"github.com/fscollections/fscollections/domain"
	"github.com/fscollections/fscollections/internal/engine"
)

// FSList is a list of T stored on disk: a slice that survives restarts.
// Indexes run from 0 to Len()-1. All methods are safe for concurrent use;
// reads run in parallel (in Shared mode, one at a time per process).
type FSList[T any] struct {
	l      engine.List[T] // the engine: files, or Redis (package fsredis)
	path   string
	temp   bool     // opened with path "": its files go with Close
	refs   *refs    // for elements that are collection handles, else nil
	remote *Options // on another engine than the files (Redis): its options; path is its name
}

// inner is the open collection, or a closed one for a zero or nil handle,
// so that its methods answer ErrClosed instead of panicking.
func (l *FSList[T]) inner() engine.List[T] {
	if l == nil || l.l == nil {
		return domain.ClosedList[T]()
	}
	return l.l
}

// Len returns the number of elements (0 once closed). O(1).
func (l *FSList[T]) Len() int { return l.inner().Len() }

// Get returns element i, or ErrIndexOutOfRange. O(1): one read from the
// mapped file, or none on a cache hit.
func (l *FSList[T]) Get(i int) (T, error) { return l.inner().Get(i) }

// Set replaces element i. O(1): the new value is appended to the log.
func (l *FSList[T]) Set(i int, v T) error { return l.inner().Set(i, v) }

// Append adds vs at the end, in order, under one lock. O(1) per element.
func (l *FSList[T]) Append(vs ...T) error {
	e := l.inner()
	if f, ok := e.(*domain.List[T]); ok {
		// The file engine called directly, not through the interface: vs
		// then stays on the caller's stack (no allocation per Append).
		return f.Append(vs...)
	}
	return e.Append(slices.Clone(vs)...)
}

// Insert puts v at index i, shifting later elements up; Insert(Len(), v)
// appends. O(Len()-i) in memory (8 bytes moved per element), O(1) on disk.
func (l *FSList[T]) Insert(i int, v T) error { return l.inner().Insert(i, v) }

// Pop removes and returns element i: ErrEmpty on an empty list,
// ErrIndexOutOfRange outside 0..Len()-1. O(Len()-i) in memory, O(1) on disk.
func (l *FSList[T]) Pop(i int) (T, error) { return l.inner().Pop(i) }

// Take removes and returns the first element, waiting until there is one:
// the consumer side of a queue. An Append in this process wakes it at
// once; in Shared mode it also looks for other processes' appends every
// 10 ms, sleeping in between (it never spins a core). It returns ctx's
// error when ctx ends first, and ErrClosed promptly when the list is
// closed, also for a goroutine already waiting. Each element goes to
// exactly one Take or Pop, across processes too.
func (l *FSList[T]) Take(ctx context.Context) (T, error) { return l.inner().Take(ctx) }

// Slice returns a new slice of elements lo..hi-1 (0 <= lo <= hi <= Len()).
// Records stored next to each other are read together.
func (l *FSList[T]) Slice(lo, hi int) ([]T, error) { return l.inner().Slice(lo, hi) }

// All yields each index and element, first to last. See the package
// documentation for what a loop that mutates the list sees, and Err for
// errors that end it early.
func (l *FSList[T]) All() iter.Seq2[int, T] { return l.inner().All() }

// Backward yields each index and element, last to first.
func (l *FSList[T]) Backward() iter.Seq2[int, T] { return l.inner().Backward() }

// Scan yields the index and element of each element for which pred
// returns true, streaming in bounded memory. pred runs with no lock held.
func (l *FSList[T]) Scan(pred func(T) bool) iter.Seq2[int, T] { return l.inner().Scan(pred) }

// Index returns the index of the first element equal to v (equal
// encodings), or -1 and ErrNotFound. O(Len()), without decoding.
func (l *FSList[T]) Index(v T) (int, error) { return l.inner().Index(v) }

// Contains reports whether an element equals v. O(Len()).
func (l *FSList[T]) Contains(v T) (bool, error) { return l.inner().Contains(v) }

// Count returns how many elements equal v. O(Len()).
func (l *FSList[T]) Count(v T) (int, error) { return l.inner().Count(v) }

// Remove removes the first element equal to v, or returns ErrNotFound.
func (l *FSList[T]) Remove(v T) error { return l.inner().Remove(v) }

// Reverse reverses the order of the elements in place. O(Len()) in memory,
// one small record on disk.
func (l *FSList[T]) Reverse() error { return l.inner().Reverse() }

// Clear removes every element and truncates the files.
func (l *FSList[T]) Clear() error { return l.inner().Clear() }

// Sync makes every write so far durable (flush and fsync).
func (l *FSList[T]) Sync() error { return l.inner().Sync() }

// Compact rewrites the data file with only the live elements, in list
// order. Crash-safe: a crash at any instant leaves the old or the new file.
func (l *FSList[T]) Compact() error { return l.inner().Compact() }

// Metrics returns the list's Metrics, computed without disk writes.
func (l *FSList[T]) Metrics() Metrics { return metricsOf(l.inner().Metrics()) }

// Range calls fn for each index and element, first to last, until fn
// returns false, and returns the error that ended the iteration early: nil
// when it ran to the end or fn stopped it, ErrClosed on a closed list.
// The error is this call's own, unlike All's, which Err reports for the
// whole handle: goroutines that iterate one list at the same time should
// use Range. Like All, it holds no lock while fn runs.
func (l *FSList[T]) Range(fn func(i int, v T) bool) error { return l.inner().Range(fn) }

// Err returns the error that ended an iteration (All, Backward, Scan)
// early since the last call to Err, and clears it. A loop that may end
// early for a reason other than break should check it. Err belongs to the
// handle, not to one loop: when several goroutines iterate the same
// handle, one may take another's error; they should use Range instead.
func (l *FSList[T]) Err() error { return l.inner().Err() }

// Close makes everything durable, writes the index checkpoint with the
// clean-close marker and releases the files and lock. A temporary list's
// files are deleted instead. Closing twice returns nil.
func (l *FSList[T]) Close() error {
	err := errors.Join(l.children().closeChildren(), l.inner().Close())
	if l != nil {
		forget(l.path, l)
	}
	return err
}

// Destroy closes the list and deletes its files.
func (l *FSList[T]) Destroy() error {
	err := errors.Join(l.children().closeChildren(), l.inner().Destroy())
	if l != nil {
		forget(l.path, l)
	}
	return err
}

// Backup writes an online, consistent, compacted copy of the collection
// to a new collection at path, which it opens as (same kind, value type
// and options). It holds the read lock while it copies: readers go on,
// writers wait, and the copy is one state of the collection. The copy has
// its own identity (its index files cannot be taken for the original's).
// A collection already at path is refused with ErrInvalidOptions; a copy
// that fails is removed. A list on Redis is copied into files at path
// batch by batch, without stopping writers: a write made during the copy
// may or may not be in it.
func (l *FSList[T]) Backup(path string) error {
	if l != nil && l.refs != nil {
		return errNestedBackup
	}
	if l != nil && l.remote != nil {
		return l.copyBackup(path)
	}
	return application.Backup(path, l.inner().CopyTo)
}

// Path returns the base path of the list's files (for a temporary list,
// inside its temporary directory); for a list on Redis, its name.
func (l *FSList[T]) Path() string {
	if l == nil {
		return ""
	}
	return l.path
}
