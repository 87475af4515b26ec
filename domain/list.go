package domain

import (
	"context"
	"encoding/binary"
	"fmt"
	"time"
)

// List is a file-backed list of T: the logic behind fscollections.FSList.
type List[T any] struct {
	c     *core
	st    *listState
	codec Codec[T]
	cache cacheOf[T]
	// write writes one operation: logWrite, or swapWrite for a
	// swap-and-pop list (swap.go).
	write func(op Op, index int, hasIndex bool, v T, withValue bool) error
	// The parts, each in its own file.
	listIteration[T] // All, Backward, Scan, Range (listiter.go)
	listSearch[T]    // Index, Contains, Count, Remove (listsearch.go)
}

// newList returns a list with its parts wired to it.
func newList[T any](c *core, st *listState, codec Codec[T], cache cacheOf[T]) *List[T] {
	l := &List[T]{c: c, st: st, codec: codec, cache: cache}
	l.write = l.logWrite
	if st.swap != nil {
		l.write = func(op Op, i int, _ bool, v T, _ bool) error { return l.swapWrite(op, i, v) }
	}
	l.listIteration.l, l.listSearch.l = l, l
	return l
}

// OpenList opens or creates the list stored in storage.
func OpenList[T any](storage Storage, cfg Config, codec Codec[T]) (*List[T], error) {
	st := &listState{}
	cfg.Header.Kind = KindList
	if cfg.Swap {
		if codec.FixedSize() == 0 {
			return nil, fmt.Errorf("%w: AutoCompact needs a fixed-size codec; %s has variable size",
				ErrInvalidOptions, codec.TypeName())
		}
		if cfg.Shared {
			return nil, fmt.Errorf("%w: AutoCompact cannot be combined with Shared", ErrInvalidOptions)
		}
		st.swap = &swapInfo{recLen: RecordHeaderSize + int64(codec.FixedSize())}
		cfg.Header.SwapLayout = true
	}
	c, err := openCore(storage, cfg, st)
	if err != nil {
		return nil, err
	}
	return newList(c, st, codec, newCacheOf[T](c, codec)), nil
}

func (l *List[T]) outOfRange(op string, i, n int) error {
	return fmt.Errorf("%w: %s(%d) on a list of length %d", ErrIndexOutOfRange, op, i, n)
}

// decodeAt decodes the element whose record is at off. Lock held.
func (l *List[T]) decodeAt(off int64) (T, error) {
	if v, ok := l.cache.get(off); ok {
		return v, nil
	}
	b, err := l.c.valueAt(off)
	if err != nil {
		var zero T
		return zero, err
	}
	v, err := l.codec.Decode(b)
	if err != nil {
		return v, fmt.Errorf("%w (record at offset %d of %s)", err, off, l.c.log.Path())
	}
	l.cache.add(off, v, b)
	return v, nil
}

// Len returns the number of elements.
func (l *List[T]) Len() int { return l.c.Len() }

// Get returns element i.
func (l *List[T]) Get(i int) (T, error) {
	var zero T
	if err := l.c.beginRead(); err != nil {
		return zero, err
	}
	defer l.c.endRead()
	if n := l.st.offs.Len(); i < 0 || i >= n {
		return zero, l.outOfRange("Get", i, n)
	}
	return l.decodeAt(int64(l.st.offs.At(i)))
}

func (l *List[T]) record(op Op, index int, hasIndex bool, v T, withValue bool) error {
	if op != OpAppend {
		if err := l.c.appendOnly(opName(op)); err != nil {
			return err
		}
	}
	return l.write(op, index, hasIndex, v, withValue)
}

// logWrite appends the operation's record to the log.
func (l *List[T]) logWrite(op Op, index int, hasIndex bool, v T, withValue bool) error {
	rec := beginRecord(l.c.scratch[:0], op)
	if hasIndex {
		rec = binary.BigEndian.AppendUint64(rec, uint64(index))
	}
	if withValue {
		var err error
		if rec, err = l.codec.Append(rec, v); err != nil {
			return err
		}
	}
	finishRecord(rec)
	l.c.keepScratch(rec)
	return l.c.commit(rec)
}

// Set replaces element i.
func (l *List[T]) Set(i int, v T) error {
	if err := l.c.beginWrite(); err != nil {
		return err
	}
	var err error
	if n := l.st.offs.Len(); i < 0 || i >= n {
		err = l.outOfRange("Set", i, n)
	} else {
		err = l.record(OpSet, i, true, v, true)
	}
	return l.c.endWrite(err)
}

// Append adds vs at the end, in order.
func (l *List[T]) Append(vs ...T) error {
	if err := l.c.beginWrite(); err != nil {
		return err
	}
	var err error
	for _, v := range vs {
		if err = l.record(OpAppend, 0, false, v, true); err != nil {
			break
		}
	}
	return l.c.endWrite(err)
}

// Insert puts v at index i, shifting later elements up; Insert(Len(), v) appends.
func (l *List[T]) Insert(i int, v T) error {
	if err := l.c.beginWrite(); err != nil {
		return err
	}
	var err error
	if n := l.st.offs.Len(); i < 0 || i > n {
		err = l.outOfRange("Insert", i, n)
	} else if i == n {
		err = l.record(OpAppend, 0, false, v, true)
	} else {
		err = l.record(OpInsert, i, true, v, true)
	}
	return l.c.endWrite(err)
}

