package domain

import "slices"

// keyTable maps key hashes to positions in the insertion-order sequence.
// It is an open-addressing table with linear probing and backward-shift
// deletion (no tombstones). A slot is one uint64: (position+1)<<32 | hash,
// 0 when empty. Keys are not held in memory: a candidate slot is confirmed
// by reading the key from the record in the data file.
//
// A key's home slot is (hash × slots) >> 32, so the table can have any
// size: it grows by half (at 3/4 full), which keeps it between 1/2 and
// 3/4 full instead of the 3/8 to 3/4 of doubling, and probing wraps at
// the last slot.
//
// The slots are stored in pages of pageSize (one shorter page for a table
// smaller than that), so that a background checkpoint can read a frozen
// copy of the table while writers go on, as offsets does (see
// offsets.freeze): a page the copy shares is copied before its first write.
type keyTable struct {
	pages  [][]uint64
	n      int // slots
	used   int
	frozen []bool // frozen[p]: pages[p] may be shared with a frozen copy
}

const minTableSize = 64

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

// at returns slot i.
func (t *keyTable) at(i int) uint64 { return t.pages[i>>pageShift][i&pageMask] }

// set writes slot i, copying its page first if a frozen copy shares it.
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
	return keyTable{pages: slices.Clone(t.pages), n: t.n, used: t.used}
}

// probe calls match for each position whose slot has hash h, in probe
// order, until match reports true, and returns that slot's index and true.
// When no slot matches it returns the empty slot that ended the search
// (where insertAt can put the key), or -1 for an empty table, and false.
func (t *keyTable) probe(h uint32, match func(pos int) bool) (i int, found bool) {
	if t.n == 0 {
		return -1, false
	}
	i = t.home(h)
	// At most one lap: a table always has an empty slot (it grows at 3/4
	// and a loaded checkpoint is validated), but a lookup must end even
	// if that were ever false.
	for range t.n {
		s := t.at(i)
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
// unless the table must grow first, the slot goes there without probing
// again.
func (t *keyTable) insertAt(empty int, h uint32, pos int) {
	switch {
	case (t.used+1)*4 > t.n*3:
		t.grow()
		t.place(makeSlot(pos, h))
	case empty >= 0:
		t.set(empty, makeSlot(pos, h))
	default:
		t.place(makeSlot(pos, h))
	}
	t.used++
}

func (t *keyTable) place(s uint64) {
	i := t.home(slotHash(s))
	for t.at(i) != 0 {
		i = t.next(i)
	}
	t.set(i, s)
}

func (t *keyTable) grow() {
	n := max(t.n+t.n/2, minTableSize)
	old := t.pages
	t.pages, t.n, t.frozen = newTablePages(n), n, nil
	for _, pg := range old {
		for _, s := range pg {
			if s != 0 {
				t.place(s)
			}
		}
	}
}

// removeAt empties slot i and shifts later members of its probe run back.
func (t *keyTable) removeAt(i int) {
	t.set(i, 0)
	t.used--
	for j := t.next(i); t.at(j) != 0; j = t.next(j) {
		s := t.at(j)
		home := t.home(slotHash(s))
		// Move s into the hole at i when its home is not in (i, j].
		if (j > i && (home <= i || home > j)) || (j < i && home <= i && home > j) {
			t.set(i, s)
			t.set(j, 0)
			i = j
		}
	}
}

func (t *keyTable) bytes() int64 { return int64(t.n) * 8 }
