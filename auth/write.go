package auth

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
)

// CheckWritable reports whether a token could be written at path, without creating or
// changing anything: if path exists it must be a regular file (a symbolic link is judged
// by its target) in a directory we can write into; if not, its nearest existing ancestor
// must be a directory we can write into, where WriteToken would create the rest. The error
// names path and says why.
//
// On Windows only the shape is checked: file permissions there are ACLs, not mode bits.
func CheckWritable(path string) error {
	target, err := resolveLink(path)
	if err != nil {
		return fmt.Errorf("cannot write token to %s: %w", path, err)
	}
	info, err := os.Stat(target)
	switch {
	case err == nil && info.IsDir():
		return fmt.Errorf("cannot write token to %s: it is a directory", path)
	case err == nil && !info.Mode().IsRegular():
		return fmt.Errorf("cannot write token to %s: it is not a regular file but a %s", path, fileType(info.Mode()))
	case err == nil:
		if err := writableDir(filepath.Dir(target)); err != nil {
			return fmt.Errorf("cannot write token to %s: %w", path, err)
		}
		return nil
	case !absent(err):
		return fmt.Errorf("cannot write token to %s: %w", path, err)
	}
	for dir := filepath.Dir(target); ; dir = filepath.Dir(dir) {
		info, err := os.Stat(dir)
		switch {
		case err == nil && !info.IsDir():
			return fmt.Errorf("cannot write token to %s: %s is not a directory", path, dir)
		case err == nil:
			if err := writableDir(dir); err != nil {
				return fmt.Errorf("cannot write token to %s: %w", path, err)
			}
			return nil
		case !absent(err):
			return fmt.Errorf("cannot write token to %s: %w", path, err)
		}
		if filepath.Dir(dir) == dir {
			return fmt.Errorf("cannot write token to %s: no ancestor directory exists", path)
		}
	}
}

// absent reports whether a Stat error means that nothing is there, including a path
// that goes through a regular file.
func absent(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}

// resolveLink returns what path points to when it is a symbolic link, so that a token
// file kept elsewhere (a dotfiles repository) is replaced there and the link kept; else path.
func resolveLink(path string) (string, error) {
	info, err := os.Lstat(path)
	if err != nil || info.Mode()&fs.ModeSymlink == 0 {
		return path, nil
	}
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		return "", fmt.Errorf("it is a symbolic link that cannot be followed: %w", err)
	}
	return target, nil
}

// rename is os.Rename, replaced by tests to make the last step fail.
var rename = os.Rename

// WriteToken stores secret at path, atomically: it creates the missing directories with
// mode 0700 (directories that already exist are left alone), writes secret and a newline
// to a new temporary file in path's directory, created with mode 0600, flushes it to disk
// and renames it over path. At every instant path holds either the old token or the new
// one, never nothing, part of a token, or a token readable by others. When path is a
// symbolic link, the file it points to is replaced and the link kept.
//
// secret is trimmed and checked as ValidateToken does; an invalid one is refused and
// nothing is written. On error the temporary file is removed and path is untouched; the
// error names path, never the secret. WriteToken does not lock: renewals serialise with Lock.
func WriteToken(path, secret string) error {
	token, err := ValidateToken("the token to write", secret)
	if err != nil {
		return fmt.Errorf("write token to %s: %w", path, err)
	}
	target, err := resolveLink(path)
	if err == nil {
		err = replaceFile(target, []byte(token+"\n"))
	}
	if err != nil {
		return fmt.Errorf("write token to %s: %w", path, err)
	}
	return nil
}

// replaceFile puts data at path through a temporary file renamed over it.
func replaceFile(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := createTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	if err := overwrite(f, data, path); err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	return nil
}

// createTemp creates a new file in dir, named by pattern as os.CreateTemp does, with
// mode 0600 whatever the umask.
func createTemp(dir, pattern string) (*os.File, error) {
	// CreateTemp opens with O_EXCL and mode 0600.
	f, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return nil, err
	}
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	return f, nil
}

// overwrite makes the temporary file f hold exactly data, flushed to disk, closes it and
// renames it to dst. Writing over what f held (a reservation) needs no more room on disk.
// On error the caller removes f.
func overwrite(f *os.File, data []byte, dst string) error {
	if _, err := writeAt(f, data, 0); err != nil {
		return err
	}
	if err := f.Truncate(int64(len(data))); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := rename(f.Name(), dst); err != nil {
		return err
	}
	// Best effort: the new token is in place and visible; failing now would make the
	// caller believe the old one still is.
	syncDir(filepath.Dir(dst))
	return nil
}

// syncDir flushes dir's entries, so that a rename in it survives a crash.
func syncDir(dir string) {
	if runtime.GOOS == "windows" {
		return // a directory cannot be opened for syncing there
	}
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	d.Sync()
	d.Close()
}
