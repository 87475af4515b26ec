package domain_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/fscollections/fscollections/domain"
	"github.com/fscollections/fscollections/domain/domaintest"
)

func openStringMap(t *testing.T, disk *domaintest.Disk) *domain.Map[string] {
	t.Helper()
	codec, _ := domain.CodecFor[string]()
	cfg := domain.Config{Header: domain.FileHeader{Generation: 1, TypeName: "string"}}
	m, err := domain.OpenMap(domaintest.NewMemStorage(disk), cfg, codec)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// SetMany and DeleteMany do what the same Set and Delete calls would, and
// survive a reopen; GetMany answers as Lookup does, over more than one
// lock batch, for present, absent and deleted keys.
func TestBatchesAgreeWithMapCalls(t *testing.T) {
	disk := &domaintest.Disk{}
	m := openStringMap(t, disk)
	model := map[string]string{}
	var keys, vals []string
	for i := range 2500 {
		k := fmt.Sprintf("k%d", i%2000) // overwrites too
		keys, vals = append(keys, k), append(vals, fmt.Sprint(i))
		model[k] = fmt.Sprint(i)
	}
	if err := m.SetMany(keys, vals); err != nil {
		t.Fatal(err)
	}
	var gone []string
	for i := range 700 {
		k := fmt.Sprintf("k%d", 3*i)
		gone = append(gone, k)
		delete(model, k)
	}
	if n, err := m.DeleteMany(append(gone, "absent")); err != nil || n != 667 {
		t.Fatalf("DeleteMany = %d, %v; want 667 (keys k0..k1998 by 3)", n, err)
	}
	if err := m.SetMany([]string{"a"}, nil); !errors.Is(err, domain.ErrInvalidOptions) {
		t.Fatalf("SetMany with unequal lengths: %v", err)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	m = openStringMap(t, disk)
	defer m.Close()
	if m.Len() != len(model) {
		t.Fatalf("Len %d after reopen, want %d", m.Len(), len(model))
	}
	var probe []string
	for i := range 2100 {
		probe = append(probe, fmt.Sprintf("k%d", i))
	}
	for _, n := range []int{0, 1, 15, 16, 17, 1025, 2100} {
		got, found := make([]string, n), make([]bool, n)
		if err := m.GetMany(probe[:n], got, found); err != nil {
			t.Fatal(err)
		}
		for i, k := range probe[:n] {
			want, in := model[k]
			v, ok, err := m.Lookup(k)
			if err != nil || found[i] != in || ok != in || got[i] != want || v != want {
				t.Fatalf("group of %d: %s: GetMany %q %v, Lookup %q %v %v; want %q %v", n, k, got[i], found[i], v, ok, err, want, in)
			}
		}
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if err := m.GetMany([]string{"k1"}, make([]string, 1), make([]bool, 1)); !errors.Is(err, domain.ErrClosed) {
		t.Fatalf("GetMany after Close: %v", err)
	}
	if err := m.SetMany([]string{"k1"}, []string{"v"}); !errors.Is(err, domain.ErrClosed) {
		t.Fatalf("SetMany after Close: %v", err)
	}
}

// Two keys with the same 32-bit hash: the first slot with the hash may be
// the other key's, and the grouped probe of GetMany must fall back to the
// full probe.
func TestGetManyWithAHashCollision(t *testing.T) {
	seen := map[uint32]string{}
	var a, b string
	for i := 0; a == ""; i++ {
		k := fmt.Sprintf("k%d", i)
		h := domain.HashKey([]byte(k))
		if prev, ok := seen[h]; ok {
			a, b = prev, k
		}
		seen[h] = k
	}
	m := openStringMap(t, &domaintest.Disk{})
	defer m.Close()
	for _, k := range []string{a, b} {
		if err := m.Set(k, k); err != nil {
			t.Fatal(err)
		}
	}
	got, found := make([]string, 3), make([]bool, 3)
	if err := m.GetMany([]string{b, a, "absent"}, got, found); err != nil {
		t.Fatal(err)
	}
	if got[0] != b || got[1] != a || !found[0] || !found[1] || found[2] {
		t.Fatalf("GetMany(%s, %s, absent) = %q, %v", b, a, got, found)
	}
}

// DeleteMany and DeleteManyFunc agree with a model map at every size,
// while the hash table is growing too (each round adds keys, so tables
// start growing between rounds), with keys given twice and hash
// collisions, and the result survives a reopen.
func TestDeleteManyAgreesWithAModel(t *testing.T) {
	disk := &domaintest.Disk{}
	m := openStringMap(t, disk)
	model := map[string]string{}
	next := 0
	for round := range 40 {
		var keys, vals []string
		for range 300 + 97*round {
			k := fmt.Sprintf("k%d", next)
			next++
			keys, vals = append(keys, k), append(vals, fmt.Sprint(next%5))
			model[k] = fmt.Sprint(next % 5)
		}
		if err := m.SetMany(keys, vals); err != nil {
			t.Fatal(err)
		}
		// Delete: a stride of old and new keys, some twice, some absent.
		var gone []string
		for i := round; i < next+50; i += 3 + round%4 {
			gone = append(gone, fmt.Sprintf("k%d", i))
			if i%11 == 0 {
				gone = append(gone, fmt.Sprintf("k%d", i))
			}
		}
		want := 0
		if round%2 == 0 {
			for _, k := range gone {
				if _, in := model[k]; in {
					delete(model, k)
					want++
				}
			}
			if n, err := m.DeleteMany(gone); err != nil || n != want {
				t.Fatalf("round %d: DeleteMany = %d, %v; want %d", round, n, err, want)
			}
		} else {
			for _, k := range gone {
				if v, in := model[k]; in && v < "2" {
					delete(model, k)
					want++
				}
			}
			n, err := m.DeleteManyFunc(gone, func(i int, v string) bool {
				if v != model[gone[i]] && model[gone[i]] != "" {
					t.Errorf("fn(%d) got %q for %s, want %q", i, v, gone[i], model[gone[i]])
				}
				return v < "2"
			})
			if err != nil || n != want {
				t.Fatalf("round %d: DeleteManyFunc = %d, %v; want %d", round, n, err, want)
			}
		}
		if m.Len() != len(model) {
			t.Fatalf("round %d: Len %d, want %d", round, m.Len(), len(model))
		}
	}
	check := func(m *domain.Map[string]) {
		t.Helper()
		for i := range next {
			k := fmt.Sprintf("k%d", i)
			v, ok, err := m.Lookup(k)
			if want, in := model[k]; err != nil || ok != in || v != want {
				t.Fatalf("%s = %q, %v, %v; want %q, %v", k, v, ok, err, want, in)
			}
		}
	}
	check(m)
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	m = openStringMap(t, disk)
	defer m.Close()
	check(m)
}
