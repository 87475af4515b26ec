package fscollections_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/fscollections/fscollections"
)

func TestNestedCollections(t *testing.T) {
	dir := t.TempDir()
	parentPath := filepath.Join(dir, "tree", "parent")
	parent, err := fscollections.OpenMap[*fscollections.FSList[string]](parentPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	child, err := fscollections.OpenList[string](filepath.Join(dir, "tree", "kids", "tags"), nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = child.Append("go", "rust")
	if err := parent.Set("tags", child); err != nil {
		t.Fatal(err)
	}
	got, err := parent.Get("tags")
	if err != nil || got != child {
		t.Fatalf("Get returned %p, %v; Set was given %p", got, err, child)
	}
	_ = got.Append("zig") // writes go to the child's files
	if child.Len() != 3 {
		t.Fatal("the handle Get returned is not the child")
	}
	// Refused, nothing stored: a temporary child, a closed child, nil.
	tmp, _ := fscollections.OpenList[string]("", nil)
	if err := parent.Set("tmp", tmp); !errors.Is(err, fscollections.ErrInvalidOptions) || !strings.Contains(err.Error(), "temporary") {
		t.Fatalf("Set of a temporary child = %v", err)
	}
	tmp.Close()
	closed, _ := fscollections.OpenList[string](filepath.Join(dir, "closed"), nil)
	closed.Close()
	if err := parent.Set("closed", closed); !errors.Is(err, fscollections.ErrClosed) {
		t.Fatalf("Set of a closed child = %v", err)
	}
	if err := parent.Set("nil", nil); err == nil {
		t.Fatal("Set of a nil child succeeded")
	}
	if parent.Len() != 1 {
		t.Fatalf("refused children were stored: Len %d", parent.Len())
	}
	if err := parent.Backup(filepath.Join(dir, "backup")); !errors.Is(err, fscollections.ErrInvalidOptions) {
		t.Fatalf("Backup of a parent = %v", err)
	}
	child.Close()
	parent.Close()

	// Move the whole tree: the relative reference still resolves.
	moved := filepath.Join(dir, "moved")
	if err := os.Rename(filepath.Join(dir, "tree"), moved); err != nil {
		t.Fatal(err)
	}
	parent, err = fscollections.OpenMap[*fscollections.FSList[string]](filepath.Join(moved, "parent"), nil)
	if err != nil {
		t.Fatal(err)
	}
	tags, err := parent.Get("tags")
	if err != nil {
		t.Fatal(err)
	}
	if vs, _ := tags.Slice(0, tags.Len()); !slices.Equal(vs, []string{"go", "rust", "zig"}) || !strings.HasPrefix(tags.Path(), moved) {
		t.Fatalf("after the move: %v at %s", vs, tags.Path())
	}
	again, _ := parent.Get("tags")
	if again != tags {
		t.Fatal("a second Get opened the child again")
	}
	// Deleting the key removes the reference only.
	if err := parent.Delete("tags"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(tags.Path() + ".data.fscollection"); err != nil {
		t.Fatalf("the child's files went with the key: %v", err)
	}
	_ = parent.Set("tags", tags)
	// The parent closes the children it opened.
	parent.Close()
	if err := tags.Append("x"); !errors.Is(err, fscollections.ErrClosed) {
		t.Fatalf("a child the parent opened is still open after the parent's Close: %v", err)
	}
	// A reference whose files are gone: ErrNotFound naming the path.
	_ = os.Remove(filepath.Join(moved, "kids", "tags.data.fscollection"))
	parent, _ = fscollections.OpenMap[*fscollections.FSList[string]](filepath.Join(moved, "parent"), nil)
	defer parent.Close()
	if _, err := parent.Get("tags"); !errors.Is(err, fscollections.ErrNotFound) || !strings.Contains(err.Error(), "tags") {
		t.Fatalf("Get of a reference to deleted files = %v", err)
	}
}

// Three levels: a set of maps of lists, reopened, with a read-only parent
// opening its children read-only.
func TestNestedThreeLevelsDeep(t *testing.T) {
	dir := t.TempDir()
	top, err := fscollections.OpenSet[*fscollections.FSMap[*fscollections.FSList[int]]](filepath.Join(dir, "top"), &fscollections.Options{Cache: fscollections.LRU})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		mid, err := fscollections.OpenMap[*fscollections.FSList[int]](filepath.Join(dir, fmt.Sprint("mid", i)), nil)
		if err != nil {
			t.Fatal(err)
		}
		for j := range 2 {
			leaf, _ := fscollections.OpenList[int](filepath.Join(dir, fmt.Sprintf("leaf%d-%d", i, j)), nil)
			_ = leaf.Append(i, j)
			if err := mid.Set(fmt.Sprint(j), leaf); err != nil {
				t.Fatal(err)
			}
			leaf.Close()
		}
		if err := top.Add(mid); err != nil {
			t.Fatal(err)
		}
		mid.Close()
	}
	top.Close()
	top, err = fscollections.OpenSet[*fscollections.FSMap[*fscollections.FSList[int]]](filepath.Join(dir, "top"), &fscollections.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer top.Close()
	sum, n := 0, 0
	for mid := range top.All() {
		for _, leaf := range mid.All() {
			vs, _ := leaf.Slice(0, leaf.Len())
			sum += vs[0]*10 + vs[1]
			n++
			if err := leaf.Append(1); !errors.Is(err, fscollections.ErrReadOnly) {
				t.Fatalf("a child of a read-only parent: Append = %v", err)
			}
		}
	}
	if err := top.Err(); err != nil || n != 6 || sum != 63 {
		t.Fatalf("read %d leaves, sum %d, %v", n, sum, err)
	}
}

func ExampleOpenMap_nested() {
	dir, _ := os.MkdirTemp("", "nested-")
	defer os.RemoveAll(dir)
	posts, _ := fscollections.OpenMap[*fscollections.FSList[string]](filepath.Join(dir, "posts"), nil)
	comments, _ := fscollections.OpenList[string](filepath.Join(dir, "comments", "post-1"), nil)
	_ = comments.Append("first!")
	_ = posts.Set("post-1", comments) // stores a reference to comments' files
	comments.Close()
	posts.Close()

	posts, _ = fscollections.OpenMap[*fscollections.FSList[string]](filepath.Join(dir, "posts"), nil)
	defer posts.Close() // also closes the children it opened
	c, _ := posts.Get("post-1")
	first, _ := c.Get(0)
	fmt.Println(first, c.Len())
	// Output: first! 1
}

// BenchmarkNestedGet reads a child that is already open through its
// parent, beside a plain Get of a string of the same map size.
func BenchmarkNestedGet(b *testing.B) {
	dir := b.TempDir()
	parent, _ := fscollections.OpenMap[*fscollections.FSList[int]](filepath.Join(dir, "p"), nil)
	defer parent.Close()
	plain, _ := fscollections.OpenMap[string](filepath.Join(dir, "s"), nil)
	defer plain.Close()
	child, _ := fscollections.OpenList[int](filepath.Join(dir, "child"), nil)
	defer child.Close()
	for i := range 1000 {
		_ = parent.Set(fmt.Sprint(i), child)
		_ = plain.Set(fmt.Sprint(i), filepath.Join(dir, "child"))
	}
	b.Run("nested", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			if c, err := parent.Get(fmt.Sprint(i % 1000)); err != nil || c != child {
				b.Fatal(err)
			}
		}
	})
	b.Run("plain", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			if _, err := plain.Get(fmt.Sprint(i % 1000)); err != nil {
				b.Fatal(err)
			}
		}
	})
}
