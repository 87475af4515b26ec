package integration

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/fscollections/fscollections"
	"github.com/fscollections/fscollections/application"
)

// A key's version changes on every write and never returns to an earlier
// value: across writes, Delete and re-creation, Close and Open, Compact,
// Clear, a crash (files copied mid-run) and an index lost after Compact.
func TestVersionsNeverGoBack(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "m")
	open := func(p string) *fscollections.FSMap[string] {
		t.Helper()
		m, err := fscollections.OpenMap[string](p, nil)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	var highest uint64
	write := func(m *fscollections.FSMap[string], key, v, when string) {
		t.Helper()
		if err := m.Set(key, v); err != nil {
			t.Fatal(err)
		}
		info, err := m.Info(key)
		if err != nil {
			t.Fatal(err)
		}
		if info.Version <= highest {
			t.Fatalf("%s: version %d after versions up to %d", when, info.Version, highest)
		}
		if info.Size != int64(len(v)) || time.Since(info.Modified) > time.Minute || info.Modified.After(time.Now()) {
			t.Fatalf("%s: Info = %+v", when, info)
		}
		highest = info.Version
	}
	m := open(path)
	write(m, "k", "a", "first write")
	write(m, "k", "bb", "overwrite")
	write(m, "other", "x", "another key")
	_ = m.Delete("k")
	if _, err := m.Info("k"); !errors.Is(err, fscollections.ErrNotFound) {
		t.Fatalf("Info of a deleted key = %v", err)
	}
	write(m, "k", "c", "re-created")
	m.Close()
	m = open(path)
	write(m, "k", "d", "after reopen")
	_ = m.Delete("k")
	if err := m.Compact(); err != nil {
		t.Fatal(err)
	}
	write(m, "k", "e", "after Compact")
	before, _ := m.Info("other")
	_ = m.Compact()
	if after, _ := m.Info("other"); after != before {
		t.Fatalf("Compact changed an untouched entry's info: %+v -> %+v", before, after)
	}
	crashed := filepath.Join(dir, "crashed")
	snapshot(t, path, crashed)
	c := open(crashed)
	mark := highest
	write(c, "k", "f", "after a crash")
	highest = mark // the copy is another collection from here on
	c.Close()
	// Compact, then lose the index: the versions of deleted keys must
	// still not come back (the compacted file carries the counter).
	_ = m.Delete("k")
	_ = m.Compact()
	m.Close()
	snapshot(t, path, filepath.Join(dir, "noindex"))
	removeIndex(t, filepath.Join(dir, "noindex"))
	n := open(filepath.Join(dir, "noindex"))
	write(n, "k", "g", "after Compact and a lost index")
	_ = n.Clear()
	write(n, "k", "h", "after Clear")
	n.Close()
}

func removeIndex(t *testing.T, path string) {
	t.Helper()
	if err := removeFile(path + ".index.fscollection"); err != nil {
		t.Fatal(err)
	}
}

func TestSetIfVersion(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m")
	m, err := fscollections.OpenMap[int](path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.SetIfVersion("k", 1, 7); !errors.Is(err, fscollections.ErrConflict) {
		t.Fatalf("SetIfVersion of an absent key with version 7 = %v", err)
	}
	if err := m.SetIfVersion("k", 1, 0); err != nil {
		t.Fatalf("SetIfVersion of an absent key with version 0 = %v", err)
	}
	info, _ := m.Info("k")
	if err := m.SetIfVersion("k", 2, 0); !errors.Is(err, fscollections.ErrConflict) {
		t.Fatalf("SetIfVersion of a present key with version 0 = %v", err)
	}
	if err := m.SetIfVersion("k", 2, info.Version); err != nil {
		t.Fatal(err)
	}
	if err := m.SetIfVersion("k", 3, info.Version); !errors.Is(err, fscollections.ErrConflict) {
		t.Fatalf("SetIfVersion with a stale version = %v", err)
	}
	if v, _ := m.Get("k"); v != 2 {
		t.Fatalf("k = %d", v)
	}
	m.Close()
	ro, err := fscollections.OpenMap[int](path, &fscollections.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	info, _ = ro.Info("k")
	if err := ro.SetIfVersion("k", 9, info.Version); !errors.Is(err, fscollections.ErrReadOnly) {
		t.Fatalf("SetIfVersion on a read-only map = %v", err)
	}
}

// Entries written before versions were recorded (by the library's first
// releases, whose maps wrote put records without them) report their
// offset + 1 as version and a zero Modified; a new write gets a larger
// version, and Compact changes neither.
func TestEntriesWithoutVersionsReportAFallback(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old")
	key := "an entry of an old release"
	// The engine without versions writes what those releases wrote.
	unversioned, _, err := application.OpenMap(application.Settings{Path: path, LockTimeout: time.Second}, rawUsers{})
	if err != nil {
		t.Fatal(err)
	}
	if err := unversioned.Set(key, []byte("a user's bytes")); err != nil {
		t.Fatal(err)
	}
	if err := unversioned.Close(); err != nil {
		t.Fatal(err)
	}
	m, err := fscollections.OpenMap[[]byte](path, &fscollections.Options{Codec: rawUsers{}})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	old, err := m.Info(key)
	if err != nil || old.Version == 0 || !old.Modified.IsZero() || old.Size == 0 {
		t.Fatalf("Info of an old entry = %+v, %v", old, err)
	}
	if err := m.Compact(); err != nil {
		t.Fatal(err)
	}
	if again, _ := m.Info(key); again != old {
		t.Fatalf("Compact changed the old entry's info: %+v -> %+v", old, again)
	}
	v, _ := m.Get(key)
	if err := m.SetIfVersion(key, v, old.Version); err != nil {
		t.Fatal(err)
	}
	if now, _ := m.Info(key); now.Version <= old.Version || now.Modified.IsZero() {
		t.Fatalf("after a write: %+v (was %+v)", now, old)
	}
}
