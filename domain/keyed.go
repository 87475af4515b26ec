package domain

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"unsafe"
)

// keyed holds what Map and Set share: a core and a keyState, with
// operations on raw keys and values.
type keyed struct {
	c  *core
	st *keyState
}

func openKeyed(storage Storage, cfg Config, kind Kind) (keyed, error) {
	st := &keyState{}
	cfg.Header.Kind = kind
	c, err := openCore(storage, cfg, st)
	if err != nil {
		return keyed{}, err
	}
	return keyed{c: c, st: st}, nil
}

// stringBytes views s as bytes without copying; the result must not be modified.
func stringBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// find returns the offset of key's record, or 0. Lock held.
func (k keyed) find(key []byte) int64 {
	pos := k.st.position(k.c, key)
	if pos < 0 {
		return 0
	}
	return int64(k.st.order.At(pos))
}

// put writes key with the value appendValue appends. Write lock held.
func (k keyed) put(key []byte, appendValue func([]byte) ([]byte, error)) error {
	if uint64(len(key)) > MaxPayload {
		return fmt.Errorf("%w: key of %d bytes", ErrTooLarge, len(key))
	}
	var rec []byte
	var version uint64
	if k.c.cfg.Versioned {
		version = k.c.nextVersion()
		rec = beginRecord(k.c.scratch[:0], OpPutV)
		rec = appendKeyed(rec, key)
		rec = binary.BigEndian.AppendUint64(rec, version)
		rec = binary.BigEndian.AppendUint64(rec, uint64(k.c.writeTime()))
	} else {
		rec = beginRecord(k.c.scratch[:0], OpPut)
		rec = appendKeyed(rec, key)
	}
	var err error
	if appendValue != nil {
		if rec, err = appendValue(rec); err != nil {
			return err
		}
	}
	finishRecord(rec)
	k.c.keepScratch(rec)
	// Probe once: the record is applied to the slot found, or inserted at
	// the empty slot that ended the probe.
	h := hashKey(key)
	i, found := k.st.probe(k.c, key, h)
	if found {
		if err := k.c.appendOnly("overwriting a key"); err != nil {
			return err
		}
	}
	off, err := k.c.appendRecord(rec)
	if err != nil {
		return err
	}
	k.c.version = max(k.c.version, version)
	n := int64(len(rec))
	return k.c.settle(n, k.st.putSlot(k.c, i, found, h, off, n), nil)
}

// delete writes a delete record for key if it is present, and reports
// whether it was. The table is probed once: the record is applied to the
// slot that probe found, rather than looked up again. Write lock held.
func (k keyed) delete(key []byte) (bool, error) {
	if err := k.c.appendOnly("a removal"); err != nil {
		return false, err
	}
	i := k.st.lookup(k.c, key, hashKey(key))
	if i < 0 {
		return false, nil
	}
	return true, k.deleteAt(i, key)
}

// deleteAt writes a delete record for key, whose entry is in table slot i.
// Write lock held.
func (k keyed) deleteAt(i int, key []byte) error {
	rec := beginRecord(k.c.scratch[:0], OpDelete)
	rec = appendKeyed(rec, key)
	finishRecord(rec)
	k.c.keepScratch(rec)
	if _, err := k.c.appendRecord(rec); err != nil {
		return err
	}
	n := int64(len(rec))
	return k.c.settle(n, k.st.removeSlot(k.c, i, n), nil)
}

