package fsredis_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fscollections/fscollections"
)

// TestContract runs one behavioural contract against every engine: the
// files, a standalone Redis server and a 3-master Redis Cluster. Every
// public method, error and ordering rule is checked once, the same way.
func TestContract(t *testing.T) {
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			t.Run("List", func(t *testing.T) { contractList(t, e) })
			t.Run("ListIteration", func(t *testing.T) { contractListIteration(t, e) })
			t.Run("Take", func(t *testing.T) { contractTake(t, e) })
			t.Run("Map", func(t *testing.T) { contractMap(t, e) })
			t.Run("MapAtomic", func(t *testing.T) { contractMapAtomic(t, e) })
			t.Run("MapBatches", func(t *testing.T) { contractMapBatches(t, e) })
			t.Run("DeleteManyFunc", func(t *testing.T) { contractDeleteManyFunc(t, e) })
			t.Run("DeleteManyFuncRace", func(t *testing.T) { contractDeleteManyFuncRace(t, e) })
			t.Run("MapVersions", func(t *testing.T) { contractVersions(t, e) })
			t.Run("MapView", func(t *testing.T) { contractView(t, e) })
			t.Run("Set", func(t *testing.T) { contractSet(t, e) })
			t.Run("SetAlgebra", func(t *testing.T) { contractSetAlgebra(t, e) })
			t.Run("AppendOnly", func(t *testing.T) { contractAppendOnly(t, e) })
			t.Run("TypeMismatch", func(t *testing.T) { contractTypeMismatch(t, e) })
			t.Run("Closed", func(t *testing.T) { contractClosed(t, e) })
			t.Run("Backup", func(t *testing.T) { contractBackup(t, e) })
			t.Run("ComputeRace", func(t *testing.T) { contractComputeRace(t, e) })
		})
	}
}

func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: got %v, want %v", what, err, target)
	}
}

func ok(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func listItems[T any](t *testing.T, l *fscollections.FSList[T]) []T {
	t.Helper()
	var out []T
	for _, v := range l.All() {
		out = append(out, v)
	}
	ok(t, l.Err())
	return out
}

func equal[T comparable](t *testing.T, what string, got, want []T) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Fatalf("%s: got %v, want %v", what, got, want)
	}
}

func contractList(t *testing.T, e *engineUnderTest) {
	l := must(openList[string](e, e.fresh("list"), nil))(t)
	ok(t, l.Append("a", "b", "c"))
	ok(t, l.Append())
	if l.Len() != 3 {
		t.Fatalf("Len = %d", l.Len())
	}
	if v, err := l.Get(1); err != nil || v != "b" {
		t.Fatalf("Get(1) = %q, %v", v, err)
	}
	for _, i := range []int{-1, 3} {
		_, err := l.Get(i)
		wantErr(t, "Get out of range", err, fscollections.ErrIndexOutOfRange)
	}
	ok(t, l.Set(1, "B"))
	wantErr(t, "Set(3)", l.Set(3, "x"), fscollections.ErrIndexOutOfRange)
	wantErr(t, "Set(-1)", l.Set(-1, "x"), fscollections.ErrIndexOutOfRange)
	ok(t, l.Insert(0, "front"))
	ok(t, l.Insert(2, "mid"))
	ok(t, l.Insert(l.Len(), "end"))
	wantErr(t, "Insert past the end", l.Insert(l.Len()+1, "x"), fscollections.ErrIndexOutOfRange)
	equal(t, "after inserts", listItems(t, l), []string{"front", "a", "mid", "B", "c", "end"})
	if v, err := l.Pop(2); err != nil || v != "mid" {
		t.Fatalf("Pop(2) = %q, %v", v, err)
	}
	if v, err := l.Pop(0); err != nil || v != "front" {
		t.Fatalf("Pop(0) = %q, %v", v, err)
	}
	if v, err := l.Pop(l.Len() - 1); err != nil || v != "end" {
		t.Fatalf("Pop(last) = %q, %v", v, err)
	}
	_, err := l.Pop(5)
	wantErr(t, "Pop out of range", err, fscollections.ErrIndexOutOfRange)
	equal(t, "after pops", listItems(t, l), []string{"a", "B", "c"})
	got, err := l.Slice(1, 3)
	ok(t, err)
	equal(t, "Slice(1,3)", got, []string{"B", "c"})
	if got, err := l.Slice(2, 2); err != nil || len(got) != 0 {
		t.Fatalf("Slice(2,2) = %v, %v", got, err)
	}
	_, err = l.Slice(2, 4)
	wantErr(t, "Slice past the end", err, fscollections.ErrIndexOutOfRange)
	_, err = l.Slice(2, 1)
	wantErr(t, "Slice lo > hi", err, fscollections.ErrIndexOutOfRange)
	ok(t, l.Append("c", "a"))
	if i, err := l.Index("c"); err != nil || i != 2 {
		t.Fatalf("Index(c) = %d, %v", i, err)
	}
	_, err = l.Index("zz")
	wantErr(t, "Index of a missing value", err, fscollections.ErrNotFound)
	if n, err := l.Count("a"); err != nil || n != 2 {
		t.Fatalf("Count(a) = %d, %v", n, err)
	}
	if in, err := l.Contains("B"); err != nil || !in {
		t.Fatalf("Contains(B) = %v, %v", in, err)
	}
	if in, err := l.Contains("zz"); err != nil || in {
		t.Fatalf("Contains(zz) = %v, %v", in, err)
	}
	ok(t, l.Remove("a"))
	wantErr(t, "Remove of a missing value", l.Remove("zz"), fscollections.ErrNotFound)
	equal(t, "after Remove", listItems(t, l), []string{"B", "c", "c", "a"})
	ok(t, l.Reverse())
	equal(t, "after Reverse", listItems(t, l), []string{"a", "c", "c", "B"})
	if m := l.Metrics(); m.Len != 4 {
		t.Fatalf("Metrics.Len = %d", m.Len)
	}
	ok(t, l.Sync())
	ok(t, l.Compact())
	ok(t, l.Clear())
	if l.Len() != 0 {
		t.Fatalf("Len after Clear = %d", l.Len())
	}
	_, err = l.Pop(0)
	wantErr(t, "Pop of an empty list", err, fscollections.ErrEmpty)
	// Reopened, the list has what was written.
	ok(t, l.Append("x", "y"))
	ok(t, l.Close())
	l2 := must(openList[string](e, l.Path(), nil))(t)
	equal(t, "reopened", listItems(t, l2), []string{"x", "y"})
	ok(t, l2.Destroy())
	l3 := must(openList[string](e, l.Path(), nil))(t)
	if l3.Len() != 0 {
		t.Fatalf("Len after Destroy and reopen = %d", l3.Len())
	}
}

