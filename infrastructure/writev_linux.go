package infrastructure

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// writePartsAt writes the concatenation of parts at offset off. On a real
// file that is one pwritev per 1,024 parts rather than one write per part:
// besides saving system calls, a large write lets the page cache hold the
// file in large folios, and a checkpoint read back through a mapping then
// takes a fraction of the page faults (an index of 64 KiB parts written
// one by one read back at half the speed of one written in one call).
func writePartsAt(f File, parts [][]byte, off int64) error {
	osf, ok := f.(*os.File)
	if !ok {
		return writeEachAt(f, parts, off)
	}
	for len(parts) > 0 {
		batch := parts[:min(len(parts), 1024)]
		want := 0
		for _, p := range batch {
			want += len(p)
		}
		n, err := unix.Pwritev(int(osf.Fd()), batch, off)
		if err != nil {
			return fmt.Errorf("write %s: %w", osf.Name(), err)
		}
		off += int64(n)
		if n < want { // short: write the rest of the batch (WriteAt loops until done)
			rest := concatFrom(batch, n)
			if _, err := osf.WriteAt(rest, off); err != nil {
				return err
			}
			off += int64(len(rest))
		}
		parts = parts[len(batch):]
	}
	return nil
}

// concatFrom returns the bytes of parts from offset n on, as one slice.
func concatFrom(parts [][]byte, n int) []byte {
	var out []byte
	for _, p := range parts {
		if n >= len(p) {
			n -= len(p)
			continue
		}
		out = append(out, p[n:]...)
		n = 0
	}
	return out
}
