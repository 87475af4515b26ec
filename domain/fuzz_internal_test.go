package domain

import (
	"testing"
)

// FuzzCheckpointDecode: any bytes as an index file decode to an error or
// a checkpoint, without panicking or allocating more than the input's size
// allows; a decoded checkpoint re-encodes to the same bytes.
func FuzzCheckpointDecode(f *testing.F) {
	cp := checkpoint{kind: KindMap, generation: 3, dataLength: 100, liveCount: 1, journalGen: 0}
	cp.order.Push(40)
	cp.slots, cp.slotCount = tablePages([]uint64{0, makeSlot(0, 7)}), 2
	f.Add(cp.encode(false))
	f.Add(cp.encode(true))
	var list checkpoint
	list.kind = KindList
	list.order.Push(30)
	list.order.Push(52)
	f.Add(list.encode(true))
	f.Add([]byte("FSCOLIDX"))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, n, clean, err := decodeCheckpoint("fuzz", b)
		if err != nil {
			return
		}
		again := c.encode(clean)
		if int64(len(again)) != n+map[bool]int64{true: 1, false: 0}[clean] || string(again) != string(b) {
			t.Fatalf("decoded checkpoint does not re-encode to its bytes")
		}
	})
}

// FuzzFileHeader: any bytes as a data file header.
func FuzzFileHeader(f *testing.F) {
	f.Add(FileHeader{Kind: KindList, Generation: 1, TypeName: "int64", FixedSize: 8}.Encode())
	f.Add([]byte("FSCOLDAT\x00\x01\x02\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := DecodeFileHeader("fuzz", b)
		if err == nil && string(h.Encode()) != string(b[:h.Len()]) {
			t.Fatal("decoded header does not re-encode to its bytes")
		}
	})
}
