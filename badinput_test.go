package fscollections_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/fscollections/fscollections"
)

func TestHugeKeyRoundTrips(t *testing.T) {
	m, err := fscollections.OpenMap[int]("", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	key := strings.Repeat("k", 100<<20) // 100 MB
	if err := m.Set(key, 7); err != nil {
		t.Fatal(err)
	}
	if v, err := m.Get(key); err != nil || v != 7 {
		t.Fatalf("Get(100 MB key) = %d, %v", v, err)
	}
	if !m.Contains(key) || m.Contains(key[1:]) {
		t.Fatal("Contains confused by a 100 MB key")
	}
}

// A record header claiming more than 4 GiB is corrupt: reading it gives
// ErrCorrupt (no allocation of the claimed size), its neighbours read.
// A record whose header claims an absurd size — over the 4 GiB limit, or
// so large that header plus size overflows int64 (found by FuzzOpen: a
// run of records was cut 1 byte short of a header, and readRecords
// panicked) — is ErrCorrupt for Get, Slice and iteration alike, and its
// neighbours read fine.
func TestRecordClaimingOver4GiBIsCorrupt(t *testing.T) {
	for _, size := range []uint64{5 << 30, 1 << 63, 1<<64 - 1, 1<<64 - 13} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "l")
			l := openList[int64](t, path, nil)
			_ = l.Append(1, 2, 3)
			_ = l.Close()
			data := path + ".data.fscollection"
			b, _ := os.ReadFile(data)
			second := len(b) - 2*recordSize
			binary.BigEndian.PutUint64(b[second+2:], size)
			_ = os.WriteFile(data, b, 0o600)
			l = openList[int64](t, path, nil)
			defer l.Close()
			if _, err := l.Get(1); !errors.Is(err, fscollections.ErrCorrupt) {
				t.Fatalf("Get of a record claiming %d bytes: %v", size, err)
			}
			if v, err := l.Get(2); err != nil || v != 3 {
				t.Fatalf("neighbour: %d, %v", v, err)
			}
			if _, err := l.Slice(0, 3); !errors.Is(err, fscollections.ErrCorrupt) {
				t.Fatalf("Slice over it: %v", err)
			}
			var seen []int64
			for _, v := range l.All() {
				seen = append(seen, v)
			}
			if err := l.Err(); !errors.Is(err, fscollections.ErrCorrupt) || !slices.Equal(seen, []int64{1}) {
				t.Fatalf("iteration saw %v, then Err() = %v", seen, err)
			}
		})
	}
}

func TestUnusablePaths(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	_ = os.WriteFile(file, []byte("x"), 0o600)
	if _, err := fscollections.OpenList[int](filepath.Join(file, "l"), nil); !errors.Is(err, syscall.ENOTDIR) {
		t.Errorf("a path under a file: %v", err)
	}
	// Missing parent directories are created (mode 0700).
	deep := filepath.Join(dir, "a", "b", "l")
	l, err := fscollections.OpenList[int](deep, nil)
	if err != nil {
		t.Fatalf("missing parents: %v", err)
	}
	l.Close()
	if st, err := os.Stat(filepath.Dir(deep)); err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("created parent: %v %v", st.Mode(), err)
	}
	if os.Geteuid() == 0 {
		t.Log("running as root: directory permissions do not apply, read-only directory case skipped")
		return
	}
	ro := filepath.Join(dir, "ro")
	_ = os.Mkdir(ro, 0o500)
	if _, err := fscollections.OpenList[int](filepath.Join(ro, "l"), nil); !errors.Is(err, os.ErrPermission) {
		t.Errorf("a read-only directory: %v", err)
	}
}
