//go:build !unix

package auth

import (
	"io/fs"
)

// writableDir cannot tell from mode bits on this system; WriteToken will report it.
func writableDir(dir string) error { return nil }

// ownedByAnotherUser cannot tell from mode bits on this system.
func ownedByAnotherUser(info fs.FileInfo) (int, bool) { return 0, false }

// dirOpenToOthers cannot tell from mode bits on this system.
func dirOpenToOthers(dir string) bool { return false }
