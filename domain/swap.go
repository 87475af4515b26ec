package domain

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
)

// Swap-and-pop lists (Options.AutoCompact, fixed-size values only).
//
// The data file is a dense array of value records, all the same length:
// slot k holds the record at header + k*recLen, and every slot is live.
// Removing an element moves the physically last record into its hole and
// cuts the file by one record, so the file never holds a dead record.
// List order lives in the in-memory offsets (checkpointed in the index file)
// and is changed by operations logged in a journal, P.journal.fscollection,
// whose records are the list operations with the bytes they put in place:
//
//	append [value]                 the value goes to slot n (the new last)
//	insert [u64 index][value]      the value goes to slot n
//	set    [u64 index][value]      the value overwrites the element's slot
//	pop    [u64 index][moved]      moved is the last slot's value, written
//	                               into the popped element's slot (empty
//	                               when the popped element was the last)
//	reverse                        order only
//
// Writes: a value appended to the data file and its journal record may
// reach the file in either order. Before anything is changed in place (a
// set's overwrite, a pop's move and cut) the journal is flushed, so the
// journal always describes every in-place change. Recovery replays the
// journal after the checkpoint and rewrites every slot the replayed records
// determine, from their bytes (which also repairs a torn overwrite), then
// cuts the file to exactly header + Len*recLen.
//
// A checkpoint names the generation of the journal that follows it; after
// saving one the journal is replaced by an empty one of that generation. A
// journal older than the checkpoint's is stale (its records are in the
// checkpoint) and is ignored.

type swapInfo struct {
	recLen  int64
	pending map[int64][]byte // during replay: slot -> the value it must hold
}

func journalHeader(h FileHeader, gen uint64) FileHeader {
	return FileHeader{Kind: KindList, Generation: gen, FixedSize: h.FixedSize, TypeName: "journal of " + h.TypeName}
}

// valueRecord is the data file record holding value v.
func valueRecord(dst, v []byte) []byte {
	rec := beginRecord(dst, OpAppend)
	rec = append(rec, v...)
	finishRecord(rec)
	return rec
}

// applySwap applies a journal record to the list order. During replay it
// also notes what each touched slot must hold.
func (s *listState) applySwap(c *core, op Op, off int64, p []byte) error {
	base := c.vals().Header().Len()
	n := s.offs.Len()
	index := func(limit int) (int, []byte, error) {
		if len(p) < 8 {
			return 0, nil, corrupt(c.log.Path(), off, "%s record too short", opName(op))
		}
		i := binary.BigEndian.Uint64(p)
		if i >= uint64(limit) {
			return 0, nil, corrupt(c.log.Path(), off, "%s at index %d of a list of length %d", opName(op), i, n)
		}
		return int(i), p[8:], nil
	}
	note := func(slot int64, v []byte) {
		if s.swap.pending != nil {
			s.swap.pending[slot] = valueRecord(nil, v)
		}
	}
	last := base + int64(n)*s.swap.recLen
	switch op {
	case OpAppend:
		s.offs.Push(uint64(last))
		note(last, p)
	case OpInsert:
		i, v, err := index(n + 1)
		if err != nil {
			return err
		}
		s.offs.Insert(i, uint64(last))
		note(last, v)
	case OpSet:
		i, v, err := index(n)
		if err != nil {
			return err
		}
		note(int64(s.offs.At(i)), v)
	case OpPop:
		i, moved, err := index(n)
		if err != nil {
			return err
		}
		hole := int64(s.offs.At(i))
		last -= s.swap.recLen
		s.offs.Remove(i)
		if hole != last {
			j := s.find(uint64(last))
			if j < 0 {
				return corrupt(c.log.Path(), off, "pop: no element in the last slot")
			}
			s.offs.SetAt(j, uint64(hole))
			note(hole, moved)
		}
		if s.swap.pending != nil {
			delete(s.swap.pending, last)
		}
	case OpReverse:
		s.offs.Reverse()
	default:
		return corrupt(c.log.Path(), off, "%s record in a list journal", opName(op))
	}
	c.liveBytes, c.deadBytes = int64(s.offs.Len())*s.swap.recLen, 0
	return nil
}

