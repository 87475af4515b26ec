package fscollections_test

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/fscollections/fscollections"
)

func TestOpenRejectsNonsenseOptions(t *testing.T) {
	dir := t.TempDir()
	for name, o := range map[string]fscollections.Options{
		"cache size without cache": {CacheSize: 10},
		"negative cache size":      {Cache: fscollections.LRU, CacheSize: -1},
		"unknown cache":            {Cache: 9},
		"unknown sync":             {Sync: 9},
		"interval without policy":  {SyncInterval: time.Second},
		"negative interval":        {Sync: fscollections.SyncInterval, SyncInterval: -1},
		"threshold 1":              {CompactionThreshold: 1},
		"threshold NaN":            {CompactionThreshold: math.NaN()},
		"negative lock timeout":    {LockTimeout: -time.Second},
		"wrong codec":              {Codec: "not a codec"},
		"autocompact with shared":  {AutoCompact: true, Shared: true},
	} {
		_, err := fscollections.OpenList[int64](filepath.Join(dir, "x"), &o)
		if !errors.Is(err, fscollections.ErrInvalidOptions) {
			t.Errorf("%s: %v, want ErrInvalidOptions", name, err)
		}
	}
	if _, err := fscollections.OpenList[string]("", &fscollections.Options{AutoCompact: true}); !errors.Is(err, fscollections.ErrInvalidOptions) {
		t.Errorf("AutoCompact on variable-size values: %v", err)
	}
	if _, err := fscollections.OpenMap[int64]("", &fscollections.Options{AutoCompact: true}); !errors.Is(err, fscollections.ErrInvalidOptions) {
		t.Errorf("AutoCompact on a map: %v", err)
	}
	if _, err := fscollections.OpenSet[string]("", &fscollections.Options{Shared: true}); !errors.Is(err, fscollections.ErrInvalidOptions) {
		t.Errorf("temporary Shared: %v", err)
	}
	if _, err := fscollections.OpenList[string](dir, nil); !errors.Is(err, fscollections.ErrInvalidOptions) {
		t.Errorf("path is a directory: %v", err)
	}
	if _, err := fscollections.OpenList[string](filepath.Join(dir, "missing"), &fscollections.Options{ReadOnly: true}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("read-only open of nothing: %v", err)
	}
}

func TestUnsupportedTypes(t *testing.T) {
	type withChan struct{ C chan int }
	if _, err := fscollections.OpenList[chan int]("", nil); !errors.Is(err, fscollections.ErrUnsupportedType) {
		t.Errorf("chan: %v", err)
	}
	if _, err := fscollections.OpenList[func()]("", nil); !errors.Is(err, fscollections.ErrUnsupportedType) {
		t.Errorf("func: %v", err)
	}
	if _, err := fscollections.OpenMap[withChan]("", nil); !errors.Is(err, fscollections.ErrUnsupportedType) {
		t.Errorf("struct with chan: %v", err)
	}
}

func roundTrip[T any](t *testing.T, vs ...T) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "rt")
	l, err := fscollections.OpenList[T](path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Append(vs...); err != nil {
		t.Fatal(err)
	}
	l.Close()
	if l, err = fscollections.OpenList[T](path, nil); err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	got, err := l.Slice(0, l.Len())
	if err != nil {
		t.Fatal(err)
	}
	a, _ := fscollections.CodecFor[T]()
	for i := range vs {
		x, _ := a.Append(nil, vs[i])
		y, _ := a.Append(nil, got[i])
		if string(x) != string(y) {
			t.Fatalf("%T element %d: got %v, want %v", vs[i], i, got[i], vs[i])
		}
	}
}

type point struct{ X, Y int }

func TestBuiltinCodecsRoundTrip(t *testing.T) {
	roundTrip(t, int8(-8), math.MaxInt8)
	roundTrip(t, int16(-16), math.MinInt16)
	roundTrip(t, int32(-32), math.MaxInt32)
	roundTrip(t, int64(-64), math.MinInt64)
	roundTrip(t, -1, math.MaxInt)
	roundTrip(t, uint8(8), 255)
	roundTrip(t, uint16(16), 65535)
	roundTrip(t, uint32(32), math.MaxUint32)
	roundTrip(t, uint64(math.MaxUint64), 0)
	roundTrip(t, uint(7), 9)
	roundTrip(t, uintptr(9), 1)
	roundTrip(t, float32(1.5), float32(math.Inf(-1)))
	roundTrip(t, math.Pi, math.SmallestNonzeroFloat64)
	roundTrip(t, true, false)
	roundTrip(t, "", "héllo", string(make([]byte, 5000)))
	roundTrip(t, []byte{}, []byte{0, 1, 2})
	roundTrip(t, uuid.New(), uuid.Nil)
	roundTrip(t, time.Now(), time.Time{}, time.Date(2020, 1, 2, 3, 4, 5, 6, time.FixedZone("X", 3600)))
	roundTrip(t, point{1, 2}, point{-3, 4})
	roundTrip(t, map[string]int{"a": 1, "b": 2})
	roundTrip(t, []string{"x", "y"})
}

