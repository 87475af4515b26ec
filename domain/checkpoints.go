package domain

import (
	"fmt"
	"sync"
	"sync/atomic"
)

// checkpoints writes the index file: a checkpoint of the state that
// covers the log up to a length, in the foreground or, while writers go
// on, in the background.
type checkpoints struct {
	c *core
	// Every index file save goes through saveIndex, which counts them in
	// saveGen under saveMu: a background checkpoint taken before a newer
	// save is dropped instead of overwriting it.
	saveMu    sync.Mutex
	saveGen   uint64
	bg        sync.WaitGroup // background checkpoints
	bgRunning atomic.Bool
	// bgAbandon tells a background checkpoint to stop at its next step:
	// Close is about to write a newer one.
	bgAbandon atomic.Bool
	// lastCheckpoint is the size of the last checkpoint installed in the
	// background or loaded at Open, 0 before the first: by how much the
	// index grows between two of them (see reserveStaging).
	lastCheckpoint atomic.Int64
}

// saveIndex writes b to the index file. Every save goes through here.
func (ck *checkpoints) saveIndex(parts ...[]byte) error {
	c := ck.c
	c.saveMu.Lock()
	defer c.saveMu.Unlock()
	c.saveGen++
	return c.index.Save(parts...)
}

// checkpointInBackground takes a frozen copy of the index under the write
// lock — a clone of the page lists, not of the pages: a page the copy
// shares is copied by the next write to it (see offsets.freeze) — and
// leaves everything else to a goroutine while writers go on: the checksum
// and the write of the staged index file, the fsync of the data, and the
// rename that installs it. The staged index is installed only if no newer
// checkpoint was saved meanwhile and the data file is still the one it
// describes; a failed data fsync fails the collection, as in the
// foreground. Write lock held.
func (ck *checkpoints) checkpointInBackground() error {
	c := ck.c
	if c.bgRunning.Load() {
		return nil
	}
	if err := c.must(c.log.Flush()); err != nil {
		return err
	}
	cp := c.newCheckpoint(c.st, c.log, true)
	c.ckptLength = cp.dataLength
	log, seq := c.log, c.fileSeq.Load()
	c.saveMu.Lock()
	gen := c.saveGen
	c.saveMu.Unlock()
	c.bgRunning.Store(true)
	c.bg.Add(1)
	go func() {
		defer c.bg.Done()
		defer c.bgRunning.Store(false)
		if c.bgAbandon.Load() {
			return
		}
		parts := cp.parts(false)
		staged, err := c.index.Stage(parts...)
		if err != nil {
			return // the next checkpoint tries again; nothing is lost
		}
		c.fileMu.RLock()
		if c.fileSeq.Load() != seq || c.bgAbandon.Load() {
			c.fileMu.RUnlock()
			c.drop(staged)
			return // replaced or closed meanwhile
		}
		err = log.SyncData()
		c.fileMu.RUnlock()
		if err != nil {
			_ = staged.Discard()
			c.fail(err)
			return
		}
		if c.install(staged, gen, seq) {
			c.reserveStaging(partsLen(parts))
		}
	}()
	return nil
}

// install commits a background checkpoint's staged index, unless a newer
// checkpoint was saved meanwhile (gen), the data file was replaced (seq)
// or Close is coming, and reports whether it did. On failure the next
// checkpoint tries again; nothing is lost.
func (ck *checkpoints) install(staged StagedIndex, gen, seq uint64) bool {
	c := ck.c
	c.saveMu.Lock()
	defer c.saveMu.Unlock()
	if c.saveGen != gen || c.fileSeq.Load() != seq || c.bgAbandon.Load() || staged.Commit() != nil {
		c.drop(staged)
		return false
	}
	c.saveGen++
	return true
}

// drop discards a background checkpoint's staged index, except when Close
// abandoned it: Close stages its own checkpoint over the same file, which
// is faster over a file of about the right size than in a new one.
func (ck *checkpoints) drop(staged StagedIndex) {
	if !ck.c.bgAbandon.Load() {
		_ = staged.Discard()
	}
}

// reserveStaging readies the staging file for the next checkpoint after a
// background one of size bytes was installed: while the index grows, at a
// quarter more than this one, so that the next checkpoint — Close's in
// particular — overwrites pages already in the page cache rather than
// paying for new ones (IndexFile.Reserve). Background goroutine.
func (ck *checkpoints) reserveStaging(size int64) {
	c := ck.c
	last := c.lastCheckpoint.Swap(size)
	grew := size > last+last/16
	if grew {
		_ = c.index.Reserve(size+size/4, c.bgAbandon.Load) // optional work: Stage copes
	}
}

// partsLen is the total length of parts.
func partsLen(parts [][]byte) int64 {
	n := int64(0)
	for _, p := range parts {
		n += int64(len(p))
	}
	return n
}

// checkpoint makes the log durable and writes the index file to cover it.
func (ck *checkpoints) checkpoint(clean bool) error {
	c := ck.c
	return c.lay.checkpoint(clean)
}

// checkpointLog is checkpoint for the log layout.
func (ck *checkpoints) checkpointLog(clean bool) error {
	c := ck.c
	if err := c.must(c.log.Flush()); err != nil {
		return err
	}
	cp := c.newCheckpoint(c.st, c.log, false)
	if clean {
		return c.closingCheckpoint(cp)
	}
	if err := c.log.SyncData(); err != nil {
		return c.fail(err)
	}
	if err := c.saveIndex(cp.parts(false)...); err != nil {
		return fmt.Errorf("fscollections: write checkpoint: %w", err)
	}
	c.ckptLength = cp.dataLength
	return nil
}

// closingCheckpoint writes Close's checkpoint of the log layout. The data
// is made durable (fsync) while the checkpoint is written beside the
// index, and the checkpoint becomes the index only once the data is on
// disk; it is not fsynced itself: the checkpoint a process restarting here
// reads is in the page cache once renamed, and after a power cut a lost or
// damaged one only costs a replay of the data file. Waiting for the disk
// would be most of Close.
func (ck *checkpoints) closingCheckpoint(cp *checkpoint) error {
	c := ck.c
	synced := make(chan error, 1)
	go func() { synced <- c.log.SyncData() }()
	staged, err := c.index.Stage(cp.parts(true)...)
	if serr := <-synced; serr != nil {
		if err == nil {
			_ = staged.Discard()
		}
		return c.fail(serr)
	}
	if err == nil {
		c.saveMu.Lock()
		c.saveGen++
		err = staged.Install()
		c.saveMu.Unlock()
	}
	if err != nil {
		return fmt.Errorf("fscollections: write checkpoint: %w", err)
	}
	c.ckptLength = cp.dataLength
	return nil
}

// newCheckpoint returns a checkpoint of st, the state of log l: of its
// arrays as they are, or, when frozen is set, of frozen copies a goroutine
// can write while the state changes.
func (ck *checkpoints) newCheckpoint(st state, l Log, frozen bool) *checkpoint {
	c := ck.c
	cp := &checkpoint{
		kind:       c.cfg.Header.Kind,
		generation: l.Header().Generation,
		dataLength: l.Size(),
	}
	if cp.kind != KindList {
		cp.version = c.version
	}
	if st == c.st {
		cp.liveBytes, cp.deadBytes = c.liveBytes, c.deadBytes
	} else {
		cp.liveBytes = l.Size() - l.Header().Len()
	}
	if frozen {
		st.freeze(cp)
	} else {
		st.save(cp)
	}
	return cp
}
