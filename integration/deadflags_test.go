package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/fscollections/fscollections"
	"github.com/fscollections/fscollections/domain"
)

// recordFlags reads a data file's records and returns, by offset, each
// record's op and whether its deleted flag is set.
func recordFlags(t *testing.T, path string) map[int64][2]int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	h, err := domain.DecodeFileHeader(path, b)
	if err != nil {
		t.Fatal(err)
	}
	out := map[int64][2]int{}
	for off := h.Len(); off+domain.RecordHeaderSize <= int64(len(b)); {
		rh := domain.ParseRecordHeader(b[off:])
		deleted := 0
		if rh.Deleted {
			deleted = 1
		}
		out[off] = [2]int{int(rh.Op), deleted}
		off += domain.RecordHeaderSize + int64(rh.Size)
	}
	return out
}

// Deleted flags are set lazily, at the next checkpoint: after a clean
// Close every record an overwrite or a delete made dead is flagged, and
// every live one is not; the map reopens with exactly its contents.
func TestDeadRecordsAreFlaggedByTheCheckpoint(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m")
	m, err := fscollections.OpenMap[string](path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 100 {
		if err := m.Set(fmt.Sprint("k", i), "first"); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 50 {
		if err := m.Set(fmt.Sprint("k", i), "second"); err != nil { // makes the first dead
			t.Fatal(err)
		}
	}
	for i := 50; i < 75; i++ {
		if err := m.Delete(fmt.Sprint("k", i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	flags := recordFlags(t, path+".data.fscollection")
	var live, dead, deletes int
	for _, f := range flags {
		switch {
		case domain.Op(f[0]) == domain.OpDelete:
			deletes++
		case f[1] == 1:
			dead++
		default:
			live++
		}
	}
	// 100 first puts: 50 overwritten and 25 deleted are dead, 25 live;
	// 50 second puts, all live; 25 delete records.
	if live != 75 || dead != 75 || deletes != 25 {
		t.Fatalf("after Close: %d live, %d flagged dead, %d deletes; want 75, 75, 25", live, dead, deletes)
	}
	m, err = fscollections.OpenMap[string](path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if m.Len() != 75 {
		t.Fatalf("Len after reopen = %d", m.Len())
	}
	if v, _ := m.Get("k3"); v != "second" {
		t.Fatalf("k3 = %q", v)
	}
}
