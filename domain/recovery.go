package domain

import "fmt"

// recovery opens a collection's files and rebuilds its state: the index
// checkpoint when it is valid for the data file, then a replay of what
// follows it (replayer). FORMAT.md has the rules.
type recovery struct {
	c *core
	// untouched is set by a clean open; see stillUntouched.
	untouched untouched
}

func (rv *recovery) open() error {
	c := rv.c
	if c.cfg.Shared {
		if err := c.storage.Lock(!c.cfg.ReadOnly); err != nil {
			return err
		}
		defer c.storage.Unlock()
	}
	c.canCut = !c.cfg.ReadOnly
	defer func() { c.canCut = false }()
	clean, bodyLen, err := c.load()
	if err != nil {
		return err
	}
	c.cleanShutdown = clean
	if !clean {
		c.recoveries.Add(1)
	}
	if bodyLen > 0 && !c.cfg.ReadOnly {
		// Strip the clean-close marker before the first write, so that a
		// crash from here on leaves no marker behind. The cut is not
		// fsynced: a process crash keeps it (the page cache does), and
		// after a power cut a marker back in the file is harmless, because
		// a marker only counts when the checkpoint covers the whole log
		// and the log is append-only (a log that grew is replayed from
		// the checkpoint; one that did not is exactly the checkpoint).
		if err := c.index.Truncate(bodyLen); err != nil {
			return fmt.Errorf("fscollections: strip clean marker: %w", err)
		}
		if clean && !c.cfg.Shared && c.lay.checkpointsAside() {
			c.untouched = untouched{ok: true, logSize: c.log.Size(), logSeq: c.logSeq, saveGen: c.saveGen}
		}
	}
	return nil
}

// stillUntouched reports whether nothing was written since a clean open.
// Write lock held, background checkpoints finished.
func (rv *recovery) stillUntouched() bool {
	c := rv.c
	u := c.untouched
	c.saveMu.Lock()
	gen := c.saveGen
	c.saveMu.Unlock()
	return u.ok && u.logSeq == c.logSeq && u.logSize == c.log.Size() && u.saveGen == gen
}

// loadLog is load for the log layout.
func (rv *recovery) loadLog() (clean bool, markedLen int64, err error) {
	c := rv.c
	log, err := c.storage.OpenLog(c.cfg.Header, !c.cfg.ReadOnly)
	if err != nil {
		return false, 0, err
	}
	h := log.Header()
	if err := h.CheckType(log.Path(), c.cfg.Header); err != nil {
		_ = log.Close()
		return false, 0, err
	}
	if err := c.refuseSwapLayout(h, log.Path()); err != nil {
		_ = log.Close()
		return false, 0, err
	}
	c.replaceLog(log)
	c.st.reset()
	c.liveBytes, c.deadBytes = 0, 0
	c.version = 0
	c.epoch.Add(1)
	from := h.Len()
	raw, unmap, err := c.loadIndex()
	if err != nil {
		return false, 0, err
	}
	if raw != nil {
		cp, n, marked, derr := decodeCheckpoint("index", raw)
		used := derr == nil && cp.kind == h.Kind && cp.generation == h.Generation &&
			cp.dataLength >= from && cp.dataLength <= log.Size() &&
			cp.validate(log.Path(), from, 0) == nil
		if unmap != nil {
			if used {
				c.unmaps = append(c.unmaps, unmap)
			} else if err := unmap(); err != nil {
				return false, 0, err
			}
		}
		if used {
			c.lastCheckpoint.Store(int64(len(raw)))
			c.st.load(&cp)
			c.version = max(cp.version, uint64(cp.dataLength))
			c.liveBytes, c.deadBytes = cp.liveBytes, cp.deadBytes
			from = cp.dataLength
			clean = marked && cp.dataLength == log.Size()
			if marked {
				markedLen = n
			}
		} else if err := c.dropIndex(); err != nil {
			return false, 0, err
		}
	}
	if raw == nil && log.Size() == h.Len() {
		clean = true // a new, empty collection: nothing to recover
	}
	c.applied, c.ckptLength = from, from
	if err := c.replay(from, log.Size()); err != nil {
		return false, 0, err
	}
	return clean, markedLen, nil
}

// refuseSwapLayout fails when a list opened without AutoCompact is a
// swap-and-pop list: its data file is not a log, and replaying it as one
// would read its slots as operations. Files written before the header had
// a flag for it are told by their journal.
func (rv *recovery) refuseSwapLayout(h FileHeader, path string) error {
	c := rv.c
	if h.Kind != KindList {
		return nil
	}
	swap := h.SwapLayout
	if !swap {
		if j, err := c.storage.OpenJournal(journalHeader(h, 1), false); err == nil {
			_ = j.Close()
			swap = true
		}
	}
	if !swap {
		return nil
	}
	if c.cfg.Shared {
		return fmt.Errorf("%w: %s holds a swap-and-pop list (AutoCompact), which cannot be opened Shared", ErrInvalidOptions, path)
	}
	return fmt.Errorf("%w: %s holds a swap-and-pop list: open it with AutoCompact: true", ErrInvalidOptions, path)
}

// dropIndex removes an index file that load rejected (damaged, or the
// checkpoint of another data file or of a longer one), before anything is
// written: once the log grows past the length it claims to cover, a stale
// checkpoint could pass for a valid one. A handle that may not write
// leaves it: the next writer drops it before writing.
func (rv *recovery) dropIndex() error {
	c := rv.c
	if !c.canCut {
		return nil
	}
	if err := c.index.Remove(); err != nil {
		return fmt.Errorf("fscollections: remove the rejected index of %s: %w", c.log.Path(), err)
	}
	return nil
}

// loadIndex returns the index file's bytes. An exclusive writer maps them
// copy-on-write: the checkpoint's arrays become the index without the file
// being read or the heap zeroed for it, and pages are copied only when
// written. unmap, when not nil, releases the mapping. Only the exclusive
// writer can be sure the file will not shrink under the mapping (a writer
// opening while a read-only handle maps the file strips its last byte,
// which could take the last page away); a Shared collection also reloads
// the index whenever another process changed it. Both read it instead.
func (rv *recovery) loadIndex() (raw []byte, unmap func() error, err error) {
	c := rv.c
	if c.cfg.Shared || c.cfg.ReadOnly {
		raw, err = c.index.Load()
		return raw, nil, err
	}
	return c.index.Map()
}
