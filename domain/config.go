package domain

import "time"

// SyncMode says when written records are made durable.
type SyncMode int

// The sync modes; see the root package's SyncPolicy.
const (
	SyncNever SyncMode = iota
	SyncAlways
	SyncInterval
)

// Config is what a collection's engine needs beyond its storage. The root
// package builds it from Options after validating them.
type Config struct {
	// Header names the kind and value type the files must hold.
	Header FileHeader
	// ReadOnly refuses every write and never modifies the files.
	ReadOnly bool
	// Shared makes every operation take the cross-process lock and catch up
	// with other processes first.
	Shared bool
	// Sync and SyncEvery: when records become durable.
	Sync      SyncMode
	SyncEvery time.Duration
	// CompactionThreshold runs Compact after a write once dead/total bytes
	// exceed it (0 disables).
	CompactionThreshold float64
	// CompactionFloor is the data file size under which automatic
	// compaction never runs.
	CompactionFloor int64
	// CheckpointEvery writes a checkpoint once this many bytes have been
	// logged since the last one, bounding the replay after a crash.
	CheckpointEvery int64
	// IdleSyncBytes and IdleSyncQuiet: under SyncNever, once IdleSyncBytes
	// have been logged since the last fsync, the log is fsynced in the
	// background as soon as no write came for IdleSyncQuiet, so that a
	// Close or Sync after a pause has little left to wait for.
	IdleSyncBytes int64
	IdleSyncQuiet time.Duration
	// Cache holds decoded values by record offset; nil for none.
	Cache Cache
	// Temporary collections delete their files on Close.
	Temporary bool
	// Versioned makes a map record each entry's version and write time
	// (OpPutV records), for Info and SetIfVersion.
	Versioned bool
	// AppendOnly refuses every write that changes or removes what was
	// written: only new elements and keys may be added.
	AppendOnly bool
	// Swap selects swap-and-pop storage for a list of fixed-size values:
	// the data file holds exactly the live values, and removing one moves
	// the physically last into its place (see swap.go).
	Swap bool
}

// Defaults for Config fields left zero.
const (
	DefaultCompactionFloor = 1 << 20
	DefaultCheckpointEvery = 64 << 20
	DefaultIdleSyncBytes   = 8 << 20
	DefaultIdleSyncQuiet   = 200 * time.Millisecond
)