func contractListIteration(t *testing.T, e *engineUnderTest) {
	l := must(openList[int](e, e.fresh("iter"), nil))(t)
	want := make([]int, 1000)
	for i := range want {
		want[i] = i * 3
	}
	ok(t, l.Append(want...))
	var idx []int
	for i, v := range l.All() {
		if v != want[i] {
			t.Fatalf("All: element %d = %d", i, v)
		}
		idx = append(idx, i)
	}
	if len(idx) != 1000 {
		t.Fatalf("All yielded %d", len(idx))
	}
	var back []int
	for i, v := range l.Backward() {
		if v != want[i] {
			t.Fatalf("Backward: element %d = %d", i, v)
		}
		back = append(back, i)
	}
	if len(back) != 1000 || back[0] != 999 || back[999] != 0 {
		t.Fatalf("Backward order: %d elements, first %d", len(back), back[0])
	}
	n := 0
	for i, v := range l.Scan(func(v int) bool { return v%2 == 0 }) {
		if v%2 != 0 || want[i] != v {
			t.Fatalf("Scan yielded %d at %d", v, i)
		}
		n++
	}
	if n != 500 {
		t.Fatalf("Scan yielded %d", n)
	}
	// break ends the loop; no error is left behind.
	for range l.All() {
		break
	}
	ok(t, l.Err())
	// Range: the same walk, its own error; fn's false stops it.
	sum, visits := 0, 0
	ok(t, l.Range(func(i, v int) bool { sum += v; visits++; return true }))
	if visits != 1000 || sum != 3*999*1000/2 {
		t.Fatalf("Range visited %d, sum %d", visits, sum)
	}
	visits = 0
	ok(t, l.Range(func(i, v int) bool { visits++; return i < 299 }))
	if visits != 300 {
		t.Fatalf("Range stopped after %d, want 300", visits)
	}
}

func contractTake(t *testing.T, e *engineUnderTest) {
	l := must(openList[string](e, e.fresh("queue"), nil))(t)
	ok(t, l.Append("first"))
	if v, err := l.Take(context.Background()); err != nil || v != "first" {
		t.Fatalf("Take = %q, %v", v, err)
	}
	// A cancelled context ends a waiting Take with its error.
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	_, err := l.Take(ctx)
	wantErr(t, "Take on an empty list", err, context.DeadlineExceeded)
	// A waiting Take gets what another handle appends; each element goes
	// to exactly one of several takers.
	other := l
	if e.client != nil {
		// Redis: a second handle, as another client process would have.
		other = must(openList[string](e, l.Path(), nil))(t)
	}
	const n = 50
	got := make(chan string, n)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				ctx, cancel := context.WithTimeout(context.Background(), 700*time.Millisecond)
				v, err := l.Take(ctx)
				cancel()
				if err != nil {
					return
				}
				got <- v
			}
		}()
	}
	for i := range n {
		ok(t, other.Append(string(rune('A'+i%26))+string(rune('a'+i/26))))
	}
	wg.Wait()
	close(got)
	seen := map[string]bool{}
	for v := range got {
		if seen[v] {
			t.Fatalf("element %q taken twice", v)
		}
		seen[v] = true
	}
	if len(seen) != n {
		t.Fatalf("took %d of %d elements", len(seen), n)
	}
	// Close wakes a waiting Take with ErrClosed.
	errc := make(chan error, 1)
	go func() { _, err := l.Take(context.Background()); errc <- err }()
	time.Sleep(50 * time.Millisecond)
	ok(t, l.Close())
	select {
	case err := <-errc:
		wantErr(t, "Take after Close", err, fscollections.ErrClosed)
	case <-time.After(5 * time.Second):
		t.Fatal("Take did not end after Close")
	}
}

