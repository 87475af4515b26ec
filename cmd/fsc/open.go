package main

import (
	"fmt"
	"io"
	"os"

	"github.com/fscollections/fscollections"
	"github.com/fscollections/fscollections/domain"
)

// header reads the header of the data file of the collection at path.
func header(path string) (domain.FileHeader, error) {
	f, err := os.Open(path + ".data.fscollection")
	if err != nil {
		return domain.FileHeader{}, fmt.Errorf("%s is not a collection: %w", path, err)
	}
	defer f.Close()
	b := make([]byte, 30+domain.MaxTypeName)
	n, err := io.ReadFull(f, b)
	if err != nil && err != io.ErrUnexpectedEOF {
		return domain.FileHeader{}, err
	}
	return domain.DecodeFileHeader(f.Name(), b[:n])
}

// rawCodec carries values as the bytes their codec wrote, under the type
// name the file's header records: any collection opens with it, whatever
// Go type wrote it.
type rawCodec struct {
	name  string
	fixed int
}

func (c rawCodec) TypeName() string                            { return c.name }
func (c rawCodec) FixedSize() int                              { return c.fixed }
func (c rawCodec) Append(dst []byte, v []byte) ([]byte, error) { return append(dst, v...), nil }
func (c rawCodec) Decode(b []byte) ([]byte, error)             { return append([]byte(nil), b...), nil }

// handle is an open collection of any kind, its values as raw bytes.
type handle struct {
	h    domain.FileHeader
	list *fscollections.FSList[[]byte]
	m    *fscollections.FSMap[[]byte]
	set  *fscollections.FSSet[[]byte]
}

// options are the Options to open a collection whose header is h.
func options(h domain.FileHeader, readOnly bool) *fscollections.Options {
	return &fscollections.Options{
		ReadOnly:    readOnly,
		AutoCompact: h.SwapLayout,
		Codec:       fscollections.Codec[[]byte](rawCodec{name: h.TypeName, fixed: int(h.FixedSize)}),
		LockTimeout: fscollections.NoWait,
	}
}

// open opens the collection at path as the header says it is.
func open(path string, readOnly bool) (*handle, error) {
	h, err := header(path)
	if err != nil {
		return nil, err
	}
	return openAs(path, h, options(h, readOnly))
}

func openAs(path string, h domain.FileHeader, o *fscollections.Options) (*handle, error) {
	x := &handle{h: h}
	var err error
	switch h.Kind {
	case domain.KindList:
		x.list, err = fscollections.OpenList[[]byte](path, o)
	case domain.KindMap:
		x.m, err = fscollections.OpenMap[[]byte](path, o)
	default:
		x.set, err = fscollections.OpenSet[[]byte](path, o)
	}
	return x, err
}

func (x *handle) Len() int {
	switch {
	case x.list != nil:
		return x.list.Len()
	case x.m != nil:
		return x.m.Len()
	}
	return x.set.Len()
}

func (x *handle) Metrics() fscollections.Metrics {
	switch {
	case x.list != nil:
		return x.list.Metrics()
	case x.m != nil:
		return x.m.Metrics()
	}
	return x.set.Metrics()
}

func (x *handle) Compact() error {
	switch {
	case x.list != nil:
		return x.list.Compact()
	case x.m != nil:
		return x.m.Compact()
	}
	return x.set.Compact()
}

func (x *handle) Close() error {
	switch {
	case x.list != nil:
		return x.list.Close()
	case x.m != nil:
		return x.m.Close()
	}
	return x.set.Close()
}

// each visits every element in order: a list's index and value, a map's
// key and value, a set's element (as value). fn returns false to stop.
func (x *handle) each(fn func(key string, value []byte) bool) error {
	switch {
	case x.list != nil:
		for _, v := range x.list.All() {
			if !fn("", v) {
				break
			}
		}
		return x.list.Err()
	case x.m != nil:
		for k, v := range x.m.All() {
			if !fn(k, v) {
				break
			}
		}
		return x.m.Err()
	}
	for v := range x.set.All() {
		if !fn("", v) {
			break
		}
	}
	return x.set.Err()
}
