package domain

import (
	"errors"
	"fmt"
)

// The sentinel errors of the library. The root package re-exports each one;
// callers match them with errors.Is. Every error returned by a collection
// wraps one of them with context such as the index, key, path or offset.
var (
	// ErrClosed is returned by every method of a collection after Close or Destroy.
	ErrClosed = errors.New("fscollections: collection is closed")
	// ErrIndexOutOfRange is returned when a list index is outside 0..Len()-1
	// (0..Len() for Insert).
	ErrIndexOutOfRange = errors.New("fscollections: index out of range")
	// ErrNotFound is returned when a key or value is not in the collection.
	ErrNotFound = errors.New("fscollections: not found")
	// ErrEmpty is returned by Pop and PopItem on an empty collection.
	ErrEmpty = errors.New("fscollections: collection is empty")
	// ErrLocked is returned when the collection's lock is not granted: by
	// Open when another process holds it for longer than
	// Options.LockTimeout, or at once when this process already has the
	// collection open; and in Shared mode by an operation whose lock is
	// not granted within Options.LockTimeout.
	ErrLocked = errors.New("fscollections: collection is locked")
	// ErrReadOnly is returned by every mutating method of a collection opened
	// with Options.ReadOnly.
	ErrReadOnly = errors.New("fscollections: collection is read-only")
	// ErrTypeMismatch is returned by Open when the files hold another kind of
	// collection or another value type than the one asked for.
	ErrTypeMismatch = errors.New("fscollections: type mismatch")
	// ErrCorrupt is returned when a file's bytes fail their checksum or do not
	// parse. The error is a *CorruptError naming the file and offset.
	ErrCorrupt = errors.New("fscollections: corrupt data")
	// ErrUnsupportedType is returned by Open for a value type no codec can
	// carry (channels, functions, complex numbers, interfaces).
	ErrUnsupportedType = errors.New("fscollections: unsupported type")
	// ErrInvalidOptions is returned by Open for Options that make no sense.
	ErrInvalidOptions = errors.New("fscollections: invalid options")
	// ErrTooLarge is returned when a single value or key exceeds MaxPayload.
	ErrTooLarge = errors.New("fscollections: value too large")
	// ErrAppendOnly is returned by a write that would change or remove
	// something already written, in a collection opened AppendOnly.
	ErrAppendOnly = errors.New("fscollections: collection is append-only")
	// ErrConflict is returned by a conditional write whose condition does
	// not hold (SetIfVersion with another version).
	ErrConflict = errors.New("fscollections: conflict")
	// ErrFailed is returned by every write after a write to the files
	// failed in a way that leaves what is on disk unknown (a failed fsync,
	// or a checkpoint cut short): the collection must be closed and
	// reopened, which recovers what the files really hold. Reads go on working.
	ErrFailed = errors.New("fscollections: an earlier write failed; reopen the collection")
)

// CorruptError reports bytes in a file that fail their checksum or do not parse.
// It matches ErrCorrupt with errors.Is.
type CorruptError struct {
	Path   string // the file
	Offset int64  // where the bad bytes start
	Reason string // what is wrong with them
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("fscollections: corrupt data in %s at offset %d: %s", e.Path, e.Offset, e.Reason)
}

// Is reports whether target is ErrCorrupt.
func (e *CorruptError) Is(target error) bool { return target == ErrCorrupt }

func corrupt(path string, off int64, format string, args ...any) error {
	return &CorruptError{Path: path, Offset: off, Reason: fmt.Sprintf(format, args...)}
}
