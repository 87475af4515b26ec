package infrastructure

import (
	"errors"
	"io"
	"os"

	"github.com/edsrzf/mmap-go"

	"github.com/fscollections/fscollections/domain"
)

// writeFile writes the concatenation of parts to a new file at path,
// fsyncing it when sync is set.
func writeFile(fs FS, path string, parts [][]byte, sync bool) error {
	f, err := fs.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	err = writePartsAt(f, parts, 0)
	if err == nil && sync {
		err = f.Sync()
	}
	return errors.Join(err, f.Close())
}

// writeFileSync writes b to a new file at path and fsyncs it.
func writeFileSync(fs FS, path string, b []byte) error {
	return writeFile(fs, path, [][]byte{b}, true)
}

// IndexFile is a domain.IndexFile on a real file, replaced atomically
// (write a temporary file, fsync, rename, fsync the directory).
//
// Checkpoints are staged in a file beside the index and installed by
// exchanging the two names where the file system can (Linux), so that the
// old index becomes the next staging file: overwriting a file whose pages
// are in the page cache is two to several times faster than filling a new
// one (on the 2-core VM we measure on, 4-20 ms against 30-70 ms for a
// 21 MB checkpoint; see Reserve for keeping such a file ready while the
// index grows). The file this handle mapped at Open is never overwritten:
// its bytes back the state in memory.
type IndexFile struct {
	fs      FS
	path    string
	recycle bool        // the only handle (Exclusive): the staging file may be reused
	mapped  os.FileInfo // the file Map mapped, or nil
}

// exchanger is a file system that can swap two names atomically (osFS on
// Linux).
type exchanger interface {
	Exchange(a, b string) error
}

