package main

import (
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fscollections/fscollections"
)

func build(t *testing.T, n int) (*fscollections.FSList[Entry], []Entry) {
	t.Helper()
	l, err := fscollections.OpenList[Entry](filepath.Join(t.TempDir(), "e"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	entries := Generate(rand.New(rand.NewPCG(1, 2)), n, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	if err := l.Append(entries...); err != nil {
		t.Fatal(err)
	}
	return l, entries
}

// Every query returns exactly what a brute-force pass over the same
// entries in memory returns.
func TestQueriesMatchBruteForce(t *testing.T) {
	l, entries := build(t, 20_000)
	base := entries[0].Time
	for _, q := range []Query{
		{Grep: "timeout", Level: -1},
		{Level: 3},
		{Grep: "disk", Level: 2, Since: base.Add(time.Minute), Until: base.Add(2 * time.Minute)},
	} {
		var got, want []int
		if _, err := Search(l, q, func(i int, _ Entry) { got = append(got, i) }); err != nil {
			t.Fatal(err)
		}
		for i, e := range entries {
			if q.match(e) {
				want = append(want, i)
			}
		}
		if !slices.Equal(got, want) || len(want) == 0 {
			t.Fatalf("query %+v: %d matches, brute force %d", q, len(got), len(want))
		}
	}
	v := Embed("disk full on node")
	best, rep, err := Similar(l, Query{Level: -1}, v, 5)
	if err != nil || len(best) != 5 || rep.Scanned != len(entries) {
		t.Fatalf("Similar: %v, %d results, scanned %d", err, len(best), rep.Scanned)
	}
	scores := make([]float32, len(entries))
	for i, e := range entries {
		scores[i] = Cosine(v, e.Vec)
	}
	slices.Sort(scores)
	slices.Reverse(scores)
	for i, s := range best {
		if s.score != scores[i] || Cosine(v, entries[s.i].Vec) != s.score {
			t.Fatalf("similar #%d: score %v, brute force %v", i, s.score, scores[i])
		}
	}
}

// The heap a scan needs does not grow with the list: it is streamed.
func TestScanMemoryIsFlat(t *testing.T) {
	small, _ := build(t, 20_000)
	large, _ := build(t, 200_000)
	q := Query{Grep: "no such message", Level: -1}
	rs, err := Search(small, q, func(int, Entry) {})
	if err != nil {
		t.Fatal(err)
	}
	rl, err := Search(large, q, func(int, Entry) {})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("peak heap growth: %d KiB for 20k entries, %d KiB for 200k", rs.PeakHeap/1024, rl.PeakHeap/1024)
	// 200k entries are ~30 MB on disk; materializing them would need that much.
	if rl.PeakHeap > 16<<20 {
		t.Fatalf("scanning 200k entries grew the heap by %d MiB", rl.PeakHeap>>20)
	}
}

func TestParseAndCommandLine(t *testing.T) {
	log := `2026-01-02T03:04:05Z INFO disk started
2026-01-02T03:04:06Z ERROR disk full on node 7
2026-01-02T03:04:07Z WARN network slow response
`
	dir := t.TempDir()
	var entries []Entry
	n, err := Parse(strings.NewReader(log), func(e Entry) error { entries = append(entries, e); return nil })
	if err != nil || n != 3 || entries[1].Level != 3 || entries[1].Msg != "disk full on node 7" {
		t.Fatalf("Parse: %d, %v, %+v", n, err, entries)
	}
	if _, err := Parse(strings.NewReader("yesterday INFO x\n"), func(Entry) error { return nil }); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Fatalf("bad time: %v", err)
	}
	var out strings.Builder
	path := filepath.Join(dir, "entries")
	if err := run([]string{"-path", path, "-generate", "5000"}, &out); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := run([]string{"-path", path, "-grep", "disk", "-level", "ERROR", "-limit", "3"}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "matches; scanned 5000 entries") || strings.Count(out.String(), "ERROR disk") != 3 {
		t.Fatalf("query output:\n%s", out.String())
	}
	out.Reset()
	if err := run([]string{"-path", path, "-like", "disk full", "-k", "2"}, &out); err != nil || strings.Count(out.String(), "cosine") != 2 {
		t.Fatalf("similarity output (%v):\n%s", err, out.String())
	}
}
