package fscollections

import (
	"iter"

	"github.com/fscollections/fscollections/internal/engine"
)

// Set algebra. Results stream: both sets are read batch by batch (128
// elements), elements are compared by their encodings without decoding,
// and membership in the other set is looked up for a whole batch under
// one hold of its lock, so memory stays bounded however large the sets.
// No lock is held while a loop body runs: it may read and write either
// set, and sees what a concurrent writer would see (see the package
// documentation on iteration). A nil other is the empty set, as a nil map
// is an empty map; other may be s itself.
//
// A read error of either set ends the iteration early and is reported by
// s.Err(); the boolean tests return it.

// sets returns s's and other's engines (a closed stand-in for a zero or
// nil handle; nil for a nil other).
func (s *FSSet[T]) sets(other *FSSet[T]) (engine.Set[T], engine.Set[T]) {
	if other == nil {
		return s.inner(), nil
	}
	return s.inner(), other.inner()
}

// usable returns s's and other's engines, or ErrClosed if either is closed.
func (s *FSSet[T]) usable(other *FSSet[T]) (engine.Set[T], engine.Set[T], error) {
	a, b := s.sets(other)
	if err := a.Usable(); err != nil {
		return nil, nil, err
	}
	if b != nil {
		if err := b.Usable(); err != nil {
			return nil, nil, err
		}
	}
	return a, b, nil
}

// filtered yields, in a's order, the elements of a whose membership in b
// is want (b nil: nothing is in it). It stops early, reporting to errTo,
// when a lookup fails.
func filtered[T any](a, b engine.Set[T], want bool, errTo engine.Set[T]) iter.Seq[T] {
	return func(yield func(T) bool) {
		var in []bool
		a.KeyBatches(func(keys [][]byte) bool {
			in = append(in[:0], make([]bool, len(keys))...)
			if b != nil {
				if err := b.ContainsKeys(keys, in); err != nil {
					errTo.ReportIterErr(err)
					return false
				}
			}
			for i, k := range keys {
				if in[i] != want {
					continue
				}
				v, err := a.DecodeKey(k)
				if err != nil {
					errTo.ReportIterErr(err)
					return false
				}
				if !yield(v) {
					return false
				}
			}
			return true
		}, errTo.ReportIterErr)
	}
}

// Union yields s's elements in s's order, then other's elements that are
// not in s, in other's order.
func (s *FSSet[T]) Union(other *FSSet[T]) iter.Seq[T] {
	a, b := s.sets(other)
	return func(yield func(T) bool) {
		done := false
		for v := range a.All() {
			if !yield(v) {
				done = true
				break
			}
		}
		if done || b == nil || b == a {
			return
		}
		for v := range filtered(b, a, false, a) {
			if !yield(v) {
				return
			}
		}
	}
}

// Intersection yields the elements of s that are also in other, in s's order.
func (s *FSSet[T]) Intersection(other *FSSet[T]) iter.Seq[T] {
	a, b := s.sets(other)
	return filtered(a, b, true, a)
}

// Difference yields the elements of s that are not in other, in s's order.
func (s *FSSet[T]) Difference(other *FSSet[T]) iter.Seq[T] {
	a, b := s.sets(other)
	return filtered(a, b, false, a)
}

// SymmetricDifference yields the elements in exactly one of the sets: s's
// that are not in other, in s's order, then other's that are not in s, in
// other's order.
func (s *FSSet[T]) SymmetricDifference(other *FSSet[T]) iter.Seq[T] {
	a, b := s.sets(other)
	return func(yield func(T) bool) {
		done := false
		for v := range filtered(a, b, false, a) {
			if !yield(v) {
				done = true
				break
			}
		}
		if done || b == nil {
			return
		}
		for v := range filtered(b, a, false, a) {
			if !yield(v) {
				return
			}
		}
	}
}

// every reports whether every element of a has membership want in b.
func every[T any](a, b engine.Set[T], want bool) (bool, error) {
	all := true
	var err error
	in := make([]bool, 0, 128)
	a.KeyBatches(func(keys [][]byte) bool {
		in = append(in[:0], make([]bool, len(keys))...)
		if b != nil {
			if err = b.ContainsKeys(keys, in); err != nil {
				return false
			}
		}
		for _, x := range in {
			if x != want {
				all = false
				return false
			}
		}
		return true
	}, func(e error) { err = e })
	return all, err
}

