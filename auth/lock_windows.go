//go:build windows

package auth

import (
	"os"

	"golang.org/x/sys/windows"
)

// errWouldBlock says the lock is held elsewhere.
var errWouldBlock = windows.ERROR_LOCK_VIOLATION

// tryLockFile locks f's first byte exclusively without waiting. Locks belong to the
// handle, so two opens of the same file exclude each other even within one process.
func tryLockFile(f *os.File) error {
	var ol windows.Overlapped
	return windows.LockFileEx(windows.Handle(f.Fd()),
		windows.LOCKFILE_EXCLUSIVE_LOCK|windows.LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, &ol)
}

func unlockFile(f *os.File) error {
	var ol windows.Overlapped
	return windows.UnlockFileEx(windows.Handle(f.Fd()), 0, 1, 0, &ol)
}
