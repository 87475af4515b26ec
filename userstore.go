package fscollections

import (
	"errors"
	"fmt"
	"iter"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/google/uuid"

	"github.com/fscollections/fscollections/domain"
)

// UserStore is the user database: users stored as a typed collection —
// one FSMap, through its public methods — with a persistent index by
// name, kept consistent with the users across crashes. Open it with
// OpenUsers. All methods are safe for concurrent use.
//
// The map holds each user under "u"+ID (16 bytes) and, under "n"+name,
// the IDs of the users with that name. Sharing one map, they share one
// log, so a crash leaves a prefix of their combined writes; and the
// writes keep the index a superset of the users (an index entry is
// written before its user and removed after it), while lookups by name
// skip IDs with no user of that name: the two always agree, crash or
// not. The user count is saved at Close and recounted after a crash.
type UserStore struct {
	m     *FSMap[[]byte]
	write sync.Mutex // multi-key updates: the index is read-modify-write
	count atomic.Int64

	errMu sync.Mutex
	err   error

	autoMu sync.Mutex
	auto   *autosave // background saving, or nil
}

// ErrEmptyQuery is returned by UserStore.Add, RemoveIDs and RemoveNames
// called with nothing to add or remove.
var ErrEmptyQuery = errors.New("fscollections: empty query")

// ErrInvalidUser is returned for a user whose name is empty, not UTF-8 or
// over 256 bytes, or whose age is outside 0..150; the message says which.
var ErrInvalidUser = errors.New("fscollections: invalid user")

// userStoreType is the value type named in the store's data file header.
const userStoreType = "fscollections.UserStore/v1"

const (
	userPrefix = "u"
	namePrefix = "n"
	countKey   = "#count"
	idLen      = len(uuid.UUID{})
	// userBatch is how many users one step of a bulk call handles: each
	// step is a few batched map calls, so other goroutines get their turn.
	userBatch = 1024
)

// OpenUsers opens or creates the user store at path (files
// path.data.fscollection and path.index.fscollection; "" for a temporary
// store). Options work as for the collections, except Shared, which a
// UserStore refuses (its name index is updated read-modify-write), Codec,
// and Compression (a user record is a few dozen bytes with nothing to
// compress, and the store reads names straight out of its records). For the old database's autosave, use Options{Sync: SyncInterval,
// SyncInterval: d}, or StartAutosave.
func OpenUsers(path string, opts *Options) (*UserStore, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Shared {
		return nil, fmt.Errorf("%w: a UserStore cannot be Shared (its name index is updated read-modify-write)", ErrInvalidOptions)
	}
	if o.Codec != nil {
		return nil, fmt.Errorf("%w: a UserStore has its own encoding; Codec must be nil", ErrInvalidOptions)
	}
	if o.Compression != NoCompression {
		return nil, fmt.Errorf("%w: a UserStore stores its records uncompressed; Compression must be NoCompression", ErrInvalidOptions)
	}
	o.Codec = domain.RawCodec(userStoreType)
	m, err := OpenMap[[]byte](path, &o)
	if err != nil {
		return nil, err
	}
	s := &UserStore{m: m}
	if b, ok, err := m.Lookup(countKey); err == nil && ok && m.Metrics().CleanShutdown {
		if n, err := strconv.ParseInt(string(b), 10, 64); err == nil {
			s.count.Store(n)
			return s, nil
		}
	}
	if err := s.recount(); err != nil {
		_ = m.Close()
		return nil, err
	}
	return s, nil
}

// recount counts the users after an unclean shutdown.
func (s *UserStore) recount() error {
	var n int64
	err := s.m.inner().RangeKeys(func(k string) bool {
		if isUserKey(k) {
			n++
		}
		return true
	})
	s.count.Store(n)
	return err
}

func isUserKey(k string) bool { return len(k) == 1+idLen && k[:1] == userPrefix }

// setErr records the first error of a call that cannot return one.
func (s *UserStore) setErr(err error) {
	s.errMu.Lock()
	if s.err == nil {
		s.err = err
	}
	s.errMu.Unlock()
}

// Err returns the first error that SearchByName, Has, All or the
// autosave could not return, and clears it.
func (s *UserStore) Err() error {
	s.errMu.Lock()
	defer s.errMu.Unlock()
	err := s.err
	s.err = nil
	return err
}

// Path is the base path of the store's files.
func (s *UserStore) Path() string { return s.m.Path() }

// Len is the number of users.
func (s *UserStore) Len() int { return int(s.count.Load()) }

// Get returns the user with id, or ErrNotFound.
func (s *UserStore) Get(id uuid.UUID) (User, error) {
	b, ok, err := s.m.Lookup(userKey(id))
	if err != nil {
		return User{}, err
	}
	if !ok {
		return User{}, fmt.Errorf("%w: user %s", ErrNotFound, id)
	}
	var u User
	return u, u.UnmarshalBinary(b)
}

// GetMany returns the users with these IDs, in the order of the IDs,
// skipping IDs with no user (a repeated ID gives its user again). They
// are looked up together (FSMap.GetManyFunc).
func (s *UserStore) GetMany(ids ...uuid.UUID) ([]User, error) {
	out := make([]User, 0, len(ids))
	var (
		dec userDecoder
		kb  keyBuf
	)
	var bad error
	err := s.m.GetManyFunc(kb.users(ids), func(_ int, b []byte, found bool) {
		if !found || bad != nil {
			return
		}
		var u User
		if u, bad = dec.decode(b); bad == nil { // copies what it keeps out of b
			out = append(out, u)
		}
	})
	return out, errors.Join(err, bad)
}