// IsSubset reports whether every element of s is in other. O(Len(s)).
func (s *FSSet[T]) IsSubset(other *FSSet[T]) (bool, error) {
	a, b, err := s.usable(other)
	if err != nil {
		return false, err
	}
	if a == b {
		return true, nil
	}
	if b != nil && a.Len() > b.Len() {
		return false, nil
	}
	return every(a, b, true)
}

// IsSuperset reports whether every element of other is in s. O(Len(other)).
func (s *FSSet[T]) IsSuperset(other *FSSet[T]) (bool, error) {
	if other == nil {
		return true, s.inner().Usable()
	}
	return other.IsSubset(s)
}

// IsDisjoint reports whether s and other have no element in common.
// O(the smaller Len).
func (s *FSSet[T]) IsDisjoint(other *FSSet[T]) (bool, error) {
	a, b, err := s.usable(other)
	if err != nil {
		return false, err
	}
	if b == nil {
		return true, nil
	}
	if b.Len() < a.Len() {
		a, b = b, a
	}
	return every(a, b, false)
}

// Equal reports whether s and other hold the same elements (equal
// encodings), in any order. O(Len(s)).
func (s *FSSet[T]) Equal(other *FSSet[T]) (bool, error) {
	a, b, err := s.usable(other)
	if err != nil {
		return false, err
	}
	if b == nil {
		return a.Len() == 0, nil
	}
	if a.Len() != b.Len() {
		return false, nil
	}
	return every(a, b, true)
}

// addBatch is how many elements AddAll and RemoveAll write under one hold
// of the lock.
const addBatch = 1024

// eachBatch encodes what seq yields, in batches, and hands each batch to
// write. seq runs with no lock held, so it may read s (dst.AddAll(a.Union(b))
// with dst one of a and b works).
func (s *FSSet[T]) eachBatch(seq iter.Seq[T], write func(keys [][]byte) (int, error)) (int, error) {
	in := s.inner()
	var (
		buf   []byte
		ends  []int
		keys  [][]byte
		total int
	)
	flush := func() error {
		keys = keys[:0]
		start := 0
		for _, end := range ends {
			keys = append(keys, buf[start:end:end])
			start = end
		}
		n, err := write(keys)
		total += n
		buf, ends = buf[:0], ends[:0]
		return err
	}
	for v := range seq {
		var err error
		if buf, err = in.EncodeKey(buf, v); err != nil {
			return total, err
		}
		ends = append(ends, len(buf))
		if len(ends) == addBatch {
			if err := flush(); err != nil {
				return total, err
			}
		}
	}
	if len(ends) == 0 {
		return total, nil
	}
	return total, flush()
}

// AddAll adds every element seq yields and returns how many were not in s
// before. Elements are written in batches of 1024 under one hold of the
// lock each (with SyncAlways, one fsync per batch); a failure stops the
// call, keeping what was added before it. dst.AddAll(a.Union(b)) writes a
// union to disk.
func (s *FSSet[T]) AddAll(seq iter.Seq[T]) (added int, err error) {
	return s.eachBatch(seq, s.inner().AddKeys)
}

// RemoveAll removes every element seq yields and returns how many were in
// s. Batched as AddAll.
func (s *FSSet[T]) RemoveAll(seq iter.Seq[T]) (removed int, err error) {
	return s.eachBatch(seq, s.inner().RemoveKeys)
}

// RetainAll removes the elements of s that are not in other and returns
// how many it removed. A nil other empties s.
func (s *FSSet[T]) RetainAll(other *FSSet[T]) (removed int, err error) {
	a, b, err := s.usable(other)
	if err != nil {
		return 0, err
	}
	if a == b {
		return 0, nil
	}
	in := make([]bool, 0, 128)
	var drop [][]byte
	a.KeyBatches(func(keys [][]byte) bool {
		in = append(in[:0], make([]bool, len(keys))...)
		if b != nil {
			if err = b.ContainsKeys(keys, in); err != nil {
				return false
			}
		}
		drop = drop[:0]
		for i, k := range keys {
			if !in[i] {
				drop = append(drop, k)
			}
		}
		var n int
		n, err = a.RemoveKeys(drop)
		removed += n
		return err == nil
	}, func(e error) { err = e })
	return removed, err
}
