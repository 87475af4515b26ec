// Package application wires a collection together: it turns validated
// settings into storage, locks and caches from infrastructure, and hands
// them to the domain's collections. It also owns temporary collections.
package application

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/fscollections/fscollections/domain"
	"github.com/fscollections/fscollections/infrastructure"
)

// CacheKind names a cache policy.
type CacheKind int

// The cache policies.
const (
	NoCache CacheKind = iota
	LRU
	FIFO
	LFU
)

// Settings are validated options in the terms the wiring needs.
type Settings struct {
	Path                string // base path; "" for a temporary collection
	ReadOnly            bool
	Shared              bool
	LockTimeout         time.Duration
	Sync                domain.SyncMode
	SyncEvery           time.Duration
	CompactionThreshold float64
	Cache               CacheKind
	CacheSize           int
	AutoCompact         bool // swap-and-pop (lists of fixed-size values)
	AppendOnly          bool
	Versioned           bool // maps: record each entry's version and time
}

// Opened is what Open returns besides the collection: the base path of
// its files.
type Opened struct {
	Base string
}

func newCache(kind CacheKind, size int) (domain.Cache, error) {
	switch kind {
	case LRU:
		return infrastructure.NewLRU(size)
	case FIFO:
		return infrastructure.NewFIFO(size), nil
	case LFU:
		return infrastructure.NewLFU(size), nil
	}
	return nil, nil
}

// prepare opens the storage and builds the domain configuration.
func prepare(s Settings, h domain.FileHeader) (*infrastructure.Storage, domain.Config, error) {
	cfg := domain.Config{
		Header:              h,
		ReadOnly:            s.ReadOnly,
		Shared:              s.Shared,
		Sync:                s.Sync,
		SyncEvery:           s.SyncEvery,
		CompactionThreshold: s.CompactionThreshold,
		Swap:                s.AutoCompact,
		AppendOnly:          s.AppendOnly,
		Versioned:           s.Versioned,
	}
	cache, err := newCache(s.Cache, s.CacheSize)
	if err != nil {
		return nil, cfg, fmt.Errorf("%w: cache: %v", domain.ErrInvalidOptions, err)
	}
	cfg.Cache = cache
	mode := infrastructure.Exclusive
	switch {
	case s.Shared && s.ReadOnly:
		mode = infrastructure.SharedReadOnly
	case s.Shared:
		mode = infrastructure.Shared
	case s.ReadOnly:
		mode = infrastructure.ReadOnly
	}
	if s.Path == "" {
		cfg.Temporary = true
		base, cleanup, err := newTempBase()
		if err != nil {
			return nil, cfg, err
		}
		st, err := infrastructure.OpenStorage(base, mode, s.LockTimeout, cleanup)
		if err != nil {
			_ = cleanup()
			return nil, cfg, err
		}
		return st, cfg, nil
	}
	if err := checkBase(s.Path, s.ReadOnly); err != nil {
		return nil, cfg, err
	}
	st, err := infrastructure.OpenStorage(s.Path, mode, s.LockTimeout, nil)
	return st, cfg, err
}

// checkBase refuses a base path that names a directory, and creates the
// missing parent directories of a writable collection.
func checkBase(base string, readOnly bool) error {
	if st, err := os.Stat(base); err == nil && st.IsDir() {
		return fmt.Errorf("%w: path %s is a directory; give a base path such as %s",
			domain.ErrInvalidOptions, base, filepath.Join(base, "name"))
	}
	if readOnly {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(base), 0o700); err != nil {
		return fmt.Errorf("fscollections: create directory for %s: %w", base, err)
	}
	return nil
}

// OpenList opens a list.
func OpenList[T any](s Settings, codec domain.Codec[T]) (*domain.List[T], Opened, error) {
	st, cfg, err := prepare(s, header(domain.KindList, codec.TypeName(), codec.FixedSize()))
	if err != nil {
		return nil, Opened{}, err
	}
	l, err := domain.OpenList(st, cfg, codec)
	return l, Opened{Base: st.Base()}, err
}

// OpenMap opens a map.
func OpenMap[V any](s Settings, codec domain.Codec[V]) (*domain.Map[V], Opened, error) {
	st, cfg, err := prepare(s, header(domain.KindMap, codec.TypeName(), codec.FixedSize()))
	if err != nil {
		return nil, Opened{}, err
	}
	m, err := domain.OpenMap(st, cfg, codec)
	return m, Opened{Base: st.Base()}, err
}

// OpenSet opens a set.
func OpenSet[T any](s Settings, codec domain.Codec[T]) (*domain.Set[T], Opened, error) {
	st, cfg, err := prepare(s, header(domain.KindSet, codec.TypeName(), codec.FixedSize()))
	if err != nil {
		return nil, Opened{}, err
	}
	set, err := domain.OpenSet(st, cfg, codec)
	return set, Opened{Base: st.Base()}, err
}

func header(kind domain.Kind, typeName string, fixed int) domain.FileHeader {
	return domain.FileHeader{Kind: kind, Generation: domain.NewGeneration(0), TypeName: typeName, FixedSize: uint32(fixed)}
}

// ErrTypeName is returned for a codec type name that cannot be stored.
var ErrTypeName = errors.New("fscollections: codec type name must be 1 to 1024 bytes")

// CheckTypeName validates a codec's type name.
func CheckTypeName(name string) error {
	if len(name) == 0 || len(name) > domain.MaxTypeName {
		return fmt.Errorf("%w (got %d bytes)", ErrTypeName, len(name))
	}
	return nil
}

// DefaultBackupLockTimeout is how long Backup waits for its destination's lock.
const DefaultBackupLockTimeout = time.Second

// Backup writes a copy of a collection to a new collection at path:
// copyTo is the collection's CopyTo. A collection already at path is
// refused (ErrInvalidOptions) and left alone; a copy that fails is removed.
func Backup(path string, copyTo func(domain.Storage) error) error {
	if path == "" {
		return fmt.Errorf("%w: Backup needs a path", domain.ErrInvalidOptions)
	}
	if err := checkBase(path, false); err != nil {
		return err
	}
	if _, err := os.Stat(path + infrastructure.DataSuffix); err == nil {
		return fmt.Errorf("%w: Backup to %s: a collection is already there", domain.ErrInvalidOptions, path)
	}
	st, err := infrastructure.OpenStorage(path, infrastructure.Exclusive, DefaultBackupLockTimeout, nil)
	if err != nil {
		return err
	}
	if err := copyTo(st); err != nil {
		return errors.Join(err, st.Destroy())
	}
	return nil
}
