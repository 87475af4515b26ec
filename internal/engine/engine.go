// Package engine is the seam between the public collections
// (fscollections.FSList, FSMap, FSSet) and the engines that store them:
// the file engine (package domain) and the Redis engine (package fsredis).
//
// Everything that must be the same on every engine sits above the seam,
// once: option validation, the choice of codec, nested collection
// references, prefix views, set algebra and the closed-handle behaviour.
// An engine implements one of the interfaces below for a value type whose
// codec it is given at open. Values cross the seam decoded, because the
// file engine caches decoded values keyed by their record's offset, which a
// seam of encoded bytes would defeat (each read would copy the bytes out of
// the mapping before decoding them); an engine that stores bytes, such as
// Redis, encodes and decodes with the codec it was given.
//
// The package also holds the hook through which an engine package outside
// the root (fsredis) wraps its engine in a public handle: the root package
// sets Attach when it is initialised.
package engine

import (
	"context"
	"iter"

	"github.com/fscollections/fscollections/domain"
)

// Common is what every collection engine does whatever its kind.
type Common interface {
	// Len returns the number of elements, 0 once closed.
	Len() int
	// Clear removes every element.
	Clear() error
	// Sync makes every write so far durable, in the engine's terms.
	Sync() error
	// Compact reclaims space held by dead records, where there are any.
	Compact() error
	// Metrics describes the collection's state.
	Metrics() domain.Metrics
	// Close releases the engine's resources; a second Close returns nil.
	Close() error
	// Destroy closes the collection and deletes what stores it.
	Destroy() error
	// Err returns and clears the error that ended an iteration early.
	Err() error
	// Usable returns ErrClosed once closed, and nil while it can be read.
	Usable() error
	// CopyTo writes a consistent copy of the collection into dst, a
	// fresh file collection. Engines that cannot return
	// errors.ErrUnsupported, and the caller copies element by element.
	CopyTo(dst domain.Storage) error
}

// List is a list engine; see fscollections.FSList for each method's contract.
type List[T any] interface {
	Common
	Get(i int) (T, error)
	Set(i int, v T) error
	Append(vs ...T) error
	Insert(i int, v T) error
	Pop(i int) (T, error)
	Take(ctx context.Context) (T, error)
	Reverse() error
	Slice(lo, hi int) ([]T, error)
	All() iter.Seq2[int, T]
	Backward() iter.Seq2[int, T]
	Scan(pred func(T) bool) iter.Seq2[int, T]
	// Range calls fn for each index and element until fn returns false
	// and returns the error that ended it early: its own, not shared
	// through Err.
	Range(fn func(int, T) bool) error
	Index(v T) (int, error)
	Contains(v T) (bool, error)
	Count(v T) (int, error)
	Remove(v T) error
}

// Map is a map engine; see fscollections.FSMap for each method's contract.
type Map[V any] interface {
	Common
	Get(key string) (V, error)
	Lookup(key string) (V, bool, error)
	Set(key string, v V) error
	Delete(key string) error
	Contains(key string) bool
	Pop(key string) (V, error)
	PopItem() (string, V, error)
	SetDefault(key string, v V) (V, error)
	// GetMany sets vals[i] and found[i] for keys[i], looked up together.
	GetMany(keys []string, vals []V, found []bool) error
	// GetManyFunc calls fn with each key's index, value and presence,
	// looked up together; a []byte or string value may be valid only
	// until fn returns.
	GetManyFunc(keys []string, fn func(i int, v V, found bool)) error
	// ContainsMany sets found[i] to whether keys[i] is present.
	ContainsMany(keys []string, found []bool) error
	// SetMany sets keys[i] to vals[i], in batches committed as one.
	SetMany(keys []string, vals []V) error
	// DeleteMany deletes keys and returns how many were present.
	DeleteMany(keys []string) (int, error)
	// DeleteManyFunc deletes each present key for which fn, given the
	// key's index and its value, returns true, deciding and deleting in one
	// step, and returns how many it deleted. fn may run under the engine's
	// write lock; a []byte or string value may be valid only until fn
	// returns.
	DeleteManyFunc(keys []string, fn func(i int, v V) bool) (int, error)
	Update(seq iter.Seq2[string, V]) error
	RandomKey() (string, error)
	All() iter.Seq2[string, V]
	Keys() iter.Seq[string]
	Values() iter.Seq[V]
	Scan(pred func(string, V) bool) iter.Seq2[string, V]
	// Range is List.Range for a map: keys and values in insertion order.
	Range(fn func(string, V) bool) error
	// RangeKeys is Range for the keys alone (no value is read).
	RangeKeys(fn func(string) bool) error
	// RangeViews is Range with each key as bytes. An engine may run fn
	// under its read lock and pass the key, and a []byte or string value,
	// as views valid only until fn returns.
	RangeViews(fn func(key []byte, v V) bool) error
	CompareAndSwap(key string, old, new V) (bool, error)
	CompareAndDelete(key string, old V) (bool, error)
	Swap(key string, v V) (V, bool, error)
	Compute(key string, fn func(old V, loaded bool) (V, domain.ComputeAction)) (actual V, ok bool, err error)
	// Info returns key's version and modification time and the size of
	// its encoded value.
	Info(key string) (domain.EntryMeta, int, error)
	SetIfVersion(key string, v V, version uint64) error
}

// Set is a set engine; see fscollections.FSSet for each method's
// contract. Elements are the same when their encodings are equal, and the
// batch methods, which set algebra uses, work on those encodings.
type Set[T any] interface {
	Common
	Add(v T) error
	Contains(v T) bool
	Remove(v T) error
	Discard(v T) error
	Pop() (T, error)
	All() iter.Seq[T]
	Scan(pred func(T) bool) iter.Seq[T]
	// Range is List.Range for a set: elements in insertion order.
	Range(fn func(T) bool) error
	// KeyBatches calls fn with the encodings of the elements in insertion
	// order, a batch at a time with no lock held, until fn returns false;
	// an error that ends it early goes to report.
	KeyBatches(fn func(keys [][]byte) bool, report func(error))
	// ContainsKeys sets in[i] to whether keys[i] is an element.
	ContainsKeys(keys [][]byte, in []bool) error
	// AddKeys adds the elements encoded as keys and returns how many were new.
	AddKeys(keys [][]byte) (int, error)
	// RemoveKeys removes the elements encoded as keys and returns how many were present.
	RemoveKeys(keys [][]byte) (int, error)
	DecodeKey(key []byte) (T, error)
	EncodeKey(dst []byte, v T) ([]byte, error)
	// ReportIterErr records err as the error that ended an iteration, for Err.
	ReportIterErr(err error)
}

// The file engine implements the seam.
var (
	_ List[int]    = (*domain.List[int])(nil)
	_ Map[int]     = (*domain.Map[int])(nil)
	_ Set[int]     = (*domain.Set[int])(nil)
	_ List[string] = (*domain.List[string])(nil)
)

// Attach wraps an engine in a public handle: handle is a new
// *fscollections.FSList[T], *FSMap[T] or *FSSet[T], eng the matching
// List[T], Map[T] or Set[T], name what Path reports and opts the
// *fscollections.Options the engine was opened with (nil for defaults).
// The root package sets it when it is initialised; engine packages import
// the root, so it is set before they can call it.
var Attach func(handle, eng any, name string, opts any) error
