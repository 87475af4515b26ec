package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/big"
	"path/filepath"

	"github.com/fscollections/fscollections"
)

// Node is a decision node: if variable Var is false, Lo, else Hi. The
// terminals False (0) and True (1) have Var = terminalVar.
type Node struct {
	Var    int32
	Lo, Hi int64
}

// MarshalBinary encodes a node in 20 bytes (so the list uses a compact
// binary codec, not JSON).
func (n Node) MarshalBinary() ([]byte, error) {
	b := binary.LittleEndian.AppendUint32(nil, uint32(n.Var))
	b = binary.LittleEndian.AppendUint64(b, uint64(n.Lo))
	return binary.LittleEndian.AppendUint64(b, uint64(n.Hi)), nil
}

// UnmarshalBinary decodes what MarshalBinary wrote.
func (n *Node) UnmarshalBinary(b []byte) error {
	if len(b) != 20 {
		return fmt.Errorf("bdd: a node of %d bytes", len(b))
	}
	n.Var = int32(binary.LittleEndian.Uint32(b))
	n.Lo = int64(binary.LittleEndian.Uint64(b[4:]))
	n.Hi = int64(binary.LittleEndian.Uint64(b[12:]))
	return nil
}

// The terminals, and the variable they carry (after every real one).
const (
	False       int64 = 0
	True        int64 = 1
	terminalVar int32 = 1 << 30
)

// BDD is a reduced ordered binary decision diagram whose nodes live on
// disk: the nodes in an FSList (a node's ID is its index), the unique
// table (one ID per distinct node, which keeps the diagram reduced) and the
// computed table (memoised operations, an LFU-cached FSMap) in FSMaps, and
// named roots in a fourth map so another process can reopen them.
type BDD struct {
	nodes    *fscollections.FSList[Node]
	unique   *fscollections.FSMap[int64]
	computed *fscollections.FSMap[int64]
	Roots    *fscollections.FSMap[int64]
}

// Open opens (or creates) the diagram in dir.
func Open(dir string) (*BDD, error) {
	d := &BDD{}
	var err error
	if d.nodes, err = fscollections.OpenList[Node](filepath.Join(dir, "nodes"), nil); err != nil {
		return nil, err
	}
	open := func(name string, o *fscollections.Options) *fscollections.FSMap[int64] {
		if err != nil {
			return nil
		}
		var m *fscollections.FSMap[int64]
		m, err = fscollections.OpenMap[int64](filepath.Join(dir, name), o)
		return m
	}
	d.unique = open("unique", nil)
	d.computed = open("computed", &fscollections.Options{Cache: fscollections.LFU, CacheSize: 1 << 16})
	d.Roots = open("roots", nil)
	if err != nil {
		return nil, errors.Join(err, d.Close())
	}
	if d.nodes.Len() == 0 {
		err = d.nodes.Append(Node{terminalVar, False, False}, Node{terminalVar, True, True})
	}
	return d, err
}

// Close closes the diagram's collections.
func (d *BDD) Close() error {
	var errs []error
	if d.nodes != nil {
		errs = append(errs, d.nodes.Close())
	}
	for _, m := range []*fscollections.FSMap[int64]{d.unique, d.computed, d.Roots} {
		if m != nil {
			errs = append(errs, m.Close())
		}
	}
	return errors.Join(errs...)
}

// Size is the number of nodes, terminals included.
func (d *BDD) Size() int { return d.nodes.Len() }

func (d *BDD) node(id int64) (Node, error) { return d.nodes.Get(int(id)) }

func tripleKey(tag byte, a int32, b, c int64) string {
	k := make([]byte, 0, 21)
	k = append(k, tag)
	k = binary.LittleEndian.AppendUint32(k, uint32(a))
	k = binary.LittleEndian.AppendUint64(k, uint64(b))
	return string(binary.LittleEndian.AppendUint64(k, uint64(c)))
}

// mk returns the node (v, lo, hi), reduced: lo == hi is lo itself, and an
// existing equal node is reused through the unique table.
func (d *BDD) mk(v int32, lo, hi int64) (int64, error) {
	if lo == hi {
		return lo, nil
	}
	key := tripleKey('u', v, lo, hi)
	if id, ok, err := d.unique.Lookup(key); err != nil || ok {
		return id, err
	}
	id := int64(d.nodes.Len())
	if err := d.nodes.Append(Node{v, lo, hi}); err != nil {
		return 0, err
	}
	return id, d.unique.Set(key, id)
}

// Var returns the function that is variable v.
func (d *BDD) Var(v int) (int64, error) { return d.mk(int32(v), False, True) }

// ITE returns if f then g else h: every binary operation is one.
func (d *BDD) ITE(f, g, h int64) (int64, error) {
	switch {
	case f == True:
		return g, nil
	case f == False:
		return h, nil
	case g == h:
		return g, nil
	case g == True && h == False:
		return f, nil
	}
	key := "i" + tripleKey(0, int32(f), g, h)
	if r, ok, err := d.computed.Lookup(key); err != nil || ok {
		return r, err
	}
	nf, err := d.node(f)
	if err != nil {
		return 0, err
	}
	ng, err := d.node(g)
	if err != nil {
		return 0, err
	}
	nh, err := d.node(h)
	if err != nil {
		return 0, err
	}
	top := min(nf.Var, ng.Var, nh.Var)
	cof := func(n Node, id int64, hi bool) int64 {
		if n.Var != top {
			return id
		}
		if hi {
			return n.Hi
		}
		return n.Lo
	}
	lo, err := d.ITE(cof(nf, f, false), cof(ng, g, false), cof(nh, h, false))
	if err != nil {
		return 0, err
	}
	hi, err := d.ITE(cof(nf, f, true), cof(ng, g, true), cof(nh, h, true))
	if err != nil {
		return 0, err
	}
	r, err := d.mk(top, lo, hi)
	if err != nil {
		return 0, err
	}
	return r, d.computed.Set(key, r)
}

