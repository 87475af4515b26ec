package fscollections_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/fscollections/fscollections"
)

// damagedList returns a list of 300 elements whose element 200 has a
// flipped byte in its value: reading it gives ErrCorrupt.
func damagedList(t *testing.T) *fscollections.FSList[string] {
	t.Helper()
	return damagedListAt(t, 300, 200)
}

// damagedListAt returns a list of n elements whose element damaged has a
// flipped byte in its value. The list is closed when the test ends.
func damagedListAt(t *testing.T, n, damaged int) *fscollections.FSList[string] {
	t.Helper()
	path := filepath.Join(t.TempDir(), "l")
	l, err := fscollections.OpenList[string](path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if err := l.Append(fmt.Sprintf("element-%04d", i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path + ".data.fscollection")
	if err != nil {
		t.Fatal(err)
	}
	at := bytes.Index(data, fmt.Appendf(nil, "element-%04d", damaged))
	if at < 0 {
		t.Fatalf("element %d not found in the data file", damaged)
	}
	data[at+3] ^= 0x20
	if err := os.WriteFile(path+".data.fscollection", data, 0o644); err != nil {
		t.Fatal(err)
	}
	l, err = fscollections.OpenList[string](path, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// Range's error is its own: a loop that hits damage gets ErrCorrupt, a
// loop that stops before it gets nil, and neither touches Err.
func TestRangeErrorIsPerIteration(t *testing.T) {
	l := damagedList(t)
	seen := 0
	err := l.Range(func(i int, v string) bool { seen++; return true })
	if !errors.Is(err, fscollections.ErrCorrupt) || seen != 200 {
		t.Fatalf("Range over the damage: %v after %d elements; want ErrCorrupt after 200", err, seen)
	}
	if err := l.Range(func(i int, v string) bool { return i < 100 }); err != nil {
		t.Fatalf("Range stopped before the damage: %v", err)
	}
	if err := l.Err(); err != nil {
		t.Fatalf("Err after Range: %v (Range must not report through Err)", err)
	}
	// Concurrent loops on one handle: each gets its own outcome.
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				stopEarly := g%2 == 0
				err := l.Range(func(i int, _ string) bool { return !stopEarly || i < 50 })
				if stopEarly && err != nil || !stopEarly && !errors.Is(err, fscollections.ErrCorrupt) {
					t.Errorf("goroutine %d (stop early %v): %v", g, stopEarly, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := l.Range(func(int, string) bool { return true }); !errors.Is(err, fscollections.ErrClosed) {
		t.Fatalf("Range after Close: %v", err)
	}
}

func TestMapAndSetRange(t *testing.T) {
	m, err := fscollections.OpenMap[int]("", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	s, err := fscollections.OpenSet[string]("", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i, k := range []string{"user/b", "other", "user/a"} {
		if err := m.Set(k, i); err != nil {
			t.Fatal(err)
		}
		if err := s.Add(k); err != nil {
			t.Fatal(err)
		}
	}
	var keys []string
	if err := m.Sub("user/").Range(func(k string, v int) bool { keys = append(keys, k); return true }); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(keys) != "[b a]" {
		t.Fatalf("view Range keys = %v", keys)
	}
	var elems []string
	if err := s.Range(func(v string) bool { elems = append(elems, v); return len(elems) < 2 }); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(elems) != "[user/b other]" {
		t.Fatalf("set Range stopped after 2: %v", elems)
	}
	m.Close()
	s.Close()
	if err := m.Range(func(string, int) bool { return true }); !errors.Is(err, fscollections.ErrClosed) {
		t.Fatalf("map Range after Close: %v", err)
	}
	if err := s.Range(func(string) bool { return true }); !errors.Is(err, fscollections.ErrClosed) {
		t.Fatalf("set Range after Close: %v", err)
	}
}

// RangeViews reads what Range reads without copying: struct values are
// decoded, damage is the call's own ErrCorrupt after the entries before
// it, and a loop runs safely beside writers (go test -race).
func TestRangeViews(t *testing.T) {
	type point struct{ X, Y int }
	path := filepath.Join(t.TempDir(), "m")
	m, err := fscollections.OpenMap[point](path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3000 {
		if err := m.Set(fmt.Sprintf("key-%04d", i), point{i, -i}); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	err = m.RangeViews(func(k []byte, p point) bool {
		if string(k) != fmt.Sprintf("key-%04d", n) || p != (point{n, -n}) {
			t.Fatalf("entry %d: %s = %v", n, k, p)
		}
		n++
		return true
	})
	if err != nil || n != 3000 {
		t.Fatalf("RangeViews: %v after %d entries", err, n)
	}

	// Beside writers: every entry present before the loop is seen once.
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 3000; i < 6000; i++ {
			if err := m.Set(fmt.Sprintf("key-%04d", i), point{i, -i}); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	seen := map[string]bool{}
	err = m.RangeViews(func(k []byte, p point) bool {
		if seen[string(k)] {
			t.Errorf("%s seen twice", k)
		}
		seen[string(k)] = true
		return true
	})
	wg.Wait()
	if err != nil || len(seen) < 3000 {
		t.Fatalf("RangeViews beside a writer: %v, %d keys", err, len(seen))
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}

	// Damage: the entries before it, then ErrCorrupt naming the file.
	data, err := os.ReadFile(path + ".data.fscollection")
	if err != nil {
		t.Fatal(err)
	}
	at := bytes.Index(data, []byte("key-2000"))
	data[at+5] ^= 0x01
	if err := os.WriteFile(path+".data.fscollection", data, 0o644); err != nil {
		t.Fatal(err)
	}
	m, err = fscollections.OpenMap[point](path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	n = 0
	err = m.RangeViews(func([]byte, point) bool { n++; return true })
	if !errors.Is(err, fscollections.ErrCorrupt) || n != 2000 {
		t.Fatalf("RangeViews over damage: %v after %d entries; want ErrCorrupt after 2000", err, n)
	}
	if err := m.Err(); err != nil {
		t.Fatalf("RangeViews's error reached the handle's Err: %v", err)
	}
}

// Records of a run are verified three at a time; whichever of the three is
// damaged, a scan hands over every element before it, then stops with
// ErrCorrupt naming the file.
func TestScanStopsAtTheDamagedElementOfAGroup(t *testing.T) {
	for damaged := range 7 {
		l := damagedListAt(t, 10, damaged)
		var got []string
		err := l.Range(func(_ int, v string) bool { got = append(got, v); return true })
		if !errors.Is(err, fscollections.ErrCorrupt) || !strings.Contains(err.Error(), l.Path()) {
			t.Fatalf("element %d damaged: Range = %v, want ErrCorrupt naming %s", damaged, err, l.Path())
		}
		if len(got) != damaged {
			t.Fatalf("element %d damaged: Range handed over %q, want the %d before it", damaged, got, damaged)
		}
	}
}
