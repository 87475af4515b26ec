package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestMain(m *testing.M) {
	if dir := os.Getenv("DOCDB_CHILD"); dir != "" {
		// Update documents forever, until killed.
		db, err := Open(dir)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		os.WriteFile(filepath.Join(dir, "ready"), []byte("R"), 0o600)
		r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
		var ids []string
		for id := range db.docs.Keys() {
			ids = append(ids, id)
		}
		for {
			id := ids[r.IntN(len(ids))]
			if err := db.Update(id, randomDoc(r)); err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(3)
			}
		}
	}
	os.Exit(m.Run())
}

func randomDoc(r *rand.Rand) Doc {
	return Doc{
		"user":  fmt.Sprint("u", r.IntN(1000)),
		"tag":   fmt.Sprint("t", r.IntN(20)), // 20 values: thousands of documents each
		"n":     float64(r.IntN(100)),
		"title": strings.Repeat("x", r.IntN(20)),
		"meta":  map[string]any{"ok": r.IntN(2) == 0},
	}
}

// model is the brute-force truth: every document in memory.
type model map[string]Doc

func (m model) find(field string, value any) []string {
	want, _ := json.Marshal(value)
	var ids []string
	for id, d := range m {
		if v, ok := d[field]; ok {
			if got, _ := json.Marshal(v); string(got) == string(want) {
				ids = append(ids, id)
			}
		}
	}
	slices.Sort(ids)
	return ids
}

func sorted(ids []string) []string { slices.Sort(ids); return ids }

// Inserts, updates and deletes of 100k documents (20k under the race
// detector); every query, indexed or scanned, is checked against the
// model, also after reopening.
func TestQueriesAgreeWithAModel(t *testing.T) {
	n := 100_000
	if raceEnabled {
		n = 20_000
	}
	dir := t.TempDir()
	db, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Index("user"); err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(7, 8))
	m := model{}
	var ids []string
	for range n {
		d := randomDoc(r)
		id, err := db.Insert(d)
		if err != nil {
			t.Fatal(err)
		}
		m[id] = d
		ids = append(ids, id)
	}
	if err := db.Index("tag"); err != nil { // built from existing documents
		t.Fatal(err)
	}
	for range n / 10 {
		id := ids[r.IntN(len(ids))]
		if _, ok := m[id]; !ok {
			continue
		}
		if r.IntN(3) == 0 {
			if err := db.Delete(id); err != nil {
				t.Fatal(err)
			}
			delete(m, id)
		} else {
			d := randomDoc(r)
			if err := db.Update(id, d); err != nil {
				t.Fatal(err)
			}
			m[id] = d
		}
	}
	check := func(db *DB) {
		t.Helper()
		for _, q := range []struct {
			field   string
			value   any
			indexed bool
		}{{"user", "u7", true}, {"user", "u999", true}, {"tag", "t3", true}, {"tag", "none", true}, {"n", 42.0, false}, {"title", "xxx", false}} {
			got, indexed, err := db.Find(q.field, q.value)
			if err != nil || indexed != q.indexed {
				t.Fatalf("Find(%s=%v): indexed %v, %v", q.field, q.value, indexed, err)
			}
			if want := m.find(q.field, q.value); !slices.Equal(sorted(got), want) {
				t.Fatalf("Find(%s=%v): %d IDs, the model has %d", q.field, q.value, len(got), len(want))
			}
		}
	}
	check(db)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	check(db)
}

// A process killed in the middle of updates can leave a document and its
// index entries disagreeing; the next Open rebuilds the indexes, and every
// indexed query then agrees with a scan.
func TestIndexesConsistentAfterSIGKILL(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	_ = db.Index("tag")
	_ = db.Index("user")
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		_, _ = db.Insert(randomDoc(r))
	}
	db.Close()
	for round := range 3 {
		os.Remove(filepath.Join(dir, "ready"))
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "DOCDB_CHILD="+dir)
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(2 * time.Millisecond) {
			if _, err := os.Stat(filepath.Join(dir, "ready")); err == nil {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the child never got ready")
			}
		}
		time.Sleep(time.Duration(20+20*round) * time.Millisecond)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
		db, err := Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range []struct {
			field string
			value any
		}{{"tag", "t1"}, {"tag", "t19"}, {"user", "u5"}} {
			indexed, _, err := db.Find(q.field, q.value)
			if err != nil {
				t.Fatal(err)
			}
			var scanned []string
			for id, d := range db.docs.All() {
				if d[q.field] == q.value {
					scanned = append(scanned, id)
				}
			}
			if !slices.Equal(sorted(indexed), sorted(scanned)) {
				t.Fatalf("round %d: index of %s=%v has %d IDs, a scan finds %d", round, q.field, q.value, len(indexed), len(scanned))
			}
		}
		db.Close()
	}
}

func TestCommandLine(t *testing.T) {
	dir := t.TempDir()
	var out strings.Builder
	if err := run([]string{"-db", dir, "insert", `{"name":"ada","lang":"go"}`}, &out); err != nil {
		t.Fatal(err)
	}
	id := strings.TrimSpace(out.String())
	steps := []struct {
		args []string
		want string
	}{
		{[]string{"index", "lang"}, ""},
		{[]string{"find", "lang=go"}, "1 found (index)"},
		{[]string{"get", id}, `{"lang":"go","name":"ada"}`},
		{[]string{"update", id, `{"name":"ada","lang":"zig"}`}, ""},
		{[]string{"find", "lang=go"}, "0 found (index)"},
		{[]string{"find", "name=ada"}, "1 found (scan)"},
		{[]string{"delete", id}, ""},
		{[]string{"find", "lang=zig"}, "0 found (index)"},
	}
	for _, s := range steps {
		out.Reset()
		if err := run(append([]string{"-db", dir}, s.args...), &out); err != nil || !strings.Contains(out.String(), s.want) {
			t.Fatalf("docdb %v: %v, %q", s.args, err, out.String())
		}
	}
	for _, bad := range [][]string{{}, {"frob"}, {"get"}, {"insert", "[1]"}, {"find", "nofield"}} {
		var ue usageError
		if err := run(append([]string{"-db", dir}, bad...), &out); !errorsAs(err, &ue) {
			t.Errorf("docdb %v = %v; want a usage error", bad, err)
		}
	}
}

func errorsAs(err error, target *usageError) bool {
	u, ok := err.(usageError)
	if ok {
		*target = u
	}
	return ok
}

// BenchmarkInsert: one document with two indexed fields.
func BenchmarkInsert(b *testing.B) {
	db, _ := Open(b.TempDir())
	defer db.Close()
	_ = db.Index("user")
	_ = db.Index("tag")
	r := rand.New(rand.NewPCG(1, 1))
	for b.Loop() {
		if _, err := db.Insert(randomDoc(r)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFindIndexed: a query on an index of 20k documents whose value
// about 20 of them share; ns/op per query, and per document found.
func BenchmarkFindIndexed(b *testing.B) {
	db, _ := Open(b.TempDir())
	defer db.Close()
	_ = db.Index("user")
	r := rand.New(rand.NewPCG(1, 1))
	for range 20_000 {
		_, _ = db.Insert(randomDoc(r))
	}
	found := 0
	for i := 0; b.Loop(); i++ {
		ids, _, err := db.Find("user", fmt.Sprint("u", i%1000))
		if err != nil {
			b.Fatal(err)
		}
		found += len(ids)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(found), "ns/doc")
}
