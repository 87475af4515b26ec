//go:build !amd64 || purego

package domain

import (
	"hash/crc32"
	"unsafe"
)

// haveRecordCRC3 is false: records are checked one at a time.
const haveRecordCRC3 = false

// recordCRC3 is the portable form of the amd64 assembly (see
// recordcrc_amd64.s), for completeness: nothing calls it here.
func recordCRC3(h0, h1, h2, p0, p1, p2 *byte, n int) (s0, s1, s2 uint32) {
	state := func(h, p *byte) uint32 {
		hdr := unsafe.Slice(h, RecordHeaderSize)
		c := crc32.Update(0, castagnoli, hdr[0:1])
		c = crc32.Update(c, castagnoli, hdr[2:10])
		return ^crc32.Update(c, castagnoli, unsafe.Slice(p, n))
	}
	return state(h0, p0), state(h1, p1), state(h2, p2)
}
