package domain

import (
	"encoding/binary"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// offsets must behave as a []uint64 under random inserts, removes,
// pushes and truncations across page boundaries.
func TestOffsetsAgreeWithASlice(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var o, frozen offsets
	var model, frozenModel []uint64
	for step := range 60000 {
		v := uint64(step + 1)
		switch op := r.IntN(10); {
		case op < 5:
			o.Push(v)
			model = append(model, v)
		case op < 7:
			i := r.IntN(len(model) + 1)
			o.Insert(i, v)
			model = slices.Insert(model, i, v)
		case op < 9 && len(model) > 0:
			i := r.IntN(len(model))
			o.Remove(i)
			model = slices.Delete(model, i, i+1)
		case len(model) > 0 && r.IntN(50) == 0:
			o.Reverse()
			slices.Reverse(model)
		case len(model) > 0 && r.IntN(3) == 0: // queue-like: pop the front
			o.Remove(0)
			model = model[1:]
		default: // and push at the front
			o.Insert(0, v)
			model = slices.Insert(model, 0, v)
		}
		if step%997 == 0 {
			var all []uint64
			o.each(func(run []uint64) { all = append(all, run...) })
			if !slices.Equal(all, model) && !(len(all) == 0 && len(model) == 0) {
				t.Fatalf("step %d: each() disagrees with the model", step)
			}
			// The copy frozen 997 steps ago still holds what it held.
			var was []uint64
			frozen.each(func(run []uint64) { was = append(was, run...) })
			if !slices.Equal(was, frozenModel) {
				t.Fatalf("step %d: a frozen copy changed", step)
			}
			frozen, frozenModel = o.freeze(), slices.Clone(model)
		}
	}
	if o.Len() != len(model) {
		t.Fatalf("Len %d, want %d", o.Len(), len(model))
	}
	for i, v := range model {
		if o.At(i) != v {
			t.Fatalf("At(%d) = %d, want %d", i, o.At(i), v)
		}
	}
}

// keyTable with backward-shift deletion must find every present key and
// no absent one: with hashes that all share one home slot, and with
// hashes spread over the whole range (homes near the end wrap around to
// slot 0). A frozen copy taken along the way stays as it was.
func TestKeyTableAgreesWithAMap(t *testing.T) {
	for name, hashOf := range map[string]func(pos int) uint32{
		"colliding": func(pos int) uint32 { return uint32(pos % 97) },
		"spread":    func(pos int) uint32 { return uint32(pos%500) * 8589933 },
	} {
		t.Run(name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(3, 4))
			var kt keyTable
			model := map[int]uint32{} // position -> hash
			var frozen keyTable
			var frozenSlots []uint64
			growing := 0 // steps taken while the table was growing
			for step := range 20000 {
				pos := r.IntN(3000)
				h := hashOf(pos)
				i, found := kt.probe(h, func(p int) bool { return p == pos })
				if _, ok := model[pos]; ok != found {
					t.Fatalf("step %d: probe(%d) = %d, %v; model has it: %v", step, pos, i, found, ok)
				}
				if kt.old != nil {
					growing++
				}
				if found {
					kt.removeAt(i)
					delete(model, pos)
				} else {
					if step%3 == 0 {
						i = -1 // insertAt with the empty slot unknown
					}
					kt.insertAt(i, h, pos)
					model[pos] = h
				}
				if step%1000 == 0 {
					if frozenSlots != nil && !slices.Equal(slices.Concat(frozen.merged()...), frozenSlots) {
						t.Fatalf("step %d: a frozen copy changed", step)
					}
					frozen = kt.freeze()
					frozenSlots = slices.Concat(frozen.merged()...)
				}
			}
			if kt.used != len(model) {
				t.Fatalf("used %d, want %d", kt.used, len(model))
			}
			if growing == 0 {
				t.Fatal("the table never grew during the test")
			}
			// Every key is found once the growth is over, too.
			kt.finishGrowing()
			for pos, h := range model {
				if _, found := kt.probe(h, func(p int) bool { return p == pos }); !found {
					t.Fatalf("position %d lost after growing", pos)
				}
			}
		})
	}
}

