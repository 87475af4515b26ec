package fscollections

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"unsafe"

	"github.com/google/uuid"
)

// The UserStore's searches and changes, each a few batched FSMap calls
// per userBatch users.

// SearchByName returns every user with each of the names, in order of the
// names, then of insertion. SearchByName() is empty. A read error is
// reported by Err. The users' names share 8 KiB allocations, as iterated
// strings do. A large call is shared out between goroutines.
func (s *UserStore) SearchByName(names ...string) []User {
	shares := shareCount(len(names))
	if shares == 1 {
		return s.search(make([]User, 0, len(names)), names)
	}
	// Names are mostly unique: each share appends its users to its own
	// stretch of one slice holding a user per name, and the stretches are
	// then moved together. A share that finds more users than it has
	// names outgrows its stretch into an allocation of its own; the shares
	// are then concatenated.
	all := make([]User, len(names))
	found := make([][]User, shares)
	fits := make([]bool, shares)
	_ = inParallel(len(names), func(share, lo, hi int) error {
		found[share] = s.search(all[lo:lo:hi], names[lo:hi])
		fits[share] = len(found[share]) <= hi-lo
		return nil
	})
	if slices.Contains(fits, false) {
		return slices.Concat(found...)
	}
	out := all[:0]
	for _, f := range found {
		out = append(out, f...) // moves down: every stretch before f fits
	}
	clear(all[len(out):]) // the moved users' old places
	return out
}

// search appends to out the users with each of the names, in one goroutine.
func (s *UserStore) search(out []User, all []string) []User {
	var (
		kb    keyBuf
		ids   []uuid.UUID
		owner []int // owner[j]: the name of the batch whose entry gave ids[j]
		dec   userDecoder
	)
	for lo := 0; lo < len(all); lo += userBatch {
		group := all[lo:min(len(all), lo+userBatch)]
		ids, owner = ids[:0], owner[:0]
		err := s.m.GetManyFunc(indexKeys(&kb, group), func(i int, b []byte, found bool) {
			if !found {
				return
			}
			b, err := idsIn(group[i], b)
			if err != nil {
				s.setErr(err)
				return
			}
			for j := 0; j < len(b); j += idLen {
				ids = append(ids, uuid.UUID(b[j:j+idLen]))
				owner = append(owner, i)
			}
		})
		if err == nil {
			err = s.m.GetManyFunc(kb.users(ids), func(j int, b []byte, found bool) {
				if !found {
					return // indexed before a crash cut the add short
				}
				u, err := dec.decode(b) // copies what it keeps out of b
				if err != nil {
					s.setErr(err)
					return
				}
				// The index may name an ID whose user a crash removed and
				// that was added again under another name.
				if u.Name == group[owner[j]] {
					out = append(out, u)
				}
			})
		}
		if err != nil {
			s.setErr(err)
			return out
		}
	}
	return out
}

// Add adds users, skipping any whose ID is already present (as the old
// database did). Users with a zero ID get a fresh one. A user that fails
// validation stops the call with ErrInvalidUser before anything is added.
func (s *UserStore) Add(users ...User) error {
	if len(users) == 0 {
		return fmt.Errorf("%w: Add with no users", ErrEmptyQuery)
	}
	for i := range users {
		if users[i].ID == uuid.Nil {
			users[i].ID = uuid.New()
		}
		if err := users[i].Validate(); err != nil {
			return fmt.Errorf("user %d (%s): %w", i, users[i].ID, err)
		}
	}
	s.write.Lock()
	defer s.write.Unlock()
	a := adder{s: s}
	for lo := 0; lo < len(users); lo += userBatch {
		if err := a.add(users[lo:min(len(users), lo+userBatch)]); err != nil {
			return err
		}
	}
	return nil
}

// adder adds users a batch at a time, reusing its buffers from one
// batch to the next.
type adder struct {
	s        *UserStore
	kb       keyBuf
	ids      []uuid.UUID
	seen     map[uuid.UUID]bool
	fresh    []User
	entry    map[string][]byte // a name's index entry as it will be
	names    []string
	keyBytes []byte // the keys to write, back to back
	valBytes []byte // the users' encodings, back to back
	keyEnds  []int
	valEnds  []int    // -1 for an index entry
	entries  [][]byte // the index entries written, by position
	keys     []string
	vals     [][]byte
	chunk    []byte // where new index entries are carved from
}

// alloc returns n bytes carved from a.chunk: an index entry's room. A
// chunk is never reused, so what was carved stays valid.
func (a *adder) alloc(n int) []byte {
	if cap(a.chunk)-len(a.chunk) < n {
		a.chunk = make([]byte, 0, max(n, 16<<10))
	}
	start := len(a.chunk)
	a.chunk = a.chunk[:start+n]
	return a.chunk[start : start+n : start+n]
}

