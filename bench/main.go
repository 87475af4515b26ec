// Command bench runs the same workloads on fscollections and on the
// embedded stores people use instead — bbolt, badger, pebble, buntdb,
// goleveldb — one operation per call, and prints one table per workload
// with each figure's ratio to ours. `make bench-peers` runs it and writes
// RESULTS.md.
//
//	go run . [-n 1000000] [-out RESULTS.md] [-engines fscollections,bbolt]
package main

import (
	"bytes"
	"encoding/binary"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/fscollections/fscollections"
)

var (
	n          = flag.Int("n", 1_000_000, "keys in the KV workload, elements in the list workload")
	durableFor = flag.Duration("durable", 2*time.Second, "how long each durable run lasts")
	mixedFor   = flag.Duration("mixed", 2*time.Second, "how long each mixed-latency run lasts")
	out        = flag.String("out", "", "also write the report to this file (markdown)")
	only       = flag.String("engines", "", "comma-separated engines to run (default: all)")
	workloads  = flag.String("workloads", "kv,list,durable,mixed", "comma-separated workloads")
	cpuProfile = flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
)

func main() {
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	var w io.Writer = os.Stdout
	var report bytes.Buffer
	if *out != "" {
		w = io.MultiWriter(os.Stdout, &report)
	}
	header(w)
	var selected []Engine
	for _, e := range engines {
		if *only == "" || slices.Contains(strings.Split(*only, ","), e.Name) {
			selected = append(selected, e)
		}
	}
	var full []Engine // the engines of every workload but KV
	for _, e := range selected {
		if !e.KVOnly {
			full = append(full, e)
		}
	}
	for _, wl := range strings.Split(*workloads, ",") {
		var err error
		switch wl {
		case "kv":
			err = kvWorkload(w, selected)
		case "list":
			err = listWorkload(w, full)
		case "durable":
			err = durableWorkload(w, full)
		case "mixed":
			err = mixedWorkload(w, full)
		default:
			err = fmt.Errorf("unknown workload %q", wl)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
	}
	if *out != "" {
		if err := os.WriteFile(*out, report.Bytes(), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
	}
}

func header(w io.Writer) {
	cpu := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "model name") {
				cpu = strings.TrimSpace(strings.SplitN(l, ":", 2)[1])
				break
			}
		}
	}
	goVersion, _ := exec.Command("go", "version").Output()
	fmt.Fprintf(w, "# fscollections beside bbolt, badger, pebble, buntdb, goleveldb\n\n")
	fmt.Fprintf(w, "- date: %s\n- machine: %s, %d cores, %s/%s\n- Go: %s- command: `go run ./bench %s` (from the repository root: `make bench-peers`)\n",
		time.Now().UTC().Format("2006-01-02 15:04 MST"), cpu, runtime.NumCPU(), runtime.GOOS, runtime.GOARCH,
		strings.TrimPrefix(string(goVersion), "go version "), strings.Join(os.Args[1:], " "))
	fmt.Fprintf(w, "- one operation per call (one transaction per put for the transactional stores); values are copied out and compared\n")
	fmt.Fprintf(w, "- modes: ")
	for i, e := range engines {
		if i > 0 {
			fmt.Fprint(w, "; ")
		}
		fmt.Fprintf(w, "%s %s", e.Name, e.Mode)
	}
	fmt.Fprintf(w, " (the first for every workload but Durable)\n\n")
}

// key32 is the i-th 32-byte key: random-looking, so that no engine gets
// sorted input for free.
func key32(i int) []byte {
	k := make([]byte, 32)
	binary.BigEndian.PutUint64(k, uint64(i)*0x9E3779B97F4A7C15)
	copy(k[8:], fmt.Sprintf("%024d", i))
	return k
}

// value100 is the i-th 100-byte value: distinct per key, checkable.
func value100(i int) []byte {
	v := bytes.Repeat([]byte{byte(i)}, 100)
	binary.BigEndian.PutUint64(v, uint64(i))
	return v
}

func heapAlloc() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

func diskBytes(dir string) int64 {
	var total int64
	_ = filepath.Walk(dir, func(_ string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			total += info.Size()
		}
		return nil
	})
	return total
}

// row is one engine's figures in a table; a negative figure is "n/a".
type row struct {
	engine string
	vals   []float64
}

