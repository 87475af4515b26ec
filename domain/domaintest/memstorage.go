// Package domaintest provides in-memory fakes of the domain's ports and
// the contract suites every implementation of them must pass: the fakes
// let the domain's logic be tested without I/O, and running the same
// suites against infrastructure's files keeps fake and real in step.
package domaintest

import (
	"fmt"
	"io/fs"
	"slices"
	"sync"

	"github.com/fscollections/fscollections/domain"
)

// Disk is the in-memory "disk" behind MemStorage: the contents of one
// collection's data and index files. Several MemStorages opened on one
// Disk see the same files, as processes do.
type Disk struct {
	mu      sync.Mutex
	data    *memFile // nil: no data file
	journal *memFile // nil: no journal
	index   []byte   // nil: no index file
	staged  *memStaged
	lock    sync.RWMutex
	synced  int // data bytes made durable by SyncData
	inode   int // bumped when the data file is replaced
	// reserves lists the sizes IndexFile.Reserve was asked for.
	reserves []int64
}

type memFile struct {
	b     []byte
	inode int
}

// Reserves returns the sizes the index's staging file was reserved at, in order.
func (d *Disk) Reserves() []int64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.reserves)
}

// Synced returns the data bytes made durable so far.
func (d *Disk) Synced() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.synced
}

// Data returns a copy of the data file's bytes.
func (d *Disk) Data() []byte {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.data == nil {
		return nil
	}
	return append([]byte(nil), d.data.b...)
}

// MemStorage is a domain.Storage on a Disk.
type MemStorage struct {
	disk *Disk
	held int // 0 none, 1 shared, 2 exclusive
}

var _ domain.Storage = (*MemStorage)(nil)

// NewMemStorage returns a storage on disk.
func NewMemStorage(disk *Disk) *MemStorage { return &MemStorage{disk: disk} }

// OpenLog opens the data file, creating it with header h when asked.
func (s *MemStorage) OpenLog(h domain.FileHeader, create bool) (domain.Log, error) {
	d := s.disk
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.data == nil {
		if !create {
			return nil, fmt.Errorf("open mem data file: %w", fs.ErrNotExist)
		}
		d.inode++
		d.data = &memFile{b: h.Encode(), inode: d.inode}
		d.synced = len(d.data.b)
	}
	hdr, err := domain.DecodeFileHeader("mem", d.data.b)
	if err != nil {
		return nil, err
	}
	return &MemLog{disk: d, file: d.data, hdr: hdr, flushed: int64(len(d.data.b))}, nil
}

// CreateReplacement creates a detached data file holding header h.
func (s *MemStorage) CreateReplacement(h domain.FileHeader) (domain.Log, error) {
	f := &memFile{b: h.Encode()}
	return &MemLog{disk: s.disk, file: f, hdr: h, flushed: int64(len(f.b)), detached: true}, nil
}

// InstallReplacement makes l the data file.
func (s *MemStorage) InstallReplacement(l domain.Log) (bool, error) {
	ml, ok := l.(*MemLog)
	if !ok || !ml.detached {
		return false, fmt.Errorf("not a replacement: %T", l)
	}
	d := s.disk
	d.mu.Lock()
	defer d.mu.Unlock()
	d.inode++
	ml.file.inode = d.inode
	d.data = ml.file
	d.synced = len(ml.file.b)
	ml.detached = false
	return true, nil
}

// OpenJournal opens the journal, creating it with header h if asked.
func (s *MemStorage) OpenJournal(h domain.FileHeader, create bool) (domain.Log, error) {
	d := s.disk
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.journal == nil {
		if !create {
			return nil, fmt.Errorf("open mem journal: %w", fs.ErrNotExist)
		}
		d.journal = &memFile{b: h.Encode()}
	}
	hdr, err := domain.DecodeFileHeader("mem journal", d.journal.b)
	if err != nil {
		return nil, err
	}
	return &MemLog{disk: d, file: d.journal, hdr: hdr, flushed: int64(len(d.journal.b)), journal: true}, nil
}

