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
	h := l.h
	skipped := 0
	skip := func(off int64, format string, args ...any) {
		skipped++
		fmt.Fprintf(e.stdout, "skipped: %s: offset %d: %s\n", l.path, off, fmt.Sprintf(format, args...))
	}
	var (
		list    [][]byte
		keys    []string
		present = map[string]int{} // key -> position in keys
		values  = map[string][]byte{}
	)
	bar := newProgress(e, int64(len(l.b)), "salvage", true)
	l.walk(bar.set, func(r record) bool {
		if !r.ok {
			if r.off+r.n == int64(len(l.b)) && r.h.Size > uint64(r.n) {
				fmt.Fprintf(e.stdout, "torn tail: %s: offset %d: %d bytes of an interrupted write (not data)\n", l.path, r.off, r.n)
				return true
			}
			skip(r.off, "%s", r.why)
			return true
		}
		p := r.body
		index := func() (int, bool) {
			if len(p) < 8 {
				return 0, false
			}
			return int(binary.BigEndian.Uint64(p)), true
		}
		switch op := r.h.Op; {
		case h.SwapLayout || op == domain.OpAppend:
			list = append(list, slices.Clone(p))
		case op == domain.OpInsert:
			if i, ok := index(); ok && i >= 0 && i <= len(list) {
				list = slices.Insert(list, i, slices.Clone(p[8:]))
			} else {
				skip(r.off, "insert at an index the list no longer has")
			}
		case op == domain.OpSet:
			if i, ok := index(); ok && i >= 0 && i < len(list) {
				list[i] = slices.Clone(p[8:])
			} else {
				skip(r.off, "set of an index the list no longer has")
			}
		case op == domain.OpPop:
			if i, ok := index(); ok && i >= 0 && i < len(list) {
				list = slices.Delete(list, i, i+1)
			} else {
				skip(r.off, "pop of an index the list no longer has")
			}
		case op == domain.OpReverse:
			slices.Reverse(list)
		case op == domain.OpPut || op == domain.OpPutV || op == domain.OpDelete:
			key, value, ok := domain.SplitKeyed(p)
			if !ok {
				skip(r.off, "entry record without a key")
				return true
			}
			if op == domain.OpPutV {
				if len(value) < 16 {
					skip(r.off, "versioned entry too short")
					return true
				}
				value = value[16:]
			}
			k := string(key)
			if op == domain.OpDelete {
				delete(values, k)
				return true
			}
			if _, ok := present[k]; !ok || values[k] == nil {
				present[k] = len(keys)
				keys = append(keys, k)
			}
			values[k] = slices.Clone(value)
		}
		return true
	})
	bar.done()
	if h.SwapLayout {
		fmt.Fprintln(e.stdout, "note: a swap-and-pop list's order lives in its index; the elements are salvaged in storage order")
	}
	x, err := openAs(dst, h, options(h, false))
	if err != nil {
		return err
	}
	select {
	case <-e.interrupted:
		return errors.Join(errors.New("interrupted: nothing salvaged"), destroy(x))
	default:
	}
	// One write per kind; Ctrl-C meanwhile stays pending and is not acted on.
	n := 0
	switch h.Kind {
	case domain.KindList:
		err, n = x.list.Append(list...), len(list)
	case domain.KindMap:
		err = x.m.Update(func(yield func(string, []byte) bool) {
			for i, k := range keys {
				if v, ok := values[k]; ok && present[k] == i { // its last insertion
					n++
					if !yield(k, v) {
						return
					}
				}
			}
		})
	default:
		var elems [][]byte
		for i, k := range keys {
			if _, ok := values[k]; ok && present[k] == i {
				elems = append(elems, []byte(k))
			}
		}
		n, err = x.set.AddAll(slices.Values(elems))
	}
	if err != nil {
		return errors.Join(err, destroy(x))
	}
	if err := x.Close(); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "salvaged %d %s of %s into %s; %d damaged or inapplicable records skipped\n",
		n, plural(h.Kind), filepath.Base(path), dst, skipped)
	if skipped > 0 {
		return errDamage
	}
	return nil
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
