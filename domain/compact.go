package domain

import (
	"errors"
	"fmt"
)

// Checkpoints and compaction: keeping the index file and the data file
// small and recent. See FORMAT.md for the crash-safety argument.

// copyBatch is how many records compaction copies per copyRecords call.
const copyBatch = 4096

// CopyTo writes a consistent, compacted copy of the map to dst (see core.CopyTo).
func (m *Map[V]) CopyTo(dst Storage) error { return m.c.CopyTo(dst) }

// CopyTo writes a consistent, compacted copy of the list to dst (see core.CopyTo).
func (l *List[T]) CopyTo(dst Storage) error { return l.c.CopyTo(dst) }

// CopyTo writes a consistent, compacted copy of the set to dst (see core.CopyTo).
func (s *Set[T]) CopyTo(dst Storage) error { return s.c.CopyTo(dst) }

// compaction rewrites the data file with only the live records (Compact),
// or none (Clear), and copies them for Backup.
type compaction struct{ c *core }

// housekeeping runs after every successful write, under the write lock:
// automatic compaction and periodic checkpoints.
func (cm *compaction) housekeeping() error {
	c := cm.c
	if t := c.cfg.CompactionThreshold; t > 0 {
		total := c.liveBytes + c.deadBytes
		if c.log.Size() >= c.cfg.CompactionFloor && total > 0 &&
			float64(c.deadBytes)/float64(total) > t {
			return c.rewrite(false)
		}
	}
	if c.defrag != nil && c.activeIters.Load() == 0 {
		c.defrag()
	}
	// A checkpoint rewrites the whole index, so it waits for a tail worth
	// replaying: at least CheckpointEvery bytes and twice the index's own
	// size, which keeps its cost amortized O(1) per write.
	if tail := c.log.Size() - c.ckptLength; tail >= c.cfg.CheckpointEvery && tail >= 2*c.st.heapBytes() {
		if !c.lay.checkpointsAside() || c.cfg.Shared {
			return c.checkpoint(false) // they need the lock held throughout
		}
		return c.checkpointInBackground()
	}
	return nil
}

// copyRaw copies the data file as it is, and a checkpoint of the state
// that goes with it, when the collection is an exclusive writer's log of
// which at most rawCopyMaxDead is dead; done is false when it is not. The
// write lock is held only to flush the buffer and freeze the index (as a
// background checkpoint does); the bytes are then copied with no lock at
// all — those already written never change — inside the kernel where it
// can, and fsynced, while writers go on. The copy gets its own generation,
// so that its index and the original's can never be taken for each other.
func (cm *compaction) copyRaw(dst Storage) (done bool, err error) {
	c := cm.c
	if c.cfg.Shared || c.cfg.ReadOnly || !c.lay.checkpointsAside() {
		return false, nil
	}
	if err := c.beginWrite(); err != nil {
		return true, err
	}
	if total := c.liveBytes + c.deadBytes; float64(c.deadBytes) > rawCopyMaxDead*float64(total) {
		c.mu.Unlock()
		return false, nil
	}
	if err := c.must(c.log.Flush()); err != nil {
		c.mu.Unlock()
		return true, err
	}
	cp := c.newCheckpoint(c.st, c.log, true)
	src, h, size := c.log, c.log.Header(), c.log.Size()
	// Compaction and Close replace or close the log under fileMu: they
	// wait for the copy, which needs src open.
	c.fileMu.RLock()
	defer c.fileMu.RUnlock()
	c.mu.Unlock()

	h.Generation = NewGeneration(h.Generation)
	l, err := dst.OpenLog(h, true)
	if err != nil {
		return true, err
	}
	defer l.Close()
	if l.Size() != h.Len() {
		return true, fmt.Errorf("fscollections: copy to %s: a collection is already there", l.Path())
	}
	// The copy's checkpoint (frozen: the collection's writers go on) is
	// written beside its index meanwhile, and installed once the copied
	// data is durable.
	cp.generation = h.Generation
	type stageResult struct {
		staged StagedIndex
		err    error
	}
	staging := make(chan stageResult, 1)
	go func() {
		staged, err := dst.Index().Stage(cp.parts(true)...)
		staging <- stageResult{staged, err}
	}()
	if _, err = l.AppendCopy(src, h.Len(), size-h.Len()); err == nil {
		// The copy goes to the disk while its records are checked.
		synced := make(chan error, 1)
		go func() { synced <- l.SyncData() }()
		err = errors.Join(verifyRecords(src.ReadStableAt, src.Path(), h.Len(), size), <-synced)
	}
	st := <-staging
	if err != nil {
		if st.err == nil {
			_ = st.staged.Discard()
		}
		return true, fmt.Errorf("fscollections: copy to %s: %w", l.Path(), err)
	}
	if st.err != nil {
		return true, st.err
	}
	return true, st.staged.Commit()
}

