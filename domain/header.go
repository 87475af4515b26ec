package domain

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math/rand/v2"
)

// Kind is the kind of collection a file holds.
type Kind uint8

// The collection kinds. Values are part of the file format.
const (
	KindList Kind = 1
	KindMap  Kind = 2
	KindSet  Kind = 3
)

func (k Kind) String() string {
	switch k {
	case KindList:
		return "list"
	case KindMap:
		return "map"
	case KindSet:
		return "set"
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// FormatVersion is the version of the data and index file formats.
const FormatVersion = 1

var dataMagic = [8]byte{'F', 'S', 'C', 'O', 'L', 'D', 'A', 'T'}

// FileHeader is the header at the start of a data file.
type FileHeader struct {
	Kind Kind
	// Generation identifies the file: a random number drawn when the file
	// is created and drawn again whenever it is rewritten (Compact, Clear,
	// a backup copy). A checkpoint records the generation of the data file
	// it describes, so an index file is never applied to another data file.
	Generation uint64
	FixedSize  uint32 // the codec's fixed size, 0 if variable
	TypeName   string // the codec's type name
	// SwapLayout marks the data file of a swap-and-pop list
	// (Options.AutoCompact): a dense array of value records whose order
	// lives in the index and the journal, not a log.
	SwapLayout bool
}

// The header's flags byte.
const (
	flagSwapLayout = 1 << 0
	knownFlags     = flagSwapLayout
)

// NewGeneration draws the generation of a new or rewritten data file: a
// random non-zero number other than old. (Files written before generations
// were random count up from 1; they keep working, and get a random
// generation at their next rewrite.)
func NewGeneration(old uint64) uint64 {
	for {
		if g := rand.Uint64(); g != 0 && g != old {
			return g
		}
	}
}

// MaxTypeName bounds the type name stored in a header.
const MaxTypeName = 1024

// Len is the header's length in bytes: records start there.
func (h FileHeader) Len() int64 { return int64(30 + len(h.TypeName)) }

// Encode returns the header's bytes:
// [magic 8][version u16][kind u8][flags u8][generation u64][fixed size u32]
// [type name length u16][type name][CRC-32C u32 of the preceding bytes].
func (h FileHeader) Encode() []byte {
	b := make([]byte, 0, h.Len())
	b = append(b, dataMagic[:]...)
	b = binary.BigEndian.AppendUint16(b, FormatVersion)
	var flags byte
	if h.SwapLayout {
		flags |= flagSwapLayout
	}
	b = append(b, byte(h.Kind), flags)
	b = binary.BigEndian.AppendUint64(b, h.Generation)
	b = binary.BigEndian.AppendUint32(b, h.FixedSize)
	b = binary.BigEndian.AppendUint16(b, uint16(len(h.TypeName)))
	b = append(b, h.TypeName...)
	return binary.BigEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
}

// DecodeFileHeader parses the header at the start of b, the first bytes of
// the data file at path.
func DecodeFileHeader(path string, b []byte) (FileHeader, error) {
	var h FileHeader
	if len(b) < 8 || !bytes.Equal(b[:8], dataMagic[:]) {
		return h, corrupt(path, 0, "not an fscollections data file (bad magic)")
	}
	if len(b) < 30 {
		return h, corrupt(path, 0, "truncated header (%d bytes)", len(b))
	}
	if v := binary.BigEndian.Uint16(b[8:10]); v != FormatVersion {
		return h, corrupt(path, 8, "unsupported format version %d (this library reads %d)", v, FormatVersion)
	}
	h.Kind = Kind(b[10])
	h.Generation = binary.BigEndian.Uint64(b[12:20])
	h.FixedSize = binary.BigEndian.Uint32(b[20:24])
	n := int(binary.BigEndian.Uint16(b[24:26]))
	if n > MaxTypeName || len(b) < 30+n {
		return h, corrupt(path, 24, "truncated header: type name of %d bytes", n)
	}
	h.TypeName = string(b[26 : 26+n])
	if crc32.Checksum(b[:26+n], castagnoli) != binary.BigEndian.Uint32(b[26+n:30+n]) {
		return h, corrupt(path, int64(26+n), "header checksum mismatch")
	}
	if h.Kind < KindList || h.Kind > KindSet {
		return h, corrupt(path, 10, "unknown collection kind %d", b[10])
	}
	if b[11]&^knownFlags != 0 {
		return h, corrupt(path, 11, "unknown header flags %#x", b[11])
	}
	h.SwapLayout = b[11]&flagSwapLayout != 0
	return h, nil
}

// CheckType reports ErrTypeMismatch when the header does not describe the
// wanted kind and type.
func (h FileHeader) CheckType(path string, want FileHeader) error {
	if h.Kind != want.Kind || h.TypeName != want.TypeName {
		return fmt.Errorf("%w: %s holds a %s of %s, opened as a %s of %s",
			ErrTypeMismatch, path, h.Kind, h.TypeName, want.Kind, want.TypeName)
	}
	return nil
}
