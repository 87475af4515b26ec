package fsredis

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"iter"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fscollections/fscollections/domain"
)

// list is a list on Redis: a Redis list of encoded elements.
type list[T any] struct {
	*base
	codec domain.Codec[T]
}

func (l *list[T]) outOfRange(op string, i, n int) error {
	return fmt.Errorf("%w: %s(%d) on a list of length %d", domain.ErrIndexOutOfRange, op, i, n)
}

func (l *list[T]) encode(v T) (string, error) {
	b, err := l.codec.Append(nil, v)
	return string(b), err
}

func (l *list[T]) decode(s string) (T, error) {
	v, err := l.codec.Decode([]byte(s))
	if err != nil {
		return v, fmt.Errorf("%w (element of the Redis list %q)", err, l.name)
	}
	return v, nil
}

// Len returns the number of elements (LLEN).
func (l *list[T]) Len() int {
	return l.count(func() *redis.IntCmd { return l.rdb.LLen(ctx, l.keys.list) })
}

// Get returns element i (LINDEX).
func (l *list[T]) Get(i int) (T, error) {
	var zero T
	if err := l.usable("Get"); err != nil {
		return zero, err
	}
	if i >= 0 {
		s, err := l.rdb.LIndex(ctx, l.keys.list, int64(i)).Result()
		if err == nil {
			return l.decode(s)
		}
		if err != redis.Nil {
			return zero, l.wrap("Get", err)
		}
	}
	n, err := l.rdb.LLen(ctx, l.keys.list).Result()
	if err != nil {
		return zero, l.wrap("Get", err)
	}
	return zero, l.outOfRange("Get", i, int(n))
}

// Set replaces element i.
func (l *list[T]) Set(i int, v T) error {
	if err := l.writable("Set", true); err != nil {
		return err
	}
	enc, err := l.encode(v)
	if err != nil {
		return err
	}
	n, err := listSetScript.Run(ctx, l.rdb, []string{l.keys.list}, i, enc).Int()
	if err != nil {
		return l.wrap("Set", err)
	}
	if n >= 0 {
		return l.outOfRange("Set", i, n)
	}
	return nil
}

// Append adds vs at the end in one RPUSH: all or none.
func (l *list[T]) Append(vs ...T) error {
	if err := l.writable("Append", false); err != nil {
		return err
	}
	if len(vs) == 0 {
		return nil
	}
	args := make([]any, len(vs))
	for k, v := range vs {
		enc, err := l.codec.Append(nil, v)
		if err != nil {
			return err
		}
		args[k] = enc
	}
	return l.wrap("Append", l.rdb.RPush(ctx, l.keys.list, args...).Err())
}

// Insert puts v at index i. Server-side O(min(i, Len()-i)).
func (l *list[T]) Insert(i int, v T) error {
	if err := l.usable("Insert"); err != nil {
		return err
	}
	enc, err := l.encode(v)
	if err != nil {
		return err
	}
	if l.appendOnly {
		// Only an insert at the end (an append) is allowed, and Len may
		// change under us: let the server decide, refusing anything else.
		return l.insertAppendOnly(i, enc)
	}
	if err := l.writable("Insert", false); err != nil {
		return err
	}
	n, err := listInsertScript.Run(ctx, l.rdb, []string{l.keys.list}, i, enc).Int()
	if err != nil {
		return l.wrap("Insert", err)
	}
	if n < 0 {
		return l.outOfRange("Insert", i, -1-n)
	}
	return nil
}

// insertAppendOnly is Insert on an AppendOnly handle: i must be Len().
func (l *list[T]) insertAppendOnly(i int, enc string) error {
	if err := l.writable("Insert", false); err != nil {
		return err
	}
	n, err := l.rdb.LLen(ctx, l.keys.list).Result()
	if err != nil {
		return l.wrap("Insert", err)
	}
	switch {
	case i < 0 || i > int(n):
		return l.outOfRange("Insert", i, int(n))
	case i < int(n):
		return l.appendOnlyErr("Insert")
	}
	return l.wrap("Insert", l.rdb.RPush(ctx, l.keys.list, enc).Err())
}

