//go:build unix

package application

import (
	"io/fs"
	"os"
	"syscall"
)

// ownedByMe reports whether the file's owner is this process's user.
func ownedByMe(st fs.FileInfo) bool {
	s, ok := st.Sys().(*syscall.Stat_t)
	return ok && int(s.Uid) == os.Getuid()
}