// find returns the position holding offset v, or -1. O(n), page by page.
func (s *listState) find(v uint64) int {
	at, found := 0, -1
	s.offs.each(func(run []uint64) {
		if found < 0 {
			for i, x := range run {
				if x == v {
					found = at + i
					return
				}
			}
		}
		at += len(run)
	})
	return found
}

// swapWrite logs a list operation to the journal and makes its change to
// the data file. Write lock held.
func (l *List[T]) swapWrite(op Op, i int, v T) error {
	c, sw := l.c, l.st.swap
	var val []byte
	var err error
	if op == OpAppend || op == OpInsert || op == OpSet {
		if val, err = l.codec.Append(nil, v); err != nil {
			return err
		}
		if int64(len(val))+RecordHeaderSize != sw.recLen {
			return fmt.Errorf("fscollections: codec %s wrote %d bytes, not its fixed size %d",
				l.codec.TypeName(), len(val), sw.recLen-RecordHeaderSize)
		}
	}
	n := l.st.offs.Len()
	last := c.vals().Header().Len() + int64(n-1)*sw.recLen
	var hole int64
	var moved []byte
	if op == OpPop {
		if hole = int64(l.st.offs.At(i)); hole != last {
			if moved, err = c.valueAt(last); err != nil {
				return err
			}
			moved = append([]byte(nil), moved...)
		}
	}
	if op == OpSet {
		hole = int64(l.st.offs.At(i))
	}
	rec := beginRecord(c.scratch[:0], op)
	if op != OpAppend && op != OpReverse {
		rec = binary.BigEndian.AppendUint64(rec, uint64(i))
	}
	rec = append(rec, val...)
	rec = append(rec, moved...)
	finishRecord(rec)
	c.keepScratch(rec)
	if op != OpPop && op != OpSet {
		if op == OpAppend || op == OpInsert {
			// The value may reach the file before or after its journal
			// record: recovery copes with either.
			if _, err := c.vals().Append(valueRecord(nil, val)); err != nil {
				return c.must(err)
			}
		}
		return c.commit(rec)
	}
	// A change in place. The journal must describe it in the file before
	// the order changes in memory or the data file changes in place; a
	// failure before that leaves both as they were, one after it leaves
	// the collection failed (to be reopened).
	if err := c.must(c.vals().Flush()); err != nil {
		return err
	}
	off, err := c.appendRecord(rec)
	if err != nil {
		return err
	}
	if err := c.must(c.log.Flush()); err != nil {
		return err
	}
	if c.cfg.Cache != nil {
		c.cfg.Cache.Remove(hole)
		c.cfg.Cache.Remove(last)
	}
	if op == OpSet {
		if err := c.must(c.vals().WriteAt(valueRecord(nil, val), hole)); err != nil {
			return err
		}
		return c.applyRecord(rec, off)
	}
	if moved != nil {
		if err := c.must(c.vals().WriteAt(valueRecord(nil, moved), hole)); err != nil {
			return err
		}
	}
	if err := c.applyRecord(rec, off); err != nil {
		return err
	}
	return c.must(c.vals().Truncate(last))
}

