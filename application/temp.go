package application

import (
	"encoding/hex"
	"errors"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"github.com/gofrs/flock"

	"github.com/fscollections/fscollections/infrastructure"
)

// Temporary collections live in a fresh directory under os.TempDir(),
// named tempPrefix + 16 random hex digits, mode 0700, holding the files of
// base name tempName. The collection's lifetime lock doubles as the
// directory's liveness lock: the owner writes its process id into the lock
// file once it holds the lock, so a directory whose lock file has content
// and can be locked by someone else belongs to a dead process.
//
// The sweep removes only what this library made: a directory whose name
// matches exactly, that is a real directory (not a link) owned by the
// current user with mode 0700, and that holds nothing but a temporary
// collection's files. Anything else under os.TempDir() is left alone,
// whatever its name.
const (
	tempPrefix = "fscollections-tmp-"
	tempName   = "collection"
	// orphanAge is how old a directory without a claimed lock file must be
	// before it is taken for the remains of a process killed while creating it.
	orphanAge = time.Minute
)

var tempDirName = regexp.MustCompile(`^` + tempPrefix + `[0-9a-f]{16}$`)

// tempFiles are the names a temporary collection's directory may hold.
var tempFiles = func() map[string]bool {
	names := map[string]bool{}
	for _, suffix := range infrastructure.FileSuffixes() {
		names[tempName+suffix] = true
	}
	return names
}()

// newTempBase sweeps orphans, then makes a fresh directory (mode 0700) and
// returns the base path in it and a function that removes it.
func newTempBase() (string, func() error, error) {
	SweepOrphans()
	for {
		var id [8]byte
		for i := range id {
			id[i] = byte(rand.Uint32())
		}
		dir := filepath.Join(os.TempDir(), tempPrefix+hex.EncodeToString(id[:]))
		err := os.Mkdir(dir, 0o700)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", nil, err
		}
		return filepath.Join(dir, tempName), func() error { return removeTempDir(dir) }, nil
	}
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

// ours reports whether dir is a directory this library made for a
// temporary collection: see the rules above.
func ours(dir string) (fs.FileInfo, bool) {
	if !tempDirName.MatchString(filepath.Base(dir)) {
		return nil, false
	}
	st, err := os.Lstat(dir)
	if err != nil || !st.IsDir() || st.Mode().Perm() != 0o700 || !ownedByMe(st) {
		return nil, false
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, false
	}
	for _, e := range entries {
		if !e.Type().IsRegular() || !tempFiles[e.Name()] {
			return nil, false
		}
	}
	return st, true
}

func sweep(dir string) bool {
	st, ok := ours(dir)
	if !ok {
		return false
	}
	lockPath := filepath.Join(dir, tempName+infrastructure.LockSuffix)
	ls, err := os.Lstat(lockPath)
	if err != nil || ls.Size() == 0 {
		// Not claimed yet: being created right now, or its creator died
		// before it could claim it.
		if time.Since(st.ModTime()) < orphanAge {
			return false
		}
		return removeTempDir(dir) == nil
	}
	l := flock.New(lockPath, flock.SetFlag(os.O_RDONLY))
	ok, err = l.TryLock()
	if err != nil || !ok {
		return false // alive
	}
	defer l.Close()
	return removeTempDir(dir) == nil
}

// removeTempDir removes a temporary collection's files, then its
// directory, which fails (leaving it) if anything else appeared in it.
func removeTempDir(dir string) error {
	var errs []error
	for name := range tempFiles {
		if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	if err := os.Remove(dir); err != nil && !errors.Is(err, fs.ErrNotExist) {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
