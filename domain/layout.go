package domain

// layout is how a collection's records lie in its files, the one thing in
// which a swap-and-pop list differs from every other collection:
//
//   - logLayout (maps, sets, ordinary lists): one data file, the
//     operation log, whose records hold the values;
//   - swapLayout (AutoCompact lists): a data file of fixed-size value
//     slots, changed in place, and a journal of operations as the log.
//
// The core calls its layout where the two differ, and never tests which
// one it has.
type layout interface {
	// load (re)opens the files and rebuilds the state: from the index
	// checkpoint, if one is valid for them, and what the log holds after it.
	// It returns whether the checkpoint was clean and covered the whole log,
	// and the checkpoint's length when it carried the clean-close marker.
	load() (clean bool, markedLen int64, err error)
	// checkpoint makes the files durable and writes the index to cover them.
	checkpoint(clean bool) error
	// rewrite replaces the files by ones holding only the live records
	// (Compact), or none (Clear). Crash-safe.
	rewrite(clear bool) error
	// copyLive writes the live records, in logical order, to l, the data
	// file of a copy, and returns the state indexing them there and the
	// generation of an empty journal the copy needs (0: none).
	copyLive(l Log) (next state, journal uint64, err error)
	// values is the file that holds the values.
	values() Log
	// flushValues writes out buffered value writes held apart from the log.
	flushValues() error
	// closeValues closes the values file when it is not the log.
	closeValues() error
	// valuesInLog reports whether values are records of the log, so that
	// log offsets name values (the cache's keys) and a log record may be a
	// list element to keep in place.
	valuesInLog() bool
	// checkpointsAside reports whether checkpoints may be written in the
	// background, while writers go on.
	checkpointsAside() bool
}

// newLayout returns the layout cfg asks for.
func newLayout(c *core) layout {
	if c.cfg.Swap {
		return &swapLayout{c: c}
	}
	return logLayout{c: c}
}

// logLayout is the layout of every collection but swap-and-pop lists.
type logLayout struct{ c *core }

func (l logLayout) load() (bool, int64, error)  { return l.c.loadLog() }
func (l logLayout) checkpoint(clean bool) error { return l.c.checkpointLog(clean) }
func (l logLayout) rewrite(clear bool) error    { return l.c.rewriteLog(clear) }
func (l logLayout) values() Log                 { return l.c.log }
func (logLayout) flushValues() error            { return nil }
func (logLayout) closeValues() error            { return nil }
func (logLayout) valuesInLog() bool             { return true }
func (logLayout) checkpointsAside() bool        { return true }

func (l logLayout) copyLive(dst Log) (state, uint64, error) {
	c := l.c
	if c.cfg.Versioned {
		if _, err := dst.Append(c.markRecord()); err != nil { // versions never go back
			return nil, 0, err
		}
	}
	next, err := c.st.compact(c, dst)
	return next, 0, err
}

// swapLayout is the layout of a swap-and-pop list (swap.go): slots is its
// data file; the core's log is its journal.
type swapLayout struct {
	c     *core
	slots Log
}

func (s *swapLayout) values() Log          { return s.slots }
func (*swapLayout) valuesInLog() bool      { return false }
func (*swapLayout) checkpointsAside() bool { return false } // the slots change in place: the lock is held throughout

func (s *swapLayout) flushValues() error {
	if s.slots == nil {
		return nil
	}
	return s.c.must(s.slots.Flush())
}

func (s *swapLayout) closeValues() error {
	if s.slots == nil {
		return nil
	}
	return s.slots.Close()
}

// copyLive writes the values in list order as the copy's slots; the copy
// gets an empty journal of generation 2, following its checkpoint.
func (s *swapLayout) copyLive(dst Log) (state, uint64, error) {
	c := s.c
	st := c.st.(*listState)
	next := &listState{swap: st.swap}
	err := c.readRuns(st.offs.Len(), func(k int) int64 { return int64(st.offs.At(k)) },
		func(_ int, _ int64, v []byte) error {
			off, err := dst.Append(valueRecord(nil, v))
			next.offs.Push(uint64(off))
			return err
		})
	return next, 2, err
}
