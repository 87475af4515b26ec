package integration

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fscollections/fscollections"
)

type procArg struct {
	Path  string
	Ready string // file to create once the collection is open
	Name  string
	N     int
	Out   string // where a consumer writes what it took
	Done  string // glob of producer "done" files a consumer waits for
	Peers int    // how many done files mean all producers finished
}

func init() {
	children["produce"] = func(raw string) error {
		a, l, err := openProcList(raw)
		if err != nil {
			return err
		}
		defer l.Close()
		for i := range a.N {
			if err := l.Append(fmt.Sprintf("%s-%d", a.Name, i)); err != nil {
				return err
			}
		}
		if a.Ready != "" {
			return os.WriteFile(a.Ready, []byte("R\n"), 0o600)
		}
		return nil
	}
	children["consume"] = func(raw string) error {
		a, l, err := openProcList(raw)
		if err != nil {
			return err
		}
		defer l.Close()
		out, err := os.Create(a.Out)
		if err != nil {
			return err
		}
		defer out.Close()
		for {
			v, err := l.Pop(0)
			if errors.Is(err, fscollections.ErrEmpty) {
				done, _ := filepath.Glob(a.Done)
				if len(done) == a.Peers && l.Len() == 0 {
					return nil
				}
				time.Sleep(time.Millisecond)
				continue
			}
			if err != nil {
				return err
			}
			if _, err := out.WriteString(v + "\n"); err != nil {
				return err
			}
		}
	}
}

func run(t *testing.T, role string, a procArg) chan error {
	t.Helper()
	raw, _ := json.Marshal(a)
	cmd := child(t, role, string(raw))
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	return done
}

func TestSecondExclusiveOpenGetsErrLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "l")
	cmd := hold(t, holdArg{Path: path})

	_, err := fscollections.OpenList[string](path, &fscollections.Options{LockTimeout: 100 * time.Millisecond})
	if !errors.Is(err, fscollections.ErrLocked) || !strings.Contains(err.Error(), fmt.Sprint(cmd.Process.Pid)) {
		t.Fatalf("second open: %v; want ErrLocked naming process %d", err, cmd.Process.Pid)
	}
	_, err = fscollections.OpenList[string](path, &fscollections.Options{ReadOnly: true, LockTimeout: 50 * time.Millisecond})
	if !errors.Is(err, fscollections.ErrLocked) {
		t.Fatalf("read-only open beside a writer: %v", err)
	}
	// Once the holder dies (SIGKILL: no Close), the lock is free.
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	l, err := fscollections.OpenList[string](path, nil)
	if err != nil {
		t.Fatalf("open after the holder died: %v", err)
	}
	l.Close()
}

func TestReadOnlyOpensCoexist(t *testing.T) {
	path := filepath.Join(t.TempDir(), "l")
	l, err := fscollections.OpenList[string](path, nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = l.Append("a", "b")
	l.Close()
	ro := &fscollections.Options{ReadOnly: true, LockTimeout: 50 * time.Millisecond}
	r1, err := fscollections.OpenList[string](path, ro)
	if err != nil {
		t.Fatal(err)
	}
	defer r1.Close()
	r2, err := fscollections.OpenList[string](path, ro)
	if err != nil {
		t.Fatalf("second read-only open: %v", err)
	}
	defer r2.Close()
	if v, err := r2.Get(1); err != nil || v != "b" {
		t.Fatalf("Get(1) = %q, %v", v, err)
	}
	if err := r1.Append("c"); !errors.Is(err, fscollections.ErrReadOnly) {
		t.Fatalf("Append on read-only: %v", err)
	}
	if _, err := fscollections.OpenList[string](path, &fscollections.Options{LockTimeout: 50 * time.Millisecond}); !errors.Is(err, fscollections.ErrLocked) {
		t.Fatalf("writer beside readers: %v", err)
	}
}

func TestSharedModeAppendersLoseNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "l")
	const procs, each = 4, 2000
	var waits []chan error
	for p := range procs {
		waits = append(waits, run(t, "produce", procArg{Path: path, Name: fmt.Sprintf("p%d", p), N: each}))
	}
	for _, w := range waits {
		if err := <-w; err != nil {
			t.Fatalf("producer: %v", err)
		}
	}
	l, err := fscollections.OpenList[string](path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	seen := map[string]bool{}
	next := map[string]int{}
	for _, v := range l.All() {
		if seen[v] {
			t.Fatalf("%s appears twice", v)
		}
		seen[v] = true
		var name string
		var i int
		fmt.Sscanf(strings.Replace(v, "-", " ", 1), "%s %d", &name, &i)
		if next[name] != i {
			t.Fatalf("%s out of order: expected %s-%d", v, name, next[name])
		}
		next[name]++
	}
	if len(seen) != procs*each {
		t.Fatalf("%d elements, want %d", len(seen), procs*each)
	}
}

func TestSharedModeProducersAndConsumers(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "queue")
	const producers, consumers, each = 2, 2, 2500
	var waits []chan error
	for c := range consumers {
		waits = append(waits, run(t, "consume", procArg{Path: path, Out: filepath.Join(dir, fmt.Sprintf("out%d", c)),
			Done: filepath.Join(dir, "done*"), Peers: producers}))
	}
	for p := range producers {
		waits = append(waits, run(t, "produce", procArg{Path: path, Name: fmt.Sprintf("p%d", p), N: each,
			Ready: filepath.Join(dir, fmt.Sprintf("done%d", p))}))
	}
	for _, w := range waits {
		if err := <-w; err != nil {
			t.Fatalf("child: %v", err)
		}
	}
	seen := map[string]int{}
	for c := range consumers {
		b, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("out%d", c)))
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range strings.Fields(string(b)) {
			seen[v]++
		}
	}
	for p := range producers {
		for i := range each {
			if n := seen[fmt.Sprintf("p%d-%d", p, i)]; n != 1 {
				t.Fatalf("p%d-%d consumed %d times", p, i, n)
			}
		}
	}
	if len(seen) != producers*each {
		t.Fatalf("%d distinct items consumed, want %d", len(seen), producers*each)
	}
}

// openProcList decodes a child's procArg and opens its shared list.
func openProcList(raw string) (procArg, *fscollections.FSList[string], error) {
	a, err := decodeArg[procArg](raw)
	if err != nil {
		return a, nil, err
	}
	l, err := openSharedList(a.Path)
	return a, l, err
}
