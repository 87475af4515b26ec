package domain

// offsets is a sequence of record offsets stored in fixed-size pages, so
// that a million elements cost 8 MB plus at most one partly filled page,
// instead of the up to 25% slack of a growing slice, and growth never copies
// the whole sequence.
type offsets struct {
	pages [][]uint64
	n     int
}

const (
	pageShift = 13
	pageSize  = 1 << pageShift // 8192 offsets, 64 KiB
	pageMask  = pageSize - 1
)

func (o *offsets) Len() int { return o.n }

func (o *offsets) At(i int) uint64 { return o.pages[i>>pageShift][i&pageMask] }

func (o *offsets) SetAt(i int, v uint64) { o.pages[i>>pageShift][i&pageMask] = v }

func (o *offsets) Push(v uint64) {
	if o.n&pageMask == 0 && o.n>>pageShift == len(o.pages) {
		o.pages = append(o.pages, make([]uint64, pageSize))
	}
	o.pages[o.n>>pageShift][o.n&pageMask] = v
	o.n++
}

// Insert puts v at position i, shifting the elements from i on one place up.
// The cost is O(n-i) word moves.
func (o *offsets) Insert(i int, v uint64) {
	o.Push(0)
	last := o.n - 1
	p := last >> pageShift
	for ; p > i>>pageShift; p-- {
		pg := o.pages[p]
		copy(pg[1:], pg[:len(pg)-1])
		pg[0] = o.pages[p-1][pageMask]
	}
	pg := o.pages[p]
	copy(pg[i&pageMask+1:], pg[i&pageMask:pageSize-1])
	pg[i&pageMask] = v
}

// Remove deletes position i, shifting the elements after it one place down.
func (o *offsets) Remove(i int) {
	p := i >> pageShift
	last := (o.n - 1) >> pageShift
	for ; p <= last; p++ {
		pg := o.pages[p]
		start := 0
		if p == i>>pageShift {
			start = i & pageMask
		}
		copy(pg[start:], pg[start+1:])
		if p < last {
			pg[pageMask] = o.pages[p+1][0]
		}
	}
	o.Truncate(o.n - 1)
}

// Truncate keeps the first n offsets and frees the pages no longer needed.
func (o *offsets) Truncate(n int) {
	o.n = n
	keep := (n + pageMask) >> pageShift
	for i := keep; i < len(o.pages); i++ {
		o.pages[i] = nil
	}
	o.pages = o.pages[:keep]
}

func (o *offsets) Reverse() {
	for i, j := 0, o.n-1; i < j; i, j = i+1, j-1 {
		a, b := o.At(i), o.At(j)
		o.SetAt(i, b)
		o.SetAt(j, a)
	}
}

func (o *offsets) Reset() { o.pages, o.n = nil, 0 }

// bytes is the heap the sequence holds.
func (o *offsets) bytes() int64 { return int64(len(o.pages)) * pageSize * 8 }
