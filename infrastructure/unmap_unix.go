//go:build !windows

package infrastructure

import (
	"time"

	"github.com/edsrzf/mmap-go"
	"golang.org/x/sys/unix"
)

// releaseStep is how much of a mapping releaseMapping drops at a time.
const releaseStep = 4 << 20

// releaseDelay is how long a released mapping stays before its pages are
// dropped: a collection closed and opened again at once (a restart in the
// same process, a tool opening collection after collection) would
// otherwise share the cores with the release while it reads its index
// (at 10M keys the reopen went from 59 to 88 ms beside the release of a
// 1.4 GB mapping).
const releaseDelay = time.Second

// releaseMapping unmaps m in the background, after releaseDelay: it first
// drops the pages from the page tables a step at a time with
// MADV_DONTNEED (which holds the memory-map lock only for reading, so
// page faults elsewhere go on), then unmaps what is by then an empty
// mapping. The file's pages stay in the page cache, dirty ones included.
func releaseMapping(m mmap.MMap) error {
	time.AfterFunc(releaseDelay, func() {
		for off := 0; off < len(m); off += releaseStep {
			_ = unix.Madvise(m[off:min(len(m), off+releaseStep)], unix.MADV_DONTNEED)
		}
		_ = m.Unmap() // a failed munmap would leave only address space behind
	})
	return nil
}
