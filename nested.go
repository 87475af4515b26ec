package fscollections

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// Nested collections: a collection whose value type is a collection
// handle (*FSList[E], *FSMap[E], *FSSet[E]) stores a reference to the
// child's files, not its data. FORMAT.md has the encoding:
//
//	{"ref":"list","type":"string","path":"tags"}
//
// The path is relative to the parent's directory when the child lies under
// it (so a moved or copied tree keeps working), absolute otherwise.

// collectionHandle is implemented by the collection types. Its methods
// other than those about an open handle work on a nil pointer: they are
// how generic code opens a child of a type it knows only as T.
type collectionHandle interface {
	// refKind and refType name the kind and value type a handle of this
	// type has (nil receiver allowed).
	refKind() string
	refType() string
	// refOpen opens a collection of this type at path (nil receiver allowed).
	refOpen(path string, opts *Options) (collectionHandle, error)
	// refState describes an open handle: its base path, whether it is
	// temporary, whether it is closed.
	refState() (path string, temporary, closed bool)
	// refRemote reports whether the handle lives on another engine than
	// the files, which a reference (a path) cannot name.
	refRemote() bool
	// closeHandle closes it.
	closeHandle() error
}

// openHandles is this process's view of the open collections, by the
// absolute path of their files: a reference to a collection that is open
// resolves to that very handle.
var openHandles sync.Map // string -> collectionHandle

func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return filepath.Clean(p)
}

func remember(path string, h collectionHandle) { openHandles.Store(absPath(path), h) }

func forget(path string, h collectionHandle) { openHandles.CompareAndDelete(absPath(path), h) }

// refs is what a collection of references needs: the parent's place and
// options, and the children it opened itself, which it closes when it
// closes (children it was given with Set belong to whoever opened them).
type refs struct {
	mu     sync.Mutex
	dir    string // the parent's directory, absolute; set once it is open
	temp   bool   // the parent is temporary
	opts   Options
	closed bool
	owned  []collectionHandle
	// resolved remembers, by a reference's bytes, the handle it resolved
	// to, so that a Get of an open child costs a map lookup.
	resolved map[string]collectionHandle
}

// childOptions are the options a parent opens its children with: its own,
// less those that belong to one collection (Codec, AutoCompact,
// Compression).
func childOptions(o *Options) Options {
	var c Options
	if o != nil {
		c = *o
	}
	c.Codec, c.AutoCompact, c.Compression = nil, false, NoCompression
	return c
}

func (r *refs) setParent(base string, temporary bool) {
	r.mu.Lock()
	r.dir, r.temp = filepath.Dir(absPath(base)), temporary
	r.mu.Unlock()
}

// closeChildren closes the children the parent opened.
func (r *refs) closeChildren() error {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	owned := r.owned
	r.owned, r.closed, r.resolved = nil, true, nil
	r.mu.Unlock()
	var errs []error
	for _, h := range owned {
		errs = append(errs, h.closeHandle())
	}
	return errors.Join(errs...)
}

// reference is the stored form of a child.
type reference struct {
	Kind string `json:"ref"`
	Type string `json:"type"`
	Path string `json:"path"`
}

// refCodec stores handles of type T as references.
type refCodec[T any] struct {
	r          *refs
	kind, elem string
}

func newRefCodec[T any](r *refs) refCodec[T] {
	var zero T
	h := any(zero).(collectionHandle)
	return refCodec[T]{r: r, kind: h.refKind(), elem: h.refType()}
}

func (c refCodec[T]) TypeName() string { return "ref:" + c.kind + "[" + c.elem + "]" }
func (c refCodec[T]) FixedSize() int   { return 0 }

// Append stores a reference to the child v. A nil or closed child, and a
// temporary child in a persistent parent (its files would be gone at the
// next Open), are refused.
func (c refCodec[T]) Append(dst []byte, v T) ([]byte, error) {
	h, _ := any(v).(collectionHandle)
	if h == nil || any(v) == any(*new(T)) {
		return dst, fmt.Errorf("%w: a nil %s cannot be stored", ErrInvalidOptions, c.TypeName()[4:])
	}
	path, temp, closed := h.refState()
	if h.refRemote() {
		return dst, fmt.Errorf("%w: the child %s is not stored in files; a reference names a file collection", ErrInvalidOptions, path)
	}
	if closed {
		return dst, fmt.Errorf("%w: the child %s is closed; store an open collection", ErrClosed, path)
	}
	c.r.mu.Lock()
	dir, parentTemp := c.r.dir, c.r.temp
	c.r.mu.Unlock()
	if temp && !parentTemp {
		return dst, fmt.Errorf("%w: the child %s is temporary and would be gone when this collection is reopened", ErrInvalidOptions, path)
	}
	p := absPath(path)
	if rel, err := filepath.Rel(dir, p); err == nil && filepath.IsLocal(rel) {
		p = rel
	}
	b, err := json.Marshal(reference{Kind: c.kind, Type: c.elem, Path: p})
	if err != nil {
		return dst, err
	}
	return append(dst, b...), nil
}