// verifyRecords checks every record in [from, to) of the file at srcPath,
// read with readAt, against its checksum: damage is refused, not copied,
// and reported with the source's name and offset. It reads the source,
// whose pages are in memory, not the copy: a copy that shares the
// source's blocks (reflinks) has none of its pages cached, and read back
// from the disk it took longer than the copy. It reads through a buffer:
// faulting 150 MB in through a mapping took four times as long as the
// checksums.
func verifyRecords(readAt func(b []byte, off int64) (int, error), srcPath string, from, to int64) error {
	rd := recordReader{readAt: readAt, end: to, buf: make([]byte, 0, 1<<20)}
	for off := from; off < to; {
		hb, err := rd.bytes(off, RecordHeaderSize)
		if err != nil {
			return corrupt(srcPath, off, "record header out of range: %v", err)
		}
		n := ParseRecordHeader(hb).Size
		if n > MaxPayload || off+RecordHeaderSize > to-int64(n) {
			return corrupt(srcPath, off, "record size %d out of range", n)
		}
		rec, err := rd.bytes(off, RecordHeaderSize+int(n))
		if err != nil {
			return corrupt(srcPath, off, "record out of range: %v", err)
		}
		if !CheckRecord(rec[:RecordHeaderSize], rec[RecordHeaderSize:]) {
			return corrupt(srcPath, off, "checksum mismatch")
		}
		off += RecordHeaderSize + int64(n)
	}
	return nil
}

// recordReader reads a log's bytes below end forward through a buffer.
type recordReader struct {
	readAt func(b []byte, off int64) (int, error)
	end    int64
	buf    []byte // the log's bytes from at
	at     int64
}

// bytes returns the n bytes at off, valid until the next call; off never
// goes back before the previous call's.
func (r *recordReader) bytes(off int64, n int) ([]byte, error) {
	if off < r.at || off+int64(n) > r.end {
		return nil, fmt.Errorf("%d bytes at %d outside [%d, %d)", n, off, r.at, r.end)
	}
	if off+int64(n) <= r.at+int64(len(r.buf)) {
		return r.buf[off-r.at : off-r.at+int64(n)], nil
	}
	size := int(min(int64(max(n, cap(r.buf))), r.end-off))
	if size > cap(r.buf) {
		r.buf = make([]byte, 0, size)
	}
	r.buf, r.at = r.buf[:size], off
	if _, err := r.readAt(r.buf, off); err != nil {
		r.buf = r.buf[:0]
		return nil, err
	}
	return r.buf[:n], nil
}

// copyRecords appends the records at offs to dst, in order, verifying each
// against its checksum, and replaces each offset with the record's offset
// in dst. A record of op asIs that is not flagged deleted is the same in
// the copy, so such records lying back to back go out as one run, bytes
// and all, with no checksum recomputed. Any other record is rewritten:
// rebuild makes it, from beginRecord to its payload (nil: the same op and
// payload), and copyRecords finishes it.
func (cm *compaction) copyRecords(dst Log, offs []int64, asIs Op, rebuild func(rec []byte, off int64, op Op, p []byte) ([]byte, error)) error {
	c := cm.c
	var (
		src              = c.vals()
		rec              []byte
		runStart, runEnd int64 // the pending run: source bytes [runStart, runEnd)
		runFirst         int   // the index in offs of its first record
	)
	flush := func(upTo int) error {
		if runEnd == runStart {
			return nil
		}
		run, err := src.View(runStart, int(runEnd-runStart))
		if err != nil {
			return corrupt(src.Path(), runStart, "record run out of range: %v", err)
		}
		to, err := dst.Append(run)
		if err != nil {
			return err
		}
		for j := runFirst; j < upTo; j++ {
			offs[j] = to + offs[j] - runStart
		}
		runStart, runEnd = 0, 0
		return nil
	}
	// readRecords reads offs[k] ahead of the records it hands over; flush
	// only rewrites the offsets of records already handed over.
	err := c.readRecords(len(offs), func(k int) int64 { return offs[k] }, func(k int, off int64, op Op, p []byte) error {
		hb, err := src.View(off, RecordHeaderSize)
		if err != nil {
			return err
		}
		if op == asIs && hb[deletedAt] == 0 {
			if off != runEnd || runEnd == runStart {
				if err := flush(k); err != nil {
					return err
				}
				runStart, runEnd, runFirst = off, off, k
			}
			runEnd += RecordHeaderSize + int64(len(p))
			return nil
		}
		if err := flush(k); err != nil {
			return err
		}
		if rebuild != nil {
			rec, err = rebuild(rec[:0], off, op, p)
		} else {
			rec = append(beginRecord(rec[:0], op), p...)
		}
		if err != nil {
			return err
		}
		finishRecord(rec)
		offs[k], err = dst.Append(rec)
		return err
	})
	if err != nil {
		return err
	}
	return flush(len(offs))
}

