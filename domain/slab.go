package domain

import (
	"fmt"
	"unsafe"
)

// Iterations hand out keys and values the caller owns. Copying each into its
// own allocation costs two allocations per entry, more than reading and
// verifying the record; a slab instead carves small copies out of shared
// chunks, one allocation per chunk.
//
// The price is the one Go substrings pay: a kept copy keeps its chunk
// (at most slabChunk bytes) alive. Copies above slabShareMax get their own
// allocation, so a chunk never holds more than a few dozen entries.
const (
	slabChunk    = 8 << 10
	slabShareMax = 512
)

// slab hands out owned copies of byte slices.
type slab struct{ buf []byte }

// bytes returns a copy of b, capped so that appending to it reallocates.
// The copy of an empty b is empty and not nil.
func (s *slab) bytes(b []byte) []byte {
	if len(b) > slabShareMax {
		return append([]byte{}, b...)
	}
	if cap(s.buf)-len(s.buf) < len(b) || s.buf == nil {
		s.buf = make([]byte, 0, slabChunk)
	}
	n := len(s.buf)
	s.buf = append(s.buf, b...)
	return s.buf[n:len(s.buf):len(s.buf)]
}

// string returns b as a string.
func (s *slab) string(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	c := s.bytes(b)
	return unsafe.String(&c[0], len(c))
}

// ownedDecoder is implemented by the built-in codecs whose values can alias
// their encoding: decodeOwned may keep b, which the caller hands over.
type ownedDecoder[T any] interface {
	decodeOwned(b []byte) (T, error)
}

// viewDecoder decodes values for a caller that uses each only until its
// callback returns, while the lock is held: a []byte or string value is
// then the record's bytes themselves, or for a compressed map the bytes
// uncompressed into a buffer reused from one value to the next.
type viewDecoder[V any] struct {
	owned ownedDecoder[V]
	into  intoDecoder[V]
	buf   []byte
}

// intoDecoder is implemented by the compressing codec when its values can
// alias their uncompressed encoding: decodeInto uncompresses b into buf
// (grown as needed, returned) and decodes a value that may alias it.
type intoDecoder[V any] interface {
	canDecodeInto() bool
	decodeInto(buf, b []byte) (V, []byte, error)
}

func (m *Map[V]) views() viewDecoder[V] {
	var d viewDecoder[V]
	d.owned, _ = any(m.codec).(ownedDecoder[V])
	if into, ok := any(m.codec).(intoDecoder[V]); ok && into.canDecodeInto() {
		d.into = into
	}
	return d
}

// decode decodes the value bytes b of the record at off of m.
func (d *viewDecoder[V]) decode(m *Map[V], off int64, b []byte) (V, error) {
	switch {
	case d.owned != nil:
		return d.owned.decodeOwned(b)
	case d.into != nil:
		v, buf, err := d.into.decodeInto(d.buf, b)
		if err != nil {
			return v, fmt.Errorf("%w (record at offset %d of %s)", err, off, m.c.log.Path())
		}
		d.buf = buf
		return v, nil
	}
	return m.decode(off, b)
}

func (bytesCodec) decodeOwned(b []byte) ([]byte, error) { return b, nil }

func (stringCodec) decodeOwned(b []byte) (string, error) {
	if len(b) == 0 {
		return "", nil
	}
	return unsafe.String(&b[0], len(b)), nil
}

// iterValue decodes b, the value of the record at off, for an iteration when
// the codec can alias its input (ok is false otherwise): from the cache, or
// from a copy carved out of mem. Lock held.
func (k cacheOf[T]) iterValue(owned ownedDecoder[T], mem *slab, off int64, b []byte) (v T, ok bool) {
	if owned == nil {
		return v, false
	}
	if v, hit := k.get(off); hit {
		return v, true
	}
	v, _ = owned.decodeOwned(mem.bytes(b))
	k.add(off, v, b)
	return v, true
}
