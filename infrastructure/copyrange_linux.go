package infrastructure

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// copyRange copies n bytes of src at srcOff to dst at dstOff inside the
// kernel (copy_file_range: on file systems with reflinks, a clone of the
// extents), falling back to reading and writing where the kernel cannot
// (another file system, an old kernel, a fault-injecting File).
func copyRange(dst File, dstOff int64, src File, srcOff, n int64) error {
	d, dok := dst.(*os.File)
	s, sok := src.(*os.File)
	if !dok || !sok {
		return copyRangeByReading(dst, dstOff, src, srcOff, n)
	}
	for n > 0 {
		k, err := unix.CopyFileRange(int(s.Fd()), &srcOff, int(d.Fd()), &dstOff, int(min(n, 1<<30)), 0)
		switch {
		case errors.Is(err, unix.EXDEV) || errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EOPNOTSUPP) || errors.Is(err, unix.EINVAL):
			return copyRangeByReading(dst, dstOff, src, srcOff, n)
		case err != nil:
			return err
		case k == 0:
			return errors.New("copy_file_range copied nothing: the source is shorter than expected")
		}
		n -= int64(k) // srcOff and dstOff were advanced by the kernel
	}
	return nil
}
