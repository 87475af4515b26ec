package domain

import "fmt"

// Atomic read-modify-write: each operation reads and writes under one hold
// of the write lock (and, in Shared mode, of the exclusive file lock after
// catching up with other processes), so it is one linearizable step.
// Values compare by their encodings.

// ComputeAction says what Compute does with the value its function returns.
type ComputeAction int

// The actions, in the order of the public ComputeOp.
const (
	ComputeCancel ComputeAction = iota // leave the key as it is
	ComputeUpdate                      // store the returned value
	ComputeDelete                      // delete the key
)

// mapAtomic is a Map's read-modify-write operations, each one step
// under the write lock.
type mapAtomic[V any] struct{ m *Map[V] }

// current returns key's value and whether it is present. Lock held.
func (at *mapAtomic[V]) current(key string) (V, bool, error) {
	m := at.m
	off := m.find(stringBytes(key))
	if off == 0 {
		var zero V
		return zero, false, nil
	}
	v, err := m.valueOf(off)
	return v, err == nil, err
}

// encodedIs reports whether key is present with a value encoded as enc. Lock held.
func (at *mapAtomic[V]) encodedIs(key string, enc []byte) (bool, error) {
	m := at.m
	off := m.find(stringBytes(key))
	if off == 0 {
		return false, nil
	}
	_, b, err := m.entryAt(off)
	if err != nil {
		return false, err
	}
	return encodingMatcher(m.codec, enc)(b), nil
}

// CompareAndSwap sets key to new if its value's encoding equals old's.
func (at *mapAtomic[V]) CompareAndSwap(key string, old, new V) (bool, error) {
	m := at.m
	enc, err := m.codec.Append(nil, old)
	if err != nil {
		return false, err
	}
	if err := m.c.beginWrite(); err != nil {
		return false, err
	}
	same, err := m.encodedIs(key, enc)
	if err == nil && same {
		err = m.set(key, new)
	}
	return same && err == nil, m.c.endWrite(err)
}

// CompareAndDelete deletes key if its value's encoding equals old's.
func (at *mapAtomic[V]) CompareAndDelete(key string, old V) (bool, error) {
	m := at.m
	enc, err := m.codec.Append(nil, old)
	if err != nil {
		return false, err
	}
	if err := m.c.beginWrite(); err != nil {
		return false, err
	}
	if err := m.c.appendOnly("CompareAndDelete"); err != nil {
		return false, m.c.endWrite(err)
	}
	same, err := m.encodedIs(key, enc)
	if err == nil && same {
		_, err = m.delete(stringBytes(key))
	}
	return same && err == nil, m.c.endWrite(err)
}

// Swap sets key to v and returns the previous value and whether there was one.
func (at *mapAtomic[V]) Swap(key string, v V) (V, bool, error) {
	m := at.m
	if err := m.c.beginWrite(); err != nil {
		var zero V
		return zero, false, err
	}
	prev, loaded, err := m.current(key)
	if err == nil {
		err = m.set(key, v)
	}
	return prev, loaded, m.c.endWrite(err)
}

// Compute calls fn with key's value and presence under the write lock and
// does what it returns. actual is the value afterwards (the old one when
// fn cancels or deletes) and ok whether key is present afterwards.
func (at *mapAtomic[V]) Compute(key string, fn func(old V, loaded bool) (V, ComputeAction)) (actual V, ok bool, err error) {
	m := at.m
	if err := m.c.beginWrite(); err != nil {
		return actual, false, err
	}
	old, loaded, err := m.current(key)
	if err != nil {
		return old, loaded, m.c.endWrite(err)
	}
	v, action := fn(old, loaded)
	switch action {
	case ComputeUpdate:
		err = m.set(key, v)
		return v, err == nil || loaded, m.c.endWrite(err)
	case ComputeDelete:
		if loaded {
			_, err = m.delete(stringBytes(key))
		}
		return old, loaded && err != nil, m.c.endWrite(err)
	}
	return old, loaded, m.c.endWrite(nil)
}

// Info returns key's version, write time and value size, or ErrNotFound.
func (at *mapAtomic[V]) Info(key string) (EntryMeta, int, error) {
	m := at.m
	if err := m.c.beginRead(); err != nil {
		return EntryMeta{}, 0, err
	}
	defer m.c.endRead()
	off := m.find(stringBytes(key))
	if off == 0 {
		return EntryMeta{}, 0, notFound(key)
	}
	return m.entryInfo(off)
}

// SetIfVersion sets key to v if key's version is version (0: key absent),
// or fails with ErrConflict.
func (at *mapAtomic[V]) SetIfVersion(key string, v V, version uint64) error {
	m := at.m
	if err := m.c.beginWrite(); err != nil {
		return err
	}
	var have uint64
	var err error
	if off := m.find(stringBytes(key)); off != 0 {
		var meta EntryMeta
		meta, _, err = m.entryInfo(off)
		have = meta.Version
	}
	if err == nil && have != version {
		err = fmt.Errorf("%w: key %q is at version %d, not %d", ErrConflict, key, have, version)
	}
	if err == nil {
		err = m.set(key, v)
	}
	return m.c.endWrite(err)
}
