package domain

import (
	"encoding"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"time"

	"github.com/google/uuid"
)

// Codec encodes and decodes the values of one type.
//
// Implementations must be deterministic: equal values must encode to equal
// bytes, because list and set membership compare encodings. A Codec is used
// from many goroutines at once and must be safe for that.
type Codec[T any] interface {
	// TypeName names the type. It is written in the data file header, and
	// reopening a file with a codec of another name fails with ErrTypeMismatch.
	TypeName() string
	// FixedSize is the length of every encoding when all have the same
	// length, or 0 when lengths vary.
	FixedSize() int
	// Append appends the encoding of v to dst and returns the extended slice.
	Append(dst []byte, v T) ([]byte, error)
	// Decode decodes one value. data is only valid during the call: a
	// decoder that keeps bytes must copy them.
	Decode(data []byte) (T, error)
}

// CodecFor returns the built-in codec for T:
//
//   - int, int8..int64, uint, uint8..uint64, uintptr: fixed-size little-endian
//     (int, uint and uintptr take 8 bytes on every platform);
//   - float32, float64: IEEE 754 bits, little-endian;
//   - bool: one byte, 0 or 1;
//   - string and []byte: the raw bytes;
//   - uuid.UUID: its 16 bytes;
//   - time.Time: time.Time.MarshalBinary (instant and zone offset);
//   - any type whose value implements encoding.BinaryMarshaler and whose
//     pointer implements encoding.BinaryUnmarshaler;
//   - other structs, maps, slices, arrays, pointers and named basic types: JSON.
//
// Channels, functions, complex numbers, unsafe pointers and interfaces with
// methods (also inside a struct, map or slice) are refused with
// ErrUnsupportedType, and so are structs with only unexported fields,
// which encoding/json would store as {}. Empty interfaces (any) are stored
// as encoding/json stores them and come back as it decodes them: numbers
// as float64, objects as map[string]any, arrays as []any. Unexported
// fields beside exported ones are not stored, as with encoding/json.
func CodecFor[T any]() (Codec[T], error) {
	var zero T
	var c any
	switch any(zero).(type) {
	case int64:
		c = int64Codec{}
	case int:
		c = intCodec{}
	case int32:
		c = fixedCodec[int32]{"int32", 4}
	case int16:
		c = fixedCodec[int16]{"int16", 2}
	case int8:
		c = fixedCodec[int8]{"int8", 1}
	case uint64:
		c = fixedCodec[uint64]{"uint64", 8}
	case uint:
		c = fixedCodec[uint]{"uint", 8}
	case uintptr:
		c = fixedCodec[uintptr]{"uintptr", 8}
	case uint32:
		c = fixedCodec[uint32]{"uint32", 4}
	case uint16:
		c = fixedCodec[uint16]{"uint16", 2}
	case uint8:
		c = fixedCodec[uint8]{"uint8", 1}
	case float64:
		c = float64Codec{}
	case float32:
		c = float32Codec{}
	case bool:
		c = boolCodec{}
	case string:
		c = stringCodec{}
	case []byte:
		c = bytesCodec{}
	case uuid.UUID:
		c = uuidCodec{}
	case time.Time:
		c = timeCodec{}
	}
	if c != nil {
		return c.(Codec[T]), nil
	}
	t := reflect.TypeFor[T]()
	if _, ok := any(&zero).(encoding.BinaryUnmarshaler); ok {
		if _, ok := any(zero).(encoding.BinaryMarshaler); ok {
			return binaryCodec[T]{name: t.String()}, nil
		}
	}
	if err := checkJSONable(t, map[reflect.Type]bool{}); err != nil {
		return nil, err
	}
	return jsonCodec[T]{name: t.String()}, nil
}

// checkJSONable refuses the types encoding/json cannot round-trip: those
// it cannot encode or decode at all, and structs it would store as {},
// losing their contents. The error names the type and, inside a struct,
// map or slice, where the trouble lies.
func checkJSONable(t reflect.Type, seen map[reflect.Type]bool) error {
	where, why := unjsonable(t, seen)
	if why == "" {
		return nil
	}
	if where == "" {
		return fmt.Errorf("%w: %s: %s", ErrUnsupportedType, t, why)
	}
	return fmt.Errorf("%w: %s: %s %s", ErrUnsupportedType, t, where, why)
}

