package fscollections

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fscollections/fscollections/application"
	"github.com/fscollections/fscollections/domain"
)

// Errors returned by the collections, matched with errors.Is. Each is
// wrapped with context: the index, key, path or offset concerned.
var (
	// ErrClosed is returned by every method after Close or Destroy.
	ErrClosed = domain.ErrClosed
	// ErrIndexOutOfRange is returned for a list index outside 0..Len()-1
	// (0..Len() for Insert); the message gives the index and the length.
	ErrIndexOutOfRange = domain.ErrIndexOutOfRange
	// ErrNotFound is returned for a missing map key (named in the message),
	// a value not in a list, or an element not in a set.
	ErrNotFound = domain.ErrNotFound
	// ErrEmpty is returned by Pop and PopItem on an empty collection.
	ErrEmpty = domain.ErrEmpty
	// ErrLocked is returned by Open when another process holds the
	// collection for longer than Options.LockTimeout, and at once when this
	// process already has it open in a mode that excludes the one asked
	// for (see Options.Shared and Options.ReadOnly). In Shared mode every
	// operation waits at most LockTimeout for its turn, then fails with it.
	ErrLocked = domain.ErrLocked
	// ErrReadOnly is returned by every write to a collection opened ReadOnly.
	ErrReadOnly = domain.ErrReadOnly
	// ErrTypeMismatch is returned by Open when the files hold another kind
	// of collection or value type; the message names both.
	ErrTypeMismatch = domain.ErrTypeMismatch
	// ErrCorrupt is returned when bytes on disk fail their checksum or do
	// not parse. The error is a *CorruptError with the file and offset.
	ErrCorrupt = domain.ErrCorrupt
	// ErrUnsupportedType is returned by Open for a value type no codec
	// can carry: channels, functions, complex numbers, interfaces with
	// methods, structs with no exported fields (collection types by value
	// among them; by pointer they are nested collections); the message
	// names the type and where in it the trouble lies.
	ErrUnsupportedType = domain.ErrUnsupportedType
	// ErrInvalidOptions is returned by Open for Options that make no sense.
	ErrInvalidOptions = domain.ErrInvalidOptions
	// ErrTooLarge is returned for a value or key over MaxValueSize bytes.
	ErrTooLarge = domain.ErrTooLarge
	// ErrAppendOnly is returned by every write that would change or remove
	// what a collection opened with Options.AppendOnly holds.
	ErrAppendOnly = domain.ErrAppendOnly
	// ErrConflict is returned by a conditional write whose condition does
	// not hold: SetIfVersion when the key's version is another.
	ErrConflict = domain.ErrConflict
	// ErrFailed is returned by every write after a write to the files
	// failed in a way that leaves the disk's contents unknown (a failed
	// fsync): Close and reopen the collection to recover what the files
	// hold. Reads keep working meanwhile.
	ErrFailed = domain.ErrFailed
)

// CorruptError reports damaged bytes in a file, and matches ErrCorrupt
// (errors.Is). Its fields:
//
//	Path   string // the file
//	Offset int64  // where the bad bytes start
//	Reason string // what is wrong with them
//
// Get it with errors.As(err, &ce) for a ce of type *CorruptError.
type CorruptError = domain.CorruptError

// Codec encodes and decodes values of type T. Set Options.Codec to a
// Codec[T] to store T your own way; CodecFor returns the built-in one.
// A codec is used from many goroutines at once and must be safe for that.
type Codec[T any] interface {
	// TypeName names the type. It is written in the data file header (and
	// the Redis metadata), and reopening a collection with a codec of
	// another name fails with ErrTypeMismatch.
	TypeName() string
	// FixedSize is the length of every encoding when all have the same
	// length, or 0 when lengths vary. AutoCompact lists need a fixed size.
	FixedSize() int
	// Append appends the encoding of v to dst and returns the extended
	// slice. Two values are the same set element, and compare equal in
	// CompareAndSwap and list Index, when their encodings are equal.
	Append(dst []byte, v T) ([]byte, error)
	// Decode decodes one value. data is only valid during the call: a
	// decoder that keeps bytes must copy them.
	Decode(data []byte) (T, error)
}

