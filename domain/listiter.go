package domain

import (
	"iter"
	"slices"
)

// listIteration is a List's iterations: batches read under the read
// lock, yielded with no lock held.
type listIteration[T any] struct{ l *List[T] }

// each visits elements from index start in steps of dir (+1 or -1),
// reading a batch under the lock and calling yield with no lock held.
func (it *listIteration[T]) each(backward bool, yield func(int, T) bool, report func(error)) {
	l := it.l
	l.c.activeIters.Add(1)
	defer l.c.activeIters.Add(-1)
	var (
		batch []T
		first int
		next  = -1 // next index to read; -1 = not started
		epoch uint64
		mem   slab
	)
	owned, _ := any(l.codec).(ownedDecoder[T])
	for {
		if err := l.c.beginRead(); err != nil {
			if err != ErrClosed || next >= 0 {
				report(err)
			}
			return
		}
		n := l.st.offs.Len()
		if next < 0 {
			epoch = l.c.epoch.Load()
			next = 0
			if backward {
				next = n - 1
			}
		} else if l.c.epoch.Load() != epoch {
			l.c.endRead() // cleared or reloaded under us: nothing left to visit
			return
		}
		if backward && next >= n {
			next = n - 1
		}
		var lo, hi int
		if backward {
			lo, hi = max(0, next-iterBatch+1), next+1
		} else {
			lo, hi = next, min(n, next+iterBatch)
		}
		if lo >= hi {
			l.c.endRead()
			return
		}
		batch = batch[:0]
		first = lo
		var err error
		if backward {
			// Read back to front so that damage stops the iteration after
			// the elements that come before it in iteration order.
			for k := hi - 1; k >= lo && err == nil; k-- {
				var v T
				if v, err = l.decodeAt(int64(l.st.offs.At(k))); err == nil {
					batch = append(batch, v)
				}
			}
			slices.Reverse(batch)
			first = hi - len(batch)
		} else {
			err = l.c.readRuns(hi-lo, func(k int) int64 { return int64(l.st.offs.At(lo + k)) },
				func(k int, off int64, b []byte) error {
					v, ok := l.cache.iterValue(owned, &mem, off, b)
					var err error
					if !ok {
						v, err = l.decodeValue(off, b)
					}
					if err == nil {
						batch = append(batch, v)
					}
					return err
				})
		}
		l.c.endRead()
		if err != nil {
			defer report(err)
			hi = lo + len(batch) // visit what was read, then stop
			lo = hi
		}
		if backward {
			for k := len(batch) - 1; k >= 0; k-- {
				if !yield(first+k, batch[k]) {
					return
				}
			}
			next = lo - 1
			if next < 0 || err != nil {
				return
			}
		} else {
			for k, v := range batch {
				if !yield(first+k, v) {
					return
				}
			}
			next = hi
			if err != nil {
				return
			}
		}
	}
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