// add adds a batch of users: each user's index entry first, then the user
// (after a crash the index may name a user that is not there, which
// lookups skip, never miss one that is). Write mutex held.
func (a *adder) add(users []User) error {
	a.ids = a.ids[:0]
	for _, u := range users {
		a.ids = append(a.ids, u.ID)
	}
	present, err := a.s.m.ContainsMany(a.kb.users(a.ids)...)
	if err != nil {
		return err
	}
	if a.seen == nil {
		a.seen, a.entry = map[uuid.UUID]bool{}, map[string][]byte{}
	}
	clear(a.seen)
	clear(a.entry)
	a.fresh, a.names = a.fresh[:0], a.names[:0]
	for i, u := range users {
		if present[i] || a.seen[u.ID] {
			continue
		}
		a.seen[u.ID] = true
		a.fresh = append(a.fresh, u)
		if _, ok := a.entry[u.Name]; !ok {
			a.entry[u.Name] = nil
			a.names = append(a.names, u.Name)
		}
	}
	if len(a.fresh) == 0 {
		return nil
	}
	cur, _, err := a.s.m.GetMany(indexKeys(&a.kb, a.names)...)
	if err != nil {
		return err
	}
	for i, name := range a.names {
		if a.entry[name], err = idsIn(name, cur[i]); err != nil {
			return err
		}
	}
	if err := a.encode(); err != nil {
		return err
	}
	if err := a.s.m.SetMany(a.keys, a.vals); err != nil {
		return fmt.Errorf("%w (the store may hold part of this Add; its users count is recounted)", errors.Join(err, a.s.recount()))
	}
	a.s.count.Add(int64(len(a.fresh)))
	return nil
}

// encode lays out the batch's writes in a.keys and a.vals: per user, its
// name's index entry with its ID added (unless there already), then the
// user's encoding.
func (a *adder) encode() error {
	a.keyBytes, a.valBytes = a.keyBytes[:0], a.valBytes[:0]
	a.keyEnds, a.valEnds, a.entries = a.keyEnds[:0], a.valEnds[:0], a.entries[:0]
	var err error
	for _, u := range a.fresh {
		if e := a.entry[u.Name]; !containsID(e, u.ID) {
			grown := a.alloc(len(e) + idLen)
			copy(grown[copy(grown, e):], u.ID[:])
			a.entry[u.Name] = grown
			a.keyBytes = append(append(a.keyBytes, namePrefix...), u.Name...)
			a.keyEnds, a.valEnds = append(a.keyEnds, len(a.keyBytes)), append(a.valEnds, -1)
			a.entries = append(a.entries, a.entry[u.Name])
		}
		a.keyBytes = append(append(a.keyBytes, userPrefix...), u.ID[:]...)
		if a.valBytes, err = u.AppendBinary(a.valBytes); err != nil {
			return fmt.Errorf("user %s: %w", u.ID, err)
		}
		a.keyEnds, a.valEnds = append(a.keyEnds, len(a.keyBytes)), append(a.valEnds, len(a.valBytes))
		a.entries = append(a.entries, nil)
	}
	// The buffers are complete: cut them.
	a.keys, a.vals = a.keys[:0], a.vals[:0]
	kstart, vstart := 0, 0
	for i, end := range a.keyEnds {
		a.keys = append(a.keys, unsafe.String(&a.keyBytes[kstart], end-kstart))
		kstart = end
		if a.valEnds[i] < 0 {
			a.vals = append(a.vals, a.entries[i])
			continue
		}
		a.vals = append(a.vals, a.valBytes[vstart:a.valEnds[i]:a.valEnds[i]])
		vstart = a.valEnds[i]
	}
	return nil
}

// RemoveIDs removes the users with these IDs; absent IDs are ignored.
// Each batch of users goes first, then their index entries: two batched
// conditional deletions (FSMap.DeleteManyFunc), one lookup per key, the
// names taken from the user records as they are deleted.
func (s *UserStore) RemoveIDs(ids ...uuid.UUID) error {
	if len(ids) == 0 {
		return fmt.Errorf("%w: RemoveIDs with no IDs", ErrEmptyQuery)
	}
	s.write.Lock()
	defer s.write.Unlock()
	r := remover{s: s}
	for lo := 0; lo < len(ids); lo += userBatch {
		if err := r.removeIDs(ids[lo:min(len(ids), lo+userBatch)]); err != nil {
			return err
		}
	}
	return nil
}

// remover removes users a batch at a time, reusing its buffers from one
// batch to the next.
type remover struct {
	s         *UserStore
	kb, nb    keyBuf
	gone      []uuid.UUID // the users deleted, and their names
	goneNames []string
	nameBytes []byte
	nameEnds  []int
	rest      map[string][]byte // an index entry to rewrite, as it will be
	restKeys  []string
	restVals  [][]byte
}