// ResetJournal replaces the journal by an empty one.
func (s *MemStorage) ResetJournal(h domain.FileHeader) (domain.Log, error) {
	d := s.disk
	d.mu.Lock()
	d.journal = &memFile{b: h.Encode()}
	d.mu.Unlock()
	return s.OpenJournal(h, false)
}

// Index is the index file.
func (s *MemStorage) Index() domain.IndexFile { return memIndex{s.disk} }

// Lock takes the disk's lock, as flock does between processes.
func (s *MemStorage) Lock(exclusive bool) error {
	if s.held != 0 {
		return fmt.Errorf("mem storage: lock taken twice")
	}
	if exclusive {
		s.disk.lock.Lock()
		s.held = 2
	} else {
		s.disk.lock.RLock()
		s.held = 1
	}
	return nil
}

// Unlock releases what Lock took.
func (s *MemStorage) Unlock() error {
	switch s.held {
	case 1:
		s.disk.lock.RUnlock()
	case 2:
		s.disk.lock.Unlock()
	}
	s.held = 0
	return nil
}

// Clone returns a copy of the disk as it is now: the files a process that
// died at this instant would leave (a staged index, never installed, is
// not among them).
func (d *Disk) Clone() *Disk {
	d.mu.Lock()
	defer d.mu.Unlock()
	c := &Disk{index: slices.Clone(d.index), synced: d.synced, inode: d.inode}
	if d.data != nil {
		c.data = &memFile{b: slices.Clone(d.data.b), inode: d.data.inode}
	}
	if d.journal != nil {
		c.journal = &memFile{b: slices.Clone(d.journal.b), inode: d.journal.inode}
	}
	return c
}

// PowerLoss drops what was written to the data file but never synced, as
// a power cut does.
func (d *Disk) PowerLoss() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.data != nil && len(d.data.b) > d.synced {
		d.data.b = d.data.b[:d.synced]
	}
}

// Close does nothing: there is no lifetime lock.
func (s *MemStorage) Close() error { return nil }

// Destroy deletes the files.
func (s *MemStorage) Destroy() error {
	d := s.disk
	d.mu.Lock()
	defer d.mu.Unlock()
	d.data, d.index, d.journal = nil, nil, nil
	return nil
}

type memIndex struct{ d *Disk }

func (x memIndex) Load() ([]byte, error) {
	x.d.mu.Lock()
	defer x.d.mu.Unlock()
	if x.d.index == nil {
		return nil, nil
	}
	return append([]byte(nil), x.d.index...), nil
}

func (x memIndex) Map() ([]byte, func() error, error) {
	b, err := x.Load()
	if b == nil || err != nil {
		return nil, nil, err
	}
	return b, func() error { return nil }, nil
}

func (x memIndex) Save(parts ...[]byte) error {
	x.d.mu.Lock()
	defer x.d.mu.Unlock()
	x.d.index = slices.Concat(parts...)
	return nil
}

// Stage keeps a copy of parts until Commit, which installs it, as a staged
// file is invisible (and lost in a crash) until renamed over the index.
func (x memIndex) Stage(parts ...[]byte) (domain.StagedIndex, error) {
	x.d.mu.Lock()
	defer x.d.mu.Unlock()
	st := &memStaged{d: x.d, b: slices.Concat(parts...)}
	x.d.staged = st
	return st, nil
}

// Reserve only notes n (see Disk.Reserves): memory has no page cache to warm.
func (x memIndex) Reserve(n int64, _ func() bool) error {
	x.d.mu.Lock()
	defer x.d.mu.Unlock()
	x.d.reserves = append(x.d.reserves, n)
	return nil
}

type memStaged struct {
	d *Disk
	b []byte
}

