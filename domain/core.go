package domain

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// state is the in-memory index of one kind of collection. Every change to
// it goes through apply, both for a live write and when replaying the log, so
// what recovery rebuilds is by construction what the writes built.
type state interface {
	reset()
	// apply applies the record at off. It returns the offset of a record
	// the operation made dead (to flag it deleted on disk), or 0.
	apply(c *core, op Op, off int64, payload []byte, recLen int64) (dead int64, err error)
	load(cp *checkpoint)
	// save puts the state's arrays in cp, as they are (views).
	save(cp *checkpoint)
	// freeze replaces cp's arrays, put there by save, by frozen copies a
	// goroutine can read while the state changes (see offsets.freeze).
	freeze(cp *checkpoint)
	length() int
	// compact copies the live records, in logical order, to dst and returns
	// the state that indexes them there.
	compact(c *core, dst Log) (state, error)
	// adopt takes over next's contents (after compact).
	adopt(next state)
	empty() state
	heapBytes() int64
}

// core is the engine shared by the three kinds: the log, the checkpoints,
// recovery, locking, durability and compaction. The typed collections
// (List, Map, Set) hold a core and their state.
type core struct {
	mu      sync.RWMutex
	cfg     Config
	storage Storage
	index   IndexFile
	log     Log    // the operation log: the data file, or a swap-and-pop list's journal
	lay     layout // where the values lie: in the log, or in a swap-and-pop list's slots
	logSeq  uint64 // bumped whenever log is replaced
	st      state
	closed  bool
	// unmaps release index files mapped by load, whose memory st may use
	// until the collection is closed.
	unmaps  []func() error
	applied int64 // log bytes applied to st
	canCut  bool  // replay may cut a torn tail (write lock held on the files)

	liveBytes, deadBytes int64
	// version is a versioned map's counter: at least every version
	// written or reported, so that the next write's is above them all.
	version      uint64
	ckptLength   int64 // data length covered by the index file's checkpoint
	sinceCompact int64

	// fileMu keeps the log's file open while a background fsync runs
	// without mu: closing or replacing the log takes it exclusively, and
	// bumps fileSeq, so background work can tell its file is gone.
	fileMu  sync.RWMutex
	fileSeq atomic.Uint64

	epoch       atomic.Uint64 // bumped when positions become meaningless (Clear, reload)
	activeIters atomic.Int32

	scratch []byte
	defrag  func() // the state's defrag, if it has one

	bgErr error // guarded by mu: the last background fsync failure
	// batchTime, when not 0, is the write time (Unix ns) of every entry a
	// batch writes under one hold of the write lock; see writeTime.
	batchTime int64

	errMu   sync.Mutex
	iterErr error

	// The parts of the engine, each in its own file. They reach the rest
	// of the core through their c.
	recovery    // opening: checkpoint and replay (recovery.go)
	replayer    // applying the log, torn tail or damage (replay.go)
	records     // reading records back (records.go)
	locks       // locking, Shared-mode catch-up, Take's wake-up (locks.go)
	durability  // group commit, the sync loop, Sync (durability.go)
	checkpoints // the index file (checkpoints.go)
	compaction  // Compact, Clear, CopyTo (compact.go)
	counters    // what Metrics reports of the handle's history (counters.go)

	// failure, once set, refuses every further write: after a failed fsync
	// the kernel may have dropped dirty pages, so what is on disk is
	// unknown until the files are reopened and replayed.
	failure atomic.Pointer[error]
}

// writeTime is the time recorded with a versioned entry written now:
// the batch's, in a batch. Write lock held.
func (c *core) writeTime() int64 {
	if c.batchTime != 0 {
		return c.batchTime
	}
	return time.Now().UnixNano()
}

// fail records err as the collection's failure (the first one wins) and returns it.
func (c *core) fail(err error) error {
	c.failure.CompareAndSwap(nil, &err)
	return err
}

// must passes on err from a file operation whose failure leaves what the
// files hold unknown (a flush, an fsync, a change in place), recording it
// as the collection's failure.
func (c *core) must(err error) error {
	if err != nil {
		return c.fail(err)
	}
	return nil
}

