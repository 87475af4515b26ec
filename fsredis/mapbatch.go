package fsredis

import (
	"fmt"
	"iter"

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
