// Package errorfs is a file system for tests that fails the calls it is
// told to: it wraps an infrastructure.FS (usually infrastructure.OS) and
// makes the nth open, write, fsync, mmap, truncate or rename fail with a
// chosen error (ENOSPC, EIO…), once or from then on. The collections'
// fault tests open their storage on it; nothing outside tests imports it.
package errorfs

import (
	"errors"
	"os"
	"sync"
	"syscall"

	"github.com/edsrzf/mmap-go"

	"github.com/fscollections/fscollections/infrastructure"
)

// Op names an operation FS can make fail.
type Op string

// The operations FS counts.
const (
	OpOpen     Op = "open"
	OpWrite    Op = "write"
	OpSync     Op = "fsync"
	OpMmap     Op = "mmap"
	OpTruncate Op = "truncate"
	OpRename   Op = "rename"
)

// ErrInjected is the error FS returns unless told otherwise.
var ErrInjected = errors.New("injected fault")

// FS wraps an FS and fails chosen calls: FailAt(op, n, err) makes
// the nth call of op from now on fail with err (ENOSPC, EIO...). Writes
// that fail write nothing.
type FS struct {
	infrastructure.FS
	mu     sync.Mutex
	counts map[Op]int
	rules  map[Op]faultRule
	hits   int
}

type faultRule struct {
	at     int   // fail when the count reaches at
	err    error // what to return
	always bool  // keep failing from then on
}

// New wraps fs.
func New(fs infrastructure.FS) *FS {
	return &FS{FS: fs, counts: map[Op]int{}, rules: map[Op]faultRule{}}
}

// FailAt makes the nth call of op (counting from 1, from now) fail with
// err; with sticky, every later call fails too, until Clear.
func (e *FS) FailAt(op Op, n int, err error, sticky bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.rules[op] = faultRule{at: e.counts[op] + n, err: err, always: sticky}
}

// Clear removes every rule: the faults are over.
func (e *FS) Clear() {
	e.mu.Lock()
	defer e.mu.Unlock()
	clear(e.rules)
}

// Injected is how many calls failed.
func (e *FS) Injected() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.hits
}

// Count is how many calls of op were made.
func (e *FS) Count(op Op) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.counts[op]
}

func (e *FS) check(op Op, path string) error {
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
func (e *FS) OpenFile(name string, flag int, perm os.FileMode) (infrastructure.File, error) {
	if err := e.check(OpOpen, name); err != nil {
		return nil, err
	}
	f, err := e.FS.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return &errorFile{File: f, fs: e, name: name}, nil
}

// Rename counts as rename.
func (e *FS) Rename(from, to string) error {
	if err := e.check(OpRename, to); err != nil {
		return err
	}
	return e.FS.Rename(from, to)
}

// Exchange counts as rename. It swaps the two names when the wrapped file
// system can (osFS on Linux), and fails otherwise.
func (e *FS) Exchange(a, b string) error {
	if err := e.check(OpRename, b); err != nil {
		return err
	}
	x, ok := e.FS.(interface{ Exchange(a, b string) error })
	if !ok {
		return errors.ErrUnsupported
	}
	return x.Exchange(a, b)
}

// Map counts as mmap.
func (e *FS) Map(f infrastructure.File, length int, mode infrastructure.MapMode) (mmap.MMap, error) {
	if err := e.check(OpMmap, "mmap"); err != nil {
		return nil, err
	}
	if ef, ok := f.(*errorFile); ok {
		f = ef.File
	}
	return e.FS.Map(f, length, mode)
}

// SyncDir counts as fsync.
func (e *FS) SyncDir(dir string) error {
	if err := e.check(OpSync, dir); err != nil {
		return err
	}
	return e.FS.SyncDir(dir)
}

type errorFile struct {
	infrastructure.File
	fs   *FS
	name string
}

func (f *errorFile) WriteAt(b []byte, off int64) (int, error) {
	if err := f.fs.check(OpWrite, f.name); err != nil {
		return 0, err
	}
	return f.File.WriteAt(b, off)
}

func (f *errorFile) Write(b []byte) (int, error) {
	if err := f.fs.check(OpWrite, f.name); err != nil {
		return 0, err
	}
	return f.File.Write(b)
}

func (f *errorFile) Sync() error {
	if err := f.fs.check(OpSync, f.name); err != nil {
		return err
	}
	return f.File.Sync()
}

func (f *errorFile) Truncate(size int64) error {
	if err := f.fs.check(OpTruncate, f.name); err != nil {
		return err
	}
	return f.File.Truncate(size)
}

// ENOSPC is the error of a full disk, for FailAt.
var ENOSPC error = syscall.ENOSPC
