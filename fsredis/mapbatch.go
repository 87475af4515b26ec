package fsredis

import (
	"fmt"
	"iter"
	"strconv"

	"github.com/fscollections/fscollections/domain"
)

// mapBatches is a Redis map's operations on many keys: a round trip per batch.
type mapBatches[V any] struct{ m *hashMap[V] }

// GetMany reads keys with HMGET, manyBatch at a time (one round trip each).
func (bt *mapBatches[V]) GetMany(keys []string, vals []V, found []bool) error {
	if len(vals) < len(keys) || len(found) < len(keys) {
		return fmt.Errorf("%w: GetMany of %d keys into %d values and %d flags",
			domain.ErrInvalidOptions, len(keys), len(vals), len(found))
	}
	return bt.GetManyFunc(keys, func(i int, v V, ok bool) { vals[i], found[i] = v, ok })
}

// GetManyFunc reads keys with HMGET, manyBatch at a time, and calls fn
// with each; the values are fn's to keep.
func (bt *mapBatches[V]) GetManyFunc(keys []string, fn func(i int, v V, found bool)) error {
	m := bt.m
	if err := m.usable("GetMany"); err != nil {
		return err
	}
	for lo := 0; lo < len(keys); lo += manyBatch {
		hi := min(len(keys), lo+manyBatch)
		res, err := m.rdb.HMGet(ctx, m.keys.vals, keys[lo:hi]...).Result()
		if err != nil {
			return m.wrap("GetMany", err)
		}
		for i, r := range res {
			var v V
			if r != nil {
				if v, err = m.decodeStored(keys[lo+i], r.(string)); err != nil {
					return err
				}
			}
			fn(lo+i, v, r != nil)
		}
	}
	return nil
}

// ContainsMany looks keys up with one script call (HEXISTS each) per
// manyBatch keys, transferring no value.
func (bt *mapBatches[V]) ContainsMany(keys []string, found []bool) error {
	m := bt.m
	if len(found) < len(keys) {
		return fmt.Errorf("%w: ContainsMany of %d keys into %d flags", domain.ErrInvalidOptions, len(keys), len(found))
	}
	if err := m.usable("ContainsMany"); err != nil {
		return err
	}
	for lo := 0; lo < len(keys); lo += manyBatch {
		args := make([]any, 0, min(len(keys)-lo, manyBatch))
		for _, k := range keys[lo:min(len(keys), lo+manyBatch)] {
			args = append(args, k)
		}
		res, err := mapExistsScript.Run(ctx, m.rdb, m.mapKeys[:1], args...).Int64Slice()
		if err != nil {
			return m.wrap("ContainsMany", err)
		}
		for i, r := range res {
			found[lo+i] = r == 1
		}
	}
	return nil
}

// SetMany sets keys[i] to vals[i]: one script call per updateBatch pairs,
// each atomic.
func (bt *mapBatches[V]) SetMany(keys []string, vals []V) error {
	m := bt.m
	if len(vals) != len(keys) {
		return fmt.Errorf("%w: SetMany of %d keys and %d values", domain.ErrInvalidOptions, len(keys), len(vals))
	}
	return m.Update(func(yield func(string, V) bool) {
		for i, k := range keys {
			if !yield(k, vals[i]) {
				return
			}
		}
	})
}

// DeleteMany deletes keys, manyBatch per script call, and returns how many
// were present.
func (bt *mapBatches[V]) DeleteMany(keys []string) (int, error) {
	m := bt.m
	if err := m.writable("DeleteMany", true); err != nil {
		return 0, err
	}
	n := 0
	for lo := 0; lo < len(keys); lo += manyBatch {
		args := make([]any, 0, min(len(keys)-lo, manyBatch))
		for _, k := range keys[lo:min(len(keys), lo+manyBatch)] {
			args = append(args, k)
		}
		d, err := m.run("DeleteMany", mapDeleteManyScript, args...).Int()
		n += d
		if err != nil {
			return n, m.wrap("DeleteMany", err)
		}
	}
	return n, nil
}

// DeleteManyFunc reads keys with HMGET, manyBatch at a time, asks fn
// about each present one, and deletes those fn condemns with one script
// call per batch that deletes a key only if its version is still the one
// fn saw. A key written in between is read and asked about again, so fn
// always decides on the value that is deleted. As on files, a key given
// again after fn condemned it counts as missing.
func (bt *mapBatches[V]) DeleteManyFunc(keys []string, fn func(i int, v V) bool) (int, error) {
	m := bt.m
	if err := m.writable("DeleteManyFunc", true); err != nil {
		return 0, err
	}
	n := 0
	condemned := map[string]bool{}
	for lo := 0; lo < len(keys); lo += manyBatch {
		ask := make([]int, 0, min(len(keys), lo+manyBatch)-lo) // indexes in keys to decide on
		for i := lo; i < min(len(keys), lo+manyBatch); i++ {
			ask = append(ask, i)
		}
		for len(ask) > 0 {
			names := make([]string, len(ask))
			for j, i := range ask {
				names[j] = keys[i]
			}
			res, err := m.rdb.HMGet(ctx, m.keys.vals, names...).Result()
			if err != nil {
				return n, m.wrap("DeleteManyFunc", err)
			}
			clear(condemned)
			var doomed []int
			args := make([]any, 0, 2*len(ask))
			for j, r := range res {
				if r == nil || condemned[names[j]] {
					continue
				}
				s := r.(string)
				meta, err := m.header(names[j], s)
				if err != nil {
					return n, err
				}
				v, err := m.decode(names[j], s[headerLen:])
				if err != nil {
					return n, err
				}
				if fn(ask[j], v) {
					condemned[names[j]] = true
					doomed = append(doomed, ask[j])
					args = append(args, names[j], strconv.FormatUint(meta.Version, 10))
				}
			}
			if len(doomed) == 0 {
				break
			}
			out, err := m.run("DeleteManyFunc", mapDeleteIfVersionScript, args...).Int64Slice()
			if err != nil {
				return n, m.wrap("DeleteManyFunc", err)
			}
			ask = ask[:0]
			for j, r := range out {
				switch r {
				case 1:
					n++
				case 0: // written since it was read: ask again
					ask = append(ask, doomed[j])
				}
			}
		}
	}
	return n, nil
}

// Update sets every key/value pair of seq, a batch per round trip. Each
// batch is atomic; on an AppendOnly handle a batch with an existing key
// writes nothing and Update stops there.
func (bt *mapBatches[V]) Update(seq iter.Seq2[string, V]) error {
	m := bt.m
	if err := m.writable("Update", false); err != nil {
		return err
	}
	args := []any{flag(m.appendOnly)}
	flush := func() error {
		if len(args) == 1 {
			return nil
		}
		n, err := m.run("Update", mapSetScript, args...).Int()
		if err != nil {
			return m.wrap("Update", err)
		}
		if n != 0 {
			return fmt.Errorf("%w: key %q exists", m.appendOnlyErr("Update"), args[2*n-1])
		}
		args = args[:1]
		return nil
	}
	for k, v := range seq {
		enc, err := m.encode(v)
		if err != nil {
			return err
		}
		if args = append(args, k, enc); len(args) > 2*updateBatch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}