// removeIDs deletes the users of a batch, then takes them out of their
// names' index entries. Write mutex held.
func (r *remover) removeIDs(ids []uuid.UUID) error {
	s := r.s
	r.gone, r.nameBytes, r.nameEnds = r.gone[:0], r.nameBytes[:0], r.nameEnds[:0]
	var bad error
	n, err := s.m.DeleteManyFunc(r.kb.users(ids), func(i int, b []byte) bool {
		name, err := encodedUserName(b) // a view: copied
		if err != nil {
			bad = cmp.Or(bad, err)
			return false
		}
		r.gone = append(r.gone, ids[i])
		r.nameBytes = append(r.nameBytes, name...)
		r.nameEnds = append(r.nameEnds, len(r.nameBytes))
		return true
	})
	s.count.Add(-int64(n))
	if err = errors.Join(err, bad); err != nil {
		return err
	}
	r.goneNames = r.goneNames[:0]
	start := 0 // the names, cut once the buffer is complete
	for _, end := range r.nameEnds {
		r.goneNames = append(r.goneNames, unsafe.String(unsafe.SliceData(r.nameBytes[start:]), end-start))
		start = end
	}
	return r.unindex(r.gone, r.goneNames)
}

// unindex takes each of ids out of the index entry of the name at the
// same place in names: an entry left empty is deleted, in the same
// lookup that reads it; one that keeps other IDs is rewritten after.
// Write mutex held.
func (r *remover) unindex(ids []uuid.UUID, names []string) error {
	if len(ids) == 0 {
		return nil
	}
	clear(r.rest)
	var bad error
	_, err := r.s.m.DeleteManyFunc(indexKeys(&r.nb, names), func(i int, e []byte) bool {
		if pending, ok := r.rest[names[i]]; ok {
			e = pending // the name's entry as this batch leaves it so far
		} else if e, bad = idsIn(names[i], e); bad != nil {
			return false
		}
		if len(e) == idLen && uuid.UUID(e) == ids[i] { // the usual entry: one user
			delete(r.rest, names[i])
			return true
		}
		if !containsID(e, ids[i]) {
			return false // not indexed: a crash cut its Add short
		}
		kept := make([]byte, 0, len(e)-idLen)
		for j := 0; j < len(e); j += idLen {
			if uuid.UUID(e[j:j+idLen]) != ids[i] {
				kept = append(kept, e[j:j+idLen]...)
			}
		}
		if len(kept) == 0 {
			delete(r.rest, names[i])
			return true
		}
		if r.rest == nil {
			r.rest = map[string][]byte{}
		}
		r.rest[names[i]] = kept
		return false
	})
	if err = errors.Join(err, bad); err != nil || len(r.rest) == 0 {
		return err
	}
	r.restKeys, r.restVals = r.restKeys[:0], r.restVals[:0]
	for name, kept := range r.rest {
		r.restKeys, r.restVals = append(r.restKeys, namePrefix+name), append(r.restVals, kept)
	}
	return r.s.m.SetMany(r.restKeys, r.restVals)
}

// RemoveNames removes every user with each of the names: per batch of
// names, their index entries are read, the users they name are deleted if
// they still have the name (one conditional deletion each, deciding on
// the record it deletes), then the entries.
func (s *UserStore) RemoveNames(all ...string) error {
	if len(all) == 0 {
		return fmt.Errorf("%w: RemoveNames with no names", ErrEmptyQuery)
	}
	s.write.Lock()
	defer s.write.Unlock()
	var (
		kb, ub keyBuf
		ids    []uuid.UUID
		owner  []string
	)
	for lo := 0; lo < len(all); lo += userBatch {
		group := all[lo:min(len(all), lo+userBatch)]
		ids, owner = ids[:0], owner[:0]
		var bad error
		err := s.m.GetManyFunc(indexKeys(&kb, group), func(i int, e []byte, found bool) {
			if !found || bad != nil {
				return
			}
			if e, bad = idsIn(group[i], e); bad != nil {
				return
			}
			for j := 0; j < len(e); j += idLen {
				ids, owner = append(ids, uuid.UUID(e[j:j+idLen])), append(owner, group[i])
			}
		})
		if err = errors.Join(err, bad); err != nil {
			return err
		}
		// Only users that have the name: the index may name an ID whose
		// user was removed and then added again under another name.
		n, err := s.m.DeleteManyFunc(ub.users(ids), func(j int, b []byte) bool {
			name, err := encodedUserName(b)
			if err != nil {
				bad = cmp.Or(bad, err)
				return false
			}
			return string(name) == owner[j]
		})
		s.count.Add(-int64(n))
		if err = errors.Join(err, bad); err != nil {
			return err
		}
		if _, err := s.m.DeleteMany(indexKeys(&kb, group)...); err != nil {
			return err
		}
	}
	return nil
}
