package infrastructure

import "golang.org/x/sys/unix"

// startWriteback asks the kernel to start writing [off, off+n) of f to the
// disk now, without waiting for it (sync_file_range with
// SYNC_FILE_RANGE_WRITE), so that a later fsync finds little left to do.
// It is a hint: an error changes nothing and is ignored.
func startWriteback(f File, off, n int64) {
	_ = unix.SyncFileRange(int(f.Fd()), off, n, unix.SYNC_FILE_RANGE_WRITE)
}