// CodecFor returns the built-in codec the collections use for T, or
// ErrUnsupportedType:
//
//   - integers: fixed-size little-endian (int, uint and uintptr take 8
//     bytes on every platform); float32, float64: IEEE 754 bits; bool: one byte;
//   - string and []byte: the raw bytes; uuid.UUID: its 16 bytes;
//   - time.Time: MarshalBinary (instant and zone offset);
//   - a type whose value implements encoding.BinaryMarshaler and whose
//     pointer implements encoding.BinaryUnmarshaler: those;
//   - other structs, maps, slices, arrays, pointers and named basic types:
//     JSON. Channels, functions, complex numbers, interfaces other than
//     any, and structs with only unexported fields are unsupported.
func CodecFor[T any]() (Codec[T], error) { return domain.CodecFor[T]() }

// Metrics describes a collection's state and the history of its handle.
// On Redis only Len is filled in (and CleanShutdown is true).
type Metrics struct {
	// Len is the number of elements.
	Len int
	// LiveBytes is the size of the records holding current elements.
	LiveBytes int64
	// DeadBytes is the size of the records that no longer count: replaced
	// or removed values and the operation records that replaced or
	// removed them. Compact reclaims them.
	DeadBytes int64
	// DataFileBytes and IndexFileBytes are the sizes of the two files.
	DataFileBytes  int64
	IndexFileBytes int64
	// FragmentationRatio is DeadBytes / (LiveBytes + DeadBytes), 0 when empty.
	FragmentationRatio float64
	// WastedBytes is what Compact would reclaim from the data file (DeadBytes).
	WastedBytes int64
	// IndexHeapBytes is the Go heap held by the in-memory index.
	IndexHeapBytes int64
	// CleanShutdown reports whether the previous Close was clean: the index
	// file carried the clean-close marker and covered the whole data file.
	CleanShutdown bool
	// Recoveries counts crash recoveries this handle performed: Opens that
	// had to replay records or cut a torn tail.
	Recoveries int64
	// RecordsReplayed counts records read to rebuild the index since Open,
	// at Open and, in Shared mode, when catching up with other processes.
	// After a clean Close, Open replays none.
	RecordsReplayed int64
	// TornBytes counts bytes of incomplete records cut off the end of the data file.
	TornBytes int64
	// Compactions counts Compact runs, manual and automatic, by this handle.
	Compactions int64
	// CacheHits, CacheMisses and CacheEvictions count value-cache activity.
	CacheHits      int64
	CacheMisses    int64
	CacheEvictions int64
	// Reads counts physical reads of record bytes: a run of contiguous
	// records read together by Slice or an iteration counts once.
	Reads int64
}

// metricsOf converts the engine's metrics.
func metricsOf(m domain.Metrics) Metrics { return Metrics(m) }

// MaxValueSize is the largest encoded value (map keys included) one record holds.
const MaxValueSize = domain.MaxPayload

// CachePolicy selects the value cache.
type CachePolicy int

// The cache policies. Caches hold decoded values keyed by the record's
// offset in the data file, so list shifts and map reordering never
// invalidate them.
const (
	// NoCache decodes every read from the mapped file (the default).
	NoCache CachePolicy = iota
	// LRU evicts the least recently used value.
	LRU
	// FIFO evicts the oldest cached value.
	FIFO
	// LFU evicts the least frequently used value; among equals, the least
	// recently used.
	LFU
)

// Compression selects how values are stored on disk (Options.Compression).
type Compression int

// The compressions.
const (
	// NoCompression stores each value as its codec's bytes (the default).
	NoCompression Compression = iota
	// Snappy stores each value compressed with Snappy (the block format),
	// one value at a time: a read still touches one record, and records
	// stay checksummed as before. It pays for values with repeated bytes
	// (JSON field names, text, padding); short or random values gain
	// nothing and cost a little CPU on every write and uncached read.
	Snappy
)

// String returns the name of the compression: "none" or "snappy".
func (c Compression) String() string {
	switch c {
	case NoCompression:
		return "none"
	case Snappy:
		return "snappy"
	}
	return fmt.Sprintf("Compression(%d)", int(c))
}

