package application

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/google/uuid"

	"github.com/fscollections/fscollections/domain"
	"github.com/fscollections/fscollections/infrastructure"
)

// ErrEmptyQuery is returned by Add, RemoveIDs and RemoveNames called with
// nothing to add or remove.
var ErrEmptyQuery = errors.New("fscollections: empty query")

// UserStore is the user database: users stored as a typed collection,
// with a persistent index by name.
//
// Both live in one map, so that they share one log and a crash can only
// leave a prefix of their combined writes: users under "u"+ID (16 bytes),
// and under "n"+name the IDs of the users with that name. Writes keep the
// index a superset of the users (the index entry is written before a user,
// and removed after), and lookups by name skip IDs with no user, so the
// two always agree, crash or not. The user count is saved at Close and
// recounted after an unclean shutdown.
type UserStore struct {
	m     *domain.Map[[]byte]
	path  string
	write sync.Mutex // multi-record updates (the index is read-modify-write)
	count atomic.Int64

	errMu sync.Mutex
	err   error

	autoMu sync.Mutex
	auto   *autosave // running background saving, or nil
}

// userStoreType is the type name in the store's data file header.
const userStoreType = "fscollections.UserStore/v1"

const (
	userPrefix  = 'u'
	namePrefix  = 'n'
	countKey    = "#count"
	idLen       = len(uuid.UUID{})
	importBatch = 4096
)

type rawCodec struct{}

func (rawCodec) TypeName() string                            { return userStoreType }
func (rawCodec) FixedSize() int                              { return 0 }
func (rawCodec) Append(dst []byte, v []byte) ([]byte, error) { return append(dst, v...), nil }
func (rawCodec) Decode(b []byte) ([]byte, error)             { return append([]byte(nil), b...), nil }

func userKey(id uuid.UUID) string { return string(userPrefix) + string(id[:]) }

// OpenUsers opens or creates the user store at path.
func OpenUsers(s Settings) (*UserStore, error) {
	if s.Shared {
		return nil, fmt.Errorf("%w: a UserStore cannot be Shared (its name index is updated read-modify-write)", domain.ErrInvalidOptions)
	}
	m, o, err := OpenMap[[]byte](s, rawCodec{})
	if err != nil {
		return nil, err
	}
	us := &UserStore{m: m, path: o.Base}
	if b, err := m.Get(countKey); err == nil && m.Metrics().CleanShutdown {
		n, err := strconv.ParseInt(string(b), 10, 64)
		if err == nil {
			us.count.Store(n)
			return us, nil
		}
	}
	if err := us.recount(); err != nil {
		_ = m.Close()
		return nil, err
	}
	return us, nil
}

// recount counts the users after an unclean shutdown.
func (s *UserStore) recount() error {
	var n int64
	for k := range s.m.Keys() {
		if len(k) == 1+idLen && k[0] == userPrefix {
			n++
		}
	}
	if err := s.m.Err(); err != nil {
		return err
	}
	s.count.Store(n)
	return nil
}

func (s *UserStore) setErr(err error) {
	s.errMu.Lock()
	if s.err == nil {
		s.err = err
	}
	s.errMu.Unlock()
}

// Err returns the first error that SearchByName, Has or All could not
// return themselves since the last call, and clears it.
func (s *UserStore) Err() error {
	s.errMu.Lock()
	defer s.errMu.Unlock()
	err := s.err
	s.err = nil
	if err == nil {
		err = s.m.Err()
	}
	return err
}

// Path is the base path of the store's files.
func (s *UserStore) Path() string { return s.path }

// Len is the number of users.
func (s *UserStore) Len() int { return int(s.count.Load()) }

func decodeUser(b []byte) (domain.User, error) {
	var u domain.User
	err := u.UnmarshalBinary(b)
	return u, err
}

// Get returns the user with id, or ErrNotFound.
func (s *UserStore) Get(id uuid.UUID) (domain.User, error) {
	b, ok, err := s.m.Lookup(userKey(id))
	if err != nil {
		return domain.User{}, err
	}
	if !ok {
		return domain.User{}, fmt.Errorf("%w: user %s", domain.ErrNotFound, id)
	}
	return decodeUser(b)
}

