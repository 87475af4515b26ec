package infrastructure

import "golang.org/x/sys/unix"

// Exchange swaps the files at a and b atomically (renameat2 with
// RENAME_EXCHANGE): each name always names one of the two files, whole.
// It fails when either is missing or the file system cannot exchange.
func (osFS) Exchange(a, b string) error {
	return unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, b, unix.RENAME_EXCHANGE)
}

// allocate makes sure the first n bytes of f have their blocks on disk
// (fallocate), so that writing them through a mapping cannot fail for want
// of space. A range with no hole already has them, and is left alone:
// fallocate over pages in the page cache breaks them into small pieces,
// and a checkpoint written over such a file then reads back through a
// mapping at half the speed.
func allocate(f File, n int64) error {
	if n == 0 {
		return nil
	}
	if hole, err := unix.Seek(int(f.Fd()), 0, unix.SEEK_HOLE); err == nil && hole >= n {
		return nil
	}
	return unix.Fallocate(int(f.Fd()), 0, 0, n)
}
