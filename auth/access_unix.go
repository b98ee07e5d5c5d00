//go:build unix

package auth

import (
	"fmt"

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