// deleteMany deletes, in order, those of keys that are present and that
// doomed (nil: every one) condemns given the key's index and the record
// offset of its entry, and returns how many it deleted. The keys
// are looked up together (findMany); each found key's slot is then
// located by its offset, without reading the record again. A key given
// twice is deleted once: its second lookup finds no slot. Write lock held.
func (k keyed) deleteMany(keys [][]byte, offs []int64, doomed func(i int, off int64) (bool, error)) (int, error) {
	if err := k.c.appendOnly("a removal"); err != nil {
		return 0, err
	}
	k.st.findMany(k.c, keys, offs)
	n := 0
	for i, off := range offs {
		if off == 0 {
			continue
		}
		j := k.st.slotOf(keys[i], off)
		if j < 0 {
			continue // deleted earlier in this batch
		}
		if doomed != nil {
			yes, err := doomed(i, off)
			if err != nil {
				return n, err
			}
			if !yes {
				continue
			}
		}
		if err := k.deleteAt(j, keys[i]); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// entryAt returns the verified key and value of the record at off,
// counted in Metrics.Reads. Lock held.
func (k keyed) entryAt(off int64) (key, value []byte, err error) {
	k.c.reads.Add(1)
	return k.entry(off)
}

// entry is entryAt without the count, for a batch that adds its reads up
// once: goroutines reading in parallel would otherwise bounce the
// counter's cache line between cores on every record. Lock held.
func (k keyed) entry(off int64) (key, value []byte, err error) {
	op, p, err := k.c.payloadAt(off)
	if err != nil {
		return nil, nil, err
	}
	key, value, _, ok := splitEntry(op, p)
	if !ok {
		return nil, nil, corrupt(k.c.log.Path(), off, "%s record is not an entry", opName(op))
	}
	return key, value, nil
}

// entryInfo returns what the entry record at off says of its entry: its
// version (for a record written without one, its offset + 1: later writes
// always get a larger version, see nextVersion), its time, and the size
// of its value. Lock held.
func (k keyed) entryInfo(off int64) (EntryMeta, int, error) {
	k.c.reads.Add(1)
	op, p, err := k.c.payloadAt(off)
	if err != nil {
		return EntryMeta{}, 0, err
	}
	_, value, meta, ok := splitEntry(op, p)
	if !ok {
		return meta, 0, corrupt(k.c.log.Path(), off, "%s record is not an entry", opName(op))
	}
	if meta.Version == 0 {
		meta.Version = uint64(off) + 1
	}
	return meta, len(value), nil
}

// each visits entries in insertion order, reading up to iterBatch under the
// read lock and calling visit for each with the lock held; then, with no
// lock held, flush hands the batch to the caller and says whether to go on.
// A Clear or reload during the iteration is noticed: iteration resumes after
// the last key visited if it is still there, and ends otherwise. An error
// that ends the iteration early goes to report.
func (k keyed) each(visit func(off int64, key, value []byte) error, flush func() bool, report func(error)) {
	c := k.c
	c.activeIters.Add(1)
	defer c.activeIters.Add(-1)
	var (
		next    = -1
		epoch   uint64
		lastKey []byte
		offs    = make([]int64, 0, iterBatch)
	)
	for {
		if err := c.beginRead(); err != nil {
			if err != ErrClosed || next >= 0 {
				report(err)
			}
			return
		}
		if next < 0 {
			next, epoch = 0, c.epoch.Load()
		} else if e := c.epoch.Load(); e != epoch {
			epoch = e
			pos := -1
			if lastKey != nil {
				pos = k.st.position(c, lastKey)
			}
			if pos < 0 {
				c.endRead()
				return
			}
			next = pos + 1
		}
		n := k.st.order.Len()
		offs = offs[:0]
		for ; next < n && len(offs) < iterBatch; next++ {
			if off := int64(k.st.order.At(next)); off != 0 {
				offs = append(offs, off)
			}
		}
		count, last := 0, []byte(nil)
		err := c.readRecords(len(offs), func(i int) int64 { return offs[i] },
			func(_ int, off int64, op Op, p []byte) error {
				key, value, _, ok := splitEntry(op, p)
				if !ok {
					return corrupt(c.log.Path(), off, "%s record is not an entry", opName(op))
				}
				if err := visit(off, key, value); err != nil {
					return err
				}
				last = key
				count++
				return nil
			})
		if count > 0 {
			lastKey = append(lastKey[:0], last...)
		}
		c.endRead()
		if err != nil {
			// Hand over what was read before the damage, then stop.
			defer report(err)
			flush()
			return
		}
		if count == 0 || !flush() {
			return
		}
	}
}

// popLast removes the most recently inserted entry, handing it to take
// first. Write lock held.
func (k keyed) popLast(take func(key, value []byte) error) error {
	pos := k.st.last()
	if pos < 0 {
		return ErrEmpty
	}
	key, value, err := k.entryAt(int64(k.st.order.At(pos)))
	if err != nil {
		return err
	}
	if err := take(key, value); err != nil {
		return err
	}
	_, err = k.delete(bytes.Clone(key))
	return err
}

// Usable returns ErrClosed once the collection is closed, and nil while
// it can be read.
func (k keyed) Usable() error {
	if err := k.c.beginRead(); err != nil {
		return err
	}
	k.c.endRead()
	return nil
}

// randomTries bounds the random probes of the order before RandomKey
// counts instead (the order may be mostly holes until defrag runs).
const randomTries = 64

// randomPosition returns the order position of a live entry chosen
// uniformly at random, or -1 when there is none. Lock held.
func (k keyed) randomPosition() int {
	n := k.st.order.Len()
	if k.st.live == 0 || n == 0 {
		return -1
	}
	for range randomTries {
		if pos := rand.IntN(n); k.st.order.At(pos) != 0 {
			return pos
		}
	}
	// Mostly holes: choose the j-th live entry.
	j := rand.IntN(k.st.live)
	for pos := range n {
		if k.st.order.At(pos) != 0 {
			if j == 0 {
				return pos
			}
			j--
		}
	}
	return -1
}
