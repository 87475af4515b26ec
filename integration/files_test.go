package integration

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/fscollections/fscollections"
)

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func listOf(t *testing.T, path string) ([]string, fscollections.Metrics) {
	t.Helper()
	l, err := fscollections.OpenList[string](path, nil)
	if err != nil {
		t.Fatalf("open %s: %v", filepath.Base(path), err)
	}
	defer l.Close()
	var out []string
	for _, v := range l.All() {
		out = append(out, v)
	}
	if err := l.Err(); err != nil {
		t.Fatal(err)
	}
	return out, l.Metrics()
}

// A crash leaves the last records half written. Cut the data file at
// every byte offset inside its last three records: Open must succeed and
// drop exactly the incomplete records.
func TestTornTailIsCut(t *testing.T) {
	dir := t.TempDir()
	live := filepath.Join(dir, "live")
	l, err := fscollections.OpenList[string](live, nil)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for i := range 20 {
		want = append(want, fmt.Sprintf("value-%02d", i))
	}
	if err := l.Append(want[:17]...); err != nil {
		t.Fatal(err)
	}
	// Checkpoint the first 17 with a clean close, then log 3 more and
	// snapshot the files while the list is open: the state a crash leaves.
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if l, err = fscollections.OpenList[string](live, nil); err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	sizes := []int64{}
	for _, v := range want[17:] {
		sizes = append(sizes, l.Metrics().DataFileBytes)
		if err := l.Append(v); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Sync(); err != nil {
		t.Fatal(err)
	}
	full := l.Metrics().DataFileBytes
	sizes = append(sizes, full)
	for cut := sizes[0]; cut <= full; cut++ {
		crashed := filepath.Join(dir, "crashed")
		copyFile(t, live+".data.fscollection", crashed+".data.fscollection")
		copyFile(t, live+".index.fscollection", crashed+".index.fscollection")
		if err := os.Truncate(crashed+".data.fscollection", cut); err != nil {
			t.Fatal(err)
		}
		complete := 17
		for complete < 20 && sizes[complete-17+1] <= cut {
			complete++
		}
		got, m := listOf(t, crashed)
		if !slices.Equal(got, want[:complete]) {
			t.Fatalf("cut at %d: got %d elements %v, want the first %d", cut, len(got), got, complete)
		}
		if m.RecordsReplayed != int64(complete-17) {
			t.Fatalf("cut at %d: replayed %d records, want only the %d after the checkpoint", cut, m.RecordsReplayed, complete-17)
		}
		if torn := cut - sizes[complete-17]; m.TornBytes != torn {
			t.Fatalf("cut at %d: TornBytes %d, want %d", cut, m.TornBytes, torn)
		}
		// The cut is permanent: a second open finds a clean file.
		if got, _ := listOf(t, crashed); !slices.Equal(got, want[:complete]) {
			t.Fatalf("cut at %d: second open got %v", cut, got)
		}
	}
}

// recordOffset returns the data file offset of list element i of a list
// of equal-length string values written by Append alone.
func recordOffset(t *testing.T, path string, i, valueLen int) int64 {
	t.Helper()
	st, err := os.Stat(path + ".data.fscollection")
	if err != nil {
		t.Fatal(err)
	}
	rec := int64(14 + valueLen)
	return st.Size() - rec*int64(20-i)
}

// A bit flipped inside a record: reading that element fails with
// ErrCorrupt naming the file and offset; its neighbours read fine. Both
// with a clean checkpoint (no replay) and with the index gone (replay).
func TestBitFlipGivesErrCorruptAndSparesNeighbours(t *testing.T) {
	for _, replay := range []bool{false, true} {
		t.Run(fmt.Sprintf("replay=%v", replay), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "l")
			l, err := fscollections.OpenList[string](path, nil)
			if err != nil {
				t.Fatal(err)
			}
			for i := range 20 {
				if err := l.Append(fmt.Sprintf("value-%02d", i)); err != nil {
					t.Fatal(err)
				}
			}
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
			off := recordOffset(t, path, 10, 8)
			f, err := os.OpenFile(path+".data.fscollection", os.O_RDWR, 0)
			if err != nil {
				t.Fatal(err)
			}
			b := make([]byte, 1)
			_, _ = f.ReadAt(b, off+16)
			b[0] ^= 0x04
			_, _ = f.WriteAt(b, off+16)
			f.Close()
			if replay {
				os.Remove(path + ".index.fscollection")
			}
			if l, err = fscollections.OpenList[string](path, nil); err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			_, err = l.Get(10)
			var ce *fscollections.CorruptError
			if !errors.Is(err, fscollections.ErrCorrupt) || !errors.As(err, &ce) || ce.Offset != off {
				t.Fatalf("Get(10) = %v; want ErrCorrupt at offset %d", err, off)
			}
			for _, i := range []int{0, 9, 11, 19} {
				if v, err := l.Get(i); err != nil || v != fmt.Sprintf("value-%02d", i) {
					t.Fatalf("Get(%d) = %q, %v", i, v, err)
				}
			}
			// An iteration stops at the damage and reports it through Err.
			n := 0
			for range l.All() {
				n++
			}
			if err := l.Err(); !errors.Is(err, fscollections.ErrCorrupt) || n != 10 {
				t.Fatalf("iteration saw %d elements then Err() = %v", n, err)
			}
			// Compaction verifies what it copies: it refuses to carry the
			// damage over, and the collection stays as it was.
			if err := l.Compact(); !errors.Is(err, fscollections.ErrCorrupt) {
				t.Fatalf("Compact = %v; want ErrCorrupt", err)
			}
			if v, err := l.Get(19); err != nil || v != "value-19" || l.Len() != 20 {
				t.Fatalf("after the failed Compact: Get(19) = %q, %v; Len %d", v, err, l.Len())
			}
		})
	}
}

