//go:build unix

package auth

import (
	"fmt"
	"io/fs"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// writableDir reports whether files can be created in dir: write and search permission,
// on a file system mounted read-write.
func writableDir(dir string) error {
	if err := unix.Access(dir, unix.W_OK|unix.X_OK); err != nil {
		return fmt.Errorf("directory %s is not writable: %w", dir, err)
	}
	return nil
}

// geteuid is the user the server runs as; tests replace it, since they run as root.
var geteuid = os.Geteuid

// ownedByAnotherUser reports a file that does not belong to the user this process runs
// as, whoever its owner is, root included: its owner could replace the token at will.
func ownedByAnotherUser(info fs.FileInfo) (int, bool) {
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	uid := int(st.Uid)
	return uid, uid != geteuid()
}

// dirOpenToOthers reports a directory that group or others may write into
// without the sticky bit, so that they could replace a file in it.
func dirOpenToOthers(dir string) bool {
	info, err := os.Stat(dir)
	if err != nil {
		return false
	}
	return info.Mode().Perm()&0o022 != 0 && info.Mode()&fs.ModeSticky == 0
}