// tombstone returns a value no element has, to mark the element Pop removes.
func tombstone() string {
	b := make([]byte, 24)
	copy(b, "\x00fsredis-pop:")
	_, _ = rand.Read(b[13:])
	return string(b)
}

// Pop removes and returns element i.
func (l *list[T]) Pop(i int) (T, error) {
	var zero T
	if err := l.writable("Pop", true); err != nil {
		return zero, err
	}
	res, err := listPopScript.Run(ctx, l.rdb, []string{l.keys.list}, i, tombstone()).Slice()
	if err != nil {
		return zero, l.wrap("Pop", err)
	}
	switch res[0].(int64) {
	case -1:
		return zero, fmt.Errorf("%w: Pop(%d) on an empty list", domain.ErrEmpty, i)
	case 0:
		return zero, l.outOfRange("Pop", i, int(res[1].(int64)))
	}
	return l.decode(res[1].(string))
}

// takeWait is how long one blocking pop waits on the server before Take
// looks at its context and the handle again.
const takeWait = 100 * time.Millisecond

// Take pops the first element with BLPOP, waiting until there is one.
// Each BLPOP waits at most takeWait on the server, so that a cancelled
// ctx or a Close ends Take within about that time; an element the server
// pops is always returned, never dropped.
func (l *list[T]) Take(ctx context.Context) (T, error) {
	var zero T
	for {
		if err := l.writable("Take", true); err != nil {
			return zero, err
		}
		if err := ctx.Err(); err != nil {
			return zero, err
		}
		res, err := l.rdb.BLPop(context.WithoutCancel(ctx), takeWait, l.keys.list).Result()
		switch {
		case err == redis.Nil:
			continue
		case err != nil:
			return zero, l.wrap("Take", err)
		}
		return l.decode(res[1])
	}
}

// Reverse reverses the list on the server.
func (l *list[T]) Reverse() error {
	if err := l.writable("Reverse", true); err != nil {
		return err
	}
	return l.wrap("Reverse", listReverseScript.Run(ctx, l.rdb, []string{l.keys.list}).Err())
}