func mapEntries[V any](t *testing.T, m *fscollections.FSMap[V]) ([]string, []V) {
	t.Helper()
	var ks []string
	var vs []V
	for k, v := range m.All() {
		ks, vs = append(ks, k), append(vs, v)
	}
	ok(t, m.Err())
	return ks, vs
}

func contractMap(t *testing.T, e *engineUnderTest) {
	m := must(openMap[int](e, e.fresh("map"), nil))(t)
	ok(t, m.Set("b", 2))
	ok(t, m.Set("a", 1))
	ok(t, m.Set("c", 3))
	ok(t, m.Set("b", 20)) // an overwrite keeps its place
	ks, vs := mapEntries(t, m)
	equal(t, "keys in insertion order", ks, []string{"b", "a", "c"})
	equal(t, "values", vs, []int{20, 1, 3})
	equal(t, "Keys", collect(m.Keys()), []string{"b", "a", "c"})
	equal(t, "Values", collect(m.Values()), []int{20, 1, 3})
	if v, err := m.Get("b"); err != nil || v != 20 {
		t.Fatalf("Get(b) = %d, %v", v, err)
	}
	_, err := m.Get("zz")
	wantErr(t, "Get of a missing key", err, fscollections.ErrNotFound)
	if v, found, err := m.Lookup("a"); err != nil || !found || v != 1 {
		t.Fatalf("Lookup(a) = %d, %v, %v", v, found, err)
	}
	if _, found, err := m.Lookup("zz"); err != nil || found {
		t.Fatalf("Lookup(zz) = %v, %v", found, err)
	}
	if !m.Contains("a") || m.Contains("zz") {
		t.Fatal("Contains")
	}
	if m.Len() != 3 {
		t.Fatalf("Len = %d", m.Len())
	}
	wantErr(t, "Delete of a missing key", m.Delete("zz"), fscollections.ErrNotFound)
	ok(t, m.Delete("a"))
	if v, err := m.Pop("c"); err != nil || v != 3 {
		t.Fatalf("Pop(c) = %d, %v", v, err)
	}
	_, err = m.Pop("c")
	wantErr(t, "Pop of a missing key", err, fscollections.ErrNotFound)
	if v, err := m.SetDefault("b", 99); err != nil || v != 20 {
		t.Fatalf("SetDefault of a present key = %d, %v", v, err)
	}
	if v, err := m.SetDefault("d", 4); err != nil || v != 4 {
		t.Fatalf("SetDefault of a new key = %d, %v", v, err)
	}
	ok(t, m.Update(func(yield func(string, int) bool) {
		for i, k := range []string{"e", "f", "b"} {
			if !yield(k, 100+i) {
				return
			}
		}
	}))
	ks, vs = mapEntries(t, m)
	equal(t, "after Update", ks, []string{"b", "d", "e", "f"})
	equal(t, "values after Update", vs, []int{102, 4, 100, 101})
	n := 0
	for k, v := range m.Scan(func(k string, v int) bool { return v >= 100 }) {
		if v < 100 || k == "d" {
			t.Fatalf("Scan yielded %s=%d", k, v)
		}
		n++
	}
	if n != 3 {
		t.Fatalf("Scan yielded %d", n)
	}
	k, err := m.RandomKey()
	if err != nil || !m.Contains(k) {
		t.Fatalf("RandomKey = %q, %v", k, err)
	}
	if k, v, err := m.PopItem(); err != nil || k != "f" || v != 101 {
		t.Fatalf("PopItem = %q, %d, %v (want the last inserted, f)", k, v, err)
	}
	ok(t, m.Clear())
	if m.Len() != 0 {
		t.Fatalf("Len after Clear = %d", m.Len())
	}
	_, _, err = m.PopItem()
	wantErr(t, "PopItem of an empty map", err, fscollections.ErrEmpty)
	_, err = m.RandomKey()
	wantErr(t, "RandomKey of an empty map", err, fscollections.ErrEmpty)
	// Many keys: iteration crosses batches in order.
	want := make([]string, 700)
	for i := range want {
		want[i] = string(rune(0x4e00 + i))
		ok(t, m.Set(want[i], i))
	}
	ks, _ = mapEntries(t, m)
	equal(t, "700 keys in order", ks, want)
	var ranged []string
	ok(t, m.Range(func(k string, v int) bool { ranged = append(ranged, k); return true }))
	equal(t, "Range keys", ranged, want)
	if mt := m.Metrics(); mt.Len != 700 {
		t.Fatalf("Metrics.Len = %d", mt.Len)
	}
}

func collect[T any](seq func(func(T) bool)) []T {
	var out []T
	for v := range seq {
		out = append(out, v)
	}
	return out
}

