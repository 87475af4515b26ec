package integration

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/fscollections/fscollections"
)

// handle drives one collection with the operations model.apply knows.
type handle struct {
	do    func(op []string) error
	sync  func() error
	close func() error
}

func openHandle(t *testing.T, kind, path string, opts *fscollections.Options) handle {
	t.Helper()
	atoi := func(s string) int { n, _ := strconv.Atoi(s); return n }
	switch kind {
	case "list", "swaplist":
		if kind == "list" {
			l, err := fscollections.OpenList[string](path, opts)
			if err != nil {
				t.Fatal(err)
			}
			return handle{func(op []string) error {
				switch op[0] {
				case "append":
					return l.Append(op[1])
				case "insert":
					return l.Insert(atoi(op[1]), op[2])
				case "set":
					return l.Set(atoi(op[1]), op[2])
				case "pop":
					_, err := l.Pop(atoi(op[1]))
					return err
				}
				return l.Reverse()
			}, l.Sync, l.Close}
		}
		o := *opts
		o.AutoCompact = true
		l, err := fscollections.OpenList[int64](path, &o)
		if err != nil {
			t.Fatal(err)
		}
		i64 := func(s string) int64 { n, _ := strconv.ParseInt(s, 10, 64); return n }
		return handle{func(op []string) error {
			switch op[0] {
			case "append":
				return l.Append(i64(op[1]))
			case "insert":
				return l.Insert(atoi(op[1]), i64(op[2]))
			case "set":
				return l.Set(atoi(op[1]), i64(op[2]))
			case "pop":
				_, err := l.Pop(atoi(op[1]))
				return err
			}
			return l.Reverse()
		}, l.Sync, l.Close}
	case "map":
		m, err := fscollections.OpenMap[string](path, opts)
		if err != nil {
			t.Fatal(err)
		}
		return handle{func(op []string) error {
			if op[0] == "put" {
				return m.Set(op[1], op[2])
			}
			return m.Delete(op[1])
		}, m.Sync, m.Close}
	default:
		s, err := fscollections.OpenSet[string](path, opts)
		if err != nil {
			t.Fatal(err)
		}
		return handle{func(op []string) error {
			if op[0] == "put" {
				return s.Add(op[1])
			}
			return s.Remove(op[1])
		}, s.Sync, s.Close}
	}
}

// randomOp returns an operation valid on m.
func randomOp(r *rand.Rand, kind string, m *model) []string {
	v := strconv.Itoa(r.IntN(100000))
	if kind == "list" || kind == "swaplist" {
		n := len(m.list)
		switch k := r.IntN(10); {
		case k < 4 || n == 0:
			return []string{"append", v}
		case k < 5:
			return []string{"insert", strconv.Itoa(r.IntN(n + 1)), v}
		case k < 7:
			return []string{"set", strconv.Itoa(r.IntN(n)), v}
		case k < 9:
			return []string{"pop", strconv.Itoa(r.IntN(n))}
		}
		return []string{"reverse"}
	}
	k := "k" + strconv.Itoa(r.IntN(60))
	if _, ok := m.vals[k]; ok && r.IntN(3) == 0 {
		return []string{"del", k}
	}
	return []string{"put", k, v}
}

// fileSizes returns the sizes of the collection's files.
func fileSizes(path string) map[string]int64 {
	out := map[string]int64{}
	files, _ := filepath.Glob(path + ".*")
	for _, f := range files {
		if st, err := os.Stat(f); err == nil {
			out[strings.TrimPrefix(f, path)] = st.Size()
		}
	}
	return out
}

