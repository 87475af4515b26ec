package domain

import (
	"iter"
	"slices"
)

// listIteration is a List's iterations: batches read under the read
// lock, yielded with no lock held.
type listIteration[T any] struct{ l *List[T] }

// each visits the elements first to last (or last to first), reading a
// batch under the read lock and calling yield with no lock held. An error
// that ends it early goes to report, after the elements read before it.
func (it *listIteration[T]) each(backward bool, yield func(int, T) bool, report func(error)) {
	l := it.l
	l.c.activeIters.Add(1)
	defer l.c.activeIters.Add(-1)
	c := listCursor[T]{l: l, backward: backward, next: -1}
	c.owned, _ = any(l.codec).(ownedDecoder[T])
	for {
		more, err := c.read()
		if !more {
			if err != nil {
				report(err)
			}
			return
		}
		if err != nil {
			defer report(err) // once what was read before the damage is visited
		}
		if !c.yieldBatch(yield) || err != nil || c.next < 0 {
			return
		}
	}
}

// listCursor is the state of one iteration over a list.
type listCursor[T any] struct {
	l        *List[T]
	backward bool
	batch    []T
	first    int // the index of batch[0]
	next     int // the next index to read; -1 before the first batch
	epoch    uint64
	mem      slab
	owned    ownedDecoder[T]
}

// read reads the next batch under the read lock. more is false when
// nothing is left to read: the end, or the list cleared or reloaded under
// the iteration. err is what cut the batch short.
func (c *listCursor[T]) read() (more bool, err error) {
	l := c.l
	if err := l.c.beginRead(); err != nil {
		if err != ErrClosed || c.next >= 0 {
			return false, err
		}
		return false, nil // closed before it began: nothing to visit
	}
	defer l.c.endRead()
	n := l.st.offs.Len()
	if c.next < 0 {
		c.epoch, c.next = l.c.epoch.Load(), 0
		if c.backward {
			c.next = n - 1
		}
	} else if l.c.epoch.Load() != c.epoch {
		return false, nil
	}
	if c.backward && c.next >= n {
		c.next = n - 1
	}
	lo, hi := c.next, min(n, c.next+iterBatch)
	if c.backward {
		lo, hi = max(0, c.next-iterBatch+1), c.next+1
	}
	if lo >= hi {
		return false, nil
	}
	c.batch = c.batch[:0]
	if c.backward {
		err, c.next = c.readBackward(lo, hi), lo-1
	} else {
		err, c.next = c.readForward(lo, hi), hi
	}
	return true, err
}

// readForward reads elements lo..hi-1, runs of neighbours together.
func (c *listCursor[T]) readForward(lo, hi int) error {
	l := c.l
	c.first = lo
	return l.c.readRuns(hi-lo, func(k int) int64 { return int64(l.st.offs.At(lo + k)) },
		func(k int, off int64, b []byte) error {
			v, ok := l.cache.iterValue(c.owned, &c.mem, off, b)
			var err error
			if !ok {
				v, err = l.decodeValue(off, b)
			}
			if err == nil {
				c.batch = append(c.batch, v)
			}
			return err
		})
}

// readBackward reads elements hi-1 down to lo, so that damage stops the
// iteration after the elements that come before it in iteration order.
func (c *listCursor[T]) readBackward(lo, hi int) error {
	var err error
	for k := hi - 1; k >= lo && err == nil; k-- {
		var v T
		if v, err = c.l.decodeAt(int64(c.l.st.offs.At(k))); err == nil {
			c.batch = append(c.batch, v)
		}
	}
	slices.Reverse(c.batch)
	c.first = hi - len(c.batch)
	return err
}

// yieldBatch hands the batch to yield in iteration order, and reports
// whether the loop wants more.
func (c *listCursor[T]) yieldBatch(yield func(int, T) bool) bool {
	if c.backward {
		for k := len(c.batch) - 1; k >= 0; k-- {
			if !yield(c.first+k, c.batch[k]) {
				return false
			}
		}
		return true
	}
	for k, v := range c.batch {
		if !yield(c.first+k, v) {
			return false
		}
	}
	return true
}

// All yields index and element from first to last.
func (it *listIteration[T]) All() iter.Seq2[int, T] {
	l := it.l
	return func(yield func(int, T) bool) { l.each(false, yield, l.c.setIterErr) }
}

// Range calls fn for each index and element, first to last, until fn
// returns false, and returns the error that ended it early, its own.
func (it *listIteration[T]) Range(fn func(int, T) bool) error {
	l := it.l
	if err := l.c.usable(); err != nil {
		return err
	}
	var err error
	l.each(false, fn, func(e error) { err = e })
	return err
}

// Backward yields index and element from last to first.
func (it *listIteration[T]) Backward() iter.Seq2[int, T] {
	l := it.l
	return func(yield func(int, T) bool) { l.each(true, yield, l.c.setIterErr) }
}

// Scan yields the index and element of each element for which pred is true.
func (it *listIteration[T]) Scan(pred func(T) bool) iter.Seq2[int, T] {
	l := it.l
	return func(yield func(int, T) bool) {
		l.each(false, func(i int, v T) bool {
			if !pred(v) {
				return true
			}
			return yield(i, v)
		}, l.c.setIterErr)
	}
}
