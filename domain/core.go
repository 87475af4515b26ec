package domain

import (
	"encoding/binary"
	"errors"
	"fmt"
	"runtime"
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
	save(cp *checkpoint)
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
	unmaps []func() error
	// untouched is set by a clean open; see stillUntouched.
	untouched untouched
	applied   int64 // log bytes applied to st
	canCut    bool  // replay may cut a torn tail (write lock held on the files)

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

	// Every index file save goes through saveIndex, which counts them in
	// saveGen under saveMu: a background checkpoint taken before a newer
	// save is dropped instead of overwriting it.
	saveMu    sync.Mutex
	saveGen   uint64
	bg        sync.WaitGroup // background checkpoints
	bgRunning atomic.Bool

	epoch       atomic.Uint64 // bumped when positions become meaningless (Clear, reload)
	activeIters atomic.Int32

	cleanShutdown bool
	recoveries    atomic.Int64
	replayed      atomic.Int64
	torn          atomic.Int64
	compactions   atomic.Int64
	reads         atomic.Int64
	cacheHits     atomic.Int64
	cacheMisses   atomic.Int64
	cacheEvicts   atomic.Int64

	scratch []byte
	defrag  func() // the state's defrag, if it has one

	gs       groupSync
	stopSync chan struct{}
	syncDone chan struct{}
	stopOnce sync.Once
	bgErr    error // guarded by mu: the last background fsync failure

	errMu   sync.Mutex
	iterErr error

	// wake, when not nil, is closed by the next successful write or by
	// Close, waking the goroutines waiting in List.Take. Guarded by mu.
	wake    chan struct{}
	wakeMu  sync.Mutex
	waiting atomic.Bool // wake is not nil: a write must close it
	// writeStart and writeSeq are the log's size and sequence when the
	// current write began: endWrite signals only a write that wrote.
	writeStart int64
	writeSeq   uint64

	// failure, once set, refuses every further write: after a failed fsync
	// the kernel may have dropped dirty pages, so what is on disk is
	// unknown until the files are reopened and replayed.
	failure atomic.Pointer[error]
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

func openCore(storage Storage, cfg Config, st state) (*core, error) {
	if cfg.CompactionFloor == 0 {
		cfg.CompactionFloor = DefaultCompactionFloor
	}
	if cfg.CheckpointEvery == 0 {
		cfg.CheckpointEvery = DefaultCheckpointEvery
	}
	c := &core{cfg: cfg, storage: storage, index: storage.Index(), st: st}
	c.lay = newLayout(c)
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

func (c *core) open() error {
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
		// crash from here on leaves no marker behind.
		if err := c.index.Truncate(bodyLen); err != nil {
			return fmt.Errorf("fscollections: strip clean marker: %w", err)
		}
		if clean && !c.cfg.Shared && c.lay.checkpointsAside() {
			c.untouched = untouched{ok: true, logSize: c.log.Size(), logSeq: c.logSeq, saveGen: c.saveGen}
		}
	}
	return nil
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

// stillUntouched reports whether nothing was written since a clean open.
// Write lock held, background checkpoints finished.
func (c *core) stillUntouched() bool {
	u := c.untouched
	c.saveMu.Lock()
	gen := c.saveGen
	c.saveMu.Unlock()
	return u.ok && u.logSeq == c.logSeq && u.logSize == c.log.Size() && u.saveGen == gen
}

// load (re)opens the live data file and rebuilds the state from the index
// checkpoint, if one is valid for it, plus a replay of the records after it.
// It returns whether the checkpoint was clean and covered the whole file,
// and the checkpoint's length when it carried the clean-close marker.
func (c *core) load() (clean bool, markedLen int64, err error) { return c.lay.load() }

// loadLog is load for the log layout.
func (c *core) loadLog() (clean bool, markedLen int64, err error) {
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
func (c *core) refuseSwapLayout(h FileHeader, path string) error {
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
func (c *core) dropIndex() error {
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
func (c *core) loadIndex() (raw []byte, unmap func() error, err error) {
	if c.cfg.Shared || c.cfg.ReadOnly {
		raw, err = c.index.Load()
		return raw, nil, err
	}
	return c.index.Map()
}

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

// replay applies the records in [from, end) of the log.
func (c *core) replay(from, end int64) error {
	pos := from
	for pos < end {
		h, payload, n, status := c.recordAt(pos, end)
		if status != recordOK {
			next, err := c.damaged(pos, end, h, n, status)
			if err != nil {
				return err
			}
			if next < 0 { // torn tail: stop here
				end = pos
				break
			}
			pos = next
			continue
		}
		if h.Op == OpMark {
			if len(payload) == 8 {
				c.version = max(c.version, binary.BigEndian.Uint64(payload))
			}
			c.deadBytes += n
		} else if _, err := c.st.apply(c, h.Op, pos, payload, n); err != nil {
			return err
		}
		c.replayed.Add(1)
		pos += n
	}
	c.applied = end
	return nil
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

// recordAt validates the record at pos, which must end by end.
func (c *core) recordAt(pos, end int64) (RecordHeader, []byte, int64, recordStatus) {
	var h RecordHeader
	if end-pos < RecordHeaderSize {
		return h, nil, 0, recordBadHeader
	}
	hb, err := c.log.View(pos, RecordHeaderSize)
	if err != nil {
		return h, nil, 0, recordBadHeader
	}
	h = ParseRecordHeader(hb)
	if !h.Op.valid() || h.Size > MaxPayload || int64(h.Size) > end-pos-RecordHeaderSize {
		return h, nil, 0, recordBadHeader
	}
	n := RecordHeaderSize + int64(h.Size)
	payload, err := c.log.View(pos+RecordHeaderSize, int(h.Size))
	if err != nil {
		return h, nil, 0, recordBadHeader
	}
	hb, _ = c.log.View(pos, RecordHeaderSize)
	if !CheckRecord(hb, payload) {
		return h, payload, n, recordBadChecksum
	}
	return h, payload, n, recordOK
}

// damaged decides what a bad record at pos means.
//
// A torn tail is only ever the last bytes of the file, and only ever looks
// like what an interrupted append leaves: part of a record (a header, or a
// header claiming more bytes than follow) or bytes never written (zeros).
// Such a tail is cut off (when this handle may write) and next is -1.
//
// Anything else is damage: a record whose bytes are all there but fail
// their checksum, a header no append writes, or any bad record followed by
// an intact one. A list element logged by an append keeps its place when
// its size field is borne out (the record after it is intact, or it ends
// exactly at the end of the log): reads of it fail with ErrCorrupt and
// next is where replay resumes. Any other damaged record cannot be applied
// safely, and Open fails with ErrCorrupt naming the file and offset rather
// than guess or drop what follows.
func (c *core) damaged(pos, end int64, h RecordHeader, n int64, status recordStatus) (next int64, err error) {
	if !c.intactAfter(pos, end) && c.looksTorn(pos, end, h, status) {
		if c.canCut {
			if err := c.log.Truncate(pos); err != nil {
				return 0, fmt.Errorf("fscollections: cut torn tail of %s at %d: %w", c.log.Path(), pos, err)
			}
			c.torn.Add(end - pos)
		}
		return -1, nil
	}
	if status == recordBadChecksum && h.Op == OpAppend && c.cfg.Header.Kind == KindList && c.lay.valuesInLog() {
		sizeHolds := pos+n == end
		if !sizeHolds {
			_, _, _, s := c.recordAt(pos+n, end)
			sizeHolds = s == recordOK
		}
		if sizeHolds {
			if _, err := c.st.apply(c, OpAppend, pos, nil, n); err != nil {
				return 0, err
			}
			return pos + n, nil
		}
	}
	if status == recordBadChecksum {
		return 0, corrupt(c.log.Path(), pos, "%s record fails its checksum", opName(h.Op))
	}
	return 0, corrupt(c.log.Path(), pos, "unreadable record header (op %d, size %d) with %d bytes after it", byte(h.Op), h.Size, end-pos-RecordHeaderSize)
}

// intactAfter reports whether an intact record starts anywhere in
// (pos, end). The checksums this costs are bounded: past the budget the
// question is left open, and an open question is answered the safe way
// (yes: nothing is cut).
func (c *core) intactAfter(pos, end int64) bool {
	budget := int64(scanBudget)
	for p := pos + 1; p+RecordHeaderSize <= end; p++ {
		h, _, _, s := c.recordAt(p, end)
		if s == recordOK {
			return true
		}
		if s != recordBadChecksum {
			continue // no checksum computed: nothing to charge
		}
		if budget -= int64(h.Size) + RecordHeaderSize; budget < 0 {
			return true
		}
	}
	return false
}

// looksTorn reports whether the bytes [pos, end), the last of the log,
// are what an interrupted append leaves: less than a header, nothing but
// zeros (space a power cut left unwritten), or a header claiming more
// bytes than follow it, unless those bytes verify as a whole record of
// the length that does follow (then the record is complete and only its
// size field is damaged).
func (c *core) looksTorn(pos, end int64, h RecordHeader, status recordStatus) bool {
	rest := end - pos
	if rest < RecordHeaderSize {
		return true
	}
	b, err := c.log.View(pos, int(min(rest, 1<<20)))
	if err != nil {
		return true // unreachable: pos and end lie in the log
	}
	if allZero(b) && (rest <= 1<<20 || c.zeroFrom(pos+1<<20, end)) {
		return true
	}
	if status != recordBadHeader || !h.Op.valid() || h.Size > MaxPayload || int64(h.Size) <= rest-RecordHeaderSize {
		return false
	}
	whole, err := c.log.View(pos, int(rest))
	if err != nil {
		return true
	}
	fixed := append([]byte(nil), whole[:RecordHeaderSize]...)
	binary.BigEndian.PutUint64(fixed[2:10], uint64(rest-RecordHeaderSize))
	return !CheckRecord(fixed, whole[RecordHeaderSize:])
}

// zeroFrom reports whether the log holds only zeros in [from, end).
func (c *core) zeroFrom(from, end int64) bool {
	for from < end {
		n := min(end-from, 1<<20)
		b, err := c.log.View(from, int(n))
		if err != nil || !allZero(b) {
			return false
		}
		from += n
	}
	return true
}

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

// recordLen is the total length of the record at off, or 0 if unreadable,
// which includes a header claiming more than MaxPayload (a larger size
// could overflow the sum).
func (c *core) recordLen(off int64) int64 {
	hb, err := c.vals().View(off, RecordHeaderSize)
	if err != nil {
		return 0
	}
	size := ParseRecordHeader(hb).Size
	if size > MaxPayload {
		return 0
	}
	return RecordHeaderSize + int64(size)
}

// payloadAt returns the verified payload of the record at off.
func (c *core) payloadAt(off int64) (Op, []byte, error) {
	hb, err := c.vals().View(off, RecordHeaderSize)
	if err != nil {
		return 0, nil, corrupt(c.vals().Path(), off, "record header out of range: %v", err)
	}
	h := ParseRecordHeader(hb)
	if h.Size > MaxPayload || off > c.vals().Size()-RecordHeaderSize-int64(h.Size) {
		return 0, nil, corrupt(c.vals().Path(), off, "record size %d out of range", h.Size)
	}
	p, err := c.vals().View(off+RecordHeaderSize, int(h.Size))
	if err != nil {
		return 0, nil, corrupt(c.vals().Path(), off, "record out of range: %v", err)
	}
	hb, _ = c.vals().View(off, RecordHeaderSize)
	if !CheckRecord(hb, p) {
		return 0, nil, corrupt(c.vals().Path(), off, "checksum mismatch")
	}
	return h.Op, p, nil
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

// valueAt returns the verified value bytes of the record at off. The slice
// is valid while the caller holds the lock.
func (c *core) valueAt(off int64) ([]byte, error) {
	c.reads.Add(1)
	op, p, err := c.payloadAt(off)
	if err != nil {
		return nil, err
	}
	return valueIn(c.vals().Path(), off, op, p)
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

// deletedFlag is the deleted flag's byte when set (shared, so that setting
// it allocates nothing; Log.WriteAt only reads it).
var deletedFlag = []byte{1}

// settle finishes applying an n-byte record, which made the record at dead
// (if not 0) dead, or failed with err: it accounts the record and flags the
// dead one deleted in place.
func (c *core) settle(n, dead int64, err error) error {
	c.applied = c.log.Size()
	c.sinceCompact += n
	if err != nil {
		return err
	}
	if dead > 0 {
		if err := c.log.WriteAt(deletedFlag, dead+deletedAt); err != nil {
			return fmt.Errorf("fscollections: flag record at %d deleted: %w", dead, err)
		}
		if c.cfg.Cache != nil {
			c.cfg.Cache.Remove(dead)
		}
	}
	return nil
}

// markDead accounts a record made dead.
func (c *core) markDead(off int64) {
	n := c.recordLen(off)
	c.liveBytes -= n
	c.deadBytes += n
}

// usable returns ErrClosed once the collection is closed, and nil while
// it can be read.
func (c *core) usable() error {
	if err := c.beginRead(); err != nil {
		return err
	}
	c.endRead()
	return nil
}

// --- locking -------------------------------------------------------------

func (c *core) beginRead() error {
	if c.cfg.Shared {
		c.mu.Lock()
		if c.closed {
			c.mu.Unlock()
			return ErrClosed
		}
		if err := c.storage.Lock(false); err != nil {
			c.mu.Unlock()
			return err
		}
		if err := c.catchUp(); err != nil {
			_ = c.storage.Unlock()
			c.mu.Unlock()
			return err
		}
		return nil
	}
	c.mu.RLock()
	if c.closed {
		c.mu.RUnlock()
		return ErrClosed
	}
	return nil
}

func (c *core) endRead() {
	if c.cfg.Shared {
		_ = c.storage.Unlock()
		c.mu.Unlock()
		return
	}
	c.mu.RUnlock()
}

func (c *core) beginWrite() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return ErrClosed
	}
	if c.cfg.ReadOnly {
		c.mu.Unlock()
		return ErrReadOnly
	}
	if err := c.failed(); err != nil {
		c.mu.Unlock()
		return err
	}
	if c.cfg.Shared {
		if err := c.storage.Lock(true); err != nil {
			c.mu.Unlock()
			return err
		}
		c.canCut = true
		if err := c.catchUp(); err != nil {
			c.canCut = false
			_ = c.storage.Unlock()
			c.mu.Unlock()
			return err
		}
	}
	c.writeStart, c.writeSeq = c.log.Size(), c.logSeq
	return nil
}

// changed returns a channel closed by the next successful write or by
// Close. Lock held (either kind is enough: wake is only replaced under the
// write lock, and readers that race to make it are serialized by wakeMu).
func (c *core) changed() <-chan struct{} {
	c.wakeMu.Lock()
	defer c.wakeMu.Unlock()
	if c.wake == nil {
		c.wake = make(chan struct{})
		c.waiting.Store(true)
	}
	return c.wake
}

// signal wakes the goroutines waiting for a change.
func (c *core) signal() {
	if !c.waiting.Load() {
		return // nobody waits: a write pays one atomic load
	}
	c.wakeMu.Lock()
	if c.wake != nil {
		close(c.wake)
		c.wake = nil
		c.waiting.Store(false)
	}
	c.wakeMu.Unlock()
}

// endWrite finishes a write begun with beginWrite: housekeeping, then
// durability as the sync mode asks. err is the operation's own result.
func (c *core) endWrite(err error) error {
	if err == nil && (c.log.Size() != c.writeStart || c.logSeq != c.writeSeq) {
		c.signal() // something was written
	}
	if err == nil {
		err = c.housekeeping()
	}
	if c.cfg.Shared {
		c.canCut = false
		if ferr := c.must(c.log.Flush()); ferr != nil && err == nil {
			err = ferr
		}
		if c.cfg.Sync == SyncAlways && err == nil {
			err = c.must(c.log.SyncData())
		}
		if uerr := c.storage.Unlock(); uerr != nil && err == nil {
			err = uerr
		}
		c.mu.Unlock()
		return err
	}
	if c.cfg.Sync != SyncAlways || err != nil {
		c.mu.Unlock()
		return err
	}
	seq, target := c.logSeq, c.log.Size()
	c.mu.Unlock()
	return c.waitDurable(seq, target)
}

// waitDurable returns once the log bytes below target are on disk. Writers
// waiting together share one fsync: the first to arrive flushes and syncs
// for all that appended before it (group commit).
func (c *core) waitDurable(seq uint64, target int64) error {
	g := &c.gs
	g.mu.Lock()
	defer g.mu.Unlock()
	for g.seq == seq && g.durable < target {
		if g.syncing {
			g.cond.Wait()
			continue
		}
		g.syncing = true
		g.mu.Unlock()
		// Writers released by the previous fsync are about to append
		// again: let them, so this fsync carries them too.
		runtime.Gosched()
		end, err := c.flushAndSync(seq)
		g.mu.Lock()
		g.syncing = false
		if err == nil && g.seq == seq && end > g.durable {
			g.durable = end
		}
		g.cond.Broadcast()
		if err != nil {
			return err
		}
	}
	return nil
}

// flushAndSync flushes the log under the lock and fsyncs it without,
// so writers keep appending meanwhile. It reports the size made durable.
func (c *core) flushAndSync(seq uint64) (int64, error) {
	c.mu.Lock()
	if c.closed || c.logSeq != seq {
		// Close and log replacement sync everything themselves.
		c.mu.Unlock()
		return 1<<63 - 1, nil
	}
	log := c.log
	err := c.must(log.Flush())
	end := log.Size()
	c.fileMu.RLock()
	c.mu.Unlock()
	if err == nil {
		err = c.must(log.SyncData())
	}
	c.fileMu.RUnlock()
	return end, err
}

func (c *core) syncLoop(every time.Duration) {
	defer close(c.syncDone)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-c.stopSync:
			return
		case <-t.C:
			c.mu.Lock()
			seq := c.logSeq
			c.mu.Unlock()
			if _, err := c.flushAndSync(seq); err != nil {
				c.mu.Lock()
				c.bgErr = err
				c.mu.Unlock()
			}
		}
	}
}

func (c *core) stopSyncLoop() {
	c.stopOnce.Do(func() {
		if c.stopSync != nil {
			close(c.stopSync)
			<-c.syncDone
		}
	})
}

// catchUp brings the state up to date with what other processes wrote
// (Shared mode), under the cross-process lock.
func (c *core) catchUp() error {
	replaced, err := c.log.Refresh()
	if err != nil {
		return err
	}
	if replaced {
		_, _, err := c.load()
		return err
	}
	if size := c.log.Size(); size > c.applied {
		return c.replay(c.applied, size)
	}
	return nil
}

// --- public operations shared by all kinds ---------------------------------

func (c *core) Len() int {
	if c.beginRead() != nil {
		return 0
	}
	defer c.endRead()
	return c.st.length()
}

func (c *core) Sync() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return ErrClosed
	}
	if c.cfg.ReadOnly {
		c.mu.Unlock()
		return nil
	}
	if err := c.failed(); err != nil {
		c.mu.Unlock()
		return err
	}
	err := c.lay.flushValues()
	if err == nil {
		err = c.must(c.log.Flush())
	}
	if err == nil {
		err = c.must(c.log.SyncData())
	}
	if err == nil {
		err, c.bgErr = c.bgErr, nil
	}
	c.mu.Unlock()
	return err
}

func (c *core) Compact() error {
	if err := c.beginWrite(); err != nil {
		return err
	}
	return c.endWrite(c.rewrite(false))
}

func (c *core) Clear() error {
	if err := c.beginWrite(); err != nil {
		return err
	}
	if err := c.appendOnly("Clear"); err != nil {
		return c.endWrite(err)
	}
	return c.endWrite(c.rewrite(true))
}

func (c *core) Close() error {
	c.stopSyncLoop()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	c.bg.Wait() // no new one starts: that needs mu
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

func (c *core) Destroy() error {
	c.stopSyncLoop()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return ErrClosed
	}
	c.bg.Wait()
	err := c.release()
	return errors.Join(err, c.storage.Destroy())
}

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
	m.CleanShutdown = c.cleanShutdown
	m.Recoveries = c.recoveries.Load()
	m.RecordsReplayed = c.replayed.Load()
	m.TornBytes = c.torn.Load()
	m.Compactions = c.compactions.Load()
	m.CacheHits = c.cacheHits.Load()
	m.CacheMisses = c.cacheMisses.Load()
	m.CacheEvictions = c.cacheEvicts.Load()
	m.Reads = c.reads.Load()
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

// readRuns visits n records, whose offsets off(k) gives, with their
// verified value bytes. Physically contiguous records are read as one run:
// one View and one count in Metrics.Reads. fn runs with the lock held.
func (c *core) readRuns(n int, off func(k int) int64, fn func(k int, off int64, val []byte) error) error {
	path := c.vals().Path()
	return c.readRecords(n, off, func(k int, o int64, op Op, p []byte) error {
		v, err := valueIn(path, o, op, p)
		if err != nil {
			return err
		}
		return fn(k, o, v)
	})
}

// readRecords is readRuns handing over each record's op and verified
// payload instead of its value.
func (c *core) readRecords(n int, off func(k int) int64, fn func(k int, off int64, op Op, payload []byte) error) error {
	size := c.vals().Size()
	path := c.vals().Path()
	for k := 0; k < n; {
		start := off(k)
		end, j := start, k
		for j < n && off(j) == end {
			l := c.recordLen(end)
			if l == 0 || end+l > size {
				break
			}
			end += l
			j++
		}
		if j == k { // the record at start is unreadable: report it
			_, _, err := c.payloadAt(start)
			if err == nil {
				err = corrupt(path, start, "unreadable record")
			}
			return err
		}
		run, err := c.vals().View(start, int(end-start))
		if err != nil {
			return corrupt(path, start, "record run out of range: %v", err)
		}
		c.reads.Add(1)
		for i := k; i < j; i++ {
			o := off(i)
			rec := run[o-start:]
			h := ParseRecordHeader(rec)
			p := rec[RecordHeaderSize : RecordHeaderSize+h.Size]
			if !CheckRecord(rec[:RecordHeaderSize], p) {
				return corrupt(path, o, "checksum mismatch")
			}
			if err := fn(i, o, h.Op, p); err != nil {
				return err
			}
		}
		k = j
	}
	return nil
}