// A power cut keeps what was fsynced and any part of what was not.
// Snapshots of the files taken mid-run, each file cut at a random length
// between its size at the last fsync and its size now, must open, and hold
// the result of a prefix of the operations that includes every one synced.
func TestPowerLossKeepsSyncedPrefix(t *testing.T) {
	cases := []struct {
		kind string
		opts fscollections.Options
	}{
		{"list", fscollections.Options{}},
		{"list", fscollections.Options{Sync: fscollections.SyncAlways}},
		{"map", fscollections.Options{}},
		{"set", fscollections.Options{}},
		{"map", fscollections.Options{Sync: fscollections.SyncAlways}},
		// Swap-and-pop changes the data file in place: it survives power
		// loss with SyncAlways (see the README), SIGKILL with any policy.
		{"swaplist", fscollections.Options{Sync: fscollections.SyncAlways}},
	}
	snapshots := 0
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s/sync=%d", c.kind, c.opts.Sync), func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "c")
			r := rand.New(rand.NewPCG(uint64(len(c.kind)), uint64(c.opts.Sync)))
			h := openHandle(t, c.kind, path, &c.opts)
			defer h.close()
			live := &model{vals: map[string]string{}}
			var ops [][]string
			synced, syncedSizes := 0, fileSizes(path)
			for i := range 400 {
				op := randomOp(r, c.kind, live)
				if err := h.do(op); err != nil {
					t.Fatalf("op %d %v: %v", i, op, err)
				}
				live.apply(c.kind == "set", op)
				ops = append(ops, op)
				if c.opts.Sync == fscollections.SyncAlways || r.IntN(20) == 0 {
					if c.opts.Sync != fscollections.SyncAlways {
						if err := h.sync(); err != nil {
							t.Fatal(err)
						}
					}
					synced, syncedSizes = len(ops), fileSizes(path)
				}
				if r.IntN(8) != 0 {
					continue
				}
				// Power cut now: copy the files, each cut somewhere between
				// its synced size and its size in the page cache.
				snap := filepath.Join(dir, fmt.Sprintf("snap%d", i))
				for suffix, size := range fileSizes(path) {
					b, err := os.ReadFile(path + suffix)
					if err != nil {
						t.Fatal(err)
					}
					low := min(syncedSizes[suffix], int64(len(b)))
					if strings.HasSuffix(suffix, "index.fscollection") || low == int64(len(b)) {
						low = int64(len(b)) // replaced atomically, never cut
					}
					cut := low + r.Int64N(int64(len(b))-low+1)
					_ = size
					if err := os.WriteFile(snap+suffix, b[:cut], 0o600); err != nil {
						t.Fatal(err)
					}
				}
				got, _ := contents(t, c.kind, snap)
				k := matchPrefix(&model{vals: map[string]string{}}, ops, c.kind == "set", got)
				if k < synced {
					t.Fatalf("after op %d: recovered a prefix of %d operations, but %d were synced\ngot %v", i, k, synced, got)
				}
				snapshots++
			}
		})
	}
	t.Logf("%d power cuts simulated", snapshots)
}

// Close fsyncs the data file but not the checkpoint it then writes (see
// IndexFile.Replace), and Open strips the clean-close marker without
// fsync: a power cut may leave the index missing, cut anywhere, the one
// from before Close, or an older one with its marker back. Each must open with
// exactly the contents Close saw, rebuilt from the data file.
func TestPowerCutAfterCloseCostsOnlyAReplay(t *testing.T) {
	for _, kind := range []string{"list", "map", "set"} {
		t.Run(kind, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "c")
			r := rand.New(rand.NewPCG(uint64(len(kind)), 7))
			live := &model{vals: map[string]string{}}
			run := func(n int) {
				h := openHandle(t, kind, path, &fscollections.Options{})
				for range n {
					op := randomOp(r, kind, live)
					if err := h.do(op); err != nil {
						t.Fatalf("%v: %v", op, err)
					}
					live.apply(kind == "set", op)
				}
				if err := h.close(); err != nil {
					t.Fatal(err)
				}
			}
			run(300)
			// The first Close's index, marker and all: a power cut after
			// the next Open stripped the marker and the writes after it
			// can bring it back (the cut is not fsynced). It must cost a
			// replay of those writes, not lose them.
			marked, err := os.ReadFile(path + ".index.fscollection")
			if err != nil {
				t.Fatal(err)
			}
			// Reopen and write more: the index on disk is now the first
			// Close's checkpoint without its marker.
			h := openHandle(t, kind, path, &fscollections.Options{})
			before, err := os.ReadFile(path + ".index.fscollection")
			if err != nil {
				t.Fatal(err)
			}
			if err := h.close(); err != nil {
				t.Fatal(err)
			}
			run(300)
			data, err := os.ReadFile(path + ".data.fscollection")
			if err != nil {
				t.Fatal(err)
			}
			index, err := os.ReadFile(path + ".index.fscollection")
			if err != nil {
				t.Fatal(err)
			}
			variants := map[string][]byte{"missing": nil, "previous": before, "empty": {}, "marked": marked}
			for i := range 12 {
				variants[fmt.Sprint("cut", i)] = index[:r.IntN(len(index))]
			}
			for name, idx := range variants {
				snap := filepath.Join(dir, "snap-"+name)
				if err := os.WriteFile(snap+".data.fscollection", data, 0o600); err != nil {
					t.Fatal(err)
				}
				if idx != nil {
					if err := os.WriteFile(snap+".index.fscollection", idx, 0o600); err != nil {
						t.Fatal(err)
					}
				}
				got, _ := contents(t, kind, snap)
				if got.String() != live.String() {
					t.Fatalf("index %s: reopened with\n%v\nwant\n%v", name, got, live)
				}
			}
		})
	}
}
