package fscollections_test

import (
	"errors"
	"path/filepath"
	"slices"
	"testing"

	"github.com/fscollections/fscollections"
)

func openList[T any](t *testing.T, path string, opts *fscollections.Options) *fscollections.FSList[T] {
	t.Helper()
	l, err := fscollections.OpenList[T](path, opts)
	if err != nil {
		t.Fatalf("OpenList(%q): %v", path, err)
	}
	return l
}

func listContents[T any](t *testing.T, l *fscollections.FSList[T]) []T {
	t.Helper()
	var out []T
	for _, v := range l.All() {
		out = append(out, v)
	}
	if err := l.Err(); err != nil {
		t.Fatalf("iteration: %v", err)
	}
	return out
}

func TestListBehavesLikeASlice(t *testing.T) {
	path := filepath.Join(t.TempDir(), "l")
	l := openList[int64](t, path, nil)
	var model []int64
	check := func(step string) {
		t.Helper()
		if got := listContents(t, l); !slices.Equal(got, model) {
			t.Fatalf("%s: list %v, model %v", step, got, model)
		}
		if l.Len() != len(model) {
			t.Fatalf("%s: Len %d, want %d", step, l.Len(), len(model))
		}
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(l.Append(1, 2, 3, 4, 5))
	model = append(model, 1, 2, 3, 4, 5)
	check("append")
	must(l.Insert(0, 10))
	model = slices.Insert(model, 0, 10)
	must(l.Insert(3, 30))
	model = slices.Insert(model, 3, 30)
	must(l.Insert(l.Len(), 99))
	model = append(model, 99)
	check("insert")
	v, err := l.Pop(2)
	must(err)
	if v != model[2] {
		t.Fatalf("Pop(2) = %d, want %d", v, model[2])
	}
	model = slices.Delete(model, 2, 3)
	must(l.Set(1, 77))
	model[1] = 77
	check("pop and set")
	must(l.Reverse())
	slices.Reverse(model)
	check("reverse")
	must(l.Remove(30))
	model = slices.DeleteFunc(model, func(x int64) bool { return x == 30 })
	check("remove")
	if i, err := l.Index(77); err != nil || model[i] != 77 {
		t.Fatalf("Index(77) = %d, %v", i, err)
	}
	if n, _ := l.Count(77); n != 1 {
		t.Fatalf("Count(77) = %d", n)
	}
	if ok, _ := l.Contains(12345); ok {
		t.Fatal("Contains(12345) = true")
	}
	s, err := l.Slice(1, 4)
	must(err)
	if !slices.Equal(s, model[1:4]) {
		t.Fatalf("Slice(1,4) = %v, want %v", s, model[1:4])
	}
	var back []int64
	for _, v := range l.Backward() {
		back = append(back, v)
	}
	want := slices.Clone(model)
	slices.Reverse(want)
	if !slices.Equal(back, want) {
		t.Fatalf("Backward = %v, want %v", back, want)
	}
	must(l.Close())
	l = openList[int64](t, path, nil)
	check("reopen")
	if m := l.Metrics(); m.RecordsReplayed != 0 || !m.CleanShutdown {
		t.Fatalf("clean reopen replayed %d records (clean=%v)", m.RecordsReplayed, m.CleanShutdown)
	}
	must(l.Clear())
	model = nil
	check("clear")
	must(l.Close())
}

func TestListErrors(t *testing.T) {
	l := openList[string](t, "", nil)
	if _, err := l.Get(0); !errors.Is(err, fscollections.ErrIndexOutOfRange) {
		t.Fatalf("Get(0) on empty: %v", err)
	}
	if _, err := l.Pop(0); !errors.Is(err, fscollections.ErrEmpty) {
		t.Fatalf("Pop on empty: %v", err)
	}
	if err := l.Insert(1, "x"); !errors.Is(err, fscollections.ErrIndexOutOfRange) {
		t.Fatalf("Insert(1) on empty: %v", err)
	}
	if err := l.Remove("x"); !errors.Is(err, fscollections.ErrNotFound) {
		t.Fatalf("Remove missing: %v", err)
	}
	if _, err := l.Slice(0, 1); !errors.Is(err, fscollections.ErrIndexOutOfRange) {
		t.Fatalf("Slice(0,1) on empty: %v", err)
	}
	_ = l.Append("a")
	_, err := l.Get(5)
	if !errors.Is(err, fscollections.ErrIndexOutOfRange) || err.Error() != "fscollections: index out of range: Get(5) on a list of length 1" {
		t.Fatalf("Get(5): %v", err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := l.Get(0); !errors.Is(err, fscollections.ErrClosed) {
		t.Fatalf("Get after Close: %v", err)
	}
	if err := l.Append("b"); !errors.Is(err, fscollections.ErrClosed) {
		t.Fatalf("Append after Close: %v", err)
	}
}

// Slice reads physically contiguous records as one run: a freshly
// appended list of 1,000 comes back in one read, not 1,000.
func TestSliceCoalescesContiguousRecords(t *testing.T) {
	l := openList[int64](t, "", nil)
	defer l.Close()
	for i := range 1000 {
		if err := l.Append(int64(i)); err != nil {
			t.Fatal(err)
		}
	}
	before := l.Metrics().Reads
	s, err := l.Slice(0, 1000)
	if err != nil || len(s) != 1000 || s[999] != 999 {
		t.Fatalf("Slice: %v", err)
	}
	if reads := l.Metrics().Reads - before; reads != 1 {
		t.Fatalf("Slice(0, 1000) took %d reads, want 1", reads)
	}
	// After a pop in the middle the run breaks in two.
	if _, err := l.Pop(500); err != nil {
		t.Fatal(err)
	}
	before = l.Metrics().Reads
	if _, err := l.Slice(0, 999); err != nil {
		t.Fatal(err)
	}
	if reads := l.Metrics().Reads - before; reads != 2 {
		t.Fatalf("Slice after a pop took %d reads, want 2", reads)
	}
}