// Slice returns elements lo..hi-1, read at one instant.
func (l *list[T]) Slice(lo, hi int) ([]T, error) {
	if err := l.usable("Slice"); err != nil {
		return nil, err
	}
	res, err := listSliceScript.Run(ctx, l.rdb, []string{l.keys.list}, lo, hi).Slice()
	if err != nil {
		return nil, l.wrap("Slice", err)
	}
	if res[0].(int64) == 0 {
		return nil, fmt.Errorf("%w: Slice(%d, %d) on a list of length %d", domain.ErrIndexOutOfRange, lo, hi, res[1].(int64))
	}
	raw := res[1].([]any)
	out := make([]T, 0, len(raw))
	for _, r := range raw {
		v, err := l.decode(r.(string))
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// iterBatch is how many elements an iteration reads per round trip.
const iterBatch = 256

// each reads the list a batch (LRANGE) at a time, calling yield between
// round trips. Like the file engine, it walks by index: a concurrent
// insert or removal shifts what the rest of the walk sees.
func (l *list[T]) each(backward bool, yield func(int, T) bool, report func(error)) {
	if l.usable("iterate") != nil {
		return
	}
	next := 0
	if backward {
		n, err := l.rdb.LLen(ctx, l.keys.list).Result()
		if err != nil {
			report(l.wrap("iterate", err))
			return
		}
		next = int(n) - 1
	}
	for next >= 0 {
		lo, hi := next, next+iterBatch-1
		if backward {
			lo, hi = max(0, next-iterBatch+1), next
		}
		raw, err := l.rdb.LRange(ctx, l.keys.list, int64(lo), int64(hi)).Result()
		if err != nil {
			report(l.wrap("iterate", err))
			return
		}
		batch := make([]T, len(raw))
		for k, s := range raw {
			if batch[k], err = l.decode(s); err != nil {
				report(err)
				return
			}
		}
		if backward {
			for k := len(batch) - 1; k >= 0; k-- {
				if !yield(lo+k, batch[k]) {
					return
				}
			}
			next = lo - 1
		} else {
			for k, v := range batch {
				if !yield(lo+k, v) {
					return
				}
			}
			if len(raw) < iterBatch {
				return
			}
			next = hi + 1
		}
		if l.closed.Load() {
			report(l.usable("iterate"))
			return
		}
	}
}

// All yields index and element from first to last.
func (l *list[T]) All() iter.Seq2[int, T] {
	return func(yield func(int, T) bool) { l.each(false, yield, l.setIterErr) }
}

// Range calls fn for each index and element until fn returns false, and
// returns the error that ended it early.
func (l *list[T]) Range(fn func(int, T) bool) error {
	if err := l.usable("Range"); err != nil {
		return err
	}
	var err error
	l.each(false, fn, func(e error) { err = e })
	return err
}

// Backward yields index and element from last to first.
func (l *list[T]) Backward() iter.Seq2[int, T] {
	return func(yield func(int, T) bool) { l.each(true, yield, l.setIterErr) }
}

// Scan yields the elements for which pred is true.
func (l *list[T]) Scan(pred func(T) bool) iter.Seq2[int, T] {
	return func(yield func(int, T) bool) {
		l.each(false, func(i int, v T) bool { return !pred(v) || yield(i, v) }, l.setIterErr)
	}
}

// Index returns the index of the first element equal to v (LPOS).
func (l *list[T]) Index(v T) (int, error) {
	if err := l.usable("Index"); err != nil {
		return -1, err
	}
	enc, err := l.encode(v)
	if err != nil {
		return -1, err
	}
	i, err := l.rdb.LPos(ctx, l.keys.list, enc, redis.LPosArgs{}).Result()
	if err == redis.Nil {
		return -1, fmt.Errorf("%w: value not in list", domain.ErrNotFound)
	}
	if err != nil {
		return -1, l.wrap("Index", err)
	}
	return int(i), nil
}

// Contains reports whether an element equals v.
func (l *list[T]) Contains(v T) (bool, error) {
	_, err := l.Index(v)
	if errors.Is(err, domain.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// Count returns the number of elements equal to v (LPOS … COUNT 0).
func (l *list[T]) Count(v T) (int, error) {
	if err := l.usable("Count"); err != nil {
		return 0, err
	}
	enc, err := l.encode(v)
	if err != nil {
		return 0, err
	}
	at, err := l.rdb.LPosCount(ctx, l.keys.list, enc, 0, redis.LPosArgs{}).Result()
	if err != nil {
		return 0, l.wrap("Count", err)
	}
	return len(at), nil
}

// Remove removes the first element equal to v (LREM … 1).
func (l *list[T]) Remove(v T) error {
	if err := l.writable("Remove", true); err != nil {
		return err
	}
	enc, err := l.encode(v)
	if err != nil {
		return err
	}
	n, err := l.rdb.LRem(ctx, l.keys.list, 1, enc).Result()
	if err != nil {
		return l.wrap("Remove", err)
	}
	if n == 0 {
		return fmt.Errorf("%w: value not in list", domain.ErrNotFound)
	}
	return nil
}

// Clear removes every element.
func (l *list[T]) Clear() error {
	if err := l.writable("Clear", true); err != nil {
		return err
	}
	return l.wrap("Clear", l.rdb.Del(ctx, l.keys.list).Err())
}

// Metrics reports the length.
func (l *list[T]) Metrics() domain.Metrics { return l.metrics(l.Len()) }