// SyncPolicy says when writes become durable (survive power loss).
type SyncPolicy int

// The sync policies. Whatever the policy, a process crash (SIGKILL) loses
// at most the writes still in the in-process write buffer (64 KiB) under
// SyncNever, and recovery always yields the result of a prefix of the
// writes issued.
const (
	// SyncNever leaves durability to the operating system; Sync and Close
	// make everything durable. Once 8 MiB have been written since the last
	// fsync, a pause of 200 ms in the writes is used to fsync them in the
	// background, so that a Close after a burst has little left to wait
	// for (nothing is promised of it). The fastest (the default).
	SyncNever SyncPolicy = iota
	// SyncAlways makes every write durable before it returns. Concurrent
	// writers share one fsync (group commit).
	SyncAlways
	// SyncInterval makes writes durable in the background every
	// Options.SyncInterval.
	SyncInterval
)

// NoWait, as Options.LockTimeout, makes Open (and each operation in Shared
// mode) try the lock once and fail with ErrLocked at once if it is held.
const NoWait = time.Nanosecond

// Defaults for zero Options fields.
const (
	DefaultCacheSize    = 1024
	DefaultSyncInterval = time.Second
	DefaultLockTimeout  = time.Second
)

// Options configure Open. A nil *Options means all defaults. Open
// validates them and returns ErrInvalidOptions for nonsense.
type Options struct {
	// Cache is the value cache policy. Default NoCache.
	Cache CachePolicy
	// CacheSize is the number of values the cache holds. Default
	// DefaultCacheSize (1024) when Cache is set; must be 0 with NoCache.
	CacheSize int
	// Sync is the durability policy. Default SyncNever.
	Sync SyncPolicy
	// SyncInterval is the period of SyncInterval. Default
	// DefaultSyncInterval (1s); must be 0 with other policies.
	SyncInterval time.Duration
	// CompactionThreshold runs Compact automatically after a write once
	// dead bytes / total bytes exceeds it and the data file is over 1 MiB.
	// 0 (the default) disables it; otherwise it must be in (0, 1).
	CompactionThreshold float64
	// AutoCompact stores a list of fixed-size values (ints, floats, bool,
	// uuid.UUID, or a Codec with a FixedSize) as exactly its live values:
	// removing an element moves the physically last record into the hole
	// and shortens the file, O(1) on disk, so the data file never holds a
	// dead record. List order is unchanged; it is kept by the index and a
	// small journal (path.journal.fscollection). Lists only, not with
	// Shared. Default false.
	AutoCompact bool
	// Shared lets several processes open the collection read-write at
	// once: every operation takes the file lock (shared to read, exclusive
	// to write) and first catches up with what others wrote. All processes
	// opening a collection must agree on Shared. Default false: the
	// collection is locked exclusively while open.
	Shared bool
	// ReadOnly opens an existing collection for reading only. Read-only
	// handles hold a shared lock for their life and coexist with each
	// other; they exclude writers, Shared ones included, whose operations
	// fail with ErrLocked after LockTimeout while one is open. To read a
	// collection that Shared writers use, set both Shared and ReadOnly.
	// In a read-only directory where the collection has no lock file (and
	// none can be made, so no writer can hold one), no lock is taken.
	// Default false.
	ReadOnly bool
	// LockTimeout bounds every wait for the file lock: Open's, and in
	// Shared mode each operation's. Past it the call fails with ErrLocked.
	// Default DefaultLockTimeout (1s); NoWait tries once and does not wait.
	// Nothing ever waits forever.
	LockTimeout time.Duration
	// AppendOnly makes the collection immutable once written: new list
	// elements (Append), map keys and set elements may be added, and
	// nothing written can change or go. Map: Set, Swap, Compute,
	// CompareAndSwap… of an existing key, Delete, Pop, PopItem, Clear fail
	// with ErrAppendOnly; set: Remove, Discard, Pop, RemoveAll, RetainAll,
	// Clear; list: everything that writes but Append (and Insert at
	// Len(), which appends). Reads, iteration, Sync and Compact work as
	// usual. It is a property of the handle, not the files: a handle
	// opened without it may change them. Default false.
	AppendOnly bool
	// Codec, when set, must be a Codec[T] for the collection's value type
	// and replaces the built-in codec. Default nil: CodecFor[T].
	Codec any
	// Compression compresses each value on its way to disk (after the
	// codec). It is a property of the files: the data file's type name
	// says "snappy:" and the codec's name, and opening a collection with
	// another Compression than it was created with fails with
	// ErrTypeMismatch. Lists and maps only (a set's elements are its keys,
	// compared byte for byte), not with AutoCompact (compressed values
	// vary in length), nor for collections of collections (their values
	// are short references). Default NoCompression.
	Compression Compression
}

