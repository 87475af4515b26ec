package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/fscollections/fscollections/domain"
)

// cmdSalvage replays every intact record of a damaged collection's data
// file into memory, skipping damaged records (and operations that make no
// sense without them, such as a pop of an index a skipped append would have
// made), and writes the result to a new collection. It reads the files
// directly, without the index, so it works when Open refuses them.
func cmdSalvage(e *env, args []string) error {
	fs := flags("salvage", "PATH NEWPATH")
	a, err := parse(e, fs, args, 2)
	if err != nil {
		return err
	}
	path, dst := a[0], a[1]
	if _, err := os.Stat(dst + ".data.fscollection"); err == nil {
		return fmt.Errorf("%s: a collection is already there", dst)
	}
	l, err := mapLog(path + ".data.fscollection")
	if err != nil {
		return err
	}
	defer l.close()
	sv := &salvaged{swap: l.h.SwapLayout, present: map[string]int{}, values: map[string][]byte{},
		skip: func(off int64, format string, args ...any) {
			fmt.Fprintf(e.stdout, "skipped: %s: offset %d: %s\n", l.path, off, fmt.Sprintf(format, args...))
		}}
	bar := newProgress(e, int64(len(l.b)), "salvage", true)
	l.walk(bar.set, func(r record) bool {
		if !r.ok {
			if r.off+r.n == int64(len(l.b)) && r.h.Size > uint64(r.n) {
				fmt.Fprintf(e.stdout, "torn tail: %s: offset %d: %d bytes of an interrupted write (not data)\n", l.path, r.off, r.n)
				return true
			}
			sv.skipped++
			sv.skip(r.off, "%s", r.why)
			return true
		}
		sv.apply(r)
		return true
	})
	bar.done()
	if l.h.SwapLayout {
		fmt.Fprintln(e.stdout, "note: a swap-and-pop list's order lives in its index; the elements are salvaged in storage order")
	}
	n, err := sv.writeTo(e, dst, l.h)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "salvaged %d %s of %s into %s; %d damaged or inapplicable records skipped\n",
		n, plural(l.h.Kind), filepath.Base(path), dst, sv.skipped)
	if sv.skipped > 0 {
		return errDamage
	}
	return nil
}

// salvaged is what the readable records of a data file add up to: a
// list's elements, or a map's or set's live keys in insertion order.
type salvaged struct {
	swap    bool // a swap-and-pop list: the records are its slots
	list    [][]byte
	keys    []string
	present map[string]int // key -> its position in keys
	values  map[string][]byte
	skipped int
	skip    func(off int64, format string, args ...any)
}

// apply applies one verified record, skipping one that cannot apply.
func (sv *salvaged) apply(r record) {
	p := r.body
	bad := func(format string, args ...any) {
		sv.skipped++
		sv.skip(r.off, format, args...)
	}
	index := func(limit int) (int, bool) {
		if len(p) < 8 {
			return 0, false
		}
		i := int(binary.BigEndian.Uint64(p))
		return i, i >= 0 && i < limit
	}
	switch op := r.h.Op; {
	case sv.swap || op == domain.OpAppend:
		sv.list = append(sv.list, slices.Clone(p))
	case op == domain.OpInsert:
		if i, ok := index(len(sv.list) + 1); ok {
			sv.list = slices.Insert(sv.list, i, slices.Clone(p[8:]))
		} else {
			bad("insert at an index the list no longer has")
		}
	case op == domain.OpSet:
		if i, ok := index(len(sv.list)); ok {
			sv.list[i] = slices.Clone(p[8:])
		} else {
			bad("set of an index the list no longer has")
		}
	case op == domain.OpPop:
		if i, ok := index(len(sv.list)); ok {
			sv.list = slices.Delete(sv.list, i, i+1)
		} else {
			bad("pop of an index the list no longer has")
		}
	case op == domain.OpReverse:
		slices.Reverse(sv.list)
	case op == domain.OpPut || op == domain.OpPutV || op == domain.OpDelete:
		sv.applyEntry(op, p, bad)
	}
}

// applyEntry applies a map or set entry record.
func (sv *salvaged) applyEntry(op domain.Op, p []byte, bad func(string, ...any)) {
	key, value, ok := domain.SplitKeyed(p)
	if !ok {
		bad("entry record without a key")
		return
	}
	if op == domain.OpPutV {
		if len(value) < 16 {
			bad("versioned entry too short")
			return
		}
		value = value[16:]
	}
	k := string(key)
	if op == domain.OpDelete {
		delete(sv.values, k)
		return
	}
	if _, ok := sv.present[k]; !ok || sv.values[k] == nil {
		sv.present[k] = len(sv.keys)
		sv.keys = append(sv.keys, k)
	}
	sv.values[k] = slices.Clone(value)
}

// live yields the live keys in insertion order, each at its last insertion.
func (sv *salvaged) live(yield func(string, []byte) bool) {
	for i, k := range sv.keys {
		if v, ok := sv.values[k]; ok && sv.present[k] == i {
			if !yield(k, v) {
				return
			}
		}
	}
}

// writeTo writes what was salvaged to a new collection at dst, of the
// kind and type h names, with one write; it returns how many elements.
func (sv *salvaged) writeTo(e *env, dst string, h domain.FileHeader) (int, error) {
	x, err := openAs(dst, h, options(h, false))
	if err != nil {
		return 0, err
	}
	select {
	case <-e.interrupted:
		return 0, errors.Join(errors.New("interrupted: nothing salvaged"), destroy(x))
	default:
	}
	// One write per kind; Ctrl-C meanwhile stays pending and is not acted on.
	n := 0
	switch h.Kind {
	case domain.KindList:
		err, n = x.list.Append(sv.list...), len(sv.list)
	case domain.KindMap:
		err = x.m.Update(func(yield func(string, []byte) bool) {
			for k, v := range sv.live {
				n++
				if !yield(k, v) {
					return
				}
			}
		})
	default:
		var elems [][]byte
		for k := range sv.live {
			elems = append(elems, []byte(k))
		}
		n, err = x.set.AddAll(slices.Values(elems))
	}
	if err != nil {
		return 0, errors.Join(err, destroy(x))
	}
	return n, x.Close()
}

func destroy(x *handle) error {
	switch {
	case x.list != nil:
		return x.list.Destroy()
	case x.m != nil:
		return x.m.Destroy()
	}
	return x.set.Destroy()
}