// table prints rows with each figure and, after it, its ratio to the
// first row's (ours). lower says, per column, whether lower is better.
func table(w io.Writer, title string, cols []string, lower []bool, rows []row, note string) {
	fmt.Fprintf(w, "## %s\n\n%s\n\n| engine |", title, note)
	for _, c := range cols {
		fmt.Fprintf(w, " %s |", c)
	}
	fmt.Fprint(w, "\n|---|")
	for range cols {
		fmt.Fprint(w, "---:|")
	}
	fmt.Fprintln(w)
	for _, r := range rows {
		fmt.Fprintf(w, "| %s |", r.engine)
		for j, v := range r.vals {
			base := rows[0].vals[j]
			switch {
			case v < 0:
				fmt.Fprint(w, " n/a |")
			case r.engine == rows[0].engine || base <= 0:
				fmt.Fprintf(w, " %s |", human(v))
			default:
				ratio := v / base
				if !lower[j] {
					ratio = base / v
				}
				fmt.Fprintf(w, " %s (%.2fx) |", human(v), ratio)
			}
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w)
}

func human(v float64) string {
	switch {
	case v >= 1e9:
		return fmt.Sprintf("%.2fG", v/1e9)
	case v >= 1e6:
		return fmt.Sprintf("%.2fM", v/1e6)
	case v >= 1e4:
		return fmt.Sprintf("%.1fk", v/1e3)
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.1f", v)
}

func perOp(d time.Duration, ops int) float64 { return float64(d.Nanoseconds()) / float64(max(ops, 1)) }

func kvWorkload(w io.Writer, es []Engine) error {
	N := *n
	keys := make([][]byte, N)
	for i := range keys {
		keys[i] = key32(i)
	}
	perm := rand.New(rand.NewPCG(1, 2)).Perm(N)
	var rows []row
	for _, e := range es {
		dir, err := os.MkdirTemp("", "bench-"+e.Name)
		if err != nil {
			return err
		}
		base := heapAlloc()
		kv, err := e.Open(dir, false)
		if err != nil {
			return fmt.Errorf("%s: %w", e.Name, err)
		}
		start := time.Now()
		for i := range N {
			if err := kv.Put(keys[i], value100(i)); err != nil {
				return fmt.Errorf("%s put: %w", e.Name, err)
			}
		}
		put := perOp(time.Since(start), N)
		heap := float64(heapAlloc()-min(base, heapAlloc())) / float64(N)
		start = time.Now()
		for _, i := range perm {
			v, err := kv.Get(keys[i])
			if err != nil || !bytes.Equal(v, value100(i)) {
				return fmt.Errorf("%s get %d: %v", e.Name, i, err)
			}
		}
		get := perOp(time.Since(start), N)
		start = time.Now()
		items, sum := 0, 0
		if err := kv.Scan(nil, func(k, v []byte) bool { items++; sum += int(v[99]); return true }); err != nil || items != N {
			return fmt.Errorf("%s scan: %d items, %v", e.Name, items, err)
		}
		scan := perOp(time.Since(start), items)
		start = time.Now()
		for _, i := range perm[:N/10] {
			if err := kv.Delete(keys[i]); err != nil {
				return fmt.Errorf("%s delete: %w", e.Name, err)
			}
		}
		del := perOp(time.Since(start), N/10)
		start = time.Now()
		if err := kv.Close(); err != nil {
			return fmt.Errorf("%s close: %w", e.Name, err)
		}
		closing := float64(time.Since(start).Nanoseconds())
		start = time.Now()
		kv, err = e.Open(dir, false)
		if err != nil {
			return fmt.Errorf("%s reopen: %w", e.Name, err)
		}
		i := perm[N-1]
		if v, err := kv.Get(keys[i]); err != nil || !bytes.Equal(v, value100(i)) {
			return fmt.Errorf("%s get after reopen: %v", e.Name, err)
		}
		reopen := float64(time.Since(start).Nanoseconds())
		_ = kv.Close()
		disk := float64(diskBytes(dir))
		os.RemoveAll(dir)
		rows = append(rows, row{e.Name, []float64{put, get, scan, del, closing / 1e6, reopen / 1e6, disk / 1e6, heap}})
		fmt.Fprintf(os.Stderr, "kv %s done\n", e.Name)
	}
	table(w, fmt.Sprintf("KV: %d distinct 32-byte keys, 100-byte values", N),
		[]string{"put ns/op", "random get ns/op", "scan ns/item", "delete 10% ns/op", "close ms", "reopen ms", "disk MB", "heap B/key"},
		[]bool{true, true, true, true, true, true, true, true}, rows,
		"Ratios are the engine's figure over ours (above 1: we are faster or smaller). Reopen: Open plus one Get after a clean Close. Heap: Go heap held with the store open after the puts, per key.")
	return nil
}

func seqKey(i int) []byte { return binary.BigEndian.AppendUint64(nil, uint64(i)) }

func listWorkload(w io.Writer, es []Engine) error {
	N := *n
	const slice, pops = 1000, 1000
	r := rand.New(rand.NewPCG(3, 4))
	idx := make([]int, 200_000)
	for i := range idx {
		idx[i] = r.IntN(N)
	}
	var rows []row
	for _, e := range es {
		dir, err := os.MkdirTemp("", "bench-list-"+e.Name)
		if err != nil {
			return err
		}
		var appendNs, getNs, sliceNs, popFront, popMiddle float64
		if e.Name == "fscollections" {
			l, err := fscollections.OpenList[[]byte](dir+"/l", nil)
			if err != nil {
				return err
			}
			start := time.Now()
			for i := range N {
				if err := l.Append(value100(i)); err != nil {
					return err
				}
			}
			appendNs = perOp(time.Since(start), N)
			start = time.Now()
			for _, i := range idx {
				if v, err := l.Get(i); err != nil || !bytes.Equal(v, value100(i)) {
					return fmt.Errorf("list get %d: %v", i, err)
				}
			}
			getNs = perOp(time.Since(start), len(idx))
			start = time.Now()
			for k := range 100 {
				lo := idx[k] % (N - slice)
				s, err := l.Slice(lo, lo+slice)
				if err != nil || !bytes.Equal(s[0], value100(lo)) {
					return fmt.Errorf("list slice: %v", err)
				}
			}
			sliceNs = perOp(time.Since(start), 100*slice)
			start = time.Now()
			for range pops {
				if _, err := l.Pop(0); err != nil {
					return err
				}
			}
			popFront = perOp(time.Since(start), pops)
			start = time.Now()
			for range pops {
				if _, err := l.Pop(l.Len() / 2); err != nil {
					return err
				}
			}
			popMiddle = perOp(time.Since(start), pops)
			l.Close()
		} else {
			kv, err := e.Open(dir, false)
			if err != nil {
				return err
			}
			start := time.Now()
			for i := range N {
				if err := kv.Put(seqKey(i), value100(i)); err != nil {
					return err
				}
			}
			appendNs = perOp(time.Since(start), N)
			start = time.Now()
			for _, i := range idx {
				if v, err := kv.Get(seqKey(i)); err != nil || !bytes.Equal(v, value100(i)) {
					return fmt.Errorf("%s get %d: %v", e.Name, i, err)
				}
			}
			getNs = perOp(time.Since(start), len(idx))
			start = time.Now()
			for k := range 100 {
				lo := idx[k] % (N - slice)
				got := make([][]byte, 0, slice)
				err := kv.Scan(seqKey(lo), func(_, v []byte) bool { got = append(got, bytes.Clone(v)); return len(got) < slice })
				if err != nil || len(got) != slice || !bytes.Equal(got[0], value100(lo)) {
					return fmt.Errorf("%s range: %v", e.Name, err)
				}
			}
			sliceNs = perOp(time.Since(start), 100*slice)
			start = time.Now()
			for range pops { // the first key: read it and delete it
				var first []byte
				if err := kv.Scan(nil, func(k, _ []byte) bool { first = bytes.Clone(k); return false }); err != nil {
					return err
				}
				if _, err := kv.Get(first); err != nil {
					return err
				}
				if err := kv.Delete(first); err != nil {
					return err
				}
			}
			popFront = perOp(time.Since(start), pops)
			popMiddle = -1 // renumbering sequence keys is O(n) per pop
			kv.Close()
		}
		os.RemoveAll(dir)
		rows = append(rows, row{e.Name, []float64{appendNs, getNs, sliceNs, popFront, popMiddle}})
		fmt.Fprintf(os.Stderr, "list %s done\n", e.Name)
	}
	table(w, fmt.Sprintf("List: %d 100-byte elements", N),
		[]string{"append ns/op", "random index get ns/op", "slice of 1,000 ns/elem", "pop front ns/op", "pop middle ns/op"},
		[]bool{true, true, true, true, true}, rows,
		"Ours is an FSList[[]byte]; the peers store element i under an 8-byte big-endian sequence key, read a slice as a range scan, and pop the front as first-key-then-delete. A pop in the middle would renumber every later key, so it is n/a for them.")
	return nil
}

func durableWorkload(w io.Writer, es []Engine) error {
	var rows []row
	for _, e := range es {
		var vals []float64
		for _, writers := range []int{1, 8} {
			dir, err := os.MkdirTemp("", "bench-durable-"+e.Name)
			if err != nil {
				return err
			}
			kv, err := e.Open(dir, true)
			if err != nil {
				return err
			}
			var total int64
			var mu sync.Mutex
			var wg sync.WaitGroup
			deadline := time.Now().Add(*durableFor)
			start := time.Now()
			var firstErr error
			for g := range writers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					i := 0
					for ; time.Now().Before(deadline); i++ {
						if err := kv.Put(key32(g<<32|i), value100(i)); err != nil {
							mu.Lock()
							firstErr = err
							mu.Unlock()
							return
						}
					}
					mu.Lock()
					total += int64(i)
					mu.Unlock()
				}()
			}
			wg.Wait()
			if firstErr != nil {
				return fmt.Errorf("%s durable: %w", e.Name, firstErr)
			}
			vals = append(vals, float64(total)/time.Since(start).Seconds())
			kv.Close()
			os.RemoveAll(dir)
		}
		vals = append(vals, vals[1]/vals[0])
		rows = append(rows, row{e.Name, vals})
		fmt.Fprintf(os.Stderr, "durable %s done\n", e.Name)
	}
	table(w, "Durable: every put fsynced before it returns",
		[]string{"1 writer ops/s", "8 writers ops/s", "8 / 1"}, []bool{false, false, false}, rows,
		fmt.Sprintf("Each engine in its per-write durable mode, %v per run. Ratios: ours over theirs (above 1: we are faster).", *durableFor))
	return nil
}

