package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"path/filepath"
	"slices"

	"github.com/google/uuid"

	"github.com/fscollections/fscollections"
)

// Doc is a JSON document: what encoding/json decodes an object into.
type Doc = map[string]any

// buckets spreads the IDs of one indexed value over this many index
// entries, so that adding or removing one document rewrites a short list
// even for a value thousands of documents share.
const buckets = 64

// DB is a document database in a directory: documents by ID in an FSMap
// of JSON objects, and a secondary index per indexed field. The indexes
// are nested collections: the map "indexes" holds, per field, a reference
// to that field's own FSMap from value (and bucket) to the IDs holding it.
type DB struct {
	dir     string
	docs    *fscollections.FSMap[Doc]
	indexes *fscollections.FSMap[*fscollections.FSMap[[]string]]
}

// Open opens (or creates) the database in dir. If the last session did not
// close cleanly, a crash may have cut an update between the document and
// its index entries: every index is rebuilt from the documents.
func Open(dir string) (*DB, error) {
	docs, err := fscollections.OpenMap[Doc](filepath.Join(dir, "docs"), nil)
	if err != nil {
		return nil, err
	}
	indexes, err := fscollections.OpenMap[*fscollections.FSMap[[]string]](filepath.Join(dir, "indexes"), nil)
	if err != nil {
		return nil, errors.Join(err, docs.Close())
	}
	db := &DB{dir: dir, docs: docs, indexes: indexes}
	if !docs.Metrics().CleanShutdown || !indexes.Metrics().CleanShutdown {
		if err := db.Reindex(); err != nil {
			return nil, errors.Join(err, db.Close())
		}
	}
	return db, nil
}

// Close closes the documents and the indexes (and the index maps the
// indexes map opened).
func (db *DB) Close() error { return errors.Join(db.docs.Close(), db.indexes.Close()) }

// valueKey is the index key of a field's value in one bucket.
func valueKey(v any, bucket int) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s\x00%02d", b, bucket), nil
}

func bucketOf(id string) int {
	h := fnv.New32a()
	h.Write([]byte(id))
	return int(h.Sum32() % buckets)
}

// index returns the index map of field, or nil when field is not indexed.
func (db *DB) index(field string) (*fscollections.FSMap[[]string], error) {
	m, err := db.indexes.Get(field)
	if errors.Is(err, fscollections.ErrNotFound) {
		return nil, nil
	}
	return m, err
}

// indexed calls fn for every indexed field with its index map.
func (db *DB) indexed(fn func(field string, idx *fscollections.FSMap[[]string]) error) error {
	for field, idx := range db.indexes.All() {
		if err := fn(field, idx); err != nil {
			return err
		}
	}
	return db.indexes.Err()
}

// link adds (add true) or removes id under doc's value of field.
func link(idx *fscollections.FSMap[[]string], doc Doc, field, id string, add bool) error {
	v, ok := doc[field]
	if !ok {
		return nil
	}
	key, err := valueKey(v, bucketOf(id))
	if err != nil {
		return err
	}
	// One atomic step per entry: the list and the change to it.
	_, _, err = idx.Compute(key, func(ids []string, _ bool) ([]string, fscollections.ComputeOp) {
		i, found := slices.BinarySearch(ids, id)
		switch {
		case add && !found:
			return slices.Insert(slices.Clone(ids), i, id), fscollections.UpdateOp
		case !add && found && len(ids) == 1:
			return nil, fscollections.DeleteOp
		case !add && found:
			return slices.Delete(slices.Clone(ids), i, i+1), fscollections.UpdateOp
		}
		return ids, fscollections.CancelOp
	})
	return err
}

// Insert stores doc under a new ID and returns it.
func (db *DB) Insert(doc Doc) (string, error) {
	id := uuid.NewString()
	return id, db.put(id, doc, nil)
}

// put writes doc under id (replacing old, its previous version if any),
// then brings every index up to date.
func (db *DB) put(id string, doc, old Doc) error {
	if err := db.docs.Set(id, doc); err != nil {
		return err
	}
	return db.indexed(func(field string, idx *fscollections.FSMap[[]string]) error {
		if old != nil {
			if err := link(idx, old, field, id, false); err != nil {
				return err
			}
		}
		return link(idx, doc, field, id, true)
	})
}

// Get returns the document with id, or ErrNotFound.
func (db *DB) Get(id string) (Doc, error) { return db.docs.Get(id) }

// Update replaces the document with id, or returns ErrNotFound.
func (db *DB) Update(id string, doc Doc) error {
	old, err := db.docs.Get(id)
	if err != nil {
		return err
	}
	return db.put(id, doc, old)
}

// Delete removes the document with id and its index entries.
func (db *DB) Delete(id string) error {
	old, err := db.docs.Get(id)
	if err != nil {
		return err
	}
	if err := db.indexed(func(field string, idx *fscollections.FSMap[[]string]) error {
		return link(idx, old, field, id, false)
	}); err != nil {
		return err
	}
	return db.docs.Delete(id)
}

// Index makes field indexed (building its index from the documents).
func (db *DB) Index(field string) error {
	if idx, err := db.index(field); err != nil || idx != nil {
		return err
	}
	idx, err := fscollections.OpenMap[[]string](filepath.Join(db.dir, "index-"+indexFileName(field)), nil)
	if err != nil {
		return err
	}
	if err := db.indexes.Set(field, idx); err != nil {
		return errors.Join(err, idx.Close())
	}
	return errors.Join(fill(db.docs, field, idx), idx.Close())
}

// indexFileName makes a field name safe as a file name.
func indexFileName(field string) string {
	h := fnv.New64a()
	h.Write([]byte(field))
	return fmt.Sprintf("%016x", h.Sum64())
}

// fill adds every document's value of field to idx.
func fill(docs *fscollections.FSMap[Doc], field string, idx *fscollections.FSMap[[]string]) error {
	for id, doc := range docs.All() {
		if err := link(idx, doc, field, id, true); err != nil {
			return err
		}
	}
	return docs.Err()
}

// Reindex rebuilds every index from the documents.
func (db *DB) Reindex() error {
	return db.indexed(func(field string, idx *fscollections.FSMap[[]string]) error {
		if err := idx.Clear(); err != nil {
			return err
		}
		return fill(db.docs, field, idx)
	})
}

// Find returns the IDs of the documents whose field equals value (equal
// JSON), through the field's index when it has one, else by a predicate
// scan of the documents in O(1) memory. Indexed results are in no
// particular order; scanned ones in insertion order.
func (db *DB) Find(field string, value any) (ids []string, indexed bool, err error) {
	idx, err := db.index(field)
	if err != nil {
		return nil, false, err
	}
	if idx != nil {
		for b := range buckets {
			key, err := valueKey(value, b)
			if err != nil {
				return nil, true, err
			}
			found, _, err := idx.Lookup(key)
			if err != nil {
				return nil, true, err
			}
			ids = append(ids, found...)
		}
		return ids, true, nil
	}
	want, err := json.Marshal(value)
	if err != nil {
		return nil, false, err
	}
	for id := range db.docs.Scan(func(_ string, doc Doc) bool {
		v, ok := doc[field]
		if !ok {
			return false
		}
		got, err := json.Marshal(v)
		return err == nil && string(got) == string(want)
	}) {
		ids = append(ids, id)
	}
	return ids, false, db.docs.Err()
}