// failed returns the recorded failure, wrapped for a caller, or nil.
func (c *core) failed() error {
	if p := c.failure.Load(); p != nil {
		return fmt.Errorf("%w: %s (%w)", ErrFailed, c.log.Path(), *p)
	}
	return nil
}

type groupSync struct {
	mu      sync.Mutex
	cond    *sync.Cond
	syncing bool
	seq     uint64 // log sequence durable refers to
	durable int64
}

// newCore returns a core with its parts wired to it, not yet opened.
func newCore(cfg Config, st state) *core {
	c := &core{cfg: cfg, st: st}
	c.recovery.c, c.replayer.c, c.records.c, c.locks.c = c, c, c, c
	c.durability.c, c.checkpoints.c, c.compaction.c = c, c, c
	c.lay = newLayout(c)
	return c
}

func openCore(storage Storage, cfg Config, st state) (*core, error) {
	if cfg.CompactionFloor == 0 {
		cfg.CompactionFloor = DefaultCompactionFloor
	}
	if cfg.CheckpointEvery == 0 {
		cfg.CheckpointEvery = DefaultCheckpointEvery
	}
	if cfg.IdleSyncBytes == 0 {
		cfg.IdleSyncBytes = DefaultIdleSyncBytes
	}
	if cfg.IdleSyncQuiet == 0 {
		cfg.IdleSyncQuiet = DefaultIdleSyncQuiet
	}
	c := newCore(cfg, st)
	c.storage, c.index = storage, storage.Index()
	if d, ok := st.(interface{ defrag() }); ok {
		c.defrag = d.defrag
	}
	c.gs.cond = sync.NewCond(&c.gs.mu)
	err := c.open()
	if err != nil {
		c.st.reset()
		for _, unmap := range c.unmaps {
			_ = unmap()
		}
		if c.log != nil {
			_ = c.log.Close()
		}
		_ = c.lay.closeValues()
		_ = storage.Close()
		return nil, err
	}
	if cfg.Sync == SyncInterval && !cfg.ReadOnly {
		c.stopSync, c.syncDone = make(chan struct{}), make(chan struct{})
		go c.syncLoop(cfg.SyncEvery)
	}
	return c, nil
}

// untouched records, for a collection opened clean, what Close compares to
// tell that nothing was written since: then the index file still holds a
// checkpoint of the whole log, and putting its marker back is enough.
type untouched struct {
	ok      bool
	logSize int64
	logSeq  uint64
	saveGen uint64
}

// load (re)opens the live data file and rebuilds the state from the index
// checkpoint, if one is valid for it, plus a replay of the records after it.
// It returns whether the checkpoint was clean and covered the whole file,
// and the checkpoint's length when it carried the clean-close marker.
func (c *core) load() (clean bool, markedLen int64, err error) { return c.lay.load() }

// vals is the log that holds the values: the data file, which for a
// swap-and-pop list is not the operation log (the journal).
func (c *core) vals() Log { return c.lay.values() }

// replaceLog installs a newly opened log. Called with mu held (or before
// the collection is shared).
func (c *core) replaceLog(l Log) {
	c.fileMu.Lock()
	if c.log != nil {
		_ = c.log.Close()
	}
	c.log = l
	c.logSeq++
	c.fileSeq.Add(1)
	c.fileMu.Unlock()
	c.gs.mu.Lock()
	c.gs.seq, c.gs.durable = c.logSeq, 0
	c.gs.cond.Broadcast()
	c.gs.mu.Unlock()
	if c.cfg.Cache != nil && c.lay.valuesInLog() {
		c.cfg.Cache.Purge() // offsets of the old file mean nothing now
	}
}

// scanBudget bounds the bytes checksummed while looking for intact
// records after a damaged header.
const scanBudget = 256 << 20

type recordStatus int

const (
	recordOK recordStatus = iota
	recordBadHeader
	recordBadChecksum
)

func allZero(b []byte) bool {
	for _, x := range b {
		if x != 0 {
			return false
		}
	}
	return true
}

