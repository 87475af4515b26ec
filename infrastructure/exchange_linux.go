package infrastructure

import "golang.org/x/sys/unix"

// Exchange swaps the files at a and b atomically (renameat2 with
// RENAME_EXCHANGE): each name always names one of the two files, whole.
// It fails when either is missing or the file system cannot exchange.
func (osFS) Exchange(a, b string) error {
	return unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, b, unix.RENAME_EXCHANGE)
}

// allocate reserves the first n bytes of f on disk (fallocate), so that
// writing them through a mapping cannot fail for want of space.
func allocate(f File, n int64) error {
	if n == 0 {
		return nil
	}
	return unix.Fallocate(int(f.Fd()), 0, 0, n)
}