func TestTemporaryCollectionsCleanUp(t *testing.T) {
	s, err := fscollections.OpenSet[string]("", nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(s.Path())
	if st, err := os.Stat(dir); err != nil || st.Mode().Perm() != 0o700 {
		t.Fatalf("temp dir %s: %v, mode %v", dir, err, st.Mode().Perm())
	}
	_ = s.Add("x")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("after Close the temp dir is still there: %v", err)
	}
	m, err := fscollections.OpenMap[int]("", nil)
	if err != nil {
		t.Fatal(err)
	}
	dir = filepath.Dir(m.Path())
	if err := m.Destroy(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("after Destroy the temp dir is still there: %v", err)
	}
	if err := m.Set("a", 1); !errors.Is(err, fscollections.ErrClosed) {
		t.Fatalf("Set after Destroy: %v", err)
	}
}

func TestDestroyRemovesFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "l")
	l := openList[int](t, path, nil)
	_ = l.Append(1)
	if err := l.Destroy(); err != nil {
		t.Fatal(err)
	}
	if m, _ := filepath.Glob(path + "*"); len(m) != 0 {
		t.Fatalf("files left: %v", m)
	}
}

// Loops that read and write the collection they range over finish: no
// iterator holds a lock while the loop body runs.
func TestMutatingWhileIterating(t *testing.T) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		l := openList[int](t, "", nil)
		defer l.Close()
		_ = l.Append(1, 2, 3)
		for i, v := range l.All() {
			if _, err := l.Get(i); err != nil {
				t.Error(err)
			}
			if v < 100 && l.Len() < 400 {
				_ = l.Append(v + 100)
			}
			_ = l.Set(i, v)
		}
		for range l.Backward() {
			_, _ = l.Pop(0)
		}
		m, _ := fscollections.OpenMap[int]("", nil)
		defer m.Close()
		for i := range 300 {
			_ = m.Set(string(rune('a'+i%26))+string(rune('a'+i/26)), i)
		}
		seen := 0
		for k, v := range m.All() {
			_ = m.Delete(k)
			_ = m.Set(k+"!", v) // moves the key to the end: the loop meets it again
			if seen++; seen == 1000 {
				break
			}
		}
		for k := range m.Keys() {
			if k == "ab" {
				_ = m.Clear()
			}
		}
		s, _ := fscollections.OpenSet[int]("", nil)
		defer s.Close()
		_ = s.Add(1)
		for v := range s.All() {
			_ = s.Add(v + 1)
			if v > 50 {
				break
			}
		}
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("a loop mutating its collection did not finish: deadlock?")
	}
}

// Concurrent readers and writers on each kind: run with -race.
func TestConcurrentUse(t *testing.T) {
	l := openList[int](t, "", &fscollections.Options{Cache: fscollections.LFU, CacheSize: 32})
	defer l.Close()
	m, _ := fscollections.OpenMap[string]("", &fscollections.Options{Sync: fscollections.SyncAlways})
	defer m.Close()
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 300 {
				_ = l.Append(i)
				if n := l.Len(); n > 0 {
					_, _ = l.Get(n / 2)
				}
				_ = m.Set(string(rune('a'+g)), "v")
				_, _ = m.Get("a")
				if i%50 == 0 {
					for range l.All() {
					}
					_ = l.Metrics()
				}
				if i == 150 && g == 0 {
					_ = l.Compact()
				}
			}
		}()
	}
	wg.Wait()
	if l.Len() != 1200 {
		t.Fatalf("Len %d, want 1200", l.Len())
	}
	if got := slices.Sorted(m.Keys()); !slices.Equal(got, []string{"a", "b", "c", "d"}) {
		t.Fatalf("keys %v", got)
	}
}