// rewrite replaces the data file by one holding only the live records
// (Compact), or none (Clear), under a new generation. Crash-safe: the new
// file is complete and durable before it is renamed over the old one.
func (cm *compaction) rewrite(clear bool) error {
	c := cm.c
	return c.lay.rewrite(clear)
}

// rewriteLog is rewrite for the log layout.
func (cm *compaction) rewriteLog(clear bool) error {
	c := cm.c
	h := c.log.Header()
	h.Generation = NewGeneration(h.Generation)
	dst, err := c.storage.CreateReplacement(h)
	if err != nil {
		return err
	}
	var next state
	if c.cfg.Versioned {
		_, err = dst.Append(c.markRecord()) // versions never go back
	}
	switch {
	case err != nil:
	case clear:
		next = c.st.empty()
	default:
		next, err = c.st.compact(c, dst)
	}
	if err == nil {
		err = dst.Flush()
	}
	if err == nil {
		err = dst.SyncData()
	}
	if err != nil {
		_ = dst.Close()
		return fmt.Errorf("fscollections: rewrite %s: %w", c.log.Path(), err)
	}
	installed, err := c.storage.InstallReplacement(dst)
	if !installed {
		_ = dst.Close()
		return fmt.Errorf("fscollections: rewrite %s: %w", c.log.Path(), err)
	}
	// The new file is live from here on, whatever fails next.
	cp := c.newCheckpoint(next, dst, false)
	c.replaceLog(dst)
	c.st.adopt(next)
	c.liveBytes, c.deadBytes = dst.Size()-h.Len(), 0
	c.applied, c.ckptLength = dst.Size(), h.Len()
	c.sinceCompact = 0
	if clear {
		c.epoch.Add(1)
	}
	c.compactions.Add(1)
	if err != nil {
		return fmt.Errorf("fscollections: rewrote %s but could not sync its directory: %w", c.log.Path(), err)
	}
	// Without this checkpoint Open replays the new file, which is compact:
	// a failure here costs time at the next Open, not data.
	if err := c.saveIndex(cp.parts(false)...); err != nil {
		return fmt.Errorf("fscollections: rewrote %s but could not write its checkpoint: %w", c.log.Path(), err)
	}
	c.ckptLength = dst.Size()
	return nil
}

// rawCopyMaxDead is the largest share of dead bytes with which CopyTo
// copies the data file as it is rather than compacting it.
const rawCopyMaxDead = 0.1

// CopyTo writes a copy of the collection to dst, which must hold no
// collection yet, with a checkpoint carrying the clean-close marker: the
// data file as it is (copyRaw) when at most a tenth of it is dead,
// otherwise a compacted copy, the live records in logical order, written
// under the read lock so that the copy is one consistent state (writers
// wait, readers do not). dst is closed afterwards.
func (cm *compaction) CopyTo(dst Storage) (err error) {
	c := cm.c
	defer func() { err = errors.Join(err, dst.Close()) }()
	if done, err := c.copyRaw(dst); done || err != nil {
		return err
	}
	if err := c.beginRead(); err != nil {
		return err
	}
	defer c.endRead()
	// The copy is another file: it gets its own generation, so that its
	// index and the original's can never be taken for each other.
	h := c.vals().Header()
	h.Generation = NewGeneration(h.Generation)
	l, err := dst.OpenLog(h, true)
	if err != nil {
		return err
	}
	defer l.Close()
	if l.Size() != h.Len() {
		return fmt.Errorf("fscollections: copy to %s: a collection is already there", l.Path())
	}
	next, journal, err := c.lay.copyLive(l)
	if err == nil {
		err = l.Flush()
	}
	if err == nil {
		err = l.SyncData()
	}
	if err != nil {
		return fmt.Errorf("fscollections: copy to %s: %w", l.Path(), err)
	}
	cp := c.newCheckpoint(next, l, false)
	if journal > 0 {
		jh := journalHeader(h, journal)
		jl, err := dst.ResetJournal(jh)
		if err != nil {
			return err
		}
		_ = jl.Close()
		cp.journalGen, cp.dataLength = jh.Generation, jh.Len()
	}
	return dst.Index().Save(cp.parts(true)...)
}
