package domain

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"unsafe"
)

// A checkpoint is the in-memory index written to the index file: loading it
// and replaying only the records after DataLength rebuilds the collection
// without reading the rest of the data file. The arrays are written as they
// are in memory (little-endian uint64s), so loading is a checksum over the
// bytes (mapped copy-on-write by the caller, see core.loadIndex) and no copy.
//
// Layout (FORMAT.md has the full table):
//
//	[magic 8 "FSCOLIDX"][version u16][kind u8][0 u8]
//	[generation u64][data length u64][live bytes u64][dead bytes u64]
//	[live count u64][order count u64][slot count u64][journal generation u64]
//	[0 u32: pads the arrays to 8-byte alignment]
//	[order: order count × u64 LE][slots: slot count × u64 LE]
//	[CRC-32C u32 of all the above]
//	[0xAA, only after a clean Close]
type checkpoint struct {
	kind       Kind
	generation uint64
	dataLength int64
	liveBytes  int64
	deadBytes  int64
	liveCount  int
	order      offsets
	slots      [][]uint64 // the hash table's pages (see keyTable)
	slotCount  int
	// growing, when set, is a frozen table caught growing: parts merges
	// it into slots, off the lock, before writing them.
	growing *keyTable
	// format is the index format version the checkpoint was read with
	// (a list's may be 1), 0 for one made here: written as indexVersion.
	format uint16
	// journalGen is, for a swap-and-pop list, the generation of the journal
	// whose records follow this checkpoint (dataLength is then a journal
	// offset); 0 otherwise.
	journalGen uint64
	// version is, for a map or set, the version counter (see
	// core.version), stored where a list stores journalGen.
	version uint64
}

var indexMagic = [8]byte{'F', 'S', 'C', 'O', 'L', 'I', 'D', 'X'}

// indexVersion is the index file's format version. Version 1 placed keys
// in a power-of-two hash table by the low bits of their hash; version 2
// places them by (hash × slots) >> 32 in a table of any size. A version 1
// index of a list (which has no table) reads the same; a map's or set's
// is rejected, and rebuilt from the data file.
const indexVersion = 2

// cleanMarker is the byte a clean Close writes after the checkpoint.
const cleanMarker = 0xAA

const checkpointFixed = 8 + 2 + 2 + 8*8 + 4

// parts returns the index file's bytes as slices to be written in order.
// On a little-endian machine the arrays are views of the index itself, not
// copies: nothing may change them until the parts are written.
func (c *checkpoint) parts(clean bool) [][]byte {
	if c.growing != nil {
		c.slots, c.growing = c.growing.merged(), nil
	}
	head := make([]byte, 0, checkpointFixed)
	head = append(head, indexMagic[:]...)
	format := c.format
	if format == 0 {
		format = indexVersion
	}
	head = binary.BigEndian.AppendUint16(head, format)
	head = append(head, byte(c.kind), 0)
	for _, v := range []uint64{c.generation, uint64(c.dataLength), uint64(c.liveBytes), uint64(c.deadBytes),
		uint64(c.liveCount), uint64(c.order.Len()), uint64(c.slotCount), c.journalGen | c.version} {
		head = binary.BigEndian.AppendUint64(head, v)
	}
	head = append(head, 0, 0, 0, 0)
	parts := [][]byte{head}
	c.order.each(func(run []uint64) { parts = append(parts, wordBytes(run)) })
	for _, pg := range c.slots {
		parts = append(parts, wordBytes(pg))
	}
	var crc uint32
	for _, p := range parts {
		crc = crc32cCombine(crc, checksum(p), int64(len(p)))
	}
	tail := binary.BigEndian.AppendUint32(make([]byte, 0, 5), crc)
	if clean {
		tail = append(tail, cleanMarker)
	}
	return append(parts, tail)
}

// encode returns the index file's bytes in one slice.
func (c *checkpoint) encode(clean bool) []byte { return slices.Concat(c.parts(clean)...) }

