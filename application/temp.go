package application

import (
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gofrs/flock"

	"github.com/fscollections/fscollections/infrastructure"
)

// Temporary collections live in a fresh directory under os.TempDir(),
// named tempPrefix + random, holding the files of base name tempName.
// The collection's lifetime lock doubles as the directory's liveness
// lock: the owner writes its process id into the lock file once it holds
// the lock, so a directory whose lock file has content and can be locked
// by someone else belongs to a dead process and may be removed.
const (
	tempPrefix = "fscollections-"
	tempName   = "collection"
	// orphanAge is how old a directory without a claimed lock file must be
	// before it is taken for the remains of a process killed while creating it.
	orphanAge = time.Minute
)

// newTempBase sweeps orphans, then makes a fresh directory (mode 0700) and
// returns the base path in it and a function that removes it.
func newTempBase() (string, func() error, error) {
	SweepOrphans()
	dir, err := os.MkdirTemp("", tempPrefix+"*")
	if err != nil {
		return "", nil, err
	}
	return filepath.Join(dir, tempName), func() error { return os.RemoveAll(dir) }, nil
}

// SweepOrphans removes the temporary collection directories of processes
// that died without closing them. It returns how many it removed.
func SweepOrphans() int {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), tempPrefix+"*"))
	removed := 0
	for _, dir := range dirs {
		if sweep(dir) {
			removed++
		}
	}
	return removed
}

func sweep(dir string) bool {
	st, err := os.Lstat(dir)
	if err != nil || !st.IsDir() || !strings.HasPrefix(filepath.Base(dir), tempPrefix) {
		return false
	}
	lockPath := filepath.Join(dir, tempName+infrastructure.LockSuffix)
	ls, err := os.Stat(lockPath)
	if err != nil || ls.Size() == 0 {
		// Not claimed yet: being created right now, or its creator died
		// before it could claim it.
		if time.Since(st.ModTime()) < orphanAge {
			return false
		}
		return os.RemoveAll(dir) == nil
	}
	l := flock.New(lockPath, flock.SetFlag(os.O_RDONLY))
	ok, err := l.TryLock()
	if err != nil || !ok {
		return false // alive
	}
	defer l.Unlock()
	return os.RemoveAll(dir) == nil
}
