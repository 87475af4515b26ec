package main

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/fscollections/fscollections/domain"
)

// The built-in value types, by the type name their codec writes in the
// header, with their encodings' sizes (0: variable).
var builtinSizes = map[string]int{
	"int": 8, "int64": 8, "int32": 4, "int16": 2, "int8": 1,
	"uint": 8, "uint64": 8, "uintptr": 8, "uint32": 4, "uint16": 2, "uint8": 1,
	"float64": 8, "float32": 4, "bool": 1,
	"string": 0, "[]byte": 0, "uuid.UUID": 16, "time.Time": 0,
}

func isSigned(t string) bool {
	return t == "int" || t == "int64" || t == "int32" || t == "int16" || t == "int8"
}

// isBuiltin reports whether t is a built-in type fsc can decode and encode.
func isBuiltin(t string) bool {
	_, ok := builtinSizes[t]
	return ok
}

// toJSON renders an encoded value of type t as JSON. custom reports a
// value of a type fsc does not know, rendered as its JSON if it is JSON
// (the built-in codec of structs, maps and slices), as a base64 string
// otherwise. A compressed value ("snappy:" type) is uncompressed first.
func toJSON(t string, b []byte) (out []byte, custom bool, err error) {
	if inner, compressed := domain.IsCompressed(t); compressed {
		if b, err = domain.Uncompress(b); err != nil {
			return nil, false, err
		}
		return toJSON(inner, b)
	}
	size, known := builtinSizes[t]
	if !known {
		if json.Valid(b) {
			return compact(b), true, nil
		}
		out, err = json.Marshal(b)
		return out, true, err
	}
	if size > 0 && len(b) != size {
		return nil, false, fmt.Errorf("a %s value of %d bytes (want %d)", t, len(b), size)
	}
	switch t {
	case "float64":
		return floatJSON(math.Float64frombits(binary.LittleEndian.Uint64(b)), 64)
	case "float32":
		return floatJSON(float64(math.Float32frombits(binary.LittleEndian.Uint32(b))), 32)
	case "bool":
		if b[0] > 1 {
			return nil, false, fmt.Errorf("bad bool encoding %#x", b[0])
		}
		return []byte(strconv.FormatBool(b[0] == 1)), false, nil
	case "string":
		if !utf8.Valid(b) {
			out, err = json.Marshal(map[string][]byte{"base64": b})
			return out, false, err
		}
		return appendJSONString(nil, b), false, nil
	case "[]byte":
		out = append(base64.StdEncoding.AppendEncode([]byte{'"'}, b), '"')
		return out, false, nil
	case "uuid.UUID":
		out, err = json.Marshal(uuid.UUID(b).String())
		return out, false, err
	case "time.Time":
		var tm time.Time
		if err := tm.UnmarshalBinary(b); err != nil {
			return nil, false, err
		}
		out, err = json.Marshal(tm.Format(time.RFC3339Nano))
		return out, false, err
	}
	var u uint64
	for i := len(b) - 1; i >= 0; i-- {
		u = u<<8 | uint64(b[i])
	}
	if isSigned(t) {
		shift := 64 - 8*uint(len(b))
		return []byte(strconv.FormatInt(int64(u<<shift)>>shift, 10)), false, nil
	}
	return []byte(strconv.FormatUint(u, 10)), false, nil
}

func compact(b []byte) []byte {
	var buf bytes.Buffer
	if json.Compact(&buf, b) != nil {
		return b
	}
	return buf.Bytes()
}

// floatJSON writes NaN and the infinities, which JSON lacks, as strings.
func floatJSON(f float64, bits int) ([]byte, bool, error) {
	switch {
	case math.IsNaN(f):
		return []byte(`"NaN"`), false, nil
	case math.IsInf(f, 1):
		return []byte(`"+Inf"`), false, nil
	case math.IsInf(f, -1):
		return []byte(`"-Inf"`), false, nil
	}
	return []byte(strconv.FormatFloat(f, 'g', -1, bits)), false, nil
}

// fromJSON encodes a JSON value as the codec of built-in type t does: the
// inverse of toJSON.
func fromJSON(t string, raw []byte) ([]byte, error) {
	if inner, compressed := domain.IsCompressed(t); compressed {
		b, err := fromJSON(inner, raw)
		if err != nil {
			return nil, err
		}
		return domain.Compress(nil, b)
	}
	size, known := builtinSizes[t]
	if !known {
		return nil, fmt.Errorf("type %q is not a built-in type fsc can encode", t)
	}
	var s string
	isString := json.Unmarshal(raw, &s) == nil
	switch t {
	case "float64", "float32":
		var f float64
		if isString {
			var err error
			if f, err = strconv.ParseFloat(s, 64); err != nil {
				return nil, fmt.Errorf("%s is not a %s", raw, t)
			}
		} else if err := json.Unmarshal(raw, &f); err != nil {
			return nil, fmt.Errorf("%s is not a %s", raw, t)
		}
		if t == "float32" {
			return binary.LittleEndian.AppendUint32(nil, math.Float32bits(float32(f))), nil
		}
		return binary.LittleEndian.AppendUint64(nil, math.Float64bits(f)), nil
	case "bool":
		var v bool
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, fmt.Errorf("%s is not a bool", raw)
		}
		if v {
			return []byte{1}, nil
		}
		return []byte{0}, nil
	case "string":
		if isString {
			return []byte(s), nil
		}
		var enc struct{ Base64 []byte }
		if err := json.Unmarshal(raw, &enc); err != nil || enc.Base64 == nil {
			return nil, fmt.Errorf("%s is not a string", raw)
		}
		return enc.Base64, nil
	case "[]byte":
		if !isString {
			return nil, fmt.Errorf("%s is not a base64 string", raw)
		}
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return nil, fmt.Errorf("%s is not base64: %v", raw, err)
		}
		return b, nil
	case "uuid.UUID":
		u, err := uuid.Parse(s)
		if !isString || err != nil {
			return nil, fmt.Errorf("%s is not a UUID", raw)
		}
		return u[:], nil
	case "time.Time":
		tm, err := time.Parse(time.RFC3339Nano, s)
		if !isString || err != nil {
			return nil, fmt.Errorf("%s is not an RFC 3339 time", raw)
		}
		return tm.MarshalBinary()
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		return nil, fmt.Errorf("%s is not an integer", raw)
	}
	var u uint64
	if isSigned(t) {
		v, err := strconv.ParseInt(n.String(), 10, 8*size)
		if err != nil {
			return nil, fmt.Errorf("%s is not an %s", raw, t)
		}
		u = uint64(v)
	} else {
		v, err := strconv.ParseUint(n.String(), 10, 8*size)
		if err != nil {
			return nil, fmt.Errorf("%s is not a %s", raw, t)
		}
		u = v
	}
	out := make([]byte, size)
	for i := range out {
		out[i] = byte(u >> (8 * i))
	}
	return out, nil
}

// appendJSONString appends s, valid UTF-8, as a JSON string: what
// json.Marshal writes, without its reflection (dump's hot path).
func appendJSONString(dst, s []byte) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRune(s[i:])
			if r == '\u2028' || r == '\u2029' {
				dst = append(dst, s[start:i]...)
				dst = append(dst, '\\', 'u', '2', '0', '2', hex[r&0xf])
				i += size
				start = i
				continue
			}
			i += size
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		i++
		start = i
	}
	return append(append(dst, s[start:]...), '"')
}
