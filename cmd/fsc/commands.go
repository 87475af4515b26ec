package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"unicode/utf8"

	"github.com/fscollections/fscollections"
	"github.com/fscollections/fscollections/domain"
)

func cmdInfo(e *env, args []string) error {
	fs := flags("info", "[-json] PATH")
	asJSON := fs.Bool("json", false, "print one JSON object instead of lines")
	a, err := parse(e, fs, args, 1)
	if err != nil {
		return err
	}
	x, err := open(a[0], true)
	if err != nil {
		return err
	}
	defer x.Close()
	m := x.Metrics()
	info := struct {
		Path               string  `json:"path"`
		Kind               string  `json:"kind"`
		Type               string  `json:"type"`
		FormatVersion      int     `json:"format_version"`
		FixedSize          uint32  `json:"fixed_size"`
		SwapAndPop         bool    `json:"swap_and_pop"`
		Generation         uint64  `json:"generation"`
		Length             int     `json:"length"`
		DataFileBytes      int64   `json:"data_file_bytes"`
		IndexFileBytes     int64   `json:"index_file_bytes"`
		LiveBytes          int64   `json:"live_bytes"`
		DeadBytes          int64   `json:"dead_bytes"`
		FragmentationRatio float64 `json:"fragmentation"`
		CleanShutdown      bool    `json:"clean_shutdown"`
		RecordsReplayed    int64   `json:"records_replayed"`
	}{a[0], x.h.Kind.String(), x.h.TypeName, domain.FormatVersion, x.h.FixedSize, x.h.SwapLayout, x.h.Generation,
		m.Len, m.DataFileBytes, m.IndexFileBytes, m.LiveBytes, m.DeadBytes, m.FragmentationRatio, m.CleanShutdown, m.RecordsReplayed}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(info)
	}
	fmt.Fprintf(e.stdout, "path            %s\n", info.Path)
	fmt.Fprintf(e.stdout, "kind            %s of %s", info.Kind, info.Type)
	if info.SwapAndPop {
		fmt.Fprint(e.stdout, " (swap-and-pop)")
	}
	fmt.Fprintf(e.stdout, "\nformat version  %d\n", info.FormatVersion)
	fmt.Fprintf(e.stdout, "generation      %#016x\n", info.Generation)
	fmt.Fprintf(e.stdout, "length          %d\n", info.Length)
	fmt.Fprintf(e.stdout, "data file       %d bytes (live %d, dead %d, fragmentation %.1f%%)\n",
		info.DataFileBytes, info.LiveBytes, info.DeadBytes, 100*info.FragmentationRatio)
	fmt.Fprintf(e.stdout, "index file      %d bytes\n", info.IndexFileBytes)
	fmt.Fprintf(e.stdout, "clean shutdown  %v (records replayed at open: %d)\n", info.CleanShutdown, info.RecordsReplayed)
	return nil
}

func cmdCompact(e *env, args []string) error {
	fs := flags("compact", "PATH")
	a, err := parse(e, fs, args, 1)
	if err != nil {
		return err
	}
	x, err := open(a[0], false)
	if err != nil {
		return err
	}
	before := x.Metrics().DataFileBytes
	// Compaction writes a new file and renames it over the old one: Ctrl-C
	// during it leaves the old file or the new, never half of one.
	err = x.Compact()
	after := x.Metrics().DataFileBytes
	if err = errors.Join(err, x.Close()); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "compacted %s: %d -> %d bytes\n", a[0], before, after)
	return nil
}

func cmdDump(e *env, args []string) error {
	fs := flags("dump", "PATH")
	a, err := parse(e, fs, args, 1)
	if err != nil {
		return err
	}
	x, err := open(a[0], true)
	if err != nil {
		return err
	}
	defer x.Close()
	out := bufio.NewWriterSize(e.stdout, 1<<16)
	bar := newProgress(e, int64(x.Len()), "dump", false)
	var (
		n        int64
		custom   bool
		valueErr error
		line     []byte
	)
	err = x.each(func(key string, value []byte) bool {
		v, isCustom, err := toJSON(x.h.TypeName, value)
		if err != nil {
			valueErr = fmt.Errorf("element %d: %w", n, err)
			return false
		}
		custom = custom || isCustom
		if x.m != nil {
			if utf8.ValidString(key) {
				line = append(line[:0], `{"key":`...)
				line = appendJSONString(line, []byte(key))
			} else { // JSON strings are UTF-8: such a key travels as base64
				line = append(line[:0], `{"key_base64":"`...)
				line = append(base64.StdEncoding.AppendEncode(line, []byte(key)), '"')
			}
			line = append(append(append(line, `,"value":`...), v...), "}\n"...)
			out.Write(line)
		} else {
			out.Write(v)
			out.WriteByte('\n')
		}
		if n++; n%4096 == 0 {
			bar.set(n)
		}
		return true
	})
	bar.done()
	if custom {
		fmt.Fprintf(e.stderr, "fsc dump: %s is not a built-in type: values are dumped as their JSON where they are JSON, else as base64 strings of their encoding\n", x.h.TypeName)
	}
	return errors.Join(err, valueErr, out.Flush())
}

