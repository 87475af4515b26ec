package main

import (
	"bytes"
	"errors"

	"github.com/cockroachdb/pebble"
	badger "github.com/dgraph-io/badger/v4"
	"github.com/syndtr/goleveldb/leveldb"
	lvlopt "github.com/syndtr/goleveldb/leveldb/opt"
	"github.com/tidwall/buntdb"
	bolt "go.etcd.io/bbolt"

	"github.com/fscollections/fscollections"
)

// KV is the narrow interface every engine is driven through: one
// operation per call, as a collections user writes code. Get returns a
// value the caller owns.
type KV interface {
	Put(k, v []byte) error
	Get(k []byte) ([]byte, error)
	Delete(k []byte) error
	// Scan visits entries from start (nil: the first) in the engine's order.
	Scan(start []byte, fn func(k, v []byte) bool) error
	Close() error
}

// Engine opens a KV in a directory; durable selects its per-write fsync mode.
type Engine struct {
	Name string
	Mode string // what "non-durable" and "durable" mean for it
	Open func(dir string, durable bool) (KV, error)
	// KVOnly runs the engine in the KV workload only: a variant of
	// another engine whose difference shows there (disk bytes).
	KVOnly bool
}

var engines = []Engine{
	{"fscollections", "SyncNever / SyncAlways (group commit)", openFS(fscollections.NoCompression), false},
	{"fscollections+snappy", "Compression: Snappy, KV workload only", openFS(fscollections.Snappy), true},
	{"bbolt", "NoSync / fsync per commit", openBolt, false},
	{"badger", "SyncWrites=false / true", openBadger, false},
	{"pebble", "NoSync / Sync", openPebble, false},
	{"buntdb", "SyncPolicy Never / Always", openBunt, false},
	{"goleveldb", "Sync=false / true", openLevel, false},
}

var errMissing = errors.New("missing")

// --- fscollections ----------------------------------------------------------

type fsKV struct{ m *fscollections.FSMap[[]byte] }

func openFS(c fscollections.Compression) func(dir string, durable bool) (KV, error) {
	return func(dir string, durable bool) (KV, error) {
		o := &fscollections.Options{Compression: c}
		if durable {
			o.Sync = fscollections.SyncAlways
		}
		m, err := fscollections.OpenMap[[]byte](dir+"/m", o)
		return fsKV{m}, err
	}
}
func (f fsKV) Put(k, v []byte) error { return f.m.Set(string(k), v) }
func (f fsKV) Get(k []byte) ([]byte, error) {
	v, ok, err := f.m.Lookup(string(k))
	if err == nil && !ok {
		err = errMissing
	}
	return v, err
}
func (f fsKV) Delete(k []byte) error { return f.m.Delete(string(k)) }
func (f fsKV) Scan(start []byte, fn func(k, v []byte) bool) error {
	if start != nil {
		return errors.New("fscollections maps iterate in insertion order, not from a key")
	}
	// RangeViews hands over the key and value as views of the file, as
	// bbolt's cursor does: nothing is copied unless fn copies it.
	return f.m.RangeViews(fn)
}
func (f fsKV) Close() error { return f.m.Close() }

// --- bbolt -------------------------------------------------------------------

var bucket = []byte("b")

type boltKV struct{ db *bolt.DB }

func openBolt(dir string, durable bool) (KV, error) {
	db, err := bolt.Open(dir+"/bolt.db", 0o600, &bolt.Options{NoSync: !durable, NoFreelistSync: true})
	if err != nil {
		return nil, err
	}
	err = db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucketIfNotExists(bucket); return err })
	return boltKV{db}, err
}
func (b boltKV) Put(k, v []byte) error {
	return b.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucket).Put(k, v) })
}
func (b boltKV) Get(k []byte) (out []byte, err error) {
	err = b.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucket).Get(k)
		if v == nil {
			return errMissing
		}
		out = bytes.Clone(v)
		return nil
	})
	return out, err
}
func (b boltKV) Delete(k []byte) error {
	return b.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucket).Delete(k) })
}
func (b boltKV) Scan(start []byte, fn func(k, v []byte) bool) error {
	return b.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucket).Cursor()
		k, v := c.First()
		if start != nil {
			k, v = c.Seek(start)
		}
		for ; k != nil && fn(k, v); k, v = c.Next() {
		}
		return nil
	})
}
func (b boltKV) Close() error { return b.db.Close() }

// --- badger ------------------------------------------------------------------

type badgerKV struct{ db *badger.DB }