// cacheKinds and syncModes translate the public policies into the
// wiring's, by name rather than by number (withDefaults has rejected any
// other value).
var (
	cacheKinds = map[CachePolicy]application.CacheKind{
		NoCache: application.NoCache, LRU: application.LRU, FIFO: application.FIFO, LFU: application.LFU,
	}
	syncModes = map[SyncPolicy]domain.SyncMode{
		SyncNever: domain.SyncNever, SyncAlways: domain.SyncAlways, SyncInterval: domain.SyncInterval,
	}
)

// invalid is an ErrInvalidOptions error.
func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidOptions, fmt.Sprintf(format, args...))
}

// withDefaults validates o, the options of a collection at path, and
// returns them with every zero field that has a default set to it. It is
// the one place where options are checked.
func (o Options) withDefaults(path string) (Options, error) {
	switch o.Cache {
	case NoCache:
		if o.CacheSize != 0 {
			return o, invalid("CacheSize %d without a Cache policy", o.CacheSize)
		}
	case LRU, FIFO, LFU:
		if o.CacheSize < 0 {
			return o, invalid("CacheSize %d is negative", o.CacheSize)
		}
		if o.CacheSize == 0 {
			o.CacheSize = DefaultCacheSize
		}
	default:
		return o, invalid("unknown Cache policy %d", o.Cache)
	}
	switch o.Sync {
	case SyncNever, SyncAlways:
		if o.SyncInterval != 0 {
			return o, invalid("SyncInterval %v needs Sync: SyncInterval", o.SyncInterval)
		}
	case SyncInterval:
		if o.SyncInterval < 0 {
			return o, invalid("SyncInterval %v is negative", o.SyncInterval)
		}
		if o.SyncInterval == 0 {
			o.SyncInterval = DefaultSyncInterval
		}
	default:
		return o, invalid("unknown Sync policy %d", o.Sync)
	}
	if o.Compression != NoCompression && o.Compression != Snappy {
		return o, invalid("unknown Compression %d", o.Compression)
	}
	if t := o.CompactionThreshold; math.IsNaN(t) || t < 0 || t >= 1 {
		return o, invalid("CompactionThreshold %v is outside [0, 1)", t)
	}
	if o.LockTimeout < 0 {
		return o, invalid("LockTimeout %v is negative", o.LockTimeout)
	}
	if o.LockTimeout == 0 {
		o.LockTimeout = DefaultLockTimeout
	}
	if path != "" && (strings.HasSuffix(path, "/") || strings.HasSuffix(path, string(os.PathSeparator)) ||
		filepath.Base(path) == "." || filepath.Base(path) == "..") {
		return o, invalid("path %q names a directory; give a base path such as %s", path, filepath.Join(path, "name"))
	}
	if path == "" && (o.Shared || o.ReadOnly) {
		return o, invalid("a temporary collection (path \"\") cannot be Shared or ReadOnly")
	}
	return o, nil
}

