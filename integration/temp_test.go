package integration

import (
	"encoding/json"
	"os"
	"path/filepath"
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
