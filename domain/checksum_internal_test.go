package domain

import (
	"encoding/binary"
	"hash/crc32"
	"math/rand/v2"
	"testing"
)

func TestCRC32CCombineMatchesOnePass(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	b := make([]byte, 1<<16)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	for range 200 {
		n := r.IntN(len(b))
		cut := r.IntN(n + 1)
		want := crc32.Checksum(b[:n], castagnoli)
		a, c := crc32.Checksum(b[:cut], castagnoli), crc32.Checksum(b[cut:n], castagnoli)
		if got := crc32cCombine(a, c, int64(n-cut)); got != want {
			t.Fatalf("combine at %d of %d = %08x, want %08x", cut, n, got, want)
		}
	}
}

func TestChecksumOfLargeBufferMatchesOnePass(t *testing.T) {
	b := make([]byte, 9<<20+13) // several parts on any machine with 2+ cores
	r := rand.New(rand.NewPCG(5, 6))
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	if got, want := checksum(b), crc32.Checksum(b, castagnoli); got != want {
		t.Fatalf("checksum = %08x, want %08x", got, want)
	}
}

// recordCRC is the CRC-32C of the type byte, the size and the payload, as
// three crc32.Update calls would compute it.
func TestRecordCRCIsTheCRCOfTypeSizeAndPayload(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for range 500 {
		hdr := make([]byte, RecordHeaderSize)
		payload := make([]byte, r.IntN(300))
		for i := range hdr {
			hdr[i] = byte(r.Uint32())
		}
		for i := range payload {
			payload[i] = byte(r.Uint32())
		}
		want := crc32.Update(0, castagnoli, hdr[0:1])
		want = crc32.Update(want, castagnoli, hdr[2:10])
		want = crc32.Update(want, castagnoli, payload)
		if got := recordCRC(hdr, payload); got != want {
			t.Fatalf("recordCRC = %08x, want %08x (header %x, %d payload bytes)", got, want, hdr, len(payload))
		}
	}
}

// checkRecords verifies three records side by side (recordCRC3 on amd64)
// and agrees with CheckRecord one at a time: on every mix of payload
// lengths, and on a flipped bit in any covered byte of any of the three,
// where it names the first bad record.
func TestCheckRecordsAgreesWithCheckRecord(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	record := func(n int) runRecord {
		b := make([]byte, RecordHeaderSize+n)
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		hdr, p := b[:RecordHeaderSize], b[RecordHeaderSize:]
		binary.BigEndian.PutUint32(hdr[10:14], recordCRC(hdr, p))
		return runRecord{hdr: hdr, payload: p}
	}
	lengths := []int{0, 1, 7, 8, 9, 15, 16, 17, 100, 164, 1000}
	for _, a := range lengths {
		for _, b := range lengths {
			for _, c := range lengths {
				recs := []runRecord{record(a), record(b), record(c)}
				if got := checkRecords(recs); got != 3 {
					t.Fatalf("lengths %d %d %d: intact records fail at %d", a, b, c, got)
				}
				// Flip a bit of a covered byte of one record: the op, the
				// size, or the payload.
				bad := r.IntN(3)
				covered := []*byte{&recs[bad].hdr[0]}
				for i := 2; i < 10; i++ {
					covered = append(covered, &recs[bad].hdr[i])
				}
				for i := range recs[bad].payload {
					covered = append(covered, &recs[bad].payload[i])
				}
				at := r.IntN(len(covered))
				*covered[at] ^= 1 << r.IntN(8)
				want := 0
				for want < 3 && CheckRecord(recs[want].hdr, recs[want].payload) {
					want++
				}
				if want != bad {
					t.Fatalf("lengths %d %d %d: CheckRecord missed the flip in record %d at covered byte %d", a, b, c, bad, at)
				}
				if got := checkRecords(recs); got != want {
					t.Fatalf("lengths %d %d %d, record %d damaged at covered byte %d: checkRecords = %d, want %d", a, b, c, bad, at, got, want)
				}
			}
		}
	}
}
