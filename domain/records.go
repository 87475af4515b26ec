package domain

import (
	"encoding/binary"
	"hash/crc32"
	"unsafe"
)

// records reads records back: one at a time through the mapping, or runs
// of neighbours together, verifying each checksum.
type records struct{ c *core }

// recordLen is the total length of the record at off, or 0 if unreadable,
// which includes a header claiming more than MaxPayload (a larger size
// could overflow the sum).
func (rr *records) recordLen(off int64) int64 {
	c := rr.c
	hb, err := c.vals().View(off, RecordHeaderSize)
	if err != nil {
		return 0
	}
	size := ParseRecordHeader(hb).Size
	if size > MaxPayload {
		return 0
	}
	return RecordHeaderSize + int64(size)
}

// payloadAt returns the verified payload of the record at off.
func (rr *records) payloadAt(off int64) (Op, []byte, error) {
	c := rr.c
	hb, err := c.vals().View(off, RecordHeaderSize)
	if err != nil {
		return 0, nil, corrupt(c.vals().Path(), off, "record header out of range: %v", err)
	}
	h := ParseRecordHeader(hb)
	if h.Size > MaxPayload || off > c.vals().Size()-RecordHeaderSize-int64(h.Size) {
		return 0, nil, corrupt(c.vals().Path(), off, "record size %d out of range", h.Size)
	}
	p, err := c.vals().View(off+RecordHeaderSize, int(h.Size))
	if err != nil {
		return 0, nil, corrupt(c.vals().Path(), off, "record out of range: %v", err)
	}
	hb, _ = c.vals().View(off, RecordHeaderSize)
	if !CheckRecord(hb, p) {
		return 0, nil, corrupt(c.vals().Path(), off, "checksum mismatch")
	}
	return h.Op, p, nil
}

// valueAt returns the verified value bytes of the record at off. The slice
// is valid while the caller holds the lock.
func (rr *records) valueAt(off int64) ([]byte, error) {
	c := rr.c
	c.reads.Add(1)
	op, p, err := c.payloadAt(off)
	if err != nil {
		return nil, err
	}
	return valueIn(c.vals().Path(), off, op, p)
}

// readRuns visits n records, whose offsets off(k) gives, with their
// verified value bytes. Physically contiguous records are read as one run:
// one View and one count in Metrics.Reads. fn runs with the lock held.
func (rr *records) readRuns(n int, off func(k int) int64, fn func(k int, off int64, val []byte) error) error {
	c := rr.c
	path := c.vals().Path()
	return c.readRecords(n, off, func(k int, o int64, op Op, p []byte) error {
		v, err := valueIn(path, o, op, p)
		if err != nil {
			return err
		}
		return fn(k, o, v)
	})
}

// readRecords is readRuns handing over each record's op and verified
// payload instead of its value. A run is read from one view of the log
// (Log.ViewAhead: no copy), its records' headers parsed once, and their
// checksums verified a group at a time (checkRecords); a record the view
// does not hold whole is read on its own.
func (rr *records) readRecords(n int, off func(k int) int64, fn func(k int, off int64, op Op, payload []byte) error) error {
	c := rr.c
	log := c.vals()
	path := log.Path()
	var group [checkGroup]runRecord
	// check verifies the group and hands its records over, in order, up
	// to the first damaged one; first is the index of the group's first.
	check := func(g []runRecord, first int) error {
		good := checkRecords(g)
		for t, r := range g[:good] {
			if err := fn(first+t, r.off, r.op, r.payload); err != nil {
				return err
			}
		}
		if good < len(g) {
			return corrupt(path, g[good].off, "checksum mismatch")
		}
		return nil
	}
	for k := 0; k < n; {
		start := off(k)
		win := log.ViewAhead(start, maxRunView)
		c.reads.Add(1)
		// The run: records back to back from start, each whole in win.
		end, j, g := start, k, group[:0]
		for j < n {
			o := off(j)
			pos := o - start
			if o != end || int64(len(win))-pos < RecordHeaderSize {
				break
			}
			h := ParseRecordHeader(win[pos:])
			if h.Size > MaxPayload || uint64(int64(len(win))-pos-RecordHeaderSize) < h.Size {
				break
			}
			rec := win[pos : pos+RecordHeaderSize+int64(h.Size)]
			g = append(g, runRecord{o, h.Op, rec[:RecordHeaderSize], rec[RecordHeaderSize:]})
			end += int64(len(rec))
			j++
			if len(g) == checkGroup {
				if err := check(g, j-len(g)); err != nil {
					return err
				}
				g = g[:0]
			}
		}
		if err := check(g, j-len(g)); err != nil {
			return err
		}
		if j > k {
			k = j
			continue
		}
		// The record at start is not whole in the view: larger than it,
		// or crossing from the file into the append buffer, or damaged.
		op, p, err := c.payloadAt(start)
		if err != nil {
			return err
		}
		if err := fn(k, start, op, p); err != nil {
			return err
		}
		k++
	}
	return nil
}

// maxRunView is the most bytes readRecords views at once.
const maxRunView = 1 << 20

// checkGroup is how many records of a run checkRecords verifies together.
const checkGroup = 3

// A runRecord is a record of a run being read: where it is, its op, its
// header and payload.
type runRecord struct {
	off     int64
	op      Op
	hdr     []byte
	payload []byte
}

// checkRecords verifies the checksums of recs, at most checkGroup of them,
// and returns how many lead the group verified (len(recs) when all are).
// Three are checked side by side where the CPU allows (recordCRC3): one
// CRC32 instruction waits for the one before it in the same stream, so
// three streams take about the time of one.
func checkRecords(recs []runRecord) int {
	if len(recs) == 3 && haveRecordCRC3 {
		n := min(len(recs[0].payload), len(recs[1].payload), len(recs[2].payload))
		var s [3]uint32
		s[0], s[1], s[2] = recordCRC3(&recs[0].hdr[0], &recs[1].hdr[0], &recs[2].hdr[0],
			unsafe.SliceData(recs[0].payload), unsafe.SliceData(recs[1].payload), unsafe.SliceData(recs[2].payload), n)
		for t, r := range recs {
			crc := ^s[t]
			if len(r.payload) > n {
				crc = crc32.Update(crc, castagnoli, r.payload[n:])
			}
			if crc != binary.BigEndian.Uint32(r.hdr[10:14]) {
				return t
			}
		}
		return 3
	}
	for t, r := range recs {
		if !CheckRecord(r.hdr, r.payload) {
			return t
		}
	}
	return len(recs)
}