// Pop removes and returns element i.
func (l *List[T]) Pop(i int) (T, error) {
	var v T
	if err := l.c.beginWrite(); err != nil {
		return v, err
	}
	var err error
	if n := l.st.offs.Len(); n == 0 {
		err = fmt.Errorf("%w: Pop(%d) on an empty list", ErrEmpty, i)
	} else if i < 0 || i >= n {
		err = l.outOfRange("Pop", i, n)
	} else if v, err = l.decodeAt(int64(l.st.offs.At(i))); err == nil {
		err = l.record(OpPop, i, true, v, false)
	}
	return v, l.c.endWrite(err)
}

// Reverse reverses the list in place.
func (l *List[T]) Reverse() error {
	if err := l.c.beginWrite(); err != nil {
		return err
	}
	var err error
	if l.st.offs.Len() > 1 {
		var zero T
		err = l.record(OpReverse, 0, false, zero, false)
	}
	return l.c.endWrite(err)
}

// Slice returns elements lo..hi-1, reading contiguous records together.
func (l *List[T]) Slice(lo, hi int) ([]T, error) {
	if err := l.c.beginRead(); err != nil {
		return nil, err
	}
	defer l.c.endRead()
	n := l.st.offs.Len()
	if lo < 0 || hi > n || lo > hi {
		return nil, fmt.Errorf("%w: Slice(%d, %d) on a list of length %d", ErrIndexOutOfRange, lo, hi, n)
	}
	out := make([]T, 0, hi-lo)
	// []byte and string values are carved out of shared chunks (see slab),
	// not allocated one by one.
	owned, _ := any(l.codec).(ownedDecoder[T])
	var mem slab
	err := l.c.readRuns(hi-lo, func(k int) int64 { return int64(l.st.offs.At(lo + k)) },
		func(k int, off int64, b []byte) error {
			v, ok := l.cache.iterValue(owned, &mem, off, b)
			var err error
			if !ok {
				v, err = l.decodeValue(off, b)
			}
			out = append(out, v)
			return err
		})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (l *List[T]) decodeValue(off int64, b []byte) (T, error) {
	if v, ok := l.cache.get(off); ok {
		return v, nil
	}
	v, err := l.codec.Decode(b)
	if err != nil {
		return v, fmt.Errorf("%w (record at offset %d of %s)", err, off, l.c.log.Path())
	}
	l.cache.add(off, v, b)
	return v, nil
}

// iterBatch is how many elements an iteration reads per lock hold.
const iterBatch = 128

// Clear removes every element and shrinks the files.
func (l *List[T]) Clear() error { return l.c.Clear() }

// Sync makes every write so far durable.
func (l *List[T]) Sync() error { return l.c.Sync() }

// Compact rewrites the data file with only the live records.
func (l *List[T]) Compact() error { return l.c.Compact() }

// Metrics describes the list's state.
func (l *List[T]) Metrics() Metrics { return l.c.Metrics() }

// Close writes a checkpoint and the clean-close marker and releases the files.
func (l *List[T]) Close() error { return l.c.Close() }

// Destroy closes the list and deletes its files.
func (l *List[T]) Destroy() error { return l.c.Destroy() }

// Err returns the error that ended an iteration early since the last call.
func (l *List[T]) Err() error { return l.c.Err() }

// sharedPoll is how often Take looks for elements appended by other
// processes, in Shared mode (no notification crosses processes).
const sharedPoll = 10 * time.Millisecond

// Take removes and returns the first element, waiting until there is one:
// woken at once by a write in this process, and in Shared mode looking
// every sharedPoll for other processes' appends. It returns ctx's error
// when ctx ends first, and ErrClosed promptly when the list is closed,
// also for a goroutine already waiting.
func (l *List[T]) Take(ctx context.Context) (T, error) {
	var zero T
	var poll <-chan time.Time
	if l.c.cfg.Shared {
		t := time.NewTicker(sharedPoll)
		defer t.Stop()
		poll = t.C
	}
	for {
		if err := ctx.Err(); err != nil {
			return zero, err
		}
		if err := l.c.beginWrite(); err != nil {
			return zero, err
		}
		var (
			v    T
			err  error
			wait <-chan struct{}
		)
		if l.st.offs.Len() == 0 {
			wait = l.c.changed()
		} else if v, err = l.decodeAt(int64(l.st.offs.At(0))); err == nil {
			err = l.record(OpPop, 0, true, v, false)
		}
		if err = l.c.endWrite(err); wait == nil {
			return v, err
		}
		if err != nil {
			return zero, err
		}
		select {
		case <-ctx.Done():
			return zero, ctx.Err()
		case <-wait:
		case <-poll:
		}
	}
}

// Usable returns ErrClosed once the list is closed, and nil while it can be read.
func (l *List[T]) Usable() error {
	if err := l.c.beginRead(); err != nil {
		return err
	}
	l.c.endRead()
	return nil
}
