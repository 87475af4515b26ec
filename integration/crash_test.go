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
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fscollections/fscollections"
)

// The crash harness. A child process opens a collection, loads its
// contents as its model, and runs random operations forever, writing to an
// operation log "B <op> <args>" before each call and "A" after it returns.
// The parent SIGKILLs it at a random moment, reopens the collection and
// checks that the contents equal the model after some prefix of the
// logged operations; with SyncAlways, a prefix holding every operation
// acknowledged with "A".

var crashSeed = flag.Uint64("seed", 0, "crash harness seed (0: from the clock); a failure prints its seed")

type crashArg struct {
	Kind string // list, map, set
	Path string
	Log  string
	Seed uint64
	Opts fscollections.Options
}

func init() { children["crash"] = crashChild }

func crashChild(raw string) error {
	var a crashArg
	if err := json.Unmarshal([]byte(raw), &a); err != nil {
		return err
	}
	logf, err := os.OpenFile(a.Log, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	say := func(s string) {
		if _, err := logf.WriteString(s + "\n"); err != nil {
			panic(err)
		}
	}
	r := rand.New(rand.NewPCG(a.Seed, a.Seed^0x5eed))
	value := func() string { return strings.Repeat(strconv.Itoa(r.IntN(1000)), 1+r.IntN(8)) }
	switch a.Kind {
	case "list":
		l, err := fscollections.OpenList[string](a.Path, &a.Opts)
		if err != nil {
			return err
		}
		return runList(l, r, say, value, func(s string) string { return s })
	case "swaplist":
		a.Opts.AutoCompact = true
		l, err := fscollections.OpenList[int64](a.Path, &a.Opts)
		if err != nil {
			return err
		}
		return runList(l, r, say, func() string { return strconv.Itoa(r.IntN(1e6)) },
			func(s string) int64 { n, _ := strconv.ParseInt(s, 10, 64); return n })
	default: // map and set share the key-based operations
		var put func(k, v string) error
		var del func(k string) error
		var clear, compact func() error
		var keys []string
		if a.Kind == "map" || a.Kind == "snappymap" {
			if a.Kind == "snappymap" {
				a.Opts.Compression = fscollections.Snappy
			}
			m, err := fscollections.OpenMap[string](a.Path, &a.Opts)
			if err != nil {
				return err
			}
			keys = slices.Collect(m.Keys())
			put, del, clear, compact = m.Set, m.Delete, m.Clear, m.Compact
		} else {
			s, err := fscollections.OpenSet[string](a.Path, &a.Opts)
			if err != nil {
				return err
			}
			keys = slices.Collect(s.All())
			put = func(k, _ string) error { return s.Add(k) }
			del, clear, compact = s.Remove, s.Clear, s.Compact
		}
		present := map[string]bool{}
		for _, k := range keys {
			present[k] = true
		}
		say("R")
		for {
			k := "k" + strconv.Itoa(r.IntN(300))
			var err error
			switch op := r.IntN(100); {
			case op < 60:
				v := value()
				say("B put " + k + " " + v)
				err = put(k, v)
				present[k] = true
			case op < 96:
				if !present[k] {
					continue
				}
				say("B del " + k)
				err = del(k)
				delete(present, k)
			case op < 98:
				say("B compact")
				err = compact()
			default:
				say("B clear")
				err = clear()
				clear2(present)
			}
			if err != nil {
				return err
			}
			say("A")
		}
	}
}

// runList runs random list operations forever, logging each (see crashChild).
func runList[T any](l *fscollections.FSList[T], r *rand.Rand, say func(string), value func() string, conv func(string) T) error {
	n := l.Len()
	say("R")
	for {
		var err error
		switch op := r.IntN(100); {
		case op < 40 || n == 0:
			v := value()
			say("B append " + v)
			err = l.Append(conv(v))
			n++
		case op < 55:
			i, v := r.IntN(n+1), value()
			say(fmt.Sprintf("B insert %d %s", i, v))
			err = l.Insert(i, conv(v))
			n++
		case op < 70:
			i, v := r.IntN(n), value()
			say(fmt.Sprintf("B set %d %s", i, v))
			err = l.Set(i, conv(v))
		case op < 92:
			i := r.IntN(n)
			say(fmt.Sprintf("B pop %d", i))
			_, err = l.Pop(i)
			n--
		case op < 96:
			say("B reverse")
			err = l.Reverse()
		case op < 98:
			say("B compact")
			err = l.Compact()
		default:
			say("B clear")
			err = l.Clear()
			n = 0
		}
		if err != nil {
			return err
		}
		say("A")
	}
}

func clear2(m map[string]bool) {
	for k := range m {
		delete(m, k)
	}
}

// model is the expected contents: a list, or keys in insertion order
// with their values (a set has empty values).
type model struct {
	list []string
	keys []string
	vals map[string]string
}

func (m *model) clone() *model {
	c := &model{list: slices.Clone(m.list), keys: slices.Clone(m.keys), vals: map[string]string{}}
	for k, v := range m.vals {
		c.vals[k] = v
	}
	return c
}

func (m *model) apply(set bool, f []string) {
	atoi := func(s string) int { n, _ := strconv.Atoi(s); return n }
	switch f[0] {
	case "append":
		m.list = append(m.list, f[1])
	case "insert":
		m.list = slices.Insert(m.list, atoi(f[1]), f[2])
	case "set":
		m.list[atoi(f[1])] = f[2]
	case "pop":
		m.list = slices.Delete(m.list, atoi(f[1]), atoi(f[1])+1)
	case "reverse":
		slices.Reverse(m.list)
	case "clear":
		m.list, m.keys, m.vals = nil, nil, map[string]string{}
	case "put":
		if _, ok := m.vals[f[1]]; !ok {
			m.keys = append(m.keys, f[1])
		}
		if set {
			m.vals[f[1]] = ""
		} else {
			m.vals[f[1]] = f[2]
		}
	case "del":
		delete(m.vals, f[1])
		m.keys = slices.DeleteFunc(m.keys, func(k string) bool { return k == f[1] })
	}
}

func (m *model) String() string {
	if m.list != nil || m.keys == nil {
		return fmt.Sprint(m.list)
	}
	var b strings.Builder
	for _, k := range m.keys {
		fmt.Fprintf(&b, "%s=%s ", k, m.vals[k])
	}
	return b.String()
}

// contents reads the collection at path as a model.
func contents(t *testing.T, kind, path string) (*model, fscollections.Metrics) {
	t.Helper()
	m := &model{vals: map[string]string{}}
	switch kind {
	case "list":
		l, err := fscollections.OpenList[string](path, nil)
		if err != nil {
			t.Fatalf("reopen: %v", err)
		}
		defer l.Close()
		for _, v := range l.All() {
			m.list = append(m.list, v)
		}
		if err := l.Err(); err != nil {
			t.Fatal(err)
		}
		return m, l.Metrics()
	case "swaplist":
		l, err := fscollections.OpenList[int64](path, &fscollections.Options{AutoCompact: true})
		if err != nil {
			t.Fatalf("reopen: %v", err)
		}
		defer l.Close()
		for _, v := range l.All() {
			m.list = append(m.list, strconv.FormatInt(v, 10))
		}
		if err := l.Err(); err != nil {
			t.Fatal(err)
		}
		return m, l.Metrics()
	case "map", "snappymap":
		var opts *fscollections.Options
		if kind == "snappymap" {
			opts = &fscollections.Options{Compression: fscollections.Snappy}
		}
		mp, err := fscollections.OpenMap[string](path, opts)
		if err != nil {
			t.Fatalf("reopen: %v", err)
		}
		defer mp.Close()
		for k, v := range mp.All() {
			m.keys = append(m.keys, k)
			m.vals[k] = v
		}
		if err := mp.Err(); err != nil {
			t.Fatal(err)
		}
		return m, mp.Metrics()
	default:
		s, err := fscollections.OpenSet[string](path, nil)
		if err != nil {
			t.Fatalf("reopen: %v", err)
		}
		defer s.Close()
		for k := range s.All() {
			m.keys = append(m.keys, k)
			m.vals[k] = ""
		}
		return m, s.Metrics()
	}
}

func TestCrashRecoveryMatchesAPrefix(t *testing.T) {
	policies := []fscollections.Options{
		{},
		{Sync: fscollections.SyncAlways},
		{Sync: fscollections.SyncInterval, SyncInterval: 5 * time.Millisecond},
		{Cache: fscollections.LRU, CacheSize: 64},
		{Cache: fscollections.FIFO, CacheSize: 64, Sync: fscollections.SyncAlways},
		{Cache: fscollections.LFU, CacheSize: 64, CompactionThreshold: 0.5},
	}
	for _, kind := range []string{"list", "swaplist", "map", "snappymap", "set"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := filepath.Join(dir, "c")
			before, _ := contents(t, kind, path)
			seed := *crashSeed
			if seed == 0 {
				seed = uint64(time.Now().UnixNano())
			}
			defer func() {
				if t.Failed() {
					t.Logf("replay with: go test ./integration -run 'Crash/%s' -args -seed=%d", kind, seed)
				}
			}()
			r := rand.New(rand.NewPCG(seed, 1))
			recovered := 0
			for round := 0; round < *rounds; round++ {
				opts := policies[round%len(policies)]
				logPath := filepath.Join(dir, fmt.Sprintf("ops-%d.log", round))
				arg, _ := json.Marshal(crashArg{Kind: kind, Path: path, Log: logPath, Seed: r.Uint64(), Opts: opts})
				cmd := child(t, "crash", string(arg))
				waitForLine(t, logPath, "R", 10*time.Second)
				time.Sleep(time.Duration(1+r.IntN(40)) * time.Millisecond)
				_ = cmd.Process.Signal(syscall.SIGKILL)
				err := cmd.Wait()
				var ee interface{ ExitCode() int }
				if errors.As(err, &ee) && ee.ExitCode() == 3 {
					t.Fatalf("round %d: the child failed an operation", round)
				}
				got, met := contents(t, kind, path)
				if !met.CleanShutdown {
					recovered++
				}
				ops, acked := readOpLog(t, logPath)
				prefix := matchPrefix(before, ops, kind == "set", got)
				if prefix < 0 {
					t.Fatalf("round %d (%+v): recovered contents match no prefix of the %d operations\nrecovered: %v",
						round, opts, len(ops), got)
				}
				if opts.Sync == fscollections.SyncAlways && prefix < acked {
					t.Fatalf("round %d: SyncAlways lost acknowledged operations: %d acknowledged, recovered a prefix of %d",
						round, acked, prefix)
				}
				before = got
				_ = os.Remove(logPath)
			}
			t.Logf("%d rounds, %d recovered without a clean close", *rounds, recovered)
		})
	}
}

// readOpLog returns the operations begun and how many were acknowledged.
func readOpLog(t *testing.T, path string) (ops [][]string, acked int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "B "):
			ops = append(ops, strings.Fields(line[2:]))
		case line == "A":
			acked++
		}
	}
	return ops, acked
}

// matchPrefix returns the largest k such that applying ops[:k] to start
// gives got, or -1.
func matchPrefix(start *model, ops [][]string, set bool, got *model) int {
	m := start.clone()
	want := got.String()
	best := -1
	if m.String() == want {
		best = 0
	}
	for k, op := range ops {
		m.apply(set, op)
		if m.String() == want {
			best = k + 1
		}
	}
	return best
}
