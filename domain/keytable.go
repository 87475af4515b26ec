package domain

// keyTable maps key hashes to positions in the insertion-order sequence.
// It is an open-addressing table with linear probing and backward-shift
// deletion (no tombstones). A slot is one uint64: (position+1)<<32 | hash,
// 0 when empty. Keys are not held in memory: a candidate slot is confirmed
// by reading the key from the record in the data file.
type keyTable struct {
	slots []uint64
	used  int
}

const minTableSize = 64

func slotPos(s uint64) int     { return int(s>>32) - 1 }
func slotHash(s uint64) uint32 { return uint32(s) }
func makeSlot(pos int, h uint32) uint64 {
	return uint64(pos+1)<<32 | uint64(h)
}

func (t *keyTable) mask() int { return len(t.slots) - 1 }

// probe calls match for each position whose slot has hash h, in probe
// order, until match reports true, and returns that slot's index and true.
// When no slot matches it returns the empty slot that ended the search
// (where insertAt can put the key), or -1 for an empty table, and false.
func (t *keyTable) probe(h uint32, match func(pos int) bool) (i int, found bool) {
	if len(t.slots) == 0 {
		return -1, false
	}
	m := t.mask()
	i = int(h) & m
	// At most one lap: a table always has an empty slot (it grows at 3/4
	// and a loaded checkpoint is validated), but a lookup must end even
	// if that were ever false.
	for range t.slots {
		s := t.slots[i]
		if s == 0 {
			return i, false
		}
		if slotHash(s) == h && match(slotPos(s)) {
			return i, true
		}
		i = (i + 1) & m
	}
	return -1, false
}

// insertAt adds a slot for position pos with hash h, for a key that is
// absent and whose probe ended at the empty slot empty (-1 when unknown):
// unless the table must grow first, the slot goes there without probing
// again.
func (t *keyTable) insertAt(empty int, h uint32, pos int) {
	switch {
	case (t.used+1)*4 > len(t.slots)*3:
		t.grow()
		t.place(makeSlot(pos, h))
	case empty >= 0:
		t.slots[empty] = makeSlot(pos, h)
	default:
		t.place(makeSlot(pos, h))
	}
	t.used++
}

func (t *keyTable) place(s uint64) {
	m := t.mask()
	i := int(slotHash(s)) & m
	for t.slots[i] != 0 {
		i = (i + 1) & m
	}
	t.slots[i] = s
}

func (t *keyTable) grow() {
	n := len(t.slots) * 2
	if n < minTableSize {
		n = minTableSize
	}
	old := t.slots
	t.slots = make([]uint64, n)
	for _, s := range old {
		if s != 0 {
			t.place(s)
		}
	}
}

// removeAt empties slot i and shifts later members of its probe run back.
func (t *keyTable) removeAt(i int) {
	m := t.mask()
	t.slots[i] = 0
	t.used--
	for j := (i + 1) & m; t.slots[j] != 0; j = (j + 1) & m {
		s := t.slots[j]
		home := int(slotHash(s)) & m
		// Move s into the hole at i when its home is not in (i, j].
		if (j > i && (home <= i || home > j)) || (j < i && home <= i && home > j) {
			t.slots[i] = s
			t.slots[j] = 0
			i = j
		}
	}
}

func (t *keyTable) bytes() int64 { return int64(len(t.slots)) * 8 }
