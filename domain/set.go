package domain

import (
	"errors"
	"fmt"
	"iter"
)

func isErr(err, target error) bool { return errors.Is(err, target) }

// Set is a file-backed set of T: the logic behind fscollections.FSSet.
// Element identity is the value's encoding. Iteration is in insertion order.
type Set[T any] struct {
	keyed
	codec Codec[T]
}

// OpenSet opens or creates the set stored in storage.
func OpenSet[T any](storage Storage, cfg Config, codec Codec[T]) (*Set[T], error) {
	k, err := openKeyed(storage, cfg, KindSet)
	if err != nil {
		return nil, err
	}
	return &Set[T]{keyed: k, codec: codec}, nil
}

// Len returns the number of elements.
func (s *Set[T]) Len() int { return s.c.Len() }

// Add adds v; adding a present element changes nothing.
func (s *Set[T]) Add(v T) error {
	key, err := s.codec.Append(nil, v)
	if err != nil {
		return err
	}
	if err := s.c.beginWrite(); err != nil {
		return err
	}
	if s.find(key) == 0 {
		err = s.put(key, nil)
	}
	return s.c.endWrite(err)
}

// Contains reports whether v is in the set.
func (s *Set[T]) Contains(v T) bool {
	key, err := s.codec.Append(nil, v)
	if err != nil || s.c.beginRead() != nil {
		return false
	}
	defer s.c.endRead()
	return s.find(key) != 0
}

func (s *Set[T]) remove(v T, mustExist bool) error {
	key, err := s.codec.Append(nil, v)
	if err != nil {
		return err
	}
	if err := s.c.beginWrite(); err != nil {
		return err
	}
	if found, err2 := s.delete(key); err2 != nil || found {
		err = err2
	} else if mustExist {
		err = fmt.Errorf("%w: element not in set", ErrNotFound)
	}
	return s.c.endWrite(err)
}

// Remove removes v, or returns ErrNotFound.
func (s *Set[T]) Remove(v T) error { return s.remove(v, true) }

// Discard removes v if present.
func (s *Set[T]) Discard(v T) error { return s.remove(v, false) }

// Pop removes and returns the most recently added element, or ErrEmpty.
func (s *Set[T]) Pop() (T, error) {
	var v T
	if err := s.c.beginWrite(); err != nil {
		return v, err
	}
	err := s.popLast(func(k, _ []byte) error {
		var err error
		v, err = s.codec.Decode(k)
		return err
	})
	if err == ErrEmpty {
		err = fmt.Errorf("%w: Pop on an empty set", ErrEmpty)
	}
	return v, s.c.endWrite(err)
}

func (s *Set[T]) elements(yield func(T) bool, report func(error)) {
	var (
		batch []T
		mem   slab
	)
	owned, _ := any(s.codec).(ownedDecoder[T])
	s.each(func(_ int64, k, _ []byte) error {
		var v T
		var err error
		if owned != nil {
			v, err = owned.decodeOwned(mem.bytes(k))
		} else {
			v, err = s.codec.Decode(k)
		}
		if err == nil {
			batch = append(batch, v)
		}
		return err
	}, func() bool {
		for _, v := range batch {
			if !yield(v) {
				return false
			}
		}
		clear(batch)
		batch = batch[:0]
		return true
	}, report)
}

// All yields every element in insertion order.
func (s *Set[T]) All() iter.Seq[T] {
	return func(yield func(T) bool) { s.elements(yield, s.c.setIterErr) }
}

// Range calls fn for each element in insertion order until fn returns
// false, and returns the error that ended it early, its own.
func (s *Set[T]) Range(fn func(T) bool) error {
	if err := s.c.usable(); err != nil {
		return err
	}
	var err error
	s.elements(fn, func(e error) { err = e })
	return err
}

// Scan yields the elements for which pred is true.
func (s *Set[T]) Scan(pred func(T) bool) iter.Seq[T] {
	return func(yield func(T) bool) {
		s.elements(func(v T) bool { return !pred(v) || yield(v) }, s.c.setIterErr)
	}
}

// Clear removes every element and shrinks the files.
func (s *Set[T]) Clear() error { return s.c.Clear() }

// Sync makes every write so far durable.
func (s *Set[T]) Sync() error { return s.c.Sync() }

// Compact rewrites the data file with only the live records.
func (s *Set[T]) Compact() error { return s.c.Compact() }

// Metrics describes the set's state.
func (s *Set[T]) Metrics() Metrics { return s.c.Metrics() }

// Close writes a checkpoint and the clean-close marker and releases the files.
func (s *Set[T]) Close() error { return s.c.Close() }

// Destroy closes the set and deletes its files.
func (s *Set[T]) Destroy() error { return s.c.Destroy() }

// Err returns the error that ended an iteration early since the last call.
func (s *Set[T]) Err() error { return s.c.Err() }