func contractMapAtomic(t *testing.T, e *engineUnderTest) {
	m := must(openMap[string](e, e.fresh("atomic"), nil))(t)
	if swapped, err := m.CompareAndSwap("k", "", "x"); err != nil || swapped {
		t.Fatalf("CompareAndSwap of a missing key = %v, %v", swapped, err)
	}
	ok(t, m.Set("k", "v1"))
	if swapped, err := m.CompareAndSwap("k", "nope", "x"); err != nil || swapped {
		t.Fatalf("CompareAndSwap with a wrong old = %v, %v", swapped, err)
	}
	if swapped, err := m.CompareAndSwap("k", "v1", "v2"); err != nil || !swapped {
		t.Fatalf("CompareAndSwap = %v, %v", swapped, err)
	}
	if prev, loaded, err := m.Swap("k", "v3"); err != nil || !loaded || prev != "v2" {
		t.Fatalf("Swap = %q, %v, %v", prev, loaded, err)
	}
	if prev, loaded, err := m.Swap("new", "n"); err != nil || loaded || prev != "" {
		t.Fatalf("Swap of a new key = %q, %v, %v", prev, loaded, err)
	}
	if deleted, err := m.CompareAndDelete("k", "v2"); err != nil || deleted {
		t.Fatalf("CompareAndDelete with a wrong old = %v, %v", deleted, err)
	}
	if deleted, err := m.CompareAndDelete("k", "v3"); err != nil || !deleted || m.Contains("k") {
		t.Fatalf("CompareAndDelete = %v, %v", deleted, err)
	}
	up := func(old string, loaded bool) (string, fscollections.ComputeOp) {
		return old + "+", fscollections.UpdateOp
	}
	if v, present, err := m.Compute("c", up); err != nil || !present || v != "+" {
		t.Fatalf("Compute of a missing key = %q, %v, %v", v, present, err)
	}
	if v, present, err := m.Compute("c", up); err != nil || !present || v != "++" {
		t.Fatalf("Compute = %q, %v, %v", v, present, err)
	}
	cancel := func(old string, loaded bool) (string, fscollections.ComputeOp) {
		return "ignored", fscollections.CancelOp
	}
	if v, present, err := m.Compute("c", cancel); err != nil || !present || v != "++" {
		t.Fatalf("Compute cancel = %q, %v, %v", v, present, err)
	}
	del := func(old string, loaded bool) (string, fscollections.ComputeOp) {
		return "", fscollections.DeleteOp
	}
	if v, present, err := m.Compute("c", del); err != nil || present || v != "++" || m.Contains("c") {
		t.Fatalf("Compute delete = %q, %v, %v", v, present, err)
	}
	if _, present, err := m.Compute("absent", del); err != nil || present {
		t.Fatalf("Compute delete of a missing key = %v, %v", present, err)
	}
}

func contractVersions(t *testing.T, e *engineUnderTest) {
	m := must(openMap[string](e, e.fresh("versions"), nil))(t)
	before := time.Now().Add(-2 * time.Second)
	_, err := m.Info("k")
	wantErr(t, "Info of a missing key", err, fscollections.ErrNotFound)
	wantErr(t, "SetIfVersion of an absent key with a version", m.SetIfVersion("k", "x", 5), fscollections.ErrConflict)
	ok(t, m.SetIfVersion("k", "hello", 0))
	i1, err := m.Info("k")
	ok(t, err)
	if i1.Version < 1 || i1.Size != int64(len(`hello`)) && i1.Size != int64(len(`"hello"`)) || i1.Modified.Before(before) {
		t.Fatalf("Info = %+v", i1)
	}
	wantErr(t, "SetIfVersion of a present key with 0", m.SetIfVersion("k", "x", 0), fscollections.ErrConflict)
	ok(t, m.Set("k", "world"))
	i2, err := m.Info("k")
	ok(t, err)
	if i2.Version == i1.Version {
		t.Fatalf("version unchanged by a write: %d", i2.Version)
	}
	wantErr(t, "SetIfVersion with an old version", m.SetIfVersion("k", "x", i1.Version), fscollections.ErrConflict)
	ok(t, m.SetIfVersion("k", "x", i2.Version))
	// Versions never return to an earlier value: not after Delete, Clear or reopen.
	seen := map[uint64]bool{i1.Version: true, i2.Version: true}
	ok(t, m.Delete("k"))
	ok(t, m.Set("k", "again"))
	ok(t, m.Clear())
	ok(t, m.Close())
	m2 := must(openMap[string](e, m.Path(), nil))(t)
	ok(t, m2.Set("k", "after reopen"))
	i3, err := m2.Info("k")
	ok(t, err)
	if seen[i3.Version] {
		t.Fatalf("version %d came back", i3.Version)
	}
}

