package domain

import "slices"

// keyTable maps key hashes to positions in the insertion-order sequence.
// It is an open-addressing table with linear probing and backward-shift
// deletion. A slot is one uint64: (position+1)<<32 | hash, 0 when empty. Keys are not held in memory: a candidate slot is confirmed
// by reading the key from the record in the data file.
//
// A key's home slot is (hash × slots) >> 32, so the table can have any
// size: it grows by half (at 3/4 full), which keeps it between 1/2 and
// 3/4 full instead of the 3/8 to 3/4 of doubling, and probing wraps at
// the last slot.
//
// Growth is incremental, so that no write waits for the whole table to be
// rehashed (27 ms at a million keys): a full table becomes the old table,
// and every insertion moves the next moveStep of its slots into the new
// one. Meanwhile a lookup probes the new table, then the old; a key is in
// exactly one of them; a slot moved out of, or deleted from, the old table
// becomes a tombstone, which lookups walk past (the old table's probe runs
// keep their shape), and insertions go to the new table only. Slot
// indices at or past n name the old table's slot index-n.
//
// The slots are stored in pages of pageSize (one shorter page for a table
// smaller than that), so that a background checkpoint can read a frozen
// copy of the table while writers go on, as offsets does (see
// offsets.freeze): a page the copy shares is copied before its first write.
type keyTable struct {
	pages  [][]uint64
	n      int    // slots
	used   int    // keys, in both tables while growing
	frozen []bool // frozen[p]: pages[p] may be shared with a frozen copy
	// old is the table being moved into this one, nil when not growing;
	// its slots below moved have been moved (or were empty).
	old   *keyTable
	moved int
}

const minTableSize = 64

// tombstone marks a slot of the old table whose key was moved or deleted:
// a position no order reaches, with a hash, so that probes walk past it.
const tombstone = ^uint64(0)

// moveStep is how many old slots each insertion moves while growing. The
// new table is 3/2 the old, which was 3/4 full, so it starts 1/2 full;
// moving 32 slots per insertion (about a microsecond) empties the old
// table before another 1/32 of the new one fills, long before it must
// grow again, and keeps the time both tables are held in memory short.
const moveStep = 32

func slotPos(s uint64) int     { return int(s>>32) - 1 }
func slotHash(s uint64) uint32 { return uint32(s) }
func makeSlot(pos int, h uint32) uint64 {
	return uint64(pos+1)<<32 | uint64(h)
}

// home is the first slot a key with hash h may occupy.
func (t *keyTable) home(h uint32) int { return int(uint64(h) * uint64(t.n) >> 32) }

// next is the slot after i, wrapping to 0 after the last.
func (t *keyTable) next(i int) int {
	if i++; i == t.n {
		return 0
	}
	return i
}

// at returns slot i: of this table for i < n, of the old one past that.
func (t *keyTable) at(i int) uint64 {
	if i >= t.n {
		return t.old.slot(i - t.n)
	}
	return t.slot(i)
}

// slot returns slot i of this table, not looking at the old one.
func (t *keyTable) slot(i int) uint64 { return t.pages[i>>pageShift][i&pageMask] }

// set writes slot i of this table, copying its page first if a frozen
// copy shares it.
func (t *keyTable) set(i int, s uint64) {
	p := i >> pageShift
	ownPage(t.pages, t.frozen, p)
	t.pages[p][i&pageMask] = s
}

// newTablePages returns the zeroed pages of an n-slot table: full pages
// and a shorter last one.
func newTablePages(n int) [][]uint64 {
	pages := make([][]uint64, 0, (n+pageMask)/pageSize)
	for i := 0; i < n; i += pageSize {
		pages = append(pages, make([]uint64, min(pageSize, n-i)))
	}
	return pages
}

// tablePages splits the slots in w into pages as newTablePages lays them
// out, without copying them.
func tablePages(w []uint64) [][]uint64 {
	pages := make([][]uint64, 0, (len(w)+pageMask)/pageSize)
	for i := 0; i < len(w); i += pageSize {
		end := min(len(w), i+pageSize)
		pages = append(pages, w[i:end:end])
	}
	return pages
}

// freeze returns a copy of the table that stays as it is now, for reading
// (see offsets.freeze).
func (t *keyTable) freeze() keyTable {
	t.frozen = slices.Grow(t.frozen[:0], len(t.pages))[:len(t.pages)]
	for p := range t.frozen {
		t.frozen[p] = true
	}
	f := keyTable{pages: slices.Clone(t.pages), n: t.n, used: t.used, moved: t.moved}
	if t.old != nil {
		old := t.old.freeze()
		f.old = &old
	}
	return f
}