func TestIndexFileLossAndStalenessRecover(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "l")
	l, err := fscollections.OpenList[string](path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 100 {
		_ = l.Append(fmt.Sprint(i))
	}
	_, _ = l.Pop(50)
	_ = l.Insert(3, "inserted")
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	want, m := listOf(t, path)
	if m.RecordsReplayed != 0 || !m.CleanShutdown {
		t.Fatalf("clean reopen: replayed %d, clean %v", m.RecordsReplayed, m.CleanShutdown)
	}
	idx := path + ".index.fscollection"
	old := filepath.Join(dir, "old-index")
	copyFile(t, idx, old)

	t.Run("deleted", func(t *testing.T) {
		os.Remove(idx)
		got, m := listOf(t, path)
		if !slices.Equal(got, want) || m.RecordsReplayed != 102 || m.CleanShutdown {
			t.Fatalf("got %d elements, replayed %d, clean %v", len(got), m.RecordsReplayed, m.CleanShutdown)
		}
	})
	t.Run("no marker", func(t *testing.T) {
		st, _ := os.Stat(idx)
		os.Truncate(idx, st.Size()-1)
		got, m := listOf(t, path)
		if !slices.Equal(got, want) || m.RecordsReplayed != 0 || m.CleanShutdown {
			t.Fatalf("got %d elements, replayed %d, clean %v", len(got), m.RecordsReplayed, m.CleanShutdown)
		}
	})
	t.Run("garbage", func(t *testing.T) {
		os.WriteFile(idx, []byte("this is not an index file at all, not even close......................................."), 0o600)
		got, m := listOf(t, path)
		if !slices.Equal(got, want) || m.RecordsReplayed != 102 {
			t.Fatalf("got %d elements, replayed %d", len(got), m.RecordsReplayed)
		}
	})
	t.Run("older generation", func(t *testing.T) {
		l, err := fscollections.OpenList[string](path, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = l.Pop(0)
		if err := l.Compact(); err != nil {
			t.Fatal(err)
		}
		_ = l.Append("after compaction")
		l.Close()
		want, _ := listOf(t, path)
		copyFile(t, old, idx) // the checkpoint of the file before compaction
		got, m := listOf(t, path)
		if !slices.Equal(got, want) || m.RecordsReplayed != int64(len(want)) {
			t.Fatalf("got %v..., replayed %d (want %d)", got[:3], m.RecordsReplayed, len(want))
		}
	})
}

func TestWrongKindOrTypeIsTypeMismatch(t *testing.T) {
	path := filepath.Join(t.TempDir(), "l")
	l, err := fscollections.OpenList[int64](path, nil)
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
	_, err = fscollections.OpenList[string](path, nil)
	if !errors.Is(err, fscollections.ErrTypeMismatch) || !containsAll(err.Error(), "list of int64", "list of string") {
		t.Fatalf("as list of string: %v", err)
	}
	_, err = fscollections.OpenMap[int64](path, nil)
	if !errors.Is(err, fscollections.ErrTypeMismatch) || !containsAll(err.Error(), "list of int64", "map of int64") {
		t.Fatalf("as map: %v", err)
	}
}

func TestForeignAndTruncatedFilesAreCorrupt(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"foreign":   "#!/bin/sh\necho hello\n",
		"truncated": "FSCOLDAT\x00\x01\x01",
		"empty":     "",
	} {
		path := filepath.Join(dir, name)
		os.WriteFile(path+".data.fscollection", []byte(content), 0o600)
		if _, err := fscollections.OpenList[string](path, nil); !errors.Is(err, fscollections.ErrCorrupt) {
			t.Errorf("%s data file: %v, want ErrCorrupt", name, err)
		}
	}
}

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}
