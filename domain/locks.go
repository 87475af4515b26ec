package domain

import (
	"sync"
	"sync/atomic"
)

// locks is the collection's locking: the in-process read-write lock, in
// Shared mode the file lock and the catch-up with other processes' writes,
// and the wake-up of goroutines waiting in List.Take.
type locks struct {
	c *core
	// wake, when not nil, is closed by the next successful write or by
	// Close, waking the goroutines waiting in List.Take. Guarded by wakeMu.
	wake    chan struct{}
	wakeMu  sync.Mutex
	waiting atomic.Bool // wake is not nil: a write must close it
	// writeStart and writeSeq are the log's size and sequence when the
	// current write began: endWrite signals only a write that wrote.
	writeStart int64
	writeSeq   uint64
}

// usable returns ErrClosed once the collection is closed, and nil while
// it can be read.
func (lk *locks) usable() error {
	c := lk.c
	if err := c.beginRead(); err != nil {
		return err
	}
	c.endRead()
	return nil
}

func (lk *locks) beginRead() error {
	c := lk.c
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

func (lk *locks) endRead() {
	c := lk.c
	if c.cfg.Shared {
		_ = c.storage.Unlock()
		c.mu.Unlock()
		return
	}
	c.mu.RUnlock()
}

func (lk *locks) beginWrite() error {
	c := lk.c
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
func (lk *locks) changed() <-chan struct{} {
	c := lk.c
	c.wakeMu.Lock()
	defer c.wakeMu.Unlock()
	if c.wake == nil {
		c.wake = make(chan struct{})
		c.waiting.Store(true)
	}
	return c.wake
}

// signal wakes the goroutines waiting for a change.
func (lk *locks) signal() {
	c := lk.c
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
func (lk *locks) endWrite(err error) error {
	c := lk.c
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
		if err == nil {
			c.maybeIdleSync()
		}
		c.mu.Unlock()
		return err
	}
	seq, target := c.logSeq, c.log.Size()
	c.mu.Unlock()
	return c.waitDurable(seq, target)
}

// catchUp brings the state up to date with what other processes wrote
// (Shared mode), under the cross-process lock.
func (lk *locks) catchUp() error {
	c := lk.c
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