func contractView(t *testing.T, e *engineUnderTest) {
	m := must(openMap[int](e, e.fresh("views"), nil))(t)
	ok(t, m.Set("other", 0))
	u := m.Sub("user/")
	ok(t, u.Set("ada", 1))
	ok(t, u.Set("bob", 2))
	if v, err := m.Get("user/ada"); err != nil || v != 1 {
		t.Fatalf("parent sees the view's key: %d, %v", v, err)
	}
	equal(t, "view keys", collect(u.Keys()), []string{"ada", "bob"})
	if u.Len() != 2 {
		t.Fatalf("view Len = %d", u.Len())
	}
	ok(t, u.Clear())
	equal(t, "parent keys after the view's Clear", collect(m.Keys()), []string{"other"})
}

func setItems[T any](t *testing.T, s *fscollections.FSSet[T]) []T {
	t.Helper()
	out := collect(s.All())
	ok(t, s.Err())
	return out
}

func contractSet(t *testing.T, e *engineUnderTest) {
	s := must(openSet[string](e, e.fresh("set"), nil))(t)
	for _, v := range []string{"b", "a", "c", "a"} {
		ok(t, s.Add(v))
	}
	equal(t, "insertion order, duplicates once", setItems(t, s), []string{"b", "a", "c"})
	if s.Len() != 3 || !s.Contains("a") || s.Contains("zz") {
		t.Fatalf("Len %d or Contains wrong", s.Len())
	}
	wantErr(t, "Remove of a missing element", s.Remove("zz"), fscollections.ErrNotFound)
	ok(t, s.Discard("zz"))
	ok(t, s.Remove("a"))
	ok(t, s.Add("a")) // re-added: now last
	equal(t, "re-added goes last", setItems(t, s), []string{"b", "c", "a"})
	if v, err := s.Pop(); err != nil || v != "a" {
		t.Fatalf("Pop = %q, %v (want the most recently added)", v, err)
	}
	equal(t, "Scan", collect(s.Scan(func(v string) bool { return v == "c" })), []string{"c"})
	if m := s.Metrics(); m.Len != 2 {
		t.Fatalf("Metrics.Len = %d", m.Len)
	}
	ok(t, s.Clear())
	_, err := s.Pop()
	wantErr(t, "Pop of an empty set", err, fscollections.ErrEmpty)
	// Many elements: iteration crosses batches in order.
	var want []string
	for i := range 600 {
		want = append(want, string(rune(0x3400+i)))
	}
	n, err := s.AddAll(slices.Values(want))
	if err != nil || n != 600 {
		t.Fatalf("AddAll = %d, %v", n, err)
	}
	equal(t, "600 elements in order", setItems(t, s), want)
	var ranged []string
	ok(t, s.Range(func(v string) bool { ranged = append(ranged, v); return len(ranged) < 300 }))
	equal(t, "Range stopped at 300", ranged, want[:300])
}

func contractSetAlgebra(t *testing.T, e *engineUnderTest) {
	a := must(openSet[int](e, e.fresh("a"), nil))(t)
	b := must(openSet[int](e, e.fresh("b"), nil))(t)
	_, err := a.AddAll(slices.Values([]int{1, 2, 3, 4}))
	ok(t, err)
	_, err = b.AddAll(slices.Values([]int{6, 4, 2, 5}))
	ok(t, err)
	equal(t, "Union", collect(a.Union(b)), []int{1, 2, 3, 4, 6, 5})
	equal(t, "Intersection", collect(a.Intersection(b)), []int{2, 4})
	equal(t, "Difference", collect(a.Difference(b)), []int{1, 3})
	equal(t, "SymmetricDifference", collect(a.SymmetricDifference(b)), []int{1, 3, 6, 5})
	for _, c := range []struct {
		name string
		f    func(*fscollections.FSSet[int]) (bool, error)
		arg  *fscollections.FSSet[int]
		want bool
	}{
		{"IsSubset", a.IsSubset, b, false}, {"IsSuperset", a.IsSuperset, b, false},
		{"IsDisjoint", a.IsDisjoint, b, false}, {"Equal", a.Equal, b, false},
		{"IsSubset self", a.IsSubset, a, true}, {"Equal self", a.Equal, a, true},
	} {
		if got, err := c.f(c.arg); err != nil || got != c.want {
			t.Fatalf("%s = %v, %v", c.name, got, err)
		}
	}
	if n, err := a.RemoveAll(slices.Values([]int{1, 9})); err != nil || n != 1 {
		t.Fatalf("RemoveAll = %d, %v", n, err)
	}
	if n, err := a.RetainAll(b); err != nil || n != 1 {
		t.Fatalf("RetainAll = %d, %v", n, err)
	}
	equal(t, "after RetainAll", setItems(t, a), []int{2, 4})
	if sub, err := a.IsSubset(b); err != nil || !sub {
		t.Fatalf("IsSubset after RetainAll = %v, %v", sub, err)
	}
}

