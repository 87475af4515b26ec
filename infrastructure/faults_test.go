package infrastructure_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/fscollections/fscollections/domain"
	"github.com/fscollections/fscollections/infrastructure"
	"github.com/fscollections/fscollections/infrastructure/errorfs"
)

// listOp is one step of the fault workload, applied alike to the
// collection and to a model slice.
type listOp struct {
	name  string
	apply func(l *domain.List[int64]) error
	model func(m []int64) []int64
}

func workload(r *rand.Rand, n int) []listOp {
	var ops []listOp
	size := 0
	for len(ops) < n {
		switch k := r.IntN(12); {
		case k < 5 || size == 0:
			v := r.Int64N(1000)
			ops = append(ops, listOp{"append " + strconv.FormatInt(v, 10),
				func(l *domain.List[int64]) error { return l.Append(v) },
				func(m []int64) []int64 { return append(m, v) }})
			size++
		case k < 6:
			i, v := r.IntN(size+1), r.Int64N(1000)
			ops = append(ops, listOp{fmt.Sprintf("insert %d", i),
				func(l *domain.List[int64]) error { return l.Insert(i, v) },
				func(m []int64) []int64 { return slices.Insert(m, i, v) }})
			size++
		case k < 8:
			i, v := r.IntN(size), r.Int64N(1000)
			ops = append(ops, listOp{fmt.Sprintf("set %d", i),
				func(l *domain.List[int64]) error { return l.Set(i, v) },
				func(m []int64) []int64 { m = slices.Clone(m); m[i] = v; return m }})
		case k < 11:
			i := r.IntN(size)
			ops = append(ops, listOp{fmt.Sprintf("pop %d", i),
				func(l *domain.List[int64]) error { _, err := l.Pop(i); return err },
				func(m []int64) []int64 { return slices.Delete(slices.Clone(m), i, i+1) }})
			size--
		default:
			ops = append(ops, listOp{"compact",
				func(l *domain.List[int64]) error { return l.Compact() },
				func(m []int64) []int64 { return m }})
		}
	}
	return ops
}

func int64Codec() domain.Codec[int64] {
	c, _ := domain.CodecFor[int64]()
	return c
}

// candidates returns every list the operations can have left: acked
// operations applied, each unknown one applied or not. An operation whose
// precondition no longer holds in a branch (an index out of range after an
// unknown pop was skipped) cannot have run there either.
func candidates(ops []listOp, outcome []error) [][]int64 {
	states := [][]int64{nil}
	for i, op := range ops {
		var next [][]int64
		for _, s := range states {
			applied := func() (m []int64, ok bool) {
				defer func() { ok = recover() == nil }()
				return op.model(slices.Clone(s)), true
			}
			switch err := outcome[i]; {
			case err == nil:
				if m, ok := applied(); ok {
					next = append(next, m)
				}
			case errors.Is(err, domain.ErrFailed):
				next = append(next, s) // refused before doing anything
			default:
				next = append(next, s)
				if m, ok := applied(); ok {
					next = append(next, m)
				}
			}
		}
		states = next
		if len(states) > 4096 {
			states = states[:4096]
		}
	}
	return states
}

// Every fault the file system can throw — a failed write, fsync, mmap,
// truncate or rename, one-off or ENOSPC until cleared, at each of the first
// calls of a workload — surfaces as an error; no acknowledged operation
// is lost; the handle's view matches one outcome of the uncertain
// operations; and once the fault clears the collection reopens cleanly
// with the same contents.
func TestFaultInjection(t *testing.T) {
	faults := 0
	for _, swap := range []bool{false, true} {
		for _, op := range []errorfs.Op{errorfs.OpWrite, errorfs.OpSync,
			errorfs.OpMmap, errorfs.OpTruncate, errorfs.OpRename, errorfs.OpOpen} {
			for n := 1; n <= 12; n++ {
				for _, sticky := range []bool{false, true} {
					name := fmt.Sprintf("swap=%v/%s#%d/sticky=%v", swap, op, n, sticky)
					faults += faultScenario(t, name, swap, op, n, sticky)
				}
			}
		}
	}
	t.Logf("%d faults injected", faults)
}