func opName(op Op) string {
	switch op {
	case OpAppend:
		return "append"
	case OpInsert:
		return "insert"
	case OpSet:
		return "set"
	case OpPop:
		return "pop"
	case OpReverse:
		return "reverse"
	case OpPut:
		return "put"
	case OpDelete:
		return "delete"
	case OpPutV:
		return "versioned put"
	case OpMark:
		return "version mark"
	}
	return fmt.Sprintf("op(%d)", byte(op))
}

// valueIn extracts the value from a verified payload.
func valueIn(path string, off int64, op Op, p []byte) ([]byte, error) {
	switch op {
	case OpAppend:
		return p, nil
	case OpInsert, OpSet:
		if len(p) >= 8 {
			return p[8:], nil
		}
	case OpPut, OpPutV:
		if _, v, _, ok := splitEntry(op, p); ok {
			return v, nil
		}
	}
	return nil, corrupt(path, off, "%s record holds no value", opName(op))
}

// nextVersion is the version of an entry about to be written at the end of
// the log: above every version written, and above the offset of every
// record (offset + 1 is the version reported for an entry written without
// one, by a map of an earlier format). Write lock held.
func (c *core) nextVersion() uint64 {
	return max(c.version+1, uint64(c.log.Size())+1)
}

// markRecord is the OpMark record carrying the version counter.
func (c *core) markRecord() []byte {
	rec := beginRecord(nil, OpMark)
	rec = binary.BigEndian.AppendUint64(rec, c.version)
	finishRecord(rec)
	return rec
}

// appendOnly returns ErrAppendOnly, naming op, when the collection is
// append-only. Write lock held.
func (c *core) appendOnly(op string) error {
	if c.cfg.AppendOnly {
		return fmt.Errorf("%w: %s would change what is written", ErrAppendOnly, op)
	}
	return nil
}

// maxScratch bounds the record buffer kept between writes: one huge value
// must not keep a buffer of its size alive until Close.
const maxScratch = 1 << 20

// keepScratch keeps rec's buffer for the next record, unless it is large.
// Called once rec has been appended (the log copies or writes it).
func (c *core) keepScratch(rec []byte) {
	if cap(rec) <= maxScratch {
		c.scratch = rec
	} else {
		c.scratch = nil
	}
}

// commit appends a finished record to the log and applies it to the state.
func (c *core) commit(rec []byte) error {
	off, err := c.appendRecord(rec)
	if err != nil {
		return err
	}
	return c.applyRecord(rec, off)
}

// appendRecord appends a finished record to the log (its buffer).
func (c *core) appendRecord(rec []byte) (int64, error) {
	if len(rec)-RecordHeaderSize > MaxPayload {
		return 0, fmt.Errorf("%w: %d bytes (the limit is %d)", ErrTooLarge, len(rec)-RecordHeaderSize, MaxPayload)
	}
	op := Op(rec[0])
	if op == OpPop || op == OpDelete || op == OpReverse {
		rec[deletedAt] = 1 // these records never hold a live value
	}
	off, err := c.log.Append(rec)
	if err != nil {
		return 0, c.must(err) // a full buffer could not be written
	}
	return off, nil
}

// applyRecord applies a record appended at off to the state.
func (c *core) applyRecord(rec []byte, off int64) error {
	n := int64(len(rec))
	dead, err := c.st.apply(c, Op(rec[0]), off, rec[RecordHeaderSize:], n)
	return c.settle(n, dead, err)
}

// settle finishes applying an n-byte record, which made the record at dead
// (if not 0) dead, or failed with err. The dead record is not touched: the
// data file is append-only, and which records are dead is the index's
// knowledge (see FORMAT.md, "The deleted flag").
func (c *core) settle(n, dead int64, err error) error {
	c.applied = c.log.Size()
	c.sinceCompact += n
	if err != nil {
		return err
	}
	if dead > 0 && c.cfg.Cache != nil {
		c.cfg.Cache.Remove(dead)
	}
	return nil
}

// markDead accounts a record made dead.
func (c *core) markDead(off int64) {
	n := c.recordLen(off)
	c.liveBytes -= n
	c.deadBytes += n
}

// --- locking -------------------------------------------------------------

// --- public operations shared by all kinds ---------------------------------

// Len returns the number of elements, 0 once closed.
func (c *core) Len() int {
	if c.beginRead() != nil {
		return 0
	}
	defer c.endRead()
	return c.st.length()
}