func contractAppendOnly(t *testing.T, e *engineUnderTest) {
	ao := &fscollections.Options{AppendOnly: true}
	l := must(openList[int](e, e.fresh("ao-list"), ao))(t)
	ok(t, l.Append(1, 2))
	ok(t, l.Insert(2, 3))
	wantErr(t, "list Set", l.Set(0, 9), fscollections.ErrAppendOnly)
	wantErr(t, "list Insert in the middle", l.Insert(0, 9), fscollections.ErrAppendOnly)
	_, err := l.Pop(0)
	wantErr(t, "list Pop", err, fscollections.ErrAppendOnly)
	wantErr(t, "list Clear", l.Clear(), fscollections.ErrAppendOnly)
	equal(t, "append-only list", listItems(t, l), []int{1, 2, 3})

	m := must(openMap[int](e, e.fresh("ao-map"), ao))(t)
	ok(t, m.Set("a", 1))
	wantErr(t, "map Set of an existing key", m.Set("a", 2), fscollections.ErrAppendOnly)
	wantErr(t, "map Delete", m.Delete("a"), fscollections.ErrAppendOnly)
	_, _, err = m.Swap("a", 3)
	wantErr(t, "map Swap", err, fscollections.ErrAppendOnly)
	_, err = m.CompareAndSwap("a", 1, 3)
	wantErr(t, "map CompareAndSwap", err, fscollections.ErrAppendOnly)
	wantErr(t, "map Clear", m.Clear(), fscollections.ErrAppendOnly)
	ok(t, m.Set("b", 2))
	if v, _ := m.Get("a"); v != 1 {
		t.Fatalf("append-only value changed to %d", v)
	}

	s := must(openSet[int](e, e.fresh("ao-set"), ao))(t)
	ok(t, s.Add(1))
	ok(t, s.Add(1))
	wantErr(t, "set Remove", s.Remove(1), fscollections.ErrAppendOnly)
	wantErr(t, "set Discard", s.Discard(1), fscollections.ErrAppendOnly)
	_, err = s.Pop()
	wantErr(t, "set Pop", err, fscollections.ErrAppendOnly)
}

func contractTypeMismatch(t *testing.T, e *engineUnderTest) {
	name := e.fresh("typed")
	l := must(openList[int](e, name, nil))(t)
	ok(t, l.Append(1))
	ok(t, l.Close())
	_, err := openList[string](e, name, nil)
	wantErr(t, "a list of int opened as a list of string", err, fscollections.ErrTypeMismatch)
	_, err = openMap[int](e, name, nil)
	wantErr(t, "a list opened as a map", err, fscollections.ErrTypeMismatch)
	_, err = openSet[int](e, name, nil)
	wantErr(t, "a list opened as a set", err, fscollections.ErrTypeMismatch)
}

func contractClosed(t *testing.T, e *engineUnderTest) {
	l := must(openList[int](e, e.fresh("closed-list"), nil))(t)
	ok(t, l.Append(1))
	ok(t, l.Close())
	ok(t, l.Close())
	_, err := l.Get(0)
	wantErr(t, "list Get after Close", err, fscollections.ErrClosed)
	wantErr(t, "list Append after Close", l.Append(2), fscollections.ErrClosed)
	if l.Len() != 0 {
		t.Fatalf("Len after Close = %d", l.Len())
	}
	wantErr(t, "list Range after Close", l.Range(func(int, int) bool { return true }), fscollections.ErrClosed)
	m := must(openMap[int](e, e.fresh("closed-map"), nil))(t)
	ok(t, m.Close())
	wantErr(t, "map Set after Close", m.Set("a", 1), fscollections.ErrClosed)
	_, err = m.Get("a")
	wantErr(t, "map Get after Close", err, fscollections.ErrClosed)
	s := must(openSet[int](e, e.fresh("closed-set"), nil))(t)
	ok(t, s.Close())
	wantErr(t, "set Add after Close", s.Add(1), fscollections.ErrClosed)
	if s.Contains(1) {
		t.Fatal("Contains after Close")
	}
}

func contractBackup(t *testing.T, e *engineUnderTest) {
	m := must(openMap[string](e, e.fresh("backup"), nil))(t)
	for _, k := range []string{"z", "y", "x"} {
		ok(t, m.Set(k, k+k))
	}
	dst := t.TempDir() + "/copy"
	ok(t, m.Backup(dst))
	wantErr(t, "Backup onto an existing copy", m.Backup(dst), fscollections.ErrInvalidOptions)
	c := must(fscollections.OpenMap[string](dst, nil))(t)
	ks, vs := mapEntries(t, c)
	equal(t, "backup keys", ks, []string{"z", "y", "x"})
	equal(t, "backup values", vs, []string{"zz", "yy", "xx"})

	l := must(openList[int](e, e.fresh("backup-list"), nil))(t)
	ok(t, l.Append(3, 1, 2))
	ok(t, l.Backup(dst+"-list"))
	lc := must(fscollections.OpenList[int](dst+"-list", nil))(t)
	equal(t, "backup list", listItems(t, lc), []int{3, 1, 2})

	s := must(openSet[int](e, e.fresh("backup-set"), nil))(t)
	ok(t, s.Add(5))
	ok(t, s.Add(4))
	ok(t, s.Backup(dst+"-set"))
	sc := must(fscollections.OpenSet[int](dst+"-set", nil))(t)
	equal(t, "backup set", setItems(t, sc), []int{5, 4})
}

