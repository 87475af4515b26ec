package domain

// The ports: what the collections need from storage, declared here where
// they are consumed. infrastructure/ provides the file-backed adapters;
// domaintest/ provides in-memory fakes for unit tests. Both pass the same
// contract suite (domaintest.RunLogContract).

// Log is a data file: a header followed by an append-only run of records.
// Methods are called with the collection's lock held (a read lock for View,
// the write lock for everything else), so implementations need no locking
// of their own.
type Log interface {
	// Path names the file, for error messages.
	Path() string
	// Header is the header the file was opened or created with.
	Header() FileHeader
	// Size is the length of the log in bytes, including appended bytes not
	// yet flushed to the file.
	Size() int64
	// View returns the n bytes at off, which must lie below Size. The slice
	// is only valid until the next call of any other method.
	View(off int64, n int) ([]byte, error)
	// ViewAhead returns the bytes from off on, at most n of them, as far as
	// they can be had without a copy: it stops where the file's bytes meet
	// those still buffered. Empty only when off is outside [0, Size).
	// Valid as long as View's slices.
	ViewAhead(off int64, n int) []byte
	// ReadAt copies flushed bytes at off into b, with read calls rather
	// than through the mapping View uses: one pass over much of a file is
	// faster copied through a small buffer than faulted in page by page.
	ReadAt(b []byte, off int64) (int, error)
	// ReadStableAt is ReadAt for bytes the caller knows were flushed
	// before: it reads the file without consulting the log's state, so
	// another goroutine may append meanwhile (a copy made while writers go
	// on checks its source with it). src must stay open meanwhile.
	ReadStableAt(b []byte, off int64) (int, error)
	// Append adds b at the end of the log and returns its offset. The bytes
	// may stay in a buffer until Flush; View serves them meanwhile.
	Append(b []byte) (int64, error)
	// WriteAt overwrites bytes in place: a swap-and-pop list's slots, the
	// only records ever rewritten (a log is append-only).
	WriteAt(b []byte, off int64) error
	// AppendCopy appends the n bytes at off of src, a log whose bytes
	// below off+n are flushed and never change (a log is append-only),
	// flushing this log's buffer first, and returns where they went. A
	// file copies them inside the kernel (copy_file_range) where it can.
	// It reads src without src's lock: src must stay open meanwhile.
	AppendCopy(src Log, off, n int64) (int64, error)
	// Flush hands buffered bytes to the operating system.
	Flush() error
	// SyncData makes the flushed bytes durable (fsync).
	SyncData() error
	// Truncate cuts the log to size bytes; the buffer must be empty.
	Truncate(size int64) error
	// Refresh picks up what other processes wrote. It reports replaced when
	// the file at the path is no longer the one this Log has open (another
	// process compacted or cleared the collection): the caller must reopen.
	Refresh() (replaced bool, err error)
	// Close releases the file. It does not flush.
	Close() error
}

// IndexFile holds checkpoints of the in-memory index (see checkpoint.go).
type IndexFile interface {
	// Load returns the file's bytes, or nil when there is no index file.
	Load() ([]byte, error)
	// Map is Load for a caller that keeps the bytes as its own memory: they
	// may be mapped copy-on-write rather than read. release (non-nil when
	// b is) must be called once, after the last use of b.
	Map() (b []byte, release func() error, err error)
	// Save replaces the file's contents, atomically and durably, by the
	// concatenation of parts.
	Save(parts ...[]byte) error
	// Stage writes the concatenation of parts to a file beside the index,
	// neither durable nor visible yet, so that the caller can let go of
	// the memory parts view before paying for an fsync. Commit on the
	// result makes it durable and atomically the index; Discard drops it.
	// One staged index exists at a time; Save does not disturb it.
	Stage(parts ...[]byte) (StagedIndex, error)
	// Reserve prepares the file Stage writes for a staged index of up to
	// n bytes, ahead of time, where that makes Stage faster; it stops
	// early, without error, once stop reports true. Optional work: after
	// an error or an early stop, Stage does the work itself.
	Reserve(n int64, stop func() bool) error
	// Truncate cuts the file to n bytes (to strip the clean-close marker),
	// without waiting for the disk: see recovery.open.
	Truncate(n int64) error
	// Append adds b at the end of the file (to put the marker back),
	// without waiting for the disk.
	Append(b []byte) error
	// Size is the file's length in bytes, 0 when absent.
	Size() int64
	// Remove deletes the file, durably; a missing file is not an error.
	Remove() error
}

// StagedIndex is an index written by IndexFile.Stage, waiting for Commit.
type StagedIndex interface {
	// Commit makes the staged index durable and the index, atomically.
	Commit() error
	// Install makes the staged index the index atomically (a rename over
	// it) without waiting for the disk: neither it nor its directory is
	// fsynced, so after a power cut the index may be the previous one,
	// absent or damaged. Only for a checkpoint the data file can rebuild:
	// the loader rejects a damaged one and replays after an older one.
	Install() error
	// Discard removes the staged index.
	Discard() error
}

// Storage is the set of files behind one collection.
type Storage interface {
	// OpenLog opens the live data file. When none exists and create is
	// true, it creates one with header h; when none exists and create is
	// false, it fails with an error matching fs.ErrNotExist.
	OpenLog(h FileHeader, create bool) (Log, error)
	// CreateReplacement creates a new, empty data file with header h beside
	// the live one, for Compact and Clear to fill.
	CreateReplacement(h FileHeader) (Log, error)
	// InstallReplacement makes a filled, synced replacement the live data
	// file, atomically with respect to crashes (a rename). installed reports
	// whether that happened, even when a later step (syncing the directory)
	// failed: from then on the replacement is the live file.
	InstallReplacement(l Log) (installed bool, err error)
	// OpenJournal opens the operation journal of a swap-and-pop list
	// (AutoCompact), creating it with header h when missing and create is set.
	OpenJournal(h FileHeader, create bool) (Log, error)
	// ResetJournal atomically replaces the journal by an empty one with header h.
	ResetJournal(h FileHeader) (Log, error)
	// Index is the index file.
	Index() IndexFile
	// Lock and Unlock take and release the cross-process lock for one
	// operation in Shared mode: shared when exclusive is false.
	Lock(exclusive bool) error
	Unlock() error
	// Close releases the lifetime lock and any other resources.
	Close() error
	// Destroy removes every file of the collection. The storage is closed first.
	Destroy() error
}
