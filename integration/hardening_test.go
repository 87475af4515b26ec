package integration

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gofrs/flock"

	"github.com/fscollections/fscollections"
)

// Regression tests for the damage an adversarial audit found: each names
// the way the library used to lose or invent data. RELIABILITY.md lists
// them under the invariant each broke.

// readAny opens the collection of kind at path and reads it whole as
// strings (lists: the values in order; maps: "key=value"; sets: the
// elements). err is the first error met: Open's or a read's.
func readAny(kind, path string) (out []string, length int, err error) {
	switch kind {
	case "list":
		l, err := fscollections.OpenList[string](path, nil)
		if err != nil {
			return nil, 0, err
		}
		defer l.Close()
		for _, v := range l.All() {
			out = append(out, v)
		}
		return out, l.Len(), l.Err()
	case "map":
		m, err := fscollections.OpenMap[string](path, nil)
		if err != nil {
			return nil, 0, err
		}
		defer m.Close()
		for k, v := range m.All() {
			out = append(out, k+"="+v)
		}
		return out, m.Len(), m.Err()
	default:
		s, err := fscollections.OpenSet[string](path, nil)
		if err != nil {
			return nil, 0, err
		}
		defer s.Close()
		for v := range s.All() {
			out = append(out, v)
		}
		return out, s.Len(), s.Err()
	}
}

// writeSmall fills a small collection of kind at path with every kind of
// record its kind has, durably, and returns its contents as readAny reads them.
func writeSmall(t *testing.T, kind, path string, n int) []string {
	t.Helper()
	opts := &fscollections.Options{Sync: fscollections.SyncAlways}
	switch kind {
	case "list":
		l, err := fscollections.OpenList[string](path, opts)
		if err != nil {
			t.Fatal(err)
		}
		for i := range n {
			if err := l.Append(fmt.Sprintf("v%02d", i)); err != nil {
				t.Fatal(err)
			}
		}
		_ = l.Insert(2, "ins")
		_ = l.Set(4, "set")
		_, _ = l.Pop(1)
		_ = l.Append("last")
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
	case "map":
		m, err := fscollections.OpenMap[string](path, opts)
		if err != nil {
			t.Fatal(err)
		}
		for i := range n {
			if err := m.Set(fmt.Sprintf("k%02d", i), fmt.Sprintf("v%02d", i)); err != nil {
				t.Fatal(err)
			}
		}
		_ = m.Set("k03", "again")
		_ = m.Delete("k05")
		_ = m.Set("last", "x")
		if err := m.Close(); err != nil {
			t.Fatal(err)
		}
	default:
		s, err := fscollections.OpenSet[string](path, opts)
		if err != nil {
			t.Fatal(err)
		}
		for i := range n {
			if err := s.Add(fmt.Sprintf("e%02d", i)); err != nil {
				t.Fatal(err)
			}
		}
		_ = s.Remove("e04")
		_ = s.Add("last")
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	got, _, err := readAny(kind, path)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// Audit item 1: one flipped bit in a record's size field made recovery
// take every record after it for a torn tail and cut them off. Now no
// single-bit flip anywhere in a small data file whose index is gone may
// change what is read without an error: Open or a read fails with
// ErrCorrupt, or the contents are exactly what was written.
func TestEveryBitFlipIsAnErrorOrHarmless(t *testing.T) {
	for _, kind := range []string{"list", "map", "set"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			orig := filepath.Join(dir, "orig")
			want := writeSmall(t, kind, orig, 12)
			data, err := os.ReadFile(orig + ".data.fscollection")
			if err != nil {
				t.Fatal(err)
			}
			flips, errs := 0, 0
			for off := range data {
				for bit := range 8 {
					b := slices.Clone(data)
					b[off] ^= 1 << bit
					path := filepath.Join(dir, fmt.Sprintf("f%d-%d", off, bit))
					if err := os.WriteFile(path+".data.fscollection", b, 0o600); err != nil {
						t.Fatal(err)
					}
					got, _, err := readAny(kind, path)
					flips++
					switch {
					case err != nil && !errors.Is(err, fscollections.ErrCorrupt):
						t.Fatalf("flip of bit %d at %d: %v, not ErrCorrupt", bit, off, err)
					case err != nil:
						errs++
						var ce *fscollections.CorruptError
						if !errors.As(err, &ce) || ce.Path == "" {
							t.Fatalf("flip of bit %d at %d: %v names no file", bit, off, err)
						}
					case !slices.Equal(got, want):
						t.Fatalf("flip of bit %d at %d: read %q without an error, wrote %q", bit, off, got, want)
					}
					// Read again: the first open must not have changed the
					// story (by cutting what it took for a torn tail).
					if again, _, err2 := readAny(kind, path); (err2 == nil) != (err == nil) || (err == nil && !slices.Equal(again, got)) {
						t.Fatalf("flip of bit %d at %d: first open %q, %v; second %q, %v", bit, off, got, err, again, err2)
					}
					for _, p := range []string{".data.fscollection", ".index.fscollection", ".lock.fscollection"} {
						os.Remove(path + p)
					}
				}
			}
			t.Logf("%d flips of a %d-byte file: %d gave ErrCorrupt, the rest were harmless", flips, len(data), errs)
		})
	}
}

