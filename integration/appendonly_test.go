package integration

import (
	"bytes"
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

// The data file is append-only: overwrites, deletes, a checkpoint and
// Close leave every byte already written as it was. Only records that
// never hold a live value (the deletes) carry the deleted flag; which of
// the others are dead is the index's knowledge, and the map reopens with
// exactly its contents.
func TestLogIsAppendOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m")
	data := path + ".data.fscollection"
	m, err := fscollections.OpenMap[string](path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 100 {
		if err := m.Set(fmt.Sprint("k", i), "first"); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.Sync(); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(data)
	if err != nil {
		t.Fatal(err)
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
	after, err := os.ReadFile(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(after) <= len(before) || !bytes.Equal(after[:len(before)], before) {
		t.Fatalf("the first %d bytes of the data file changed (now %d bytes)", len(before), len(after))
	}
	var puts, deletes int
	for off, f := range recordFlags(t, data) {
		switch op, flagged := domain.Op(f[0]), f[1] == 1; {
		case op == domain.OpDelete && flagged:
			deletes++
		case op == domain.OpDelete || flagged:
			t.Errorf("record at %d: op %d, deleted flag %v", off, op, flagged)
		default:
			puts++
		}
	}
	if puts != 150 || deletes != 25 {
		t.Fatalf("%d puts and %d deletes in the file; want 150 and 25", puts, deletes)
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
	if m.Contains("k60") {
		t.Fatal("k60 is back after reopen")
	}
	if m.Metrics().RecordsReplayed != 0 {
		t.Fatalf("replayed %d records after a clean Close", m.Metrics().RecordsReplayed)
	}
}
