package domain

import "fmt"

// listSearch is a List's searches by value, which compare encodings
// without decoding (decompressed ones, when compressed ones differ).
type listSearch[T any] struct{ l *List[T] }

// find calls fn with the index of each element whose encoding equals v's,
// until fn returns false. It compares encodings without decoding.
func (ls *listSearch[T]) find(v T, fn func(i int) bool) error {
	l := ls.l
	want, err := l.codec.Append(nil, v)
	if err != nil {
		return err
	}
	same := encodingMatcher(l.codec, want)
	if err := l.c.beginRead(); err != nil {
		return err
	}
	defer l.c.endRead()
	n := l.st.offs.Len()
	stop := false
	return l.c.readRuns(n, func(k int) int64 { return int64(l.st.offs.At(k)) },
		func(k int, _ int64, b []byte) error {
			if !stop && same(b) {
				stop = !fn(k)
			}
			return nil
		})
}

// Index returns the index of the first element equal to v (same encoding),
// or -1 and ErrNotFound.
func (ls *listSearch[T]) Index(v T) (int, error) {
	l := ls.l
	at := -1
	err := l.find(v, func(i int) bool { at = i; return false })
	if err != nil {
		return -1, err
	}
	if at < 0 {
		return -1, fmt.Errorf("%w: value not in list", ErrNotFound)
	}
	return at, nil
}

// Contains reports whether an element equals v.
func (ls *listSearch[T]) Contains(v T) (bool, error) {
	l := ls.l
	found := false
	err := l.find(v, func(int) bool { found = true; return false })
	return found, err
}

// Count returns the number of elements equal to v.
func (ls *listSearch[T]) Count(v T) (int, error) {
	l := ls.l
	n := 0
	err := l.find(v, func(int) bool { n++; return true })
	return n, err
}

// Remove removes the first element equal to v, or returns ErrNotFound.
func (ls *listSearch[T]) Remove(v T) error {
	l := ls.l
	want, err := l.codec.Append(nil, v)
	if err != nil {
		return err
	}
	same := encodingMatcher(l.codec, want)
	if err := l.c.beginWrite(); err != nil {
		return err
	}
	at := -1
	n := l.st.offs.Len()
	err = l.c.readRuns(n, func(k int) int64 { return int64(l.st.offs.At(k)) },
		func(k int, _ int64, b []byte) error {
			if at < 0 && same(b) {
				at = k
			}
			return nil
		})
	if err == nil {
		if at < 0 {
			err = fmt.Errorf("%w: value not in list", ErrNotFound)
		} else {
			var zero T
			err = l.record(OpPop, at, true, zero, false)
		}
	}
	return l.c.endWrite(err)
}