// Decode resolves a reference: to the open handle of that collection in
// this process when there is one, else by opening it with the parent's
// options (the parent keeps it, and closes it when it closes).
func (c refCodec[T]) Decode(data []byte) (T, error) {
	c.r.mu.Lock()
	if h, ok := c.r.resolved[string(data)]; ok {
		if _, _, closed := h.refState(); !closed {
			c.r.mu.Unlock()
			return h.(T), nil
		}
		delete(c.r.resolved, string(data))
	}
	c.r.mu.Unlock()
	t, err := c.resolve(data)
	if err == nil {
		c.r.mu.Lock()
		if c.r.resolved == nil {
			c.r.resolved = map[string]collectionHandle{}
		}
		c.r.resolved[string(data)] = any(t).(collectionHandle)
		c.r.mu.Unlock()
	}
	return t, err
}

// resolve finds or opens the collection a reference names.
func (c refCodec[T]) resolve(data []byte) (T, error) {
	var zero T
	var ref reference
	if err := json.Unmarshal(data, &ref); err != nil || ref.Path == "" {
		return zero, fmt.Errorf("%w: not a collection reference: %q", ErrCorrupt, data)
	}
	if ref.Kind != c.kind || ref.Type != c.elem {
		return zero, fmt.Errorf("%w: a reference to a %s of %s, read as a %s of %s", ErrTypeMismatch, ref.Kind, ref.Type, c.kind, c.elem)
	}
	c.r.mu.Lock()
	defer c.r.mu.Unlock()
	path := ref.Path
	if !filepath.IsAbs(path) {
		path = filepath.Join(c.r.dir, path)
	}
	if h, ok := openHandles.Load(absPath(path)); ok {
		if t, ok := h.(T); ok {
			if _, _, closed := h.(collectionHandle).refState(); !closed {
				return t, nil
			}
		}
	}
	if c.r.closed {
		return zero, fmt.Errorf("%w: resolving a reference of a closed collection", ErrClosed)
	}
	if _, err := os.Stat(path + ".data.fscollection"); err != nil {
		return zero, fmt.Errorf("%w: the referenced %s %s is gone: %v", ErrNotFound, c.kind, path, err)
	}
	opts := c.r.opts
	h, err := any(zero).(collectionHandle).refOpen(path, &opts)
	if err != nil {
		return zero, fmt.Errorf("open the referenced %s %s: %w", c.kind, path, err)
	}
	c.r.owned = append(c.r.owned, h)
	return h.(T), nil
}

// The collection types' side of references.

func (*FSList[T]) refKind() string { return "list" }
func (*FSMap[V]) refKind() string  { return "map" }
func (*FSSet[T]) refKind() string  { return "set" }

func typeNameOf[T any]() string {
	if c, err := CodecFor[T](); err == nil {
		return c.TypeName()
	}
	var zero T
	if h, ok := any(zero).(collectionHandle); ok {
		return "ref:" + h.refKind() + "[" + h.refType() + "]"
	}
	return fmt.Sprintf("%T", zero)
}

func (*FSList[T]) refType() string { return typeNameOf[T]() }
func (*FSMap[V]) refType() string  { return typeNameOf[V]() }
func (*FSSet[T]) refType() string  { return typeNameOf[T]() }

func (*FSList[T]) refOpen(path string, opts *Options) (collectionHandle, error) {
	return OpenList[T](path, opts)
}
func (*FSMap[V]) refOpen(path string, opts *Options) (collectionHandle, error) {
	return OpenMap[V](path, opts)
}
func (*FSSet[T]) refOpen(path string, opts *Options) (collectionHandle, error) {
	return OpenSet[T](path, opts)
}

func (l *FSList[T]) refState() (string, bool, bool) {
	return l.Path(), l != nil && l.temp, l.inner().Usable() != nil
}
func (m *FSMap[V]) refState() (string, bool, bool) {
	return m.Path(), m != nil && m.temp, m.inner().Usable() != nil
}
func (s *FSSet[T]) refState() (string, bool, bool) {
	return s.Path(), s != nil && s.temp, s.inner().Usable() != nil
}

func (l *FSList[T]) refRemote() bool { return l != nil && l.remote != nil }
func (m *FSMap[V]) refRemote() bool  { return m != nil && m.remote != nil }
func (s *FSSet[T]) refRemote() bool  { return s != nil && s.remote != nil }

func (l *FSList[T]) closeHandle() error { return l.Close() }
func (m *FSMap[V]) closeHandle() error  { return m.Close() }
func (s *FSSet[T]) closeHandle() error  { return s.Close() }

// errNestedBackup refuses the Backup of a collection of references: a copy
// of the references alone would dangle once the children change or go.
var errNestedBackup = fmt.Errorf("%w: Backup does not follow references to child collections; "+
	"back up the children with their own Backup into the same tree (relative references then hold) "+
	"or copy the directory while nothing writes", ErrInvalidOptions)

// children returns the handle's refs: nil for a nil handle or one whose
// values are not collections.
func (l *FSList[T]) children() *refs {
	if l == nil {
		return nil
	}
	return l.refs
}

func (m *FSMap[V]) children() *refs {
	if m == nil {
		return nil
	}
	return m.refs
}

func (s *FSSet[T]) children() *refs {
	if s == nil {
		return nil
	}
	return s.refs
}
