package infrastructure

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"syscall"
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
	timeout   time.Duration // how long any wait for the lock lasts
	lock      *flock.Flock  // nil: no lock file exists or can be made (see OpenStorageFS)
	release   func()        // drops the entry in the process's registry
	index     *IndexFile
	afterDone func() error // run by Close and Destroy (temporary collections)
}

var _ domain.Storage = (*Storage)(nil)

// NoWait, as a timeout, makes every lock attempt a single try.
const NoWait = time.Nanosecond

// OpenStorage takes the collection's lock as mode asks, waiting up to
// timeout for another process to release it, then returns its storage.
// afterClose, if not nil, runs after Close and Destroy.
func OpenStorage(base string, mode Mode, timeout time.Duration, afterClose func() error) (*Storage, error) {
	return OpenStorageFS(OS, base, mode, timeout, afterClose)
}

// OpenStorageFS is OpenStorage on the file system fs. Every file call
// goes through fs, the flock calls on the lock file excepted: a lock is
// the kernel's and always taken on the real file.
//
// A path this process already holds in a mode that excludes mode fails at
// once with ErrLocked: no wait can end while this process holds it. A
// read-only open of a collection with no lock file, in a directory where
// none can be made (read-only), takes no lock: no writer can hold one there.
func OpenStorageFS(fsys FS, base string, mode Mode, timeout time.Duration, afterClose func() error) (*Storage, error) {
	s := &Storage{fs: fsys, base: base, mode: mode, timeout: timeout,
		index: &IndexFile{fs: fsys, path: base + IndexSuffix, recycle: mode == Exclusive}, afterDone: afterClose}
	if mode.readOnly() {
		if _, err := fsys.Stat(base + DataSuffix); err != nil {
			return nil, fmt.Errorf("fscollections: open %s read-only: %w", base, err)
		}
	}
	release, err := register(base, mode)
	if err != nil {
		return nil, err
	}
	s.release = release
	lockPath := base + LockSuffix
	f, err := fsys.OpenFile(lockPath, os.O_CREATE|os.O_RDONLY, 0o600)
	switch {
	case err == nil:
		_ = f.Close()
		s.lock = flock.New(lockPath, flock.SetFlag(os.O_RDONLY))
	case mode.readOnly() && (errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EROFS)):
		// Read-only directory and no lock file: nobody can be writing.
	default:
		release()
		return nil, fmt.Errorf("fscollections: open lock file %s: %w", lockPath, err)
	}
	if mode.perOp() || s.lock == nil {
		return s, nil
	}
	if err := s.lockLifetime(); err != nil {
		release()
		return nil, err
	}
	return s, nil
}

// lockWithin takes the lock (exclusive or shared), trying at once and then
// at growing intervals until the storage's timeout has passed.
func (s *Storage) lockWithin(exclusive bool) (bool, error) {
	try := s.lock.TryRLock
	if exclusive {
		try = s.lock.TryLock
	}
	deadline := time.Now().Add(s.timeout)
	for pause := 50 * time.Microsecond; ; pause = min(2*pause, time.Millisecond) {
		ok, err := try()
		if ok || err != nil {
			return ok, err
		}
		left := time.Until(deadline)
		if s.timeout <= NoWait || left <= 0 {
			return false, nil
		}
		time.Sleep(min(pause, left))
	}
}

// lockedError is the ErrLocked of a lock not granted within the timeout.
func (s *Storage) lockedError(what string) error {
	holder := ""
	if b, err := readSmall(s.fs, s.lock.Path()); err == nil && len(b) > 0 {
		holder = " (held by process " + strings.TrimSpace(string(b)) + ")"
	}
	wait := "gave up after " + s.timeout.String()
	if s.timeout <= NoWait {
		wait = "NoWait"
	}
	return fmt.Errorf("%w: %s: %s is held by another process%s, or by a read-only handle; %s",
		domain.ErrLocked, what, s.base, holder, wait)
}

func (s *Storage) lockLifetime() error {
	ok, err := s.lockWithin(s.mode == Exclusive)
	if err != nil {
		return fmt.Errorf("fscollections: lock %s: %w", s.lock.Path(), err)
	}
	if !ok {
		return s.lockedError("open")
	}
	if s.mode == Exclusive {
		// Who holds the lock, for the next opener's error message.
		s.writePid()
	}
	return nil
}

// writePid records this process's pid in the lock file, for the error
// message of the next process that waits for the lock. Best effort: the
// lock works without it.
func (s *Storage) writePid() {
	f, err := s.fs.OpenFile(s.lock.Path(), os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return
	}
	_, _ = f.Write([]byte(strconv.Itoa(os.Getpid()) + "\n"))
	_ = f.Close()
}

// readSmall reads a small file (at most 64 bytes) through fs.
func readSmall(fs FS, path string) ([]byte, error) {
	f, err := fs.OpenFile(path, os.O_RDONLY, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b := make([]byte, 64)
	n, err := f.ReadAt(b, 0)
	if n > 0 {
		err = nil
	}
	return b[:n], err
}

// Base is the collection's base path.
func (s *Storage) Base() string { return s.base }

// OpenLog opens the data file, creating it with header h if create is set.
func (s *Storage) OpenLog(h domain.FileHeader, create bool) (domain.Log, error) {
	path := s.base + DataSuffix
	if !s.mode.readOnly() {
		// Left by a writer that crashed: a Compact's data file, a new data
		// file, an index being saved. The staging file is kept where the
		// index recycles it (see IndexFile.Stage): it is only ever
		// overwritten, never read.
		leftovers := []string{path + replacementSuffix, path + newSuffix, s.base + IndexSuffix + tmpSuffix}
		if !s.index.recycles() {
			leftovers = append(leftovers, s.base+IndexSuffix+StageSuffix)
		}
		for _, p := range leftovers {
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

// Lock takes the per-operation lock (Shared mode), waiting up to the
// timeout, then failing with ErrLocked.
func (s *Storage) Lock(exclusive bool) error {
	if s.lock == nil {
		return nil
	}
	ok, err := s.lockWithin(exclusive)
	if err != nil {
		return fmt.Errorf("fscollections: lock %s: %w", s.lock.Path(), err)
	}
	if !ok {
		what := "read"
		if exclusive {
			what = "write"
		}
		return s.lockedError(what)
	}
	return nil
}

// Unlock releases the per-operation lock.
func (s *Storage) Unlock() error {
	if s.lock == nil {
		return nil
	}
	return s.lock.Unlock()
}

// Close releases the lifetime lock.
func (s *Storage) Close() error {
	var err error
	if s.lock != nil {
		err = s.lock.Close()
	}
	if s.release != nil {
		s.release()
		s.release = nil
	}
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
