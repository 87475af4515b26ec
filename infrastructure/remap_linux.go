package infrastructure

import (
	"github.com/edsrzf/mmap-go"
	"golang.org/x/sys/unix"
)

// Remap grows m to length bytes with mremap: the kernel moves the page
// tables instead of the caller tearing the old mapping down and faulting
// every page in again (see DataFile.remap). m is invalid afterwards.
func (osFS) Remap(m mmap.MMap, length int) (mmap.MMap, error) {
	return unix.Mremap(m, length, unix.MREMAP_MAYMOVE)
}
