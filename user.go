package fscollections

import (
	"encoding/binary"
	"fmt"
	"math"
	"sort"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/google/uuid"
)

// maxNameLen bounds a user's name, in bytes.
const maxNameLen = 256

// User is a person in the user database (UserStore): an identity, a
// name, an age, and optional extra attributes. Users are equal when their
// IDs are (Equal). They are stored with a compact binary encoding
// (MarshalBinary), so a User is also a fine value type for any collection.
type User struct {
	// ID identifies the user; UserStore.Add gives a zero ID a fresh one.
	ID uuid.UUID
	// Name is 1 to 256 bytes of UTF-8.
	Name string
	// Age is 0 to 150.
	Age int
	// Extras are optional attributes, nil when there are none. Values may
	// be nil, bool, int, int64, float64, string, []byte, []any,
	// map[string]any or time.Time, nested up to 32 deep.
	Extras map[string]any
}

// NewUser returns a valid user with a fresh random ID.
func NewUser(name string, age int) (User, error) {
	u := User{ID: uuid.New(), Name: name, Age: age}
	return u, u.Validate()
}

// Validate reports ErrInvalidUser with the reason when the name is empty,
// not UTF-8 or longer than maxNameLen bytes, or the age is outside 0..150.
func (u User) Validate() error {
	switch {
	case u.Name == "":
		return fmt.Errorf("%w: empty name", ErrInvalidUser)
	case !utf8.ValidString(u.Name):
		return fmt.Errorf("%w: name %q is not valid UTF-8", ErrInvalidUser, u.Name)
	case len(u.Name) > maxNameLen:
		return fmt.Errorf("%w: name of %d bytes (at most %d)", ErrInvalidUser, len(u.Name), maxNameLen)
	case u.Age < 0 || u.Age > 150:
		return fmt.Errorf("%w: age %d outside 0..150", ErrInvalidUser, u.Age)
	}
	return nil
}

// Equal reports whether u and v are the same user (same ID).
func (u User) Equal(v User) bool { return u.ID == v.ID }

// String describes the user: User "Alice" is 25 years old.
func (u User) String() string { return fmt.Sprintf("User %q is %d years old", u.Name, u.Age) }

// The binary encoding of a user (version 1):
//
//	[version u8 = 1][ID 16][age uvarint][name length uvarint][name]
//	[extras count uvarint] then per extra, sorted by key:
//	[key length uvarint][key][value]
//
// A value is a tag byte and its bytes: 0 nil; 1 false; 2 true; 3 int
// (zigzag varint); 4 int64 (zigzag varint); 5 float64 (8 bytes LE);
// 6 string (uvarint length, bytes); 7 []byte (same); 8 []any (uvarint
// count, values); 9 map[string]any (uvarint count, sorted keys and values);
// 10 time.Time (uvarint length, MarshalBinary).
const userVersion = 1

// MarshalBinary encodes the user compactly (not JSON).
func (u User) MarshalBinary() ([]byte, error) {
	return u.AppendBinary(make([]byte, 0, 32+len(u.Name)))
}

// AppendBinary appends the encoding MarshalBinary returns to b.
func (u User) AppendBinary(b []byte) ([]byte, error) {
	b = append(b, userVersion)
	b = append(b, u.ID[:]...)
	b = binary.AppendUvarint(b, uint64(u.Age))
	b = binary.AppendUvarint(b, uint64(len(u.Name)))
	b = append(b, u.Name...)
	return appendExtras(b, u.Extras, 0)
}

const maxExtrasDepth = 32

func appendExtras(b []byte, m map[string]any, depth int) ([]byte, error) {
	b = binary.AppendUvarint(b, uint64(len(m)))
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var err error
	for _, k := range keys {
		b = binary.AppendUvarint(b, uint64(len(k)))
		b = append(b, k...)
		if b, err = appendAny(b, m[k], depth+1); err != nil {
			return nil, fmt.Errorf("extra %q: %w", k, err)
		}
	}
	return b, nil
}

func appendAny(b []byte, v any, depth int) ([]byte, error) {
	if depth > maxExtrasDepth {
		return nil, fmt.Errorf("%w: extras nested deeper than %d", ErrInvalidUser, maxExtrasDepth)
	}
	switch x := v.(type) {
	case nil:
		return append(b, 0), nil
	case bool:
		if x {
			return append(b, 2), nil
		}
		return append(b, 1), nil
	case int:
		return binary.AppendVarint(append(b, 3), int64(x)), nil
	case int64:
		return binary.AppendVarint(append(b, 4), x), nil
	case float64:
		return binary.LittleEndian.AppendUint64(append(b, 5), math.Float64bits(x)), nil
	case string:
		b = binary.AppendUvarint(append(b, 6), uint64(len(x)))
		return append(b, x...), nil
	case []byte:
		b = binary.AppendUvarint(append(b, 7), uint64(len(x)))
		return append(b, x...), nil
	case []any:
		b = binary.AppendUvarint(append(b, 8), uint64(len(x)))
		var err error
		for _, e := range x {
			if b, err = appendAny(b, e, depth+1); err != nil {
				return nil, err
			}
		}
		return b, nil
	case map[string]any:
		return appendExtras(append(b, 9), x, depth)
	case time.Time:
		t, err := x.MarshalBinary()
		if err != nil {
			return nil, err
		}
		b = binary.AppendUvarint(append(b, 10), uint64(len(t)))
		return append(b, t...), nil
	}
	return nil, fmt.Errorf("%w: extra of type %T (use nil, bool, int, int64, float64, string, []byte, []any, map[string]any or time.Time)",
		ErrInvalidUser, v)
}

