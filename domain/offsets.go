package domain

import "slices"

// offsets is a sequence of record offsets stored in fixed-size pages, so
// that a million elements cost 8 MB plus at most two partly filled pages,
// instead of the up to 25% slack of a growing slice, and growth never copies
// the whole sequence. It is a deque: element i lives at slot head+i, so
// removing or inserting at the front is O(1), and a removal or insertion
// elsewhere shifts whichever side of it is shorter.
//
// A checkpoint written in the background reads a frozen copy of the
// sequence (freeze) while writers go on: the pages are shared, and a page
// the copy still holds is copied before its first write (own), so the
// checkpoint sees the sequence as it was without anyone stopping for it.
type offsets struct {
	pages [][]uint64
	head  int // slots unused at the start of pages[0]
	n     int
	// frozen[p] is set while pages[p] may be shared with a frozen copy.
	frozen []bool
}

const (
	pageShift = 13
	pageSize  = 1 << pageShift // 8192 offsets, 64 KiB
	pageMask  = pageSize - 1
)

func (o *offsets) Len() int { return o.n }

func (o *offsets) slot(i int) *uint64 {
	j := i + o.head
	return &o.pages[j>>pageShift][j&pageMask]
}

func (o *offsets) At(i int) uint64 { return *o.slot(i) }

func (o *offsets) SetAt(i int, v uint64) {
	o.own(i)
	*o.slot(i) = v
}

// own makes the page holding element i safe to write (see freeze).
func (o *offsets) own(i int) { ownPage(o.pages, o.frozen, (i+o.head)>>pageShift) }

// ownPage replaces pages[p] by a copy of itself if frozen[p] is set, so
// that a frozen copy sharing the page keeps it as it was.
func ownPage(pages [][]uint64, frozen []bool, p int) {
	if p < len(frozen) && frozen[p] {
		pages[p] = slices.Clone(pages[p])
		frozen[p] = false
	}
}

// freeze returns a copy of the sequence that stays as it is now: it
// shares the pages, and every page is marked to be copied before this
// sequence next writes it. The copy is for reading only, and costs a
// clone of the page list, not of the pages.
func (o *offsets) freeze() offsets {
	o.frozen = slices.Grow(o.frozen[:0], len(o.pages))[:len(o.pages)]
	for p := range o.frozen {
		o.frozen[p] = true
	}
	return offsets{pages: slices.Clone(o.pages), head: o.head, n: o.n}
}

func (o *offsets) Push(v uint64) {
	j := o.head + o.n
	if j>>pageShift == len(o.pages) {
		o.pages = append(o.pages, make([]uint64, pageSize))
	}
	ownPage(o.pages, o.frozen, j>>pageShift)
	o.pages[j>>pageShift][j&pageMask] = v
	o.n++
}

// pushFront makes room for one element before the first.
func (o *offsets) pushFront() {
	if o.head == 0 {
		o.pages = append(o.pages, nil)
		copy(o.pages[1:], o.pages)
		o.pages[0] = make([]uint64, pageSize)
		if len(o.frozen) > 0 {
			o.frozen = slices.Insert(o.frozen, 0, false)
		}
		o.head = pageSize
	}
	o.head--
	o.n++
}

// popFront drops the first element.
func (o *offsets) popFront() {
	o.head++
	o.n--
	if o.head == pageSize {
		o.pages[0] = nil
		o.pages = o.pages[1:]
		if len(o.frozen) > 0 {
			o.frozen = o.frozen[1:]
		}
		o.head = 0
	}
	if o.n == 0 {
		o.Reset()
	}
}

