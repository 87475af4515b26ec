package domain

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"runtime"
	"testing"
)

func TestSnappyCodecRoundTripsEveryLength(t *testing.T) {
	c := Snappy[[]byte](bytesCodec{})
	r := rand.New(rand.NewPCG(5, 6))
	dst := []byte("prefix")
	for _, n := range []int{0, 1, 59, 60, 61, 255, 256, 4096, 70000} {
		v := make([]byte, n)
		for i := range v {
			v[i] = "ab"[r.IntN(2)] // compressible, not trivially
		}
		enc, err := c.Append(dst, v)
		if err != nil || !bytes.HasPrefix(enc, dst) {
			t.Fatalf("%d bytes: Append: %v", n, err)
		}
		got, err := c.Decode(enc[len(dst):])
		if err != nil || !bytes.Equal(got, v) {
			t.Fatalf("%d bytes: Decode = %d bytes, %v", n, len(got), err)
		}
	}
	if c.TypeName() != "snappy:[]byte" || c.FixedSize() != 0 {
		t.Errorf("TypeName %q, FixedSize %d", c.TypeName(), c.FixedSize())
	}
}

func TestUncompressRefusesABombBeforeAllocating(t *testing.T) {
	bomb := append(binary.AppendUvarint(nil, 1<<31), 0xfe, 0xff, 0xff)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := Uncompress(bomb)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrCorrupt) {
		t.Errorf("a value claiming 2 GiB from 4 bytes: %v, want ErrCorrupt", err)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 1<<20 {
		t.Errorf("refusing it allocated %d bytes", grew)
	}
}

func TestUncompressOfGarbageIsAnErrorNeverAPanic(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for range 20000 {
		b := make([]byte, r.IntN(40))
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		if out, err := Uncompress(b); err != nil && !errors.Is(err, ErrCorrupt) {
			t.Fatalf("Uncompress(%x) = %x, %v: an error that is not ErrCorrupt", b, out, err)
		}
	}
}

func TestEncodingMatcherComparesUncompressedBytes(t *testing.T) {
	c := Snappy[[]byte](bytesCodec{})
	v := bytes.Repeat([]byte("xyz"), 30)
	want, _ := c.Append(nil, v)
	literal := binary.AppendUvarint(nil, uint64(len(v)))
	for rest := v; len(rest) > 0; {
		n := min(len(rest), 60)
		literal = append(append(literal, byte(n-1)<<2), rest[:n]...)
		rest = rest[n:]
	}
	other, _ := c.Append(nil, []byte("xyz"))
	same := encodingMatcher(c, want)
	if bytes.Equal(literal, want) || !same(literal) || !same(want) || same(other) || same([]byte{0xff}) {
		t.Errorf("matcher: literal %v, itself %v, other value %v, garbage %v", same(literal), same(want), same(other), same([]byte{0xff}))
	}
	plain := encodingMatcher[[]byte](bytesCodec{}, v)
	if !plain(v) || plain(literal) {
		t.Error("an uncompressed codec's matcher is not byte equality")
	}
}