// Not, And, Or and Xor are ITEs.
func (d *BDD) Not(f int64) (int64, error)    { return d.ITE(f, False, True) }
func (d *BDD) And(f, g int64) (int64, error) { return d.ITE(f, g, False) }
func (d *BDD) Or(f, g int64) (int64, error)  { return d.ITE(f, True, g) }
func (d *BDD) Xor(f, g int64) (int64, error) {
	ng, err := d.Not(g)
	if err != nil {
		return 0, err
	}
	return d.ITE(f, ng, g)
}

// Restrict returns f with variable v fixed to val.
func (d *BDD) Restrict(f int64, v int, val bool) (int64, error) {
	if f == True || f == False {
		return f, nil
	}
	tag := byte('0')
	if val {
		tag = '1'
	}
	key := "r" + tripleKey(tag, int32(v), f, 0)
	if r, ok, err := d.computed.Lookup(key); err != nil || ok {
		return r, err
	}
	n, err := d.node(f)
	if err != nil {
		return 0, err
	}
	var r int64
	switch {
	case n.Var > int32(v):
		r = f
	case n.Var == int32(v) && val:
		r = n.Hi
	case n.Var == int32(v):
		r = n.Lo
	default:
		lo, err := d.Restrict(n.Lo, v, val)
		if err != nil {
			return 0, err
		}
		hi, err := d.Restrict(n.Hi, v, val)
		if err != nil {
			return 0, err
		}
		if r, err = d.mk(n.Var, lo, hi); err != nil {
			return 0, err
		}
	}
	return r, d.computed.Set(key, r)
}

// Exists returns ∃v. f: f with v false, or with v true.
func (d *BDD) Exists(f int64, v int) (int64, error) {
	lo, err := d.Restrict(f, v, false)
	if err != nil {
		return 0, err
	}
	hi, err := d.Restrict(f, v, true)
	if err != nil {
		return 0, err
	}
	return d.Or(lo, hi)
}

// SatCount returns how many assignments of variables 0..nvars-1 satisfy f.
func (d *BDD) SatCount(f int64, nvars int) (*big.Int, error) {
	memo := map[int64]*big.Int{}
	level := func(id int64) (int32, error) {
		if id <= True {
			return int32(nvars), nil
		}
		n, err := d.node(id)
		return n.Var, err
	}
	// count(id) counts the assignments of variables level(id).. nvars-1.
	var count func(id int64) (*big.Int, error)
	count = func(id int64) (*big.Int, error) {
		if id <= True {
			return big.NewInt(id), nil
		}
		if c, ok := memo[id]; ok {
			return c, nil
		}
		n, err := d.node(id)
		if err != nil {
			return nil, err
		}
		total := new(big.Int)
		for _, child := range []int64{n.Lo, n.Hi} {
			c, err := count(child)
			if err != nil {
				return nil, err
			}
			lc, err := level(child)
			if err != nil {
				return nil, err
			}
			total.Add(total, new(big.Int).Lsh(c, uint(lc-n.Var-1)))
		}
		memo[id] = total
		return total, nil
	}
	c, err := count(f)
	if err != nil {
		return nil, err
	}
	lf, err := level(f)
	if err != nil {
		return nil, err
	}
	return new(big.Int).Lsh(c, uint(lf)), nil
}

// AnySat returns one satisfying assignment of f (the variables it does
// not mention are left out), or ok false when f is unsatisfiable.
func (d *BDD) AnySat(f int64) (assignment map[int]bool, ok bool, err error) {
	if f == False {
		return nil, false, nil
	}
	assignment = map[int]bool{}
	for f != True {
		n, err := d.node(f)
		if err != nil {
			return nil, false, err
		}
		if n.Lo != False {
			assignment[int(n.Var)], f = false, n.Lo
		} else {
			assignment[int(n.Var)], f = true, n.Hi
		}
	}
	return assignment, true, nil
}

// WriteDOT writes f as a Graphviz graph: dashed edges for false.
func (d *BDD) WriteDOT(w io.Writer, f int64) error {
	fmt.Fprintln(w, "digraph bdd {")
	fmt.Fprintln(w, `  n0 [shape=box,label="0"]; n1 [shape=box,label="1"];`)
	seen := map[int64]bool{False: true, True: true}
	stack := []int64{f}
	for len(stack) > 0 {
		id := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[id] {
			continue
		}
		seen[id] = true
		n, err := d.node(id)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "  n%d [label=\"x%d\"];\n  n%d -> n%d [style=dashed];\n  n%d -> n%d;\n", id, n.Var, id, n.Lo, id, n.Hi)
		stack = append(stack, n.Lo, n.Hi)
	}
	_, err := fmt.Fprintln(w, "}")
	return err
}
