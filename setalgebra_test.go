package fscollections_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/fscollections/fscollections"
)

func collect[T any](seq func(func(T) bool)) []T {
	var out []T
	for v := range seq {
		out = append(out, v)
	}
	return out
}

// modelOp computes a set operation's expected stream from the elements of
// a and b in insertion order.
func modelOp(op string, a, b []int) []int {
	in := func(xs []int, x int) bool { return slices.Contains(xs, x) }
	var out []int
	switch op {
	case "union":
		out = slices.Clone(a)
		for _, x := range b {
			if !in(a, x) {
				out = append(out, x)
			}
		}
	case "intersection":
		for _, x := range a {
			if in(b, x) {
				out = append(out, x)
			}
		}
	case "difference":
		for _, x := range a {
			if !in(b, x) {
				out = append(out, x)
			}
		}
	case "symmetric":
		out = append(modelOp("difference", a, b), modelOp("difference", b, a)...)
	}
	return out
}

// The set algebra agrees with a model on random sets larger than one
// batch, in the documented orders, with each set against itself and
// against nil (the empty set), and AddAll/RemoveAll/RetainAll count what
// they change.
func TestSetAlgebraMatchesAModel(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for round := range 6 {
		na, nb := r.IntN(700), r.IntN(700)
		sa, err := fscollections.OpenSet[int]("", nil)
		if err != nil {
			t.Fatal(err)
		}
		sb, _ := fscollections.OpenSet[int]("", nil)
		var a, b []int
		for range na {
			x := r.IntN(1000)
			if !slices.Contains(a, x) {
				a = append(a, x)
				_ = sa.Add(x)
			}
		}
		for range nb {
			x := r.IntN(1000)
			if !slices.Contains(b, x) {
				b = append(b, x)
				_ = sb.Add(x)
			}
		}
		ops := map[string]func(*fscollections.FSSet[int], *fscollections.FSSet[int]) func(func(int) bool){
			"union":        func(x, y *fscollections.FSSet[int]) func(func(int) bool) { return x.Union(y) },
			"intersection": func(x, y *fscollections.FSSet[int]) func(func(int) bool) { return x.Intersection(y) },
			"difference":   func(x, y *fscollections.FSSet[int]) func(func(int) bool) { return x.Difference(y) },
			"symmetric":    func(x, y *fscollections.FSSet[int]) func(func(int) bool) { return x.SymmetricDifference(y) },
		}
		for name, op := range ops {
			for _, pair := range []struct {
				x, y   *fscollections.FSSet[int]
				mx, my []int
			}{{sa, sb, a, b}, {sb, sa, b, a}, {sa, sa, a, a}, {sa, nil, a, nil}} {
				got, want := collect(op(pair.x, pair.y)), modelOp(name, pair.mx, pair.my)
				if !slices.Equal(got, want) {
					t.Fatalf("round %d %s: got %d elements %v..., want %d", round, name, len(got), got[:min(5, len(got))], len(want))
				}
			}
		}
		sub := func(x, y []int) bool {
			for _, v := range x {
				if !slices.Contains(y, v) {
					return false
				}
			}
			return true
		}
		check := func(what string, got bool, err error, want bool) {
			t.Helper()
			if err != nil || got != want {
				t.Fatalf("round %d %s = %v, %v; want %v", round, what, got, err, want)
			}
		}
		got, err := sa.IsSubset(sb)
		check("IsSubset", got, err, sub(a, b))
		got, err = sa.IsSuperset(sb)
		check("IsSuperset", got, err, sub(b, a))
		got, err = sa.IsDisjoint(sb)
		check("IsDisjoint", got, err, len(modelOp("intersection", a, b)) == 0)
		got, err = sa.Equal(sb)
		check("Equal", got, err, sub(a, b) && sub(b, a))
		got, err = sa.Equal(sa)
		check("Equal(self)", got, err, true)
		got, err = sa.IsSubset(sa)
		check("IsSubset(self)", got, err, true)
		got, err = sa.IsSubset(nil)
		check("IsSubset(nil)", got, err, len(a) == 0)
		got, err = sa.IsDisjoint(nil)
		check("IsDisjoint(nil)", got, err, true)

		// Materialise the union into a third set, then into a itself.
		dst, _ := fscollections.OpenSet[int]("", nil)
		added, err := dst.AddAll(sa.Union(sb))
		if want := len(modelOp("union", a, b)); err != nil || added != want || dst.Len() != want {
			t.Fatalf("AddAll(union) = %d, %v; Len %d; want %d", added, err, dst.Len(), want)
		}
		if eq, _ := dst.Equal(dst); !eq {
			t.Fatal("dst differs from itself")
		}
		added, err = sa.AddAll(sa.Union(sb))
		if want := len(modelOp("difference", b, a)); err != nil || added != want {
			t.Fatalf("a.AddAll(a ∪ b) = %d, %v; want %d", added, err, want)
		}
		removed, err := dst.RemoveAll(sb.All())
		if err != nil || removed != len(b) || dst.Len() != len(modelOp("difference", a, b)) {
			t.Fatalf("RemoveAll(b) = %d, %v; Len %d", removed, err, dst.Len())
		}
		removed, err = sa.RetainAll(sb)
		if want := len(a) + len(modelOp("difference", b, a)) - len(b); err != nil || removed != want || sa.Len() != len(b) {
			t.Fatalf("RetainAll(b) = %d, %v; Len %d; want %d removed", removed, err, sa.Len(), want)
		}
		if eq, err := sa.Equal(sb); !eq || err != nil {
			t.Fatalf("after RetainAll, a != b: %v", err)
		}
		removed, err = sa.RetainAll(nil)
		if err != nil || removed != len(b) || sa.Len() != 0 {
			t.Fatalf("RetainAll(nil) = %d, %v; Len %d", removed, err, sa.Len())
		}
		for _, s := range []*fscollections.FSSet[int]{sa, sb, dst} {
			s.Close()
		}
	}
}