func (s *memStaged) Commit() error {
	s.d.mu.Lock()
	defer s.d.mu.Unlock()
	if s.d.staged != s {
		return fmt.Errorf("mem storage: staged index replaced before Commit")
	}
	s.d.index, s.d.staged = s.b, nil
	return nil
}

// Install is Commit: this storage does not model the index's durability.
func (s *memStaged) Install() error { return s.Commit() }

func (s *memStaged) Discard() error {
	s.d.mu.Lock()
	defer s.d.mu.Unlock()
	if s.d.staged == s {
		s.d.staged = nil
	}
	return nil
}

func (x memIndex) Truncate(n int64) error {
	x.d.mu.Lock()
	defer x.d.mu.Unlock()
	if n > int64(len(x.d.index)) {
		return fmt.Errorf("truncate index to %d beyond %d", n, len(x.d.index))
	}
	x.d.index = x.d.index[:n]
	return nil
}

func (x memIndex) Append(b []byte) error {
	x.d.mu.Lock()
	defer x.d.mu.Unlock()
	if x.d.index == nil {
		return fmt.Errorf("append to a missing index")
	}
	x.d.index = append(x.d.index, b...)
	return nil
}

func (x memIndex) Remove() error {
	x.d.mu.Lock()
	defer x.d.mu.Unlock()
	x.d.index = nil
	return nil
}

func (x memIndex) Size() int64 {
	x.d.mu.Lock()
	defer x.d.mu.Unlock()
	return int64(len(x.d.index))
}

// MemLog is a domain.Log on a Disk's data file, buffering appends as the
// real one does so that a simulated crash can lose them.
type MemLog struct {
	disk     *Disk
	file     *memFile
	hdr      domain.FileHeader
	flushed  int64
	buf      []byte
	detached bool
	journal  bool
	closed   bool
}

var _ domain.Log = (*MemLog)(nil)

// Path names the fake file.
func (l *MemLog) Path() string { return "mem" }

// Header is the file's header.
func (l *MemLog) Header() domain.FileHeader { return l.hdr }

// Size includes buffered bytes.
func (l *MemLog) Size() int64 { return l.flushed + int64(len(l.buf)) }

// View returns n bytes at off.
// ReadAt copies flushed bytes at off into b.
func (l *MemLog) ReadAt(b []byte, off int64) (int, error) {
	l.disk.mu.Lock()
	defer l.disk.mu.Unlock()
	if off < 0 || off+int64(len(b)) > l.flushed {
		return 0, fmt.Errorf("read of %d bytes at %d outside %d flushed bytes", len(b), off, l.flushed)
	}
	return copy(b, l.file.b[off:]), nil
}

// ReadStableAt copies bytes at off of the file into b, holding only the
// disk's lock: appends may go on meanwhile.
func (l *MemLog) ReadStableAt(b []byte, off int64) (int, error) {
	l.disk.mu.Lock()
	defer l.disk.mu.Unlock()
	if off < 0 || off+int64(len(b)) > int64(len(l.file.b)) {
		return 0, fmt.Errorf("read of %d bytes at %d outside %d bytes of file", len(b), off, len(l.file.b))
	}
	return copy(b, l.file.b[off:]), nil
}

func (l *MemLog) ViewAhead(off int64, n int) []byte {
	if off < 0 || off >= l.Size() || n <= 0 {
		return nil
	}
	if off >= l.flushed {
		b := l.buf[off-l.flushed:]
		k := min(len(b), n)
		return b[:k:k]
	}
	end := min(l.flushed, off+int64(n))
	l.disk.mu.Lock()
	defer l.disk.mu.Unlock()
	return l.file.b[off:end:end]
}

