// Command docdb is a small document database on fscollections: JSON
// documents in an FSMap, secondary indexes kept in FSMaps (nested
// collections: the map of indexes holds references to them) and
// maintained on every insert, update and delete, queries through an index
// or by a predicate scan in O(1) memory.
//
//	go run ./examples/docdb insert '{"name":"ada","lang":"go"}'   prints the new ID
//	go run ./examples/docdb get ID
//	go run ./examples/docdb find lang=go        (the value is JSON if it parses, else a string)
//	go run ./examples/docdb update ID '{"name":"ada","lang":"zig"}'
//	go run ./examples/docdb delete ID
//	go run ./examples/docdb index lang          maintain an index on lang from now on
//
// -db DIR chooses the database directory (default ./data/docdb). After a
// crash, Open rebuilds the indexes from the documents.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "docdb:", err)
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprintln(os.Stderr, usage)
			os.Exit(2)
		}
		os.Exit(1)
	}
}

const usage = `usage: docdb [-db DIR] COMMAND
  insert JSON          store a document, print its ID
  get ID               print a document
  find FIELD=VALUE     print the IDs and documents whose FIELD equals VALUE
  update ID JSON       replace a document
  delete ID            remove a document
  index FIELD          keep an index on FIELD`

type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func run(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("docdb", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	dir := fs.String("db", filepath.Join("data", "docdb"), "database directory")
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	want := map[string]int{"insert": 1, "get": 1, "find": 1, "update": 2, "delete": 1, "index": 1}
	a := fs.Args()
	if len(a) == 0 {
		return usageError{"no command"}
	}
	n, ok := want[a[0]]
	if !ok {
		return usageError{fmt.Sprintf("unknown command %q", a[0])}
	}
	if len(a)-1 != n {
		return usageError{fmt.Sprintf("%s takes %d argument(s)", a[0], n)}
	}
	db, err := Open(*dir)
	if err != nil {
		return err
	}
	defer db.Close()
	parseDoc := func(s string) (Doc, error) {
		var d Doc
		if err := json.Unmarshal([]byte(s), &d); err != nil || d == nil {
			return nil, usageError{fmt.Sprintf("not a JSON object: %s", s)}
		}
		return d, nil
	}
	switch a[0] {
	case "insert":
		d, err := parseDoc(a[1])
		if err != nil {
			return err
		}
		id, err := db.Insert(d)
		if err != nil {
			return err
		}
		fmt.Fprintln(out, id)
	case "get":
		d, err := db.Get(a[1])
		if err != nil {
			return err
		}
		b, _ := json.Marshal(d)
		fmt.Fprintln(out, string(b))
	case "find":
		field, raw, ok := strings.Cut(a[1], "=")
		if !ok || field == "" {
			return usageError{"find wants FIELD=VALUE"}
		}
		var value any = raw
		if json.Valid([]byte(raw)) {
			_ = json.Unmarshal([]byte(raw), &value)
		}
		ids, indexed, err := db.Find(field, value)
		if err != nil {
			return err
		}
		for _, id := range ids {
			d, err := db.Get(id)
			if err != nil {
				return err
			}
			b, _ := json.Marshal(d)
			fmt.Fprintf(out, "%s %s\n", id, b)
		}
		how := "scan"
		if indexed {
			how = "index"
		}
		fmt.Fprintf(out, "%d found (%s)\n", len(ids), how)
	case "update":
		d, err := parseDoc(a[2])
		if err != nil {
			return err
		}
		return db.Update(a[1], d)
	case "delete":
		return db.Delete(a[1])
	case "index":
		return db.Index(a[1])
	}
	return nil
}
