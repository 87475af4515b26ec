package infrastructure_test

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/fscollections/fscollections/infrastructure"
)

// On Linux an installed checkpoint trades places with the index, and the
// next checkpoint is written over the old index in place (same file, its
// pages already in the page cache) — except the file this handle mapped
// at Open, whose bytes back the state in memory: that one is never
// written, only replaced by a new file. Whatever the path, the index
// always holds exactly what was installed last.
func TestStagingRecyclesTheOldIndexButNeverTheMappedOne(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("staging files are recycled where names can be exchanged (Linux)")
	}
	base := filepath.Join(t.TempDir(), "c")
	indexPath := base + infrastructure.IndexSuffix
	stagePath := indexPath + infrastructure.StageSuffix
	open := func() *infrastructure.Storage {
		t.Helper()
		st, err := infrastructure.OpenStorageFS(infrastructure.OS, base, infrastructure.Exclusive, time.Second, nil)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	checkpoint := func(n int, fill byte) []byte { return bytes.Repeat([]byte{fill}, n) }
	install := func(st *infrastructure.Storage, b []byte) {
		t.Helper()
		staged, err := st.Index().Stage(b[:len(b)/2], b[len(b)/2:])
		if err != nil {
			t.Fatal(err)
		}
		if err := staged.Install(); err != nil {
			t.Fatal(err)
		}
		if got, err := os.ReadFile(indexPath); err != nil || !bytes.Equal(got, b) {
			t.Fatalf("index after install: %d bytes, %v; want %d bytes of %q", len(got), err, len(b), b[0])
		}
	}
	inode := func(path string) os.FileInfo {
		t.Helper()
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		return fi
	}

	st := open()
	install(st, checkpoint(100_000, 'a')) // no index yet: a rename
	install(st, checkpoint(100_000, 'b')) // exchanged: 'a' is now the staging file
	old := inode(stagePath)
	install(st, checkpoint(99_000, 'c')) // written over 'a' in place, a little shorter
	if !os.SameFile(inode(indexPath), old) {
		t.Fatal("the staging file was not reused")
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	// A new handle maps the index ('c'); the staging file ('b') survives the open.
	st = open()
	defer st.Close()
	if _, err := os.Stat(stagePath); err != nil {
		t.Fatalf("Open removed the staging file: %v", err)
	}
	mapped, release, err := st.Index().Map()
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	want := slices.Clone(mapped)
	mappedFile := inode(indexPath)
	install(st, checkpoint(99_000, 'd')) // over 'b'; the mapped 'c' becomes the staging file
	if !os.SameFile(inode(stagePath), mappedFile) {
		t.Fatal("the mapped index did not become the staging file")
	}
	install(st, checkpoint(99_000, 'e')) // must not be written over the mapped 'c'
	if !bytes.Equal(mapped, want) {
		t.Fatal("a checkpoint was written over the file this handle mapped")
	}
	if os.SameFile(inode(indexPath), mappedFile) {
		t.Fatal("the mapped file was installed again")
	}
	// A much smaller staging file is not grown in place: a new one is written.
	install(st, checkpoint(400_000, 'f'))
}