func cmdLoad(e *env, args []string) error {
	fs := flags("load", "-kind list|map|set -type TYPE PATH < json-lines")
	kind := fs.String("kind", "", "collection kind: list, map or set (required for a new collection)")
	typ := fs.String("type", "", "value type name, a built-in: int, int64, ..., float64, bool, string, []byte, uuid.UUID, time.Time")
	a, err := parse(e, fs, args, 1)
	if err != nil {
		return err
	}
	path := a[0]
	var h domain.FileHeader
	if existing, err := header(path); err == nil {
		h = existing
		if *kind != "" && *kind != h.Kind.String() || *typ != "" && *typ != h.TypeName {
			return fmt.Errorf("%w: %s holds a %s of %s, not a %s of %s", fscollections.ErrTypeMismatch, path, h.Kind, h.TypeName, *kind, *typ)
		}
	} else {
		switch *kind {
		case "list":
			h.Kind = domain.KindList
		case "map":
			h.Kind = domain.KindMap
		case "set":
			h.Kind = domain.KindSet
		default:
			return usagef("-kind must be list, map or set, not %q", *kind)
		}
		if _, ok := builtinSizes[*typ]; !ok {
			return usagef("-type must be a built-in type (int, int64, ..., float64, bool, string, []byte, uuid.UUID, time.Time), not %q", *typ)
		}
		h.TypeName, h.FixedSize = *typ, uint32(builtinSizes[*typ])
	}
	if inner, _ := domain.IsCompressed(h.TypeName); !isBuiltin(inner) {
		return fmt.Errorf("%s holds values of type %s, which fsc cannot encode (only built-in types)", path, h.TypeName)
	}
	// Parse every line first: a bad line is reported and nothing is written.
	var keys []string
	var values [][]byte
	sc := bufio.NewScanner(e.stdin)
	sc.Buffer(make([]byte, 1<<16), 1<<30)
	for line := 1; sc.Scan(); line++ {
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		raw := json.RawMessage(text)
		if h.Kind == domain.KindMap {
			var kv struct {
				Key       *string
				KeyBase64 []byte `json:"key_base64"`
				Value     json.RawMessage
			}
			err := json.Unmarshal(text, &kv)
			if err == nil && kv.Key == nil && kv.KeyBase64 != nil {
				k := string(kv.KeyBase64)
				kv.Key = &k
			}
			if err != nil || kv.Key == nil || kv.Value == nil {
				return fmt.Errorf("line %d: want {\"key\":…,\"value\":…}: %s (nothing loaded)", line, text)
			}
			keys, raw = append(keys, *kv.Key), kv.Value
		}
		v, err := fromJSON(h.TypeName, raw)
		if err != nil {
			return fmt.Errorf("line %d: %v (nothing loaded)", line, err)
		}
		values = append(values, v)
		select {
		case <-e.interrupted:
			return errors.New("interrupted while reading: nothing loaded")
		default:
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("reading stdin: %w (nothing loaded)", err)
	}
	x, err := openAs(path, h, options(h, false))
	if err != nil {
		return err
	}
	// One call writes everything; Ctrl-C is caught meanwhile (it stays
	// pending and is not acted on), so the load is whole.
	switch h.Kind {
	case domain.KindList:
		err = x.list.Append(values...)
	case domain.KindMap:
		err = x.m.Update(func(yield func(string, []byte) bool) {
			for i, k := range keys {
				if !yield(k, values[i]) {
					return
				}
			}
		})
	default:
		_, err = x.set.AddAll(slices.Values(values))
	}
	if err = errors.Join(err, x.Close()); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "loaded %d %s into %s\n", len(values), plural(h.Kind), path)
	return nil
}

func plural(k domain.Kind) string {
	if k == domain.KindMap {
		return "entries"
	}
	return "elements"
}