// Audit item 1, as found: a map written with SyncAlways, killed before any
// checkpoint, the lowest bit of record 10's size field flipped. Open used
// to succeed with 10 keys and cut the file to 336 bytes.
func TestSizeFieldFlipIsCorruptNotTorn(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m")
	m, err := fscollections.OpenMap[string](path, &fscollections.Options{Sync: fscollections.SyncAlways})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 1000 {
		if err := m.Set(fmt.Sprintf("key-%04d", i), "value"); err != nil {
			t.Fatal(err)
		}
	}
	m.Close()
	os.Remove(path + ".index.fscollection") // as after a SIGKILL before any checkpoint
	data := path + ".data.fscollection"
	before, _ := os.Stat(data)
	b, _ := os.ReadFile(data)
	hdr := int64(30 + len("string"))
	rec := (int64(len(b)) - hdr) / 1000 // every Set wrote a record of one length
	off := hdr + 10*rec
	b[off+9] ^= 1 // the lowest bit of the big-endian size field
	os.WriteFile(data, b, 0o600)
	_, err = fscollections.OpenMap[string](path, nil)
	var ce *fscollections.CorruptError
	if !errors.As(err, &ce) || ce.Offset != off {
		t.Fatalf("Open = %v; want ErrCorrupt at offset %d", err, off)
	}
	if after, _ := os.Stat(data); after.Size() != before.Size() {
		t.Fatalf("the data file was cut from %d to %d bytes", before.Size(), after.Size())
	}
}

// snapshot copies the files of the collection at path to base path to, as
// a SIGKILL at this instant would leave them (what was written is in the
// page cache, so in the copy).
func snapshot(t *testing.T, path, to string) {
	t.Helper()
	files, _ := filepath.Glob(path + ".*.fscollection")
	for _, f := range files {
		if filepath.Ext(f) == ".fscollection" && !strings.HasSuffix(f, ".lock.fscollection") {
			copyFile(t, f, to+strings.TrimPrefix(f, path))
		}
	}
}

func appendAll(t *testing.T, l *fscollections.FSList[string], vs ...string) {
	t.Helper()
	if err := l.Append(vs...); err != nil {
		t.Fatal(err)
	}
}

func numbered(prefix string, lo, hi int) []string {
	var out []string
	for i := lo; i < hi; i++ {
		out = append(out, fmt.Sprintf("%s%d", prefix, i))
	}
	return out
}