// merged returns the slots of a table frozen while growing as one table
// of n slots, as it will be once every key has moved: the new table's
// pages copied, and the old table's remaining keys placed in them. The
// frozen table is left as it was.
func (t *keyTable) merged() [][]uint64 {
	if t.old == nil {
		return t.pages
	}
	m := keyTable{pages: make([][]uint64, len(t.pages)), n: t.n}
	for p, pg := range t.pages {
		m.pages[p] = slices.Clone(pg)
	}
	for i := range t.old.n {
		if s := t.old.slot(i); s != 0 && s != tombstone {
			m.place(s)
		}
	}
	return m.pages
}

// probe calls match for each position whose slot has hash h, in probe
// order, until match reports true, and returns that slot's index and true.
// When no slot matches it returns the empty slot of this table that ended
// the search (where insertAt can put the key), or -1 for an empty table,
// and false. While growing it probes the new table, then the old.
func (t *keyTable) probe(h uint32, match func(pos int) bool) (i int, found bool) {
	i, found = t.probeOwn(h, match)
	if found || t.old == nil {
		return i, found
	}
	if j, ok := t.old.probeOwn(h, match); ok {
		return t.n + j, true
	}
	return i, false
}

// probeOwn is probe in this table alone.
func (t *keyTable) probeOwn(h uint32, match func(pos int) bool) (i int, found bool) {
	if t.n == 0 {
		return -1, false
	}
	i = t.home(h)
	// At most one lap: a table always has an empty slot (it grows at 3/4
	// and a loaded checkpoint is validated), but a lookup must end even
	// if that were ever false.
	for range t.n {
		s := t.slot(i)
		if s == 0 {
			return i, false
		}
		if slotHash(s) == h && match(slotPos(s)) {
			return i, true
		}
		i = t.next(i)
	}
	return -1, false
}

// insertAt adds a slot for position pos with hash h, for a key that is
// absent and whose probe ended at the empty slot empty (-1 when unknown):
// unless the table must grow or is growing, the slot goes there without
// probing again.
func (t *keyTable) insertAt(empty int, h uint32, pos int) {
	if (t.used+1)*4 > t.n*3 {
		t.finishGrowing() // never needed at these sizes; a bound, not a pause
		t.startGrowing()
	}
	if t.old != nil {
		t.moveSome(moveStep) // may take the empty slot found: place anew
		empty = -1
	}
	if empty >= 0 {
		t.set(empty, makeSlot(pos, h))
	} else {
		t.place(makeSlot(pos, h))
	}
	t.used++
}

func (t *keyTable) place(s uint64) {
	i := t.home(slotHash(s))
	for t.slot(i) != 0 {
		i = t.next(i)
	}
	t.set(i, s)
}

// startGrowing makes the table the old table of a new one half as large
// again. Nothing moves yet.
func (t *keyTable) startGrowing() {
	n := max(t.n+t.n/2, minTableSize)
	if t.n == 0 {
		t.pages, t.n, t.frozen = newTablePages(n), n, nil
		return
	}
	t.old = &keyTable{pages: t.pages, n: t.n, frozen: t.frozen}
	t.pages, t.n, t.frozen, t.moved = newTablePages(n), n, nil, 0
}

// moveSome moves up to k slots of the old table into this one, and drops
// the old table once it is empty.
func (t *keyTable) moveSome(k int) {
	for end := min(t.old.n, t.moved+k); t.moved < end; t.moved++ {
		if s := t.old.slot(t.moved); s != 0 && s != tombstone {
			t.place(s)
			t.old.set(t.moved, tombstone)
		}
	}
	if t.moved == t.old.n {
		t.old, t.moved = nil, 0
	}
}

// finishGrowing moves what is left of the old table, if any.
func (t *keyTable) finishGrowing() {
	if t.old != nil {
		t.moveSome(t.old.n)
	}
}

// removeAt empties slot i: in this table it shifts later members of its
// probe run back; in the old table it leaves a tombstone.
func (t *keyTable) removeAt(i int) {
	t.used--
	if i >= t.n {
		t.old.set(i-t.n, tombstone)
		return
	}
	t.set(i, 0)
	for j := t.next(i); t.slot(j) != 0; j = t.next(j) {
		s := t.slot(j)
		home := t.home(slotHash(s))
		// Move s into the hole at i when its home is not in (i, j].
		if (j > i && (home <= i || home > j)) || (j < i && home <= i && home > j) {
			t.set(i, s)
			t.set(j, 0)
			i = j
		}
	}
}

// rewrite replaces every key's slot s by f(s), in both tables.
func (t *keyTable) rewrite(f func(s uint64) uint64) {
	for i := range t.n {
		if s := t.slot(i); s != 0 {
			t.set(i, f(s))
		}
	}
	if t.old != nil {
		for i := range t.old.n {
			if s := t.old.slot(i); s != 0 && s != tombstone {
				t.old.set(i, f(s))
			}
		}
	}
}

// bytes is the heap the table holds, the old one included.
func (t *keyTable) bytes() int64 {
	if t.old != nil {
		return int64(t.n+t.old.n) * 8
	}
	return int64(t.n) * 8
}