// Has reports whether every id is present; Has() is false. A large call
// is shared out between goroutines (see inParallel).
func (s *UserStore) Has(ids ...uuid.UUID) bool {
	if len(ids) == 0 {
		return false
	}
	var missing atomic.Bool
	err := inParallel(len(ids), shareCount(len(ids)), func(_, lo, hi int) error {
		var k keys
		return chunks(hi-lo, func(clo, chi int) error {
			if missing.Load() {
				return errStop // another share found one missing
			}
			return s.m.ReadBatch(func(r domain.MapReader[[]byte]) error {
				for _, off := range k.find(r, userKeys(&k, ids[lo+clo:lo+chi])) {
					if off == 0 {
						missing.Store(true)
						return errStop
					}
				}
				return nil
			})
		})
	})
	return !missing.Load() && err == nil
}

// minShare is the least work inParallel gives a goroutine: below it,
// starting one costs more than it saves.
const minShare = 4 * batchSize

// shareCount is how many shares inParallel makes of n items: one per
// GOMAXPROCS, each of at least minShare.
func shareCount(n int) int { return max(1, min(runtime.GOMAXPROCS(0), n/minShare)) }

// inParallel splits [0, n) into contiguous shares (whole chunks) and calls
// fn on each, share i = [lo, hi), in goroutines of their own but the
// first, and returns their errors joined. Read-only bulk calls use it: each
// chunk of a share takes the read lock on its own, so shares run side by
// side, and writers still get their turns between chunks.
func inParallel(n, shares int, fn func(share, lo, hi int) error) error {
	if shares <= 1 {
		return fn(0, 0, n)
	}
	per := (n + shares - 1) / shares
	per = (per + batchSize - 1) / batchSize * batchSize // whole chunks
	errs := make([]error, shares)
	var wg sync.WaitGroup
	for i := 1; i < shares; i++ {
		lo, hi := min(n, i*per), min(n, (i+1)*per)
		wg.Go(func() { errs[i] = fn(i, lo, hi) })
	}
	errs[0] = fn(0, 0, min(n, per))
	wg.Wait()
	return errors.Join(errs...)
}

// errStop ends a chunked operation early without an error for the caller.
var errStop = errors.New("stop")

// batchSize is how many users a batch handles per hold of the lock, so that
// other goroutines get their turn during a large call.
const batchSize = 1024

// chunks calls fn on [lo, hi) ranges of at most batchSize covering [0, n),
// until fn fails; errStop ends it with no error.
func chunks(n int, fn func(lo, hi int) error) error {
	for lo := 0; lo < n; lo += batchSize {
		if err := fn(lo, min(n, lo+batchSize)); err != nil {
			if err == errStop {
				return nil
			}
			return err
		}
	}
	return nil
}

// keys builds map keys in reused buffers: "u"+ID for users, "n"+name for
// the name index; and many at once for Find.
type keys struct {
	u, n []byte
	buf  []byte   // the keys of a group, back to back
	list [][]byte // views of buf
	offs []int64
}

// userKeys builds the keys of ids in k.list.
func userKeys(k *keys, ids []uuid.UUID) [][]byte {
	k.buf, k.list = k.buf[:0], k.list[:0]
	for _, id := range ids {
		k.buf = append(append(k.buf, userPrefix), id[:]...)
	}
	for i := range ids {
		k.list = append(k.list, k.buf[i*(1+idLen):(i+1)*(1+idLen)])
	}
	return k.list
}

// nameKeys builds the name-index keys of names in k.list.
func nameKeys[S ~string | ~[]byte](k *keys, names []S) [][]byte {
	k.buf, k.list = k.buf[:0], k.list[:0]
	for _, name := range names {
		k.buf = append(append(k.buf, namePrefix), name...)
	}
	start := 0
	for _, name := range names {
		end := start + 1 + len(name)
		k.list = append(k.list, k.buf[start:end:end])
		start = end
	}
	return k.list
}

// find looks up every key of list at once (see MapReader.Find).
func (k *keys) find(r domain.MapReader[[]byte], list [][]byte) []int64 {
	k.offs = slices.Grow(k.offs[:0], len(list))[:len(list)]
	r.Find(list, k.offs)
	return k.offs
}

func (k *keys) user(id uuid.UUID) []byte {
	k.u = append(append(k.u[:0], userPrefix), id[:]...)
	return k.u
}

