package fscollections_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"github.com/fscollections/fscollections"
)

func keysOf[V any](m *fscollections.FSMap[V]) []string {
	var out []string
	for k := range m.Keys() {
		out = append(out, k)
	}
	return out
}

func TestSubViews(t *testing.T) {
	m, err := fscollections.OpenMap[int](filepath.Join(t.TempDir(), "m"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	_ = m.Set("other", 0)
	users := m.Sub("user/")
	for i, name := range []string{"ada", "bob", "cy"} {
		if err := users.Set(name, i+1); err != nil {
			t.Fatal(err)
		}
	}
	_ = m.Set("user", 9) // not under "user/"
	if v, err := m.Get("user/bob"); err != nil || v != 2 {
		t.Fatalf("parent Get(user/bob) = %d, %v", v, err)
	}
	if got := keysOf(users); !slices.Equal(got, []string{"ada", "bob", "cy"}) || users.Len() != 3 {
		t.Fatalf("view keys %v, Len %d", got, users.Len())
	}
	if _, err := users.Get("other"); !errors.Is(err, fscollections.ErrNotFound) {
		t.Fatalf("view Get(other) = %v", err)
	}
	// Nesting joins the prefixes.
	admins := users.Sub("admin/")
	_ = admins.Set("root", 0)
	if !m.Contains("user/admin/root") || !users.Contains("admin/root") || admins.Len() != 1 {
		t.Fatal("nested view wrote elsewhere")
	}
	for k, v := range users.All() {
		if full, _ := m.Get("user/" + k); full != v {
			t.Fatalf("view All gave %s=%d", k, v)
		}
	}
	n := 0
	for k := range users.Scan(func(k string, v int) bool { return v >= 2 }) {
		n++
		if k == "ada" {
			t.Fatal("Scan's predicate ignored")
		}
	}
	if n != 2 { // bob, cy (admin/root has 0)
		t.Fatalf("Scan yielded %d", n)
	}
	ok, err := users.CompareAndSwap("bob", 2, 20)
	if !ok || err != nil {
		t.Fatalf("view CompareAndSwap = %v, %v", ok, err)
	}
	if k, err := users.RandomKey(); err != nil || !users.Contains(k) {
		t.Fatalf("view RandomKey = %q, %v", k, err)
	}
	k, v, err := users.PopItem()
	if err != nil || k != "admin/root" || v != 0 {
		t.Fatalf("view PopItem = %q, %d, %v", k, v, err)
	}
	if err := users.Clear(); err != nil || users.Len() != 0 || m.Len() != 2 {
		t.Fatalf("view Clear: %v; view Len %d, parent Len %d", err, users.Len(), m.Len())
	}
	if _, err := users.RandomKey(); !errors.Is(err, fscollections.ErrEmpty) {
		t.Fatalf("RandomKey of an empty view = %v", err)
	}
	// Sub("") is every key; closing a view leaves the collection open.
	all := m.Sub("")
	if all.Len() != 2 || all.Close() != nil || m.Len() != 2 {
		t.Fatal("Sub(\"\") or its Close misbehaves")
	}
	if err := users.Destroy(); !errors.Is(err, fscollections.ErrInvalidOptions) {
		t.Fatalf("view Destroy = %v", err)
	}
	m.Close()
	if err := users.Set("x", 1); !errors.Is(err, fscollections.ErrClosed) {
		t.Fatalf("a view of a closed map: Set = %v", err)
	}
}

func TestRandomKeyIsUniform(t *testing.T) {
	m, _ := fscollections.OpenMap[int]("", nil)
	defer m.Close()
	if _, err := m.RandomKey(); !errors.Is(err, fscollections.ErrEmpty) {
		t.Fatalf("RandomKey of an empty map = %v", err)
	}
	for i := range 10_000 {
		_ = m.Set(fmt.Sprint(i), i)
	}
	for i := range 9_990 { // mostly holes: the fallback counts
		_ = m.Delete(fmt.Sprint(i))
	}
	counts := map[string]int{}
	const draws = 20_000
	for range draws {
		k, err := m.RandomKey()
		if err != nil || !m.Contains(k) {
			t.Fatalf("RandomKey = %q, %v", k, err)
		}
		counts[k]++
	}
	if len(counts) != 10 {
		t.Fatalf("drew %d distinct keys of 10", len(counts))
	}
	for k, c := range counts { // expected 2,000 each; 5 sigma is about 210
		if c < 1700 || c > 2300 {
			t.Fatalf("key %s drawn %d times of %d", k, c, draws)
		}
	}
}

func ExampleFSMap_Sub() {
	m, _ := fscollections.OpenMap[string]("", nil)
	defer m.Close()
	users := m.Sub("user/")
	_ = users.Set("ada", "admin")
	_ = m.Set("config/theme", "dark")
	for k := range m.Keys() {
		fmt.Println(k)
	}
	fmt.Println(users.Len(), keysOf(users))
	// Output:
	// user/ada
	// config/theme
	// 1 [ada]
}
