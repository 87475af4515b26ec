package fscollections_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/fscollections/fscollections"
)

func TestMapAtomicOperations(t *testing.T) {
	m, err := fscollections.OpenMap[int](filepath.Join(t.TempDir(), "m"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	must := func(ok bool, err error, want bool, what string) {
		t.Helper()
		if err != nil || ok != want {
			t.Fatalf("%s = %v, %v; want %v", what, ok, err, want)
		}
	}
	ok, err := m.CompareAndSwap("k", 0, 1)
	must(ok, err, false, "CompareAndSwap of an absent key")
	_ = m.Set("k", 1)
	ok, err = m.CompareAndSwap("k", 2, 3)
	must(ok, err, false, "CompareAndSwap with the wrong old value")
	ok, err = m.CompareAndSwap("k", 1, 3)
	must(ok, err, true, "CompareAndSwap")
	prev, loaded, err := m.Swap("k", 4)
	if err != nil || !loaded || prev != 3 {
		t.Fatalf("Swap = %d, %v, %v", prev, loaded, err)
	}
	prev, loaded, err = m.Swap("new", 9)
	if err != nil || loaded || prev != 0 {
		t.Fatalf("Swap of an absent key = %d, %v, %v", prev, loaded, err)
	}
	ok, err = m.CompareAndDelete("k", 3)
	must(ok, err, false, "CompareAndDelete with the wrong value")
	ok, err = m.CompareAndDelete("k", 4)
	must(ok, err, true, "CompareAndDelete")
	if m.Contains("k") {
		t.Fatal("k still there")
	}
	inc := func(n int, _ bool) (int, fscollections.ComputeOp) { return n + 1, fscollections.UpdateOp }
	v, ok, err := m.Compute("c", inc)
	if err != nil || !ok || v != 1 {
		t.Fatalf("Compute on an absent key = %d, %v, %v", v, ok, err)
	}
	v, ok, err = m.Compute("c", func(n int, loaded bool) (int, fscollections.ComputeOp) { return 99, fscollections.CancelOp })
	if err != nil || !ok || v != 1 {
		t.Fatalf("Compute cancel = %d, %v, %v", v, ok, err)
	}
	v, ok, err = m.Compute("c", func(n int, loaded bool) (int, fscollections.ComputeOp) { return 0, fscollections.DeleteOp })
	if err != nil || ok || v != 1 || m.Contains("c") {
		t.Fatalf("Compute delete = %d, %v, %v", v, ok, err)
	}
	v, ok, err = m.Compute("absent", func(n int, loaded bool) (int, fscollections.ComputeOp) { return 0, fscollections.DeleteOp })
	if err != nil || ok || v != 0 {
		t.Fatalf("Compute delete of an absent key = %d, %v, %v", v, ok, err)
	}
	// Concurrent increments lose nothing.
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 200 {
				if _, _, err := m.Compute("n", inc); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if n, _ := m.Get("n"); n != 1600 {
		t.Fatalf("8 × 200 increments gave %d", n)
	}
	m.Close()
	if _, _, err := m.Compute("n", inc); !errors.Is(err, fscollections.ErrClosed) {
		t.Fatalf("Compute on a closed map = %v", err)
	}
	if _, err := m.CompareAndSwap("n", 1, 2); !errors.Is(err, fscollections.ErrClosed) {
		t.Fatalf("CompareAndSwap on a closed map = %v", err)
	}
}

func TestAppendOnly(t *testing.T) {
	dir := t.TempDir()
	ao := &fscollections.Options{AppendOnly: true}
	isAO := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, fscollections.ErrAppendOnly) {
			t.Errorf("%s = %v; want ErrAppendOnly", what, err)
		}
	}
	m, err := fscollections.OpenMap[string](filepath.Join(dir, "m"), ao)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Set("a", "1"); err != nil {
		t.Fatal(err)
	}
	isAO("Set of an existing key", m.Set("a", "2"))
	isAO("Delete", m.Delete("a"))
	_, err = m.Pop("a")
	isAO("Pop", err)
	_, _, err = m.PopItem()
	isAO("PopItem", err)
	_, _, err = m.Swap("a", "3")
	isAO("Swap", err)
	_, err = m.CompareAndSwap("a", "1", "3")
	isAO("CompareAndSwap", err)
	_, err = m.CompareAndDelete("a", "1")
	isAO("CompareAndDelete", err)
	_, _, err = m.Compute("a", func(string, bool) (string, fscollections.ComputeOp) { return "x", fscollections.UpdateOp })
	isAO("Compute", err)
	isAO("Clear", m.Clear())
	if v, err := m.SetDefault("a", "other"); err != nil || v != "1" {
		t.Fatalf("SetDefault of an existing key = %q, %v", v, err)
	}
	if err := m.Set("b", "new keys are fine"); err != nil || m.Compact() != nil {
		t.Fatal(err)
	}
	if v, _ := m.Get("a"); v != "1" || m.Len() != 2 {
		t.Fatalf("a = %q, Len %d", v, m.Len())
	}
	m.Close()

	s, _ := fscollections.OpenSet[int](filepath.Join(dir, "s"), ao)
	_ = s.Add(1)
	if err := s.Add(1); err != nil {
		t.Fatalf("adding a present element: %v", err)
	}
	isAO("Remove", s.Remove(1))
	isAO("Discard", s.Discard(1))
	_, err = s.Pop()
	isAO("set Pop", err)
	_, err = s.RetainAll(nil)
	isAO("RetainAll", err)
	isAO("set Clear", s.Clear())
	s.Close()

	l, _ := fscollections.OpenList[int](filepath.Join(dir, "l"), ao)
	if err := l.Append(1, 2); err != nil || l.Insert(2, 3) != nil {
		t.Fatal("Append and Insert at Len() append")
	}
	isAO("list Set", l.Set(0, 9))
	isAO("list Insert", l.Insert(0, 9))
	_, err = l.Pop(0)
	isAO("list Pop", err)
	isAO("list Remove", l.Remove(1))
	isAO("Reverse", l.Reverse())
	isAO("list Clear", l.Clear())
	if got, _ := l.Slice(0, l.Len()); fmt.Sprint(got) != "[1 2 3]" {
		t.Fatalf("list holds %v", got)
	}
	l.Close()
}

func ExampleFSMap_Compute() {
	m, _ := fscollections.OpenMap[int]("", nil)
	defer m.Close()
	for _, w := range []string{"to", "be", "or", "not", "to", "be"} {
		_, _, _ = m.Compute(w, func(n int, _ bool) (int, fscollections.ComputeOp) { return n + 1, fscollections.UpdateOp })
	}
	for w, n := range m.All() {
		fmt.Println(w, n)
	}
	// Output:
	// to 2
	// be 2
	// or 1
	// not 1
}

func ExampleFSMap_CompareAndSwap() {
	m, _ := fscollections.OpenMap[string]("", nil)
	defer m.Close()
	_ = m.Set("state", "idle")
	won, _ := m.CompareAndSwap("state", "idle", "running")
	again, _ := m.CompareAndSwap("state", "idle", "running")
	fmt.Println(won, again)
	// Output: true false
}
