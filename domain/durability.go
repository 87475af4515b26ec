package domain

import (
	"runtime"
	"sync"
	"time"
)

// durability makes writes durable: group commit under SyncAlways (one
// fsync for every writer waiting), the background loop of SyncInterval,
// SyncNever's fsync in a pause of the writes, and Sync.
type durability struct {
	c        *core
	gs       groupSync
	stopSync chan struct{}
	syncDone chan struct{}
	stopOnce sync.Once
	idle     idleSync
}

// idleSync is SyncNever's background fsync after a pause in the writes
// (see Config.IdleSyncBytes). Its fields are guarded by the core's mu,
// but wg and the stop channel once made.
type idleSync struct {
	running bool   // a goroutine is waiting for a pause
	stopped bool   // Close began: no goroutine starts any more
	seq     uint64 // the log (its logSeq) that synced is a size of
	synced  int64  // that log's size at its last fsync known here
	stop    chan struct{}
	wg      sync.WaitGroup
}

// waitDurable returns once the log bytes below target are on disk. Writers
// waiting together share one fsync: the first to arrive flushes and syncs
// for all that appended before it (group commit).
func (du *durability) waitDurable(seq uint64, target int64) error {
	c := du.c
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
func (du *durability) flushAndSync(seq uint64) (int64, error) {
	c := du.c
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

func (du *durability) syncLoop(every time.Duration) {
	c := du.c
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

func (du *durability) stopSyncLoop() {
	c := du.c
	c.stopOnce.Do(func() {
		if c.stopSync != nil {
			close(c.stopSync)
			<-c.syncDone
		}
	})
}

// maybeIdleSync starts the idle sync's goroutine when a SyncNever
// collection has logged IdleSyncBytes since the last fsync (not for a
// Shared collection, whose writes flush under the file lock, nor for a
// temporary one, whose files go at Close). Write lock held, after a
// write.
func (du *durability) maybeIdleSync() {
	c, s := du.c, &du.idle
	if c.cfg.Sync != SyncNever || c.cfg.Shared || c.cfg.ReadOnly || c.cfg.Temporary || s.running || s.stopped {
		return
	}
	size := c.log.Size()
	if s.seq != c.logSeq {
		// The first write to this log: it was synced when opened, or made
		// by a Compact or Clear (which fsync it) during this very write.
		s.seq, s.synced = c.logSeq, size
		if c.writeSeq == c.logSeq {
			s.synced = c.writeStart
		}
	}
	if size-s.synced < c.cfg.IdleSyncBytes {
		return
	}
	if s.stop == nil {
		s.stop = make(chan struct{})
	}
	s.running = true
	s.wg.Add(1)
	go du.idleSyncLoop(s.stop, c.logSeq, size)
}

// idleSyncLoop waits until the log's size stays the same for
// IdleSyncQuiet, then flushes and fsyncs it without the lock, as the
// SyncInterval loop does. Writes meanwhile only postpone it.
func (du *durability) idleSyncLoop(stop <-chan struct{}, seq uint64, size int64) {
	c, s := du.c, &du.idle
	defer s.wg.Done()
	t := time.NewTimer(c.cfg.IdleSyncQuiet)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		c.mu.Lock()
		if c.closed || c.logSeq != seq {
			s.running = false
			c.mu.Unlock()
			return
		}
		if now := c.log.Size(); now != size {
			size = now
			c.mu.Unlock()
			t.Reset(c.cfg.IdleSyncQuiet)
			continue
		}
		c.mu.Unlock()
		end, err := c.flushAndSync(seq)
		c.mu.Lock()
		s.running = false
		switch {
		case err != nil:
			c.bgErr = err
		case s.seq == seq && end > s.synced:
			s.synced = end
		}
		c.mu.Unlock()
		return
	}
}

// stopIdleSync stops the idle sync for Close and Destroy, waiting for an
// fsync under way. Called without the lock.
func (du *durability) stopIdleSync() {
	c, s := du.c, &du.idle
	c.mu.Lock()
	stopping := !s.stopped && s.stop != nil
	s.stopped = true
	c.mu.Unlock()
	if stopping {
		close(s.stop)
	}
	s.wg.Wait()
}

// Sync makes every write so far durable: flush and fsync.
func (du *durability) Sync() error {
	c := du.c
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
	if err == nil && du.idle.seq == c.logSeq {
		du.idle.synced = c.log.Size()
	}
	c.mu.Unlock()
	return err
}
