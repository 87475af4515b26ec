package fscollections_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/fscollections/fscollections"
)

// The names of a collection's files: base + suffix.
const (
	dataSuffix    = ".data.fscollection"
	indexSuffix   = ".index.fscollection"
	journalSuffix = ".journal.fscollection"
)

func readFile(base, suffix string) []byte {
	b, _ := os.ReadFile(base + suffix)
	return b
}

// writeFiles writes a collection's data file, and those of the others
// (by suffix) that are not empty.
func writeFiles(base string, data []byte, others map[string][]byte) {
	_ = os.WriteFile(base+dataSuffix, data, 0o600)
	for suffix, b := range others {
		if len(b) > 0 {
			_ = os.WriteFile(base+suffix, b, 0o600)
		}
	}
}

// addSeeds adds the data and index files of the collection at base as
// seeds: as they are, without the index, and with the data file's last cut
// bytes torn off.
func addSeeds(f *testing.F, base string, cut int) {
	data, index := readFile(base, dataSuffix), readFile(base, indexSuffix)
	f.Add(data, index)
	f.Add(data, []byte{})
	f.Add(data[:len(data)-cut], index)
}

// FuzzOpen: arbitrary bytes as the data file and the index file of a map,
// through the public Open on real files. Open fails with an error or
// succeeds; iteration and Metrics then work; nothing panics.
func FuzzOpen(f *testing.F) {
	dir := f.TempDir()
	base := filepath.Join(dir, "seed")
	m, _ := fscollections.OpenMap[string](base, nil)
	_ = m.Set("a", "1")
	_ = m.Set("b", "2")
	_ = m.Delete("a")
	_ = m.Close()
	addSeeds(f, base, 3)
	f.Fuzz(func(t *testing.T, data, index []byte) {
		base := filepath.Join(t.TempDir(), "m")
		writeFiles(base, data, map[string][]byte{indexSuffix: index})
		m, err := fscollections.OpenMap[string](base, nil)
		if err != nil {
			return
		}
		for k := range m.All() {
			_, _ = m.Get(k)
		}
		_ = m.Metrics()
		_ = m.Set("new", "value")
		_ = m.Compact()
		_ = m.Close()
	})
}

// FuzzOpenList: FuzzOpen for a list, whose records (append, insert, set,
// pop, reverse) and reads (Get, Slice, iteration) differ from a map's; then
// a write and a compaction on whatever opened.
func FuzzOpenList(f *testing.F) {
	base := filepath.Join(f.TempDir(), "seed")
	l, _ := fscollections.OpenList[string](base, nil)
	_ = l.Append("a", "b", "c")
	_ = l.Insert(1, "x")
	_ = l.Set(0, "y")
	_, _ = l.Pop(2)
	_ = l.Reverse()
	_ = l.Close()
	addSeeds(f, base, 5)
	f.Fuzz(func(t *testing.T, data, index []byte) {
		base := filepath.Join(t.TempDir(), "l")
		writeFiles(base, data, map[string][]byte{indexSuffix: index})
		l, err := fscollections.OpenList[string](base, nil)
		if err != nil {
			return
		}
		for i := range l.All() {
			_, _ = l.Get(i)
		}
		_, _ = l.Slice(0, l.Len())
		_ = l.Err()
		_ = l.Append("new")
		_ = l.Compact()
		_ = l.Close()
	})
}

// FuzzOpenSwapList: a swap-and-pop list (AutoCompact) keeps fixed-size
// values in its data file and its operations in a journal; arbitrary bytes
// for all three files, then every read, a pop, an append and a compaction.
func FuzzOpenSwapList(f *testing.F) {
	base := filepath.Join(f.TempDir(), "seed")
	opts := &fscollections.Options{AutoCompact: true}
	l, _ := fscollections.OpenList[int64](base, opts)
	_ = l.Append(1, 2, 3, 4)
	_, _ = l.Pop(1)
	_ = l.Set(0, 9)
	_ = l.Close()
	l, _ = fscollections.OpenList[int64](base, opts)
	_ = l.Append(5) // a journal tail after the checkpoint
	_, _ = l.Pop(0)
	data, journal, index := readFile(base, dataSuffix), readFile(base, journalSuffix), readFile(base, indexSuffix)
	_ = l.Close()
	f.Add(data, journal, index)
	f.Add(data, journal, []byte{})
	f.Add(data, []byte{}, index)
	f.Fuzz(func(t *testing.T, data, journal, index []byte) {
		base := filepath.Join(t.TempDir(), "l")
		writeFiles(base, data, map[string][]byte{journalSuffix: journal, indexSuffix: index})
		l, err := fscollections.OpenList[int64](base, opts)
		if err != nil {
			return
		}
		for i := range l.All() {
			_, _ = l.Get(i)
		}
		_, _ = l.Slice(0, l.Len())
		_ = l.Err()
		if l.Len() > 0 {
			_, _ = l.Pop(0)
		}
		_ = l.Append(7)
		_ = l.Compact()
		_ = l.Close()
	})
}
