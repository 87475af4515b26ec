package fsredis

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/redis/go-redis/v9"

	"github.com/fscollections/fscollections/domain"
)

// base is what the three engines share: the client, the collection's
// keys, the handle state and the errors.
type base struct {
	rdb  redis.UniversalClient
	name string
	keys keys
	// readOnly and appendOnly are the handle's options.
	readOnly, appendOnly bool

	closed atomic.Bool

	errMu   sync.Mutex
	iterErr error // the error that ended an iteration, for Err
}

// keys names a collection's Redis keys. They all carry the hash tag
// {name}, so every script touches one slot and works on Redis Cluster.
type keys struct {
	meta  string // hash: kind, type, seq (a set's insertion counter), ver (a map's version counter, which also numbers its keys in insertion order)
	list  string // list: the elements (lists)
	vals  string // hash: key → header (version, time) and encoded value (maps)
	order string // sorted set: key or element → insertion number (maps, sets)
}

func keysOf(name string) keys {
	p := "fsc:{" + name + "}:"
	return keys{meta: p + "meta", list: p + "list", vals: p + "vals", order: p + "order"}
}

// all lists every key of the collection, for Destroy.
func (k keys) all() []string { return []string{k.meta, k.list, k.vals, k.order} }

// ctx is the context of the calls whose public method takes none: the
// client's own timeouts (redis.Options.ReadTimeout, WriteTimeout) bound them.
var ctx = context.Background()

// wrap gives a client error the operation and collection it happened in.
func (b *base) wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("fsredis: %s on %q: %w", op, b.name, err)
}

// usable returns ErrClosed once the handle is closed.
func (b *base) usable(op string) error {
	if b.closed.Load() {
		return fmt.Errorf("%w: %s on the Redis collection %q", domain.ErrClosed, op, b.name)
	}
	return nil
}

// writable returns the error a write op must fail with before it is
// sent: closed, read-only, or (when changes is true) append-only.
func (b *base) writable(op string, changes bool) error {
	if err := b.usable(op); err != nil {
		return err
	}
	if b.readOnly {
		return fmt.Errorf("%w: %s on %q, opened ReadOnly", domain.ErrReadOnly, op, b.name)
	}
	if changes && b.appendOnly {
		return b.appendOnlyErr(op)
	}
	return nil
}

func (b *base) appendOnlyErr(op string) error {
	return fmt.Errorf("%w: %s on %q, opened AppendOnly", domain.ErrAppendOnly, op, b.name)
}

// Usable returns ErrClosed once closed.
func (b *base) Usable() error { return b.usable("read") }

// setIterErr records the error that ended an iteration (or a method that
// cannot return one, such as Len), for Err.
func (b *base) setIterErr(err error) {
	b.errMu.Lock()
	b.iterErr = err
	b.errMu.Unlock()
}

// ReportIterErr records err for Err.
func (b *base) ReportIterErr(err error) { b.setIterErr(err) }

// Err returns and clears the error that ended an iteration early.
func (b *base) Err() error {
	b.errMu.Lock()
	defer b.errMu.Unlock()
	err := b.iterErr
	b.iterErr = nil
	return err
}

// Sync returns nil: Redis acknowledges a write once it is applied in
// memory, and its durability is the server's appendonly and appendfsync
// settings.
func (b *base) Sync() error { return b.usable("Sync") }

// Compact returns nil: Redis has no dead records to reclaim.
func (b *base) Compact() error { return b.writable("Compact", false) }

// CopyTo is unsupported: Backup copies a Redis collection element by element.
func (b *base) CopyTo(domain.Storage) error { return errors.ErrUnsupported }

// Close marks the handle closed. The client stays open: it is the caller's.
func (b *base) Close() error {
	b.closed.Store(true)
	return nil
}

// Destroy deletes every key of the collection and closes the handle;
// ErrClosed when it is already closed.
func (b *base) Destroy() error {
	if !b.closed.CompareAndSwap(false, true) {
		return b.usable("Destroy")
	}
	return b.wrap("Destroy", b.rdb.Del(ctx, b.keys.all()...).Err())
}

// count runs a command that returns a length, for Len: 0 with the error
// recorded for Err when it fails or the handle is closed.
func (b *base) count(cmd func() *redis.IntCmd) int {
	if b.closed.Load() {
		return 0
	}
	n, err := cmd().Result()
	if err != nil {
		b.setIterErr(b.wrap("Len", err))
		return 0
	}
	return int(n)
}

// metrics is the Metrics of a Redis collection: its length (the file
// engine's byte counts have no meaning here).
func (b *base) metrics(n int) domain.Metrics { return domain.Metrics{Len: n, CleanShutdown: true} }
