//go:build !unix

package application

import "io/fs"

// ownedByMe is true where files have no owning user id: there (Windows)
// os.TempDir() is the user's own directory.
func ownedByMe(fs.FileInfo) bool { return true }
