package infrastructure

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/edsrzf/mmap-go"
)

// FS is the file system as the adapters use it: the seam through which
// tests make any operation fail (package errorfs), as pebble's vfs does.
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

// syncDirOf fsyncs the directory holding path.
func syncDirOf(fs FS, path string) error { return fs.SyncDir(filepath.Dir(path)) }