// Audit item 2a: two lists of the same shape with their index files
// swapped used to open "clean" with each other's order.
func TestSwappedIndexFilesAreRejected(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	for i, p := range []string{a, b} {
		l, err := fscollections.OpenList[string](p, nil)
		if err != nil {
			t.Fatal(err)
		}
		appendAll(t, l, numbered(filepath.Base(p), 0, 50)...)
		_, _ = l.Pop(10 + 20*i)
		l.Close()
	}
	wantA, _ := listOf(t, a)
	wantB, _ := listOf(t, b)
	ia, _ := os.ReadFile(a + ".index.fscollection")
	ib, _ := os.ReadFile(b + ".index.fscollection")
	os.WriteFile(a+".index.fscollection", ib, 0o600)
	os.WriteFile(b+".index.fscollection", ia, 0o600)
	for p, want := range map[string][]string{a: wantA, b: wantB} {
		got, m := listOf(t, p)
		if !slices.Equal(got, want) || m.CleanShutdown || m.RecordsReplayed == 0 {
			t.Fatalf("%s: got %v (clean %v, replayed %d), want %v", filepath.Base(p), got, m.CleanShutdown, m.RecordsReplayed, want)
		}
	}
}

// Audit item 2b: a map's data file replaced by another map's opened clean
// and iterated the other map's keys while Contains of them was false.
func TestForeignDataFileIsReplayedNotIndexed(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	for _, p := range []string{a, b} {
		m, err := fscollections.OpenMap[int](p, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i := range 100 {
			_ = m.Set(fmt.Sprintf("%s-%d", filepath.Base(p), i), i)
		}
		m.Close()
	}
	copyFile(t, b+".data.fscollection", a+".data.fscollection")
	m, err := fscollections.OpenMap[int](a, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	n := 0
	for k, v := range m.All() {
		if !m.Contains(k) || k != fmt.Sprintf("b-%d", v) {
			t.Fatalf("iterated %q=%d, Contains %v", k, v, m.Contains(k))
		}
		n++
	}
	if n != 100 || m.Len() != 100 || m.Contains("a-1") {
		t.Fatalf("iterated %d keys, Len %d, Contains(a-1) %v", n, m.Len(), m.Contains("a-1"))
	}
}

// Audit item 2c: a crash inside Destroy (data file unlinked, index not)
// and a new collection at the same path: the old index was adopted once
// the new log grew past the length it covered, and acknowledged appends
// were lost at the next crash.
func TestIndexOfADestroyedCollectionIsNeverAdopted(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "l")
	l, err := fscollections.OpenList[string](path, nil)
	if err != nil {
		t.Fatal(err)
	}
	appendAll(t, l, numbered("old", 0, 200)...)
	_ = l.Reverse()
	l.Close()
	os.Remove(path + ".data.fscollection") // Destroy killed after its first unlink

	l, err = fscollections.OpenList[string](path, &fscollections.Options{Sync: fscollections.SyncAlways})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	want := numbered("new", 0, 300)
	for _, v := range want {
		appendAll(t, l, v)
	}
	crashed := filepath.Join(dir, "crashed")
	snapshot(t, path, crashed)
	if got, _ := listOf(t, crashed); !slices.Equal(got, want) {
		t.Fatalf("after the crash: %d elements %v..., want the 300 acknowledged", len(got), got[:min(3, len(got))])
	}
}

// Audit item 2d: a data file cut below its checkpoint recovered right
// once, but the stale checkpoint stayed; once the log grew past it again,
// the next crash adopted it.
func TestRejectedIndexIsRemovedBeforeAnyWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "l")
	l, err := fscollections.OpenList[string](path, nil)
	if err != nil {
		t.Fatal(err)
	}
	appendAll(t, l, numbered("v", 0, 100)...)
	l.Close()
	data := path + ".data.fscollection"
	st, _ := os.Stat(data)
	rec := int64(14 + len("v10"))
	for _, cut := range []int64{st.Size() - 1, st.Size() - 60*rec - 1, st.Size() - 90*rec} {
		t.Run(fmt.Sprint(cut), func(t *testing.T) {
			p := filepath.Join(dir, fmt.Sprint(cut))
			snapshot(t, path, p)
			os.Truncate(p+".data.fscollection", cut)
			l, err := fscollections.OpenList[string](p, &fscollections.Options{Sync: fscollections.SyncAlways})
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			var want []string
			for _, v := range l.All() {
				want = append(want, v)
			}
			more := numbered("more", 0, 60)
			for _, v := range more {
				appendAll(t, l, v)
			}
			want = append(want, more...)
			crashed := p + "-crashed"
			snapshot(t, p, crashed)
			if got, _ := listOf(t, crashed); !slices.Equal(got, want) {
				t.Fatalf("after the crash: %d elements, want %d (survivors of the cut and 60 acknowledged)", len(got), len(want))
			}
		})
	}
}