func mixedWorkload(w io.Writer, es []Engine) error {
	N := *n
	var rows []row
	for _, e := range es {
		dir, err := os.MkdirTemp("", "bench-mixed-"+e.Name)
		if err != nil {
			return err
		}
		kv, err := e.Open(dir, false)
		if err != nil {
			return err
		}
		for i := range N {
			if err := kv.Put(key32(i), value100(i)); err != nil {
				return err
			}
		}
		var vals []float64
		for _, goroutines := range []int{1, 4} {
			lat := make([][]time.Duration, goroutines)
			var wg sync.WaitGroup
			deadline := time.Now().Add(*mixedFor)
			for g := range goroutines {
				wg.Add(1)
				go func() {
					defer wg.Done()
					r := rand.New(rand.NewPCG(uint64(g), 5))
					for time.Now().Before(deadline) {
						i := r.IntN(N)
						t := time.Now()
						if r.IntN(2) == 0 {
							if _, err := kv.Get(key32(i)); err != nil {
								panic(fmt.Sprintf("%s get: %v", e.Name, err))
							}
						} else if err := kv.Put(key32(i), value100(i)); err != nil {
							panic(fmt.Sprintf("%s put: %v", e.Name, err))
						}
						lat[g] = append(lat[g], time.Since(t))
					}
				}()
			}
			wg.Wait()
			all := slices.Concat(lat...)
			slices.Sort(all)
			vals = append(vals, float64(all[len(all)/2]), float64(all[len(all)*99/100]), float64(all[len(all)-1]))
		}
		kv.Close()
		os.RemoveAll(dir)
		rows = append(rows, row{e.Name, vals})
		fmt.Fprintf(os.Stderr, "mixed %s done\n", e.Name)
	}
	table(w, fmt.Sprintf("Mixed latency: 50%% get / 50%% put on %d keys", N),
		[]string{"1 goroutine p50 ns", "p99 ns", "max ns", "4 goroutines p50 ns", "p99 ns", "max ns"},
		[]bool{true, true, true, true, true, true}, rows,
		fmt.Sprintf("%v per run.", *mixedFor))
	return nil
}
