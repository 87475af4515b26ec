package infrastructure

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gofrs/flock"

	"github.com/fscollections/fscollections/domain"
)

// The files of a collection at base path P.
const (
	DataSuffix  = ".data.fscollection"
	IndexSuffix = ".index.fscollection"
	LockSuffix  = ".lock.fscollection"
	// JournalSuffix names the operation journal of a swap-and-pop list.
	JournalSuffix = ".journal.fscollection"
	// replacementSuffix marks a data file being written by Compact or Clear.
	replacementSuffix = ".compact"
)

// FileSuffixes lists every file a collection at base path P may have, as
// suffixes of P: the live files, and those a write in progress leaves.
func FileSuffixes() []string {
	return []string{DataSuffix, IndexSuffix, LockSuffix, JournalSuffix,
		DataSuffix + replacementSuffix, DataSuffix + newSuffix, JournalSuffix + newSuffix,
		IndexSuffix + tmpSuffix, IndexSuffix + StageSuffix}
}

// The suffixes of files being written: a new data file or journal before
// its rename, an index being saved.
const (
	newSuffix = ".new"
	tmpSuffix = ".tmp"
)

// Mode says how a collection is shared with other processes.
type Mode int

// The modes.
const (
	// Exclusive holds an exclusive lock on the collection while it is open.
	Exclusive Mode = iota
	// ReadOnly holds a shared lock while open: read-only handles coexist.
	ReadOnly
	// Shared takes the lock per operation: shared to read, exclusive to write.
	Shared
	// SharedReadOnly is Shared without writes.
	SharedReadOnly
)

func (m Mode) readOnly() bool { return m == ReadOnly || m == SharedReadOnly }
func (m Mode) perOp() bool    { return m == Shared || m == SharedReadOnly }

// Storage is the domain.Storage of a collection at a base path: its data,
// index and lock files.
type Storage struct {
	fs        FS
	base      string
	mode      Mode
	lock      *flock.Flock
	index     *IndexFile
	afterDone func() error // run by Close and Destroy (temporary collections)
}

var _ domain.Storage = (*Storage)(nil)

// OpenStorage takes the collection's lock as mode asks, waiting up to
// timeout for another process to release it, then returns its storage.
// afterClose, if not nil, runs after Close and Destroy.
func OpenStorage(base string, mode Mode, timeout time.Duration, afterClose func() error) (*Storage, error) {
	return OpenStorageFS(OS, base, mode, timeout, afterClose)
}

// OpenStorageFS is OpenStorage on the file system fs (locks excepted:
// they always use the real file system).
func OpenStorageFS(fs FS, base string, mode Mode, timeout time.Duration, afterClose func() error) (*Storage, error) {
	s := &Storage{fs: fs, base: base, mode: mode, index: &IndexFile{fs: fs, path: base + IndexSuffix}, afterDone: afterClose}
	lockPath := base + LockSuffix
	flag := os.O_CREATE | os.O_RDONLY
	if mode.readOnly() {
		if _, err := os.Stat(base + DataSuffix); err != nil {
			return nil, fmt.Errorf("fscollections: open %s read-only: %w", base, err)
		}
		if _, err := os.Stat(lockPath); err != nil {
			flag = os.O_RDONLY // no lock file and perhaps no right to create one
		}
	}
	s.lock = flock.New(lockPath, flock.SetFlag(flag), flock.SetPermissions(0o600))
	if mode.perOp() {
		return s, nil
	}
	if err := s.lockLifetime(timeout); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Storage) lockLifetime(timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	try := s.lock.TryLockContext
	if s.mode == ReadOnly {
		try = s.lock.TryRLockContext
	}
	ok, err := try(ctx, 5*time.Millisecond)
	if ok {
		if s.mode == Exclusive {
			// Who holds the lock, for the next opener's error message.
			_ = os.WriteFile(s.lock.Path(), []byte(strconv.Itoa(os.Getpid())+"\n"), 0o600)
		}
		return nil
	}
	if err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("fscollections: lock %s: %w", s.lock.Path(), err)
	}
	holder := ""
	if b, err := os.ReadFile(s.lock.Path()); err == nil && len(b) > 0 {
		holder = " (held by process " + strings.TrimSpace(string(b)) + ")"
	}
	return fmt.Errorf("%w: %s%s, gave up after %v", domain.ErrLocked, s.base, holder, timeout)
}