type userReader struct {
	b   []byte
	err error
}

func (r *userReader) fail(what string) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: user encoding: %s", ErrCorrupt, what)
	}
}

func (r *userReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail("bad varint")
		r.b = nil
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *userReader) bytes(n uint64) []byte {
	if n > uint64(len(r.b)) {
		r.fail("length past the end")
		r.b = nil
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

// encodedUserName returns the name in a user's encoding without decoding
// the rest; the result aliases data.
func encodedUserName(data []byte) ([]byte, error) {
	if len(data) < 17 || data[0] != userVersion {
		return nil, fmt.Errorf("%w: user encoding: bad header", ErrCorrupt)
	}
	r := &userReader{b: data[17:]}
	r.uvarint()
	name := r.bytes(r.uvarint())
	return name, r.err
}

// UnmarshalBinary decodes a user encoded by MarshalBinary.
func (u *User) UnmarshalBinary(data []byte) error {
	return u.unmarshal(data, func(b []byte) string { return string(b) })
}

// userDecoder decodes many users, giving their names shared allocations:
// one per 8 KiB of names instead of one per user. As with a Go substring,
// a name kept keeps that chunk of names alive. The zero value is ready.
type userDecoder struct{ names []byte }

// decode decodes a user encoded by MarshalBinary.
func (d *userDecoder) decode(data []byte) (User, error) {
	var u User
	err := u.unmarshal(data, d.name)
	return u, err
}

// nameChunk is the size of the allocations userDecoder carves names from.
const nameChunk = 8 << 10

// name returns b as a string carved from the decoder's current chunk.
func (d *userDecoder) name(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if len(b) > nameChunk/16 {
		return string(b)
	}
	if cap(d.names)-len(d.names) < len(b) {
		d.names = make([]byte, 0, nameChunk)
	}
	n := len(d.names)
	d.names = append(d.names, b...)
	return unsafe.String(&d.names[n], len(b))
}

// unmarshal decodes data into u, making the name with str.
func (u *User) unmarshal(data []byte, str func([]byte) string) error {
	r := &userReader{b: data}
	if len(data) < 17 || data[0] != userVersion {
		return fmt.Errorf("%w: user encoding: bad header", ErrCorrupt)
	}
	copy(u.ID[:], data[1:17])
	r.b = data[17:]
	age := r.uvarint()
	name := r.bytes(r.uvarint())
	u.Age, u.Name = int(age), str(name)
	if age > 150 {
		r.fail("age out of range")
	}
	u.Extras = r.extras(0)
	if r.err == nil && len(r.b) != 0 {
		r.fail("trailing bytes")
	}
	return r.err
}

func (r *userReader) extras(depth int) map[string]any {
	n := r.uvarint()
	if n == 0 || r.err != nil {
		return nil
	}
	if n > uint64(len(r.b)) {
		r.fail("extras count past the end")
		return nil
	}
	m := make(map[string]any, n)
	for i := uint64(0); i < n && r.err == nil; i++ {
		k := string(r.bytes(r.uvarint()))
		m[k] = r.value(depth + 1)
	}
	return m
}

func (r *userReader) value(depth int) any {
	if depth > maxExtrasDepth || len(r.b) == 0 {
		r.fail("extras too deep or truncated")
		return nil
	}
	tag := r.b[0]
	r.b = r.b[1:]
	switch tag {
	case 0:
		return nil
	case 1, 2:
		return tag == 2
	case 3, 4:
		v, n := binary.Varint(r.b)
		if n <= 0 {
			r.fail("bad varint")
			return nil
		}
		r.b = r.b[n:]
		if tag == 3 {
			return int(v)
		}
		return v
	case 5:
		b := r.bytes(8)
		if b == nil {
			return nil
		}
		return math.Float64frombits(binary.LittleEndian.Uint64(b))
	case 6:
		return string(r.bytes(r.uvarint()))
	case 7:
		return append([]byte{}, r.bytes(r.uvarint())...)
	case 8:
		n := r.uvarint()
		if n > uint64(len(r.b)) {
			r.fail("list count past the end")
			return nil
		}
		l := make([]any, 0, n)
		for i := uint64(0); i < n && r.err == nil; i++ {
			l = append(l, r.value(depth+1))
		}
		return l
	case 9:
		m := r.extras(depth)
		if m == nil {
			m = map[string]any{}
		}
		return m
	case 10:
		var t time.Time
		if err := t.UnmarshalBinary(r.bytes(r.uvarint())); err != nil {
			r.fail("bad time")
		}
		return t
	}
	r.fail(fmt.Sprintf("unknown extra tag %d", tag))
	return nil
}
