// Package infrastructure provides the file-backed adapters of the domain's
// ports: the data file (buffered appends, mmap reads), the index file
// (atomic checkpoints), and the locks.
package infrastructure

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"

	"github.com/edsrzf/mmap-go"

	"github.com/fscollections/fscollections/domain"
)

// bufLimit is how many appended bytes wait in memory before they are
// written to the file in one call.
const bufLimit = 64 << 10

// writebackEvery is how many flushed bytes wait before the kernel is asked
// to start writing them to the disk (startWriteback): a later fsync, in
// Sync, a checkpoint or Close, then has at most this much left to write,
// instead of everything since the last one.
const writebackEvery = 8 << 20

// minMap is the smallest mapping; mappings grow by doubling, so a growing
// file is remapped O(log size) times.
const minMap = 1 << 20

// DataFile is a domain.Log on a real file: records are appended through a
// buffer with one write call per bufLimit bytes (whole pages: see
// flushPages), and read through a shared
// mmap of the file that grows as the file does. A writer's mapping is
// writable only so that rewriting a swap-and-pop list's slot is a store
// instead of a system call; fsync covers those pages like any other.
type DataFile struct {
	fs       FS
	path     string
	f        File
	hdr      domain.FileHeader
	m        mmap.MMap
	flushed  int64          // bytes in the file
	hinted   int64          // bytes before this were handed to startWriteback
	hinting  atomic.Bool    // a startWriteback call is running
	hints    sync.WaitGroup // the goroutine making it
	buf      []byte
	readOnly bool
	opened   os.FileInfo // the file as opened, to notice its replacement
}

var _ domain.Log = (*DataFile)(nil)

// createDataFile writes a new data file holding only header h, durably,
// then renames it to path, so a crash never leaves a half-written header.
func createDataFile(fs FS, path string, h domain.FileHeader) error {
	tmp := path + newSuffix
	err := writeFileSync(fs, tmp, h.Encode())
	if err == nil {
		err = fs.Rename(tmp, path)
	}
	if err != nil {
		_ = fs.Remove(tmp)
		return err
	}
	return syncDirOf(fs, path)
}

// openDataFile opens the data file at path and reads its header.
func openDataFile(fs FS, path string, readOnly bool) (*DataFile, error) {
	flag := os.O_RDWR
	if readOnly {
		flag = os.O_RDONLY
	}
	f, err := fs.OpenFile(path, flag, 0o600)
	if err != nil {
		return nil, err
	}
	d := &DataFile{fs: fs, path: path, f: f, readOnly: readOnly}
	if err := d.init(); err != nil {
		_ = f.Close()
		return nil, err
	}
	return d, nil
}

func (d *DataFile) init() error {
	st, err := d.f.Stat()
	if err != nil {
		return err
	}
	if st.IsDir() {
		return fmt.Errorf("%w: %s is a directory", domain.ErrCorrupt, d.path)
	}
	d.flushed = st.Size()
	d.hinted = d.flushed
	d.opened = st
	head := make([]byte, min(d.flushed, int64(30+domain.MaxTypeName)))
	if _, err := d.f.ReadAt(head, 0); err != nil && err != io.EOF {
		return err
	}
	if d.hdr, err = domain.DecodeFileHeader(d.path, head); err != nil {
		return err
	}
	return d.remap()
}

// remap grows the mapping to cover the flushed bytes.
func (d *DataFile) remap() error {
	if d.flushed <= int64(len(d.m)) {
		return nil
	}
	n := int64(minMap)
	for n < d.flushed {
		n *= 2
	}
	// Growing a mapping in place keeps its pages mapped: unmapping the
	// old one costs a few hundred nanoseconds a page and every page must
	// then fault in again, a pause of milliseconds for the write that grew
	// the file and the reads after it. Where the file system offers it
	// (mremap on Linux), the mapping grows; elsewhere it is made anew.
	if r, ok := d.fs.(remapper); ok && d.m != nil {
		if m, err := r.Remap(d.m, int(n)); err == nil {
			d.m = m
			return nil
		}
	}
	// A writer's mapping is writable: a swap-and-pop list rewrites slots with a store.
	mode := MapShared
	if d.readOnly {
		mode = MapReadOnly
	}
	m, err := d.fs.Map(d.f, int(n), mode)
	if err != nil {
		return fmt.Errorf("fscollections: mmap %s (%d bytes): %w", d.path, n, err)
	}
	// Nothing views the old mapping any more: views are valid only until
	// the next call that can remap, which runs under the write lock.
	old := d.m
	d.m = m
	return unmap(old)
}

