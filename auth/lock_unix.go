//go:build unix

package auth

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// errWouldBlock says the lock is held elsewhere.
var errWouldBlock = unix.EWOULDBLOCK

// tryLockFile takes an exclusive flock on f without waiting. flock locks belong to the
// open file description, so two opens of the same file exclude each other even within
// one process.
func tryLockFile(f *os.File) error {
	for {
		err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		if !errors.Is(err, unix.EINTR) {
			return err
		}
	}
}

func unlockFile(f *os.File) error {
	return unix.Flock(int(f.Fd()), unix.LOCK_UN)
}
