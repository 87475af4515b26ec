package fscollections

import (
	"errors"
	"fmt"
	"os"

	"github.com/fscollections/fscollections/internal/engine"
)

// Engines. A handle talks to its engine through the interfaces of package
// internal/engine: the file engine (package domain, opened by OpenList,
// OpenMap and OpenSet) or the Redis engine (package fsredis), which wraps
// its engine in a handle through engine.Attach.

func init() { engine.Attach = attach }

// attachable is what the three handle types do for engine.Attach.
type attachable interface {
	attach(eng any, name string, opts *Options) error
}

// attach gives a new, empty handle its engine; opts are the options the
// engine was opened with (kept for Backup's copy).
func attach(handle, eng any, name string, opts any) error {
	h, ok := handle.(attachable)
	if !ok {
		return fmt.Errorf("%w: %T is not a collection handle", ErrInvalidOptions, handle)
	}
	// A Backup of it opens a file collection with the same codec.
	copyOpts := &Options{}
	if o, _ := opts.(*Options); o != nil {
		copyOpts.Codec = o.Codec
	}
	return h.attach(eng, name, copyOpts)
}

func mismatch(eng, handle any) error {
	return fmt.Errorf("%w: engine %T cannot serve a %T", ErrTypeMismatch, eng, handle)
}

func (l *FSList[T]) attach(eng any, name string, opts *Options) error {
	e, ok := eng.(engine.List[T])
	if !ok {
		return mismatch(eng, l)
	}
	l.l, l.path, l.remote = e, name, opts
	return nil
}

func (m *FSMap[V]) attach(eng any, name string, opts *Options) error {
	e, ok := eng.(engine.Map[V])
	if !ok {
		return mismatch(eng, m)
	}
	m.m, m.path, m.remote = e, name, opts
	return nil
}

func (s *FSSet[T]) attach(eng any, name string, opts *Options) error {
	e, ok := eng.(engine.Set[T])
	if !ok {
		return mismatch(eng, s)
	}
	s.s, s.path, s.remote = e, name, opts
	return nil
}

// copyBackup is Backup for an engine that cannot write a file collection
// itself (CopyTo returns errors.ErrUnsupported): it opens a new file
// collection at path with open and fills it with fill, batch by batch.
// Such a copy is not one state of the source: a write during the copy may
// or may not be in it. A copy that fails is destroyed.
func copyBackup[H interface {
	Close() error
	Destroy() error
}](path string, open func(string) (H, error), fill func(H) error) error {
	if path == "" {
		return fmt.Errorf("%w: Backup needs a path", ErrInvalidOptions)
	}
	if _, err := os.Stat(path + ".data.fscollection"); err == nil {
		return fmt.Errorf("%w: Backup to %s: a collection is already there", ErrInvalidOptions, path)
	}
	dst, err := open(path)
	if err != nil {
		return err
	}
	if err := fill(dst); err != nil {
		return errors.Join(err, dst.Destroy())
	}
	return dst.Close()
}

// backupBatch is how many elements copyBackup writes per call.
const backupBatch = 512

func (l *FSList[T]) copyBackup(path string) error {
	return copyBackup(path, func(p string) (*FSList[T], error) { return OpenList[T](p, l.remote) },
		func(dst *FSList[T]) error {
			batch := make([]T, 0, backupBatch)
			for _, v := range l.All() {
				if batch = append(batch, v); len(batch) == backupBatch {
					if err := dst.Append(batch...); err != nil {
						return err
					}
					batch = batch[:0]
				}
			}
			if err := l.Err(); err != nil {
				return err
			}
			return dst.Append(batch...)
		})
}

func (m *FSMap[V]) copyBackup(path string) error {
	return copyBackup(path, func(p string) (*FSMap[V], error) { return OpenMap[V](p, m.remote) },
		func(dst *FSMap[V]) error {
			if err := dst.Update(m.All()); err != nil {
				return err
			}
			return m.Err()
		})
}

func (s *FSSet[T]) copyBackup(path string) error {
	return copyBackup(path, func(p string) (*FSSet[T], error) { return OpenSet[T](p, s.remote) },
		func(dst *FSSet[T]) error {
			if _, err := dst.AddAll(s.All()); err != nil {
				return err
			}
			return s.Err()
		})
}