// load opens a swap-and-pop list's data file and journal and rebuilds
// its order from the checkpoint and the journal, repairing the data file.
// The order is rebuilt exactly or not at all: with no valid checkpoint for
// this data file, only a journal that still holds the whole history (its
// first generation, never reset by a checkpoint) can rebuild it, and
// anything else is ErrCorrupt rather than a list in another order.
func (s *swapLayout) load() (clean bool, markedLen int64, err error) {
	c := s.c
	st := c.st.(*listState)
	if err := s.openFiles(st); err != nil {
		return false, 0, err
	}
	base, R := s.slots.Header().Len(), st.swap.recLen
	o, err := s.restoreOrder(st)
	if err != nil {
		return false, 0, err
	}
	if o.marked && o.valid {
		markedLen = o.bodyLen
	}
	st.swap.pending = map[int64][]byte{}
	defer func() { st.swap.pending = nil }()
	c.applied, c.ckptLength = o.from, c.log.Header().Len()
	if err := c.replay(o.from, c.log.Size()); err != nil {
		return false, 0, err
	}
	c.liveBytes, c.deadBytes = int64(st.offs.Len())*R, 0
	if err := s.repairSlots(st, base, R); err != nil {
		return false, 0, err
	}
	if o.rewritten && !c.cfg.ReadOnly {
		// Bind a checkpoint to the rewritten file before the journal grows.
		if err := s.checkpoint(false); err != nil {
			return false, 0, err
		}
	}
	return o.clean, markedLen, nil
}

// openFiles opens the data file and its journal, which becomes the log.
func (s *swapLayout) openFiles(st *listState) error {
	c := s.c
	slots, err := c.storage.OpenLog(c.cfg.Header, !c.cfg.ReadOnly)
	if err != nil {
		return err
	}
	jl, err := s.openJournal(slots, st.swap.recLen)
	if err != nil {
		_ = slots.Close()
		return err
	}
	if s.slots != nil {
		_ = s.slots.Close()
	}
	s.slots = slots
	c.replaceLog(jl)
	st.reset()
	c.epoch.Add(1)
	return nil
}

// swapStart is where load starts replaying the journal, and what it
// found: the checkpoint it used (valid, marked clean, its length), whether
// the whole journal was covered by a clean one, and whether the data file
// was rewritten by a Compact or Clear that a crash cut short.
type swapStart struct {
	from                            int64
	bodyLen                         int64
	clean, marked, valid, rewritten bool
}

// restoreOrder rebuilds the list order from the index checkpoint, when one
// is valid for these files, and says where the journal's replay starts.
// Without one, only a journal that still holds the whole history (its
// first generation) can rebuild the order; anything else is ErrCorrupt.
func (s *swapLayout) restoreOrder(st *listState) (swapStart, error) {
	c := s.c
	slots, jl := s.slots, c.log
	h := slots.Header()
	base, R := h.Len(), st.swap.recLen
	jgen := jl.Header().Generation
	o := swapStart{from: jl.Header().Len()}
	raw, err := c.index.Load()
	if err != nil {
		return o, err
	}
	var cp checkpoint
	if raw != nil {
		cp, o.bodyLen, o.marked, err = decodeCheckpoint("index", raw)
		o.valid = err == nil && cp.kind == KindList && cp.generation == h.Generation && cp.journalGen > 0 &&
			cp.validate(slots.Path(), base, R) == nil
	}
	switch {
	case o.valid && jgen == cp.journalGen && cp.dataLength >= o.from && cp.dataLength <= jl.Size():
		st.load(&cp)
		o.from = cp.dataLength
		o.clean = o.marked && o.from == jl.Size()
	case o.valid && jgen < cp.journalGen:
		st.load(&cp) // the journal's records are all in the checkpoint
		o.from = jl.Size()
		if !c.cfg.ReadOnly {
			if jl, err = c.storage.ResetJournal(journalHeader(h, cp.journalGen)); err != nil {
				return o, err
			}
			c.replaceLog(jl)
			o.from = jl.Size()
		}
	case raw != nil && err == nil && cp.kind == KindList && cp.journalGen == jgen &&
		h.Generation == rewriteGeneration(cp.generation, jgen) && (slots.Size()-base)%R == 0:
		// A Compact or Clear was cut short after installing the data file
		// it wrote (whose generation says so) and before checkpointing it:
		// the file holds the list in order, the journal's records included.
		for off := base; off < slots.Size(); off += R {
			st.offs.Push(uint64(off))
		}
		o.from, o.rewritten = jl.Size(), true
	case jgen == 1:
		// Never checkpointed: the journal holds the whole history, and
		// replaying it rewrites every live slot from its records.
		o.valid = false
		if raw != nil && !c.cfg.ReadOnly {
			if err := c.index.Remove(); err != nil {
				return o, fmt.Errorf("fscollections: remove the rejected index of %s: %w", slots.Path(), err)
			}
		}
	case raw == nil:
		return o, corrupt(slots.Path(), 0, "the index of this swap-and-pop list is missing, and its journal "+
			"(generation %d) no longer holds the whole history: the list's order cannot be rebuilt", jgen)
	default:
		return o, corrupt(slots.Path(), 0, "the index of this swap-and-pop list is damaged or belongs to "+
			"another file, and its journal (generation %d) no longer holds the whole history: the list's order cannot be rebuilt", jgen)
	}
	return o, nil
}

