package fscollections

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/google/uuid"
)

// The UserStore's import and export in the old database's formats, and
// its autosave: what the store offers beside the store itself.

// importBatch is how many users Import adds per Add call.
const importBatch = 4096

type jsonUser struct {
	Name   string         `json:"name"`
	Age    int            `json:"age"`
	ID     string         `json:"ID"`
	Extras map[string]any `json:"extras"`
}

// Export writes every user to w in format.
func (s *UserStore) Export(w io.Writer, format ExportFormat) error {
	if format != ExportJSONLines && format != ExportText {
		return fmt.Errorf("%w: unknown export format %d", ErrInvalidOptions, format)
	}
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for u := range s.All() {
		var err error
		if format == ExportText {
			_, err = fmt.Fprintf(bw, "%s (ID: %s)\n", u, u.ID)
		} else {
			extras := u.Extras
			if extras == nil {
				extras = map[string]any{}
			}
			err = enc.Encode(jsonUser{Name: u.Name, Age: u.Age, ID: u.ID.String(), Extras: extras})
		}
		if err != nil {
			return err
		}
	}
	if err := s.Err(); err != nil {
		return err
	}
	return bw.Flush()
}

// Import reads users in the old JSON-lines format and adds them (IDs
// already present are skipped). Every line is parsed and validated before
// anything is written, so a malformed line, reported with its number,
// leaves the store unchanged; if a write fails midway, the users this call
// added are removed again.
func (s *UserStore) Import(r io.Reader) (added int, err error) {
	var users []User
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	line := 0
	for sc.Scan() {
		line++
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		var ju jsonUser
		dec := json.NewDecoder(bytes.NewReader(text))
		dec.UseNumber()
		if err := dec.Decode(&ju); err != nil {
			return 0, fmt.Errorf("fscollections: import line %d: %w", line, err)
		}
		u := User{Name: ju.Name, Age: ju.Age, Extras: numbersToGo(ju.Extras)}
		if ju.ID != "" {
			if u.ID, err = uuid.Parse(ju.ID); err != nil {
				return 0, fmt.Errorf("fscollections: import line %d: ID: %w", line, err)
			}
		}
		if err := u.Validate(); err != nil {
			return 0, fmt.Errorf("fscollections: import line %d: %w", line, err)
		}
		if len(u.Extras) == 0 {
			u.Extras = nil
		}
		users = append(users, u)
	}
	if err := sc.Err(); err != nil {
		return 0, fmt.Errorf("fscollections: import after line %d: %w", line, err)
	}
	var fresh []uuid.UUID
	seen := make(map[uuid.UUID]bool, len(users))
	for i := range users {
		if users[i].ID == uuid.Nil {
			users[i].ID = uuid.New()
		}
		if id := users[i].ID; !seen[id] && !s.m.Contains(userKey(id)) {
			fresh = append(fresh, id)
		}
		seen[users[i].ID] = true
	}
	for i := 0; i < len(users); i += importBatch {
		if err := s.Add(users[i:min(i+importBatch, len(users))]...); err != nil {
			if len(fresh) > 0 {
				err = errors.Join(err, s.RemoveIDs(fresh...))
			}
			return 0, err
		}
	}
	return len(fresh), nil
}

// numbersToGo turns json.Numbers into int when whole, float64 otherwise,
// recursively, as the old database kept them.
func numbersToGo(v map[string]any) map[string]any {
	for k, x := range v {
		v[k] = numberToGo(x)
	}
	return v
}

func numberToGo(x any) any {
	switch y := x.(type) {
	case json.Number:
		if i, err := y.Int64(); err == nil {
			return int(i)
		}
		f, _ := y.Float64()
		return f
	case map[string]any:
		return numbersToGo(y)
	case []any:
		for i := range y {
			y[i] = numberToGo(y[i])
		}
	}
	return x
}

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
		return fmt.Errorf("%w: autosave interval %v is not positive", ErrInvalidOptions, interval)
	}
	if err := s.m.inner().Usable(); err != nil {
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
				if err := s.m.Sync(); err != nil && err != ErrClosed {
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
