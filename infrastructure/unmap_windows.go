package infrastructure

import "github.com/edsrzf/mmap-go"

// releaseMapping unmaps m at once: a mapped file cannot be deleted or
// replaced on Windows, so the mapping must be gone when Close returns.
func releaseMapping(m mmap.MMap) error { return m.Unmap() }
