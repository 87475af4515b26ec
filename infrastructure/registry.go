package infrastructure

import (
	"fmt"
	"path/filepath"
	"sync"

	"github.com/fscollections/fscollections/domain"
)

// The collections this process has open, by canonical base path. A file
// lock cannot tell this process from another: a second open of a path this
// process holds would wait its whole timeout for a lock only its own Close
// can release. The registry answers at once instead.
var registry = struct {
	sync.Mutex
	open map[string][]Mode
}{open: map[string][]Mode{}}

// compatible reports whether handles in modes a and b may be open on one
// collection at once: read-only handles together, and Shared handles (of
// either kind) together with each other and with read-only Shared ones.
// An exclusive writer excludes everything, and a plain read-only handle,
// which holds a shared lock for its life, excludes Shared writers.
func compatible(a, b Mode) bool {
	switch {
	case a == Exclusive || b == Exclusive:
		return false
	case a == ReadOnly || b == ReadOnly:
		return a != Shared && b != Shared
	}
	return true
}

var modeNames = map[Mode]string{Exclusive: "read-write", ReadOnly: "read-only", Shared: "Shared", SharedReadOnly: "Shared read-only"}

// canonical is the path by which the registry knows base: absolute, with
// the directory's symbolic links resolved when it exists.
func canonical(base string) string {
	abs, err := filepath.Abs(base)
	if err != nil {
		return filepath.Clean(base)
	}
	if dir, err := filepath.EvalSymlinks(filepath.Dir(abs)); err == nil {
		return filepath.Join(dir, filepath.Base(abs))
	}
	return abs
}

// register records that base is open in mode, or fails with ErrLocked
// when this process holds it in a mode that excludes mode. release undoes it.
func register(base string, mode Mode) (release func(), err error) {
	key := canonical(base)
	registry.Lock()
	defer registry.Unlock()
	for _, held := range registry.open[key] {
		if !compatible(held, mode) {
			return nil, fmt.Errorf("%w: %s is already open in this process (%s); opening it %s again would wait for this process's own Close",
				domain.ErrLocked, base, modeNames[held], modeNames[mode])
		}
	}
	registry.open[key] = append(registry.open[key], mode)
	var once sync.Once
	return func() {
		once.Do(func() {
			registry.Lock()
			defer registry.Unlock()
			modes := registry.open[key]
			for i, m := range modes {
				if m == mode {
					modes = append(modes[:i], modes[i+1:]...)
					break
				}
			}
			if len(modes) == 0 {
				delete(registry.open, key)
			} else {
				registry.open[key] = modes
			}
		})
	}, nil
}
