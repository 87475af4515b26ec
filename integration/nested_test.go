package integration

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/fscollections/fscollections"
)

func init() {
	children["nested"] = func(raw string) error {
		a, err := decodeArg[compactArg](raw)
		if err != nil {
			return err
		}
		opts := &fscollections.Options{Sync: fscollections.SyncAlways} // what reaches the files, children included
		parent, err := fscollections.OpenMap[*fscollections.FSList[string]](a.Path, opts)
		if err != nil {
			return err
		}
		logf, err := openAppend(a.Log)
		if err != nil {
			return err
		}
		_, _ = logf.WriteString("R\n")
		r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 5))
		for i := 0; ; i++ {
			key := fmt.Sprint(r.IntN(50))
			child, err := parent.Get(key)
			if errors.Is(err, fscollections.ErrNotFound) {
				child, err = fscollections.OpenList[string](filepath.Join(filepath.Dir(a.Path), "kids", key), opts)
				if err == nil {
					err = parent.Set(key, child)
				}
			}
			if err != nil {
				return err
			}
			if err := child.Append(fmt.Sprint(i)); err != nil {
				return err
			}
			if r.IntN(10) == 0 {
				// The child first: a crash between leaves a reference to
				// files that are gone, which a Get must report.
				if err := child.Destroy(); err != nil {
					return err
				}
				if err := parent.Delete(key); err != nil {
					return err
				}
			}
		}
	}
}

// A process killed while creating children, writing to them, and deleting
// them with their references: parent and children each recover on their
// own; a reference whose child is gone (or never finished) reads as
// ErrNotFound, never a panic or another error.
func TestNestedCollectionsAfterSIGKILL(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "parent")
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 6))
	for round := range 15 {
		logPath := filepath.Join(dir, fmt.Sprintf("log%d", round))
		raw, _ := json.Marshal(compactArg{Path: path, Log: logPath})
		cmd := child(t, "nested", string(raw))
		waitForLine(t, logPath, "R", 10*time.Second)
		time.Sleep(time.Duration(5+r.IntN(40)) * time.Millisecond)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()

		parent, err := fscollections.OpenMap[*fscollections.FSList[string]](path, nil)
		if err != nil {
			t.Fatalf("round %d: reopen the parent: %v", round, err)
		}
		found, gone := 0, 0
		for key := range parent.Keys() {
			c, err := parent.Get(key)
			switch {
			case errors.Is(err, fscollections.ErrNotFound):
				gone++
			case err != nil:
				t.Fatalf("round %d: Get(%s) = %v", round, key, err)
			default:
				found++
				for range c.All() {
				}
				if err := c.Err(); err != nil {
					t.Fatalf("round %d: child %s: %v", round, key, err)
				}
			}
		}
		if err := parent.Err(); err != nil {
			t.Fatal(err)
		}
		if err := parent.Close(); err != nil {
			t.Fatal(err)
		}
		if round == 14 {
			t.Logf("after the last kill: %d children, %d references to gone children", found, gone)
		}
	}
	_ = os.RemoveAll(dir)
}
