package main

import (
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// formula is a random Boolean formula over variables 0..vars-1.
type formula struct {
	op          string // var, const, not, and, or, xor
	v           int
	val         bool
	left, right *formula
}

func randomFormula(r *rand.Rand, vars, depth int) *formula {
	if depth == 0 || r.IntN(4) == 0 {
		if r.IntN(8) == 0 {
			return &formula{op: "const", val: r.IntN(2) == 0}
		}
		return &formula{op: "var", v: r.IntN(vars)}
	}
	switch r.IntN(4) {
	case 0:
		return &formula{op: "not", left: randomFormula(r, vars, depth-1)}
	case 1:
		return &formula{op: "and", left: randomFormula(r, vars, depth-1), right: randomFormula(r, vars, depth-1)}
	case 2:
		return &formula{op: "or", left: randomFormula(r, vars, depth-1), right: randomFormula(r, vars, depth-1)}
	}
	return &formula{op: "xor", left: randomFormula(r, vars, depth-1), right: randomFormula(r, vars, depth-1)}
}

func (f *formula) eval(a uint) bool {
	switch f.op {
	case "var":
		return a>>f.v&1 == 1
	case "const":
		return f.val
	case "not":
		return !f.left.eval(a)
	case "and":
		return f.left.eval(a) && f.right.eval(a)
	case "or":
		return f.left.eval(a) || f.right.eval(a)
	}
	return f.left.eval(a) != f.right.eval(a)
}

func (d *BDD) build(t *testing.T, f *formula) int64 {
	var r int64
	var err error
	switch f.op {
	case "var":
		r, err = d.Var(f.v)
	case "const":
		r = False
		if f.val {
			r = True
		}
	case "not":
		r, err = d.Not(d.build(t, f.left))
	case "and":
		r, err = d.And(d.build(t, f.left), d.build(t, f.right))
	case "or":
		r, err = d.Or(d.build(t, f.left), d.build(t, f.right))
	case "xor":
		r, err = d.Xor(d.build(t, f.left), d.build(t, f.right))
	}
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// evalBDD follows assignment a from f to a terminal.
func (d *BDD) evalBDD(t *testing.T, f int64, a uint) bool {
	for f > True {
		n, err := d.node(f)
		if err != nil {
			t.Fatal(err)
		}
		if a>>n.Var&1 == 1 {
			f = n.Hi
		} else {
			f = n.Lo
		}
	}
	return f == True
}

// Every operation against brute-force truth tables, for random formulas
// over up to 8 variables.
func TestOperationsMatchTruthTables(t *testing.T) {
	d, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	r := rand.New(rand.NewPCG(3, 4))
	for round := range 150 {
		vars := 1 + r.IntN(8)
		form := randomFormula(r, vars, 5)
		f := d.build(t, form)
		x := r.IntN(vars)
		fx0, _ := d.Restrict(f, x, false)
		fx1, _ := d.Restrict(f, x, true)
		ex, _ := d.Exists(f, x)
		models := 0
		for a := uint(0); a < 1<<vars; a++ {
			want := form.eval(a)
			if want {
				models++
			}
			if d.evalBDD(t, f, a) != want {
				t.Fatalf("round %d: f(%b) differs from the formula", round, a)
			}
			a0, a1 := a&^(1<<x), a|1<<x
			if d.evalBDD(t, fx0, a) != form.eval(a0) || d.evalBDD(t, fx1, a) != form.eval(a1) {
				t.Fatalf("round %d: restrict x%d differs at %b", round, x, a)
			}
			if d.evalBDD(t, ex, a) != (form.eval(a0) || form.eval(a1)) {
				t.Fatalf("round %d: exists x%d differs at %b", round, x, a)
			}
		}
		count, err := d.SatCount(f, vars)
		if err != nil || count.Int64() != int64(models) {
			t.Fatalf("round %d: SatCount %v, %v; truth table %d", round, count, err, models)
		}
		sat, ok, _ := d.AnySat(f)
		if ok != (models > 0) {
			t.Fatalf("round %d: AnySat ok %v with %d models", round, ok, models)
		}
		if ok {
			var a uint
			for v, val := range sat {
				if val {
					a |= 1 << v
				}
			}
			if !form.eval(a) {
				t.Fatalf("round %d: AnySat gave a non-model", round)
			}
		}
	}
}

func TestQueens(t *testing.T) {
	d, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for n, want := range map[int]int64{4: 2, 5: 10, 6: 4, 7: 40, 8: 92} {
		f, err := d.Queens(n)
		if err != nil {
			t.Fatal(err)
		}
		if c, err := d.SatCount(f, n*n); err != nil || c.Int64() != want {
			t.Fatalf("%d-queens: %v solutions, %v; want %d", n, c, err, want)
		}
	}
}

// A diagram built by one process is reopened and queried by another.
func TestReopenedInAnotherProcess(t *testing.T) {
	dir := t.TempDir()
	var out strings.Builder
	if err := run([]string{"-dir", dir, "-queens", "6", "-name", "q6"}, &out); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "run", ".", "-dir", dir, "-show", "q6", "-vars", "36")
	got, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(got), "models over 36 variables: 4") {
		t.Fatalf("the other process: %v\n%s", err, got)
	}
}