// rewriteGeneration is the generation of the data file that Compact or
// Clear writes to replace the file of generation old while the journal is
// at generation journal: derived, not drawn, so that a crash between
// installing the file and checkpointing it can be told from a foreign
// index (see loadSwap). It mixes its inputs (splitmix64's finalizer), so
// it is as unpredictable as old.
func rewriteGeneration(old, journal uint64) uint64 {
	z := old ^ (journal * 0x9e3779b97f4a7c15)
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	z ^= z >> 31
	if z == 0 || z == old {
		z = ^old
	}
	return z
}

// openJournal checks that slots is a swap-and-pop list's data file of
// the codec's size and opens its journal, creating it for a new list.
func (s *swapLayout) openJournal(slots Log, recLen int64) (Log, error) {
	c := s.c
	h := slots.Header()
	if err := h.CheckType(slots.Path(), c.cfg.Header); err != nil {
		return nil, err
	}
	if h.FixedSize == 0 || int64(h.FixedSize) != recLen-RecordHeaderSize {
		return nil, fmt.Errorf("%w: %s holds %d-byte values, not the fixed %d bytes AutoCompact needs",
			ErrTypeMismatch, slots.Path(), h.FixedSize, recLen-RecordHeaderSize)
	}
	jh := journalHeader(h, 1)
	jl, err := c.storage.OpenJournal(jh, false)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return jl, err
	}
	// No journal: a new list, or a list written without AutoCompact,
	// whose log must not be taken for slots. (A data file flagged as
	// slots has lost its journal: the records cannot be ordered.)
	switch {
	case slots.Size() != h.Len() && h.SwapLayout:
		return nil, corrupt(slots.Path(), 0, "the journal of this swap-and-pop list is missing")
	case slots.Size() != h.Len():
		return nil, fmt.Errorf("%w: %s holds a list written without AutoCompact: open it without AutoCompact",
			ErrInvalidOptions, slots.Path())
	case c.cfg.ReadOnly:
		return nil, fmt.Errorf("fscollections: open the empty swap-and-pop list %s read-only: %w", slots.Path(), err)
	}
	return c.storage.OpenJournal(jh, true)
}

