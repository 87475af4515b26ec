// Package fsredis opens fscollections' FSList, FSMap and FSSet on Redis
// or Redis Cluster, for collections shared by many machines. The handles
// are the same types as the file collections', so code written against
// them runs on either:
//
//	rdb := redis.NewUniversalClient(&redis.UniversalOptions{Addrs: []string{"127.0.0.1:6379"}})
//	jobs, err := fsredis.OpenList[Job](rdb, "jobs", nil)   // *fscollections.FSList[Job]
//	users, err := fsredis.OpenMap[User](rdb, "users", nil) // *fscollections.FSMap[User]
//
// A program that does not import this package does not link go-redis.
//
// # Semantics
//
// The same codecs, errors and orders as the files: lists keep their
// order, maps and sets iterate in insertion order (an overwrite keeps its
// place), ErrNotFound, ErrIndexOutOfRange, ErrEmpty, ErrConflict,
// ErrAppendOnly and ErrClosed mean what they mean there, and a name that
// holds another kind of collection or another value type gives
// ErrTypeMismatch. Every operation is one Redis command or one Lua
// script, atomic on the server and linearizable across clients; all the
// keys of a collection share the hash tag {name}, so each script touches
// one slot and Redis Cluster spreads different collections over its
// masters. Iteration reads a batch per round trip and holds nothing
// between batches, as on the files.
//
// Where Redis differs, it is said here and in the method's behaviour:
//
//   - Compute runs fn on the client, not under a lock: it reads the
//     key's value and version, calls fn, and writes only if the version
//     is unchanged, else calls fn again with the newer value. fn may run
//     more than once and must have no other effects.
//   - DeleteManyFunc reads the keys with HMGET, calls fn on the client,
//     and deletes a key only if its version is still the one fn saw; a key
//     written in between is read and given to fn again.
//   - Take waits with BLPOP, a bounded wait at a time, so that a
//     cancelled context or Close ends it within 100 ms. As with any BLPOP,
//     an element the server pops while the connection breaks can be lost
//     with the reply; a queue that must not lose a job keeps it in a map
//     of jobs in progress until it is done (see examples/jobqueue).
//   - Backup copies into files at a path, batch by batch, without stopping
//     writers: a write made during the copy may or may not be in it.
//   - Len, Contains and Metrics cannot return an error: when the server
//     cannot be reached they return 0 or false and Err reports why.
//   - Metrics has Len only; Sync and Compact do nothing and return nil.
//   - Versions (FSMap.Info) grow across the collection's life on the
//     server, through Clear; Destroy starts them again. Modified is the
//     server's clock.
//
// # Options
//
// Codec, AppendOnly and ReadOnly (open an existing collection, refuse
// writes with ErrReadOnly) work as on the files. The others mean nothing
// on Redis and are refused with ErrInvalidOptions naming the field:
// Cache and CacheSize (values are read from the server), Sync and
// SyncInterval, CompactionThreshold and AutoCompact, Shared (every Redis
// collection is shared), LockTimeout (the client's timeouts bound each
// call) and Compression (a file format's choice: Redis keeps the codec's
// bytes). Collections of collections are refused with ErrUnsupportedType:
// a nested reference names files.
//
// # Durability
//
// A write returns once the server has applied it in memory. What survives
// a server crash is the server's configuration: with appendonly yes and
// appendfsync always, every acknowledged write; with appendfsync everysec
// (Redis's default when appendonly is on), all but about the last second.
// Replicas and WAIT are the server's business too. Connection loss and
// server restarts surface as errors wrapping the client's, naming the
// operation and the collection; an operation is applied whole or not at
// all, and one whose reply was lost may have been applied.
//
// # Keys
//
// A collection named name uses the keys fsc:{name}:meta (a hash: kind,
// value type and counters), fsc:{name}:list (a list's elements),
// fsc:{name}:vals (a hash: a map's values, each behind a 30-character
// header holding its version and write time in hex) and fsc:{name}:order
// (a sorted set: a map's keys or a set's elements, scored in insertion
// order). Destroy deletes them all.
package fsredis