// recycles reports whether staging files are reused.
func (x *IndexFile) recycles() bool {
	_, ok := x.fs.(exchanger)
	return x.recycle && ok
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

// Map returns the file's bytes mapped copy-on-write, so that a caller may
// use them as memory it owns without reading the file, and the function
// that unmaps them; nil when the file does not exist. The index is only
// ever replaced by rename or cut by its last byte, so the mapping stays
// valid while it is open.
func (x *IndexFile) Map() ([]byte, func() error, error) {
	f, err := x.fs.OpenFile(x.path, os.O_RDONLY, 0)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	if st.Size() == 0 {
		return []byte{}, func() error { return nil }, nil
	}
	m, err := x.fs.Map(f, int(st.Size()), MapPrivate)
	if err != nil {
		return nil, nil, err
	}
	x.mapped = st
	return m, m.Unmap, nil
}

// Save replaces the file's contents atomically and durably: it writes a
// temporary file, fsyncs it, renames it over the index and fsyncs the
// directory.
func (x *IndexFile) Save(parts ...[]byte) error {
	tmp := x.path + tmpSuffix
	err := writeFile(x.fs, tmp, parts, true)
	if err == nil {
		err = x.fs.Rename(tmp, x.path)
	}
	if err != nil {
		// A full disk must not be left fuller by a half-written copy.
		_ = x.fs.Remove(tmp)
		return err
	}
	return syncDirOf(x.fs, x.path)
}

func (x *IndexFile) install(tmp string) error {
	if err := x.fs.Rename(tmp, x.path); err != nil {
		return err
	}
	return syncDirOf(x.fs, x.path)
}

// Stage writes parts to the staging file beside the index, without fsync:
// over the one left by the last install when it can (see IndexFile), else
// to a new file.
func (x *IndexFile) Stage(parts ...[]byte) (domain.StagedIndex, error) {
	tmp := x.path + StageSuffix
	if x.recycles() {
		st, err := x.fs.Stat(tmp)
		if err == nil && (x.mapped == nil || !os.SameFile(st, x.mapped)) {
			if err := overwriteFile(x.fs, tmp, parts); err == nil {
				return stagedIndex{x, tmp}, nil
			}
		}
	}
	// Never truncate the file in place: it may be the one mapped.
	if err := x.fs.Remove(tmp); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	if err := writeFile(x.fs, tmp, parts, false); err != nil {
		_ = x.fs.Remove(tmp)
		return nil, err
	}
	return stagedIndex{x, tmp}, nil
}

// Reserve grows the staging file to at least n bytes by writing zeros at
// its end, so that a checkpoint staged there later overwrites pages the
// page cache already holds instead of filling new ones (the slow part of
// writing a checkpoint; see IndexFile). It writes a chunk at a time and
// stops early, without error, once stop reports true. The chunks are
// aligned to 2 MiB, so that the page cache can hold them in large folios,
// and their write-back is started at once: a checkpoint written over
// zeros still waiting for their blocks (delayed allocation) read back
// through a mapping at half the speed (a reopen at 1M keys: 8 ms against
// 4). It does nothing where staging files are not recycled, to a file of
// n bytes or more, or to the file mapped at Open. Nothing reads the
// staging file, so a crash or an error here costs nothing but the time.
func (x *IndexFile) Reserve(n int64, stop func() bool) error {
	if !x.recycles() {
		return nil
	}
	f, err := x.fs.OpenFile(x.path+StageSuffix, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if st.Size() >= n || (x.mapped != nil && os.SameFile(st, x.mapped)) {
		return nil
	}
	zeros := make([]byte, reserveChunk)
	for off := st.Size(); off < n && !stop(); {
		end := min(n, (off/reserveChunk+1)*reserveChunk)
		if _, err := f.WriteAt(zeros[:end-off], off); err != nil {
			return err
		}
		off = end
	}
	if !stop() {
		startWriteback(f, st.Size(), n-st.Size())
	}
	return nil
}

// reserveChunk is how much Reserve writes between two looks at stop, and
// the alignment of its writes: under a millisecond of work here, the most
// it can delay a Close.
const reserveChunk = 2 << 20

// overwriteFile writes the concatenation of parts over the file at path
// from its start and cuts it to that length. It copies the part the file
// already has through a shared mapping rather than with write(2): the
// first time the kernel reads memory the process filled recently it can
// take several times as long as the copy itself (the 64 KiB pages a
// checkpoint is written from were mostly copied since the last one: 30 ms
// for 21 MB on a 2-core VM, against 4 ms through a mapping). What goes
// past the file's old end is written with pwritev: pages added through a
// mapping are small, one fault each, while written ones come in large
// folios. The mapped part's blocks are allocated first (see allocate), so
// a full disk is an error here, not a fault when the mapping is written.
func overwriteFile(fs FS, path string, parts [][]byte) error {
	f, err := fs.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	n := int64(0)
	for _, p := range parts {
		n += int64(len(p))
	}
	st, err := f.Stat()
	if err != nil {
		return errors.Join(err, f.Close())
	}
	mapped := min(st.Size(), n)
	err = f.Truncate(n)
	if err == nil {
		err = allocate(f, mapped)
	}
	if err != nil {
		return errors.Join(err, f.Close())
	}
	if mapped > 0 {
		var m mmap.MMap
		if m, err = fs.Map(f, int(mapped), MapShared); err == nil {
			off := 0
			for _, p := range parts {
				if off += copy(m[off:], p); off == len(m) {
					break
				}
			}
			err = m.Unmap()
		}
	}
	if err == nil && mapped < n {
		err = writePartsAt(f, partsFrom(parts, mapped), mapped)
	}
	return errors.Join(err, f.Close())
}

// partsFrom returns the parts' bytes from offset k on, sharing their memory.
func partsFrom(parts [][]byte, k int64) [][]byte {
	for len(parts) > 0 && k >= int64(len(parts[0])) {
		k -= int64(len(parts[0]))
		parts = parts[1:]
	}
	if len(parts) == 0 {
		return nil
	}
	return append([][]byte{parts[0][k:]}, parts[1:]...)
}

// StageSuffix is added to the index file's name for a staged index.
const StageSuffix = ".stage"

type stagedIndex struct {
	x    *IndexFile
	path string
}

// Commit fsyncs the staged file and makes it the index, durably.
func (s stagedIndex) Commit() error {
	f, err := s.x.fs.OpenFile(s.path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	err = f.Sync()
	if err = errors.Join(err, f.Close()); err != nil {
		return err
	}
	if s.exchanged() {
		return syncDirOf(s.x.fs, s.x.path)
	}
	return s.x.install(s.path)
}

// exchanged swaps the staged file and the index when the index recycles
// its staging files, and reports whether it did.
func (s stagedIndex) exchanged() bool {
	if !s.x.recycles() {
		return false
	}
	return s.x.fs.(exchanger).Exchange(s.path, s.x.path) == nil
}

// Install renames the staged file over the index, with no fsync: the
// index is in the page cache at once, which is what a process restarting
// on this machine reads; after a power cut the loader rejects whatever it
// finds damaged or stale.
func (s stagedIndex) Install() error {
	if s.exchanged() {
		return nil
	}
	// Remove the old index first: a rename over an existing file makes
	// ext4 (auto_da_alloc) write the new one out before the rename
	// returns, which is the wait this method exists to avoid. A crash
	// between the two leaves no index, which costs a replay.
	err := s.x.fs.Remove(s.x.path)
	if errors.Is(err, os.ErrNotExist) {
		err = nil
	}
	if err == nil {
		err = s.x.fs.Rename(s.path, s.x.path)
	}
	if err != nil {
		_ = s.x.fs.Remove(s.path)
	}
	return err
}

// Discard removes the staged file.
func (s stagedIndex) Discard() error {
	if err := s.x.fs.Remove(s.path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// Truncate cuts the file to n bytes. It does not fsync: an fsync would
// have to write out whatever of the file is still only in the page cache
// (all of it after Close's checkpoint), and nothing needs the cut on disk.
func (x *IndexFile) Truncate(n int64) error {
	f, err := x.fs.OpenFile(x.path, os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	err = f.Truncate(n)
	return errors.Join(err, f.Close())
}

// Append adds b at the end of the file, without fsync (see Truncate).
func (x *IndexFile) Append(b []byte) error {
	f, err := x.fs.OpenFile(x.path, os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	return errors.Join(err, f.Close())
}

// Remove deletes the file and fsyncs its directory; a missing file is not an error.
func (x *IndexFile) Remove() error {
	if err := x.fs.Remove(x.path); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		return err
	}
	return syncDirOf(x.fs, x.path)
}

// Size is the file's length, 0 when absent.
func (x *IndexFile) Size() int64 {
	st, err := x.fs.Stat(x.path)
	if err != nil {
		return 0
	}
	return st.Size()
}

// writeEachAt writes parts one after the other from offset off.
func writeEachAt(f File, parts [][]byte, off int64) error {
	for _, p := range parts {
		if _, err := f.WriteAt(p, off); err != nil {
			return err
		}
		off += int64(len(p))
	}
	return nil
}