// craftIndex rewrites the checkpoint in the index file of the collection
// at path as edit says, with a correct checksum and the clean marker, as an
// attacker who knows the format would. head holds the eight counters
// (generation, data length, live bytes, dead bytes, live count, order
// count, slot count, journal generation).
func craftIndex(t *testing.T, path string, edit func(head *[8]uint64, order, slots []uint64) ([]uint64, []uint64)) {
	t.Helper()
	b, err := os.ReadFile(path + ".index.fscollection")
	if err != nil {
		t.Fatal(err)
	}
	var head [8]uint64
	for i := range head {
		head[i] = binary.BigEndian.Uint64(b[12+8*i:])
	}
	words := func(at, n int) []uint64 {
		w := make([]uint64, n)
		for i := range w {
			w[i] = binary.LittleEndian.Uint64(b[at+8*i:])
		}
		return w
	}
	order := words(80, int(head[5]))
	slots := words(80+8*int(head[5]), int(head[6]))
	order, slots = edit(&head, order, slots)
	head[5], head[6] = uint64(len(order)), uint64(len(slots))
	out := slices.Clone(b[:12])
	for _, v := range head {
		out = binary.BigEndian.AppendUint64(out, v)
	}
	out = append(out, 0, 0, 0, 0)
	for _, v := range append(order, slots...) {
		out = binary.LittleEndian.AppendUint64(out, v)
	}
	out = binary.BigEndian.AppendUint32(out, crc32.Checksum(out, crc32.MakeTable(crc32.Castagnoli)))
	if err := os.WriteFile(path+".index.fscollection", append(out, 0xAA), 0o600); err != nil {
		t.Fatal(err)
	}
}

// callWithin runs fn and fails the test if it has not returned after d:
// a hang is a failure, not a stuck test run.
func callWithin(t *testing.T, d time.Duration, what string, fn func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("%s has not returned after %v", what, d)
	}
}

