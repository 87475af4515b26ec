package domain

import "unsafe"

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

// decodeView decodes the value bytes b of the record at off for a caller
// that uses the value while the lock is held: with owned (the codec's
// ownedDecoder, or nil) a []byte or string is b itself, not a copy.
func (m *Map[V]) decodeView(owned ownedDecoder[V], off int64, b []byte) (V, error) {
	if owned != nil {
		return owned.decodeOwned(b)
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