func (k *keys) name(name []byte) []byte {
	k.n = append(append(k.n[:0], namePrefix), name...)
	return k.n
}

// idsIn checks a name index entry: a whole number of IDs.
func idsIn(name []byte, b []byte) ([]byte, error) {
	if len(b)%idLen != 0 {
		return nil, fmt.Errorf("%w: name index entry for %q has %d bytes", domain.ErrCorrupt, name, len(b))
	}
	return b, nil
}

// SearchByName returns every user with each of the names, in order of the
// names, then of insertion. SearchByName() is empty. A read error is
// reported by Err. The users' names share 8 KiB allocations, as iterated
// strings do (see domain.UserDecoder). A large call is shared out between
// goroutines (see inParallel).
func (s *UserStore) SearchByName(names ...string) []domain.User {
	shares := shareCount(len(names))
	if shares == 1 {
		return s.search(make([]domain.User, 0, len(names)), names)
	}
	// Names are mostly unique: each share appends its users to its own
	// stretch of one slice holding a user per name, and the stretches are
	// then moved together. A share that finds more users than it has names
	// outgrows its stretch into an allocation of its own; the shares are
	// then concatenated.
	all := make([]domain.User, len(names))
	found := make([][]domain.User, shares)
	fits := make([]bool, shares)
	_ = inParallel(len(names), shares, func(share, lo, hi int) error {
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
func (s *UserStore) search(out []domain.User, names []string) []domain.User {
	var (
		k     keys
		ids   []uuid.UUID
		owner []int // owner[j]: the name in the group whose entry gave ids[j]
		dec   domain.UserDecoder
	)
	err := chunks(len(names), func(lo, hi int) error {
		return s.m.ReadBatch(func(r domain.MapReader[[]byte]) error {
			group := names[lo:hi]
			ids, owner = ids[:0], owner[:0]
			for i, off := range k.find(r, nameKeys(&k, group)) {
				if off == 0 {
					continue
				}
				b, err := r.ViewAt(off)
				if err == nil {
					b, err = idsIn(stringBytes(group[i]), b)
				}
				if err != nil {
					s.setErr(err)
					continue
				}
				for j := 0; j < len(b); j += idLen {
					ids = append(ids, uuid.UUID(b[j:j+idLen]))
					owner = append(owner, i)
				}
			}
			out = slices.Grow(out, len(ids))
			for j, off := range k.find(r, userKeys(&k, ids)) {
				if off == 0 {
					continue // indexed before a crash cut the add short
				}
				b, err := r.ViewAt(off)
				var u domain.User
				if err == nil {
					u, err = dec.Decode(b)
				}
				if err != nil {
					s.setErr(err)
					continue
				}
				if u.Name != group[owner[j]] {
					// The index named an ID whose user a crash removed and
					// that was added again under another name.
					continue
				}
				out = append(out, u)
			}
			return nil
		})
	})
	if err != nil {
		s.setErr(err)
	}
	return out
}

// Add adds users, skipping any whose ID is already present (as the old
// database did). Users with a zero ID get a fresh one. A user that fails
// validation stops the call with ErrInvalidUser before anything is added.
func (s *UserStore) Add(users ...domain.User) error {
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
	return chunks(len(users), func(lo, hi int) error {
		return s.m.WriteBatch(func(w domain.MapWriter[[]byte]) error {
			var (
				k       keys
				ids, ub []byte
			)
			for _, u := range users[lo:hi] {
				if w.Contains(k.user(u.ID)) {
					continue
				}
				var err error
				if ub, err = u.AppendBinary(ub[:0]); err != nil {
					return fmt.Errorf("user %s: %w", u.ID, err)
				}
				b, _, err := w.View(k.name(stringBytes(u.Name)))
				if err == nil {
					b, err = idsIn(k.n[1:], b)
				}
				if err != nil {
					return err
				}
				// Index first: after a crash the index may name a user
				// that is not there (skipped by lookups), never miss one
				// that is.
				if !containsID(b, u.ID) {
					ids = append(append(ids[:0], b...), u.ID[:]...)
					if err := w.Set(k.n, ids); err != nil {
						return err
					}
				}
				if err := w.Set(k.u, ub); err != nil {
					return err
				}
				s.count.Add(1)
			}
			return nil
		})
	})
}

// containsID reports whether the packed IDs in ids include id.
func containsID(ids []byte, id uuid.UUID) bool {
	for i := 0; i+idLen <= len(ids); i += idLen {
		if uuid.UUID(ids[i:i+idLen]) == id {
			return true
		}
	}
	return false
}

// RemoveIDs removes the users with these IDs; absent IDs are ignored.
// Each user goes first, then its index entry.
func (s *UserStore) RemoveIDs(ids ...uuid.UUID) error {
	if len(ids) == 0 {
		return fmt.Errorf("%w: RemoveIDs with no IDs", ErrEmptyQuery)
	}
	s.write.Lock()
	defer s.write.Unlock()
	var (
		k         keys
		found     []uuid.UUID
		buf, kept []byte
		ends      []int
		names     [][]byte // views of buf
	)
	return chunks(len(ids), func(lo, hi int) error {
		return s.m.WriteBatch(func(w domain.MapWriter[[]byte]) error {
			// Look the chunk's users up together, then their names'
			// index entries, so that their cache misses overlap; the
			// deletes below find both in the cache.
			found, buf, ends = found[:0], buf[:0], ends[:0]
			for i, off := range k.find(w.MapReader, userKeys(&k, ids[lo:hi])) {
				if off == 0 {
					continue
				}
				b, err := w.ViewAt(off)
				if err == nil {
					b, err = domain.EncodedUserName(b)
				}
				if err != nil {
					return err
				}
				found = append(found, ids[lo+i])
				buf = append(buf, b...)
				ends = append(ends, len(buf))
			}
			names = names[:0]
			for i, end := range ends {
				start := 0
				if i > 0 {
					start = ends[i-1]
				}
				names = append(names, buf[start:end:end])
			}
			k.find(w.MapReader, nameKeys(&k, names)) // only to warm the cache
			for i, id := range found {
				removed, err := w.Delete(k.user(id))
				if err != nil {
					return err
				}
				if !removed {
					continue // the ID came twice
				}
				s.count.Add(-1)
				if kept, err = unindex(w, &k, names[i], id, kept); err != nil {
					return err
				}
			}
			return nil
		})
	})
}

// unindex removes id from the index entry of name, keeping the other IDs
// that still have a user, and deleting the entry when none does. kept is
// a buffer to reuse; unindex returns it.
func unindex(w domain.MapWriter[[]byte], k *keys, name []byte, id uuid.UUID, kept []byte) ([]byte, error) {
	b, _, err := w.View(k.name(name))
	if err == nil {
		b, err = idsIn(name, b)
	}
	if err != nil {
		return kept, err
	}
	kept = append(kept[:0], b...) // the writes below reuse b
	n := 0
	var other uuid.UUID
	for i := 0; i < len(kept); i += idLen {
		copy(other[:], kept[i:])
		if other != id && w.Contains(k.user(other)) {
			n += copy(kept[n:], other[:])
		}
	}
	if n == 0 {
		_, err = w.Delete(k.n)
	} else {
		err = w.Set(k.n, kept[:n])
	}
	return kept, err
}

// RemoveNames removes every user with each of the names.
func (s *UserStore) RemoveNames(names ...string) error {
	if len(names) == 0 {
		return fmt.Errorf("%w: RemoveNames with no names", ErrEmptyQuery)
	}
	s.write.Lock()
	defer s.write.Unlock()
	var (
		k    keys
		ids  []uuid.UUID
		ends []int
	)
	return chunks(len(names), func(lo, hi int) error {
		return s.m.WriteBatch(func(w domain.MapWriter[[]byte]) error {
			// Read every name's IDs first, then look their users up
			// together (see RemoveIDs), then delete.
			group := names[lo:hi]
			ids, ends = ids[:0], ends[:0]
			for i, off := range k.find(w.MapReader, nameKeys(&k, group)) {
				if off != 0 {
					b, err := w.ViewAt(off)
					if err == nil {
						b, err = idsIn(stringBytes(group[i]), b)
					}
					if err != nil {
						return err
					}
					for j := 0; j < len(b); j += idLen {
						ids = append(ids, uuid.UUID(b[j:j+idLen]))
					}
				}
				ends = append(ends, len(ids))
			}
			k.find(w.MapReader, userKeys(&k, ids)) // only to warm the cache
			start := 0
			for i, name := range group {
				for _, id := range ids[start:ends[i]] {
					// Only a user that has the name: the index may name an
					// ID whose user a crash removed and that was added
					// again under another name.
					b, ok, err := w.View(k.user(id))
					if err == nil && ok {
						b, err = domain.EncodedUserName(b)
					}
					if err != nil {
						return err
					}
					if !ok || string(b) != name {
						continue
					}
					removed, err := w.Delete(k.user(id))
					if err != nil {
						return err
					}
					if removed {
						s.count.Add(-1)
					}
				}
				start = ends[i]
				if _, err := w.Delete(k.name(stringBytes(name))); err != nil {
					return err
				}
			}
			return nil
		})
	})
}

// stringBytes views s as bytes without copying; the result must not be modified.
func stringBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// Clear removes every user.
func (s *UserStore) Clear() error {
	s.write.Lock()
	defer s.write.Unlock()
	if err := s.m.Clear(); err != nil {
		return err
	}
	s.count.Store(0)
	return nil
}

// All yields every user in insertion order. A read error ends it; Err
// reports it. Names share allocations as in SearchByName.
func (s *UserStore) All() iter.Seq[domain.User] {
	return func(yield func(domain.User) bool) {
		var dec domain.UserDecoder
		for k, b := range s.m.All() {
			if len(k) != 1+idLen || k[0] != userPrefix {
				continue
			}
			u, err := dec.Decode(b)
			if err != nil {
				s.setErr(err)
				return
			}
			if !yield(u) {
				return
			}
		}
	}
}

// Sync makes every change durable.
func (s *UserStore) Sync() error { return s.m.Sync() }

// Close saves the user count and closes the store.
func (s *UserStore) Close() error {
	s.autoMu.Lock()
	s.stopAutosaveLocked()
	s.autoMu.Unlock()
	s.write.Lock()
	defer s.write.Unlock()
	// Save the count, unless it is saved already: a store opened, read and
	// closed then writes nothing, and Close only puts the index's clean
	// marker back.
	count := []byte(strconv.FormatInt(s.count.Load(), 10))
	saved, ok, err := s.m.Lookup(countKey)
	if err == nil && (!ok || !bytes.Equal(saved, count)) {
		err = s.m.Set(countKey, count)
	}
	if errors.Is(err, domain.ErrClosed) {
		return nil
	}
	if errors.Is(err, domain.ErrReadOnly) {
		err = nil
	}
	return errors.Join(err, s.m.Close())
}

// Backup writes a consistent copy of the store to path, which must not
// hold a collection yet, while the store stays open: writers wait for the
// copy, readers do not. The copy opens with OpenUsers.
func (s *UserStore) Backup(path string) error {
	if err := checkBase(path, false); err != nil {
		return err
	}
	st, err := infrastructure.OpenStorage(path, infrastructure.Exclusive, DefaultBackupLockTimeout, nil)
	if err != nil {
		return err
	}
	s.write.Lock() // the count saved with the copy must match it
	defer s.write.Unlock()
	if err := s.m.Set(countKey, []byte(strconv.FormatInt(s.count.Load(), 10))); err != nil {
		_ = st.Close()
		return err
	}
	return s.m.CopyTo(st)
}

// DefaultBackupLockTimeout is how long Backup waits for its destination's lock.
const DefaultBackupLockTimeout = time.Second

// ExportFormat selects Export's output.
type ExportFormat int

// The export formats.
const (
	// ExportJSONLines writes one JSON object per line, the old save format:
	// {"name":…,"age":…,"ID":…,"extras":{…}}.
	ExportJSONLines ExportFormat = iota
	// ExportText writes one line per user: User "Alice" is 25 years old (ID: …).
	ExportText
)

type jsonUser struct {
	Name   string         `json:"name"`
	Age    int            `json:"age"`
	ID     string         `json:"ID"`
	Extras map[string]any `json:"extras"`
}

// Export writes every user to w in format.
func (s *UserStore) Export(w io.Writer, format ExportFormat) error {
	if format != ExportJSONLines && format != ExportText {
		return fmt.Errorf("%w: unknown export format %d", domain.ErrInvalidOptions, format)
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
	var users []domain.User
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
		u := domain.User{Name: ju.Name, Age: ju.Age, Extras: numbersToGo(ju.Extras)}
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
