package main

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// CNF is a formula in conjunctive normal form: clauses of literals, a
// literal being a variable number from 1 (negative: negated).
type CNF struct {
	Vars    int
	Clauses [][]int
}

// ParseDIMACS reads the DIMACS CNF format: comment lines starting with c,
// one header line "p cnf VARS CLAUSES", then clauses as literals each
// ended by 0 (a clause may span lines). Errors name the line.
func ParseDIMACS(r io.Reader) (*CNF, error) {
	sc := bufio.NewScanner(r)
	var cnf *CNF
	declared := 0
	var clause []int
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "c") || strings.HasPrefix(text, "%") {
			continue
		}
		if strings.HasPrefix(text, "p") {
			f := strings.Fields(text)
			if cnf != nil {
				return nil, fmt.Errorf("line %d: a second header", line)
			}
			if len(f) != 4 || f[1] != "cnf" {
				return nil, fmt.Errorf("line %d: want \"p cnf VARS CLAUSES\", got %q", line, text)
			}
			vars, err1 := strconv.Atoi(f[2])
			n, err2 := strconv.Atoi(f[3])
			if err1 != nil || err2 != nil || vars < 0 || n < 0 {
				return nil, fmt.Errorf("line %d: bad counts in %q", line, text)
			}
			cnf, declared = &CNF{Vars: vars}, n
			continue
		}
		if cnf == nil {
			return nil, fmt.Errorf("line %d: a clause before the \"p cnf\" header", line)
		}
		for _, f := range strings.Fields(text) {
			lit, err := strconv.Atoi(f)
			if err != nil {
				return nil, fmt.Errorf("line %d: %q is not a literal", line, f)
			}
			if lit == 0 {
				cnf.Clauses = append(cnf.Clauses, clause)
				clause = nil
				continue
			}
			if lit > cnf.Vars || -lit > cnf.Vars {
				return nil, fmt.Errorf("line %d: variable %d outside 1..%d", line, max(lit, -lit), cnf.Vars)
			}
			clause = append(clause, lit)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	switch {
	case cnf == nil:
		return nil, fmt.Errorf("line %d: no \"p cnf\" header", line)
	case clause != nil:
		return nil, fmt.Errorf("line %d: the last clause has no closing 0", line)
	case len(cnf.Clauses) != declared:
		return nil, fmt.Errorf("line %d: %d clauses, the header says %d", line, len(cnf.Clauses), declared)
	}
	return cnf, nil
}

// Build returns the BDD of cnf (DIMACS variable k is BDD variable k-1).
func (d *BDD) Build(cnf *CNF) (int64, error) {
	f := True
	for _, clause := range cnf.Clauses {
		c := False
		for _, lit := range clause {
			x, err := d.Var(max(lit, -lit) - 1)
			if err == nil && lit < 0 {
				x, err = d.Not(x)
			}
			if err == nil {
				c, err = d.Or(c, x)
			}
			if err != nil {
				return 0, err
			}
		}
		var err error
		if f, err = d.And(f, c); err != nil {
			return 0, err
		}
	}
	return f, nil
}

// Queens returns the BDD of the n-queens problem: variable i*n+j says a
// queen stands on row i, column j.
func (d *BDD) Queens(n int) (int64, error) {
	x := func(i, j int) (int64, error) { return d.Var(i*n + j) }
	f := True
	for i := range n {
		row := False // at least one queen in row i
		for j := range n {
			q, err := x(i, j)
			if err != nil {
				return 0, err
			}
			if row, err = d.Or(row, q); err != nil {
				return 0, err
			}
		}
		var err error
		if f, err = d.And(f, row); err != nil {
			return 0, err
		}
	}
	for i := range n {
		for j := range n {
			// A queen at (i, j) attacks no other square.
			safe := True
			for k := range n {
				for l := range n {
					if (k == i && l == j) || !(k == i || l == j || k-i == l-j || k-i == j-l) {
						continue
					}
					q, err := x(k, l)
					if err == nil {
						q, err = d.Not(q)
					}
					if err == nil {
						safe, err = d.And(safe, q)
					}
					if err != nil {
						return 0, err
					}
				}
			}
			q, err := x(i, j)
			if err != nil {
				return 0, err
			}
			imp, err := d.ITE(q, safe, True)
			if err == nil {
				f, err = d.And(f, imp)
			}
			if err != nil {
				return 0, err
			}
		}
	}
	return f, nil
}