// Base is the collection's base path.
func (s *Storage) Base() string { return s.base }

// OpenLog opens the data file, creating it with header h if create is set.
func (s *Storage) OpenLog(h domain.FileHeader, create bool) (domain.Log, error) {
	path := s.base + DataSuffix
	if !s.mode.readOnly() {
		// Left by a writer that crashed: a Compact's data file, a new data
		// file, an index being saved or staged.
		for _, p := range []string{path + replacementSuffix, path + newSuffix,
			s.base + IndexSuffix + tmpSuffix, s.base + IndexSuffix + StageSuffix} {
			_ = s.fs.Remove(p)
		}
	}
	return s.openOrCreate(path, h, create)
}

// openOrCreate opens the log file at path, creating it with header h
// when it is missing and create is set.
func (s *Storage) openOrCreate(path string, h domain.FileHeader, create bool) (domain.Log, error) {
	d, err := openDataFile(s.fs, path, s.mode.readOnly())
	if errors.Is(err, fs.ErrNotExist) && create {
		if err = createDataFile(s.fs, path, h); err == nil {
			d, err = openDataFile(s.fs, path, false)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("fscollections: open %s: %w", path, err)
	}
	return d, nil
}

// CreateReplacement creates an empty data file beside the live one.
func (s *Storage) CreateReplacement(h domain.FileHeader) (domain.Log, error) {
	path := s.base + DataSuffix + replacementSuffix
	if err := writeFileSync(s.fs, path, h.Encode()); err != nil {
		return nil, err
	}
	return openDataFile(s.fs, path, false)
}

// InstallReplacement renames the replacement over the live data file and
// fsyncs the directory. Once the rename is done the replacement is live,
// whatever fails after: installed says so.
func (s *Storage) InstallReplacement(l domain.Log) (installed bool, err error) {
	d, ok := l.(*DataFile)
	if !ok {
		return false, fmt.Errorf("fscollections: replacement is a %T, not a *DataFile", l)
	}
	live := s.base + DataSuffix
	if err := s.fs.Rename(d.path, live); err != nil {
		return false, err
	}
	d.path = live
	return true, syncDirOf(s.fs, live)
}

// OpenJournal opens the journal, creating it with header h if asked.
func (s *Storage) OpenJournal(h domain.FileHeader, create bool) (domain.Log, error) {
	return s.openOrCreate(s.base+JournalSuffix, h, create)
}

// ResetJournal atomically replaces the journal by an empty one.
func (s *Storage) ResetJournal(h domain.FileHeader) (domain.Log, error) {
	path := s.base + JournalSuffix
	if err := createDataFile(s.fs, path, h); err != nil {
		return nil, fmt.Errorf("fscollections: reset %s: %w", path, err)
	}
	return openDataFile(s.fs, path, false)
}

// Index is the index file.
func (s *Storage) Index() domain.IndexFile { return s.index }

// Lock takes the per-operation lock (Shared mode), blocking until granted.
func (s *Storage) Lock(exclusive bool) error {
	var err error
	if exclusive {
		err = s.lock.Lock()
	} else {
		err = s.lock.RLock()
	}
	if err != nil {
		return fmt.Errorf("fscollections: lock %s: %w", s.lock.Path(), err)
	}
	return nil
}

// Unlock releases the per-operation lock.
func (s *Storage) Unlock() error { return s.lock.Unlock() }

// Close releases the lifetime lock.
func (s *Storage) Close() error {
	err := s.lock.Close()
	if s.afterDone != nil {
		err = errors.Join(err, s.afterDone())
		s.afterDone = nil
	}
	return err
}

// Destroy removes the collection's files. Close has already run.
func (s *Storage) Destroy() error {
	var errs []error
	for _, suffix := range FileSuffixes() {
		if err := s.fs.Remove(s.base + suffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
