//go:build !linux

package infrastructure

// writeParts writes the concatenation of parts at f's offset.
func writeParts(f File, parts [][]byte) error { return writeEach(f, parts) }
