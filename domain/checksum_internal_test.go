package domain

import (
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