// remapper is a file system that can grow a mapping (osFS on Linux).
type remapper interface {
	Remap(m mmap.MMap, length int) (mmap.MMap, error)
}

// unmap releases a mapping. Unmapping costs a few hundred nanoseconds for
// every page that was read (tens of milliseconds for a file of a few
// hundred MB), and holds the process's memory-map lock for writing all
// the while, so that every page fault in the process waits: a large
// mapping is released in the background and in steps where the platform
// allows (releaseMapping), so that neither the write that grows the file
// nor Close waits for it, nor do readers.
func unmap(m mmap.MMap) error {
	switch {
	case m == nil:
		return nil
	case len(m) > asyncUnmapOver:
		return releaseMapping(m)
	}
	return m.Unmap()
}

// asyncUnmapOver is the mapping size above which unmap works in the background.
const asyncUnmapOver = 16 << 20

// Path names the file.
func (d *DataFile) Path() string { return d.path }

// Header is the file's header.
func (d *DataFile) Header() domain.FileHeader { return d.hdr }

// Size is the file's length plus the buffered bytes.
func (d *DataFile) Size() int64 { return d.flushed + int64(len(d.buf)) }

// View returns n bytes at off from the mapping or the buffer.
func (d *DataFile) View(off int64, n int) ([]byte, error) {
	// Written so that no sum can overflow: off may come from a file.
	if off < 0 || n < 0 || off > d.Size()-int64(n) {
		return nil, fmt.Errorf("range of %d bytes at %d outside %s (%d bytes)", n, off, d.path, d.Size())
	}
	end := off + int64(n)
	switch {
	case off >= d.flushed:
		return d.buf[off-d.flushed : end-d.flushed], nil
	case end <= d.flushed:
		return d.m[off:end:end], nil
	}
	out := make([]byte, n) // spans the file and the buffer
	k := copy(out, d.m[off:d.flushed])
	copy(out[k:], d.buf)
	return out, nil
}

// ViewAhead returns up to n bytes from off, from the mapping or from the
// buffer, never both: no copy.
func (d *DataFile) ViewAhead(off int64, n int) []byte {
	if off < 0 || off >= d.Size() || n <= 0 {
		return nil
	}
	if off >= d.flushed {
		b := d.buf[off-d.flushed:]
		k := min(len(b), n)
		return b[:k:k]
	}
	end := min(d.flushed, off+int64(n))
	return d.m[off:end:end]
}

// ReadAt copies flushed bytes at off into b with pread.
func (d *DataFile) ReadAt(b []byte, off int64) (int, error) {
	if off < 0 || off > d.flushed-int64(len(b)) {
		return 0, fmt.Errorf("read of %d bytes at %d outside %s (%d bytes flushed)", len(b), off, d.path, d.flushed)
	}
	n, err := d.f.ReadAt(b, off)
	if err != nil {
		return n, fmt.Errorf("fscollections: read %s at %d: %w", d.path, off, err)
	}
	return n, nil
}

// ReadStableAt copies bytes at off, flushed before the call, into b with
// pread, without reading d's state: appends may go on meanwhile.
func (d *DataFile) ReadStableAt(b []byte, off int64) (int, error) {
	n, err := d.f.ReadAt(b, off)
	if err != nil {
		return n, fmt.Errorf("fscollections: read %s at %d: %w", d.path, off, err)
	}
	return n, nil
}

