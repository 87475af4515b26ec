package domain

import (
	"runtime"
	"sync"
	"time"
)

// durability makes writes durable: group commit under SyncAlways (one
// fsync for every writer waiting), the background loop of SyncInterval,
// and Sync.
type durability struct {
	c        *core
	gs       groupSync
	stopSync chan struct{}
	syncDone chan struct{}
	stopOnce sync.Once
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
	c.mu.Unlock()
	return err
}
