package fsredis

import (
	"fmt"

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
	// The parts, each in its own file.
	mapIteration[V] // All, Keys, Values, Scan, Range (mapiter.go)
	mapAtomic[V]    // CompareAndSwap, Swap, Compute, versions (mapatomic.go)
	mapBatches[V]   // GetMany, SetMany, DeleteMany, Update (mapbatch.go)
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

// manyBatch is how many keys a batched call sends per round trip.
const manyBatch = 1024

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