// codecOf returns the codec of a collection of T opened with o (and, for
// a collection of collections, its references' state).
func codecOf[T any](o Options, opts *Options, kind domain.Kind) (Codec[T], *refs, error) {
	var zero T
	var codec Codec[T]
	var r *refs
	_, nested := any(zero).(collectionHandle)
	if o.Compression != NoCompression {
		switch {
		case kind == domain.KindSet:
			return nil, nil, invalid("Compression is for lists and maps: a set's elements are its keys")
		case o.AutoCompact:
			return nil, nil, invalid("AutoCompact cannot be combined with Compression: compressed values vary in length")
		case nested:
			return nil, nil, invalid("Compression is not for collections of collections: their values are short references")
		}
	}
	switch {
	case nested && o.Codec == nil:
		// Nested collections: the values are references to children.
		r = &refs{opts: childOptions(opts)}
		codec = newRefCodec[T](r)
	case o.Codec != nil:
		c, ok := o.Codec.(Codec[T])
		if !ok {
			return nil, nil, invalid("Codec is a %T, not a Codec[%T]", o.Codec, zero)
		}
		codec = c
	default:
		c, err := domain.CodecFor[T]()
		if err != nil {
			return nil, nil, err
		}
		codec = c
	}
	if o.Compression == Snappy {
		codec = domain.Snappy[T](codec)
	}
	if err := application.CheckTypeName(codec.TypeName()); err != nil {
		return nil, nil, invalid("%v", err)
	}
	if o.AutoCompact {
		switch {
		case kind != domain.KindList:
			return nil, nil, invalid("AutoCompact is for lists; map and set records vary in length")
		case codec.FixedSize() == 0:
			return nil, nil, invalid("AutoCompact needs a fixed-size codec; %s has variable size", codec.TypeName())
		case o.Shared:
			return nil, nil, invalid("AutoCompact cannot be combined with Shared")
		}
	}
	return codec, r, nil
}

// settings validates opts for a collection of T at path and returns the
// wiring's settings, the codec and, for a collection of collections, its
// references' state.
func settings[T any](path string, opts *Options, kind domain.Kind) (application.Settings, Codec[T], *refs, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	o, err := o.withDefaults(path)
	if err != nil {
		return application.Settings{}, nil, nil, err
	}
	codec, r, err := codecOf[T](o, opts, kind)
	if err != nil {
		return application.Settings{}, nil, nil, err
	}
	return application.Settings{
		Path: path, ReadOnly: o.ReadOnly, Shared: o.Shared,
		Cache: cacheKinds[o.Cache], CacheSize: o.CacheSize,
		Sync: syncModes[o.Sync], SyncEvery: o.SyncInterval,
		CompactionThreshold: o.CompactionThreshold, LockTimeout: o.LockTimeout,
		AutoCompact: o.AutoCompact, AppendOnly: o.AppendOnly,
	}, codec, r, nil
}

// OpenList opens the list stored at path (files path.data.fscollection
// and path.index.fscollection), creating it and missing parent
// directories if needed. path "" creates a temporary list in a fresh
// directory under os.TempDir() that Close deletes. opts nil means defaults.
func OpenList[T any](path string, opts *Options) (*FSList[T], error) {
	s, codec, r, err := settings[T](path, opts, domain.KindList)
	if err != nil {
		return nil, err
	}
	l, o, err := application.OpenList(s, codec)
	if err != nil {
		return nil, err
	}
	h := &FSList[T]{l: l, path: o.Base, temp: path == "", refs: r}
	if r != nil {
		r.setParent(o.Base, path == "")
	}
	remember(o.Base, h)
	return h, nil
}

// OpenMap opens the map stored at path; see OpenList for path and opts.
func OpenMap[V any](path string, opts *Options) (*FSMap[V], error) {
	s, codec, r, err := settings[V](path, opts, domain.KindMap)
	if err != nil {
		return nil, err
	}
	s.Versioned = true
	m, o, err := application.OpenMap(s, codec)
	if err != nil {
		return nil, err
	}
	h := &FSMap[V]{m: m, path: o.Base, temp: path == "", refs: r}
	if r != nil {
		r.setParent(o.Base, path == "")
	}
	remember(o.Base, h)
	return h, nil
}

// OpenSet opens the set stored at path; see OpenList for path and opts.
func OpenSet[T any](path string, opts *Options) (*FSSet[T], error) {
	s, codec, r, err := settings[T](path, opts, domain.KindSet)
	if err != nil {
		return nil, err
	}
	set, o, err := application.OpenSet(s, codec)
	if err != nil {
		return nil, err
	}
	h := &FSSet[T]{s: set, path: o.Base, temp: path == "", refs: r}
	if r != nil {
		r.setParent(o.Base, path == "")
	}
	remember(o.Base, h)
	return h, nil
}
