package infrastructure

import (
	"errors"
	"io"
	"os"
)

// writeFileSync writes b to a new file at path and fsyncs it.
func writeFileSync(fs FS, path string, b []byte) error {
	f, err := fs.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	return errors.Join(err, f.Close())
}

// IndexFile is a domain.IndexFile on a real file, replaced atomically
// (write a temporary file, fsync, rename, fsync the directory).
type IndexFile struct {
	fs   FS
	path string
}

// Load returns the file's bytes, or nil when it does not exist.
func (x *IndexFile) Load() ([]byte, error) {
	f, err := x.fs.OpenFile(x.path, os.O_RDONLY, 0)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	b := make([]byte, st.Size())
	if _, err := f.ReadAt(b, 0); err != nil && err != io.EOF {
		return nil, err
	}
	return b, nil
}

// Save replaces the file's contents atomically and durably.
func (x *IndexFile) Save(b []byte) error {
	tmp := x.path + ".tmp"
	if err := writeFileSync(x.fs, tmp, b); err != nil {
		return err
	}
	if err := x.fs.Rename(tmp, x.path); err != nil {
		return err
	}
	return syncDirOf(x.fs, x.path)
}

// Truncate cuts the file to n bytes and fsyncs it.
func (x *IndexFile) Truncate(n int64) error {
	f, err := x.fs.OpenFile(x.path, os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	err = f.Truncate(n)
	if err == nil {
		err = f.Sync()
	}
	return errors.Join(err, f.Close())
}

// Size is the file's length, 0 when absent.
func (x *IndexFile) Size() int64 {
	st, err := x.fs.Stat(x.path)
	if err != nil {
		return 0
	}
	return st.Size()
}
