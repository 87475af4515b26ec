package domaintest

import (
	"fmt"
	"slices"
	"testing"

	"github.com/fscollections/fscollections/domain"
)

// Opener opens a storage on one collection's files; every call opens the
// same files again, as a new process would.
type Opener func(t *testing.T) domain.Storage

// RunStorageContract runs the behaviour every domain.Storage must give the
// collections. newOpener returns an Opener on fresh, empty files.
func RunStorageContract(t *testing.T, newOpener func(t *testing.T) Opener) {
	t.Run("list", func(t *testing.T) { listContract(t, newOpener(t)) })
	t.Run("map", func(t *testing.T) { mapContract(t, newOpener(t)) })
	t.Run("set", func(t *testing.T) { setContract(t, newOpener(t)) })
	t.Run("abandoned handle", func(t *testing.T) { abandonContract(t, newOpener(t)) })
	t.Run("shared handles", func(t *testing.T) { sharedContract(t, newOpener(t)) })
	t.Run("type mismatch", func(t *testing.T) { mismatchContract(t, newOpener(t)) })
	t.Run("index file", func(t *testing.T) { indexContract(t, newOpener(t)) })
	t.Run("log", func(t *testing.T) { logContract(t, newOpener(t)) })
}

// indexContract: Save replaces the index with the concatenation of its
// parts; a staged index stays invisible until Commit, is dropped by
// Discard, and is not disturbed by a Save in between.
func indexContract(t *testing.T, open Opener) {
	s := open(t)
	defer s.Close()
	x := s.Index()
	load := func(want string) {
		t.Helper()
		b, err := x.Load()
		if err != nil || string(b) != want {
			t.Fatalf("Load = %q, %v; want %q", b, err, want)
		}
		if x.Size() != int64(len(want)) {
			t.Fatalf("Size = %d, want %d", x.Size(), len(want))
		}
	}
	load("")
	if err := x.Save([]byte("ab"), nil, []byte("c")); err != nil {
		t.Fatal(err)
	}
	load("abc")
	staged, err := x.Stage([]byte("new "), []byte("index"))
	if err != nil {
		t.Fatal(err)
	}
	load("abc")
	if err := x.Save([]byte("saved")); err != nil {
		t.Fatal(err)
	}
	load("saved")
	if err := staged.Commit(); err != nil {
		t.Fatal(err)
	}
	load("new index")
	staged, err = x.Stage([]byte("dropped"))
	if err != nil {
		t.Fatal(err)
	}
	if err := staged.Discard(); err != nil {
		t.Fatal(err)
	}
	load("new index")
	if err := x.Truncate(3); err != nil {
		t.Fatal(err)
	}
	load("new")
	if err := x.Append([]byte("er")); err != nil {
		t.Fatal(err)
	}
	load("newer")
}

func strCodec() domain.Codec[string] {
	c, _ := domain.CodecFor[string]()
	return c
}

func cfg() domain.Config {
	return domain.Config{Header: domain.FileHeader{Generation: 1, TypeName: "string"}}
}

func openList(t *testing.T, open Opener, c domain.Config) *domain.List[string] {
	t.Helper()
	l, err := domain.OpenList(open(t), c, strCodec())
	if err != nil {
		t.Fatalf("OpenList: %v", err)
	}
	return l
}

func listItems(t *testing.T, l *domain.List[string]) []string {
	t.Helper()
	s, err := l.Slice(0, l.Len())
	if err != nil {
		t.Fatalf("Slice: %v", err)
	}
	return s
}

// listSteps is the behaviour table: each step changes the list and the
// model slice alike.
var listSteps = []struct {
	name  string
	apply func(l *domain.List[string]) error
	model func(m []string) []string
}{
	{"append a b c", func(l *domain.List[string]) error { return l.Append("a", "b", "c") },
		func(m []string) []string { return append(m, "a", "b", "c") }},
	{"insert z at 1", func(l *domain.List[string]) error { return l.Insert(1, "z") },
		func(m []string) []string { return slices.Insert(m, 1, "z") }},
	{"set 0 to y", func(l *domain.List[string]) error { return l.Set(0, "y") },
		func(m []string) []string { m[0] = "y"; return m }},
	{"pop 2", func(l *domain.List[string]) error { _, err := l.Pop(2); return err },
		func(m []string) []string { return slices.Delete(m, 2, 3) }},
	{"reverse", func(l *domain.List[string]) error { return l.Reverse() },
		func(m []string) []string { slices.Reverse(m); return m }},
	{"remove z", func(l *domain.List[string]) error { return l.Remove("z") },
		func(m []string) []string { return slices.DeleteFunc(m, func(s string) bool { return s == "z" }) }},
	{"compact", func(l *domain.List[string]) error { return l.Compact() },
		func(m []string) []string { return m }},
	{"append long", func(l *domain.List[string]) error { return l.Append(string(make([]byte, 100_000))) },
		func(m []string) []string { return append(m, string(make([]byte, 100_000))) }},
	{"insert at end", func(l *domain.List[string]) error { return l.Insert(l.Len(), "end") },
		func(m []string) []string { return append(m, "end") }},
	{"clear", func(l *domain.List[string]) error { return l.Clear() },
		func(m []string) []string { return nil }},
	{"append after clear", func(l *domain.List[string]) error { return l.Append("again") },
		func(m []string) []string { return append(m, "again") }},
}