// Compact rewrites the data file with only the live records.
func (c *core) Compact() error {
	if err := c.beginWrite(); err != nil {
		return err
	}
	return c.endWrite(c.rewrite(false))
}

// Clear removes every element and shrinks the files.
func (c *core) Clear() error {
	if err := c.beginWrite(); err != nil {
		return err
	}
	if err := c.appendOnly("Clear"); err != nil {
		return c.endWrite(err)
	}
	return c.endWrite(c.rewrite(true))
}

// Close writes a checkpoint with the clean-close marker and releases the files.
func (c *core) Close() error {
	c.stopSyncLoop()
	c.stopIdleSync()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	// A background checkpoint still running is abandoned at its next step
	// (Close writes a newer one) and waited for: no new one starts, that
	// needs mu.
	c.bgAbandon.Store(true)
	c.bg.Wait()
	var err error
	if c.cfg.Temporary {
		return errors.Join(c.release(), c.storage.Destroy())
	}
	if ferr := c.failed(); ferr != nil {
		// No checkpoint: the next Open replays what is really on disk.
		return errors.Join(ferr, c.release())
	}
	if !c.cfg.ReadOnly {
		if c.cfg.Shared {
			if err = c.storage.Lock(true); err == nil {
				c.canCut = true
				err = c.catchUp()
				c.canCut = false
			}
		}
		switch {
		case err != nil:
		case c.stillUntouched():
			// Nothing written since a clean open: the index file is
			// still a checkpoint of the whole log, minus its marker.
			err = c.index.Append([]byte{cleanMarker})
		default:
			err = c.checkpoint(true)
		}
		if c.cfg.Shared {
			_ = c.storage.Unlock()
		}
	}
	err = errors.Join(err, c.bgErr, c.release())
	return err
}

// release closes the log and the storage. Called with mu held.
func (c *core) release() error {
	c.closed = true
	c.signal() // waiters in Take find the collection closed
	c.fileMu.Lock()
	c.fileSeq.Add(1)
	lerr := c.log.Close()
	lerr = errors.Join(lerr, c.lay.closeValues())
	c.fileMu.Unlock()
	c.gs.mu.Lock()
	c.gs.seq++
	c.gs.cond.Broadcast()
	c.gs.mu.Unlock()
	if c.cfg.Cache != nil {
		c.cfg.Cache.Purge()
	}
	// Nothing reads the index once closed: every operation checks closed
	// under mu first, and background checkpoints write theirs under mu.
	c.st.reset()
	for _, unmap := range c.unmaps {
		lerr = errors.Join(lerr, unmap())
	}
	c.unmaps = nil
	return errors.Join(lerr, c.storage.Close())
}

// Destroy closes the collection and deletes its files.
func (c *core) Destroy() error {
	c.stopSyncLoop()
	c.stopIdleSync()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return ErrClosed
	}
	c.bgAbandon.Store(true) // the files are going
	c.bg.Wait()
	err := c.release()
	return errors.Join(err, c.storage.Destroy())
}

// Metrics describes the collection, computed without disk writes.
func (c *core) Metrics() Metrics {
	var m Metrics
	if c.beginRead() == nil {
		m.Len = c.st.length()
		m.LiveBytes, m.DeadBytes = c.liveBytes, c.deadBytes
		m.DataFileBytes = c.vals().Size()
		m.IndexFileBytes = c.index.Size()
		m.IndexHeapBytes = c.st.heapBytes()
		c.endRead()
	}
	if total := m.LiveBytes + m.DeadBytes; total > 0 {
		m.FragmentationRatio = float64(m.DeadBytes) / float64(total)
	}
	m.WastedBytes = m.DeadBytes
	c.counters.fill(&m)
	return m
}

// Err returns the error that ended an iteration early since the last call
// to Err, and clears it.
func (c *core) Err() error {
	c.errMu.Lock()
	defer c.errMu.Unlock()
	err := c.iterErr
	c.iterErr = nil
	return err
}

func (c *core) setIterErr(err error) {
	c.errMu.Lock()
	if c.iterErr == nil {
		c.iterErr = err
	}
	c.errMu.Unlock()
}
