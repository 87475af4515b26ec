package fsredis

import "iter"

// mapIteration is a Redis map's iterations: a batch per round trip.
type mapIteration[V any] struct{ m *hashMap[V] }

// batches reads the map in insertion order, a batch per round trip,
// calling fn with each batch's keys and (withValues) encoded values. A
// key deleted between batches is not seen; one inserted is seen at the end.
func (it *mapIteration[V]) batches(withValues bool, fn func(keys, vals []string) bool, report func(error)) {
	m := it.m
	if m.usable("iterate") != nil {
		return
	}
	after := "-inf"
	for {
		res, err := m.run("iterate", mapBatchScript, after, iterBatch, flag(withValues)).Slice()
		if err != nil {
			report(m.wrap("iterate", err))
			return
		}
		pairs, rawVals := res[0].([]any), res[1].([]any)
		if len(pairs) == 0 {
			return
		}
		ks := make([]string, 0, len(pairs)/2)
		for i := 0; i < len(pairs); i += 2 {
			ks = append(ks, pairs[i].(string))
		}
		vs := make([]string, len(rawVals))
		for i, r := range rawVals {
			vs[i] = r.(string)
		}
		if !fn(ks, vs) || len(ks) < iterBatch {
			return
		}
		after = "(" + pairs[len(pairs)-1].(string)
		if m.closed.Load() {
			report(m.usable("iterate"))
			return
		}
	}
}

// entries calls yield for each key and value in insertion order, and
// report with the error that ends it early.
func (it *mapIteration[V]) entries(yield func(string, V) bool, report func(error)) {
	m := it.m
	m.batches(true, func(ks, vs []string) bool {
		for i, k := range ks {
			v, err := m.decodeStored(k, vs[i])
			if err != nil {
				report(err)
				return false
			}
			if !yield(k, v) {
				return false
			}
		}
		return true
	}, report)
}

// All yields every key and value in insertion order.
func (it *mapIteration[V]) All() iter.Seq2[string, V] {
	m := it.m
	return func(yield func(string, V) bool) { m.entries(yield, m.setIterErr) }
}

// Range calls fn for each key and value until fn returns false, and
// returns the error that ended it early.
func (it *mapIteration[V]) Range(fn func(string, V) bool) error {
	m := it.m
	if err := m.usable("Range"); err != nil {
		return err
	}
	var err error
	m.entries(fn, func(e error) { err = e })
	return err
}

// RangeViews is Range with each key as bytes. Nothing here is a view:
// the keys and values come from the server, and fn may keep them.
func (it *mapIteration[V]) RangeViews(fn func(key []byte, v V) bool) error {
	return it.Range(func(k string, v V) bool { return fn([]byte(k), v) })
}

// RangeKeys calls fn for each key until fn returns false, and returns the
// error that ended it early.
func (it *mapIteration[V]) RangeKeys(fn func(string) bool) error {
	m := it.m
	if err := m.usable("Range"); err != nil {
		return err
	}
	var err error
	m.batches(false, func(ks, _ []string) bool {
		for _, k := range ks {
			if !fn(k) {
				return false
			}
		}
		return true
	}, func(e error) { err = e })
	return err
}

// Keys yields every key in insertion order, without reading values.
func (it *mapIteration[V]) Keys() iter.Seq[string] {
	m := it.m
	return func(yield func(string) bool) {
		m.batches(false, func(ks, _ []string) bool {
			for _, k := range ks {
				if !yield(k) {
					return false
				}
			}
			return true
		}, m.setIterErr)
	}
}

// Values yields every value in insertion order.
func (it *mapIteration[V]) Values() iter.Seq[V] {
	m := it.m
	return func(yield func(V) bool) {
		for _, v := range m.All() {
			if !yield(v) {
				return
			}
		}
	}
}

// Scan yields the entries for which pred is true.
func (it *mapIteration[V]) Scan(pred func(string, V) bool) iter.Seq2[string, V] {
	m := it.m
	return func(yield func(string, V) bool) {
		for k, v := range m.All() {
			if pred(k, v) && !yield(k, v) {
				return
			}
		}
	}
}