// Append buffers b at the end of the log. When the buffer is full it is
// written first; if that fails, b is not appended.
func (d *DataFile) Append(b []byte) (int64, error) {
	if d.readOnly {
		return 0, domain.ErrReadOnly
	}
	switch {
	case len(b) >= bufLimit:
		if err := d.Flush(); err != nil {
			return 0, err
		}
	case len(d.buf) >= bufLimit:
		if err := d.flushPages(); err != nil {
			return 0, err
		}
	}
	off := d.Size()
	if len(b) < bufLimit {
		d.buf = append(d.buf, b...)
		return off, nil
	}
	// A large append (a run of records copied by compaction) goes to the
	// file directly rather than through the buffer.
	if _, err := d.f.WriteAt(b, off); err != nil {
		_ = d.f.Truncate(off)
		return 0, fmt.Errorf("fscollections: write %s at %d: %w", d.path, off, err)
	}
	d.flushed += int64(len(b))
	d.writeBack()
	return off, d.remap()
}

// writeBack starts the write-back of the flushed bytes not yet handed over
// once there are writebackEvery of them.
//
// The call runs in a goroutine: "start writing" can still block for
// milliseconds while the device's queue is full, and the append that
// crossed the mark must not wait for it. While one runs, the next mark
// waits and the following call covers both.
func (d *DataFile) writeBack() {
	end := d.flushed &^ (pageBytes - 1) // a partial last page is still being written
	if end-d.hinted < writebackEvery || !d.hinting.CompareAndSwap(false, true) {
		return
	}
	f, off, n := d.f, d.hinted, end-d.hinted
	d.hinted = end
	d.hints.Add(1)
	go func() {
		defer d.hints.Done()
		defer d.hinting.Store(false)
		startWriteback(f, off, n)
	}()
}

// AppendCopy appends n bytes of src, another DataFile, from off, after
// flushing the buffer: with copy_file_range where the platform has it (the
// bytes never enter this process), by reading and writing otherwise. It
// reads src's file only, never its buffer or mapping, so src's writer may
// go on meanwhile.
func (d *DataFile) AppendCopy(src domain.Log, off, n int64) (int64, error) {
	if d.readOnly {
		return 0, domain.ErrReadOnly
	}
	s, ok := src.(*DataFile)
	if !ok {
		return 0, fmt.Errorf("fscollections: copy from a %T", src)
	}
	if err := d.Flush(); err != nil {
		return 0, err
	}
	at := d.flushed
	if err := d.copyFrom(s, at, off, n); err != nil {
		_ = d.f.Truncate(at)
		return 0, fmt.Errorf("fscollections: copy %d bytes of %s to %s: %w", n, s.path, d.path, err)
	}
	d.flushed += n
	d.writeBack()
	return at, d.remap()
}

// copyFrom copies the n bytes at off of s to at. When this file holds only
// its header and the bytes go to the same offset (a copy of a whole log
// after a header of the same length), it copies s from its first byte and
// then writes its own header back: a copy that starts and ends where the
// files do is one that file systems with reflinks (XFS, Btrfs) make by
// sharing s's blocks, whereas one that starts inside a block is copied
// byte by byte. The copy's header is never in doubt once it is durable:
// it is written back before the caller's SyncData, and no index names this
// file until after that.
func (d *DataFile) copyFrom(s *DataFile, at, off, n int64) error {
	if at != off || at == 0 || at > copyRangeBuffer {
		return copyRange(d.f, at, s.f, off, n)
	}
	header := make([]byte, at)
	if _, err := d.f.ReadAt(header, 0); err != nil {
		return err
	}
	if err := copyRange(d.f, 0, s.f, 0, at+n); err != nil {
		return err
	}
	_, err := d.f.WriteAt(header, 0)
	return err
}

// copyRangeBuffer is the buffer copyRangeByReading reads through.
const copyRangeBuffer = 1 << 20

// copyRangeByReading copies n bytes of src at srcOff to dst at dstOff by
// reading and writing.
func copyRangeByReading(dst File, dstOff int64, src File, srcOff, n int64) error {
	buf := make([]byte, min(n, copyRangeBuffer))
	for n > 0 {
		k := min(n, int64(len(buf)))
		if _, err := src.ReadAt(buf[:k], srcOff); err != nil {
			return err
		}
		if _, err := dst.WriteAt(buf[:k], dstOff); err != nil {
			return err
		}
		srcOff, dstOff, n = srcOff+k, dstOff+k, n-k
	}
	return nil
}

