package fscollections_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/fscollections/fscollections"
)

type onlyUnexported struct{ a, b int }

type withFunc struct {
	Name string
	F    func()
}

type withReader struct{ R io.Reader }

// Audit item 10: a struct with only unexported fields opened fine and
// stored {}: P{1, 2} read back as {0 0}. Item 16: the error for a func
// field put the package prefix in the middle of the message. Such types
// are refused at Open, with one prefix and the type and field named.
func TestUnstorableTypesAreRefusedByName(t *testing.T) {
	cases := []struct {
		err   error
		names []string
	}{}
	add := func(err error, names ...string) {
		cases = append(cases, struct {
			err   error
			names []string
		}{err, names})
	}
	if p := (onlyUnexported{1, 2}); p.a+p.b != 3 { // what would be lost
		t.Fatal(p)
	}
	_, err := fscollections.OpenList[onlyUnexported]("", nil)
	add(err, "fscollections_test.onlyUnexported", "no exported fields")
	_, err = fscollections.OpenMap[withFunc]("", nil)
	add(err, "fscollections_test.withFunc", "field F", "function")
	_, err = fscollections.OpenSet[map[string][]chan int]("", nil)
	add(err, "map[string][]chan int", "its value", "channel")
	_, err = fscollections.OpenList[withReader]("", nil)
	add(err, "field R", "interface with methods")
	_, err = fscollections.OpenList[complex128]("", nil)
	add(err, "complex128")
	for _, c := range cases {
		if !errors.Is(c.err, fscollections.ErrUnsupportedType) {
			t.Fatalf("%v: want ErrUnsupportedType", c.err)
		}
		msg := c.err.Error()
		if strings.Count(msg, "fscollections:") != 1 || !strings.HasPrefix(msg, "fscollections: unsupported type: ") {
			t.Errorf("%q: want one prefix, at the start", msg)
		}
		for _, n := range c.names {
			if !strings.Contains(msg, n) {
				t.Errorf("%q does not mention %q", msg, n)
			}
		}
	}
}

// Empty interfaces are what encoding/json stores: map[string]any and
// friends round-trip as json.Unmarshal returns them.
func TestAnyValuesRoundTripAsJSON(t *testing.T) {
	m, err := fscollections.OpenMap[map[string]any]("", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	doc := map[string]any{"name": "ada", "tags": []any{"x", 1.5}, "n": 2.0, "sub": map[string]any{"ok": true}}
	if err := m.Set("d", doc); err != nil {
		t.Fatal(err)
	}
	got, err := m.Get("d")
	if err != nil || got["name"] != "ada" || got["n"] != 2.0 || got["tags"].([]any)[1] != 1.5 || got["sub"].(map[string]any)["ok"] != true {
		t.Fatalf("Get = %#v, %v", got, err)
	}
}

// Audit item 11: a collection handle as a value type stored {} and what Get
// returned panicked on use: a handle by pointer is now a nested collection
// (a reference), and a collection struct by value is refused. The zero value of each
// collection type (and a nil pointer) answers like a closed collection.
func TestHandlesAreNotValuesAndZeroValuesDoNotPanic(t *testing.T) {
	// (Handles as pointers are nested collections: see nested_test.go.)
	_, err := fscollections.OpenList[fscollections.FSMap[string]]("", nil)
	if !errors.Is(err, fscollections.ErrUnsupportedType) {
		t.Fatalf("OpenList[FSMap[string]] = %v", err)
	}

	var zm fscollections.FSMap[int]
	var nl *fscollections.FSList[string]
	var zs fscollections.FSSet[int]
	closed := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, fscollections.ErrClosed) {
			t.Errorf("%s = %v; want ErrClosed", what, err)
		}
	}
	if zm.Len() != 0 || zm.Contains("k") || nl.Len() != 0 || zs.Len() != 0 || zs.Contains(1) || zm.Path() != "" || nl.Path() != "" {
		t.Error("a zero collection claims contents")
	}
	_, err = zm.Get("k")
	closed("zero FSMap Get", err)
	closed("zero FSMap Set", zm.Set("k", 1))
	closed("zero FSMap Delete", zm.Delete("k"))
	_, _, err = zm.PopItem()
	closed("zero FSMap PopItem", err)
	closed("zero FSMap Compact", zm.Compact())
	closed("zero FSMap Sync", zm.Sync())
	for range zm.All() {
		t.Error("a zero FSMap yields")
	}
	_ = zm.Metrics()
	if err := zm.Close(); err != nil {
		t.Errorf("zero FSMap Close = %v", err)
	}
	closed("nil FSList Append", nl.Append("x"))
	_, err = nl.Get(0)
	closed("nil FSList Get", err)
	_, err = nl.Pop(0)
	closed("nil FSList Pop", err)
	for range nl.All() {
		t.Error("a nil FSList yields")
	}
	for range nl.Backward() {
		t.Error("a nil FSList yields")
	}
	_, err = nl.Slice(0, 0)
	closed("nil FSList Slice", err)
	closed("nil FSList Destroy", nl.Destroy())
	closed("zero FSSet Add", zs.Add(1))
	_, err = zs.Pop()
	closed("zero FSSet Pop", err)
	for range zs.All() {
		t.Error("a zero FSSet yields")
	}
}

// Audit item 14: a path ending in a separator created hidden files named
// ".data.fscollection" in that directory.
func TestPathNamingADirectoryIsInvalid(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{dir + "/trail/", dir + "/.", dir + "/.."} {
		if _, err := fscollections.OpenList[int](p, nil); !errors.Is(err, fscollections.ErrInvalidOptions) {
			t.Errorf("OpenList(%q) = %v; want ErrInvalidOptions", p, err)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("files were created: %v", entries)
	}
}

// Audit item 15: one 1 GiB value kept a 1 GiB scratch buffer alive until
// Close. After a large Set, the heap holds nothing of its size.
func TestLargeValueLeavesNoBufferBehind(t *testing.T) {
	m, err := fscollections.OpenMap[[]byte](filepath.Join(t.TempDir(), "m"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	const size = 64 << 20
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	if err := m.Set("big", make([]byte, size)); err != nil {
		t.Fatal(err)
	}
	if err := m.Set("small", []byte("x")); err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	if grew := int64(after.HeapAlloc) - int64(before.HeapAlloc); grew > size/4 {
		t.Fatalf("the heap grew by %d MiB after a %d MiB Set", grew>>20, size>>20)
	}
}
