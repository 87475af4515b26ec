package fscollections_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/fscollections/fscollections"
)

var snappyOpts = &fscollections.Options{Compression: fscollections.Snappy}

// repetitive is the i-th value of a kind that compresses well: a JSON-like
// record with repeated field names and padding.
func repetitive(i int) []byte {
	return fmt.Appendf(nil, `{"id":%d,"name":"user-%d","status":"active","note":"%s"}`, i, i, bytes.Repeat([]byte("x"), 60))
}

func dataSize(t *testing.T, base string) int64 {
	t.Helper()
	fi, err := os.Stat(base + ".data.fscollection")
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

func TestSnappyMapRoundTripsAndShrinksTheDataFile(t *testing.T) {
	dir := t.TempDir()
	const n = 2000
	plain, packed := filepath.Join(dir, "plain"), filepath.Join(dir, "packed")
	for _, c := range []struct {
		path string
		opts *fscollections.Options
	}{{plain, nil}, {packed, snappyOpts}} {
		m, err := fscollections.OpenMap[[]byte](c.path, c.opts)
		if err != nil {
			t.Fatal(err)
		}
		for i := range n {
			if err := m.Set(fmt.Sprint(i), repetitive(i)); err != nil {
				t.Fatal(err)
			}
		}
		if err := m.Set("empty", []byte{}); err != nil {
			t.Fatal(err)
		}
		if err := m.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if p, c := dataSize(t, plain), dataSize(t, packed); c > p*2/3 {
		t.Errorf("compressed data file %d bytes, uncompressed %d: want at most two thirds", c, p)
	}

	m, err := fscollections.OpenMap[[]byte](packed, snappyOpts)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	check := func(what string) {
		t.Helper()
		for _, i := range []int{0, 1, n / 2, n - 1} {
			if v, err := m.Get(fmt.Sprint(i)); err != nil || !bytes.Equal(v, repetitive(i)) {
				t.Fatalf("%s: Get(%d) = %q, %v", what, i, v, err)
			}
		}
		if v, err := m.Get("empty"); err != nil || len(v) != 0 {
			t.Fatalf("%s: Get(empty) = %q, %v", what, v, err)
		}
		seen := 0
		if err := m.RangeViews(func(k []byte, v []byte) bool {
			if string(k) != "empty" {
				var i int
				fmt.Sscan(string(k), &i)
				if !bytes.Equal(v, repetitive(i)) {
					t.Fatalf("%s: RangeViews %s = %q", what, k, v)
				}
			}
			seen++
			return true
		}); err != nil || seen != m.Len() {
			t.Fatalf("%s: RangeViews saw %d of %d: %v", what, seen, m.Len(), err)
		}
		vals, found, err := m.GetMany("7", "missing", "8")
		if err != nil || !found[0] || found[1] || !bytes.Equal(vals[0], repetitive(7)) || !bytes.Equal(vals[2], repetitive(8)) {
			t.Fatalf("%s: GetMany: %q %v %v", what, vals, found, err)
		}
	}
	check("reopened")

	// Conditional deletion sees the uncompressed value.
	deleted, err := m.DeleteManyFunc([]string{"10", "11", "12"}, func(i int, v []byte) bool {
		return bytes.Contains(v, []byte(`"id":11,`))
	})
	if err != nil || deleted != 1 || m.Contains("11") || !m.Contains("10") {
		t.Fatalf("DeleteManyFunc: %d, %v", deleted, err)
	}
	// Compaction copies the compressed records as they are.
	for i := 100; i < n; i++ {
		if err := m.Delete(fmt.Sprint(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.Compact(); err != nil {
		t.Fatal(err)
	}
	if v, err := m.Get("99"); err != nil || !bytes.Equal(v, repetitive(99)) {
		t.Fatalf("after Compact: %q, %v", v, err)
	}
	backup := filepath.Join(dir, "backup")
	if err := m.Backup(backup); err != nil {
		t.Fatal(err)
	}
	b, err := fscollections.OpenMap[[]byte](backup, snappyOpts)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if v, err := b.Get("42"); err != nil || !bytes.Equal(v, repetitive(42)) || b.Len() != m.Len() {
		t.Fatalf("backup: %q, %v, %d keys of %d", v, err, b.Len(), m.Len())
	}
}

type doc struct {
	Title string
	Tags  []string
	Body  string
}

func TestSnappyListOfStructsSearchesByValue(t *testing.T) {
	path := filepath.Join(t.TempDir(), "docs")
	l, err := fscollections.OpenList[doc](path, &fscollections.Options{Compression: fscollections.Snappy, Cache: fscollections.LRU})
	if err != nil {
		t.Fatal(err)
	}
	mk := func(i int) doc {
		return doc{Title: fmt.Sprint("title ", i), Tags: []string{"a", "b", "a"}, Body: string(bytes.Repeat([]byte("lorem ipsum "), 20))}
	}
	for i := range 50 {
		if err := l.Append(mk(i % 10)); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	l, err = fscollections.OpenList[doc](path, snappyOpts)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if i, err := l.Index(mk(3)); err != nil || i != 3 {
		t.Errorf("Index = %d, %v", i, err)
	}
	if n, err := l.Count(mk(3)); err != nil || n != 5 {
		t.Errorf("Count = %d, %v", n, err)
	}
	if err := l.Remove(mk(3)); err != nil || l.Len() != 49 {
		t.Errorf("Remove: %v, len %d", err, l.Len())
	}
	got, err := l.Slice(0, 3)
	if err != nil || !slices.EqualFunc(got, []doc{mk(0), mk(1), mk(2)}, func(a, b doc) bool { return a.Title == b.Title && a.Body == b.Body }) {
		t.Errorf("Slice = %v, %v", got, err)
	}
}

func TestCompressionIsAPropertyOfTheFiles(t *testing.T) {
	dir := t.TempDir()
	plain, packed := filepath.Join(dir, "plain"), filepath.Join(dir, "packed")
	for _, c := range []struct {
		path string
		opts *fscollections.Options
	}{{plain, nil}, {packed, snappyOpts}} {
		m, err := fscollections.OpenMap[string](c.path, c.opts)
		if err != nil {
			t.Fatal(err)
		}
		if err := m.Set("k", "v"); err != nil {
			t.Fatal(err)
		}
		if err := m.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := fscollections.OpenMap[string](plain, snappyOpts); !errors.Is(err, fscollections.ErrTypeMismatch) {
		t.Errorf("uncompressed files opened with Snappy: %v, want ErrTypeMismatch", err)
	}
	_, err := fscollections.OpenMap[string](packed, nil)
	if !errors.Is(err, fscollections.ErrTypeMismatch) {
		t.Errorf("compressed files opened without Compression: %v, want ErrTypeMismatch", err)
	} else if !bytes.Contains([]byte(err.Error()), []byte("snappy:string")) {
		t.Errorf("the error does not say the files are compressed: %v", err)
	}
}

func TestCompressionRefusedWhereItCannotWork(t *testing.T) {
	type child = *fscollections.FSList[string]
	for name, open := range map[string]func() error{
		"set": func() error {
			_, err := fscollections.OpenSet[string]("", snappyOpts)
			return err
		},
		"AutoCompact list": func() error {
			_, err := fscollections.OpenList[int64]("", &fscollections.Options{Compression: fscollections.Snappy, AutoCompact: true})
			return err
		},
		"map of lists": func() error {
			_, err := fscollections.OpenMap[child]("", snappyOpts)
			return err
		},
		"unknown compression": func() error {
			_, err := fscollections.OpenMap[string]("", &fscollections.Options{Compression: 7})
			return err
		},
		"user store": func() error {
			_, err := fscollections.OpenUsers("", snappyOpts)
			return err
		},
	} {
		if err := open(); !errors.Is(err, fscollections.ErrInvalidOptions) {
			t.Errorf("%s: %v, want ErrInvalidOptions", name, err)
		}
	}
	if s := fscollections.Snappy.String(); s != "snappy" {
		t.Errorf("Snappy.String() = %q", s)
	}
}

// literalSnappy is a valid Snappy encoding of b that a Snappy encoder
// would not write: every byte a literal. It stands for what another
// encoder version may write for the same bytes.
type literalSnappy struct{}

func (literalSnappy) TypeName() string { return "snappy:[]byte" }
func (literalSnappy) FixedSize() int   { return 0 }
func (literalSnappy) Decode(b []byte) ([]byte, error) {
	return nil, errors.New("literalSnappy only writes")
}
func (literalSnappy) Append(dst []byte, v []byte) ([]byte, error) {
	dst = binary.AppendUvarint(dst, uint64(len(v)))
	for len(v) > 0 {
		n := min(len(v), 60)
		dst = append(dst, byte(n-1)<<2) // a literal of n bytes
		dst, v = append(dst, v[:n]...), v[n:]
	}
	return dst, nil
}

// brokenSnappy writes values that do not decompress: one claims far more
// bytes than Snappy can expand to, the other is cut short.
type brokenSnappy struct{}

func (brokenSnappy) TypeName() string                { return "snappy:[]byte" }
func (brokenSnappy) FixedSize() int                  { return 0 }
func (brokenSnappy) Decode(b []byte) ([]byte, error) { return nil, errors.New("write only") }
func (brokenSnappy) Append(dst []byte, v []byte) ([]byte, error) {
	if string(v) == "bomb" {
		return append(binary.AppendUvarint(dst, 1<<31), 0xfe, 0xff, 0xff), nil
	}
	return append(binary.AppendUvarint(dst, 100), 0x0c, 'a'), nil
}

func TestCompressedValuesCompareByTheirBytesNotTheirCompression(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m")
	value := bytes.Repeat([]byte("abc"), 50)
	// Files written by an encoder that compresses the same bytes otherwise.
	m, err := fscollections.OpenMap[[]byte](path, &fscollections.Options{Codec: literalSnappy{}})
	if err != nil {
		t.Fatal(err)
	}
	lw, err := fscollections.OpenList[[]byte](path+"-list", &fscollections.Options{Codec: literalSnappy{}})
	if err != nil {
		t.Fatal(err)
	}
	if err := errors.Join(m.Set("k", value), m.Set("j", value), lw.Append([]byte("x"), value), m.Close(), lw.Close()); err != nil {
		t.Fatal(err)
	}

	m, err = fscollections.OpenMap[[]byte](path, snappyOpts)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if v, err := m.Get("k"); err != nil || !bytes.Equal(v, value) {
		t.Fatalf("Get = %q, %v", v, err)
	}
	if ok, err := m.CompareAndSwap("k", value, []byte("new")); err != nil || !ok {
		t.Errorf("CompareAndSwap of an equal value compressed otherwise: %v, %v", ok, err)
	}
	if ok, err := m.CompareAndDelete("j", []byte("other")); err != nil || ok {
		t.Errorf("CompareAndDelete of another value: %v, %v", ok, err)
	}
	if ok, err := m.CompareAndDelete("j", value); err != nil || !ok {
		t.Errorf("CompareAndDelete of an equal value compressed otherwise: %v, %v", ok, err)
	}
	l, err := fscollections.OpenList[[]byte](path+"-list", snappyOpts)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if i, err := l.Index(value); err != nil || i != 1 {
		t.Errorf("Index of an equal value compressed otherwise = %d, %v", i, err)
	}
}

func TestCorruptCompressedValuesAreErrCorrupt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m")
	m, err := fscollections.OpenMap[[]byte](path, &fscollections.Options{Codec: brokenSnappy{}})
	if err != nil {
		t.Fatal(err)
	}
	if err := errors.Join(m.Set("bomb", []byte("bomb")), m.Set("short", []byte("short")), m.Close()); err != nil {
		t.Fatal(err)
	}
	m, err = fscollections.OpenMap[[]byte](path, snappyOpts)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	for _, k := range []string{"bomb", "short"} {
		if v, err := m.Get(k); !errors.Is(err, fscollections.ErrCorrupt) {
			t.Errorf("Get(%s) = %q, %v, want ErrCorrupt", k, v, err)
		}
	}
	n := 0
	for range m.All() {
		n++
	}
	if n != 0 || !errors.Is(m.Err(), fscollections.ErrCorrupt) {
		t.Errorf("iteration over corrupt values yielded %d, Err() = %v, want ErrCorrupt", n, m.Err())
	}
}
