package domain

import (
	"encoding/binary"
	"fmt"
)

// replayer applies the log's records to the state, telling a torn tail
// (what an interrupted append leaves, which it may cut) from damage
// (ErrCorrupt, which it never cuts).
type replayer struct{ c *core }

// replay applies the records in [from, end) of the log.
func (rp *replayer) replay(from, end int64) error {
	c := rp.c
	pos := from
	for pos < end {
		h, payload, n, status := c.recordAt(pos, end)
		if status != recordOK {
			next, err := c.damaged(pos, end, h, n, status)
			if err != nil {
				return err
			}
			if next < 0 { // torn tail: stop here
				end = pos
				break
			}
			pos = next
			continue
		}
		if h.Op == OpMark {
			if len(payload) == 8 {
				c.version = max(c.version, binary.BigEndian.Uint64(payload))
			}
			c.deadBytes += n
		} else if _, err := c.st.apply(c, h.Op, pos, payload, n); err != nil {
			return err
		}
		c.replayed.Add(1)
		pos += n
	}
	c.applied = end
	return nil
}

// recordAt validates the record at pos, which must end by end.
func (rp *replayer) recordAt(pos, end int64) (RecordHeader, []byte, int64, recordStatus) {
	c := rp.c
	var h RecordHeader
	if end-pos < RecordHeaderSize {
		return h, nil, 0, recordBadHeader
	}
	hb, err := c.log.View(pos, RecordHeaderSize)
	if err != nil {
		return h, nil, 0, recordBadHeader
	}
	h = ParseRecordHeader(hb)
	if !h.Op.valid() || h.Size > MaxPayload || int64(h.Size) > end-pos-RecordHeaderSize {
		return h, nil, 0, recordBadHeader
	}
	n := RecordHeaderSize + int64(h.Size)
	payload, err := c.log.View(pos+RecordHeaderSize, int(h.Size))
	if err != nil {
		return h, nil, 0, recordBadHeader
	}
	hb, _ = c.log.View(pos, RecordHeaderSize)
	if !CheckRecord(hb, payload) {
		return h, payload, n, recordBadChecksum
	}
	return h, payload, n, recordOK
}

// damaged decides what a bad record at pos means.
//
// A torn tail is only ever the last bytes of the file, and only ever looks
// like what an interrupted append leaves: part of a record (a header, or a
// header claiming more bytes than follow) or bytes never written (zeros).
// Such a tail is cut off (when this handle may write) and next is -1.
//
// Anything else is damage: a record whose bytes are all there but fail
// their checksum, a header no append writes, or any bad record followed by
// an intact one. A list element logged by an append keeps its place when
// its size field is borne out (the record after it is intact, or it ends
// exactly at the end of the log): reads of it fail with ErrCorrupt and
// next is where replay resumes. Any other damaged record cannot be applied
// safely, and Open fails with ErrCorrupt naming the file and offset rather
// than guess or drop what follows.
func (rp *replayer) damaged(pos, end int64, h RecordHeader, n int64, status recordStatus) (next int64, err error) {
	c := rp.c
	if !c.intactAfter(pos, end) && c.looksTorn(pos, end, h, status) {
		if c.canCut {
			if err := c.log.Truncate(pos); err != nil {
				return 0, fmt.Errorf("fscollections: cut torn tail of %s at %d: %w", c.log.Path(), pos, err)
			}
			c.torn.Add(end - pos)
		}
		return -1, nil
	}
	if status == recordBadChecksum && h.Op == OpAppend && c.cfg.Header.Kind == KindList && c.lay.valuesInLog() {
		sizeHolds := pos+n == end
		if !sizeHolds {
			_, _, _, s := c.recordAt(pos+n, end)
			sizeHolds = s == recordOK
		}
		if sizeHolds {
			if _, err := c.st.apply(c, OpAppend, pos, nil, n); err != nil {
				return 0, err
			}
			return pos + n, nil
		}
	}
	if status == recordBadChecksum {
		return 0, corrupt(c.log.Path(), pos, "%s record fails its checksum", opName(h.Op))
	}
	return 0, corrupt(c.log.Path(), pos, "unreadable record header (op %d, size %d) with %d bytes after it", byte(h.Op), h.Size, end-pos-RecordHeaderSize)
}

// intactAfter reports whether an intact record starts anywhere in
// (pos, end). The checksums this costs are bounded: past the budget the
// question is left open, and an open question is answered the safe way
// (yes: nothing is cut).
func (rp *replayer) intactAfter(pos, end int64) bool {
	c := rp.c
	budget := int64(scanBudget)
	for p := pos + 1; p+RecordHeaderSize <= end; p++ {
		h, _, _, s := c.recordAt(p, end)
		if s == recordOK {
			return true
		}
		if s != recordBadChecksum {
			continue // no checksum computed: nothing to charge
		}
		if budget -= int64(h.Size) + RecordHeaderSize; budget < 0 {
			return true
		}
	}
	return false
}

// looksTorn reports whether the bytes [pos, end), the last of the log,
// are what an interrupted append leaves: less than a header, nothing but
// zeros (space a power cut left unwritten), or a header claiming more
// bytes than follow it, unless those bytes verify as a whole record of
// the length that does follow (then the record is complete and only its
// size field is damaged).
func (rp *replayer) looksTorn(pos, end int64, h RecordHeader, status recordStatus) bool {
	c := rp.c
	rest := end - pos
	if rest < RecordHeaderSize {
		return true
	}
	b, err := c.log.View(pos, int(min(rest, 1<<20)))
	if err != nil {
		return true // unreachable: pos and end lie in the log
	}
	if allZero(b) && (rest <= 1<<20 || c.zeroFrom(pos+1<<20, end)) {
		return true
	}
	if status != recordBadHeader || !h.Op.valid() || h.Size > MaxPayload || int64(h.Size) <= rest-RecordHeaderSize {
		return false
	}
	whole, err := c.log.View(pos, int(rest))
	if err != nil {
		return true
	}
	fixed := append([]byte(nil), whole[:RecordHeaderSize]...)
	binary.BigEndian.PutUint64(fixed[2:10], uint64(rest-RecordHeaderSize))
	return !CheckRecord(fixed, whole[RecordHeaderSize:])
}

// zeroFrom reports whether the log holds only zeros in [from, end).
func (rp *replayer) zeroFrom(from, end int64) bool {
	c := rp.c
	for from < end {
		n := min(end-from, 1<<20)
		b, err := c.log.View(from, int(n))
		if err != nil || !allZero(b) {
			return false
		}
		from += n
	}
	return true
}
