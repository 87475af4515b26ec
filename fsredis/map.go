package fsredis

import (
	"fmt"
	"iter"
	"strconv"

	"github.com/redis/go-redis/v9"

	"github.com/fscollections/fscollections/domain"
)

// hashMap is a map on Redis: a hash of encoded values, each behind a
// header with its version and write time, and a sorted set that numbers
// the keys in insertion order. The scripts keep the two in step.
type hashMap[V any] struct {
	*base
	codec   domain.Codec[V]
	mapKeys []string // vals, order, meta: the KEYS of the map scripts
}

func notFound(key string) error { return fmt.Errorf("%w: key %q", domain.ErrNotFound, key) }

func (m *hashMap[V]) encode(v V) (string, error) {
	b, err := m.codec.Append(nil, v)
	return string(b), err
}

// headerLen is the length of the header before each stored value: the
// version (16 hex digits) and the write time in microseconds (14).
const headerLen = 30

// stored returns the encoded value behind a stored value's header.
func (m *hashMap[V]) stored(key, s string) (string, error) {
	if len(s) < headerLen {
		return "", fmt.Errorf("%w: key %q of the Redis map %q has no version header", domain.ErrCorrupt, key, m.name)
	}
	return s[headerLen:], nil
}

// decodeStored decodes a stored value (header and encoding).
func (m *hashMap[V]) decodeStored(key, s string) (V, error) {
	enc, err := m.stored(key, s)
	if err != nil {
		var zero V
		return zero, err
	}
	return m.decode(key, enc)
}

func (m *hashMap[V]) decode(key, s string) (V, error) {
	v, err := m.codec.Decode([]byte(s))
	if err != nil {
		return v, fmt.Errorf("%w (key %q of the Redis map %q)", err, key, m.name)
	}
	return v, nil
}

func (m *hashMap[V]) run(op string, s *redis.Script, args ...any) *redis.Cmd {
	return s.Run(ctx, m.rdb, m.mapKeys, args...)
}

