//go:build !linux

package infrastructure

// copyRange copies n bytes of src at srcOff to dst at dstOff.
func copyRange(dst File, dstOff int64, src File, srcOff, n int64) error {
	return copyRangeByReading(dst, dstOff, src, srcOff, n)
}