// repairSlots makes the data file hold exactly the live slots, with the
// contents the replayed journal determines.
func (s *swapLayout) repairSlots(st *listState, base, R int64) error {
	c := s.c
	end := base + int64(st.offs.Len())*R
	size := s.slots.Size()
	for off := base; off < end; off += R {
		if _, ok := st.swap.pending[off]; !ok && off+R > size {
			return corrupt(s.slots.Path(), off, "slot of a live element missing (file has %d bytes)", size)
		}
	}
	if len(st.swap.pending) == 0 && size == end {
		return nil
	}
	if c.cfg.ReadOnly {
		return fmt.Errorf("%w: %s needs crash recovery: open it read-write once", ErrReadOnly, s.slots.Path())
	}
	if size > end {
		if err := s.slots.Truncate(end); err != nil {
			return err
		}
	}
	for s.slots.Size() < end { // slots whose values only the journal has
		if _, err := s.slots.Append(make([]byte, R)); err != nil {
			return err
		}
	}
	if err := s.slots.Flush(); err != nil {
		return err
	}
	for off, rec := range st.swap.pending {
		if off < end {
			if err := s.slots.WriteAt(rec, off); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkpoint saves the order and starts a fresh journal.
func (s *swapLayout) checkpoint(clean bool) error {
	c := s.c
	if err := c.must(s.slots.Flush()); err != nil {
		return err
	}
	if err := s.slots.SyncData(); err != nil { // the file must be whole before the journal goes
		return c.fail(err)
	}
	if err := c.must(c.log.Flush()); err != nil {
		return err
	}
	next := journalHeader(s.slots.Header(), c.log.Header().Generation+1)
	cp := c.newCheckpoint(c.st, s.slots, false)
	cp.journalGen, cp.dataLength = next.Generation, next.Len()
	if err := c.saveIndex(cp.parts(clean)...); err != nil {
		return fmt.Errorf("fscollections: write checkpoint: %w", err)
	}
	jl, err := c.storage.ResetJournal(next)
	if err != nil {
		// The index now names a journal that does not exist: records
		// appended to the old one would be ignored at the next Open.
		return c.fail(err)
	}
	c.replaceLog(jl)
	c.applied, c.ckptLength = jl.Size(), jl.Size()
	return nil
}

// rewrite rewrites the data file in list order (Compact) or empty (Clear).
func (s *swapLayout) rewrite(clear bool) error {
	c := s.c
	st := c.st.(*listState)
	h := s.slots.Header()
	h.Generation = rewriteGeneration(h.Generation, c.log.Header().Generation)
	dst, err := c.storage.CreateReplacement(h)
	if err != nil {
		return err
	}
	next := &listState{swap: st.swap}
	if !clear {
		err = c.readRuns(st.offs.Len(), func(k int) int64 { return int64(st.offs.At(k)) },
			func(_ int, _ int64, v []byte) error {
				off, err := dst.Append(valueRecord(nil, v))
				next.offs.Push(uint64(off))
				return err
			})
	}
	if err == nil {
		err = dst.Flush()
	}
	if err == nil {
		err = dst.SyncData()
	}
	nextJournal := journalHeader(h, c.log.Header().Generation+1)
	if err != nil {
		_ = dst.Close()
		return fmt.Errorf("fscollections: rewrite %s: %w", s.slots.Path(), err)
	}
	installed, err := c.storage.InstallReplacement(dst)
	if !installed {
		_ = dst.Close()
		return fmt.Errorf("fscollections: rewrite %s: %w", s.slots.Path(), err)
	}
	cp := c.newCheckpoint(next, dst, false)
	cp.journalGen, cp.dataLength = nextJournal.Generation, nextJournal.Len()
	c.fileMu.Lock()
	_ = s.slots.Close()
	s.slots = dst
	c.fileMu.Unlock()
	st.adopt(next)
	if c.cfg.Cache != nil {
		c.cfg.Cache.Purge()
	}
	if err == nil {
		err = c.saveIndex(cp.parts(false)...)
	}
	if err != nil {
		// The new data file is live but the index does not describe it:
		// journal records written now would be ignored at the next Open.
		return c.fail(err)
	}
	jl, err := c.storage.ResetJournal(nextJournal)
	if err != nil {
		return c.fail(err)
	}
	c.replaceLog(jl)
	c.liveBytes, c.deadBytes = int64(st.offs.Len())*st.swap.recLen, 0
	c.applied, c.ckptLength = jl.Size(), jl.Size()
	if clear {
		c.epoch.Add(1)
	}
	c.compactions.Add(1)
	return nil
}
