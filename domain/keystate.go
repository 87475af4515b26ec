package domain

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// keyState indexes a map or set: the record offset of each entry in
// insertion order (0 marks a deleted entry's place) and a hash table from
// key hash to position in that order. Keys stay in the data file.
type keyState struct {
	order offsets
	table keyTable
	live  int
}

func (s *keyState) reset()           { *s = keyState{} }
func (s *keyState) length() int      { return s.live }
func (s *keyState) heapBytes() int64 { return s.order.bytes() + s.table.bytes() }
func (s *keyState) empty() state     { return &keyState{} }
func (s *keyState) adopt(n state)    { *s = *n.(*keyState) }

func (s *keyState) load(cp *checkpoint) {
	s.order, s.live = cp.order, cp.liveCount
	s.table = keyTable{pages: cp.slots, n: cp.slotCount, used: cp.liveCount}
}

func (s *keyState) save(cp *checkpoint) {
	s.table.finishGrowing() // a checkpoint holds one table
	cp.order, cp.slots, cp.slotCount, cp.liveCount = s.order, s.table.pages, s.table.n, s.live
}

func (s *keyState) freeze(cp *checkpoint) {
	cp.order, cp.liveCount = s.order.freeze(), s.live
	t := s.table.freeze()
	cp.slots, cp.slotCount = t.pages, t.n
	if t.old != nil {
		cp.growing = &t // merged into one table when written (checkpoint.parts)
	}
}

// keyIs reports whether the entry record at off has key, reading only the
// record's header, key length and key (unverified: a damaged key merely
// fails to match; values are verified when read).
func (c *core) keyIs(off int64, key []byte) bool {
	n := RecordHeaderSize + 4 + len(key)
	if off < 0 || off > c.log.Size()-int64(n) {
		return false
	}
	b, err := c.log.View(off, n)
	if err != nil {
		return false
	}
	return binary.BigEndian.Uint64(b[2:10]) >= uint64(4+len(key)) &&
		binary.BigEndian.Uint32(b[RecordHeaderSize:]) == uint32(len(key)) &&
		bytes.Equal(b[RecordHeaderSize+4:], key)
}

// lookup returns the table slot of key, or -1.
func (s *keyState) lookup(c *core, key []byte, h uint32) int {
	if i, found := s.probe(c, key, h); found {
		return i
	}
	return -1
}

// probe returns the table slot of key and true, or the empty slot where
// it would go and false (see keyTable.probe).
func (s *keyState) probe(c *core, key []byte, h uint32) (int, bool) {
	return s.table.probe(h, func(pos int) bool {
		// A loaded table may name positions badly (it is validated, not
		// proven): never read past the order.
		return pos < s.order.Len() && c.keyIs(int64(s.order.At(pos)), key)
	})
}

// slotOf returns the table slot of key, whose entry's record is at off,
// or -1 when no slot names that record. It compares offsets, not keys:
// it reads the table and the order, never the record.
func (s *keyState) slotOf(key []byte, off int64) int {
	i, found := s.table.probe(hashKey(key), func(pos int) bool {
		return pos < s.order.Len() && int64(s.order.At(pos)) == off
	})
	if !found {
		return -1
	}
	return i
}

// probeGroup is how many keys positions probes side by side.
const probeGroup = 16

// findMany sets offs[i] to the record offset of keys[i], or 0 when absent.
// It goes through the keys in groups, one stage at a time for the whole
// group — every home slot, then every candidate's order entry, then every
// candidate's record — so that the cache misses of different keys overlap
// instead of queueing. A candidate is the first slot of the key's probe
// run with its hash; a key no candidate settles takes the ordinary probe.
func (s *keyState) findMany(c *core, keys [][]byte, offs []int64) {
	var (
		h    [probeGroup]uint32
		slot [probeGroup]uint64
	)
	if s.table.old != nil { // growing: two tables to probe, one key at a time
		for i, k := range keys {
			offs[i] = 0
			if j := s.lookup(c, k, hashKey(k)); j >= 0 {
				offs[i] = int64(s.order.At(slotPos(s.table.at(j))))
			}
		}
		return
	}
	for lo := 0; lo < len(keys); lo += probeGroup {
		group := keys[lo:min(len(keys), lo+probeGroup)]
		out := offs[lo : lo+len(group)]
		if s.table.n == 0 {
			clear(out)
			continue
		}
		t := &s.table
		for i, k := range group {
			h[i] = hashKey(k)
		}
		for i := range group {
			slot[i] = t.at(t.home(h[i]))
		}
		for i := range group {
			out[i] = 0
			for j, sl, lap := t.home(h[i]), slot[i], 0; sl != 0 && lap < t.n; j, lap = t.next(j), lap+1 {
				sl = s.table.at(j)
				if sl != 0 && slotHash(sl) == h[i] && slotPos(sl) < s.order.Len() {
					slot[i] = sl
					out[i] = int64(s.order.At(slotPos(sl)))
					break
				}
			}
		}
		for i, k := range group {
			if out[i] == 0 || c.keyIs(out[i], k) {
				continue // absent (no slot with its hash), or found
			}
			out[i] = 0
			if j := s.lookup(c, k, h[i]); j >= 0 {
				out[i] = int64(s.order.At(slotPos(s.table.at(j))))
			}
		}
	}
}

