package integration

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fscollections/fscollections"
)

func init() {
	children["temp"] = func(raw string) error {
		a, err := decodeArg[procArg](raw)
		if err != nil {
			return err
		}
		s, err := fscollections.OpenSet[string]("", nil)
		if err != nil {
			return err
		}
		_ = s.Add("x")
		if err := os.WriteFile(a.Ready, []byte(filepath.Dir(s.Path())+"\n"), 0o600); err != nil {
			return err
		}
		time.Sleep(time.Minute) // until killed: no Close
		return nil
	}
}

// A process killed while holding a temporary collection leaves its
// directory behind; the next temporary Open sweeps it (its lock is free),
// and does not touch the directory of a live one.
func TestOrphanedTempDirIsSweptByNextTemporaryOpen(t *testing.T) {
	ready := filepath.Join(t.TempDir(), "ready")
	raw, _ := json.Marshal(procArg{Ready: ready})
	cmd := child(t, "temp", string(raw))
	waitForLine(t, ready, "/", 10*time.Second)
	b, _ := os.ReadFile(ready)
	orphan := string(b[:len(b)-1])

	// While the owner lives, its directory is left alone.
	s, err := fscollections.OpenSet[int]("", nil)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := os.Stat(orphan); err != nil {
		t.Fatalf("a live process's temp dir was swept: %v", err)
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	if _, err := os.Stat(orphan); err != nil {
		t.Fatalf("the killed process's temp dir should still be there: %v", err)
	}
	s, err = fscollections.OpenSet[int]("", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := os.Stat(orphan); !os.IsNotExist(err) {
		t.Fatalf("orphaned temp dir %s not swept: %v", orphan, err)
	}
}

// Audit item 6: the sweep removed any directory under os.TempDir() whose
// name began with "fscollections-" and had no claimed lock file: a user's
// backups, and (as root) another user's directory. It now removes only
// directories it made: exact name, a real directory of this user with mode
// 0700, holding nothing but a temporary collection's files.
func TestTempSweepLeavesWhatItDidNotMake(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	old := time.Now().Add(-time.Hour)
	mkdir := func(name string, mode os.FileMode, files ...string) string {
		dir := filepath.Join(tmp, name)
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if err := os.WriteFile(filepath.Join(dir, f), []byte("data"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		os.Chmod(dir, mode)
		os.Chtimes(dir, old, old)
		return dir
	}
	backups := mkdir("fscollections-backups/2026", 0o700, "important.db")
	os.Chtimes(filepath.Dir(backups), old, old)
	extra := mkdir("fscollections-tmp-0123456789abcdef", 0o700, "collection.data.fscollection", "notes.txt")
	open := mkdir("fscollections-tmp-1123456789abcdef", 0o755, "collection.data.fscollection")
	nested := mkdir("fscollections-tmp-2123456789abcdef/sub", 0o700)
	os.Chtimes(filepath.Dir(nested), old, old)
	target := mkdir("mine", 0o700, "collection.data.fscollection")
	link := filepath.Join(tmp, "fscollections-tmp-3123456789abcdef")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	keep := []string{backups, extra, open, nested, target}
	if os.Getuid() == 0 {
		other := mkdir("fscollections-tmp-4123456789abcdef", 0o700, "collection.data.fscollection")
		if err := os.Chown(other, 65534, 65534); err != nil {
			t.Fatal(err)
		}
		keep = append(keep, other)
	}
	orphan := mkdir("fscollections-tmp-5123456789abcdef", 0o700, "collection.data.fscollection", "collection.index.fscollection")

	s, err := fscollections.OpenSet[int]("", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !strings.HasPrefix(s.Path(), tmp) {
		t.Fatalf("temporary set at %s, not under TMPDIR %s", s.Path(), tmp)
	}
	for _, dir := range keep {
		if _, err := os.Stat(dir); err != nil {
			t.Errorf("%s was swept: %v", strings.TrimPrefix(dir, tmp), err)
		}
	}
	if _, err := os.Lstat(link); err != nil {
		t.Errorf("the link was swept: %v", err)
	}
	if _, err := os.Stat(orphan); !os.IsNotExist(err) {
		t.Errorf("the orphan %s was not swept: %v", orphan, err)
	}
}
