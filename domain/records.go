package domain

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
// payload instead of its value.
func (rr *records) readRecords(n int, off func(k int) int64, fn func(k int, off int64, op Op, payload []byte) error) error {
	c := rr.c
	size := c.vals().Size()
	path := c.vals().Path()
	for k := 0; k < n; {
		start := off(k)
		end, j := start, k
		for j < n && off(j) == end {
			l := c.recordLen(end)
			if l == 0 || end+l > size {
				break
			}
			end += l
			j++
		}
		if j == k { // the record at start is unreadable: report it
			_, _, err := c.payloadAt(start)
			if err == nil {
				err = corrupt(path, start, "unreadable record")
			}
			return err
		}
		run, err := c.vals().View(start, int(end-start))
		if err != nil {
			return corrupt(path, start, "record run out of range: %v", err)
		}
		c.reads.Add(1)
		for i := k; i < j; i++ {
			o := off(i)
			rec := run[o-start:]
			h := ParseRecordHeader(rec)
			p := rec[RecordHeaderSize : RecordHeaderSize+h.Size]
			if !CheckRecord(rec[:RecordHeaderSize], p) {
				return corrupt(path, o, "checksum mismatch")
			}
			if err := fn(i, o, h.Op, p); err != nil {
				return err
			}
		}
		k = j
	}
	return nil
}
