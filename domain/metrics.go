package domain

// Metrics describes a collection's state and history. It is computed from
// memory, without touching the disk.
type Metrics struct {
	// Len is the number of elements.
	Len int
	// LiveBytes is the size of the records holding current elements.
	LiveBytes int64
	// DeadBytes is the size of the records that no longer count: replaced
	// or removed values and the operation records that replaced or removed them.
	DeadBytes int64
	// DataFileBytes and IndexFileBytes are the sizes of the two files.
	DataFileBytes  int64
	IndexFileBytes int64
	// FragmentationRatio is DeadBytes / (LiveBytes + DeadBytes), 0 when empty.
	FragmentationRatio float64
	// WastedBytes is what Compact would reclaim from the data file (DeadBytes).
	WastedBytes int64
	// IndexHeapBytes is the Go heap held by the in-memory index.
	IndexHeapBytes int64
	// CleanShutdown reports whether the previous Close was clean: the index
	// file carried the clean-close marker and covered the whole data file.
	CleanShutdown bool
	// Recoveries counts crash recoveries this handle performed: Opens that
	// had to replay records or cut a torn tail.
	Recoveries int64
	// RecordsReplayed counts records read to rebuild the index since Open,
	// at Open and, in Shared mode, when catching up with other processes.
	// After a clean Close, Open replays none.
	RecordsReplayed int64
	// TornBytes counts bytes of incomplete records cut off the end of the data file.
	TornBytes int64
	// Compactions counts Compact runs, manual and automatic, by this handle.
	Compactions int64
	// CacheHits, CacheMisses and CacheEvictions count value-cache activity.
	CacheHits      int64
	CacheMisses    int64
	CacheEvictions int64
	// Reads counts physical reads of record bytes: a run of contiguous
	// records read together by Slice or an iteration counts once.
	Reads int64
}