func faultScenario(t *testing.T, name string, swap bool, op errorfs.Op, n int, sticky bool) int {
	t.Helper()
	base := filepath.Join(t.TempDir(), "l")
	cfg := domain.Config{Header: domain.FileHeader{Generation: 1, TypeName: "int64", FixedSize: 8},
		Sync: domain.SyncAlways, Swap: swap, CheckpointEvery: 512}
	ops := workload(rand.New(rand.NewPCG(uint64(n), 1)), 30)
	efs := errorfs.New(infrastructure.OS)
	errno := syscall.EIO
	if sticky {
		errno = syscall.ENOSPC
	}
	efs.FailAt(op, n, errno, sticky)

	outcome := make([]error, len(ops))
	var view []int64
	viewOK := false
	st, err := infrastructure.OpenStorageFS(efs, base, infrastructure.Exclusive, time.Second, nil)
	if err != nil && !errors.Is(err, errno) {
		t.Fatalf("%s: storage: %v", name, err)
	}
	var l *domain.List[int64]
	if err == nil { // else the lock file could not be opened: the storage never opened
		l, err = domain.OpenList(st, cfg, int64Codec())
	}
	if err == nil {
		for i, o := range ops {
			outcome[i] = o.apply(l)
		}
		if s, err := l.Slice(0, l.Len()); err == nil {
			view, viewOK = s, true
		}
		efs.Clear()
		_ = l.Close()
	} else {
		for i := range outcome {
			outcome[i] = domain.ErrFailed // never ran
		}
	}
	injected := efs.Injected()
	if injected == 0 {
		return 0
	}
	cands := candidates(ops, outcome)
	match := func(got []int64) bool {
		for _, c := range cands {
			if slices.Equal(got, c) {
				return true
			}
		}
		return false
	}
	if viewOK && !match(view) {
		t.Fatalf("%s: the handle's view %v matches no outcome of the operations %v", name, view, outcome)
	}
	st, err = infrastructure.OpenStorage(base, infrastructure.Exclusive, time.Second, nil)
	if err != nil {
		t.Fatalf("%s: reopen storage: %v", name, err)
	}
	l, err = domain.OpenList(st, cfg, int64Codec())
	if err != nil {
		t.Fatalf("%s: reopen after the fault cleared: %v", name, err)
	}
	defer l.Close()
	got, err := l.Slice(0, l.Len())
	if err != nil {
		t.Fatalf("%s: read after reopen: %v", name, err)
	}
	if !match(got) {
		t.Fatalf("%s: after reopen %v matches no outcome (acked ops lost or invented); outcomes %v", name, got, outcome)
	}
	// And it keeps working.
	if err := l.Append(42); err != nil {
		t.Fatalf("%s: append after recovery: %v", name, err)
	}
	return injected
}

// Audit item 15: an index save that failed on a full disk left its
// half-written .tmp file behind, making the disk fuller. Whether the write,
// the fsync or the rename fails, nothing is left but the old index.
func TestFailedIndexSaveLeavesNoTemporaryFile(t *testing.T) {
	for _, op := range []errorfs.Op{errorfs.OpWrite, errorfs.OpSync, errorfs.OpRename} {
		t.Run(string(op), func(t *testing.T) {
			base := filepath.Join(t.TempDir(), "c")
			efs := errorfs.New(infrastructure.OS)
			st, err := infrastructure.OpenStorageFS(efs, base, infrastructure.Exclusive, time.Second, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			if err := st.Index().Save([]byte("old")); err != nil {
				t.Fatal(err)
			}
			efs.FailAt(op, 1, errorfs.ENOSPC, false)
			if err := st.Index().Save([]byte("new index")); !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("Save = %v; want ENOSPC", err)
			}
			if _, err := os.Stat(base + infrastructure.IndexSuffix + ".tmp"); !os.IsNotExist(err) {
				t.Fatalf("the temporary file is still there: %v", err)
			}
			if b, _ := st.Index().Load(); string(b) != "old" {
				t.Fatalf("index holds %q", b)
			}
		})
	}
}

// Close writes its checkpoint while the data file's fsync runs, and makes
// it the index only once that fsync has succeeded: when the fsync fails,
// Close reports it, the index is the one from before (a checkpoint must
// never name data that may not be on disk) and no staged file is left.
func TestCloseInstallsItsCheckpointOnlyAfterTheDataFsync(t *testing.T) {
	base := filepath.Join(t.TempDir(), "m")
	efs := errorfs.New(infrastructure.OS)
	codec, _ := domain.CodecFor[string]()
	cfg := domain.Config{Header: domain.FileHeader{Generation: 1, TypeName: "string"}}
	open := func() *domain.Map[string] {
		t.Helper()
		st, err := infrastructure.OpenStorageFS(efs, base, infrastructure.Exclusive, time.Second, nil)
		if err != nil {
			t.Fatal(err)
		}
		m, err := domain.OpenMap(st, cfg, codec)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	m := open()
	for i := range 1000 {
		if err := m.Set(fmt.Sprint("k", i), "v"); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	m = open()
	before, err := os.ReadFile(base + infrastructure.IndexSuffix)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Set("later", "v"); err != nil {
		t.Fatal(err)
	}
	efs.FailAt(errorfs.OpSync, 1, syscall.EIO, false)
	if err := m.Close(); !errors.Is(err, syscall.EIO) {
		t.Fatalf("Close with a failing fsync = %v; want EIO", err)
	}
	after, err := os.ReadFile(base + infrastructure.IndexSuffix)
	if err != nil || !slices.Equal(after, before) {
		t.Fatalf("the index changed although the data fsync failed (%d bytes before, %d after, %v)", len(before), len(after), err)
	}
	if _, err := os.Stat(base + infrastructure.IndexSuffix + infrastructure.StageSuffix); !os.IsNotExist(err) {
		t.Fatalf("a staged checkpoint is left: %v", err)
	}
	efs.Clear()
	m = open()
	defer m.Close()
	if v, err := m.Get("later"); err != nil || v != "v" || m.Len() != 1001 {
		t.Fatalf("after reopening: later = %q, %v; Len %d", v, err, m.Len())
	}
}