// position returns the order position of key, or -1.
func (s *keyState) position(c *core, key []byte) int {
	i := s.lookup(c, key, hashKey(key))
	if i < 0 {
		return -1
	}
	return slotPos(s.table.at(i))
}

func (s *keyState) apply(c *core, op Op, off int64, p []byte, n int64) (int64, error) {
	key, _, meta, ok := splitEntry(op, p)
	if op == OpDelete {
		key, _, ok = SplitKeyed(p)
	}
	if !ok || (!op.isEntry() && op != OpDelete) {
		return 0, corrupt(c.log.Path(), off, "bad %s record in a %s", opName(op), c.cfg.Header.Kind)
	}
	if op.isEntry() {
		// Replay keeps the version counter above every version written.
		c.version = max(c.version, meta.Version, uint64(off)+1)
	}
	h := hashKey(key)
	if op.isEntry() {
		i, found := s.probe(c, key, h)
		return s.putSlot(c, i, found, h, off, n), nil
	}
	i := s.lookup(c, key, h)
	if i < 0 {
		c.deadBytes += n
		return 0, nil
	}
	return s.removeSlot(c, i, n), nil
}

// putSlot applies an n-byte put record at off for a key with hash h whose
// probe (see probe) ended at table slot i, found or not, and returns the
// offset of the record it replaced, now dead, or 0.
func (s *keyState) putSlot(c *core, i int, found bool, h uint32, off, n int64) int64 {
	c.liveBytes += n
	if found { // overwrite: the key keeps its place
		pos := slotPos(s.table.at(i))
		old := int64(s.order.At(pos))
		c.markDead(old)
		s.order.SetAt(pos, uint64(off))
		return old
	}
	s.table.insertAt(i, h, s.order.Len())
	s.order.Push(uint64(off))
	s.live++
	return 0
}

// removeSlot applies an n-byte delete record to the entry in table slot i
// and returns the offset of the entry's record, now dead.
func (s *keyState) removeSlot(c *core, i int, n int64) int64 {
	c.deadBytes += n
	pos := slotPos(s.table.at(i))
	old := int64(s.order.At(pos))
	c.markDead(old)
	s.order.SetAt(pos, 0)
	s.table.removeAt(i)
	s.live--
	// Trailing holes go at once, so the last entry (PopItem) is O(1) to find.
	n2 := s.order.Len()
	for n2 > 0 && s.order.At(n2-1) == 0 {
		n2--
	}
	s.order.Truncate(n2)
	return old
}

// last returns the position of the most recently inserted entry, or -1.
func (s *keyState) last() int {
	for i := s.order.Len() - 1; i >= 0; i-- {
		if s.order.At(i) != 0 {
			return i
		}
	}
	return -1
}

// defrag drops the holes deleted entries left in the order once they
// outnumber the live entries. Positions change, so it only runs when no
// iteration is in progress.
func (s *keyState) defrag() {
	holes := s.order.Len() - s.live
	if holes < 4096 || holes < s.live {
		return
	}
	newPos := make([]uint32, s.order.Len())
	var next offsets
	for i := 0; i < s.order.Len(); i++ {
		if off := s.order.At(i); off != 0 {
			newPos[i] = uint32(next.Len())
			next.Push(off)
		}
	}
	s.table.rewrite(func(sl uint64) uint64 {
		if p := slotPos(sl); p < len(newPos) {
			return makeSlot(int(newPos[p]), slotHash(sl))
		}
		// Only a crafted index can leave a slot past the order (two slots
		// naming one entry); what it named is gone.
		return makeSlot(0, slotHash(sl)) // position 0: keyIs will not match
	})
	s.order = next
}

func (s *keyState) compact(c *core, dst Log) (state, error) {
	next := &keyState{table: s.table, live: s.live}
	asIs, rebuild := OpPut, (func([]byte, int64, Op, []byte) ([]byte, error))(nil)
	if c.cfg.Versioned {
		// An entry written without a version gets the one it reported
		// (its old offset + 1), so that moving it changes nothing.
		asIs = OpPutV
		rebuild = func(rec []byte, off int64, op Op, p []byte) ([]byte, error) {
			key, value, meta, ok := splitEntry(op, p)
			if !ok {
				return nil, corrupt(c.vals().Path(), off, "%s record is not an entry", opName(op))
			}
			if meta.Version == 0 {
				meta.Version = uint64(off) + 1
			}
			rec = appendKeyed(beginRecord(rec, OpPutV), key)
			rec = binary.BigEndian.AppendUint64(rec, meta.Version)
			rec = binary.BigEndian.AppendUint64(rec, uint64(meta.Modified))
			return append(rec, value...), nil
		}
	}
	var offs []int64
	for lo := 0; lo < s.order.Len(); lo += copyBatch {
		hi := min(s.order.Len(), lo+copyBatch)
		offs = offs[:0]
		for i := lo; i < hi; i++ {
			if off := int64(s.order.At(i)); off != 0 {
				offs = append(offs, off)
			}
		}
		if err := c.copyRecords(dst, offs, asIs, rebuild); err != nil {
			return nil, fmt.Errorf("entries %d to %d: %w", lo, hi-1, err)
		}
		j := 0
		for i := lo; i < hi; i++ {
			if s.order.At(i) == 0 {
				next.order.Push(0) // keep positions: iterations may be under way
				continue
			}
			next.order.Push(uint64(offs[j]))
			j++
		}
	}
	return next, nil
}
