package fsredis

import (
	"fmt"
	"strconv"

	"github.com/fscollections/fscollections/domain"
	"github.com/redis/go-redis/v9"
)

// mapAtomic is a Redis map's read-modify-write operations, each one
// script (Compute: optimistic on the key's version).
type mapAtomic[V any] struct{ m *hashMap[V] }

// CompareAndSwap sets key to new if its value's encoding is old's.
func (at *mapAtomic[V]) CompareAndSwap(key string, old, new V) (bool, error) {
	m := at.m
	if err := m.writable("CompareAndSwap", false); err != nil {
		return false, err
	}
	o, err := m.encode(old)
	if err != nil {
		return false, err
	}
	n, err := m.encode(new)
	if err != nil {
		return false, err
	}
	r, err := m.run("CompareAndSwap", mapCASScript, flag(m.appendOnly), key, o, n).Int()
	if err != nil {
		return false, m.wrap("CompareAndSwap", err)
	}
	if r < 0 {
		return false, fmt.Errorf("%w: key %q exists", m.appendOnlyErr("CompareAndSwap"), key)
	}
	return r == 1, nil
}

// CompareAndDelete deletes key if its value's encoding is old's.
func (at *mapAtomic[V]) CompareAndDelete(key string, old V) (bool, error) {
	m := at.m
	if err := m.writable("CompareAndDelete", true); err != nil {
		return false, err
	}
	o, err := m.encode(old)
	if err != nil {
		return false, err
	}
	r, err := m.run("CompareAndDelete", mapCADScript, key, o).Int()
	if err != nil {
		return false, m.wrap("CompareAndDelete", err)
	}
	return r == 1, nil
}

// Swap sets key to v and returns the previous value.
func (at *mapAtomic[V]) Swap(key string, v V) (V, bool, error) {
	m := at.m
	var zero V
	if err := m.writable("Swap", false); err != nil {
		return zero, false, err
	}
	enc, err := m.encode(v)
	if err != nil {
		return zero, false, err
	}
	res, err := m.run("Swap", mapSwapScript, flag(m.appendOnly), key, enc).Slice()
	if err != nil {
		return zero, false, m.wrap("Swap", err)
	}
	switch res[0].(int64) {
	case -1:
		return zero, false, fmt.Errorf("%w: key %q exists", m.appendOnlyErr("Swap"), key)
	case 0:
		return zero, false, nil
	}
	prev, err := m.decode(key, res[1].(string))
	return prev, err == nil, err
}

// read returns key's version (0: absent) and encoded value, at one
// instant: both are in the stored value (HGET).
func (at *mapAtomic[V]) read(op, key string) (uint64, string, error) {
	m := at.m
	s, err := m.rdb.HGet(ctx, m.keys.vals, key).Result()
	if err == redis.Nil {
		return 0, "", nil
	}
	if err != nil {
		return 0, "", m.wrap(op, err)
	}
	meta, err := m.header(key, s)
	if err != nil {
		return 0, "", err
	}
	return meta.Version, s[headerLen:], nil
}

// header parses a stored value's header.
func (at *mapAtomic[V]) header(key, s string) (domain.EntryMeta, error) {
	m := at.m
	bad := fmt.Errorf("%w: key %q of the Redis map %q has a bad version header", domain.ErrCorrupt, key, m.name)
	if len(s) < headerLen {
		return domain.EntryMeta{}, bad
	}
	ver, err1 := strconv.ParseUint(s[:16], 16, 64)
	usec, err2 := strconv.ParseInt(s[16:headerLen], 16, 64)
	if err1 != nil || err2 != nil || ver == 0 {
		return domain.EntryMeta{}, bad
	}
	return domain.EntryMeta{Version: ver, Modified: usec * 1000}, nil
}

// ifVersion writes (enc) or deletes (del) key if its version is still
// version; it reports whether it did.
func (at *mapAtomic[V]) ifVersion(op, key string, version uint64, del bool, enc string) (bool, error) {
	m := at.m
	action := "u"
	if del {
		action = "d"
	}
	res, err := m.run(op, mapIfVersionScript, flag(m.appendOnly), key, version, action, enc).Slice()
	if err != nil {
		return false, m.wrap(op, err)
	}
	switch res[0].(int64) {
	case -1:
		return false, fmt.Errorf("%w: key %q exists", m.appendOnlyErr(op), key)
	case 0:
		return false, nil
	}
	return true, nil
}

// Compute runs fn on key's value on the client and stores its result if
// no other write of key came between: the read and the write are checked
// by the key's version (optimistic concurrency), and fn runs again with
// the newer value when another client won. fn may therefore run more than
// once; each run sees a value the key really had.
func (at *mapAtomic[V]) Compute(key string, fn func(old V, loaded bool) (V, domain.ComputeAction)) (V, bool, error) {
	m := at.m
	var zero V
	if err := m.writable("Compute", false); err != nil {
		return zero, false, err
	}
	for {
		ver, enc, err := m.read("Compute", key)
		if err != nil {
			return zero, false, err
		}
		var old V
		if ver != 0 {
			if old, err = m.decode(key, enc); err != nil {
				return zero, false, err
			}
		}
		v, action := fn(old, ver != 0)
		done := true
		switch action {
		case domain.ComputeCancel:
			return old, ver != 0, nil
		case domain.ComputeDelete:
			if ver == 0 {
				return zero, false, nil
			}
			if m.appendOnly {
				return old, true, fmt.Errorf("%w: key %q exists", m.appendOnlyErr("Compute"), key)
			}
			done, err = m.ifVersion("Compute", key, ver, true, "")
			v = old
		default:
			var e string
			if e, err = m.encode(v); err == nil {
				done, err = m.ifVersion("Compute", key, ver, false, e)
			}
		}
		if err != nil {
			return old, ver != 0, err
		}
		if done {
			return v, action != domain.ComputeDelete, nil // as the files: a deleted key's old value
		}
	}
}

// Info returns key's version, modification time and encoded size.
func (at *mapAtomic[V]) Info(key string) (domain.EntryMeta, int, error) {
	m := at.m
	if err := m.usable("Info"); err != nil {
		return domain.EntryMeta{}, 0, err
	}
	res, err := m.run("Info", mapInfoScript, key).Slice()
	if err != nil {
		return domain.EntryMeta{}, 0, m.wrap("Info", err)
	}
	if len(res) == 0 {
		return domain.EntryMeta{}, 0, notFound(key)
	}
	meta, err := m.header(key, res[0].(string))
	return meta, int(res[1].(int64)), err
}

// SetIfVersion sets key to v if its version is version (0: absent).
func (at *mapAtomic[V]) SetIfVersion(key string, v V, version uint64) error {
	m := at.m
	if err := m.writable("SetIfVersion", false); err != nil {
		return err
	}
	enc, err := m.encode(v)
	if err != nil {
		return err
	}
	ok, err := m.ifVersion("SetIfVersion", key, version, false, enc)
	if err == nil && !ok {
		err = fmt.Errorf("%w: key %q is not at version %d", domain.ErrConflict, key, version)
	}
	return err
}