func flag(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// Len returns the number of keys (HLEN).
func (m *hashMap[V]) Len() int {
	return m.count(func() *redis.IntCmd { return m.rdb.HLen(ctx, m.keys.vals) })
}

// Lookup returns key's value and whether it is present (HGET).
func (m *hashMap[V]) Lookup(key string) (V, bool, error) {
	var zero V
	if err := m.usable("Get"); err != nil {
		return zero, false, err
	}
	s, err := m.rdb.HGet(ctx, m.keys.vals, key).Result()
	if err == redis.Nil {
		return zero, false, nil
	}
	if err != nil {
		return zero, false, m.wrap("Get", err)
	}
	v, err := m.decodeStored(key, s)
	return v, err == nil, err
}

// Get returns key's value or ErrNotFound.
func (m *hashMap[V]) Get(key string) (V, error) {
	v, ok, err := m.Lookup(key)
	if err == nil && !ok {
		err = notFound(key)
	}
	return v, err
}

// Set sets key to v.
func (m *hashMap[V]) Set(key string, v V) error {
	if err := m.writable("Set", false); err != nil {
		return err
	}
	enc, err := m.encode(v)
	if err != nil {
		return err
	}
	n, err := m.run("Set", mapSetScript, flag(m.appendOnly), key, enc).Int()
	if err != nil {
		return m.wrap("Set", err)
	}
	if n != 0 {
		return fmt.Errorf("%w: key %q exists", m.appendOnlyErr("Set"), key)
	}
	return nil
}

// updateBatch is how many pairs Update sends per script call.
const updateBatch = 256

// Update sets every key/value pair of seq, a batch per round trip. Each
// batch is atomic; on an AppendOnly handle a batch with an existing key
// writes nothing and Update stops there.
func (m *hashMap[V]) Update(seq iter.Seq2[string, V]) error {
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

// Delete removes key, or returns ErrNotFound.
func (m *hashMap[V]) Delete(key string) error {
	_, err := m.Pop(key)
	return err
}

// Contains reports whether key is present (HEXISTS).
func (m *hashMap[V]) Contains(key string) bool {
	if m.usable("Contains") != nil {
		return false
	}
	ok, err := m.rdb.HExists(ctx, m.keys.vals, key).Result()
	if err != nil {
		m.setIterErr(m.wrap("Contains", err))
	}
	return ok
}

// Pop removes key and returns its value.
func (m *hashMap[V]) Pop(key string) (V, error) {
	var zero V
	if err := m.writable("Delete", true); err != nil {
		return zero, err
	}
	res, err := m.run("Delete", mapDeleteScript, key).Slice()
	if err != nil {
		return zero, m.wrap("Delete", err)
	}
	if res[0].(int64) == 0 {
		return zero, notFound(key)
	}
	return m.decode(key, res[1].(string))
}

// PopItem removes and returns the most recently inserted entry.
func (m *hashMap[V]) PopItem() (string, V, error) {
	var zero V
	if err := m.writable("PopItem", true); err != nil {
		return "", zero, err
	}
	res, err := m.run("PopItem", mapPopItemScript).Slice()
	if err != nil {
		return "", zero, m.wrap("PopItem", err)
	}
	if res[0].(int64) == 0 {
		return "", zero, fmt.Errorf("%w: PopItem on an empty map", domain.ErrEmpty)
	}
	key := res[1].(string)
	v, err := m.decode(key, res[2].(string))
	return key, v, err
}

// SetDefault returns key's value, storing v first if key is absent.
func (m *hashMap[V]) SetDefault(key string, v V) (V, error) {
	if err := m.writable("SetDefault", false); err != nil {
		return v, err
	}
	enc, err := m.encode(v)
	if err != nil {
		return v, err
	}
	res, err := m.run("SetDefault", mapSetDefaultScript, key, enc).Slice()
	if err != nil {
		return v, m.wrap("SetDefault", err)
	}
	if res[0].(int64) == 1 {
		return m.decode(key, res[1].(string))
	}
	return v, nil
}

// GetMany reads keys with HMGET, manyBatch at a time (one round trip each).
func (m *hashMap[V]) GetMany(keys []string, vals []V, found []bool) error {
	if len(vals) < len(keys) || len(found) < len(keys) {
		return fmt.Errorf("%w: GetMany of %d keys into %d values and %d flags",
			domain.ErrInvalidOptions, len(keys), len(vals), len(found))
	}
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
			var zero V
			vals[lo+i], found[lo+i] = zero, r != nil
			if r == nil {
				continue
			}
			if vals[lo+i], err = m.decodeStored(keys[lo+i], r.(string)); err != nil {
				return err
			}
		}
	}
	return nil
}

