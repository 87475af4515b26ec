package domain

import "reflect"

// cacheOf is the typed face of a collection's Cache. A caller mutating a
// returned value must not change what the next caller gets, so values of
// types that share memory with their copies (slices, maps, pointers) are
// deep-copied in and out of the cache when reflection can copy them (all
// fields exported, no interfaces), and otherwise cached as their encoding
// and decoded on every hit.
type cacheOf[T any] struct {
	c       *core
	cache   Cache
	clone   bool // deep-copy on the way in and out
	encoded bool // keep the encoding; decode on every hit
	codec   Codec[T]
}

func newCacheOf[T any](c *core, codec Codec[T]) cacheOf[T] {
	t := reflect.TypeFor[T]()
	k := cacheOf[T]{c: c, cache: c.cfg.Cache, codec: codec}
	if aliases(t) {
		if copyable(t, map[reflect.Type]bool{}) {
			k.clone = true
		} else {
			k.encoded = true
		}
	}
	return k
}

// copyable reports whether deepCopy can copy every part of a t value.
func copyable(t reflect.Type, seen map[reflect.Type]bool) bool {
	if seen[t] {
		return true
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.Interface, reflect.Chan, reflect.Func, reflect.UnsafePointer:
		return false
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return copyable(t.Elem(), seen)
	case reflect.Map:
		return copyable(t.Key(), seen) && copyable(t.Elem(), seen)
	case reflect.Struct:
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() || !copyable(f.Type, seen) {
				return false
			}
		}
	}
	return true
}

// deepCopy returns a copy of v sharing no memory with it.
func deepCopy(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		p := reflect.New(v.Type().Elem())
		p.Elem().Set(deepCopy(v.Elem()))
		return p
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		s := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := range v.Len() {
			s.Index(i).Set(deepCopy(v.Index(i)))
		}
		return s
	case reflect.Map:
		if v.IsNil() {
			return v
		}
		m := reflect.MakeMapWithSize(v.Type(), v.Len())
		for it := v.MapRange(); it.Next(); {
			m.SetMapIndex(deepCopy(it.Key()), deepCopy(it.Value()))
		}
		return m
	case reflect.Struct:
		s := reflect.New(v.Type()).Elem()
		for i := range v.NumField() {
			s.Field(i).Set(deepCopy(v.Field(i)))
		}
		return s
	case reflect.Array:
		a := reflect.New(v.Type()).Elem()
		for i := range v.Len() {
			a.Index(i).Set(deepCopy(v.Index(i)))
		}
		return a
	}
	return v
}

func cloneOf[T any](v T) T { return deepCopy(reflect.ValueOf(&v).Elem()).Interface().(T) }

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
	if k.clone {
		return cloneOf(v.(T)), true
	}
	return v.(T), true
}

// add caches v, decoded from the encoding b.
func (k cacheOf[T]) add(off int64, v T, b []byte) {
	if k.cache == nil {
		return
	}
	var entry any = v
	switch {
	case k.encoded:
		entry = append([]byte(nil), b...)
	case k.clone:
		entry = cloneOf(v) // the caller gets v itself
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