var (
	jsonMarshaler   = reflect.TypeFor[json.Marshaler]()
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textMarshaler   = reflect.TypeFor[encoding.TextMarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// ownsJSON reports whether t encodes and decodes itself (json or text
// marshaling), so its fields are its own business.
func ownsJSON(t reflect.Type) bool {
	p := reflect.PointerTo(t)
	return (t.Implements(jsonMarshaler) || p.Implements(jsonMarshaler)) && p.Implements(jsonUnmarshaler) ||
		(t.Implements(textMarshaler) || p.Implements(textMarshaler)) && p.Implements(textUnmarshaler)
}

// unjsonable returns why t cannot round-trip through encoding/json, and
// where inside t ("field F", "element", ...), or "" when it can.
func unjsonable(t reflect.Type, seen map[reflect.Type]bool) (where, why string) {
	if seen[t] {
		return "", ""
	}
	seen[t] = true
	if ownsJSON(t) {
		return "", ""
	}
	inside := func(what string, inner reflect.Type) (string, string) {
		w, y := unjsonable(inner, seen)
		if y == "" {
			return "", ""
		}
		if w == "" {
			return what + " is a " + inner.String() + ",", y
		}
		return what + " " + w, y
	}
	switch t.Kind() {
	case reflect.Chan:
		return "", "a channel cannot be stored"
	case reflect.Func:
		return "", "a function cannot be stored"
	case reflect.Complex64, reflect.Complex128:
		return "", "encoding/json cannot store complex numbers"
	case reflect.UnsafePointer:
		return "", "an unsafe.Pointer cannot be stored"
	case reflect.Interface:
		if t.NumMethod() > 0 {
			return "", "encoding/json cannot decode into an interface with methods"
		}
		return "", "" // any: what encoding/json decodes (maps, slices, float64...)
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return inside("its element", t.Elem())
	case reflect.Map:
		if w, y := inside("its key", t.Key()); y != "" {
			return w, y
		}
		return inside("its value", t.Elem())
	case reflect.Struct:
		visible, hidden := 0, 0
		for i := range t.NumField() {
			f := t.Field(i)
			if f.Tag.Get("json") == "-" {
				continue
			}
			if !f.IsExported() && !(f.Anonymous && f.Type.Kind() == reflect.Struct) {
				hidden++
				continue
			}
			visible++
			if w, y := inside("field "+f.Name, f.Type); y != "" {
				return w, y
			}
		}
		if visible == 0 && hidden > 0 {
			return "", "it has no exported fields, so encoding/json would store {} and lose its contents " +
				"(export them, implement json.Marshaler and json.Unmarshaler, or set Options.Codec)"
		}
	}
	return "", ""
}

func wrongSize(name string, want, got int) error {
	return fmt.Errorf("%w: %s needs %d bytes, got %d", ErrCorrupt, name, want, got)
}

type int64Codec struct{}

func (int64Codec) TypeName() string { return "int64" }
func (int64Codec) FixedSize() int   { return 8 }
func (int64Codec) Append(dst []byte, v int64) ([]byte, error) {
	return binary.LittleEndian.AppendUint64(dst, uint64(v)), nil
}
func (int64Codec) Decode(b []byte) (int64, error) {
	if len(b) != 8 {
		return 0, wrongSize("int64", 8, len(b))
	}
	return int64(binary.LittleEndian.Uint64(b)), nil
}

type intCodec struct{}

func (intCodec) TypeName() string { return "int" }
func (intCodec) FixedSize() int   { return 8 }
func (intCodec) Append(dst []byte, v int) ([]byte, error) {
	return binary.LittleEndian.AppendUint64(dst, uint64(v)), nil
}
func (intCodec) Decode(b []byte) (int, error) {
	if len(b) != 8 {
		return 0, wrongSize("int", 8, len(b))
	}
	v := int64(binary.LittleEndian.Uint64(b))
	if int64(int(v)) != v {
		return 0, fmt.Errorf("%w: int value %d overflows this platform's int", ErrCorrupt, v)
	}
	return int(v), nil
}

// fixedCodec carries the remaining integer types through a uint64.
type fixedCodec[T int8 | int16 | int32 | uint8 | uint16 | uint32 | uint64 | uint | uintptr] struct {
	name string
	size int
}

func (c fixedCodec[T]) TypeName() string { return c.name }
func (c fixedCodec[T]) FixedSize() int   { return c.size }
func (c fixedCodec[T]) Append(dst []byte, v T) ([]byte, error) {
	u := uint64(v)
	for i := 0; i < c.size; i++ {
		dst = append(dst, byte(u>>(8*i)))
	}
	return dst, nil
}
func (c fixedCodec[T]) Decode(b []byte) (T, error) {
	if len(b) != c.size {
		return 0, wrongSize(c.name, c.size, len(b))
	}
	var u uint64
	for i := 0; i < c.size; i++ {
		u |= uint64(b[i]) << (8 * i)
	}
	v := T(u)
	// Sign-extend: T(u) of a narrow signed type already truncates and
	// reinterprets the low bits, which is what we want.
	return v, nil
}

type float64Codec struct{}

func (float64Codec) TypeName() string { return "float64" }
func (float64Codec) FixedSize() int   { return 8 }
func (float64Codec) Append(dst []byte, v float64) ([]byte, error) {
	return binary.LittleEndian.AppendUint64(dst, math.Float64bits(v)), nil
}
func (float64Codec) Decode(b []byte) (float64, error) {
	if len(b) != 8 {
		return 0, wrongSize("float64", 8, len(b))
	}
	return math.Float64frombits(binary.LittleEndian.Uint64(b)), nil
}

type float32Codec struct{}

func (float32Codec) TypeName() string { return "float32" }
func (float32Codec) FixedSize() int   { return 4 }
func (float32Codec) Append(dst []byte, v float32) ([]byte, error) {
	return binary.LittleEndian.AppendUint32(dst, math.Float32bits(v)), nil
}
func (float32Codec) Decode(b []byte) (float32, error) {
	if len(b) != 4 {
		return 0, wrongSize("float32", 4, len(b))
	}
	return math.Float32frombits(binary.LittleEndian.Uint32(b)), nil
}

type boolCodec struct{}

func (boolCodec) TypeName() string { return "bool" }
func (boolCodec) FixedSize() int   { return 1 }
func (boolCodec) Append(dst []byte, v bool) ([]byte, error) {
	if v {
		return append(dst, 1), nil
	}
	return append(dst, 0), nil
}
func (boolCodec) Decode(b []byte) (bool, error) {
	if len(b) != 1 || b[0] > 1 {
		return false, fmt.Errorf("%w: bad bool encoding %x", ErrCorrupt, b)
	}
	return b[0] == 1, nil
}

type stringCodec struct{}

func (stringCodec) TypeName() string                            { return "string" }
func (stringCodec) FixedSize() int                              { return 0 }
func (stringCodec) Append(dst []byte, v string) ([]byte, error) { return append(dst, v...), nil }
func (stringCodec) Decode(b []byte) (string, error)             { return string(b), nil }

// RawCodec is the codec of raw bytes stored as they are, under typeName
// (written in the data file header): []byte's built-in codec with a name
// of its own, for a collection whose bytes are a format of the caller's.
func RawCodec(typeName string) Codec[[]byte] { return namedBytesCodec{typeName} }

type namedBytesCodec struct {
	name string
}

func (c namedBytesCodec) TypeName() string { return c.name }
func (namedBytesCodec) FixedSize() int     { return 0 }
func (namedBytesCodec) Append(dst []byte, v []byte) ([]byte, error) {
	return append(dst, v...), nil
}
func (namedBytesCodec) Decode(b []byte) ([]byte, error)      { return append([]byte(nil), b...), nil }
func (namedBytesCodec) decodeOwned(b []byte) ([]byte, error) { return b, nil }

type bytesCodec struct{}

func (bytesCodec) TypeName() string                            { return "[]byte" }
func (bytesCodec) FixedSize() int                              { return 0 }
func (bytesCodec) Append(dst []byte, v []byte) ([]byte, error) { return append(dst, v...), nil }
func (bytesCodec) Decode(b []byte) ([]byte, error)             { return append([]byte{}, b...), nil }

type uuidCodec struct{}

func (uuidCodec) TypeName() string { return "uuid.UUID" }
func (uuidCodec) FixedSize() int   { return 16 }
func (uuidCodec) Append(dst []byte, v uuid.UUID) ([]byte, error) {
	return append(dst, v[:]...), nil
}
func (uuidCodec) Decode(b []byte) (uuid.UUID, error) {
	var u uuid.UUID
	if len(b) != 16 {
		return u, wrongSize("uuid.UUID", 16, len(b))
	}
	copy(u[:], b)
	return u, nil
}

type timeCodec struct{}

func (timeCodec) TypeName() string { return "time.Time" }
func (timeCodec) FixedSize() int   { return 0 }
func (timeCodec) Append(dst []byte, v time.Time) ([]byte, error) {
	b, err := v.MarshalBinary()
	if err != nil {
		return dst, fmt.Errorf("fscollections: encode time.Time: %w", err)
	}
	return append(dst, b...), nil
}
func (timeCodec) Decode(b []byte) (time.Time, error) {
	var t time.Time
	if err := t.UnmarshalBinary(b); err != nil {
		return t, fmt.Errorf("%w: time.Time: %v", ErrCorrupt, err)
	}
	return t, nil
}

type binaryCodec[T any] struct{ name string }

func (c binaryCodec[T]) TypeName() string { return c.name }
func (c binaryCodec[T]) FixedSize() int   { return 0 }
func (c binaryCodec[T]) Append(dst []byte, v T) ([]byte, error) {
	b, err := any(v).(encoding.BinaryMarshaler).MarshalBinary()
	if err != nil {
		return dst, fmt.Errorf("fscollections: encode %s: %w", c.name, err)
	}
	return append(dst, b...), nil
}
func (c binaryCodec[T]) Decode(b []byte) (T, error) {
	var v T
	if err := any(&v).(encoding.BinaryUnmarshaler).UnmarshalBinary(b); err != nil {
		return v, fmt.Errorf("%w: decode %s: %v", ErrCorrupt, c.name, err)
	}
	return v, nil
}

type jsonCodec[T any] struct{ name string }

func (c jsonCodec[T]) TypeName() string { return c.name }
func (c jsonCodec[T]) FixedSize() int   { return 0 }
func (c jsonCodec[T]) Append(dst []byte, v T) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return dst, fmt.Errorf("fscollections: encode %s as JSON: %w", c.name, err)
	}
	return append(dst, b...), nil
}
func (c jsonCodec[T]) Decode(b []byte) (T, error) {
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		return v, fmt.Errorf("%w: decode %s from JSON: %v", ErrCorrupt, c.name, err)
	}
	return v, nil
}
