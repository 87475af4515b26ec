package fscollections_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/google/uuid"

	"github.com/fscollections/fscollections"
)

func ExampleOpenList() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)

	jobs, err := fscollections.OpenList[string](filepath.Join(dir, "jobs"), nil)
	if err != nil {
		panic(err)
	}
	_ = jobs.Append("build", "test")
	_ = jobs.Insert(0, "fetch")
	first, _ := jobs.Pop(0)
	fmt.Println(first, jobs.Len())
	_ = jobs.Close()

	// Reopened, the list holds what was written.
	jobs, _ = fscollections.OpenList[string](filepath.Join(dir, "jobs"), nil)
	defer jobs.Close()
	for i, j := range jobs.All() {
		fmt.Println(i, j)
	}
	// Output:
	// fetch 2
	// 0 build
	// 1 test
}

func ExampleOpenMap() {
	type User struct {
		Name string
		Age  int
	}
	users, err := fscollections.OpenMap[User]("", &fscollections.Options{Cache: fscollections.LFU, CacheSize: 4096})
	if err != nil {
		panic(err)
	}
	defer users.Close()
	_ = users.Set("u2", User{"Bob", 41})
	_ = users.Set("u1", User{"Alice", 25})
	_ = users.Set("u2", User{"Bob", 42}) // an overwrite keeps its place
	for id, u := range users.All() {
		fmt.Println(id, u.Name, u.Age)
	}
	_, err = users.Get("u9")
	fmt.Println(err)
	// Output:
	// u2 Bob 42
	// u1 Alice 25
	// fscollections: not found: key "u9"
}

func ExampleOpenSet() {
	seen, err := fscollections.OpenSet[string]("", nil) // temporary: Close deletes it
	if err != nil {
		panic(err)
	}
	defer seen.Close()
	for _, w := range []string{"a", "b", "a"} {
		_ = seen.Add(w)
	}
	fmt.Println(seen.Len(), seen.Contains("a"), seen.Contains("z"))
	// Output: 2 true false
}

func ExampleFSList_Scan() {
	l, _ := fscollections.OpenList[int]("", nil)
	defer l.Close()
	_ = l.Append(3, 8, 1, 9, 4)
	for i, v := range l.Scan(func(v int) bool { return v > 3 }) {
		fmt.Println(i, v)
	}
	if err := l.Err(); err != nil { // a read error ends the loop early
		fmt.Println(err)
	}
	// Output:
	// 1 8
	// 3 9
	// 4 4
}

func ExampleFSMap_Update() {
	m, _ := fscollections.OpenMap[int]("", nil)
	defer m.Close()
	_ = m.Update(func(yield func(string, int) bool) {
		for i, k := range []string{"x", "y", "z"} {
			if !yield(k, i) {
				return
			}
		}
	})
	k, v, _ := m.PopItem()
	fmt.Println(m.Len(), k, v)
	// Output: 2 z 2
}

func ExampleFSList_Metrics() {
	l, _ := fscollections.OpenList[int64]("", nil)
	defer l.Close()
	_ = l.Append(1, 2, 3)
	_, _ = l.Pop(0)
	m := l.Metrics()
	fmt.Println(m.Len, m.LiveBytes, m.DeadBytes)
	// Output: 2 44 44
}

func ExampleOpenUsers() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)

	users, err := fscollections.OpenUsers(filepath.Join(dir, "users"), nil)
	if err != nil {
		panic(err)
	}
	defer users.Close()
	alice, _ := fscollections.NewUser("Alice", 25)
	bob := fscollections.User{ID: uuid.MustParse("00000000-0000-0000-0000-000000000b0b"), Name: "Bob", Age: 30}
	bob2 := fscollections.User{ID: uuid.MustParse("00000000-0000-0000-0000-000000000b02"), Name: "Bob", Age: 40}
	if err := users.Add(alice, bob, bob2, alice); err != nil { // the second alice is skipped
		panic(err)
	}
	fmt.Println(users.Len(), users.Has(alice.ID, bob.ID))
	for _, u := range users.SearchByName("Bob") {
		fmt.Println(u)
	}
	_ = users.RemoveIDs(alice.ID)
	_ = users.Export(os.Stdout, fscollections.ExportText)
	// Output:
	// 3 true
	// User "Bob" is 30 years old
	// User "Bob" is 40 years old
	// User "Bob" is 30 years old (ID: 00000000-0000-0000-0000-000000000b0b)
	// User "Bob" is 40 years old (ID: 00000000-0000-0000-0000-000000000b02)
}
