package fscollections_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/fscollections/fscollections"
	"github.com/fscollections/fscollections/domain"
)

// Backup of each kind while a goroutine writes: the copy opens as the same
// kind of collection and holds one state the original went through.
func TestBackupWhileWriting(t *testing.T) {
	dir := t.TempDir()
	for _, opts := range []*fscollections.Options{nil, {AutoCompact: true}} {
		name := fmt.Sprintf("list-autocompact=%v", opts != nil)
		t.Run(name, func(t *testing.T) {
			src := filepath.Join(dir, name)
			l, err := fscollections.OpenList[int64](src, opts)
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			for i := range 1000 {
				_ = l.Append(int64(i))
			}
			_, _ = l.Pop(3)
			var wg sync.WaitGroup
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 1000; i < 3000; i++ {
					_ = l.Append(int64(i))
				}
			}()
			dst := filepath.Join(dir, name+"-backup")
			if err := l.Backup(dst); err != nil {
				t.Fatal(err)
			}
			wg.Wait()
			b, err := fscollections.OpenList[int64](dst, opts)
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			got, _ := b.Slice(0, b.Len())
			want, _ := l.Slice(0, len(got))
			if len(got) < 999 || !slices.Equal(got, want) {
				t.Fatalf("backup holds %d elements, not a prefix of the list's history", len(got))
			}
			if m := b.Metrics(); !m.CleanShutdown || m.RecordsReplayed != 0 {
				t.Fatalf("the backup did not open clean: %+v", m)
			}
			if err := l.Backup(dst); !errors.Is(err, fscollections.ErrInvalidOptions) {
				t.Fatalf("Backup over a collection = %v", err)
			}
		})
	}
	t.Run("map and set", func(t *testing.T) {
		m, _ := fscollections.OpenMap[string](filepath.Join(dir, "m"), nil)
		s, _ := fscollections.OpenSet[string](filepath.Join(dir, "s"), nil)
		for i := range 500 {
			_ = m.Set(fmt.Sprint("k", i), fmt.Sprint(i))
			_ = s.Add(fmt.Sprint("e", i))
		}
		_ = m.Delete("k7")
		_ = s.Remove("e9")
		if err := m.Backup(filepath.Join(dir, "mb")); err != nil {
			t.Fatal(err)
		}
		if err := s.Backup(filepath.Join(dir, "sb")); err != nil {
			t.Fatal(err)
		}
		mb, err := fscollections.OpenMap[string](filepath.Join(dir, "mb"), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer mb.Close()
		sb, _ := fscollections.OpenSet[string](filepath.Join(dir, "sb"), nil)
		defer sb.Close()
		if eq, _ := s.Equal(sb); !eq || mb.Len() != 499 || mb.Contains("k7") {
			t.Fatalf("backups differ: set equal %v, map Len %d", eq, mb.Len())
		}
		var keys, bkeys []string
		for k := range m.Keys() {
			keys = append(keys, k)
		}
		for k := range mb.Keys() {
			bkeys = append(bkeys, k)
		}
		if !slices.Equal(keys, bkeys) {
			t.Fatal("the map's backup has another order")
		}
		m.Close()
		s.Close()
		if err := m.Backup(filepath.Join(dir, "again")); !errors.Is(err, fscollections.ErrClosed) {
			t.Fatalf("Backup of a closed map = %v", err)
		}
	})
}

func ExampleFSMap_Backup() {
	dir, _ := os.MkdirTemp("", "scores-")
	defer os.RemoveAll(dir)
	m, _ := fscollections.OpenMap[int](filepath.Join(dir, "scores"), nil)
	_ = m.Set("ada", 10)
	_ = m.Backup(filepath.Join(dir, "scores-backup"))
	_ = m.Set("ada", 11)
	m.Close()
	b, _ := fscollections.OpenMap[int](filepath.Join(dir, "scores-backup"), nil)
	defer b.Close()
	v, _ := b.Get("ada")
	fmt.Println(v)
	// Output: 10
}

