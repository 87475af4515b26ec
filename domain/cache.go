package domain

// Cache holds decoded values keyed by the offset of the record they were
// decoded from. Offsets only change when Compact rewrites the file, so list
// shifts, inserts and map reordering never invalidate an entry; a replaced
// value is written at a new offset. Implementations must be safe for
// concurrent use: reads consult the cache under a shared lock.
type Cache interface {
	// Get returns the value cached for the record at off.
	Get(off int64) (any, bool)
	// Add caches v for the record at off and reports whether it evicted an entry.
	Add(off int64, v any) (evicted bool)
	// Remove drops the entry for off, if any.
	Remove(off int64)
	// Purge drops every entry.
	Purge()
	// Len is the number of cached entries.
	Len() int
}
