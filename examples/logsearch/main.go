// Command logsearch loads a log into an FSList of structured entries and
// answers queries with predicate scans in flat memory: a text match, a
// level, a time range, and a similarity search over small embedding
// vectors stored with each entry.
//
//	go run ./examples/logsearch -generate 1000000            build a log of 1M entries
//	go run ./examples/logsearch -load app.log                 load a log file (TIME LEVEL message lines)
//	go run ./examples/logsearch -grep timeout -level ERROR    query
//	go run ./examples/logsearch -like "disk full on node"     the 5 most similar messages
//
// Each query prints its matches, the entries scanned per second, and the
// peak Go heap growth while it ran: the list is streamed from the mapped
// file, never loaded.
package main

import (
	"bufio"
	"container/heap"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/fscollections/fscollections"
)

// Dim is the size of an entry's embedding.
const Dim = 16

// Levels, in order of severity.
var levels = []string{"DEBUG", "INFO", "WARN", "ERROR"}

// Entry is one log line.
type Entry struct {
	Time  time.Time
	Level uint8
	Msg   string
	Vec   [Dim]float32
}

// MarshalBinary encodes an entry compactly: [unix nanos 8][level 1][vector 4*Dim][message].
func (e Entry) MarshalBinary() ([]byte, error) {
	b := make([]byte, 0, 9+4*Dim+len(e.Msg))
	b = binary.LittleEndian.AppendUint64(b, uint64(e.Time.UnixNano()))
	b = append(b, e.Level)
	for _, x := range e.Vec {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(x))
	}
	return append(b, e.Msg...), nil
}

// UnmarshalBinary decodes an entry.
func (e *Entry) UnmarshalBinary(b []byte) error {
	if len(b) < 9+4*Dim {
		return errors.New("logsearch: short entry")
	}
	e.Time = time.Unix(0, int64(binary.LittleEndian.Uint64(b))).UTC()
	e.Level = b[8]
	for i := range e.Vec {
		e.Vec[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[9+4*i:]))
	}
	e.Msg = string(b[9+4*Dim:])
	return nil
}

// Embed maps a message to a unit vector: each word adds ±1 to a dimension
// chosen by its hash (feature hashing) — a stand-in for a real model that
// keeps similar wordings close.
func Embed(msg string) [Dim]float32 {
	var v [Dim]float32
	for _, w := range strings.Fields(strings.ToLower(msg)) {
		h := fnv.New32a()
		h.Write([]byte(w))
		x := h.Sum32()
		sign := float32(1)
		if x&0x100 != 0 {
			sign = -1
		}
		v[x%Dim] += sign
	}
	var n float32
	for _, x := range v {
		n += x * x
	}
	if n > 0 {
		n = float32(math.Sqrt(float64(n)))
		for i := range v {
			v[i] /= n
		}
	}
	return v
}

// Cosine is the cosine similarity of two unit vectors.
func Cosine(a, b [Dim]float32) float32 {
	var s float32
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

var subjects = []string{"disk", "network", "cache", "database", "request", "worker", "lease", "index"}
var events = []string{"timeout after retry", "full on node", "connection reset by peer", "slow response",
	"checksum mismatch", "started", "stopped", "recovered after crash", "queue backlog growing"}

// Generate makes n entries, one every 10 ms from start.
func Generate(r *rand.Rand, n int, start time.Time) []Entry {
	out := make([]Entry, n)
	for i := range out {
		msg := fmt.Sprintf("%s %s (node %d)", subjects[r.IntN(len(subjects))], events[r.IntN(len(events))], r.IntN(64))
		out[i] = Entry{Time: start.Add(time.Duration(i) * 10 * time.Millisecond), Level: uint8(r.IntN(len(levels))), Msg: msg, Vec: Embed(msg)}
	}
	return out
}

// Parse reads lines "RFC3339-TIME LEVEL message".
func Parse(r io.Reader, add func(Entry) error) (int, error) {
	sc := bufio.NewScanner(r)
	n := 0
	for line := 1; sc.Scan(); line++ {
		f := strings.SplitN(strings.TrimSpace(sc.Text()), " ", 3)
		if len(f) < 3 {
			continue
		}
		t, err := time.Parse(time.RFC3339Nano, f[0])
		if err != nil {
			return n, fmt.Errorf("line %d: %w", line, err)
		}
		lv := levelOf(f[1])
		if lv < 0 {
			return n, fmt.Errorf("line %d: unknown level %q", line, f[1])
		}
		if err := add(Entry{Time: t.UTC(), Level: uint8(lv), Msg: f[2], Vec: Embed(f[2])}); err != nil {
			return n, err
		}
		n++
	}
	return n, sc.Err()
}

func levelOf(s string) int {
	for i, l := range levels {
		if strings.EqualFold(l, s) {
			return i
		}
	}
	return -1
}

// Query is a filter; zero fields match everything.
type Query struct {
	Grep         string
	Level        int // -1: any
	Since, Until time.Time
}

func (q Query) match(e Entry) bool {
	return (q.Level < 0 || int(e.Level) == q.Level) &&
		(q.Since.IsZero() || !e.Time.Before(q.Since)) &&
		(q.Until.IsZero() || e.Time.Before(q.Until)) &&
		(q.Grep == "" || strings.Contains(e.Msg, q.Grep))
}

// Report is what a query measured.
type Report struct {
	Scanned, Matched int
	Elapsed          time.Duration
	PeakHeap         uint64 // growth of the Go heap over its level at the start
}

// measure runs f while sampling the heap.
func measure(f func() (int, int, error)) (Report, error) {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	var peak atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapAlloc > base && m.HeapAlloc-base > peak.Load() {
				peak.Store(m.HeapAlloc - base)
			}
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	start := time.Now()
	scanned, matched, err := f()
	r := Report{Scanned: scanned, Matched: matched, Elapsed: time.Since(start)}
	close(stop)
	<-done
	r.PeakHeap = peak.Load()
	return r, err
}

// Search streams the entries matching q to emit.
func Search(l *fscollections.FSList[Entry], q Query, emit func(int, Entry)) (Report, error) {
	return measure(func() (int, int, error) {
		scanned, matched := 0, 0
		for i, e := range l.Scan(func(e Entry) bool { scanned++; return q.match(e) }) {
			matched++
			emit(i, e)
		}
		return scanned, matched, l.Err()
	})
}

type scored struct {
	i     int
	score float32
	e     Entry
}

type minHeap []scored

func (h minHeap) Len() int           { return len(h) }
func (h minHeap) Less(i, j int) bool { return h[i].score < h[j].score }
func (h minHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *minHeap) Push(x any)        { *h = append(*h, x.(scored)) }
func (h *minHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// Similar returns the k entries matching q whose vectors are closest to
// v, best first, keeping only k candidates in memory.
func Similar(l *fscollections.FSList[Entry], q Query, v [Dim]float32, k int) ([]scored, Report, error) {
	var h minHeap
	r, err := measure(func() (int, int, error) {
		scanned := 0
		for i, e := range l.Scan(func(e Entry) bool { scanned++; return q.match(e) }) {
			s := scored{i, Cosine(v, e.Vec), e}
			if h.Len() < k {
				heap.Push(&h, s)
			} else if s.score > h[0].score {
				h[0] = s
				heap.Fix(&h, 0)
			}
		}
		return scanned, h.Len(), l.Err()
	})
	out := make([]scored, h.Len())
	for i := len(out) - 1; i >= 0; i-- {
		out[i] = heap.Pop(&h).(scored)
	}
	return out, r, err
}

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "logsearch:", err)
		os.Exit(1)
	}
}

