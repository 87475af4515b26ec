package domain

import "reflect"

// cacheOf is the typed face of a collection's Cache. Values of types that
// share memory with their copies (slices, maps, pointers...) are cached as
// their encoding and decoded on every hit, so a caller mutating a returned
// value cannot change what the next caller gets.
type cacheOf[T any] struct {
	c       *core
	cache   Cache
	encoded bool
	codec   Codec[T]
}

func newCacheOf[T any](c *core, codec Codec[T]) cacheOf[T] {
	return cacheOf[T]{c: c, cache: c.cfg.Cache, encoded: aliases(reflect.TypeFor[T]()), codec: codec}
}

func (k cacheOf[T]) get(off int64) (T, bool) {
	var zero T
	if k.cache == nil {
		return zero, false
	}
	v, ok := k.cache.Get(off)
	if !ok {
		k.c.cacheMisses.Add(1)
		return zero, false
	}
	if k.encoded {
		t, err := k.codec.Decode(v.([]byte))
		if err != nil {
			k.cache.Remove(off)
			k.c.cacheMisses.Add(1)
			return zero, false
		}
		k.c.cacheHits.Add(1)
		return t, true
	}
	k.c.cacheHits.Add(1)
	return v.(T), true
}

// add caches v, decoded from the encoding b.
func (k cacheOf[T]) add(off int64, v T, b []byte) {
	if k.cache == nil {
		return
	}
	var entry any = v
	if k.encoded {
		entry = append([]byte(nil), b...)
	}
	if k.cache.Add(off, entry) {
		k.c.cacheEvicts.Add(1)
	}
}

// aliases reports whether copies of a t value can share mutable memory.
func aliases(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Slice, reflect.Map, reflect.Pointer, reflect.Interface,
		reflect.Chan, reflect.Func, reflect.UnsafePointer:
		return true
	case reflect.Array:
		return aliases(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if aliases(t.Field(i).Type) {
				return true
			}
		}
	}
	return false
}
