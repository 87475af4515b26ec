package domain

import (
	"errors"
	"iter"
)

// mapIteration is a Map's iterations: batches read under the read lock,
// yielded with no lock held.
type mapIteration[V any] struct{ m *Map[V] }

func (it *mapIteration[V]) entries(yield func(string, V) bool, withValues bool, report func(error)) {
	m := it.m
	var (
		batch []mapEntry[V]
		mem   slab
	)
	owned, _ := any(m.codec).(ownedDecoder[V])
	m.each(func(off int64, k, b []byte) error {
		e := mapEntry[V]{key: mem.string(k)}
		if withValues {
			var ok bool
			if e.val, ok = m.cache.iterValue(owned, &mem, off, b); !ok {
				var err error
				if e.val, err = m.decode(off, b); err != nil {
					return err
				}
			}
		}
		batch = append(batch, e)
		return nil
	}, func() bool {
		for _, e := range batch {
			if !yield(e.key, e.val) {
				return false
			}
		}
		clear(batch) // let the garbage collector have what the caller dropped
		batch = batch[:0]
		return true
	}, report)
}

// All yields every key and value in insertion order.
func (it *mapIteration[V]) All() iter.Seq2[string, V] {
	m := it.m
	return func(yield func(string, V) bool) { m.entries(yield, true, m.c.setIterErr) }
}

// Range calls fn for each key and value in insertion order until fn
// returns false, and returns the error that ended it early, its own.
func (it *mapIteration[V]) Range(fn func(string, V) bool) error {
	m := it.m
	if err := m.c.usable(); err != nil {
		return err
	}
	var err error
	m.entries(fn, true, func(e error) { err = e })
	return err
}

// RangeKeys calls fn for each key in insertion order until fn returns
// false, and returns the error that ended it early, its own.
func (it *mapIteration[V]) RangeKeys(fn func(string) bool) error {
	m := it.m
	if err := m.c.usable(); err != nil {
		return err
	}
	var err error
	m.entries(func(k string, _ V) bool { return fn(k) }, false, func(e error) { err = e })
	return err
}

// Keys yields every key in insertion order.
func (it *mapIteration[V]) Keys() iter.Seq[string] {
	m := it.m
	return func(yield func(string) bool) {
		m.entries(func(k string, _ V) bool { return yield(k) }, false, m.c.setIterErr)
	}
}

// Values yields every value in insertion order.
func (it *mapIteration[V]) Values() iter.Seq[V] {
	m := it.m
	return func(yield func(V) bool) {
		m.entries(func(_ string, v V) bool { return yield(v) }, true, m.c.setIterErr)
	}
}

// Scan yields the entries for which pred is true, in insertion order.
func (it *mapIteration[V]) Scan(pred func(string, V) bool) iter.Seq2[string, V] {
	m := it.m
	return func(yield func(string, V) bool) {
		m.entries(func(k string, v V) bool {
			if !pred(k, v) {
				return true
			}
			return yield(k, v)
		}, true, m.c.setIterErr)
	}
}

// errStopRange ends a RangeViews whose fn returned false; it never reaches
// the caller.
var errStopRange = errors.New("range stopped")

// RangeViews calls fn for each key and value in insertion order, under the
// read lock (taken once per batch of records), until fn returns false, and
// returns the error that ended it early, its own. The key, and a value the
// codec can take without copying ([]byte, string), are views of the mapped
// file, valid only until fn returns. Each record's checksum is verified
// before fn sees it.
func (it *mapIteration[V]) RangeViews(fn func(key []byte, v V) bool) error {
	m := it.m
	if err := m.c.usable(); err != nil {
		return err
	}
	views := m.views()
	var err error
	m.each(func(off int64, k, b []byte) error {
		v, derr := views.decode(m, off, b)
		if derr != nil {
			return derr
		}
		if !fn(k, v) {
			return errStopRange
		}
		return nil
	}, func() bool { return true }, func(e error) {
		if e != errStopRange {
			err = e
		}
	})
	return err
}
