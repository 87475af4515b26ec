package domain

import (
	"encoding/binary"
	"hash/crc32"
)

// Op is a record's type id: the operation the record logs. The data file is
// a log of operations; replaying it from the start (or from a checkpoint)
// rebuilds the collection exactly.
type Op byte

// The record types. Values are part of the file format (FORMAT.md).
const (
	OpAppend  Op = 1 // list: payload is the value, appended at the end
	OpInsert  Op = 2 // list: payload is [u64 index][value]
	OpSet     Op = 3 // list: payload is [u64 index][value], replacing the element
	OpPop     Op = 4 // list: payload is [u64 index], removing the element
	OpReverse Op = 5 // list: empty payload, reversing the order
	OpPut     Op = 6 // map, set: payload is [u32 key length][key][value]
	OpDelete  Op = 7 // map, set: payload is [u32 key length][key]
	// OpPutV is a map's put with the entry's version and write time:
	// [u32 key length][key][u64 version][i64 modified, Unix ns][value].
	OpPutV Op = 8
	// OpMark carries a map's version floor, [u64 version], first record of
	// a compacted or cleared file, so versions never go back.
	OpMark Op = 9
)

func (op Op) valid() bool { return op >= OpAppend && op <= OpMark }

// entryMetaSize is the length of the version and time of an OpPutV entry.
const entryMetaSize = 16

// EntryMeta is what a map entry's record says of it besides key and value.
type EntryMeta struct {
	Version  uint64 // 0 for an entry written without versions (OpPut)
	Modified int64  // Unix nanoseconds; 0 when not recorded
}

// splitEntry splits the payload of an entry record (put or versioned put)
// into key, version and time, and value.
func splitEntry(op Op, p []byte) (key, value []byte, meta EntryMeta, ok bool) {
	key, value, ok = SplitKeyed(p)
	switch {
	case !ok:
	case op == OpPut:
	case op == OpPutV && len(value) >= entryMetaSize:
		meta.Version = binary.BigEndian.Uint64(value)
		meta.Modified = int64(binary.BigEndian.Uint64(value[8:]))
		value = value[entryMetaSize:]
	default:
		ok = false
	}
	return key, value, meta, ok
}

// isEntry reports whether op logs a map or set entry.
func (op Op) isEntry() bool { return op == OpPut || op == OpPutV }

// Record header layout: [type u8][deleted u8][payload size u64 BE][CRC-32C u32 BE].
const (
	RecordHeaderSize = 14
	// MaxPayload bounds one record's payload. A header claiming more is corrupt.
	MaxPayload = 1<<32 - 1
	deletedAt  = 1
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// beginRecord appends a record header for op to dst, to be completed by
// finishRecord once the payload has been appended after it.
func beginRecord(dst []byte, op Op) []byte {
	return append(dst, byte(op), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
}

// finishRecord fills in the size and checksum of rec, a record begun with
// beginRecord whose payload follows the header.
func finishRecord(rec []byte) {
	binary.BigEndian.PutUint64(rec[2:10], uint64(len(rec)-RecordHeaderSize))
	binary.BigEndian.PutUint32(rec[10:14], recordCRC(rec[:10], rec[RecordHeaderSize:]))
}

// recordCRC covers the type, the size and the payload, not the deleted flag
// (files written before the log became append-only had it flipped in place
// after the record was written; see FORMAT.md).
func recordCRC(hdr, payload []byte) uint32 {
	c := crc32.Update(0, castagnoli, hdr[0:1])
	c = crc32.Update(c, castagnoli, hdr[2:10])
	return crc32.Update(c, castagnoli, payload)
}

// RecordHeader is the decoded fixed part of a record.
type RecordHeader struct {
	Op      Op
	Deleted bool
	Size    uint64
	CRC     uint32
}

// ParseRecordHeader decodes the RecordHeaderSize bytes of a header. It does
// not check the payload; see CheckRecord.
func ParseRecordHeader(b []byte) RecordHeader {
	return RecordHeader{
		Op:      Op(b[0]),
		Deleted: b[deletedAt] != 0,
		Size:    binary.BigEndian.Uint64(b[2:10]),
		CRC:     binary.BigEndian.Uint32(b[10:14]),
	}
}

// CheckRecord reports whether payload matches the header's checksum.
func CheckRecord(hdr []byte, payload []byte) bool {
	return binary.BigEndian.Uint32(hdr[10:14]) == recordCRC(hdr, payload)
}

// appendKeyed appends a map or set payload prefix [u32 key length][key].
func appendKeyed(dst []byte, key []byte) []byte {
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(key)))
	return append(dst, key...)
}

// SplitKeyed splits a map or set payload into key and value.
func SplitKeyed(payload []byte) (key, value []byte, ok bool) {
	if len(payload) < 4 {
		return nil, nil, false
	}
	n := uint64(binary.BigEndian.Uint32(payload))
	if n > uint64(len(payload)-4) {
		return nil, nil, false
	}
	return payload[4 : 4+n], payload[4+n:], true
}
