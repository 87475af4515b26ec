package fscollections_test

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"slices"
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

// FuzzIndexFile: an index file whose checksum is right but whose contents
// are arbitrary (the fuzzer mutates the checkpoint's body and the target
// recomputes its CRC, so every input gets past the checksum), beside the
// data file it claims to describe: a map's, a set's, a list's or a
// swap-and-pop list's, picked by kind. Whatever the index says, Open fails
// or the collection answers every call without panicking or hanging.
func FuzzIndexFile(f *testing.F) {
	dir := f.TempDir()
	seeds := [4]string{}
	for kind := range seeds {
		base := filepath.Join(dir, fmt.Sprint("seed", kind))
		seeds[kind] = base
		switch kind {
		case 0, 1:
			m, _ := fscollections.OpenMap[string](base, nil)
			for i := range 40 {
				_ = m.Set(fmt.Sprint("key", i), fmt.Sprint(i))
			}
			_ = m.Delete("key3")
			_ = m.Delete("key39")
			_ = m.Close()
		case 2:
			l, _ := fscollections.OpenList[string](base, nil)
			_ = l.Append("a", "b", "c", "d")
			_ = l.Insert(1, "x")
			_, _ = l.Pop(3)
			_ = l.Close()
		case 3:
			l, _ := fscollections.OpenList[int64](base, &fscollections.Options{AutoCompact: true})
			_ = l.Append(1, 2, 3, 4, 5)
			_, _ = l.Pop(1)
			_ = l.Close()
		}
		index := readFile(base, indexSuffix)
		f.Add(uint8(kind), index[:len(index)-5]) // the body: without CRC and marker
	}
	f.Fuzz(func(t *testing.T, kind uint8, body []byte) {
		kind %= 4
		base := filepath.Join(t.TempDir(), "c")
		index := binary.BigEndian.AppendUint32(slices.Clone(body), crc32.Checksum(body, crc32.MakeTable(crc32.Castagnoli)))
		index = append(index, 0xAA)
		others := map[string][]byte{indexSuffix: index}
		if kind == 3 {
			others[journalSuffix] = readFile(seeds[kind], journalSuffix)
		}
		writeFiles(base, readFile(seeds[kind], dataSuffix), others)
		switch kind {
		case 0, 1:
			m, err := fscollections.OpenMap[string](base, nil)
			if err != nil {
				return
			}
			for k := range m.All() {
				_, _ = m.Get(k)
				_ = m.Contains(k)
			}
			for i := range 41 {
				_ = m.Contains(fmt.Sprint("key", i))
			}
			_ = m.Set("key7", "new")
			_ = m.Delete("key8")
			_, _, _ = m.PopItem()
			_ = m.Compact()
			_ = m.Close()
		default:
			var opts *fscollections.Options
			if kind == 3 {
				opts = &fscollections.Options{AutoCompact: true}
			}
			if kind == 2 {
				sl, err := fscollections.OpenList[string](base, nil)
				if err != nil {
					return
				}
				for i := range sl.All() {
					_, _ = sl.Get(i)
				}
				_, _ = sl.Pop(0)
				_ = sl.Insert(0, "y")
				_ = sl.Compact()
				_ = sl.Close()
				return
			}
			l, err := fscollections.OpenList[int64](base, opts)
			if err != nil {
				return
			}
			for i := range l.All() {
				_, _ = l.Get(i)
			}
			if l.Len() > 0 {
				_, _ = l.Pop(0)
			}
			_ = l.Append(7)
			_ = l.Compact()
			_ = l.Close()
		}
	})
}
