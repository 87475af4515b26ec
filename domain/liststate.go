package domain

import (
	"encoding/binary"
	"fmt"
)

// listState indexes a list: the offset of each element's record, in list order.
type listState struct {
	offs offsets
	swap *swapInfo // non-nil for a swap-and-pop list
}

func (s *listState) reset()           { s.offs.Reset() }
func (s *listState) length() int      { return s.offs.Len() }
func (s *listState) heapBytes() int64 { return s.offs.bytes() }
func (s *listState) empty() state     { return &listState{swap: s.swap} }
func (s *listState) adopt(n state)    { *s = *n.(*listState) }

func (s *listState) load(cp *checkpoint) { s.offs = cp.order }
func (s *listState) freeze(cp *checkpoint) {
	cp.order = s.offs.freeze()
	cp.liveCount = cp.order.Len()
}

func (s *listState) save(cp *checkpoint) {
	cp.order = s.offs
	cp.liveCount = s.offs.Len()
}

func (s *listState) apply(c *core, op Op, off int64, p []byte, n int64) (int64, error) {
	if s.swap != nil {
		return 0, s.applySwap(c, op, off, p)
	}
	index := func() (int, error) {
		if len(p) < 8 {
			return 0, corrupt(c.log.Path(), off, "%s record too short", opName(op))
		}
		i := binary.BigEndian.Uint64(p)
		limit := uint64(s.offs.Len())
		if op == OpInsert {
			limit++
		}
		if i >= limit {
			return 0, corrupt(c.log.Path(), off, "%s at index %d of a list of length %d", opName(op), i, s.offs.Len())
		}
		return int(i), nil
	}
	switch op {
	case OpAppend:
		s.offs.Push(uint64(off))
		c.liveBytes += n
		return 0, nil
	case OpInsert:
		i, err := index()
		if err != nil {
			return 0, err
		}
		s.offs.Insert(i, uint64(off))
		c.liveBytes += n
		return 0, nil
	case OpSet:
		i, err := index()
		if err != nil {
			return 0, err
		}
		old := int64(s.offs.At(i))
		c.markDead(old)
		s.offs.SetAt(i, uint64(off))
		c.liveBytes += n
		return old, nil
	case OpPop:
		i, err := index()
		if err != nil {
			return 0, err
		}
		old := int64(s.offs.At(i))
		c.markDead(old)
		s.offs.Remove(i)
		c.deadBytes += n
		return old, nil
	case OpReverse:
		s.offs.Reverse()
		c.deadBytes += n
		return 0, nil
	}
	return 0, corrupt(c.log.Path(), off, "%s record in a list", opName(op))
}

func (s *listState) compact(c *core, dst Log) (state, error) {
	next := &listState{}
	path := c.vals().Path()
	// Insert and Set records become Append records of their values.
	asAppend := func(rec []byte, _ int64, op Op, p []byte) ([]byte, error) {
		v, err := valueIn(path, 0, op, p)
		return append(beginRecord(rec, OpAppend), v...), err
	}
	var offs []int64
	for lo := 0; lo < s.offs.Len(); lo += copyBatch {
		hi := min(s.offs.Len(), lo+copyBatch)
		offs = offs[:0]
		for i := lo; i < hi; i++ {
			offs = append(offs, int64(s.offs.At(i)))
		}
		if err := c.copyRecords(dst, offs, OpAppend, asAppend); err != nil {
			return nil, fmt.Errorf("elements %d to %d: %w", lo, hi-1, err)
		}
		for _, off := range offs {
			next.offs.Push(uint64(off))
		}
	}
	return next, nil
}
