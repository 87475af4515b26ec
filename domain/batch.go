package domain

// Batches run many map operations under one hold of the lock: the
// operations of Map without the per-call locking, and in a write batch one
// commit for all (with SyncAlways, one fsync). A batch is not a
// transaction: the writes before an error or a crash stay.

// MapReader reads a Map inside Map.ReadBatch or Map.WriteBatch. Keys are
// byte slices so that callers can build them in a reused buffer.
type MapReader[V any] struct{ m *Map[V] }

// MapWriter reads and writes a Map inside Map.WriteBatch.
type MapWriter[V any] struct{ MapReader[V] }

// ReadBatch runs fn under the read lock. fn must not call the Map's own
// methods, which would wait for the lock it holds.
func (m *Map[V]) ReadBatch(fn func(r MapReader[V]) error) error {
	if err := m.c.beginRead(); err != nil {
		return err
	}
	defer m.c.endRead()
	return fn(MapReader[V]{m})
}

// WriteBatch runs fn under the write lock, then commits what it wrote as
// one write. fn must not call the Map's own methods.
func (m *Map[V]) WriteBatch(fn func(w MapWriter[V]) error) error {
	if err := m.c.beginWrite(); err != nil {
		return err
	}
	return m.c.endWrite(fn(MapWriter[V]{MapReader[V]{m}}))
}

// Contains reports whether key is present.
func (r MapReader[V]) Contains(key []byte) bool { return r.m.find(key) != 0 }

// Find sets offs[i] to where the entry of keys[i] is, 0 when absent, for
// ViewAt. Looking up many keys at once is faster than one by one: their
// cache misses overlap.
func (r MapReader[V]) Find(keys [][]byte, offs []int64) { r.m.st.findMany(r.m.c, keys, offs) }

// ViewAt returns the encoded value of the entry Find placed at off (not
// 0), verified against its checksum, valid until the batch's next call.
// The offset is only good until the batch's next write.
func (r MapReader[V]) ViewAt(off int64) ([]byte, error) {
	_, b, err := r.m.entryAt(off)
	return b, err
}

// View returns the encoded value of key, verified against its checksum,
// and whether key is present. The slice is only valid until the batch's
// next call; it must not be modified.
func (r MapReader[V]) View(key []byte) ([]byte, bool, error) {
	off := r.m.find(key)
	if off == 0 {
		return nil, false, nil
	}
	_, b, err := r.m.entryAt(off)
	return b, err == nil, err
}

// Lookup returns the decoded value of key and whether it is present.
func (r MapReader[V]) Lookup(key []byte) (V, bool, error) {
	off := r.m.find(key)
	if off == 0 {
		var zero V
		return zero, false, nil
	}
	v, err := r.m.valueOf(off)
	return v, err == nil, err
}

// Set sets key to v.
func (w MapWriter[V]) Set(key []byte, v V) error {
	return w.m.put(key, func(dst []byte) ([]byte, error) { return w.m.codec.Append(dst, v) })
}

// Delete removes key and reports whether it was present.
func (w MapWriter[V]) Delete(key []byte) (bool, error) { return w.m.delete(key) }