// move copies the elements [from, from+count) to [to, to+count), page
// run by page run. The ranges may overlap.
func (o *offsets) move(to, from, count int) {
	if count == 0 || to == from {
		return
	}
	if to < from { // forwards
		for count > 0 {
			s, d := from+o.head, to+o.head
			k := min(count, pageSize-s&pageMask, pageSize-d&pageMask)
			ownPage(o.pages, o.frozen, d>>pageShift)
			copy(o.pages[d>>pageShift][d&pageMask:d&pageMask+k], o.pages[s>>pageShift][s&pageMask:s&pageMask+k])
			from, to, count = from+k, to+k, count-k
		}
		return
	}
	for count > 0 { // backwards, from the end
		s, d := from+o.head+count, to+o.head+count // one past the last
		k := min(count, (s-1)&pageMask+1, (d-1)&pageMask+1)
		ownPage(o.pages, o.frozen, (d-1)>>pageShift)
		copy(o.pages[(d-1)>>pageShift][(d-k)&pageMask:(d-1)&pageMask+1], o.pages[(s-1)>>pageShift][(s-k)&pageMask:(s-1)&pageMask+1])
		count -= k
	}
}

// Insert puts v at position i, shifting the shorter side by one.
func (o *offsets) Insert(i int, v uint64) {
	if i < o.n-i {
		o.pushFront()
		o.move(0, 1, i)
	} else {
		o.Push(0)
		o.move(i+1, i, o.n-1-i)
	}
	o.SetAt(i, v)
}

// Remove deletes position i, shifting the shorter side by one.
func (o *offsets) Remove(i int) {
	if i < o.n-1-i {
		o.move(1, 0, i)
		o.popFront()
		return
	}
	o.move(i, i+1, o.n-1-i)
	o.Truncate(o.n - 1)
}

// Truncate keeps the first n offsets and frees the pages no longer needed.
func (o *offsets) Truncate(n int) {
	o.n = n
	if n == 0 {
		o.Reset()
		return
	}
	keep := (o.head + n + pageMask) >> pageShift
	for i := keep; i < len(o.pages); i++ {
		o.pages[i] = nil
	}
	o.pages = o.pages[:keep]
	o.frozen = o.frozen[:min(keep, len(o.frozen))]
}

func (o *offsets) Reverse() {
	for i, j := 0, o.n-1; i < j; i, j = i+1, j-1 {
		o.own(i)
		o.own(j)
		a, b := o.slot(i), o.slot(j)
		*a, *b = *b, *a
	}
}

func (o *offsets) Reset() { o.pages, o.head, o.n, o.frozen = nil, 0, 0, nil }

// bytes is the heap the sequence holds.
func (o *offsets) bytes() int64 { return int64(len(o.pages)) * pageSize * 8 }

// each calls fn with each run of consecutive elements, in order.
func (o *offsets) each(fn func(run []uint64)) {
	for i := 0; i < o.n; {
		j := i + o.head
		k := min(o.n-i, pageSize-j&pageMask)
		fn(o.pages[j>>pageShift][j&pageMask : j&pageMask+k])
		i += k
	}
}

// bounds returns the smallest and largest offsets, holes (0) aside, and
// how many are not holes, reading the pages on all cores. The minimum is
// returned minus one (0-1 wraps to the largest uint64, so holes never win
// it); with no offset it is the largest uint64.
func (o *offsets) bounds() (lowestMinus1, highest uint64, live int) {
	type result struct {
		lo, hi uint64
		live   int
	}
	results := make([]result, len(o.pages))
	// inParallel counts in offsets; its shares are rounded to whole pages.
	inParallel(len(o.pages)*pageSize, func(from, to int) int {
		for p := (from + pageSize - 1) / pageSize; p < (to+pageSize-1)/pageSize; p++ {
			r := result{lo: 1<<64 - 1}
			start, end := 0, pageSize
			if p == 0 {
				start = o.head
			}
			if last := o.head + o.n; p == last>>pageShift {
				end = last & pageMask
			}
			if start >= end {
				results[p] = r
				continue
			}
			for _, off := range o.pages[p][start:end] {
				r.lo = min(r.lo, off-1)
				r.hi = max(r.hi, off)
				r.live += int((off | -off) >> 63)
			}
			results[p] = r
		}
		return 0
	})
	lowestMinus1 = 1<<64 - 1
	for _, r := range results {
		lowestMinus1, highest, live = min(lowestMinus1, r.lo), max(highest, r.hi), live+r.live
	}
	return lowestMinus1, highest, live
}
