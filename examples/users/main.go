// Command users shows the user database: it imports or generates users,
// searches, removes, backs up and exports them, timing each step. With
// -bench it prints the old in-memory database's benchmark table, measured
// here, beside the old figures.
//
//	go run ./examples/users [-dir data/users-demo] [-n 100000] [-import old.jsonl]
//	go run ./examples/users -bench [-iterations 3]
package main

import (
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/fscollections/fscollections"
)

func main() {
	dir := flag.String("dir", filepath.Join("data", "users-demo"), "directory for the demo's stores")
	n := flag.Int("n", 100_000, "users to generate for the demo")
	imp := flag.String("import", "", "a JSON-lines file saved by the old database to import instead of generating")
	bench := flag.Bool("bench", false, "print the benchmark table instead of the demo")
	iterations := flag.Int("iterations", 3, "benchmark iterations per row")
	small := flag.Int("small", 100_000, "benchmark size of the add/search/check/remove rows")
	large := flag.Int("large", 1_000_000, "benchmark size of the save/backup/load rows")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile to this file")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "users:", err)
			os.Exit(1)
		}
		_ = pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	var err error
	if *bench {
		err = benchmark(os.Stdout, *iterations, *small, *large)
	} else {
		err = demo(os.Stdout, *dir, *n, *imp)
	}
	if err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintln(os.Stderr, "users:", err)
		os.Exit(1)
	}
}

const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"

// generate makes n users with 15 random letters as names and ages 1..100,
// as the old benchmark did.
func generate(r *rand.Rand, n int) []fscollections.User {
	users := make([]fscollections.User, n)
	var b [15]byte
	for i := range users {
		for j := range b {
			b[j] = letters[r.IntN(len(letters))]
		}
		users[i] = fscollections.User{ID: uuid.New(), Name: string(b[:]), Age: 1 + r.IntN(100)}
	}
	return users
}

