package infrastructure

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"syscall"

	"github.com/edsrzf/mmap-go"
)

// FS is the file system as the adapters use it: the seam through which
// tests make any operation fail (see ErrorFS), as pebble's vfs does.
type FS interface {
	OpenFile(name string, flag int, perm os.FileMode) (File, error)
	Rename(from, to string) error
	Remove(name string) error
	Stat(name string) (os.FileInfo, error)
	// Map maps length bytes of f with mode MapReadOnly, MapShared
	// (writes reach the file) or MapPrivate (writes stay in this process).
	Map(f File, length int, mode MapMode) (mmap.MMap, error)
	// SyncDir fsyncs a directory, making renames in it durable.
	SyncDir(dir string) error
}

// File is an open file.
type File interface {
	io.ReaderAt
	io.WriterAt
	io.Writer
	Sync() error
	Truncate(size int64) error
	Stat() (os.FileInfo, error)
	Close() error
	Fd() uintptr
}

// OS is the real file system.
var OS FS = osFS{}

type osFS struct{}

func (osFS) OpenFile(name string, flag int, perm os.FileMode) (File, error) {
	return os.OpenFile(name, flag, perm)
}
func (osFS) Rename(from, to string) error          { return os.Rename(from, to) }
func (osFS) Remove(name string) error              { return os.Remove(name) }
func (osFS) Stat(name string) (os.FileInfo, error) { return os.Stat(name) }

// MapMode says how FS.Map maps a file.
type MapMode int

// The mapping modes.
const (
	MapReadOnly MapMode = iota // read only
	MapShared                  // writable; writes reach the file
	MapPrivate                 // writable copy-on-write; writes stay in this process
)

func (osFS) Map(f File, length int, mode MapMode) (mmap.MMap, error) {
	osf, ok := f.(*os.File)
	if !ok {
		return nil, fmt.Errorf("cannot map a %T", f)
	}
	prot := mmap.RDONLY
	switch mode {
	case MapShared:
		prot = mmap.RDWR
	case MapPrivate:
		prot = mmap.COPY
	}
	return mmap.MapRegion(osf, length, prot, 0, 0)
}
func (osFS) SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	return errors.Join(err, d.Close())
}

// FaultOp names an operation ErrorFS can make fail.
type FaultOp string

// The operations ErrorFS counts.
const (
	FaultOpen     FaultOp = "open"
	FaultWrite    FaultOp = "write"
	FaultSync     FaultOp = "fsync"
	FaultMmap     FaultOp = "mmap"
	FaultTruncate FaultOp = "truncate"
	FaultRename   FaultOp = "rename"
)

// ErrInjected is the error ErrorFS returns unless told otherwise.
var ErrInjected = errors.New("injected fault")

// ErrorFS wraps an FS and fails chosen calls: FailAt(op, n, err) makes
// the nth call of op from now on fail with err (ENOSPC, EIO...). Writes
// that fail write nothing.
type ErrorFS struct {
	FS
	mu     sync.Mutex
	counts map[FaultOp]int
	rules  map[FaultOp]faultRule
	hits   int
}

type faultRule struct {
	at     int   // fail when the count reaches at
	err    error // what to return
	always bool  // keep failing from then on
}

// NewErrorFS wraps fs.
func NewErrorFS(fs FS) *ErrorFS {
	return &ErrorFS{FS: fs, counts: map[FaultOp]int{}, rules: map[FaultOp]faultRule{}}
}

// FailAt makes the nth call of op (counting from 1, from now) fail with
// err; with sticky, every later call fails too, until Clear.
func (e *ErrorFS) FailAt(op FaultOp, n int, err error, sticky bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.rules[op] = faultRule{at: e.counts[op] + n, err: err, always: sticky}
}

// Clear removes every rule: the faults are over.
func (e *ErrorFS) Clear() {
	e.mu.Lock()
	defer e.mu.Unlock()
	clear(e.rules)
}

// Injected is how many calls failed.
func (e *ErrorFS) Injected() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.hits
}

// Count is how many calls of op were made.
func (e *ErrorFS) Count(op FaultOp) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.counts[op]
}

func (e *ErrorFS) check(op FaultOp, path string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.counts[op]++
	r, ok := e.rules[op]
	if !ok || e.counts[op] < r.at || (e.counts[op] > r.at && !r.always) {
		return nil
	}
	e.hits++
	return &os.PathError{Op: string(op), Path: path, Err: r.err}
}

// OpenFile counts as open.
func (e *ErrorFS) OpenFile(name string, flag int, perm os.FileMode) (File, error) {
	if err := e.check(FaultOpen, name); err != nil {
		return nil, err
	}
	f, err := e.FS.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return &errorFile{File: f, fs: e, name: name}, nil
}

// Rename counts as rename.
func (e *ErrorFS) Rename(from, to string) error {
	if err := e.check(FaultRename, to); err != nil {
		return err
	}
	return e.FS.Rename(from, to)
}

// Map counts as mmap.
func (e *ErrorFS) Map(f File, length int, mode MapMode) (mmap.MMap, error) {
	if err := e.check(FaultMmap, "mmap"); err != nil {
		return nil, err
	}
	if ef, ok := f.(*errorFile); ok {
		f = ef.File
	}
	return e.FS.Map(f, length, mode)
}

// SyncDir counts as fsync.
func (e *ErrorFS) SyncDir(dir string) error {
	if err := e.check(FaultSync, dir); err != nil {
		return err
	}
	return e.FS.SyncDir(dir)
}

type errorFile struct {
	File
	fs   *ErrorFS
	name string
}

func (f *errorFile) WriteAt(b []byte, off int64) (int, error) {
	if err := f.fs.check(FaultWrite, f.name); err != nil {
		return 0, err
	}
	return f.File.WriteAt(b, off)
}

func (f *errorFile) Write(b []byte) (int, error) {
	if err := f.fs.check(FaultWrite, f.name); err != nil {
		return 0, err
	}
	return f.File.Write(b)
}

func (f *errorFile) Sync() error {
	if err := f.fs.check(FaultSync, f.name); err != nil {
		return err
	}
	return f.File.Sync()
}

func (f *errorFile) Truncate(size int64) error {
	if err := f.fs.check(FaultTruncate, f.name); err != nil {
		return err
	}
	return f.File.Truncate(size)
}

// ENOSPC is the error of a full disk, for FailAt.
var ENOSPC error = syscall.ENOSPC

// syncDirOf fsyncs the directory holding path.
func syncDirOf(fs FS, path string) error { return fs.SyncDir(filepath.Dir(path)) }
