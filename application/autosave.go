package application

import (
	"fmt"
	"time"

	"github.com/fscollections/fscollections/domain"
	"github.com/google/uuid"
)

// autosave makes a store's changes durable in the background, every
// interval, until stopped: the old database's start_autosave and
// stop_autosave, which could be re-timed while running.
type autosave struct {
	stop chan struct{}
	done chan struct{}
}

// StartAutosave makes the store's changes durable (Sync) every interval in
// the background, from now until StopAutosave or Close. Calling it while
// autosave runs changes its interval. A failed Sync is reported by Err.
// It is the run-time form of Options{Sync: SyncInterval}.
func (s *UserStore) StartAutosave(interval time.Duration) error {
	if interval <= 0 {
		return fmt.Errorf("%w: autosave interval %v is not positive", domain.ErrInvalidOptions, interval)
	}
	if err := s.m.Usable(); err != nil {
		return err
	}
	s.autoMu.Lock()
	defer s.autoMu.Unlock()
	s.stopAutosaveLocked()
	a := &autosave{stop: make(chan struct{}), done: make(chan struct{})}
	s.auto = a
	go func() {
		defer close(a.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-a.stop:
				return
			case <-t.C:
				if err := s.m.Sync(); err != nil && err != domain.ErrClosed {
					s.setErr(err)
				}
			}
		}
	}()
	return nil
}

// StopAutosave stops the background saving StartAutosave began, and
// makes what was written so far durable. Stopping a store with no
// autosave running only syncs.
func (s *UserStore) StopAutosave() error {
	s.autoMu.Lock()
	s.stopAutosaveLocked()
	s.autoMu.Unlock()
	return s.m.Sync()
}

// Autosaving reports whether StartAutosave's background saving runs.
func (s *UserStore) Autosaving() bool {
	s.autoMu.Lock()
	defer s.autoMu.Unlock()
	return s.auto != nil
}

func (s *UserStore) stopAutosaveLocked() {
	if s.auto != nil {
		close(s.auto.stop)
		<-s.auto.done
		s.auto = nil
	}
}

// GetMany returns the users with these IDs, in the order of the IDs,
// skipping IDs with no user (a repeated ID gives its user again). It
// looks them up together under one lock hold, as Has does.
func (s *UserStore) GetMany(ids ...uuid.UUID) ([]domain.User, error) {
	out := make([]domain.User, 0, len(ids))
	var dec domain.UserDecoder
	err := chunks(len(ids), func(lo, hi int) error {
		return s.m.ReadBatch(func(r domain.MapReader[[]byte]) error {
			var k keys
			for _, off := range k.find(r, userKeys(&k, ids[lo:hi])) {
				if off == 0 {
					continue
				}
				b, err := r.ViewAt(off)
				if err != nil {
					return err
				}
				u, err := dec.Decode(b)
				if err != nil {
					return err
				}
				out = append(out, u)
			}
			return nil
		})
	})
	return out, err
}
