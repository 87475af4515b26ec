package domain

// Closed collections stand in for a handle that was never opened (the zero
// value of the public types, or a nil pointer): every method then answers
// as after Close (ErrClosed, Len 0, iterations that yield nothing)
// instead of panicking on a nil pointer.

func closedCore() *core {
	c := newCore(Config{}, &keyState{})
	c.closed = true
	return c
}

// ClosedList returns a list that is already closed.
func ClosedList[T any]() *List[T] {
	c := closedCore()
	st := &listState{}
	c.st = st
	return newList(c, st, Codec[T](closedCodec[T]{}), cacheOf[T]{c: c})
}

// ClosedMap returns a map that is already closed.
func ClosedMap[V any]() *Map[V] {
	c := closedCore()
	return newMap(keyed{c: c, st: c.st.(*keyState)}, Codec[V](closedCodec[V]{}), cacheOf[V]{c: c})
}

// ClosedSet returns a set that is already closed.
func ClosedSet[T any]() *Set[T] {
	c := closedCore()
	return &Set[T]{keyed: keyed{c: c, st: c.st.(*keyState)}, codec: closedCodec[T]{}}
}

// closedCodec is the codec of a closed stand-in: nothing is encoded.
type closedCodec[T any] struct{}

func (closedCodec[T]) TypeName() string                       { return "closed" }
func (closedCodec[T]) FixedSize() int                         { return 0 }
func (closedCodec[T]) Append(dst []byte, _ T) ([]byte, error) { return dst, ErrClosed }
func (closedCodec[T]) Decode([]byte) (T, error) {
	var zero T
	return zero, ErrClosed
}
