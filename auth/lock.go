package auth

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// ErrLocked says that the lock is held by another process or goroutine. TryLock returns
// it, and Lock when its context ends first; match it with errors.Is.
var ErrLocked = errors.New("another token renewal is in progress")

// LockPath returns the lock file guarding the token file at path. It sits beside the file
// path resolves to, through symbolic links (as WriteToken writes there), so that two
// configurations whose token paths link to one file share one lock.
func LockPath(path string) string { return lockTarget(path) + ".lock" }

// lockTarget is the file a renewal of path replaces: path with its links resolved, or, when
// the file does not exist yet, path in its resolved directory.
func lockTarget(path string) string {
	if target, err := filepath.EvalSymlinks(path); err == nil {
		return target
	}
	if dir, err := filepath.EvalSymlinks(filepath.Dir(path)); err == nil {
		return filepath.Join(dir, filepath.Base(path))
	}
	return path
}

// Lock takes an exclusive advisory lock (flock) on LockPath(path), waiting until it is
// free or ctx ends; then the error matches both ErrLocked and ctx.Err(). A lock that is
// free is taken even when ctx has already ended. Lock creates path's missing directories
// (0700) and the lock file (0600), and leaves the lock file behind: removing it would let
// two renewals lock two different files.
//
// The lock excludes other processes and other goroutines of this process alike: each
// call opens its own file. Call unlock once done; calling it again does nothing.
func Lock(ctx context.Context, path string) (unlock func(), err error) {
	f, err := openLockFile(path)
	if err != nil {
		return nil, err
	}
	// flock cannot wait on a context, so poll, backing off to a few times a second.
	wait := time.Millisecond
	for {
		err := tryLockFile(f)
		if err == nil {
			return unlocker(f), nil
		}
		if !errors.Is(err, errWouldBlock) {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", f.Name(), err)
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			f.Close()
			return nil, fmt.Errorf("lock %s: %w: %w", f.Name(), ErrLocked, ctx.Err())
		case <-timer.C:
		}
		wait = min(2*wait, 100*time.Millisecond)
	}
}

// TryLock is Lock without waiting: when the lock is held by another process or goroutine,
// it returns at once with an error matching ErrLocked.
func TryLock(path string) (unlock func(), err error) {
	f, err := openLockFile(path)
	if err != nil {
		return nil, err
	}
	if err := tryLockFile(f); err != nil {
		f.Close()
		if errors.Is(err, errWouldBlock) {
			return nil, fmt.Errorf("lock %s: %w", f.Name(), ErrLocked)
		}
		return nil, fmt.Errorf("lock %s: %w", f.Name(), err)
	}
	return unlocker(f), nil
}

func openLockFile(path string) (*os.File, error) {
	lockPath := LockPath(path)
	if err := os.MkdirAll(filepath.Dir(lockPath), 0o700); err != nil {
		return nil, fmt.Errorf("lock %s: %w", lockPath, err)
	}
	f, err := os.OpenFile(lockPath, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", lockPath, err)
	}
	return f, nil
}

func unlocker(f *os.File) func() {
	var once sync.Once
	return func() {
		once.Do(func() {
			unlockFile(f)
			f.Close()
		})
	}
}