// Audit item 4: index files with a valid checksum and crafted contents.
// A one-slot table holding a slot made every lookup of another key spin
// forever under the read lock; an order offset of 2^63-8 overflowed the
// bounds check of a read and panicked. Such checkpoints are rejected, and
// the log is replayed instead.
func TestCraftedIndexIsRejected(t *testing.T) {
	dir := t.TempDir()
	t.Run("full one-slot table", func(t *testing.T) {
		path := filepath.Join(dir, "m")
		m, _ := fscollections.OpenMap[string](path, nil)
		_ = m.Set("a", "1")
		m.Close()
		craftIndex(t, path, func(_ *[8]uint64, order, slots []uint64) ([]uint64, []uint64) {
			for _, s := range slots {
				if s != 0 {
					return order, []uint64{s}
				}
			}
			t.Fatal("no slot in use")
			return nil, nil
		})
		m, err := fscollections.OpenMap[string](path, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		callWithin(t, 5*time.Second, "Get of an absent key", func() {
			if _, err := m.Get("b"); !errors.Is(err, fscollections.ErrNotFound) {
				t.Errorf("Get(b) = %v", err)
			}
		})
		if v, err := m.Get("a"); err != nil || v != "1" || m.Metrics().CleanShutdown {
			t.Fatalf("Get(a) = %q, %v; clean %v", v, err, m.Metrics().CleanShutdown)
		}
	})
	t.Run("offset near 2^63", func(t *testing.T) {
		path := filepath.Join(dir, "l")
		l, _ := fscollections.OpenList[string](path, nil)
		appendAll(t, l, "x", "y")
		l.Close()
		craftIndex(t, path, func(_ *[8]uint64, order, slots []uint64) ([]uint64, []uint64) {
			order[0] = 1<<63 - 8
			return order, slots
		})
		got, m := listOf(t, path)
		if !slices.Equal(got, []string{"x", "y"}) || m.CleanShutdown {
			t.Fatalf("got %q, clean %v", got, m.CleanShutdown)
		}
	})
	t.Run("slot naming a deleted entry", func(t *testing.T) {
		path := filepath.Join(dir, "m2")
		m, _ := fscollections.OpenMap[int](path, nil)
		for i := range 10 {
			_ = m.Set(fmt.Sprint(i), i)
		}
		m.Close()
		craftIndex(t, path, func(_ *[8]uint64, order, slots []uint64) ([]uint64, []uint64) {
			order[4] = 0 // the entry's place is a hole, its slot still names it
			return order, slots
		})
		m, err := fscollections.OpenMap[int](path, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		if v, err := m.Get("4"); err != nil || v != 4 || m.Len() != 10 {
			t.Fatalf("Get(4) = %d, %v; Len %d", v, err, m.Len())
		}
	})
}

func swapList(t *testing.T, path string, opts *fscollections.Options) (*fscollections.FSList[int64], error) {
	t.Helper()
	o := fscollections.Options{AutoCompact: true}
	if opts != nil {
		o = *opts
	}
	return fscollections.OpenList[int64](path, &o)
}

func int64s(t *testing.T, l *fscollections.FSList[int64]) []int64 {
	t.Helper()
	var out []int64
	for _, v := range l.All() {
		out = append(out, v)
	}
	if err := l.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// Audit item 5: a swap-and-pop list fell back to storage order when any
// byte of its index was damaged: a reordered list with no error. Every
// flip of an index bit, and a lost index, is now ErrCorrupt or the exact
// order.
func TestSwapListIndexDamageIsAnErrorNotAReorder(t *testing.T) {
	dir := t.TempDir()
	orig := filepath.Join(dir, "orig")
	l, err := swapList(t, orig, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 30 {
		_ = l.Append(int64(i))
	}
	for _, i := range []int{0, 5, 9, 17} {
		_, _ = l.Pop(i) // each moves the last element into the hole
	}
	_ = l.Insert(3, 100)
	want := int64s(t, l)
	l.Close()
	index, _ := os.ReadFile(orig + ".index.fscollection")
	check := func(name string, damage func(p string)) {
		p := filepath.Join(dir, name)
		snapshot(t, orig, p)
		damage(p)
		l, err := swapList(t, p, nil)
		if err != nil {
			if !errors.Is(err, fscollections.ErrCorrupt) {
				t.Fatalf("%s: %v, not ErrCorrupt", name, err)
			}
			return
		}
		defer l.Close()
		if got := int64s(t, l); !slices.Equal(got, want) {
			t.Fatalf("%s: read %v without an error, wrote %v", name, got, want)
		}
	}
	check("lost", func(p string) { os.Remove(p + ".index.fscollection") })
	for off := range index {
		for _, bit := range []int{0, 3, 6} {
			check(fmt.Sprintf("flip%d-%d", off, bit), func(p string) {
				b := slices.Clone(index)
				b[off] ^= 1 << bit
				os.WriteFile(p+".index.fscollection", b, 0o600)
			})
		}
	}
}

// Audit item 12: a swap-and-pop list opened without AutoCompact (or
// ReadOnly) failed with a misleading "damaged op(70) record"; a plain list
// with records opened with AutoCompact was taken for slots and cut to
// nothing. Both are refused with ErrInvalidOptions naming the option, and
// the files are left as they were.
func TestListLayoutAndAutoCompactMustAgree(t *testing.T) {
	dir := t.TempDir()
	swap, plain := filepath.Join(dir, "swap"), filepath.Join(dir, "plain")
	l, err := swapList(t, swap, nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = l.Append(1, 2, 3)
	l.Close()
	p, _ := fscollections.OpenList[int64](plain, nil)
	_ = p.Append(1, 2, 3)
	_, _ = p.Pop(0)
	p.Close()
	sizeOf := func(path string) int64 {
		st, err := os.Stat(path + ".data.fscollection")
		if err != nil {
			t.Fatal(err)
		}
		return st.Size()
	}
	swapSize, plainSize := sizeOf(swap), sizeOf(plain)
	for _, o := range []fscollections.Options{{}, {ReadOnly: true}, {Shared: true}} {
		_, err := fscollections.OpenList[int64](swap, &o)
		if !errors.Is(err, fscollections.ErrInvalidOptions) || !strings.Contains(err.Error(), "AutoCompact") {
			t.Fatalf("swap-and-pop list opened with %+v: %v", o, err)
		}
	}
	for _, o := range []fscollections.Options{{AutoCompact: true}, {AutoCompact: true, ReadOnly: true}} {
		_, err := fscollections.OpenList[int64](plain, &o)
		if !errors.Is(err, fscollections.ErrInvalidOptions) || !strings.Contains(err.Error(), "without AutoCompact") {
			t.Fatalf("plain list opened with %+v: %v", o, err)
		}
	}
	if sizeOf(swap) != swapSize || sizeOf(plain) != plainSize {
		t.Fatal("a refused open changed a data file")
	}
	// A swap-and-pop list written before the header had its flag is told
	// by its journal.
	data := swap + ".data.fscollection"
	b, _ := os.ReadFile(data)
	n := int(binary.BigEndian.Uint16(b[24:26]))
	b[11] = 0
	binary.BigEndian.PutUint32(b[26+n:], crc32.Checksum(b[:26+n], crc32.MakeTable(crc32.Castagnoli)))
	os.WriteFile(data, b, 0o600)
	if _, err := fscollections.OpenList[int64](swap, nil); !errors.Is(err, fscollections.ErrInvalidOptions) {
		t.Fatalf("unflagged swap-and-pop list opened without AutoCompact: %v", err)
	}
	l, err = swapList(t, swap, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if got := int64s(t, l); !slices.Equal(got, []int64{1, 2, 3}) {
		t.Fatalf("unflagged swap-and-pop list reads %v", got)
	}
}

// holdArg tells a "holdlock" child what to hold until it is killed.
type holdArg struct {
	Path, Ready string
	ReadOnly    bool // open the list read-only (a shared lock for life)
	RawLock     bool // hold an exclusive flock on the lock file, as a Shared write in progress does
}

func init() {
	children["holdlock"] = func(raw string) error {
		a, err := decodeArg[holdArg](raw)
		if err != nil {
			return err
		}
		if a.RawLock {
			f := flock.New(a.Path + ".lock.fscollection")
			if err := f.Lock(); err != nil {
				return err
			}
		} else {
			l, err := fscollections.OpenList[string](a.Path, &fscollections.Options{ReadOnly: a.ReadOnly})
			if err != nil {
				return err
			}
			defer l.Close()
		}
		if err := os.WriteFile(a.Ready, []byte("R\n"), 0o600); err != nil {
			return err
		}
		time.Sleep(time.Minute) // until killed
		return nil
	}
	children["readlist"] = func(path string) error {
		l, err := fscollections.OpenList[string](path, &fscollections.Options{ReadOnly: true})
		if err != nil {
			return err
		}
		defer l.Close()
		for _, v := range l.All() {
			fmt.Println(v)
		}
		return l.Err()
	}
}

// hold starts a holdlock child and returns it once it holds what it was
// told; it is killed when the test ends.
func hold(t *testing.T, a holdArg) *exec.Cmd {
	t.Helper()
	a.Ready = a.Path + ".ready"
	raw, _ := json.Marshal(a)
	cmd := child(t, "holdlock", string(raw))
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	waitForLine(t, a.Ready, "R", 10*time.Second)
	return cmd
}

func newList(t *testing.T, path string, vs ...string) {
	t.Helper()
	l, err := fscollections.OpenList[string](path, nil)
	if err != nil {
		t.Fatal(err)
	}
	appendAll(t, l, vs...)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
}

// Audit item 7: a Shared open waited as long as an exclusive holder lived
// (7.7 s with LockTimeout 200 ms), and a Shared operation waited for the
// lock with no timeout at all. Both end in ErrLocked after LockTimeout.
func TestSharedWaitsAreBoundedByLockTimeout(t *testing.T) {
	opts := &fscollections.Options{Shared: true, LockTimeout: 200 * time.Millisecond}
	t.Run("open", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "l")
		newList(t, path, "a")
		hold(t, holdArg{Path: path})
		callWithin(t, 10*time.Second, "a Shared Open beside an exclusive holder", func() {
			if _, err := fscollections.OpenList[string](path, opts); !errors.Is(err, fscollections.ErrLocked) {
				t.Errorf("Open = %v; want ErrLocked", err)
			}
		})
	})
	t.Run("operation", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "l")
		newList(t, path, "a")
		l, err := fscollections.OpenList[string](path, opts)
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		hold(t, holdArg{Path: path, RawLock: true})
		callWithin(t, 10*time.Second, "a Shared Append while another process holds the lock", func() {
			if err := l.Append("b"); !errors.Is(err, fscollections.ErrLocked) || !strings.Contains(err.Error(), "write") {
				t.Errorf("Append = %v; want ErrLocked", err)
			}
			if _, err := l.Get(0); !errors.Is(err, fscollections.ErrLocked) {
				t.Errorf("Get = %v; want ErrLocked", err)
			}
		})
	})
}

// Audit item 8: a plain ReadOnly reader, which holds a shared lock for its
// life, blocked Shared writers for as long as it lived with no error.
// The mix is refused: the writer gets ErrLocked after LockTimeout, saying
// a read-only handle may hold it; Shared read-only handles work beside it.
func TestReadOnlyReaderRefusesSharedWriters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "l")
	newList(t, path, "a", "b")
	hold(t, holdArg{Path: path, ReadOnly: true})
	callWithin(t, 10*time.Second, "a Shared writer beside a read-only reader", func() {
		_, err := fscollections.OpenList[string](path, &fscollections.Options{Shared: true, LockTimeout: 200 * time.Millisecond})
		if !errors.Is(err, fscollections.ErrLocked) || !strings.Contains(err.Error(), "read-only") {
			t.Errorf("Shared Open = %v; want ErrLocked naming read-only handles", err)
		}
	})
	r, err := fscollections.OpenList[string](path, &fscollections.Options{Shared: true, ReadOnly: true, LockTimeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if v, err := r.Get(1); err != nil || v != "b" {
		t.Fatalf("Shared read-only Get(1) = %q, %v", v, err)
	}
}

// Audit item 9: opening a path this process already holds blamed "another
// process" (its own pid) and waited the whole LockTimeout. It fails at
// once now; compatible handles (read-only, Shared) still open together;
// and NoWait gives a way not to wait for another process either.
func TestSecondOpenInThisProcessFailsAtOnce(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "l")
	l, err := fscollections.OpenList[string](path, nil)
	if err != nil {
		t.Fatal(err)
	}
	callWithin(t, 2*time.Second, "a second open in this process with LockTimeout 1m", func() {
		_, err := fscollections.OpenMap[string](filepath.Join(dir, ".", "l"), &fscollections.Options{LockTimeout: time.Minute})
		if !errors.Is(err, fscollections.ErrLocked) || !strings.Contains(err.Error(), "already open in this process") {
			t.Errorf("second Open = %v", err)
		}
	})
	l.Close()
	for _, o := range []fscollections.Options{{ReadOnly: true}, {Shared: true}} {
		a, err := fscollections.OpenList[string](path, &o)
		if err != nil {
			t.Fatal(err)
		}
		b, err := fscollections.OpenList[string](path, &o)
		if err != nil {
			t.Fatalf("a second %+v handle: %v", o, err)
		}
		a.Close()
		b.Close()
	}
	hold(t, holdArg{Path: path})
	start := time.Now()
	_, err = fscollections.OpenList[string](path, &fscollections.Options{LockTimeout: fscollections.NoWait})
	if !errors.Is(err, fscollections.ErrLocked) || !strings.Contains(err.Error(), "NoWait") {
		t.Fatalf("Open with NoWait = %v", err)
	}
	if waited := time.Since(start); waited >= fscollections.DefaultLockTimeout {
		t.Fatalf("Open with NoWait waited %v", waited)
	}
}

// Audit item 13: a ReadOnly open failed in a read-only directory where the
// collection had no lock file. It takes no lock there (no writer can make
// one either) and reads. As root, permissions do not bind, so the reader
// runs as user nobody.
func TestReadOnlyOpenInReadOnlyDirectory(t *testing.T) {
	dir, err := os.MkdirTemp("", "fsc-rodir-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o700); os.RemoveAll(dir) })
	path := filepath.Join(dir, "l")
	newList(t, path, "a", "b")
	os.Remove(path + ".lock.fscollection")
	for _, f := range []string{".data.fscollection", ".index.fscollection"} {
		os.Chmod(path+f, 0o644)
	}
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$", path)
	cmd.Env = append(os.Environ(), "FSC_CHILD=readlist")
	if os.Getuid() == 0 {
		bin := filepath.Join(dir+"-bin", "test")
		os.MkdirAll(filepath.Dir(bin), 0o755)
		t.Cleanup(func() { os.RemoveAll(filepath.Dir(bin)) })
		copyFile(t, os.Args[0], bin)
		os.Chmod(bin, 0o755)
		os.Chmod(filepath.Dir(dir), 0o755) // usually /tmp already is
		cmd.Path, cmd.Args[0] = bin, bin
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	}
	out, err := cmd.CombinedOutput()
	if err != nil || string(out) != "a\nb\n" {
		t.Fatalf("read-only open in a read-only directory: %v\n%s", err, out)
	}
	if _, err := os.Stat(path + ".lock.fscollection"); !os.IsNotExist(err) {
		t.Fatalf("a lock file appeared: %v", err)
	}
}

// rawUsers is a codec that opens a UserStore's files as the map of raw
// bytes they are, to damage them as a crash would.
type rawUsers struct{}

func (rawUsers) TypeName() string                            { return "fscollections.UserStore/v1" }
func (rawUsers) FixedSize() int                              { return 0 }
func (rawUsers) Append(dst []byte, v []byte) ([]byte, error) { return append(dst, v...), nil }
func (rawUsers) Decode(b []byte) ([]byte, error)             { return slices.Clone(b), nil }

// Audit item 3: after a crash between a user's delete and its name index
// update, and the same ID added again under a new name, SearchByName(old)
// returned the user with the new name and RemoveNames(old) deleted it.
// Lookups by name now check the user's stored name.
func TestUserLookupsByNameCheckTheStoredName(t *testing.T) {
	path := filepath.Join(t.TempDir(), "users")
	s, err := fscollections.OpenUsers(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := fscollections.NewUser("old name", 30)
	other, _ := fscollections.NewUser("old name", 40)
	if err := s.Add(u, other); err != nil {
		t.Fatal(err)
	}
	s.Close()
	raw, err := fscollections.OpenMap[[]byte](path, &fscollections.Options{Codec: rawUsers{}})
	if err != nil {
		t.Fatal(err)
	}
	if err := raw.Delete("u" + string(u.ID[:])); err != nil { // the user went; the crash came before its index entry
		t.Fatal(err)
	}
	raw.Close()

	s, err = fscollections.OpenUsers(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	renamed := u
	renamed.Name = "new name"
	if err := s.Add(renamed); err != nil {
		t.Fatal(err)
	}
	for _, f := range s.SearchByName("old name") {
		if f.Name != "old name" {
			t.Fatalf("SearchByName(old name) returned %s named %q", f.ID, f.Name)
		}
	}
	if got := s.SearchByName("old name"); len(got) != 1 || got[0].ID != other.ID {
		t.Fatalf("SearchByName(old name) = %v; want only %s", got, other.ID)
	}
	if err := s.RemoveNames("old name"); err != nil {
		t.Fatal(err)
	}
	if !s.Has(renamed.ID) || s.Has(other.ID) || len(s.SearchByName("new name")) != 1 {
		t.Fatalf("RemoveNames(old name): Has(renamed) %v, Has(other) %v", s.Has(renamed.ID), s.Has(other.ID))
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
}