// contractDeleteManyFunc: fn is asked about each present key, in order,
// with its index and value; only what it condemns goes.
func contractDeleteManyFunc(t *testing.T, e *engineUnderTest) {
	m := must(openMap[string](e, e.fresh("delete-func"), nil))(t)
	keys := make([]string, 2100) // more than one batch
	vals := make([]string, len(keys))
	for i := range keys {
		keys[i], vals[i] = fmt.Sprintf("k%04d", i), fmt.Sprint(i%3)
	}
	ok(t, m.SetMany(keys, vals))
	var asked []int
	n, err := m.DeleteManyFunc(keys, func(i int, v string) bool {
		if v != fmt.Sprint(i%3) {
			t.Errorf("fn(%d) saw %q, want %q", i, v, fmt.Sprint(i%3))
		}
		asked = append(asked, i)
		return v == "0"
	})
	ok(t, err)
	if n != 700 || m.Len() != 1400 || len(asked) != len(keys) || !slices.IsSorted(asked) {
		t.Fatalf("DeleteManyFunc = %d (Len %d, asked %d, in order %v); want 700 (Len 1400, asked 2100)", n, m.Len(), len(asked), slices.IsSorted(asked))
	}
	for i, k := range keys {
		if m.Contains(k) != (i%3 != 0) {
			t.Fatalf("%s present = %v after deleting the zeros", k, m.Contains(k))
		}
	}
	// Missing keys are not asked about; a key condemned once is gone for
	// its later occurrences; a key spared is asked about again.
	asked = asked[:0]
	n, err = m.DeleteManyFunc([]string{"k0000", "k0001", "k0001", "k0002", "k0002", "nope"}, func(i int, v string) bool {
		asked = append(asked, i)
		return i != 3
	})
	ok(t, err)
	if n != 2 {
		t.Fatalf("DeleteManyFunc with repeats = %d, want 2 (k0001 at 1, k0002 at 4)", n)
	}
	equal(t, "indexes asked about", asked, []int{1, 3, 4})
	if m.Contains("k0001") || m.Contains("k0002") {
		t.Fatal("a condemned key is still there")
	}
	if n, err := m.DeleteManyFunc(nil, func(int, string) bool { return true }); n != 0 || err != nil {
		t.Fatalf("DeleteManyFunc of no keys = %d, %v", n, err)
	}
	// A view prefixes its keys; fn sees the view's indexes.
	v := m.Sub("p/")
	ok(t, v.SetMany([]string{"a", "b"}, []string{"1", "2"}))
	n, err = v.DeleteManyFunc([]string{"a", "b"}, func(i int, val string) bool { return val == "2" })
	if err != nil || n != 1 || !v.Contains("a") || m.Contains("p/b") {
		t.Fatalf("view DeleteManyFunc = %d, %v", n, err)
	}
	ao := must(openMap[string](e, e.fresh("delete-func-ao"), &fscollections.Options{AppendOnly: true}))(t)
	ok(t, ao.Set("a", "1"))
	_, err = ao.DeleteManyFunc([]string{"a"}, func(int, string) bool { return true })
	wantErr(t, "DeleteManyFunc on an append-only map", err, fscollections.ErrAppendOnly)
	ok(t, m.Close())
	_, err = m.DeleteManyFunc([]string{"k0003"}, func(int, string) bool { return true })
	wantErr(t, "DeleteManyFunc after Close", err, fscollections.ErrClosed)
}

// contractDeleteManyFuncRace: a value written while DeleteManyFunc runs
// is never deleted on the strength of the value it replaced. Every key
// starts "doomed" and fn condemns only that value; a writer sets keys to
// "kept" meanwhile. Whether each write lands before fn reads its key,
// between the read and the deletion, or after, the key ends "kept".
func contractDeleteManyFuncRace(t *testing.T, e *engineUnderTest) {
	m := must(openMap[string](e, e.fresh("delete-func-race"), nil))(t)
	keys := make([]string, 5000)
	vals := make([]string, len(keys))
	for i := range keys {
		keys[i], vals[i] = fmt.Sprintf("k%04d", i), "doomed"
	}
	ok(t, m.SetMany(keys, vals))
	written := map[string]bool{}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < len(keys); i += 7 {
			k := keys[(i*389)%len(keys)]
			if err := m.Set(k, "kept"); err != nil {
				t.Error(err)
				return
			}
			written[k] = true
		}
	}()
	_, err := m.DeleteManyFunc(keys, func(_ int, v string) bool { return v == "doomed" })
	ok(t, err)
	wg.Wait()
	for _, k := range keys {
		v, found, err := m.Lookup(k)
		ok(t, err)
		if written[k] && (!found || v != "kept") {
			t.Fatalf("%s, written %q during DeleteManyFunc, is %q (present %v)", k, "kept", v, found)
		}
		if !written[k] && found {
			t.Fatalf("%s, never written, survived as %q", k, v)
		}
	}
}

