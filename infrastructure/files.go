package infrastructure

import (
	"errors"
	"os"
	"path/filepath"
)

// writeFileSync writes b to a new file at path and fsyncs it.
func writeFileSync(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	return errors.Join(err, f.Close())
}

// syncDir fsyncs the directory holding path, making renames in it durable.
func syncDir(path string) error {
	d, err := os.Open(filepath.Dir(path))
	if err != nil {
		return err
	}
	err = d.Sync()
	return errors.Join(err, d.Close())
}

// IndexFile is a domain.IndexFile on a real file, replaced atomically
// (write a temporary file, fsync, rename, fsync the directory).
type IndexFile struct {
	path string
}

// Load returns the file's bytes, or nil when it does not exist.
func (x *IndexFile) Load() ([]byte, error) {
	b, err := os.ReadFile(x.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	return b, err
}

// Save replaces the file's contents atomically and durably.
func (x *IndexFile) Save(b []byte) error {
	tmp := x.path + ".tmp"
	if err := writeFileSync(tmp, b); err != nil {
		return err
	}
	if err := os.Rename(tmp, x.path); err != nil {
		return err
	}
	return syncDir(x.path)
}

// Truncate cuts the file to n bytes and fsyncs it.
func (x *IndexFile) Truncate(n int64) error {
	f, err := os.OpenFile(x.path, os.O_WRONLY, 0o600)
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
	st, err := os.Stat(x.path)
	if err != nil {
		return 0
	}
	return st.Size()
}
