//go:build !windows

package infrastructure

import (
	"github.com/edsrzf/mmap-go"
	"golang.org/x/sys/unix"
)

// releaseStep is how much of a mapping releaseMapping drops at a time.
const releaseStep = 4 << 20

// releaseMapping unmaps m in the background: it first drops the pages
// from the page tables a step at a time with MADV_DONTNEED (which holds
// the memory-map lock only for reading, so page faults elsewhere go on),
// then unmaps what is by then an empty mapping. The file's pages stay in
// the page cache, dirty ones included.
func releaseMapping(m mmap.MMap) error {
	go func() {
		for off := 0; off < len(m); off += releaseStep {
			_ = unix.Madvise(m[off:min(len(m), off+releaseStep)], unix.MADV_DONTNEED)
		}
		_ = m.Unmap() // a failed munmap would leave only address space behind
	}()
	return nil
}