func TestRecordRoundTripAndChecksum(t *testing.T) {
	rec := beginRecord(nil, OpPut)
	rec = appendKeyed(rec, []byte("key"))
	rec = append(rec, "value"...)
	finishRecord(rec)
	h := ParseRecordHeader(rec)
	if h.Op != OpPut || h.Size != uint64(len(rec)-RecordHeaderSize) || !CheckRecord(rec, rec[RecordHeaderSize:]) {
		t.Fatalf("header %+v", h)
	}
	rec[deletedAt] = 1 // the flag is outside the checksum
	if !CheckRecord(rec, rec[RecordHeaderSize:]) {
		t.Fatal("flipping the deleted flag broke the checksum")
	}
	rec[len(rec)-1] ^= 1
	if CheckRecord(rec, rec[RecordHeaderSize:]) {
		t.Fatal("a flipped payload bit went unnoticed")
	}
	k, v, ok := SplitKeyed(rec[RecordHeaderSize:])
	if !ok || string(k) != "key" || string(v) != "valu"+string(rune('e'^1)) {
		t.Fatalf("SplitKeyed = %q %q %v", k, v, ok)
	}
	if _, _, ok := SplitKeyed([]byte{0, 0, 0, 9, 'x'}); ok {
		t.Fatal("a key length past the payload was accepted")
	}
}

func TestCheckpointRoundTripAndDamage(t *testing.T) {
	cp := checkpoint{kind: KindMap, generation: 7, dataLength: 1234, liveBytes: 100, deadBytes: 20, liveCount: 2}
	cp.order.Push(40)
	cp.order.Push(0)
	cp.order.Push(80)
	cp.slots, cp.slotCount = tablePages([]uint64{0, makeSlot(0, 5), 0, makeSlot(2, 9)}), 4
	for _, clean := range []bool{false, true} {
		b := cp.encode(clean)
		got, n, marked, err := decodeCheckpoint("idx", b)
		if err != nil || marked != clean || got.generation != 7 || got.order.Len() != 3 || got.order.At(2) != 80 || got.slotCount != 4 || !slices.Equal(got.slots[0], cp.slots[0]) {
			t.Fatalf("clean=%v: %v %+v marked=%v", clean, err, got, marked)
		}
		if clean && n != int64(len(b)-1) {
			t.Fatalf("body length %d, want %d", n, len(b)-1)
		}
		for i := 0; i < len(b); i += 7 {
			d := slices.Clone(b)
			d[i] ^= 0x10
			if _, _, _, err := decodeCheckpoint("idx", d); err == nil && !(clean && i == len(b)-1) {
				t.Fatalf("clean=%v: a flipped bit at %d went unnoticed", clean, i)
			}
		}
		if _, _, _, err := decodeCheckpoint("idx", b[:len(b)-3]); err == nil {
			t.Fatal("a truncated checkpoint was accepted")
		}
	}
}

func TestDeepCopySharesNothing(t *testing.T) {
	type inner struct{ Tags []string }
	type rec struct {
		P *inner
		M map[string][]int
		A [2][]byte
		S []inner
	}
	orig := rec{P: &inner{Tags: []string{"a"}}, M: map[string][]int{"k": {1}}, A: [2][]byte{{1}, nil}, S: []inner{{Tags: []string{"x"}}}}
	c := cloneOf(orig)
	c.P.Tags[0], c.M["k"][0], c.A[0][0], c.S[0].Tags[0] = "changed", 9, 9, "changed"
	if orig.P.Tags[0] != "a" || orig.M["k"][0] != 1 || orig.A[0][0] != 1 || orig.S[0].Tags[0] != "x" {
		t.Fatalf("the copy shares memory with the original: %+v", orig)
	}
	if c.A[1] != nil {
		t.Fatal("a nil slice was not kept nil")
	}
	if !copyable(reflect.TypeFor[rec](), map[reflect.Type]bool{}) || copyable(reflect.TypeFor[struct{ x []int }](), map[reflect.Type]bool{}) {
		t.Fatal("copyable misjudged a type")
	}
}

