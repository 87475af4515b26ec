package fscollections_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/fscollections/fscollections"
)

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
	data, _ := os.ReadFile(base + ".data.fscollection")
	index, _ := os.ReadFile(base + ".index.fscollection")
	f.Add(data, index)
	f.Add(data, []byte{})
	f.Add(data[:len(data)-3], index)
	f.Fuzz(func(t *testing.T, data, index []byte) {
		base := filepath.Join(t.TempDir(), "m")
		_ = os.WriteFile(base+".data.fscollection", data, 0o600)
		if len(index) > 0 {
			_ = os.WriteFile(base+".index.fscollection", index, 0o600)
		}
		m, err := fscollections.OpenMap[string](base, nil)
		if err != nil {
			return
		}
		for k := range m.All() {
			_, _ = m.Get(k)
		}
		_ = m.Metrics()
		_ = m.Set("new", "value")
		_ = m.Close()
	})
}
