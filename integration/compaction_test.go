package integration

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/fscollections/fscollections"
)

type compactArg struct {
	Kind string
	Path string
	Log  string
}

func init() {
	children["compact"] = func(raw string) error {
		a, err := decodeArg[compactArg](raw)
		if err != nil {
			return err
		}
		var compact func() error
		switch a.Kind {
		case "list", "swaplist":
			l, err := fscollections.OpenList[int64](a.Path, &fscollections.Options{AutoCompact: a.Kind == "swaplist"})
			if err != nil {
				return err
			}
			compact = l.Compact
		default:
			m, err := fscollections.OpenMap[string](a.Path, nil)
			if err != nil {
				return err
			}
			compact = m.Compact
		}
		logf, err := openAppend(a.Log)
		if err != nil {
			return err
		}
		_, _ = logf.WriteString("R\n")
		for { // compact until killed
			if err := compact(); err != nil {
				return err
			}
		}
	}
}

// A process killed at any instant of Compact leaves the collection with
// the same contents.
func TestKilledDuringCompactionKeepsContents(t *testing.T) {
	for _, kind := range []string{"list", "swaplist", "map"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := filepath.Join(dir, "c")
			want := fillForCompaction(t, kind, path)
			r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 9))
			for round := range 25 {
				logPath := filepath.Join(dir, fmt.Sprintf("log%d", round))
				raw, _ := json.Marshal(compactArg{Kind: kind, Path: path, Log: logPath})
				cmd := child(t, "compact", string(raw))
				waitForLine(t, logPath, "R", 10*time.Second)
				time.Sleep(time.Duration(r.IntN(30000)) * time.Microsecond)
				_ = cmd.Process.Signal(syscall.SIGKILL)
				_ = cmd.Wait()
				if got := readForCompaction(t, kind, path); !slices.Equal(got, want) {
					t.Fatalf("round %d: contents changed by a killed compaction (%d elements, want %d)", round, len(got), len(want))
				}
			}
		})
	}
}

// fillForCompaction writes a collection with dead records and returns its contents.
func fillForCompaction(t *testing.T, kind, path string) []string {
	t.Helper()
	switch kind {
	case "list", "swaplist":
		l, err := fscollections.OpenList[int64](path, &fscollections.Options{AutoCompact: kind == "swaplist"})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 40000 {
			_ = l.Append(int64(i))
		}
		for i := 0; i < 10000; i++ {
			_, _ = l.Pop(i)
		}
		_ = l.Insert(5, -5)
		l.Close()
	default:
		m, err := fscollections.OpenMap[string](path, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i := range 20000 {
			_ = m.Set(fmt.Sprint("k", i%15000), fmt.Sprint("v", i))
		}
		m.Close()
	}
	return readForCompaction(t, kind, path)
}

func readForCompaction(t *testing.T, kind, path string) []string {
	t.Helper()
	var out []string
	switch kind {
	case "list", "swaplist":
		l, err := fscollections.OpenList[int64](path, &fscollections.Options{AutoCompact: kind == "swaplist"})
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		for _, v := range l.All() {
			out = append(out, fmt.Sprint(v))
		}
		if err := l.Err(); err != nil {
			t.Fatal(err)
		}
	default:
		m, err := fscollections.OpenMap[string](path, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		for k, v := range m.All() {
			out = append(out, k+"="+v)
		}
		if err := m.Err(); err != nil {
			t.Fatal(err)
		}
	}
	return out
}
