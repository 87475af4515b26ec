// Command tour opens a list, a map and a set under ./data, changes them,
// and prints what they hold and their metrics. Run it twice: the second
// run finds what the first one left.
//
//	go run ./examples/tour [-dir data]
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/fscollections/fscollections"
)

func main() {
	dir := flag.String("dir", "data", "directory for the collections")
	flag.Parse()
	if err := tour(os.Stdout, *dir); err != nil {
		fmt.Fprintln(os.Stderr, "tour:", err)
		os.Exit(1)
	}
}

func tour(w io.Writer, dir string) error {
	runs, err := fscollections.OpenMap[int](filepath.Join(dir, "runs"), nil)
	if err != nil {
		return err
	}
	defer runs.Close()
	n, _ := runs.SetDefault("count", 0)
	n++
	if err := runs.Set("count", n); err != nil {
		return err
	}
	fmt.Fprintf(w, "run %d of the tour (data in %s/)\n\n", n, dir)

	// A list: append, insert, pop, like a slice that outlives the process.
	jobs, err := fscollections.OpenList[string](filepath.Join(dir, "jobs"), &fscollections.Options{Sync: fscollections.SyncAlways})
	if err != nil {
		return err
	}
	defer jobs.Close()
	if err := jobs.Append(fmt.Sprintf("job from run %d", n)); err != nil {
		return err
	}
	if err := jobs.Insert(0, fmt.Sprintf("urgent job from run %d", n)); err != nil {
		return err
	}
	fmt.Fprintf(w, "list %s holds %d jobs:\n", jobs.Path(), jobs.Len())
	for i, j := range jobs.All() {
		fmt.Fprintf(w, "  [%d] %s\n", i, j)
	}

	// A map of structs, with an LRU cache.
	type visit struct {
		At    time.Time
		Count int
	}
	visits, err := fscollections.OpenMap[visit](filepath.Join(dir, "visits"), &fscollections.Options{Cache: fscollections.LRU})
	if err != nil {
		return err
	}
	defer visits.Close()
	v, _ := visits.SetDefault("alice", visit{})
	v.Count++
	v.At = time.Now()
	if err := visits.Set("alice", v); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nmap: alice visited %d times\n", v.Count)

	// A set: membership by value.
	seen, err := fscollections.OpenSet[string](filepath.Join(dir, "seen"), nil)
	if err != nil {
		return err
	}
	defer seen.Close()
	for _, word := range []string{"apple", "banana", "apple", fmt.Sprintf("word-%d", n)} {
		if err := seen.Add(word); err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "set: %d distinct words; contains apple: %v\n", seen.Len(), seen.Contains("apple"))

	// A temporary set: "" means a fresh directory that Close deletes.
	tmp, err := fscollections.OpenSet[int]("", nil)
	if err != nil {
		return err
	}
	_ = tmp.Add(42)
	fmt.Fprintf(w, "temporary set in %s (deleted on Close)\n", filepath.Dir(tmp.Path()))
	if err := tmp.Close(); err != nil {
		return err
	}

	m := jobs.Metrics()
	fmt.Fprintf(w, "\nlist metrics: len=%d live=%dB dead=%dB data file=%dB index file=%dB clean last close=%v recoveries=%d replayed=%d\n",
		m.Len, m.LiveBytes, m.DeadBytes, m.DataFileBytes, m.IndexFileBytes, m.CleanShutdown, m.Recoveries, m.RecordsReplayed)
	if n == 1 {
		fmt.Fprintln(w, "\nRun it again: the collections keep what this run wrote.")
	}
	return nil
}
