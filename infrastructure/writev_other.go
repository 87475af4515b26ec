//go:build !linux

package infrastructure

// writePartsAt writes the concatenation of parts at offset off.
func writePartsAt(f File, parts [][]byte, off int64) error { return writeEachAt(f, parts, off) }
