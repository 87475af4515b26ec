package infrastructure_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/fscollections/fscollections/infrastructure"
)

// stagingFiles skips the test off Linux (staging files are recycled where
// names can be exchanged) and returns a collection's base path in a new
// directory, and the paths of its index and staging files.
func stagingFiles(t *testing.T) (base, index, stage string) {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("staging files are recycled where names can be exchanged (Linux)")
	}
	base = filepath.Join(t.TempDir(), "c")
	index = base + infrastructure.IndexSuffix
	return base, index, index + infrastructure.StageSuffix
}

// openStorage opens the storage of the collection at base.
func openStorage(t *testing.T, base string, mode infrastructure.Mode) *infrastructure.Storage {
	t.Helper()
	st, err := infrastructure.OpenStorageFS(infrastructure.OS, base, mode, time.Second, nil)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// On Linux an installed checkpoint trades places with the index, and the
// next checkpoint is written over the old index in place (same file, its
// pages already in the page cache) — except the file this handle mapped
// at Open, whose bytes back the state in memory: that one is never
// written, only replaced by a new file. Whatever the path, the index
// always holds exactly what was installed last.
func TestStagingRecyclesTheOldIndexButNeverTheMappedOne(t *testing.T) {
	base, indexPath, stagePath := stagingFiles(t)
	open := func() *infrastructure.Storage { return openStorage(t, base, infrastructure.Exclusive) }
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
	// A smaller staging file is written over and grown in place.
	smaller := inode(stagePath)
	install(st, checkpoint(400_000, 'f'))
	if !os.SameFile(inode(indexPath), smaller) {
		t.Fatal("a staging file smaller than the checkpoint was not reused")
	}
}

// Reserve grows the staging file with zeros so that the next checkpoint
// overwrites pages already cached; it leaves alone a file large enough,
// the file this handle mapped, and a collection that does not recycle its
// staging files; it stops when told to. A checkpoint staged over a
// reserved file is exactly the checkpoint: the zeros past it are cut.
func TestReserveReadiesTheStagingFile(t *testing.T) {
	base, indexPath, stagePath := stagingFiles(t)
	never := func() bool { return false }
	size := func() int64 {
		t.Helper()
		fi, err := os.Stat(stagePath)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	st := openStorage(t, base, infrastructure.Exclusive)
	x := st.Index()
	if err := x.Reserve(1000, never); err != nil { // no staging file yet: made
		t.Fatal(err)
	}
	if got := size(); got != 1000 {
		t.Fatalf("reserved %d bytes, want 1000", got)
	}
	if err := x.Reserve(500, never); err != nil || size() != 1000 {
		t.Fatalf("Reserve(500) over 1000 bytes: %v, size %d", err, size())
	}
	if err := x.Reserve(1<<20, func() bool { return true }); err != nil || size() != 1000 {
		t.Fatalf("Reserve told to stop: %v, size %d", err, size())
	}
	if err := x.Reserve(600_000, never); err != nil || size() != 600_000 {
		t.Fatalf("Reserve(600,000): %v, size %d", err, size())
	}
	b, err := os.ReadFile(stagePath)
	if err != nil || slices.ContainsFunc(b, func(c byte) bool { return c != 0 }) {
		t.Fatalf("reserved bytes are not zeros (%v)", err)
	}
	reserved, err := os.Stat(stagePath)
	if err != nil {
		t.Fatal(err)
	}
	want := bytes.Repeat([]byte("checkpoint"), 45_000) // 450,000 bytes, in three parts
	staged, err := x.Stage(want[:1], want[1:300_000], want[300_000:])
	if err != nil {
		t.Fatal(err)
	}
	if err := staged.Install(); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(indexPath)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("index staged over a reserved file: %d bytes, %v; want %d", len(got), err, len(want))
	}
	if fi, err := os.Stat(indexPath); err != nil || !os.SameFile(fi, reserved) {
		t.Fatalf("the reserved file was not the one staged over (%v)", err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	// The file mapped at Open becomes the staging file after an install:
	// never written, not even past its end.
	st = openStorage(t, base, infrastructure.Exclusive)
	x = st.Index()
	_, release, err := x.Map()
	if err != nil {
		t.Fatal(err)
	}
	staged, err = x.Stage([]byte("next"))
	if err == nil {
		err = staged.Install()
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := x.Reserve(1<<20, never); err != nil || size() != int64(len(want)) {
		t.Fatalf("Reserve on the mapped file: %v, size %d, want it left at %d", err, size(), len(want))
	}
	if err := errors.Join(release(), st.Close()); err != nil {
		t.Fatal(err)
	}

	// A Shared collection does not recycle: nothing to reserve.
	shared := filepath.Join(t.TempDir(), "s")
	st = openStorage(t, shared, infrastructure.Shared)
	defer st.Close()
	if err := st.Index().Reserve(1000, never); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(shared + infrastructure.IndexSuffix + infrastructure.StageSuffix); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a Shared collection reserved a staging file (%v)", err)
	}
}
