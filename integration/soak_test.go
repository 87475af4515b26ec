package integration

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fscollections/fscollections"
)

var soakTime = flag.Duration("soak", 2*time.Second, "how long each soak process runs")

type soakArg struct {
	ID      int
	Map     string
	List    string
	Log     string
	Seconds float64
}

func init() {
	children["soak"] = func(raw string) error {
		a, err := decodeArg[soakArg](raw)
		if err != nil {
			return err
		}
		// Eight processes contend: operations may wait longer than the default.
		shared := &fscollections.Options{Shared: true, LockTimeout: time.Minute}
		m, err := fscollections.OpenMap[string](a.Map, shared)
		if err != nil {
			return err
		}
		defer m.Close()
		l, err := fscollections.OpenList[string](a.List, shared)
		if err != nil {
			return err
		}
		defer l.Close()
		out, err := os.Create(a.Log)
		if err != nil {
			return err
		}
		defer out.Close()
		w := bufio.NewWriter(out)
		defer w.Flush()
		r := rand.New(rand.NewPCG(uint64(a.ID), 42))
		var own []string // this process's keys now in the map
		deadline := time.Now().Add(time.Duration(a.Seconds * float64(time.Second)))
		for seq := 0; time.Now().Before(deadline); seq++ {
			switch op := r.IntN(100); {
			case op < 25:
				k := fmt.Sprintf("p%d-%d", a.ID, seq)
				if err := m.Set(k, "v"); err != nil {
					return err
				}
				own = append(own, k)
				fmt.Fprintln(w, "set", k)
			case op < 35 && len(own) > 0:
				i := r.IntN(len(own))
				if err := m.Delete(own[i]); err != nil {
					return err
				}
				fmt.Fprintln(w, "del", own[i])
				own = append(own[:i], own[i+1:]...)
			case op < 50:
				k, v := fmt.Sprintf("shared-%d", r.IntN(5)), fmt.Sprintf("p%d-%d", a.ID, seq)
				if err := m.Set(k, v); err != nil {
					return err
				}
				fmt.Fprintln(w, "shared", k, v)
			case op < 75:
				item := fmt.Sprintf("p%d-%d", a.ID, seq)
				if err := l.Append(item); err != nil {
					return err
				}
				fmt.Fprintln(w, "append", item)
			case op < 98:
				item, err := l.Pop(0)
				if errors.Is(err, fscollections.ErrEmpty) {
					continue
				}
				if err != nil {
					return err
				}
				fmt.Fprintln(w, "pop", item)
			case op < 99:
				if err := m.Compact(); err != nil {
					return err
				}
			default:
				if err := l.Compact(); err != nil {
					return err
				}
			}
		}
		fmt.Fprintln(w, "end")
		return nil
	}
}

// Eight processes share one map and one list (Shared mode) for a while:
// setting and deleting their own keys, overwriting shared keys, appending
// to and popping from the list, compacting now and then. Afterwards the
// map holds exactly the keys acknowledged as set and not deleted, each
// shared key holds a value some process wrote, and every item appended was
// popped exactly once or is still in the list.
func TestSharedModeSoak(t *testing.T) {
	dir := t.TempDir()
	const procs = 8
	var waits []chan error
	for id := range procs {
		raw, _ := json.Marshal(soakArg{ID: id, Map: filepath.Join(dir, "m"), List: filepath.Join(dir, "l"),
			Log: filepath.Join(dir, fmt.Sprintf("log%d", id)), Seconds: soakTime.Seconds()})
		cmd := child(t, "soak", string(raw))
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		waits = append(waits, done)
	}
	for _, w := range waits {
		if err := <-w; err != nil {
			t.Fatalf("soak process: %v", err)
		}
	}
	wantKeys := map[string]bool{}
	sharedWrites := map[string]bool{}
	appended, popped := map[string]bool{}, map[string]int{}
	ops := 0
	for id := range procs {
		f, err := os.Open(filepath.Join(dir, fmt.Sprintf("log%d", id)))
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		ended := false
		for sc.Scan() {
			ops++
			fields := strings.Fields(sc.Text())
			switch fields[0] {
			case "set":
				wantKeys[fields[1]] = true
			case "del":
				delete(wantKeys, fields[1])
			case "shared":
				sharedWrites[fields[1]+"="+fields[2]] = true
			case "append":
				appended[fields[1]] = true
			case "pop":
				popped[fields[1]]++
			case "end":
				ended = true
			}
		}
		f.Close()
		if !ended {
			t.Fatalf("process %d did not finish its log", id)
		}
	}
	m, err := fscollections.OpenMap[string](filepath.Join(dir, "m"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	for k, v := range m.All() {
		if strings.HasPrefix(k, "shared-") {
			if !sharedWrites[k+"="+v] {
				t.Fatalf("%s = %s, a value no process wrote there", k, v)
			}
			continue
		}
		if !wantKeys[k] {
			t.Fatalf("key %s present but deleted or never set", k)
		}
		delete(wantKeys, k)
	}
	if len(wantKeys) != 0 {
		t.Fatalf("%d acknowledged keys missing", len(wantKeys))
	}
	l, err := fscollections.OpenList[string](filepath.Join(dir, "l"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	remaining := 0
	for _, item := range l.All() {
		popped[item]++
		remaining++
	}
	for item, n := range popped {
		if n != 1 || !appended[item] {
			t.Fatalf("item %s popped or left %d times (appended: %v)", item, n, appended[item])
		}
	}
	if len(popped) != len(appended) {
		t.Fatalf("%d items appended, %d accounted for", len(appended), len(popped))
	}
	t.Logf("%d processes, %d acknowledged operations, %d items appended, %d left in the list", procs, ops, len(appended), remaining)
}