func TestDIMACS(t *testing.T) {
	good := "c example\np cnf 3 2\n1 -2 0\n2 3\n 0\n"
	cnf, err := ParseDIMACS(strings.NewReader(good))
	if err != nil || cnf.Vars != 3 || len(cnf.Clauses) != 2 {
		t.Fatalf("parse: %+v, %v", cnf, err)
	}
	d, _ := Open(t.TempDir())
	defer d.Close()
	f, _ := d.Build(cnf)
	if c, _ := d.SatCount(f, 3); c.Int64() != 4 { // (x1 ∨ ¬x2) ∧ (x2 ∨ x3): 4 of 8
		t.Fatalf("models %v", c)
	}
	for text, line := range map[string]string{
		"1 2 0\n":                  "line 1",
		"p cnf 2 1\n1 x 0\n":       "line 2",
		"p cnf 2 1\n1 3 0\n":       "line 2",
		"p cnf 2 2\n1 0\n":         "line 2",
		"p cnf 2 1\n1 2\n":         "no closing 0",
		"p dnf 2 1\n":              "line 1",
		"c only\n\np cnf 1 1\np\n": "line 4",
	} {
		if _, err := ParseDIMACS(strings.NewReader(text)); err == nil || !strings.Contains(err.Error(), line) {
			t.Errorf("ParseDIMACS(%q) = %v; want an error naming %s", text, err, line)
		}
	}
	var dot strings.Builder
	if err := d.WriteDOT(&dot, f); err != nil || !strings.HasPrefix(dot.String(), "digraph bdd {") || !strings.Contains(dot.String(), "style=dashed") {
		t.Fatalf("DOT:\n%s", dot.String())
	}
	path := filepath.Join(t.TempDir(), "f.cnf")
	os.WriteFile(path, []byte(good), 0o600)
	var out strings.Builder
	if err := run([]string{"-dir", t.TempDir(), "-cnf", path}, &out); err != nil || !strings.Contains(out.String(), "models over 3 variables: 4") {
		t.Fatalf("bdd -cnf: %v\n%s", err, out.String())
	}
}

// BenchmarkQueens8 builds the 8-queens BDD in a fresh diagram: nodes/s,
// and the Go heap held per node once built.
func BenchmarkQueens8(b *testing.B) {
	nodes := 0
	var heap float64
	for b.Loop() {
		b.StopTimer()
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		d, _ := Open(b.TempDir())
		b.StartTimer()
		if _, err := d.Queens(8); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		nodes += d.Size()
		runtime.GC()
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		heap = float64(after.HeapAlloc-before.HeapAlloc) / float64(d.Size())
		d.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(nodes)/b.Elapsed().Seconds(), "nodes/s")
	b.ReportMetric(heap, "heapB/node")
}