func (l *MemLog) View(off int64, n int) ([]byte, error) {
	if off < 0 || n < 0 || off > l.Size()-int64(n) {
		return nil, fmt.Errorf("range of %d bytes at %d outside %d bytes", n, off, l.Size())
	}
	end := off + int64(n)
	switch {
	case off >= l.flushed:
		return l.buf[off-l.flushed : end-l.flushed : end-l.flushed], nil
	case end <= l.flushed:
		l.disk.mu.Lock()
		defer l.disk.mu.Unlock()
		return l.file.b[off:end:end], nil
	}
	l.disk.mu.Lock() // spans the file and the buffer
	defer l.disk.mu.Unlock()
	out := append([]byte(nil), l.file.b[off:l.flushed]...)
	return append(out, l.buf[:end-l.flushed]...), nil
}

// Append buffers b.
func (l *MemLog) Append(b []byte) (int64, error) {
	if l.closed {
		return 0, fmt.Errorf("append to closed log")
	}
	off := l.Size()
	l.buf = append(l.buf, b...)
	return off, nil
}

// AppendCopy appends n bytes of src, another MemLog, at off.
func (l *MemLog) AppendCopy(src domain.Log, off, n int64) (int64, error) {
	s, ok := src.(*MemLog)
	if !ok {
		return 0, fmt.Errorf("mem storage: copy from a %T", src)
	}
	s.disk.mu.Lock()
	if off < 0 || n < 0 || off+n > int64(len(s.file.b)) {
		s.disk.mu.Unlock()
		return 0, fmt.Errorf("mem storage: copy [%d, %d) outside %d flushed bytes", off, off+n, len(s.file.b))
	}
	b := append([]byte(nil), s.file.b[off:off+n]...)
	s.disk.mu.Unlock()
	if err := l.Flush(); err != nil {
		return 0, err
	}
	at := l.Size()
	l.buf = append(l.buf, b...)
	return at, l.Flush()
}

// WriteAt overwrites in place.
func (l *MemLog) WriteAt(b []byte, off int64) error {
	if off < 0 || off+int64(len(b)) > l.Size() {
		return fmt.Errorf("write outside the log")
	}
	if off >= l.flushed {
		copy(l.buf[off-l.flushed:], b)
		return nil
	}
	l.disk.mu.Lock()
	defer l.disk.mu.Unlock()
	copy(l.file.b[off:], b)
	return nil
}

// Flush moves the buffer to the file.
func (l *MemLog) Flush() error {
	l.disk.mu.Lock()
	defer l.disk.mu.Unlock()
	l.file.b = append(l.file.b[:l.flushed], l.buf...)
	l.flushed = int64(len(l.file.b))
	l.buf = l.buf[:0]
	return nil
}

// SyncData records the flushed length as durable.
func (l *MemLog) SyncData() error {
	l.disk.mu.Lock()
	defer l.disk.mu.Unlock()
	if !l.detached && l.disk.data == l.file {
		l.disk.synced = int(l.flushed)
	}
	return nil
}

// Truncate cuts the file.
func (l *MemLog) Truncate(size int64) error {
	if len(l.buf) > 0 {
		return fmt.Errorf("truncate with buffered bytes")
	}
	l.disk.mu.Lock()
	defer l.disk.mu.Unlock()
	l.file.b = l.file.b[:size]
	l.flushed = size
	return nil
}

// Refresh notices growth and replacement by other storages on the disk.
func (l *MemLog) Refresh() (bool, error) {
	l.disk.mu.Lock()
	defer l.disk.mu.Unlock()
	if !l.journal && l.disk.data != l.file || l.journal && l.disk.journal != l.file {
		return true, nil
	}
	switch n := int64(len(l.file.b)); {
	case n < l.Size():
		return true, nil
	case n > l.flushed && len(l.buf) == 0:
		l.flushed = n
	}
	return false, nil
}

// Close marks the log closed.
func (l *MemLog) Close() error {
	l.closed = true
	return nil
}

// SetData replaces the disk's data file with b, as if written by anyone.
func SetData(d *Disk, b []byte) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.inode++
	d.data = &memFile{b: append([]byte(nil), b...), inode: d.inode}
	d.synced = len(b)
}