func run(args []string, w io.Writer) error {
	fs := flag.NewFlagSet("logsearch", flag.ContinueOnError)
	path := fs.String("path", filepath.Join("data", "logsearch", "entries"), "the list of entries")
	generate := fs.Int("generate", 0, "append this many generated entries")
	load := fs.String("load", "", "append the entries of a log file")
	grep := fs.String("grep", "", "message contains")
	level := fs.String("level", "", "level (DEBUG, INFO, WARN, ERROR)")
	since := fs.String("since", "", "entries at or after (RFC 3339)")
	until := fs.String("until", "", "entries before (RFC 3339)")
	like := fs.String("like", "", "find messages similar to this")
	k := fs.Int("k", 5, "how many similar entries")
	limit := fs.Int("limit", 10, "matches to print")
	if err := fs.Parse(args); err != nil {
		return err
	}
	l, err := fscollections.OpenList[Entry](*path, nil)
	if err != nil {
		return err
	}
	defer l.Close()
	if *generate > 0 {
		start := time.Now()
		batch := Generate(rand.New(rand.NewPCG(uint64(start.UnixNano()), 1)), *generate, start.Add(-time.Duration(*generate)*10*time.Millisecond))
		for i := 0; i < len(batch); i += 10_000 {
			if err := l.Append(batch[i:min(i+10_000, len(batch))]...); err != nil {
				return err
			}
		}
		fmt.Fprintf(w, "appended %d entries in %v (%d in the list)\n", *generate, time.Since(start).Round(time.Millisecond), l.Len())
	}
	if *load != "" {
		f, err := os.Open(*load)
		if err != nil {
			return err
		}
		defer f.Close()
		n, err := Parse(f, func(e Entry) error { return l.Append(e) })
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "loaded %d entries from %s\n", n, *load)
	}
	q := Query{Grep: *grep, Level: -1}
	if *level != "" {
		if q.Level = levelOf(*level); q.Level < 0 {
			return fmt.Errorf("unknown level %q", *level)
		}
	}
	for _, t := range []struct {
		s   string
		dst *time.Time
	}{{*since, &q.Since}, {*until, &q.Until}} {
		if t.s != "" {
			if *t.dst, err = time.Parse(time.RFC3339, t.s); err != nil {
				return err
			}
		}
	}
	print := func(i int, e Entry, extra string) {
		fmt.Fprintf(w, "%8d %s %-5s %s%s\n", i, e.Time.Format(time.RFC3339Nano), levels[e.Level], e.Msg, extra)
	}
	var rep Report
	switch {
	case *like != "":
		var best []scored
		best, rep, err = Similar(l, q, Embed(*like), *k)
		for _, s := range best {
			print(s.i, s.e, fmt.Sprintf("  (cosine %.3f)", s.score))
		}
	case *grep != "" || *level != "" || *since != "" || *until != "":
		shown := 0
		rep, err = Search(l, q, func(i int, e Entry) {
			if shown < *limit {
				print(i, e, "")
				shown++
			}
		})
	default:
		return nil
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "%d matches; scanned %d entries in %v (%.0f entries/s); peak heap growth %d KiB\n",
		rep.Matched, rep.Scanned, rep.Elapsed.Round(time.Microsecond),
		float64(rep.Scanned)/rep.Elapsed.Seconds(), rep.PeakHeap/1024)
	return nil
}