func step(w io.Writer, what string, f func() error) error {
	start := time.Now()
	if err := f(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	fmt.Fprintf(w, "%-44s %10.4f s\n", what, time.Since(start).Seconds())
	return nil
}

func demo(w io.Writer, dir string, n int, importPath string) error {
	path := filepath.Join(dir, "users")
	_ = os.RemoveAll(dir)
	var s *fscollections.UserStore
	if err := step(w, "open a new store", func() (err error) {
		s, err = fscollections.OpenUsers(path, nil)
		return err
	}); err != nil {
		return err
	}
	defer func() {
		if s != nil {
			s.Close()
		}
	}()
	var users []fscollections.User
	if importPath != "" {
		if err := step(w, "import "+importPath, func() error {
			f, err := os.Open(importPath)
			if err != nil {
				return err
			}
			defer f.Close()
			_, err = s.Import(f)
			return err
		}); err != nil {
			return err
		}
		for u := range s.All() {
			users = append(users, u)
		}
	} else {
		users = generate(rand.New(rand.NewPCG(1, 2)), n)
		if err := step(w, fmt.Sprintf("add %d generated users", n), func() error { return s.Add(users...) }); err != nil {
			return err
		}
	}
	if len(users) == 0 {
		return fmt.Errorf("no users")
	}
	fmt.Fprintf(w, "  %d users; the first: %s\n", s.Len(), users[0])
	var found []fscollections.User
	if err := step(w, "search the first 1,000 names", func() error {
		var names []string
		for _, u := range users[:min(1000, len(users))] {
			names = append(names, u.Name)
		}
		found = s.SearchByName(names...)
		return s.Err()
	}); err != nil {
		return err
	}
	fmt.Fprintf(w, "  found %d users\n", len(found))
	if err := step(w, "remove the first 100 by ID", func() error {
		var ids []uuid.UUID
		for _, u := range users[:min(100, len(users))] {
			ids = append(ids, u.ID)
		}
		return s.RemoveIDs(ids...)
	}); err != nil {
		return err
	}
	if err := step(w, "backup to "+path+"-backup", func() error {
		_ = os.RemoveAll(path + "-backup.data.fscollection")
		return s.Backup(path + "-backup")
	}); err != nil {
		return err
	}
	if err := step(w, "export JSON lines to "+path+".jsonl", func() error {
		f, err := os.Create(path + ".jsonl")
		if err != nil {
			return err
		}
		defer f.Close()
		return s.Export(f, fscollections.ExportJSONLines)
	}); err != nil {
		return err
	}
	if err := step(w, "close (a checkpoint; everything durable)", func() error {
		err := s.Close()
		s = nil
		return err
	}); err != nil {
		return err
	}
	return step(w, "reopen", func() (err error) {
		s, err = fscollections.OpenUsers(path, nil)
		if err == nil && s.Len() != len(users)-min(100, len(users)) {
			err = fmt.Errorf("reopened with %d users", s.Len())
		}
		return err
	})
}

// The old in-memory Python database's published figures, in seconds.
var rows = []struct {
	name string
	old  float64
}{
	{"Add %s users", 0.4275},
	{"Search %s names", 0.1804},
	{"Check %s IDs", 0.0593},
	{"Remove %s by ID", 0.0565},
	{"Remove %s by name", 0.0649},
	{"Save (Sync) %s", 1.7574},
	{"Backup %s", 0.0384},
	{"Load (reopen) %s", 5.1135},
}

func benchmark(w io.Writer, iterations, small, large int) error {
	samples := make([][]float64, len(rows))
	r := rand.New(rand.NewPCG(3, 4))
	timed := func(row int, f func() error) error {
		start := time.Now()
		if err := f(); err != nil {
			return fmt.Errorf("%s: %w", rows[row].name, err)
		}
		samples[row] = append(samples[row], time.Since(start).Seconds())
		return nil
	}
	for it := 0; it < iterations; it++ {
		dir, err := os.MkdirTemp("", "users-bench-")
		if err != nil {
			return err
		}
		if err := benchIteration(dir, r, small, large, timed); err != nil {
			os.RemoveAll(dir)
			return err
		}
		os.RemoveAll(dir)
	}
	fmt.Fprintf(w, "fscollections UserStore, %d iterations (SyncNever; Save is the fsync of everything)\n\n", iterations)
	fmt.Fprintf(w, "| %-28s | %9s | %9s | %9s | %9s | %9s | %8s |\n", "operation", "avg s", "min s", "max s", "stddev", "old s", "speedup")
	fmt.Fprintf(w, "|%s|%s|%s|%s|%s|%s|%s|\n", strings.Repeat("-", 30), strings.Repeat("-", 11), strings.Repeat("-", 11),
		strings.Repeat("-", 11), strings.Repeat("-", 11), strings.Repeat("-", 11), strings.Repeat("-", 10))
	for i, row := range rows {
		size := small
		if i >= 5 {
			size = large
		}
		avg, lo, hi, sd := stats(samples[i])
		fmt.Fprintf(w, "| %-28s | %9.4f | %9.4f | %9.4f | %9.4f | %9.4f | %7.1fx |\n",
			fmt.Sprintf(row.name, commas(size)), avg, lo, hi, sd, row.old, row.old/avg)
	}
	return nil
}

func benchIteration(dir string, r *rand.Rand, small, large int, timed func(int, func() error) error) error {
	s, err := fscollections.OpenUsers(filepath.Join(dir, "small"), nil)
	if err != nil {
		return err
	}
	defer s.Close()
	users := generate(r, small)
	ids := make([]uuid.UUID, len(users))
	names := make([]string, len(users))
	for i, u := range users {
		ids[i], names[i] = u.ID, u.Name
	}
	if err := timed(0, func() error { return s.Add(users...) }); err != nil {
		return err
	}
	if err := timed(1, func() error {
		if got := s.SearchByName(names...); len(got) < len(names) {
			return fmt.Errorf("found %d of %d", len(got), len(names))
		}
		return s.Err()
	}); err != nil {
		return err
	}
	if err := timed(2, func() error {
		if !s.Has(ids...) {
			return fmt.Errorf("an ID is missing")
		}
		return nil
	}); err != nil {
		return err
	}
	if err := timed(3, func() error { return s.RemoveIDs(ids...) }); err != nil {
		return err
	}
	if err := s.Add(users...); err != nil {
		return err
	}
	if err := timed(4, func() error { return s.RemoveNames(names...) }); err != nil {
		return err
	}
	if s.Len() != 0 {
		return fmt.Errorf("%d users left after removing every name", s.Len())
	}

	path := filepath.Join(dir, "large")
	big, err := fscollections.OpenUsers(path, nil)
	if err != nil {
		return err
	}
	bigUsers := generate(r, large)
	for i := 0; i < len(bigUsers); i += 10_000 {
		if err := big.Add(bigUsers[i:min(i+10_000, len(bigUsers))]...); err != nil {
			big.Close()
			return err
		}
	}
	if err := timed(5, big.Sync); err != nil {
		big.Close()
		return err
	}
	if err := timed(6, func() error { return big.Backup(filepath.Join(dir, "backup")) }); err != nil {
		big.Close()
		return err
	}
	if err := big.Close(); err != nil {
		return err
	}
	return timed(7, func() error {
		s, err := fscollections.OpenUsers(path, nil)
		if err != nil {
			return err
		}
		n := s.Len()
		if n != large {
			return fmt.Errorf("reopened with %d users, want %d", n, large)
		}
		return s.Close()
	})
}

func stats(xs []float64) (avg, lo, hi, sd float64) {
	if len(xs) == 0 {
		return
	}
	lo, hi = slices.Min(xs), slices.Max(xs)
	for _, x := range xs {
		avg += x
	}
	avg /= float64(len(xs))
	for _, x := range xs {
		sd += (x - avg) * (x - avg)
	}
	return avg, lo, hi, math.Sqrt(sd / float64(len(xs)))
}

func commas(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
