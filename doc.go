// Package fscollections provides generic collections that live on disk:
// FSList[T], FSMap[V] (string keys) and FSSet[T] behave like slices, maps
// and sets, survive crashes and restarts, grow past RAM, and can be shared
// by goroutines and by processes.
//
// # Basics
//
// Open a collection on a base path; its files are path.data.fscollection
// (a checksummed log of operations, read through a memory map) and
// path.index.fscollection (a checkpoint of the in-memory index). An empty
// path makes a temporary collection that Close deletes:
//
//	jobs, err := fscollections.OpenList[Job]("data/jobs", nil)
//	if err != nil { ... }
//	defer jobs.Close()
//	err = jobs.Append(Job{Name: "build"})
//
// Values are encoded by a Codec chosen from T (see CodecFor): fixed-size
// binary for numbers, raw bytes for strings and []byte, MarshalBinary where
// T has it, JSON for other structs, maps and slices. List equality (Index,
// Count, Remove) and set membership compare encodings.
//
// The in-memory index holds 8 bytes per list element and about 24-28 bytes
// per map or set key whatever its length; values and keys stay on disk.
//
// # Iteration
//
// All, Backward, Keys, Values and Scan return iterators for range loops.
// They read a batch of elements under a read lock, release it, and only
// then yield, so a loop body may read and write the same collection. A list
// loop sees element i as it is when its batch is read (inserting or popping
// before the cursor shifts what comes next); a map or set loop visits
// entries in insertion order, including entries added during the loop, and
// ends if the collection is cleared. Keys, strings and []byte values yielded
// belong to the caller; small ones share 8 KiB chunks (one allocation per
// chunk, not per value), so keeping one keeps its chunk alive, as a Go
// substring keeps its string: clone the few you keep from a large scan.
// A read error (ErrCorrupt) ends a loop after the elements before the
// damage; Err reports it. Err belongs to the handle: when goroutines
// iterate one collection at the same time, each should use Range
// (err := m.Range(func(k string, v V) bool { … })), which returns its own
// iteration's error.
//
// # Beyond slices and maps
//
// FSMap has atomic read-modify-write operations (CompareAndSwap,
// CompareAndDelete, Swap, Compute), each one linearizable step across
// processes in Shared mode; per-key versions and write times (Info,
// SetIfVersion); prefix views (Sub); RandomKey; batches (GetMany,
// GetManyFunc, ContainsMany, SetMany, DeleteMany: many keys per lock
// hold, one commit per batch). FSSet has streamed set
// algebra (Union, Intersection, Difference, SymmetricDifference, subset
// tests, AddAll, RemoveAll, RetainAll) in bounded memory. FSList.Take is
// a blocking pop for queues. Every collection has an online Backup, and
// Options.AppendOnly makes one immutable once written. A value type that
// is a collection handle (*FSList[E], *FSMap[E], *FSSet[E]) stores a
// reference to the child's files: a nested collection.
//
// # Outgrowing one machine
//
// Package fsredis opens the same FSList, FSMap and FSSet on Redis or Redis
// Cluster, with the same semantics; a program that does not import it
// does not link a Redis client.
//
// # Errors
//
// Errors wrap the sentinels below with context and are matched with
// errors.Is. Nothing a caller or a file can cause panics.
//
// # Durability and processes
//
// Options.Sync chooses when writes reach the disk (SyncNever, SyncAlways
// with group commit, SyncInterval). After any crash Open recovers the
// result of a prefix of the operations issued; with SyncAlways the prefix
// holds every operation that returned nil. By default a collection is
// locked to one process while open; Options.Shared lets processes share it
// read-write, each operation catching up with the others' writes first.
//
// # Caveats
//
//   - Under SyncNever a process crash loses up to the last 64 KiB of writes
//     (the in-process buffer); call Sync for a durability point.
//   - A value returned by Get is the caller's; mutating it changes nothing
//     stored. Slices returned for []byte values are copies.
//   - After a failed fsync or a write that could not reach the file, every
//     further write returns ErrFailed: Close and reopen the collection.
//   - A periodic checkpoint (after 64 MiB of log, and twice the index) writes
//     the index to the page cache under the write lock (a few milliseconds
//     per million keys) and leaves the fsyncs to the background.
//   - All processes opening one collection must agree on Options.Shared.
//     A plain ReadOnly handle excludes writers, Shared ones included, for
//     its whole life; read beside Shared writers with Shared and ReadOnly.
//   - Every wait for the file lock is bounded by Options.LockTimeout (1 s
//     by default; NoWait for none), in Shared mode each operation's too:
//     raise it for busy multi-process use.
//   - In Shared mode a process serves one operation at a time, and each
//     operation costs a file lock and a stat (a few microseconds).
//   - AutoCompact lists survive power loss only with SyncAlways (they
//     change the data file in place); SIGKILL with any policy.
//   - The files are for this package's format version; FORMAT.md documents
//     every byte.
package fscollections