// decodeCheckpoint parses an index file. It reports the length of the
// checkpoint without the marker, and whether the marker was there.
func decodeCheckpoint(path string, b []byte) (c checkpoint, bodyLen int64, clean bool, err error) {
	if len(b) < checkpointFixed+4 || !bytes.Equal(b[:8], indexMagic[:]) {
		return c, 0, false, corrupt(path, 0, "not an index file or truncated")
	}
	v := binary.BigEndian.Uint16(b[8:10])
	if v != indexVersion && v != 1 {
		return c, 0, false, corrupt(path, 8, "unsupported index version %d", v)
	}
	c.format = v
	c.kind = Kind(b[10])
	u := func(i int) uint64 { return binary.BigEndian.Uint64(b[12+8*i:]) }
	c.generation = u(0)
	c.dataLength, c.liveBytes, c.deadBytes = int64(u(1)), int64(u(2)), int64(u(3))
	liveCount, orderCount, slotCount := u(4), u(5), u(6)
	if c.kind == KindList {
		c.journalGen = u(7)
	} else {
		c.version = u(7)
	}
	limit := uint64(len(b)) / 8
	if orderCount > limit || slotCount > limit || liveCount > orderCount {
		return c, 0, false, corrupt(path, 12, "counts out of range")
	}
	body := checkpointFixed + 8*int64(orderCount+slotCount)
	switch int64(len(b)) {
	case body + 4:
	case body + 5:
		if b[body+4] != cleanMarker {
			return c, 0, false, corrupt(path, body+4, "bad clean-close marker %#x", b[body+4])
		}
		clean = true
	default:
		return c, 0, false, corrupt(path, 0, "length %d does not match its counts", len(b))
	}
	if checksum(b[:body]) != binary.BigEndian.Uint32(b[body:]) {
		return c, 0, false, corrupt(path, body, "checksum mismatch")
	}
	if v == 1 && slotCount != 0 {
		return c, 0, false, corrupt(path, 8, "index version 1 hash table (rebuilt from the data file)")
	}
	c.liveCount = int(liveCount)
	order, slots := words(b[checkpointFixed:checkpointFixed+8*orderCount]), words(b[checkpointFixed+8*orderCount:body])
	c.order.n = int(orderCount)
	for i := 0; i < len(order); i += pageSize {
		if i+pageSize <= len(order) {
			c.order.pages = append(c.order.pages, order[i:i+pageSize:i+pageSize])
			continue
		}
		pg := make([]uint64, pageSize) // the last page must have room to grow
		copy(pg, order[i:])
		c.order.pages = append(c.order.pages, pg)
	}
	c.slots, c.slotCount = tablePages(slots), len(slots)
	return c, body + 4, clean, nil
}

// wordBytes returns w as little-endian uint64s: on a little-endian machine,
// a view of w's memory.
func wordBytes(w []uint64) []byte {
	if len(w) == 0 {
		return nil
	}
	if littleEndian {
		return unsafe.Slice((*byte)(unsafe.Pointer(&w[0])), 8*len(w))
	}
	b := make([]byte, 0, 8*len(w))
	for _, v := range w {
		b = binary.LittleEndian.AppendUint64(b, v)
	}
	return b
}

var littleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// words returns b, whose length is a multiple of 8, as little-endian
// uint64s. On a little-endian machine with b 8-byte aligned that is b
// itself, reinterpreted: loading a checkpoint then costs no copy.
func words(b []byte) []uint64 {
	n := len(b) / 8
	if n == 0 {
		return nil
	}
	if littleEndian && uintptr(unsafe.Pointer(&b[0]))%8 == 0 {
		return unsafe.Slice((*uint64)(unsafe.Pointer(&b[0])), n)
	}
	w := make([]uint64, n)
	for i := range w {
		w[i] = binary.LittleEndian.Uint64(b[8*i:])
	}
	return w
}

func (c *checkpoint) String() string {
	return fmt.Sprintf("checkpoint{%s gen %d covers %d bytes, %d live}", c.kind, c.generation, c.dataLength, c.liveCount)
}

