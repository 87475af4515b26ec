// Command bdd builds reduced ordered binary decision diagrams whose nodes,
// unique table and computed table (LFU-cached) live in fscollections, so a
// diagram outlives the process that built it.
//
//	go run ./examples/bdd -queens 8             the 8-queens BDD: its size and 92 solutions
//	go run ./examples/bdd -cnf formula.cnf      a DIMACS CNF file: satisfiable? how many models? one of them
//	go run ./examples/bdd -cnf f.cnf -dot f.dot also write the diagram for Graphviz
//
// -dir DIR keeps the diagram (default ./data/bdd); -name NAME stores the
// root under NAME so that another run can query it with -show NAME.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"time"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bdd:", err)
		os.Exit(1)
	}
}

func run(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("bdd", flag.ContinueOnError)
	dir := fs.String("dir", filepath.Join("data", "bdd"), "where the diagram lives")
	queens := fs.Int("queens", 0, "build the n-queens BDD")
	cnfPath := fs.String("cnf", "", "build the BDD of a DIMACS CNF file")
	dot := fs.String("dot", "", "write the diagram to this Graphviz file")
	name := fs.String("name", "", "store the root under this name")
	show := fs.String("show", "", "query the root stored under this name")
	vars := fs.Int("vars", 0, "with -show: how many variables to count models over")
	if err := fs.Parse(args); err != nil {
		return err
	}
	d, err := Open(*dir)
	if err != nil {
		return err
	}
	defer d.Close()
	start := time.Now()
	var root int64
	nvars := *vars
	switch {
	case *queens > 0:
		if root, err = d.Queens(*queens); err != nil {
			return err
		}
		nvars = *queens * *queens
	case *cnfPath != "":
		f, err := os.Open(*cnfPath)
		if err != nil {
			return err
		}
		cnf, err := ParseDIMACS(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", *cnfPath, err)
		}
		if root, err = d.Build(cnf); err != nil {
			return err
		}
		nvars = cnf.Vars
	case *show != "":
		if root, err = d.Roots.Get(*show); err != nil {
			return err
		}
	default:
		return errors.New("give -queens N, -cnf FILE or -show NAME")
	}
	if *name != "" {
		if err := d.Roots.Set(*name, root); err != nil {
			return err
		}
	}
	count, err := d.SatCount(root, nvars)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "root %d, %d nodes in the diagram, built in %v\n", root, d.Size(), time.Since(start).Round(time.Millisecond))
	fmt.Fprintf(out, "models over %d variables: %s\n", nvars, count)
	if sat, ok, err := d.AnySat(root); err != nil {
		return err
	} else if ok {
		var vs []int
		for v := range sat {
			vs = append(vs, v)
		}
		sort.Ints(vs)
		fmt.Fprint(out, "one model:")
		for _, v := range vs {
			if sat[v] {
				fmt.Fprintf(out, " x%d", v)
			} else {
				fmt.Fprintf(out, " ¬x%d", v)
			}
		}
		fmt.Fprintln(out)
	} else {
		fmt.Fprintln(out, "unsatisfiable")
	}
	if *dot != "" {
		f, err := os.Create(*dot)
		if err != nil {
			return err
		}
		if err := errors.Join(d.WriteDOT(f, root), f.Close()); err != nil {
			return err
		}
	}
	return nil
}
