package domain

import (
	"bytes"
	"fmt"
	"strings"
	"sync"

	"github.com/golang/snappy"
)

// SnappyPrefix starts the type name of a collection whose values are
// compressed with Snappy: the data file header then says "snappy:" and the
// value codec's own name, so that a file written compressed never opens
// without compression, nor the other way round (ErrTypeMismatch).
const SnappyPrefix = "snappy:"

// snappyMaxExpansion bounds how much larger than its compressed form a
// value may claim to be. The Snappy block format cannot expand by more
// than 64/3 (a three-byte copy of 64 bytes), so a longer claimed length is
// corrupt data, refused before anything is allocated for it.
const snappyMaxExpansion = 22

// Snappy returns a codec that stores each value as inner's encoding
// compressed with Snappy (the block format, one block per value). Records
// stay whole and checksummed as before; only the value bytes inside them
// are compressed, so a value is read without touching its neighbours.
//
// Equal values still compare equal: searches and CompareAndSwap compare
// the decompressed encodings when the compressed ones differ (a Snappy
// encoder of another version may compress the same bytes differently).
func Snappy[T any](inner Codec[T]) Codec[T] {
	return snappyCodec[T]{inner: inner, owned: ownedOf(inner), name: SnappyPrefix + inner.TypeName()}
}

func ownedOf[T any](c Codec[T]) ownedDecoder[T] {
	o, _ := any(c).(ownedDecoder[T])
	return o
}

type snappyCodec[T any] struct {
	inner Codec[T]
	owned ownedDecoder[T]
	name  string
}

// scratch holds the uncompressed encodings that Append compresses.
var scratch = sync.Pool{New: func() any { return new([]byte) }}

func (c snappyCodec[T]) TypeName() string { return c.name }

// FixedSize is 0: compressed lengths vary.
func (c snappyCodec[T]) FixedSize() int { return 0 }

func (c snappyCodec[T]) Append(dst []byte, v T) ([]byte, error) {
	p := scratch.Get().(*[]byte)
	raw, err := c.inner.Append((*p)[:0], v)
	if err == nil {
		dst, err = Compress(dst, raw)
	}
	if cap(raw) <= maxScratch { // a huge value's buffer is not kept
		*p = raw
		scratch.Put(p)
	}
	return dst, err
}

// Compress appends src compressed with Snappy to dst, as a compressed
// collection stores a value.
func Compress(dst, src []byte) ([]byte, error) {
	n := snappy.MaxEncodedLen(len(src))
	if n < 0 {
		return dst, fmt.Errorf("%w: a value of %d bytes is too large to compress", ErrTooLarge, len(src))
	}
	start := len(dst)
	if cap(dst)-start < n {
		dst = append(dst[:cap(dst)], make([]byte, start+n-cap(dst))...)
	}
	enc := snappy.Encode(dst[start:start+n], src)
	return dst[:start+len(enc)], nil
}

// Uncompress returns the value bytes b uncompressed into a new slice.
func Uncompress(b []byte) ([]byte, error) {
	return uncompressInto(nil, b)
}

// uncompressInto returns b uncompressed, in buf when it is large enough.
func uncompressInto(buf, b []byte) ([]byte, error) {
	n, err := snappy.DecodedLen(b)
	if err == nil && n > snappyMaxExpansion*len(b) {
		err = fmt.Errorf("claims %d bytes from %d", n, len(b))
	}
	if err != nil {
		return nil, fmt.Errorf("%w: a compressed value: %v", ErrCorrupt, err)
	}
	if cap(buf) < n {
		buf = make([]byte, n)
	}
	out, err := snappy.Decode(buf[:n], b)
	if err != nil {
		return nil, fmt.Errorf("%w: a compressed value: %v", ErrCorrupt, err)
	}
	return out, nil
}

func (c snappyCodec[T]) Decode(b []byte) (T, error) {
	raw, err := Uncompress(b)
	if err != nil {
		var zero T
		return zero, err
	}
	if c.owned != nil { // raw is ours to hand over
		return c.owned.decodeOwned(raw)
	}
	return c.inner.Decode(raw)
}

func (c snappyCodec[T]) canDecodeInto() bool { return c.owned != nil }

// decodeInto makes the compressed codec of []byte or string values an
// intoDecoder: the value is a view of buf, valid until its next use.
func (c snappyCodec[T]) decodeInto(buf, b []byte) (T, []byte, error) {
	raw, err := uncompressInto(buf, b)
	if err != nil {
		var zero T
		return zero, buf, err
	}
	v, err := c.owned.decodeOwned(raw)
	return v, raw, err
}

// A snappyCodec is deliberately no ownedDecoder: its Decode can fail on a
// damaged value, and the iterations' aliasing fast path assumes decoders
// that cannot (the built-in []byte and string ones); Decode returns bytes
// of its own anyway.

// matcher reports whether a stored encoding is of the value encoded as
// want: equal compressed bytes, or else equal decompressed ones.
func (c snappyCodec[T]) matcher(want []byte) func(stored []byte) bool {
	raw, err := Uncompress(want)
	if err != nil { // cannot happen for what Append wrote
		return func(stored []byte) bool { return bytes.Equal(stored, want) }
	}
	var buf []byte
	return func(stored []byte) bool {
		if bytes.Equal(stored, want) {
			return true
		}
		got, err := uncompressInto(buf, stored)
		if err != nil {
			return false
		}
		buf = got
		return bytes.Equal(got, raw)
	}
}

// encodingMatcher returns a function that reports whether a stored
// encoding is of the same value as want, c's encoding of a value: equal
// bytes, or for a compressing codec equal decompressed bytes. The function
// is for one goroutine.
func encodingMatcher[T any](c Codec[T], want []byte) func(stored []byte) bool {
	if m, ok := c.(interface {
		matcher(want []byte) func([]byte) bool
	}); ok {
		return m.matcher(want)
	}
	return func(stored []byte) bool { return bytes.Equal(stored, want) }
}

// IsCompressed reports whether a data file's type name says its values
// are compressed, and returns the values' own type name.
func IsCompressed(typeName string) (inner string, ok bool) {
	return strings.CutPrefix(typeName, SnappyPrefix)
}