// WriteAt overwrites bytes in place, in the buffer or the file.
func (d *DataFile) WriteAt(b []byte, off int64) error {
	if d.readOnly {
		return domain.ErrReadOnly
	}
	if off < 0 || off > d.Size()-int64(len(b)) {
		return fmt.Errorf("write [%d, %d) outside %s (%d bytes)", off, off+int64(len(b)), d.path, d.Size())
	}
	if off >= d.flushed {
		copy(d.buf[off-d.flushed:], b)
		return nil
	}
	if off+int64(len(b)) <= d.flushed {
		copy(d.m[off:], b) // the shared mapping is the file's page cache
		return nil
	}
	_, err := d.f.WriteAt(b, off)
	return err
}

// pageBytes is the page size the appends align to.
var pageBytes = int64(os.Getpagesize())

// flushPages writes the buffer's whole pages to the file and keeps the
// rest, less than a page, buffered. The file then ends on a page boundary,
// so the next write does not go into a page that the kernel may be
// writing back meanwhile (started by startWriteback, an fsync or the
// kernel's own flusher): such a write waits for that I/O, 3-30 ms on the
// VM we measure on. Flush, which the durability points call, writes all.
func (d *DataFile) flushPages() error {
	end := (d.flushed + int64(len(d.buf))) &^ (pageBytes - 1)
	k := int(end - d.flushed)
	if k <= 0 || k == len(d.buf) {
		return d.Flush()
	}
	if _, err := d.f.WriteAt(d.buf[:k], d.flushed); err != nil {
		_ = d.f.Truncate(d.flushed)
		return fmt.Errorf("fscollections: write %s at %d: %w", d.path, d.flushed, err)
	}
	d.flushed = end
	d.writeBack()
	d.buf = d.buf[:copy(d.buf, d.buf[k:])]
	return d.remap()
}

// Flush writes the buffer to the file. On failure the file is cut back and
// the buffer kept, so the log stays whole and a later Flush can retry.
func (d *DataFile) Flush() error {
	if len(d.buf) == 0 {
		return nil
	}
	if _, err := d.f.WriteAt(d.buf, d.flushed); err != nil {
		_ = d.f.Truncate(d.flushed)
		return fmt.Errorf("fscollections: write %s at %d: %w", d.path, d.flushed, err)
	}
	d.flushed += int64(len(d.buf))
	d.writeBack()
	if cap(d.buf) > 4*bufLimit {
		d.buf = nil
	} else {
		d.buf = d.buf[:0]
	}
	return d.remap()
}

// SyncData fsyncs the file.
func (d *DataFile) SyncData() error {
	if err := d.f.Sync(); err != nil {
		return fmt.Errorf("fscollections: fsync %s: %w", d.path, err)
	}
	return nil
}

// Truncate cuts the file to size bytes.
func (d *DataFile) Truncate(size int64) error {
	if len(d.buf) > 0 {
		return errors.New("fscollections: truncate with buffered bytes")
	}
	if err := d.f.Truncate(size); err != nil {
		return fmt.Errorf("fscollections: truncate %s to %d: %w", d.path, size, err)
	}
	d.flushed = size
	d.hinted = min(d.hinted, size)
	return nil
}

// Refresh notices growth of the file by other processes, and replacement
// of the file at the path (another process compacted or cleared).
func (d *DataFile) Refresh() (bool, error) {
	st, err := d.fs.Stat(d.path)
	if errors.Is(err, os.ErrNotExist) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	if !os.SameFile(st, d.opened) {
		return true, nil
	}
	switch size := st.Size(); {
	case size < d.Size():
		return true, nil // cut by another process: reload from scratch
	case size > d.flushed && len(d.buf) == 0:
		d.flushed = size
		return false, d.remap()
	}
	return false, nil
}

// Close unmaps (see unmap) and closes the file without flushing.
func (d *DataFile) Close() error {
	d.hints.Wait() // the file must stay open under a write-back call
	err := unmap(d.m)
	d.m = nil
	return errors.Join(err, d.f.Close())
}
