package fscollections_test

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/fscollections/fscollections"
)

type user struct {
	Name string
	Tags []string
}

func TestMapInsertionOrderAndOverwrite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m")
	m, err := fscollections.OpenMap[user](path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"c", "a", "b"} {
		if err := m.Set(k, user{Name: k}); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.Set("a", user{Name: "A", Tags: []string{"x"}}); err != nil {
		t.Fatal(err)
	}
	if got := slices.Collect(m.Keys()); !slices.Equal(got, []string{"c", "a", "b"}) {
		t.Fatalf("Keys = %v", got)
	}
	if u, err := m.Get("a"); err != nil || u.Name != "A" || len(u.Tags) != 1 {
		t.Fatalf("Get(a) = %+v, %v", u, err)
	}
	if _, err := m.Get("zz"); !errors.Is(err, fscollections.ErrNotFound) || err.Error() != `fscollections: not found: key "zz"` {
		t.Fatalf("Get(zz): %v", err)
	}
	if err := m.Delete("zz"); !errors.Is(err, fscollections.ErrNotFound) {
		t.Fatalf("Delete(zz): %v", err)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	m, err = fscollections.OpenMap[user](path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if got := slices.Collect(m.Keys()); !slices.Equal(got, []string{"c", "a", "b"}) {
		t.Fatalf("Keys after reopen = %v", got)
	}
	k, v, err := m.PopItem()
	if err != nil || k != "b" || v.Name != "b" {
		t.Fatalf("PopItem = %q %+v %v", k, v, err)
	}
	if v, err := m.SetDefault("c", user{Name: "new"}); err != nil || v.Name != "c" {
		t.Fatalf("SetDefault(present) = %+v %v", v, err)
	}
	if v, err := m.SetDefault("d", user{Name: "d"}); err != nil || v.Name != "d" {
		t.Fatalf("SetDefault(absent) = %+v %v", v, err)
	}
	if v, err := m.Pop("c"); err != nil || v.Name != "c" {
		t.Fatalf("Pop(c) = %+v %v", v, err)
	}
	if m.Contains("c") || !m.Contains("d") {
		t.Fatal("Contains wrong after Pop")
	}
	got := maps.Collect(m.All())
	want := map[string]user{"a": {Name: "A", Tags: []string{"x"}}, "d": {Name: "d"}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("All = %v, want %v", got, want)
	}
}

// A model test: random operations on an FSMap and a Go map agree, across
// reopens and compactions, for thousands of keys (hash table growth,
// backward-shift deletion, defragmentation of the insertion order).
func TestMapAgreesWithModel(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m")
	m, err := fscollections.OpenMap[int](path, nil)
	if err != nil {
		t.Fatal(err)
	}
	model := map[string]int{}
	var order []string
	seed := uint64(1)
	rnd := func(n int) int { seed = seed*6364136223846793005 + 1442695040888963407; return int(seed>>33) % n }
	for step := 0; step < 40000; step++ {
		k := fmt.Sprintf("key-%d", rnd(6000))
		switch r := rnd(10); {
		case r < 6:
			if err := m.Set(k, step); err != nil {
				t.Fatal(err)
			}
			if _, ok := model[k]; !ok {
				order = append(order, k)
			}
			model[k] = step
		case r < 9:
			err := m.Delete(k)
			if _, ok := model[k]; ok != (err == nil) {
				t.Fatalf("Delete(%s) = %v, model has it: %v", k, err, ok)
			}
			delete(model, k)
			order = slices.DeleteFunc(order, func(s string) bool { return s == k })
		default:
			v, err := m.Get(k)
			if mv, ok := model[k]; ok != (err == nil) || v != mv {
				t.Fatalf("Get(%s) = %d, %v; model %d, %v", k, v, err, mv, ok)
			}
		}
		if step%10000 == 9999 {
			if step%20000 == 9999 {
				if err := m.Compact(); err != nil {
					t.Fatal(err)
				}
			}
			if err := m.Close(); err != nil {
				t.Fatal(err)
			}
			if m, err = fscollections.OpenMap[int](path, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	defer m.Close()
	if m.Len() != len(model) {
		t.Fatalf("Len %d, model %d", m.Len(), len(model))
	}
	if got := slices.Collect(m.Keys()); !slices.Equal(got, order) {
		t.Fatalf("key order differs from insertion order (%d vs %d keys)", len(got), len(order))
	}
}

func TestSet(t *testing.T) {
	s, err := fscollections.OpenSet[string]("", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, v := range []string{"x", "y", "x", "z"} {
		if err := s.Add(v); err != nil {
			t.Fatal(err)
		}
	}
	if s.Len() != 3 || !s.Contains("y") || s.Contains("w") {
		t.Fatalf("Len %d, Contains(y) %v", s.Len(), s.Contains("y"))
	}
	if err := s.Remove("w"); !errors.Is(err, fscollections.ErrNotFound) {
		t.Fatalf("Remove(w): %v", err)
	}
	if err := s.Discard("w"); err != nil {
		t.Fatalf("Discard(w): %v", err)
	}
	if err := s.Remove("y"); err != nil {
		t.Fatal(err)
	}
	if got := slices.Collect(s.All()); !slices.Equal(got, []string{"x", "z"}) {
		t.Fatalf("All = %v", got)
	}
	if got := slices.Collect(s.Scan(func(v string) bool { return v == "z" })); !slices.Equal(got, []string{"z"}) {
		t.Fatalf("Scan = %v", got)
	}
	if v, err := s.Pop(); err != nil || v != "z" {
		t.Fatalf("Pop = %q %v", v, err)
	}
	_, _ = s.Pop()
	if _, err := s.Pop(); !errors.Is(err, fscollections.ErrEmpty) {
		t.Fatalf("Pop on empty: %v", err)
	}
}

// Iterations carve keys and values out of shared chunks; each must still
// behave as the caller's own copy: writing to or appending to one changes
// neither its neighbours nor what is stored.
func TestIteratedValuesAreIndependentCopies(t *testing.T) {
	dir := t.TempDir()
	m, err := fscollections.OpenMap[[]byte](filepath.Join(dir, "m"), &fscollections.Options{Cache: fscollections.LRU})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	l := openList[[]byte](t, filepath.Join(dir, "l"), nil)
	defer l.Close()
	s, err := fscollections.OpenSet[string](filepath.Join(dir, "s"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const n = 300 // more than one batch
	want := func(i int) []byte { return []byte(fmt.Sprintf("value-%03d", i)) }
	for i := range n {
		key := fmt.Sprintf("k%03d", i)
		if err := m.Set(key, want(i)); err != nil {
			t.Fatal(err)
		}
		if err := l.Append(want(i)); err != nil {
			t.Fatal(err)
		}
		if err := s.Add(key); err != nil {
			t.Fatal(err)
		}
	}
	// A big value gets its own allocation; small ones share.
	if err := m.Set("big", make([]byte, 4096)); err != nil {
		t.Fatal(err)
	}
	var kept [][]byte
	var keys []string
	for k, v := range m.All() {
		keys = append(keys, k)
		kept = append(kept, v)
		_ = append(v, "overwrite the neighbour?"...) // must not reach the next value
		if len(v) > 0 {
			v[0] = 'X' // the caller's copy: neither the file nor the cache sees it
		}
	}
	for _, v := range l.All() {
		_ = append(v, "overwrite"...)
		v[0] = 'Y'
	}
	for i := range n {
		if keys[i] != fmt.Sprintf("k%03d", i) || string(kept[i][1:]) != string(want(i)[1:]) {
			t.Fatalf("entry %d after mutating the others: %q = %q", i, keys[i], kept[i])
		}
		if v, err := m.Get(keys[i]); err != nil || string(v) != string(want(i)) {
			t.Fatalf("Get(%q) = %q, %v: the iteration's copy was not its own", keys[i], v, err)
		}
		if v, err := l.Get(i); err != nil || string(v) != string(want(i)) {
			t.Fatalf("list Get(%d) = %q, %v", i, v, err)
		}
	}
	i := 0
	for k := range s.All() {
		if k != fmt.Sprintf("k%03d", i) {
			t.Fatalf("set element %d = %q", i, k)
		}
		i++
	}
	if err := errors.Join(m.Err(), l.Err(), s.Err()); err != nil || i != n {
		t.Fatalf("%d set elements, %v", i, err)
	}
}

// GetMany and GetManyFunc count one read per value they read, added up once
// per batch, in Metrics.Reads; absent keys read nothing.
func TestBatchedGetsCountTheirReads(t *testing.T) {
	m, err := fscollections.OpenMap[string]("", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	var keys []string
	for i := range 3000 {
		k := fmt.Sprint("k", i)
		if err := m.Set(k, "v"); err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k)
	}
	keys = append(keys, "absent", "missing")
	before := m.Metrics().Reads
	if _, _, err := m.GetMany(keys...); err != nil {
		t.Fatal(err)
	}
	if got := m.Metrics().Reads - before; got != 3000 {
		t.Fatalf("GetMany of 3,000 present and 2 absent keys counted %d reads", got)
	}
	before = m.Metrics().Reads
	if err := m.GetManyFunc(keys, func(int, string, bool) {}); err != nil {
		t.Fatal(err)
	}
	if got := m.Metrics().Reads - before; got != 3000 {
		t.Fatalf("GetManyFunc of 3,000 present and 2 absent keys counted %d reads", got)
	}
}

// DeleteManyFunc on a map whose file was damaged: the damaged record is
// reported as ErrCorrupt naming the file, it is not deleted (fn never saw
// its value), the deletions before it in the call stay, and the map goes
// on working.
func TestDeleteManyFuncStopsAtDamage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m")
	m, err := fscollections.OpenMap[string](path, nil)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for i := range 500 {
		keys = append(keys, fmt.Sprintf("key-%04d", i))
		if err := m.Set(keys[i], fmt.Sprint("value-", i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path + ".data.fscollection")
	if err != nil {
		t.Fatal(err)
	}
	data[bytes.Index(data, []byte("value-321"))+2] ^= 0x10
	if err := os.WriteFile(path+".data.fscollection", data, 0o600); err != nil {
		t.Fatal(err)
	}
	if m, err = fscollections.OpenMap[string](path, nil); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	asked := 0
	n, err := m.DeleteManyFunc(keys, func(int, string) bool { asked++; return true })
	if !errors.Is(err, fscollections.ErrCorrupt) || !strings.Contains(err.Error(), path) {
		t.Fatalf("DeleteManyFunc over a damaged record = %d, %v; want ErrCorrupt naming %s", n, err, path)
	}
	if n != 321 || asked != 321 || !m.Contains("key-0321") || m.Contains("key-0320") {
		t.Fatalf("deleted %d after asking %d; key-0321 present %v, key-0320 present %v; want the 321 before the damage gone",
			n, asked, m.Contains("key-0321"), m.Contains("key-0320"))
	}
	if v, err := m.Get("key-0499"); err != nil || v != "value-499" {
		t.Fatalf("Get after the failed call = %q, %v", v, err)
	}
}
