package fsredis

import (
	"fmt"
	"iter"

	"github.com/redis/go-redis/v9"

	"github.com/fscollections/fscollections/domain"
)

// set is a set on Redis: a sorted set of encoded elements scored by
// insertion number, so that iteration is in insertion order and Pop takes
// the most recently added (ZPOPMAX).
type set[T any] struct {
	*base
	codec domain.Codec[T]
}

func (s *set[T]) decode(b []byte) (T, error) {
	v, err := s.codec.Decode(b)
	if err != nil {
		return v, fmt.Errorf("%w (element of the Redis set %q)", err, s.name)
	}
	return v, nil
}

// Len returns the number of elements (ZCARD).
func (s *set[T]) Len() int {
	return s.count(func() *redis.IntCmd { return s.rdb.ZCard(ctx, s.keys.order) })
}

// Add adds v; a present element keeps its place.
func (s *set[T]) Add(v T) error {
	if err := s.writable("Add", false); err != nil {
		return err
	}
	enc, err := s.codec.Append(nil, v)
	if err != nil {
		return err
	}
	_, err = s.AddKeys([][]byte{enc})
	return err
}

// Contains reports whether v is an element (ZSCORE).
func (s *set[T]) Contains(v T) bool {
	if s.usable("Contains") != nil {
		return false
	}
	enc, err := s.codec.Append(nil, v)
	if err != nil {
		s.setIterErr(err)
		return false
	}
	err = s.rdb.ZScore(ctx, s.keys.order, string(enc)).Err()
	if err != nil && err != redis.Nil {
		s.setIterErr(s.wrap("Contains", err))
	}
	return err == nil
}

func (s *set[T]) remove(op string, v T, mustExist bool) error {
	if err := s.writable(op, true); err != nil {
		return err
	}
	enc, err := s.codec.Append(nil, v)
	if err != nil {
		return err
	}
	n, err := s.rdb.ZRem(ctx, s.keys.order, enc).Result()
	if err != nil {
		return s.wrap(op, err)
	}
	if n == 0 && mustExist {
		return fmt.Errorf("%w: element not in set", domain.ErrNotFound)
	}
	return nil
}

// Remove removes v, or returns ErrNotFound.
func (s *set[T]) Remove(v T) error { return s.remove("Remove", v, true) }

// Discard removes v if present.
func (s *set[T]) Discard(v T) error { return s.remove("Discard", v, false) }

// Pop removes and returns the most recently added element (ZPOPMAX).
func (s *set[T]) Pop() (T, error) {
	var zero T
	if err := s.writable("Pop", true); err != nil {
		return zero, err
	}
	zs, err := s.rdb.ZPopMax(ctx, s.keys.order).Result()
	if err != nil {
		return zero, s.wrap("Pop", err)
	}
	if len(zs) == 0 {
		return zero, fmt.Errorf("%w: Pop on an empty set", domain.ErrEmpty)
	}
	return s.decode([]byte(zs[0].Member.(string)))
}

// KeyBatches calls fn with the encoded elements in insertion order, a
// batch (one ZRANGE … BYSCORE) at a time.
func (s *set[T]) KeyBatches(fn func(keys [][]byte) bool, report func(error)) {
	if s.usable("iterate") != nil {
		return
	}
	after := "-inf"
	for {
		zs, err := s.rdb.ZRangeArgsWithScores(ctx, redis.ZRangeArgs{
			Key: s.keys.order, Start: after, Stop: "+inf", ByScore: true, Count: iterBatch,
		}).Result()
		if err != nil {
			report(s.wrap("iterate", err))
			return
		}
		if len(zs) == 0 {
			return
		}
		batch := make([][]byte, len(zs))
		for i, z := range zs {
			batch[i] = []byte(z.Member.(string))
		}
		if !fn(batch) || len(zs) < iterBatch {
			return
		}
		after = fmt.Sprintf("(%.17g", zs[len(zs)-1].Score)
		if s.closed.Load() {
			report(s.usable("iterate"))
			return
		}
	}
}

// elements calls yield for each element in insertion order, and report
// with the error that ends it early.
func (s *set[T]) elements(yield func(T) bool, report func(error)) {
	s.KeyBatches(func(keys [][]byte) bool {
		for _, k := range keys {
			v, err := s.decode(k)
			if err != nil {
				report(err)
				return false
			}
			if !yield(v) {
				return false
			}
		}
		return true
	}, report)
}

// All yields every element in insertion order.
func (s *set[T]) All() iter.Seq[T] {
	return func(yield func(T) bool) { s.elements(yield, s.setIterErr) }
}

// Range calls fn for each element until fn returns false, and returns the
// error that ended it early.
func (s *set[T]) Range(fn func(T) bool) error {
	if err := s.usable("Range"); err != nil {
		return err
	}
	var err error
	s.elements(fn, func(e error) { err = e })
	return err
}

// Scan yields the elements for which pred is true.
func (s *set[T]) Scan(pred func(T) bool) iter.Seq[T] {
	return func(yield func(T) bool) {
		for v := range s.All() {
			if pred(v) && !yield(v) {
				return
			}
		}
	}
}

// ContainsKeys looks up a batch of encoded elements in one ZMSCORE.
func (s *set[T]) ContainsKeys(keys [][]byte, in []bool) error {
	if err := s.usable("Contains"); err != nil {
		return err
	}
	if len(keys) == 0 {
		return nil
	}
	members := make([]string, len(keys))
	for i, k := range keys {
		members[i] = string(k)
	}
	// go-redis reads ZMSCORE's nil replies as 0; ask for the scores
	// through a plain command to tell absent from present.
	res, err := s.rdb.Do(ctx, append([]any{"ZMSCORE", s.keys.order}, anys(members)...)...).Slice()
	if err != nil {
		return s.wrap("Contains", err)
	}
	for i, r := range res {
		in[i] = r != nil
	}
	return nil
}

// members is keys as command arguments.
func members(keys [][]byte) []any {
	out := make([]any, len(keys))
	for i, k := range keys {
		out[i] = k
	}
	return out
}

func anys(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// AddKeys adds a batch of encoded elements in one script call.
func (s *set[T]) AddKeys(keys [][]byte) (int, error) {
	if err := s.writable("Add", false); err != nil {
		return 0, err
	}
	if len(keys) == 0 {
		return 0, nil
	}
	n, err := setAddScript.Run(ctx, s.rdb, []string{s.keys.order, s.keys.meta}, members(keys)...).Int()
	return n, s.wrap("Add", err)
}

// RemoveKeys removes a batch of encoded elements in one ZREM.
func (s *set[T]) RemoveKeys(keys [][]byte) (int, error) {
	if err := s.writable("Remove", true); err != nil {
		return 0, err
	}
	if len(keys) == 0 {
		return 0, nil
	}
	n, err := s.rdb.ZRem(ctx, s.keys.order, members(keys)...).Result()
	return int(n), s.wrap("Remove", err)
}

// DecodeKey decodes an encoded element.
func (s *set[T]) DecodeKey(key []byte) (T, error) { return s.decode(key) }

// EncodeKey appends v's encoding to dst.
func (s *set[T]) EncodeKey(dst []byte, v T) ([]byte, error) { return s.codec.Append(dst, v) }

// Clear removes every element.
func (s *set[T]) Clear() error {
	if err := s.writable("Clear", true); err != nil {
		return err
	}
	return s.wrap("Clear", s.rdb.Del(ctx, s.keys.order).Err())
}

// Metrics reports the length.
func (s *set[T]) Metrics() domain.Metrics { return s.metrics(s.Len()) }