// contractComputeRace: concurrent Computes on one key lose no update.
func contractComputeRace(t *testing.T, e *engineUnderTest) {
	m := must(openMap[int](e, e.fresh("counter"), nil))(t)
	const goroutines, each = 4, 50
	var wg sync.WaitGroup
	for range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				if _, _, err := m.Compute("n", func(n int, _ bool) (int, fscollections.ComputeOp) {
					return n + 1, fscollections.UpdateOp
				}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if v, err := m.Get("n"); err != nil || v != goroutines*each {
		t.Fatalf("counter = %d, %v; want %d", v, err, goroutines*each)
	}
}

func contractMapBatches(t *testing.T, e *engineUnderTest) {
	m := must(openMap[string](e, e.fresh("batches"), nil))(t)
	keys := make([]string, 2500)
	vals := make([]string, len(keys))
	for i := range keys {
		keys[i], vals[i] = fmt.Sprintf("k%05d", i), fmt.Sprintf("v%d", i)
	}
	ok(t, m.SetMany(keys, vals))
	if m.Len() != len(keys) {
		t.Fatalf("Len after SetMany = %d", m.Len())
	}
	got, found, err := m.GetMany("k00007", "missing", "k02499", "k00007")
	ok(t, err)
	if !slices.Equal(found, []bool{true, false, true, true}) || !slices.Equal(got, []string{"v7", "", "v2499", "v7"}) {
		t.Fatalf("GetMany = %q, %v", got, found)
	}
	var funcGot []string
	ok(t, m.GetManyFunc([]string{"k00003", "missing", "k00004"}, func(i int, v string, found bool) {
		funcGot = append(funcGot, fmt.Sprint(i, v, found))
	}))
	equal(t, "GetManyFunc", funcGot, []string{"0v3true", "1false", "2v4true"})
	all, found, err := m.GetMany(keys...)
	ok(t, err)
	if !slices.Equal(all, vals) || slices.Contains(found, false) {
		t.Fatal("GetMany of every key differs from what SetMany wrote")
	}
	// Order: SetMany's keys in order; an overwrite keeps its place.
	ok(t, m.SetMany([]string{"k00001", "new"}, []string{"again", "n"}))
	ks := collect(m.Keys())
	if ks[1] != "k00001" || ks[len(ks)-1] != "new" {
		t.Fatalf("order after SetMany: %v … %v", ks[:3], ks[len(ks)-1])
	}
	wantErr(t, "SetMany with unequal lengths", m.SetMany([]string{"a"}, nil), fscollections.ErrInvalidOptions)
	n, err := m.DeleteMany(append(keys[:2000:2000], "missing", "k00000")...)
	if err != nil || n != 2000 {
		t.Fatalf("DeleteMany = %d, %v; want 2000", n, err)
	}
	if m.Len() != 501 {
		t.Fatalf("Len after DeleteMany = %d, want 501", m.Len())
	}
	// A view prefixes its keys.
	v := m.Sub("p/")
	ok(t, v.SetMany([]string{"a", "b"}, []string{"1", "2"}))
	if x, _ := m.Get("p/b"); x != "2" {
		t.Fatalf("view SetMany wrote p/b = %q", x)
	}
	if got, found, err := v.GetMany("a", "zz"); err != nil || got[0] != "1" || found[1] {
		t.Fatalf("view GetMany = %q, %v, %v", got, found, err)
	}
	// RangeViews sees what Range sees, keys as bytes; a view strips its prefix.
	var viewKeys, rangeKeys []string
	ok(t, m.RangeViews(func(k []byte, val string) bool {
		viewKeys = append(viewKeys, string(k)+"="+strings.Clone(val))
		return true
	}))
	ok(t, m.Range(func(k, val string) bool { rangeKeys = append(rangeKeys, k+"="+val); return true }))
	equal(t, "RangeViews", viewKeys, rangeKeys)
	stopped := 0
	ok(t, m.RangeViews(func([]byte, string) bool { stopped++; return stopped < 3 }))
	if stopped != 3 {
		t.Fatalf("RangeViews went on after fn returned false: %d calls", stopped)
	}
	viewKeys = viewKeys[:0]
	ok(t, v.RangeViews(func(k []byte, val string) bool { viewKeys = append(viewKeys, string(k)+"="+val); return true }))
	equal(t, "view RangeViews", viewKeys, []string{"a=1", "b=2"})
	if n, err := v.DeleteMany("a", "b"); err != nil || n != 2 {
		t.Fatalf("view DeleteMany = %d, %v", n, err)
	}
	ao := must(openMap[string](e, e.fresh("batches-ao"), &fscollections.Options{AppendOnly: true}))(t)
	ok(t, ao.SetMany([]string{"a"}, []string{"1"}))
	_, err = ao.DeleteMany("a")
	wantErr(t, "DeleteMany on an append-only map", err, fscollections.ErrAppendOnly)
	wantErr(t, "SetMany of an existing key, append-only", ao.SetMany([]string{"a"}, []string{"2"}), fscollections.ErrAppendOnly)
	ok(t, m.Close())
	_, _, err = m.GetMany("a")
	wantErr(t, "GetMany after Close", err, fscollections.ErrClosed)
	wantErr(t, "RangeViews after Close", m.RangeViews(func([]byte, string) bool { return true }), fscollections.ErrClosed)
}
