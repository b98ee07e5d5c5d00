//go:build !unix && !windows

package auth

import (
	"errors"
	"os"
)

// errWouldBlock says the lock is held elsewhere.
var errWouldBlock = errors.New("lock held")

func tryLockFile(f *os.File) error { return errors.ErrUnsupported }

func unlockFile(f *os.File) error { return errors.ErrUnsupported }
