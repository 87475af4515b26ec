package fscollections_test

import (
	"errors"
	"fmt"
	"slices"

	"github.com/fscollections/fscollections"
)

func ExampleFSMap_SetIfVersion() {
	m, _ := fscollections.OpenMap[int]("", nil)
	defer m.Close()
	_ = m.Set("balance", 100)
	info, _ := m.Info("balance") // read the version with the value
	balance, _ := m.Get("balance")
	_ = m.Set("balance", 50) // someone else writes meanwhile
	err := m.SetIfVersion("balance", balance+10, info.Version)
	fmt.Println(errors.Is(err, fscollections.ErrConflict))
	info, _ = m.Info("balance") // read again, retry
	err = m.SetIfVersion("balance", 60, info.Version)
	v, _ := m.Get("balance")
	fmt.Println(err, v, info.Size)
	// Output:
	// true
	// <nil> 60 8
}

func ExampleFSMap_Swap() {
	m, _ := fscollections.OpenMap[string]("", nil)
	defer m.Close()
	prev, loaded, _ := m.Swap("leader", "node-1")
	fmt.Printf("%q %v\n", prev, loaded)
	prev, loaded, _ = m.Swap("leader", "node-2")
	fmt.Printf("%q %v\n", prev, loaded)
	// Output:
	// "" false
	// "node-1" true
}

func ExampleFSMap_CompareAndDelete() {
	m, _ := fscollections.OpenMap[string]("", nil)
	defer m.Close()
	_ = m.Set("lock", "owner-a")
	released, _ := m.CompareAndDelete("lock", "owner-b") // not ours
	fmt.Println(released, m.Contains("lock"))
	released, _ = m.CompareAndDelete("lock", "owner-a")
	fmt.Println(released, m.Contains("lock"))
	// Output:
	// false true
	// true false
}

func ExampleFSMap_RandomKey() {
	m, _ := fscollections.OpenMap[int]("", nil)
	defer m.Close()
	_, err := m.RandomKey()
	fmt.Println(errors.Is(err, fscollections.ErrEmpty))
	_ = m.Set("only", 1)
	k, _ := m.RandomKey()
	fmt.Println(k)
	// Output:
	// true
	// only
}

func ExampleFSSet_Union() {
	a, _ := fscollections.OpenSet[string]("", nil)
	defer a.Close()
	b, _ := fscollections.OpenSet[string]("", nil)
	defer b.Close()
	_, _ = a.AddAll(slices.Values([]string{"x", "y"}))
	_, _ = b.AddAll(slices.Values([]string{"y", "z"}))
	fmt.Println(slices.Collect(a.Union(b)))
	fmt.Println(slices.Collect(a.Difference(b)))
	fmt.Println(slices.Collect(a.SymmetricDifference(b)))
	disjoint, _ := a.IsDisjoint(b)
	equal, _ := a.Equal(a)
	fmt.Println(disjoint, equal)
	// Output:
	// [x y z]
	// [x]
	// [x z]
	// false true
}

func ExampleOptions_appendOnly() {
	audit, _ := fscollections.OpenList[string]("", &fscollections.Options{AppendOnly: true})
	defer audit.Close()
	_ = audit.Append("login alice")
	err := audit.Set(0, "nothing happened")
	fmt.Println(errors.Is(err, fscollections.ErrAppendOnly))
	// Output: true
}

// RangeViews reads a map without copying: the key and a []byte value are
// views of the file, valid during the call.
func ExampleFSMap_RangeViews() {
	m, _ := fscollections.OpenMap[[]byte]("", nil)
	defer m.Close()
	m.Set("a", []byte("apple"))
	m.Set("b", []byte("banana"))
	total := 0
	err := m.RangeViews(func(key, value []byte) bool {
		total += len(value) // use the bytes here; copy what you keep
		return true
	})
	fmt.Println(total, err)
	// Output: 11 <nil>
}

// DeleteManyFunc deletes the keys whose values fn condemns, deciding on
// the value each has at the moment it is deleted: here, the sessions of a
// batch that have expired.
func ExampleFSMap_DeleteManyFunc() {
	sessions, _ := fscollections.OpenMap[int64]("", nil) // session → expiry (Unix seconds)
	defer sessions.Close()
	sessions.SetMany([]string{"s1", "s2", "s3"}, []int64{100, 300, 200})
	now := int64(250)
	batch := []string{"s1", "s2", "s3", "s4"}
	n, err := sessions.DeleteManyFunc(batch, func(i int, expiry int64) bool {
		return expiry < now
	})
	fmt.Println(n, err, slices.Collect(sessions.Keys()))
	// Output: 2 <nil> [s2]
}

func ExampleOptions_compression() {
	type event struct {
		Kind, Source, Message string
	}
	m, _ := fscollections.OpenMap[[]event]("", &fscollections.Options{Compression: fscollections.Snappy})
	defer m.Close()
	var batch []event
	for range 100 {
		batch = append(batch, event{"login", "web", "user signed in with a password"})
	}
	_ = m.Set("2026-12-01", batch)
	got, _ := m.Get("2026-12-01")
	info, _ := m.Info("2026-12-01")
	fmt.Println(len(got), got[99].Message)
	fmt.Println(info.Size < 1000) // about 6 KB of JSON, stored compressed
	// Output:
	// 100 user signed in with a password
	// true
}
