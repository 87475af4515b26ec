package domain

import (
	"hash/crc32"
	"runtime"
	"sync"
)

// checksum returns the CRC-32C of b. A large b (a checkpoint of millions of
// keys) is split across the available cores and the parts' checksums are
// combined, which gives the same value as one pass.
func checksum(b []byte) uint32 {
	const minPart = 4 << 20
	parts := min(runtime.GOMAXPROCS(0), len(b)/minPart)
	if parts < 2 {
		return crc32.Checksum(b, castagnoli)
	}
	size := (len(b) + parts - 1) / parts
	crcs := make([]uint32, parts)
	var wg sync.WaitGroup
	for i := 1; i < parts; i++ {
		wg.Go(func() { crcs[i] = crc32.Checksum(b[i*size:min(len(b), (i+1)*size)], castagnoli) })
	}
	crcs[0] = crc32.Checksum(b[:size], castagnoli)
	wg.Wait()
	crc := crcs[0]
	for i := 1; i < parts; i++ {
		crc = crc32cCombine(crc, crcs[i], int64(min(len(b), (i+1)*size)-i*size))
	}
	return crc
}

// The CRC of a concatenation A+B is the CRC of A multiplied by x^(8·len(B))
// modulo the polynomial, plus the CRC of B (arithmetic over GF(2); the
// pre- and post-inversion cancel out). Polynomials are in the reflected
// bit order crc32 uses: x^0 is the top bit.
const castagnoliReflected = 0x82F63B78

// crc32cCombine returns the CRC-32C of A+B from crcA, crcB and len(B).
func crc32cCombine(crcA, crcB uint32, lenB int64) uint32 {
	return multModP(xPow8n(uint64(lenB)), crcA) ^ crcB
}

// multModP returns a·b modulo the Castagnoli polynomial.
func multModP(a, b uint32) uint32 {
	var p uint32
	for m := uint32(1) << 31; m != 0; m >>= 1 {
		if a&m != 0 {
			p ^= b
		}
		if b&1 != 0 {
			b = b>>1 ^ castagnoliReflected
		} else {
			b >>= 1
		}
	}
	return p
}

// xPow2k[k] is x^(2^k) modulo the polynomial.
var xPow2k = func() (t [32]uint32) {
	t[0] = 1 << 30 // x^1
	for k := 1; k < len(t); k++ {
		t[k] = multModP(t[k-1], t[k-1])
	}
	return t
}()

// xPow8n returns x^(8n) modulo the polynomial: the factor that shifts a CRC
// over n zero bytes.
func xPow8n(n uint64) uint32 {
	p := uint32(1) << 31 // x^0
	for k := 3; n != 0; n, k = n>>1, k+1 {
		if n&1 != 0 {
			p = multModP(xPow2k[k%32], p)
		}
	}
	return p
}
