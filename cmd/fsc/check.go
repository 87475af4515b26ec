package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
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
	var reported int64
	progress := func(off int64) {
		if off-reported >= 1<<20 || off == size { // a redraw per MiB at most
			reported = off
			step(off)
		}
	}
	for off := l.h.Len(); off < size; {
		h, n, why := l.at(off)
		if why == "" {
			if !visit(record{off: off, n: n, h: h, ok: true, body: l.b[off+domain.RecordHeaderSize : off+n]}) {
				return
			}
			off += n
			progress(off)
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
		progress(off)
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
	type place struct {
		file string
		off  int64
	}
	reported := map[place]bool{}
	report := func(file string, off int64, format string, args ...any) {
		if reported[place{file, off}] {
			return // the walk and the read found the same damage
		}
		reported[place{file, off}] = true
		damage++
		fmt.Fprintf(e.stdout, "%s: offset %d: %s\n", file, off, fmt.Sprintf(format, args...))
	}
	// Opening and reading the collection runs beside the walk over its
	// records (a core each); its reports are printed after the walk's.
	var (
		openReports []func() // run after the walk's reports, from this goroutine
		opened      = make(chan struct{})
	)
	startOpen := func(h domain.FileHeader) {
		go func() {
			defer close(opened)
			checkOpen(e, path, h, func(file string, off int64, format string, args ...any) {
				openReports = append(openReports, func() { report(file, off, format, args...) })
			})
		}()
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
	startOpen(h)
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
		bar := newProgress(e, int64(len(l.b)), "check "+filepath.Base(file), true)
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
	<-opened
	for _, r := range openReports {
		r()
	}
	fmt.Fprintf(e.stdout, "%s: %d records checked, %d damaged\n", path, records, damage)
	if damage > 0 {
		return errDamage
	}
	return nil
}

// checkOpen opens the collection read-only and reads every element, then
// compares what it holds with a replay of the data file alone (the index
// against the data), reporting what it finds.
func checkOpen(e *env, path string, h domain.FileHeader, report func(string, int64, string, ...any)) {
	index := path + ".index.fscollection"
	_, statErr := os.Stat(index)
	compare := statErr == nil && !h.SwapLayout // a swap-and-pop list's order is only in its index
	// The replay of the data file alone runs beside the normal open: two
	// passes over the file, one per core.
	type result struct {
		sum uint64
		m   fscollections.Metrics
		err error
	}
	replayed := make(chan result, 1)
	if compare {
		go func() {
			tmp, err := os.MkdirTemp("", "fsc-check-")
			if err != nil {
				replayed <- result{err: err}
				return
			}
			defer os.RemoveAll(tmp)
			replay := filepath.Join(tmp, "c")
			if err := copyFile(path+".data.fscollection", replay+".data.fscollection"); err != nil {
				replayed <- result{err: err}
				return
			}
			sum, m, err := contentsHash(replay, h)
			replayed <- result{sum, m, err}
		}()
	}
	sum, m, err := contentsHash(path, h)
	if err != nil {
		var ce *fscollections.CorruptError
		if errors.As(err, &ce) {
			report(ce.Path, ce.Offset, "%s", ce.Reason)
		} else {
			report(path, 0, "cannot be read: %v", err)
		}
		if compare {
			<-replayed
		}
		return
	}
	if !compare {
		return
	}
	r := <-replayed
	switch {
	case r.err != nil:
		report(path, 0, "cannot replay the data file to check the index: %v", r.err)
	case r.sum != sum:
		report(index, 0, "the index disagrees with the data file: Open would serve other contents than the log holds")
	case r.m.RecordsReplayed > 0 && m.RecordsReplayed == r.m.RecordsReplayed:
		report(index, 0, "damaged, stale or another file's: Open ignores it and replays the whole data file")
	}
}

// contentsHash opens the collection at path read-only and hashes every
// element in order.
// (maphash: both hashes are made in one process with one seed, and a
// collision would take an adversary who can see the seed.)
func contentsHash(path string, h domain.FileHeader) (uint64, fscollections.Metrics, error) {
	x, err := openAs(path, h, options(h, true))
	if err != nil {
		return 0, fscollections.Metrics{}, err
	}
	defer x.Close()
	var d maphash.Hash
	d.SetSeed(hashSeed)
	var n [8]byte
	err = x.each(func(key string, value []byte) bool {
		binary.LittleEndian.PutUint64(n[:], uint64(len(key)))
		d.Write(n[:])
		d.WriteString(key)
		binary.LittleEndian.PutUint64(n[:], uint64(len(value)))
		d.Write(n[:])
		d.Write(value)
		return true
	})
	return d.Sum64(), x.Metrics(), err
}

var hashSeed = maphash.MakeSeed()

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