func listContract(t *testing.T, open Opener) {
	var model []string
	for i, step := range listSteps {
		l := openList(t, open, cfg())
		if err := step.apply(l); err != nil {
			t.Fatalf("step %d %s: %v", i, step.name, err)
		}
		model = step.model(model)
		if got := listItems(t, l); !slices.Equal(got, model) {
			t.Fatalf("step %d %s: %q, want %q", i, step.name, got, model)
		}
		if err := l.Close(); err != nil {
			t.Fatalf("step %d close: %v", i, err)
		}
		l = openList(t, open, cfg())
		if got := listItems(t, l); !slices.Equal(got, model) {
			t.Fatalf("step %d %s after reopen: %q, want %q", i, step.name, got, model)
		}
		if m := l.Metrics(); m.RecordsReplayed != 0 || !m.CleanShutdown {
			t.Fatalf("step %d: clean reopen replayed %d records, clean %v", i, m.RecordsReplayed, m.CleanShutdown)
		}
		l.Close()
	}
}

func mapContract(t *testing.T, open Opener) {
	m, err := domain.OpenMap(open(t), cfg(), strCodec())
	if err != nil {
		t.Fatal(err)
	}
	for i := range 500 {
		if err := m.Set(fmt.Sprint("k", i%200), fmt.Sprint("v", i)); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 200; i += 3 {
		if err := m.Delete(fmt.Sprint("k", i)); err != nil {
			t.Fatal(err)
		}
	}
	want := map[string]string{}
	var order []string
	for i := range 200 {
		if i%3 != 0 {
			k := fmt.Sprint("k", i)
			last := i + 400 // the last of i, i+200, i+400 below 500
			if last >= 500 {
				last -= 200
			}
			want[k] = fmt.Sprint("v", last)
			order = append(order, k)
		}
	}
	check := func(when string, m *domain.Map[string]) {
		t.Helper()
		var keys []string
		for k, v := range m.All() {
			keys = append(keys, k)
			if want[k] != v {
				t.Fatalf("%s: %s = %q, want %q", when, k, v, want[k])
			}
		}
		if !slices.Equal(keys, order) {
			t.Fatalf("%s: keys %v, want %v", when, keys, order)
		}
	}
	check("live", m)
	if err := m.Compact(); err != nil {
		t.Fatal(err)
	}
	check("compacted", m)
	m.Close()
	if m, err = domain.OpenMap(open(t), cfg(), strCodec()); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	check("reopened", m)
}

func setContract(t *testing.T, open Opener) {
	s, err := domain.OpenSet(open(t), cfg(), strCodec())
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"a", "b", "a", "c"} {
		if err := s.Add(v); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Remove("b"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s, err = domain.OpenSet(open(t), cfg(), strCodec()); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := slices.Collect(s.All()); !slices.Equal(got, []string{"a", "c"}) || !s.Contains("c") || s.Contains("b") {
		t.Fatalf("set holds %v", got)
	}
}

// A handle dropped without Close (a crash) leaves a prefix: everything
// flushed by Sync survives, and the next Open replays it.
func abandonContract(t *testing.T, open Opener) {
	l := openList(t, open, cfg())
	_ = l.Append("a", "b")
	if err := l.Sync(); err != nil {
		t.Fatal(err)
	}
	_, _ = l.Pop(0)
	_ = l.Sync()
	// l is abandoned here, never closed.
	l2 := openList(t, open, cfg())
	defer l2.Close()
	if got := listItems(t, l2); !slices.Equal(got, []string{"b"}) {
		t.Fatalf("after abandoning a handle: %q", got)
	}
	if m := l2.Metrics(); m.CleanShutdown || m.RecordsReplayed == 0 {
		t.Fatalf("recovery not reported: %+v", m)
	}
}

// Two Shared handles on the same files see each other's writes, and a
// compaction by one is picked up by the other.
func sharedContract(t *testing.T, open Opener) {
	c := cfg()
	c.Shared = true
	a, b := openList(t, open, c), openList(t, open, c)
	defer a.Close()
	defer b.Close()
	_ = a.Append("1", "2")
	_ = b.Append("3")
	if _, err := a.Pop(0); err != nil {
		t.Fatal(err)
	}
	if err := b.Compact(); err != nil {
		t.Fatal(err)
	}
	_ = b.Append("4")
	for name, l := range map[string]*domain.List[string]{"a": a, "b": b} {
		if got := listItems(t, l); !slices.Equal(got, []string{"2", "3", "4"}) {
			t.Fatalf("handle %s sees %q", name, got)
		}
	}
}

func mismatchContract(t *testing.T, open Opener) {
	l := openList(t, open, cfg())
	l.Close()
	c := cfg()
	c.Header.TypeName = "int64"
	if _, err := domain.OpenList(open(t), c, strCodec()); err == nil {
		t.Fatal("opened a list of string as a list of int64")
	}
	if _, err := domain.OpenMap(open(t), cfg(), strCodec()); err == nil {
		t.Fatal("opened a list as a map")
	}
}

// logContract: appends of any size, small ones buffered and large ones
// (compaction's runs of records) written at once, read back at the offsets
// Append returned, before and after Flush, and from a reopened log.
func logContract(t *testing.T, open Opener) {
	s := open(t)
	h := domain.FileHeader{Generation: 1, TypeName: "bytes", Kind: domain.KindList}
	l, err := s.OpenLog(h, true)
	if err != nil {
		t.Fatal(err)
	}
	var (
		chunks [][]byte
		offs   []int64
	)
	// Large appends (at least the buffer: written directly) among many
	// small ones, whose buffer fills and goes out in whole pages, keeping
	// the rest: records then straddle the file and the buffer.
	sizes := []int{10, 70_000, 3, 200_000, 64 << 10, 1, 5_000}
	for i := range 3000 {
		sizes = append(sizes, 17+i*37%300)
	}
	for i, n := range sizes {
		b := make([]byte, n)
		for j := range b {
			b[j] = byte(i*31 + j)
		}
		off, err := l.Append(b)
		if err != nil {
			t.Fatal(err)
		}
		chunks, offs = append(chunks, b), append(offs, off)
	}
	check := func(l domain.Log, when string) {
		t.Helper()
		for i, b := range chunks {
			got, err := l.View(offs[i], len(b))
			if err != nil || !slices.Equal(got, b) {
				t.Fatalf("%s: append %d (%d bytes at %d) reads back wrong: %v", when, i, len(b), offs[i], err)
			}
		}
		last := len(chunks) - 1
		if want := offs[last] + int64(len(chunks[last])); l.Size() != want {
			t.Fatalf("%s: Size %d, want %d", when, l.Size(), want)
		}
		// ViewAhead: a prefix of what View sees, never empty inside the
		// log, and all of it where the bytes are all in the file or all
		// in the buffer; empty outside.
		for i, b := range chunks {
			got := l.ViewAhead(offs[i], len(b))
			if len(got) == 0 || len(got) > len(b) || !slices.Equal(got, b[:len(got)]) {
				t.Fatalf("%s: ViewAhead of append %d (%d bytes at %d) gave %d bytes, not a prefix", when, i, len(b), offs[i], len(got))
			}
			if i > 0 && len(got) < len(b) && len(l.ViewAhead(offs[i]+int64(len(got)), len(b))) == 0 {
				t.Fatalf("%s: ViewAhead stopped inside append %d and cannot go on", when, i)
			}
		}
		if l.ViewAhead(l.Size(), 10) != nil || l.ViewAhead(-1, 10) != nil {
			t.Fatalf("%s: ViewAhead outside the log is not empty", when)
		}
		if whole := l.ViewAhead(offs[0], 1<<30); int64(len(whole)) != l.Size()-offs[0] && when == "after Flush" {
			t.Fatalf("after Flush: ViewAhead of everything gave %d of %d bytes", len(whole), l.Size()-offs[0])
		}
	}
	check(l, "before Flush")
	if err := l.Flush(); err != nil {
		t.Fatal(err)
	}
	check(l, "after Flush")
	for i, b := range chunks { // read calls see what the mapping sees
		got := make([]byte, len(b))
		if _, err := l.ReadAt(got, offs[i]); err != nil || !slices.Equal(got, b) {
			t.Fatalf("ReadAt of append %d (%d bytes at %d): %v", i, len(b), offs[i], err)
		}
	}
	if _, err := l.ReadAt(make([]byte, 2), l.Size()-1); err == nil {
		t.Fatal("ReadAt past the end succeeded")
	}
	// ReadStableAt reads the same flushed bytes while appends go on.
	before := l.Size()
	done := make(chan error, 1)
	go func() {
		for i, b := range chunks {
			got := make([]byte, len(b))
			if _, err := l.ReadStableAt(got, offs[i]); err != nil || !slices.Equal(got, b) {
				done <- fmt.Errorf("ReadStableAt of append %d (%d bytes at %d): %v", i, len(b), offs[i], err)
				return
			}
		}
		done <- nil
	}()
	for range 100 {
		if _, err := l.Append([]byte("meanwhile")); err != nil {
			t.Fatal(err)
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := l.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := l.Truncate(before); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = open(t)
	defer s.Close()
	if l, err = s.OpenLog(h, false); err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	check(l, "reopened")
}
