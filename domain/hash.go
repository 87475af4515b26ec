package domain

import (
	"encoding/binary"
	"math/bits"
)

// hashKey is a fast, stable 32-bit hash of a key. Stable means the same
// across processes and versions: the hash table is stored in the index file
// as it is in memory, so hash/maphash (seeded per process) will not do.
func hashKey(b []byte) uint32 {
	const (
		m1 = 0xa0761d6478bd642f
		m2 = 0xe7037ed1a0b428db
		m3 = 0x8ebc6af09c88c6e3
	)
	h := uint64(len(b)) * m1
	for len(b) >= 8 {
		h = mix(h^binary.LittleEndian.Uint64(b), m2)
		b = b[8:]
	}
	var tail uint64
	for i, c := range b {
		tail |= uint64(c) << (8 * i)
	}
	h = mix(h^tail, m3)
	h = mix(h, m1)
	return uint32(h ^ h>>32)
}

func mix(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	return hi ^ lo
}
