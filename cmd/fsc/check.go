package main

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/edsrzf/mmap-go"

	"github.com/fscollections/fscollections"
	"github.com/fscollections/fscollections/domain"
)

// record is one record found by walk: intact (ok) or the start of a
// damaged stretch that ends where the next intact record begins.
type record struct {
	off, n int64 // where, and how long (to the next intact record when damaged)
	h      domain.RecordHeader
	body   []byte // the payload, when ok
	ok     bool
	why    string // what is wrong, when damaged
}

// logFile is a data file or journal mapped for reading.
type logFile struct {
	path string
	h    domain.FileHeader
	b    mmap.MMap
	f    *os.File
}

func mapLog(path string) (*logFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil || st.Size() == 0 {
		f.Close()
		return nil, errors.Join(err, fmt.Errorf("%s is empty", path))
	}
	b, err := mmap.Map(f, mmap.RDONLY, 0)
	if err != nil {
		f.Close()
		return nil, err
	}
	l := &logFile{path: path, b: b, f: f}
	if l.h, err = domain.DecodeFileHeader(path, b[:min(len(b), 30+domain.MaxTypeName)]); err != nil {
		l.close()
		return nil, err
	}
	return l, nil
}

func (l *logFile) close() { _ = l.b.Unmap(); _ = l.f.Close() }

// at checks the record at off.
func (l *logFile) at(off int64) (domain.RecordHeader, int64, string) {
	size := int64(len(l.b))
	if size-off < domain.RecordHeaderSize {
		return domain.RecordHeader{}, 0, fmt.Sprintf("%d bytes, less than a record header", size-off)
	}
	h := domain.ParseRecordHeader(l.b[off:])
	if h.Op < domain.OpAppend || h.Op > domain.OpMark {
		return h, 0, fmt.Sprintf("unknown record type %d", h.Op)
	}
	if h.Size > uint64(size-off-domain.RecordHeaderSize) {
		return h, 0, fmt.Sprintf("record claims %d bytes, %d follow", h.Size, size-off-domain.RecordHeaderSize)
	}
	n := domain.RecordHeaderSize + int64(h.Size)
	if !domain.CheckRecord(l.b[off:off+domain.RecordHeaderSize], l.b[off+domain.RecordHeaderSize:off+n]) {
		return h, n, "checksum mismatch"
	}
	return h, n, ""
}

// walk visits every record of the log in order, and each damaged stretch
// once, with progress reported through step (bytes done).
func (l *logFile) walk(step func(int64), visit func(r record) bool) {
	size := int64(len(l.b))
	for off := l.h.Len(); off < size; {
		h, n, why := l.at(off)
		if why == "" {
			if !visit(record{off: off, n: n, h: h, ok: true, body: l.b[off+domain.RecordHeaderSize : off+n]}) {
				return
			}
			off += n
			step(off)
			continue
		}
		next := off + 1
		for ; next < size; next++ {
			if _, _, w := l.at(next); w == "" {
				break
			}
		}
		if !visit(record{off: off, n: next - off, h: h, why: why}) {
			return
		}
		off = next
		step(off)
	}
}

func cmdCheck(e *env, args []string) error {
	fs := flags("check", "PATH")
	a, err := parse(e, fs, args, 1)
	if err != nil {
		return err
	}
	path := a[0]
	damage := 0
	report := func(file string, off int64, format string, args ...any) {
		damage++
		fmt.Fprintf(e.stdout, "%s: offset %d: %s\n", file, off, fmt.Sprintf(format, args...))
	}
	files := []string{path + ".data.fscollection"}
	h, err := header(path)
	if err != nil {
		var ce *fscollections.CorruptError
		if errors.As(err, &ce) {
			report(ce.Path, ce.Offset, "%s", ce.Reason)
			return errDamage
		}
		return err
	}
	if h.SwapLayout {
		files = append(files, path+".journal.fscollection")
	}
	records := 0
	for _, file := range files {
		l, err := mapLog(file)
		if err != nil {
			var ce *fscollections.CorruptError
			if errors.As(err, &ce) {
				report(ce.Path, ce.Offset, "%s", ce.Reason)
				continue
			}
			return err
		}
		bar := newProgress(e, int64(len(l.b)), "check "+filepath.Base(file))
		size := int64(len(l.b))
		l.walk(bar.set, func(r record) bool {
			switch {
			case r.ok:
				records++
			case r.off+r.n == size && (r.h.Size > uint64(size-r.off) || size-r.off < domain.RecordHeaderSize):
				fmt.Fprintf(e.stdout, "%s: offset %d: torn tail of %d bytes (an interrupted write; the next read-write Open cuts it)\n",
					file, r.off, r.n)
			default:
				report(file, r.off, "%s (%d damaged bytes before the next intact record)", r.why, r.n)
			}
			return true
		})
		bar.done()
		l.close()
	}
	damage += checkOpen(e, path, h, report)
	fmt.Fprintf(e.stdout, "%s: %d records checked, %d damaged\n", path, records, damage)
	if damage > 0 {
		return errDamage
	}
	return nil
}

// checkOpen opens the collection read-only and reads every element, then
// compares what it holds with a replay of the data file alone (the index
// against the data). It returns how many problems it reported.
func checkOpen(e *env, path string, h domain.FileHeader, report func(string, int64, string, ...any)) int {
	before := 0
	sum, m, err := contentsHash(path, h)
	if err != nil {
		var ce *fscollections.CorruptError
		if errors.As(err, &ce) {
			report(ce.Path, ce.Offset, "%s", ce.Reason)
		} else {
			report(path, 0, "cannot be read: %v", err)
		}
		return 1
	}
	index := path + ".index.fscollection"
	if _, err := os.Stat(index); err != nil || h.SwapLayout {
		return before // no index to compare; a swap-and-pop list's order is only in it
	}
	tmp, err := os.MkdirTemp("", "fsc-check-")
	if err != nil {
		report(path, 0, "cannot check the index: %v", err)
		return 1
	}
	defer os.RemoveAll(tmp)
	replay := filepath.Join(tmp, "c")
	if err := copyFile(path+".data.fscollection", replay+".data.fscollection"); err != nil {
		report(path, 0, "cannot check the index: %v", err)
		return 1
	}
	want, rm, err := contentsHash(replay, h)
	if err != nil {
		report(path, 0, "cannot replay the data file: %v", err)
		return 1
	}
	switch {
	case want != sum:
		report(index, 0, "the index disagrees with the data file: Open would serve other contents than the log holds")
		return 1
	case rm.RecordsReplayed > 0 && m.RecordsReplayed == rm.RecordsReplayed:
		report(index, 0, "damaged, stale or another file's: Open ignores it and replays the whole data file")
		return 1
	}
	return 0
}

// contentsHash opens the collection at path read-only and hashes every
// element in order.
func contentsHash(path string, h domain.FileHeader) ([32]byte, fscollections.Metrics, error) {
	var sum [32]byte
	x, err := openAs(path, h, options(h, true))
	if err != nil {
		return sum, fscollections.Metrics{}, err
	}
	defer x.Close()
	d := sha256.New()
	var n [8]byte
	err = x.each(func(key string, value []byte) bool {
		for _, b := range [][]byte{[]byte(key), value} {
			binary.LittleEndian.PutUint64(n[:], uint64(len(b)))
			d.Write(n[:])
			d.Write(b)
		}
		return true
	})
	copy(sum[:], d.Sum(nil))
	return sum, x.Metrics(), err
}

func copyFile(from, to string) error {
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = io.Copy(dst, src)
	return errors.Join(err, dst.Close())
}
