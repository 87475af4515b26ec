package infrastructure

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// allocate gives a range with a hole its blocks, so that writing it through
// a mapping cannot fault for want of space. (That it leaves a range with
// no hole alone is a matter of speed: BenchmarkMapReopen1M.)
func TestAllocateFillsHolesOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(1 << 20); err != nil { // one hole
		t.Fatal(err)
	}
	holeAt := func() int64 {
		t.Helper()
		off, err := unix.Seek(int(f.Fd()), 0, unix.SEEK_HOLE)
		if err != nil {
			t.Fatal(err)
		}
		return off
	}
	if holeAt() != 0 {
		t.Skip("this file system does not report holes")
	}
	if err := allocate(f, 1<<20); err != nil {
		t.Fatal(err)
	}
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		t.Fatal(err)
	}
	if st.Blocks*512 < 1<<20 {
		t.Fatalf("%d bytes allocated to 1 MiB after allocate", st.Blocks*512)
	}
}