// bounds agrees with a plain pass, whatever the split into pages and shares.
func TestOffsetsBounds(t *testing.T) {
	for _, n := range []int{0, 1, 5, pageSize - 1, pageSize, pageSize + 1, 3*pageSize + 7, 40 * pageSize, 41*pageSize + 3} {
		var o offsets
		for i := range n {
			v := uint64(1000 + i*3)
			if i%7 == 0 {
				v = 0
			}
			o.Push(v)
		}
		if n > 2 {
			o.popFront() // a head offset in the first page
		}
		lo, hi, live := uint64(1<<64-1), uint64(0), 0
		o.each(func(run []uint64) {
			for _, v := range run {
				if v != 0 {
					lo, hi, live = min(lo, v-1), max(hi, v), live+1
				}
			}
		})
		glo, ghi, glive := o.bounds()
		if glo != lo || ghi != hi || glive != live {
			t.Fatalf("n=%d: bounds %d %d %d, want %d %d %d", n, glo, ghi, glive, lo, hi, live)
		}
	}
}

// A checkpoint of a table caught growing holds one table with every key,
// merged when it is written, and the frozen table is left as it was.
func TestCheckpointOfAGrowingTable(t *testing.T) {
	var kt keyTable
	hashOf := func(pos int) uint32 { return uint32(pos) * 2654435761 }
	n := 0
	for ; n < 1000 || kt.old == nil; n++ {
		i, _ := kt.probe(hashOf(n), func(p int) bool { return p == n })
		kt.insertAt(i, hashOf(n), n)
	}
	frozen := kt.freeze()
	cp := checkpoint{kind: KindMap, generation: 1, dataLength: 1 << 20, liveCount: n, slotCount: frozen.n, growing: &frozen}
	for i := range n {
		cp.order.Push(uint64(16 + i))
	}
	got, _, _, err := decodeCheckpoint("idx", cp.encode(false))
	if err != nil {
		t.Fatal(err)
	}
	if err := got.validate("data", 16, 0); err != nil {
		t.Fatal(err)
	}
	loaded := keyTable{pages: got.slots, n: got.slotCount, used: got.liveCount}
	for pos := range n {
		if _, found := loaded.probe(hashOf(pos), func(p int) bool { return p == pos }); !found {
			t.Fatalf("position %d missing from the checkpoint of a growing table", pos)
		}
	}
	if kt.old == nil || frozen.old == nil {
		t.Fatal("writing the checkpoint finished the growth")
	}
}

// A checkpoint whose hash table names a position past the order decodes
// (its checksum is right: anyone can write one) but is not valid, on
// either side of the split between the cores that check the table.
func TestCheckpointWithASlotPastTheOrderIsRejected(t *testing.T) {
	var kt keyTable
	const n = 200_000 // a table large enough to be checked in shares
	for pos := range n {
		h := uint32(pos) * 2654435761
		i, _ := kt.probe(h, func(p int) bool { return p == pos })
		kt.insertAt(i, h, pos)
	}
	kt.finishGrowing()
	for _, at := range []int{0, kt.n / 2, kt.n - 1} {
		frozen := kt.freeze()
		cp := checkpoint{kind: KindMap, generation: 1, dataLength: 1 << 30, liveCount: n, slotCount: frozen.n, growing: &frozen}
		for i := range n {
			cp.order.Push(uint64(16 + i))
		}
		b := cp.encode(false)
		// Find a used slot at or after at, and make it name position n.
		slots := b[checkpointFixed+8*n:]
		for i := at; ; i = (i + 1) % frozen.n {
			if s := binary.LittleEndian.Uint64(slots[8*i:]); s != 0 {
				binary.LittleEndian.PutUint64(slots[8*i:], makeSlot(n, slotHash(s)))
				break
			}
		}
		body := len(b) - 4
		binary.BigEndian.PutUint32(b[body:], checksum(b[:body]))
		got, _, _, err := decodeCheckpoint("idx", b)
		if err != nil {
			t.Fatalf("slot near %d: decode: %v", at, err)
		}
		if err := got.validate("data", 16, 0); err == nil || !strings.Contains(err.Error(), "past the order") {
			t.Fatalf("slot near %d: validate = %v, want a slot past the order", at, err)
		}
	}
}