func openBadger(dir string, durable bool) (KV, error) {
	db, err := badger.Open(badger.DefaultOptions(dir + "/badger").WithSyncWrites(durable).WithLogger(nil))
	return badgerKV{db}, err
}
func (b badgerKV) Put(k, v []byte) error {
	return b.db.Update(func(txn *badger.Txn) error { return txn.Set(k, v) })
}
func (b badgerKV) Get(k []byte) (out []byte, err error) {
	err = b.db.View(func(txn *badger.Txn) error {
		it, err := txn.Get(k)
		if err != nil {
			return err
		}
		out, err = it.ValueCopy(nil)
		return err
	})
	return out, err
}
func (b badgerKV) Delete(k []byte) error {
	return b.db.Update(func(txn *badger.Txn) error { return txn.Delete(k) })
}
func (b badgerKV) Scan(start []byte, fn func(k, v []byte) bool) error {
	return b.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.DefaultIteratorOptions)
		defer it.Close()
		for it.Seek(start); it.Valid(); it.Next() {
			item := it.Item()
			var stop bool
			if err := item.Value(func(v []byte) error { stop = !fn(item.Key(), v); return nil }); err != nil {
				return err
			}
			if stop {
				break
			}
		}
		return nil
	})
}
func (b badgerKV) Close() error { return b.db.Close() }

// --- pebble ------------------------------------------------------------------

type pebbleKV struct {
	db *pebble.DB
	wo *pebble.WriteOptions
}

func openPebble(dir string, durable bool) (KV, error) {
	db, err := pebble.Open(dir+"/pebble", &pebble.Options{})
	wo := pebble.NoSync
	if durable {
		wo = pebble.Sync
	}
	return pebbleKV{db, wo}, err
}
func (p pebbleKV) Put(k, v []byte) error { return p.db.Set(k, v, p.wo) }
func (p pebbleKV) Get(k []byte) ([]byte, error) {
	v, closer, err := p.db.Get(k)
	if err != nil {
		return nil, err
	}
	out := bytes.Clone(v)
	return out, closer.Close()
}
func (p pebbleKV) Delete(k []byte) error { return p.db.Delete(k, p.wo) }
func (p pebbleKV) Scan(start []byte, fn func(k, v []byte) bool) error {
	it, err := p.db.NewIter(nil)
	if err != nil {
		return err
	}
	valid := it.First()
	if start != nil {
		valid = it.SeekGE(start)
	}
	for ; valid && fn(it.Key(), it.Value()); valid = it.Next() {
	}
	return it.Close()
}
func (p pebbleKV) Close() error { return p.db.Close() }

// --- buntdb ------------------------------------------------------------------

type buntKV struct{ db *buntdb.DB }

func openBunt(dir string, durable bool) (KV, error) {
	db, err := buntdb.Open(dir + "/bunt.db")
	if err != nil {
		return nil, err
	}
	var cfg buntdb.Config
	if err := db.ReadConfig(&cfg); err != nil {
		return nil, err
	}
	cfg.SyncPolicy = buntdb.Never
	if durable {
		cfg.SyncPolicy = buntdb.Always
	}
	return buntKV{db}, db.SetConfig(cfg)
}
func (b buntKV) Put(k, v []byte) error {
	return b.db.Update(func(tx *buntdb.Tx) error { _, _, err := tx.Set(string(k), string(v), nil); return err })
}
func (b buntKV) Get(k []byte) (out []byte, err error) {
	err = b.db.View(func(tx *buntdb.Tx) error {
		v, err := tx.Get(string(k))
		out = []byte(v)
		return err
	})
	return out, err
}
func (b buntKV) Delete(k []byte) error {
	return b.db.Update(func(tx *buntdb.Tx) error { _, err := tx.Delete(string(k)); return err })
}
func (b buntKV) Scan(start []byte, fn func(k, v []byte) bool) error {
	return b.db.View(func(tx *buntdb.Tx) error {
		visit := func(k, v string) bool { return fn([]byte(k), []byte(v)) }
		if start != nil {
			return tx.AscendGreaterOrEqual("", string(start), visit)
		}
		return tx.Ascend("", visit)
	})
}
func (b buntKV) Close() error { return b.db.Close() }

// --- goleveldb ---------------------------------------------------------------

type levelKV struct {
	db *leveldb.DB
	wo *lvlopt.WriteOptions
}

func openLevel(dir string, durable bool) (KV, error) {
	db, err := leveldb.OpenFile(dir+"/level", nil)
	return levelKV{db, &lvlopt.WriteOptions{Sync: durable}}, err
}
func (l levelKV) Put(k, v []byte) error        { return l.db.Put(k, v, l.wo) }
func (l levelKV) Get(k []byte) ([]byte, error) { return l.db.Get(k, nil) }
func (l levelKV) Delete(k []byte) error        { return l.db.Delete(k, l.wo) }
func (l levelKV) Scan(start []byte, fn func(k, v []byte) bool) error {
	it := l.db.NewIterator(nil, nil)
	defer it.Release()
	ok := it.First()
	if start != nil {
		ok = it.Seek(start)
	}
	for ; ok && fn(it.Key(), it.Value()); ok = it.Next() {
	}
	return it.Error()
}
func (l levelKV) Close() error { return l.db.Close() }