// validate checks what decodeCheckpoint cannot, against the data file the
// checkpoint is about to be applied to (records from first to dataLength):
// that every offset points inside the covered records, that the counts
// agree, and for maps and sets that the hash table is one every lookup
// ends in. A checkpoint passes its checksum whoever wrote it; only a valid
// one is used. swapLen is a swap-and-pop list's record length, 0
// otherwise. Every pass is sequential and nearly branch-free: a clean
// reopen of a million entries must stay a matter of milliseconds.
func (c *checkpoint) validate(path string, first int64, swapLen int64) error {
	bad := func(format string, args ...any) error {
		return corrupt(path, 0, "checkpoint rejected: "+format, args...)
	}
	if swapLen == 0 && c.dataLength < first || c.liveBytes < 0 || c.deadBytes < 0 ||
		swapLen == 0 && (c.liveBytes > c.dataLength || c.deadBytes > c.dataLength) {
		return bad("lengths out of range (covers %d, live %d, dead %d)", c.dataLength, c.liveBytes, c.deadBytes)
	}
	n := c.order.Len()
	if swapLen > 0 {
		return c.validateSlots(bad, first, swapLen)
	}
	lowest, highest, live := c.order.bounds()
	last := uint64(max(c.dataLength-RecordHeaderSize, 0)) // the last offset a record can start at
	switch {
	case c.kind == KindList && live != n:
		return bad("a hole in a list's order")
	case live > 0 && (lowest+1 < uint64(first) || highest > last):
		return bad("offsets [%d, %d] outside the records [%d, %d]", lowest+1, highest, first, last)
	case live != c.liveCount:
		return bad("%d live entries, %d counted", live, c.liveCount)
	}
	if c.kind == KindList {
		if c.slotCount != 0 {
			return bad("a list checkpoint with a hash table")
		}
		return nil
	}
	return c.validateTable(bad)
}

// validateSlots checks a swap-and-pop list's order: a permutation of the
// slots at first + k·swapLen.
func (c *checkpoint) validateSlots(bad func(string, ...any) error, first, swapLen int64) error {
	n := c.order.Len()
	seen := make([]uint64, (n+63)/64)
	last := uint64(first + int64(n-1)*swapLen)
	var err error
	c.order.each(func(run []uint64) {
		for _, off := range run {
			if err != nil {
				return
			}
			if off < uint64(first) || off > last || (off-uint64(first))%uint64(swapLen) != 0 {
				err = bad("offset %d is not a slot", off)
				return
			}
			k := (off - uint64(first)) / uint64(swapLen)
			if seen[k/64]&(1<<(k%64)) != 0 {
				err = bad("slot %d holds two elements", k)
				return
			}
			seen[k/64] |= 1 << (k % 64)
		}
	})
	if err == nil && n != c.liveCount {
		err = bad("%d elements, %d counted", n, c.liveCount)
	}
	return err
}

// validateTable checks a map or set checkpoint's hash table: no slot
// names a position past the order, and as many slots are in use as live
// entries, at most 3/4 full (so every probe meets an empty slot and growth
// works as for a table built here). Lookups also check that a position is
// inside the order before reading it, so a table that names the wrong
// positions can make keys look absent but cannot make a lookup fail or
// loop. One branch-free pass over the slots, shared out between cores.
func (c *checkpoint) validateTable(bad func(string, ...any) error) error {
	var highest atomic.Uint64
	used := inParallel(c.slotCount, func(lo, hi int) (n int) {
		var top uint64
		for i := lo; i < hi; {
			pg := c.slots[i>>pageShift]
			run := pg[i&pageMask : min(len(pg), i&pageMask+hi-i)]
			for _, s := range run {
				n += int((s | -s) >> 63) // 1 when s != 0
				top = max(top, s>>32)
			}
			i += len(run)
		}
		for cur := highest.Load(); top > cur && !highest.CompareAndSwap(cur, top); cur = highest.Load() {
		}
		return n
	})
	// A slot holds position+1 in its high half (0 when empty).
	if top := highest.Load(); top > uint64(c.order.Len()) {
		return bad("a slot names position %d, past the order's %d entries", top-1, c.order.Len())
	}
	if used != c.liveCount || used*4 > c.slotCount*3 {
		return bad("hash table of %d slots holds %d for %d live entries (at most 3/4 full)", c.slotCount, used, c.liveCount)
	}
	return nil
}

// minShare is the least work worth a goroutine of its own in inParallel.
const minShare = 1 << 16

// inParallel runs part over [0, n) split into up to GOMAXPROCS shares and
// returns the sum of what the shares return.
func inParallel(n int, part func(lo, hi int) int) int {
	shares := max(1, min(runtime.GOMAXPROCS(0), n/minShare))
	if shares == 1 {
		return part(0, n)
	}
	sums := make([]int, shares)
	var wg sync.WaitGroup
	for k := range shares {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sums[k] = part(k*n/shares, (k+1)*n/shares)
		}()
	}
	wg.Wait()
	total := 0
	for _, s := range sums {
		total += s
	}
	return total
}