// Has reports whether every id is present; Has() is false. A large call
// is shared out between goroutines (see inParallel).
func (s *UserStore) Has(ids ...uuid.UUID) bool {
	if len(ids) == 0 {
		return false
	}
	var missing atomic.Bool
	err := inParallel(len(ids), func(_, lo, hi int) error {
		var kb keyBuf
		for clo := lo; clo < hi && !missing.Load(); clo += userBatch {
			found, err := s.m.ContainsMany(kb.users(ids[clo:min(hi, clo+userBatch)])...)
			if err != nil {
				return err
			}
			if slices.Contains(found, false) {
				missing.Store(true)
			}
		}
		return nil
	})
	if err != nil {
		s.setErr(err)
	}
	return !missing.Load() && err == nil
}

// shareCount is how many shares inParallel makes of n items: one per
// GOMAXPROCS, each at least minShare long.
func shareCount(n int) int { return max(1, min(runtime.GOMAXPROCS(0), n/minShare)) }

// inParallel splits [0, n) into shareCount(n) contiguous shares and calls
// fn on each (share i is [lo, hi)), in goroutines of their own but the
// first, and returns their errors joined. Read-only bulk calls use it:
// each batch takes the read lock on its own, so shares run side by side,
// and writers still get their turns between batches.
func inParallel(n int, fn func(share, lo, hi int) error) error {
	shares := shareCount(n)
	if shares == 1 {
		return fn(0, 0, n)
	}
	per := (n + shares - 1) / shares
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

// minShare is the least work inParallel gives a goroutine: below it,
// starting one costs more than it saves.
const minShare = 4 * userBatch

// keyBuf builds map keys in one reused buffer: "u"+ID for users, "n"+name
// for the name index. The keys it returns alias the buffer and are valid
// until its next call.
type keyBuf struct {
	buf  []byte
	ends []int
	keys []string
}

func (k *keyBuf) users(ids []uuid.UUID) []string {
	k.buf = slices.Grow(k.buf[:0], len(ids)*(1+idLen))
	for _, id := range ids {
		k.buf = append(append(k.buf, userPrefix...), id[:]...)
	}
	return k.cut(len(ids), func(i int) int { return (i + 1) * (1 + idLen) })
}

func indexKeys[S ~string | ~[]byte](k *keyBuf, names []S) []string {
	k.buf, k.ends = k.buf[:0], k.ends[:0]
	for _, name := range names {
		k.buf = append(append(k.buf, namePrefix...), name...)
		k.ends = append(k.ends, len(k.buf))
	}
	return k.cut(len(names), func(i int) int { return k.ends[i] })
}

// cut slices the buffer into n keys, the ith ending at end(i).
func (k *keyBuf) cut(n int, end func(int) int) []string {
	k.keys = k.keys[:0]
	start := 0
	for i := range n {
		e := end(i)
		k.keys = append(k.keys, unsafe.String(unsafe.SliceData(k.buf[start:]), e-start))
		start = e
	}
	return k.keys
}

func userKey(id uuid.UUID) string { return userPrefix + string(id[:]) }

// idsIn checks a name index entry: a whole number of IDs.
func idsIn(name string, b []byte) ([]byte, error) {
	if len(b)%idLen != 0 {
		return nil, fmt.Errorf("%w: name index entry for %q has %d bytes", ErrCorrupt, name, len(b))
	}
	return b, nil
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
// reports it. The users' names share allocations as SearchByName's do.
func (s *UserStore) All() iter.Seq[User] {
	return func(yield func(User) bool) {
		var dec userDecoder
		var err error
		rerr := s.m.Range(func(k string, b []byte) bool {
			if !isUserKey(k) {
				return true
			}
			var u User
			if u, err = dec.decode(b); err != nil {
				return false
			}
			return yield(u)
		})
		if err = errors.Join(err, rerr); err != nil {
			s.setErr(err)
		}
	}
}

// Sync makes every change durable.
func (s *UserStore) Sync() error { return s.m.Sync() }

// Close saves the user count and closes the store. Closing twice returns nil.
func (s *UserStore) Close() error {
	s.autoMu.Lock()
	s.stopAutosaveLocked()
	s.autoMu.Unlock()
	s.write.Lock()
	defer s.write.Unlock()
	// Save the count unless it is saved already: a store opened, read and
	// closed writes nothing, and Close only puts the clean marker back.
	count := strconv.FormatInt(s.count.Load(), 10)
	saved, ok, err := s.m.Lookup(countKey)
	if err == nil && (!ok || string(saved) != count) {
		err = s.m.Set(countKey, []byte(count))
	}
	if errors.Is(err, ErrClosed) {
		return nil
	}
	if errors.Is(err, ErrReadOnly) {
		err = nil
	}
	return errors.Join(err, s.m.Close())
}

// Backup writes a consistent copy of the store to path (FSMap.Backup),
// which must not hold a collection yet, while the store stays open:
// writers wait for the copy, readers do not. The copy opens with OpenUsers.
func (s *UserStore) Backup(path string) error {
	s.write.Lock() // the count saved with the copy must match it
	defer s.write.Unlock()
	if err := s.m.Set(countKey, []byte(strconv.FormatInt(s.count.Load(), 10))); err != nil {
		return err
	}
	return s.m.Backup(path)
}