// A closed set: the streams yield nothing, the tests and writes say ErrClosed.
func TestSetAlgebraOnAClosedSet(t *testing.T) {
	a, _ := fscollections.OpenSet[string]("", nil)
	b, _ := fscollections.OpenSet[string]("", nil)
	defer b.Close()
	_ = a.Add("x")
	_ = b.Add("x")
	a.Close()
	if got := collect(b.Intersection(a)); len(got) != 0 {
		t.Fatalf("intersection with a closed set yielded %v", got)
	}
	if err := b.Err(); !errors.Is(err, fscollections.ErrClosed) {
		t.Fatalf("Err() = %v", err)
	}
	if _, err := b.IsSubset(a); !errors.Is(err, fscollections.ErrClosed) {
		t.Fatalf("IsSubset(closed) = %v", err)
	}
	if _, err := a.AddAll(b.All()); !errors.Is(err, fscollections.ErrClosed) {
		t.Fatalf("AddAll on a closed set = %v", err)
	}
}

func ExampleFSSet_Intersection() {
	a, _ := fscollections.OpenSet[string]("", nil)
	defer a.Close()
	b, _ := fscollections.OpenSet[string]("", nil)
	defer b.Close()
	for _, v := range []string{"go", "rust", "zig"} {
		_ = a.Add(v)
	}
	for _, v := range []string{"zig", "c", "go"} {
		_ = b.Add(v)
	}
	for v := range a.Intersection(b) {
		fmt.Println(v)
	}
	sub, _ := a.IsSubset(b)
	fmt.Println("subset:", sub)
	// Output:
	// go
	// zig
	// subset: false
}

func ExampleFSSet_AddAll() {
	a, _ := fscollections.OpenSet[int]("", nil)
	defer a.Close()
	b, _ := fscollections.OpenSet[int]("", nil)
	defer b.Close()
	_, _ = a.AddAll(slices.Values([]int{1, 2, 3}))
	_, _ = b.AddAll(slices.Values([]int{3, 4}))
	union, _ := fscollections.OpenSet[int]("", nil) // materialise a ∪ b
	defer union.Close()
	n, _ := union.AddAll(a.Union(b))
	fmt.Println(n, collect(union.All()))
	removed, _ := a.RetainAll(b)
	fmt.Println(removed, collect(a.All()))
	// Output:
	// 4 [1 2 3 4]
	// 2 [3]
}