// With little dead, Backup copies the data file as it is (inside the
// kernel where it can) while writers go on, plus a checkpoint of the state
// it copied: the copy has the source's records, byte for byte, under a
// header of its own, and opens clean with that state. With more than a
// tenth dead it compacts instead.
func TestBackupCopiesTheFileWhenLittleIsDead(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "m")
	m, err := fscollections.OpenMap[string](src, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	for i := range 2000 {
		if err := m.Set(fmt.Sprintf("key-%04d", i), fmt.Sprint("value-", i)); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 50 { // 2.5% dead
		if err := m.Set(fmt.Sprintf("key-%04d", i), "changed"); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 2000; i < 4000; i++ {
			if err := m.Set(fmt.Sprintf("key-%04d", i), "later"); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	raw := filepath.Join(dir, "raw")
	if err := m.Backup(raw); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	b, err := fscollections.OpenMap[string](raw, nil)
	if err != nil {
		t.Fatal(err)
	}
	if mt := b.Metrics(); !mt.CleanShutdown || mt.RecordsReplayed != 0 {
		t.Fatalf("the copy did not open clean: %+v", mt)
	}
	n := b.Len()
	if n < 2000 || n > 4000 {
		t.Fatalf("the copy holds %d keys", n)
	}
	for i := range n { // a state the map went through: keys in order, each with its value then
		want := "later"
		switch {
		case i < 50:
			want = "changed"
		case i < 2000:
			want = fmt.Sprint("value-", i)
		}
		if v, err := b.Get(fmt.Sprintf("key-%04d", i)); err != nil || v != want {
			t.Fatalf("key %d in the copy = %q, %v; want %q", i, v, err, want)
		}
	}
	_ = b.Close()
	srcData, _ := os.ReadFile(src + ".data.fscollection")
	rawData, _ := os.ReadFile(raw + ".data.fscollection")
	hdr := bytesIndexOfFirstRecord(t, srcData)
	if len(rawData) < hdr || !slices.Equal(rawData[hdr:], srcData[hdr:len(rawData)]) {
		t.Fatal("the copy's records are not the source's, byte for byte")
	}
	if slices.Equal(rawData[:hdr], srcData[:hdr]) {
		t.Fatal("the copy has the source's header: its generation must be its own")
	}

	for i := range 1000 { // now well over a tenth is dead
		if err := m.Set(fmt.Sprintf("key-%04d", i), "again"); err != nil {
			t.Fatal(err)
		}
	}
	compacted := filepath.Join(dir, "compacted")
	if err := m.Backup(compacted); err != nil {
		t.Fatal(err)
	}
	if err := m.Sync(); err != nil { // the whole source on disk, to compare sizes
		t.Fatal(err)
	}
	st, _ := os.Stat(compacted + ".data.fscollection")
	ss, _ := os.Stat(src + ".data.fscollection")
	if st.Size() >= ss.Size()*85/100 {
		t.Fatalf("the copy of a map a fifth dead is %d bytes of %d: not compacted", st.Size(), ss.Size())
	}
}

// bytesIndexOfFirstRecord returns the length of a data file's header.
func bytesIndexOfFirstRecord(t *testing.T, data []byte) int {
	t.Helper()
	h, err := domain.DecodeFileHeader("data", data)
	if err != nil {
		t.Fatal(err)
	}
	return int(h.Len())
}

// A raw copy is verified record by record: damage in the source makes
// Backup fail with ErrCorrupt naming the source, and leaves no copy.
func TestBackupRefusesDamage(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "m")
	m, err := fscollections.OpenMap[string](src, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 500 {
		_ = m.Set(fmt.Sprintf("key-%04d", i), fmt.Sprint("value-", i))
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(src + ".data.fscollection")
	at := bytes.Index(data, []byte("value-321"))
	data[at+2] ^= 0x10
	if err := os.WriteFile(src+".data.fscollection", data, 0o600); err != nil {
		t.Fatal(err)
	}
	m, err = fscollections.OpenMap[string](src, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	dst := filepath.Join(dir, "copy")
	err = m.Backup(dst)
	if !errors.Is(err, fscollections.ErrCorrupt) || !strings.Contains(err.Error(), src) {
		t.Fatalf("Backup of a damaged map = %v; want ErrCorrupt naming %s", err, src)
	}
	if _, err := os.Stat(dst + ".data.fscollection"); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a failed Backup left its copy: %v", err)
	}
}

// A read-only handle backs up too (by the compacting copy: it may not
// flush or freeze a writer's state), and the copy opens clean.
func TestBackupFromAReadOnlyHandle(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "m")
	m, err := fscollections.OpenMap[string](src, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 300 {
		_ = m.Set(fmt.Sprint("k", i), fmt.Sprint(i))
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	ro, err := fscollections.OpenMap[string](src, &fscollections.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	dst := filepath.Join(dir, "copy")
	if err := ro.Backup(dst); err != nil {
		t.Fatal(err)
	}
	c, err := fscollections.OpenMap[string](dst, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if v, _ := c.Get("k299"); c.Len() != 300 || v != "299" || !c.Metrics().CleanShutdown {
		t.Fatalf("copy of a read-only handle: Len %d, k299 %q, %+v", c.Len(), v, c.Metrics())
	}
}
