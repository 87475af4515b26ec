package fscollections_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/fscollections/fscollections"
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