// ContainsMany looks keys up with one script call (HEXISTS each) per
// manyBatch keys, transferring no value.
func (m *hashMap[V]) ContainsMany(keys []string, found []bool) error {
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

// manyBatch is how many keys a batched call sends per round trip.
const manyBatch = 1024

// SetMany sets keys[i] to vals[i]: one script call per updateBatch pairs,
// each atomic.
func (m *hashMap[V]) SetMany(keys []string, vals []V) error {
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
func (m *hashMap[V]) DeleteMany(keys []string) (int, error) {
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

// RandomKey returns a uniformly random key (HRANDFIELD).
func (m *hashMap[V]) RandomKey() (string, error) {
	if err := m.usable("RandomKey"); err != nil {
		return "", err
	}
	ks, err := m.rdb.HRandField(ctx, m.keys.vals, 1).Result()
	if err != nil {
		return "", m.wrap("RandomKey", err)
	}
	if len(ks) == 0 {
		return "", fmt.Errorf("%w: RandomKey on an empty map", domain.ErrEmpty)
	}
	return ks[0], nil
}

// Clear removes every key. Versions go on from where they were.
func (m *hashMap[V]) Clear() error {
	if err := m.writable("Clear", true); err != nil {
		return err
	}
	return m.wrap("Clear", m.rdb.Del(ctx, m.keys.vals, m.keys.order).Err())
}

// Metrics reports the length.
func (m *hashMap[V]) Metrics() domain.Metrics { return m.metrics(m.Len()) }

// batches reads the map in insertion order, a batch per round trip,
// calling fn with each batch's keys and (withValues) encoded values. A
// key deleted between batches is not seen; one inserted is seen at the end.
func (m *hashMap[V]) batches(withValues bool, fn func(keys, vals []string) bool, report func(error)) {
	if m.usable("iterate") != nil {
		return
	}
	after := "-inf"
	for {
		res, err := m.run("iterate", mapBatchScript, after, iterBatch, flag(withValues)).Slice()
		if err != nil {
			report(m.wrap("iterate", err))
			return
		}
		pairs, rawVals := res[0].([]any), res[1].([]any)
		if len(pairs) == 0 {
			return
		}
		ks := make([]string, 0, len(pairs)/2)
		for i := 0; i < len(pairs); i += 2 {
			ks = append(ks, pairs[i].(string))
		}
		vs := make([]string, len(rawVals))
		for i, r := range rawVals {
			vs[i] = r.(string)
		}
		if !fn(ks, vs) || len(ks) < iterBatch {
			return
		}
		after = "(" + pairs[len(pairs)-1].(string)
		if m.closed.Load() {
			report(m.usable("iterate"))
			return
		}
	}
}

// entries calls yield for each key and value in insertion order, and
// report with the error that ends it early.
func (m *hashMap[V]) entries(yield func(string, V) bool, report func(error)) {
	m.batches(true, func(ks, vs []string) bool {
		for i, k := range ks {
			v, err := m.decodeStored(k, vs[i])
			if err != nil {
				report(err)
				return false
			}
			if !yield(k, v) {
				return false
			}
		}
		return true
	}, report)
}

// All yields every key and value in insertion order.
func (m *hashMap[V]) All() iter.Seq2[string, V] {
	return func(yield func(string, V) bool) { m.entries(yield, m.setIterErr) }
}

// RangeKeys calls fn for each key until fn returns false, and returns the
// error that ended it early.
func (m *hashMap[V]) RangeKeys(fn func(string) bool) error {
	if err := m.usable("Range"); err != nil {
		return err
	}
	var err error
	m.batches(false, func(ks, _ []string) bool {
		for _, k := range ks {
			if !fn(k) {
				return false
			}
		}
		return true
	}, func(e error) { err = e })
	return err
}

// Range calls fn for each key and value until fn returns false, and
// returns the error that ended it early.
func (m *hashMap[V]) Range(fn func(string, V) bool) error {
	if err := m.usable("Range"); err != nil {
		return err
	}
	var err error
	m.entries(fn, func(e error) { err = e })
	return err
}

// Keys yields every key in insertion order, without reading values.
func (m *hashMap[V]) Keys() iter.Seq[string] {
	return func(yield func(string) bool) {
		m.batches(false, func(ks, _ []string) bool {
			for _, k := range ks {
				if !yield(k) {
					return false
				}
			}
			return true
		}, m.setIterErr)
	}
}

// Values yields every value in insertion order.
func (m *hashMap[V]) Values() iter.Seq[V] {
	return func(yield func(V) bool) {
		for _, v := range m.All() {
			if !yield(v) {
				return
			}
		}
	}
}

// Scan yields the entries for which pred is true.
func (m *hashMap[V]) Scan(pred func(string, V) bool) iter.Seq2[string, V] {
	return func(yield func(string, V) bool) {
		for k, v := range m.All() {
			if pred(k, v) && !yield(k, v) {
				return
			}
		}
	}
}

// CompareAndSwap sets key to new if its value's encoding is old's.
func (m *hashMap[V]) CompareAndSwap(key string, old, new V) (bool, error) {
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
func (m *hashMap[V]) CompareAndDelete(key string, old V) (bool, error) {
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
func (m *hashMap[V]) Swap(key string, v V) (V, bool, error) {
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
func (m *hashMap[V]) read(op, key string) (uint64, string, error) {
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
func (m *hashMap[V]) header(key, s string) (domain.EntryMeta, error) {
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
func (m *hashMap[V]) ifVersion(op, key string, version uint64, del bool, enc string) (bool, error) {
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
func (m *hashMap[V]) Compute(key string, fn func(old V, loaded bool) (V, domain.ComputeAction)) (V, bool, error) {
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
func (m *hashMap[V]) Info(key string) (domain.EntryMeta, int, error) {
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
func (m *hashMap[V]) SetIfVersion(key string, v V, version uint64) error {
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
