package fscollections_test

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/fscollections/fscollections"
)

// recordSize is the on-disk size of one int64 element: a 14-byte record
// header and 8 bytes of value.
const recordSize = 14 + 8

func dataHeader(typeName string) int64 { return int64(30 + len(typeName)) }

func TestSwapAndPopKeepsLogicalOrder(t *testing.T) {
	l := openList[int64](t, "", &fscollections.Options{AutoCompact: true})
	defer l.Close()
	_ = l.Append(100, 200, 300)
	if v, err := l.Pop(1); err != nil || v != 200 {
		t.Fatalf("Pop(1) = %d, %v", v, err)
	}
	if got := listContents(t, l); !slices.Equal(got, []int64{100, 300}) {
		t.Fatalf("after Pop(1): %v", got)
	}
	if v, _ := l.Get(1); v != 300 {
		t.Fatalf("Get(1) = %d, want 300", v)
	}
	if m := l.Metrics(); m.DataFileBytes != dataHeader("int64")+2*recordSize || m.DeadBytes != 0 {
		t.Fatalf("data file %d bytes, dead %d: want exactly two records", m.DataFileBytes, m.DeadBytes)
	}
}

// 10,000 random operations against a slice: contents agree after every
// step, the data file is always exactly header + Len records, and reopens
// (clean, and after an abandoned handle) give the same list.
func TestSwapAndPopAgreesWithASlice(t *testing.T) {
	path := filepath.Join(t.TempDir(), "l")
	opts := &fscollections.Options{AutoCompact: true}
	l := openList[int64](t, path, opts)
	r := rand.New(rand.NewPCG(7, 8))
	var model []int64
	for step := range 10000 {
		var err error
		switch op := r.IntN(20); {
		case op < 7 || len(model) == 0:
			v := r.Int64()
			err = l.Append(v)
			model = append(model, v)
		case op < 9:
			i, v := r.IntN(len(model)+1), r.Int64()
			err = l.Insert(i, v)
			model = slices.Insert(model, i, v)
		case op < 11:
			i, v := r.IntN(len(model)), r.Int64()
			err = l.Set(i, v)
			model[i] = v
		case op < 19:
			i := r.IntN(len(model))
			var v int64
			v, err = l.Pop(i)
			if err == nil && v != model[i] {
				t.Fatalf("step %d: Pop(%d) = %d, want %d", step, i, v, model[i])
			}
			model = slices.Delete(model, i, i+1)
		default:
			err = l.Reverse()
			slices.Reverse(model)
		}
		if err != nil {
			t.Fatalf("step %d: %v", step, err)
		}
		if want := dataHeader("int64") + int64(len(model))*recordSize; l.Metrics().DataFileBytes != want {
			t.Fatalf("step %d: data file %d bytes, want %d", step, l.Metrics().DataFileBytes, want)
		}
		if step%1000 == 999 {
			if got := listContents(t, l); !slices.Equal(got, model) {
				t.Fatalf("step %d: contents differ from the model", step)
			}
			if step%2000 == 999 {
				_ = l.Close()
			} else {
				// A crash: snapshot the files of the open list (after
				// Sync, what a SIGKILL would leave) and go on with them.
				_ = l.Sync()
				crashed := filepath.Join(filepath.Dir(path), "crashed"+strconv.Itoa(step))
				snapshot(t, path, crashed)
				_ = l.Close()
				path = crashed
			}
			l = openList[int64](t, path, opts)
			if m := l.Metrics(); step%2000 != 999 && (m.CleanShutdown || m.RecordsReplayed == 0) {
				t.Fatalf("step %d: the crashed copy opened without replaying its journal: %+v", step, m)
			}
			if got := listContents(t, l); !slices.Equal(got, model) {
				t.Fatalf("step %d: after reopen the contents differ from the model", step)
			}
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path + ".data.fscollection")
	if err != nil || st.Size() != dataHeader("int64")+int64(len(model))*recordSize {
		t.Fatalf("data file on disk: %v bytes, %v", st.Size(), err)
	}
}

func TestSwapAndPopCompactAndClear(t *testing.T) {
	path := filepath.Join(t.TempDir(), "l")
	opts := &fscollections.Options{AutoCompact: true}
	l := openList[int64](t, path, opts)
	_ = l.Append(1, 2, 3, 4, 5)
	_, _ = l.Pop(0) // 5 moves into slot 0
	_ = l.Insert(0, 9)
	if err := l.Compact(); err != nil { // back to list order on disk
		t.Fatal(err)
	}
	if got := listContents(t, l); !slices.Equal(got, []int64{9, 2, 3, 4, 5}) {
		t.Fatalf("after Compact: %v", got)
	}
	_ = l.Close()
	l = openList[int64](t, path, opts)
	if got := listContents(t, l); !slices.Equal(got, []int64{9, 2, 3, 4, 5}) {
		t.Fatalf("reopened: %v", got)
	}
	if err := l.Clear(); err != nil {
		t.Fatal(err)
	}
	_ = l.Append(7)
	_ = l.Close()
	l = openList[int64](t, path, opts)
	defer l.Close()
	if got := listContents(t, l); !slices.Equal(got, []int64{7}) {
		t.Fatalf("after Clear and reopen: %v", got)
	}
}

// snapshot copies the files of the collection at base from to base to.
func snapshot(t *testing.T, from, to string) {
	t.Helper()
	files, _ := filepath.Glob(from + ".*")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(to+strings.TrimPrefix(f, from), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}
