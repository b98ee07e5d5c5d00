package auth

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ReserveSize is the room Reserve takes for each file: a token of MaxTokenLen and its newline
// fit in it.
const ReserveSize = MaxTokenLen

// writeAt is (*os.File).WriteAt, replaced by tests to make the disk full.
var writeAt = (*os.File).WriteAt

// Reservation is room on disk taken for a token that does not exist yet, so that a full disk
// strikes before a renewal is asked for, never after Gandi issued the token: the temporary
// file that will replace the token file, and the spare file beside it that keeps the token
// when the token file cannot be replaced. Each is ReserveSize bytes, flushed to disk, holding
// only white space until a token overwrites it. Reserve it, Store or StoreSpare at most once
// each, and always Release it.
type Reservation struct {
	path   string   // the token path as given
	target string   // the file it resolves to, which Store replaces
	main   *os.File // in target's directory
	spare  *os.File // in path's directory, renamed to the spare path StoreSpare is given
}

// Reserve takes the room for a new token at path: it creates path's missing directories
// (0700), then two hidden temporary files (0600), one beside the file path resolves to and
// one beside path, and writes and flushes ReserveSize bytes to each. On error nothing is left
// behind; the error names path and the cause (it matches syscall.ENOSPC on a full disk).
func Reserve(path string) (*Reservation, error) {
	target, err := resolveLink(path)
	if err != nil {
		return nil, fmt.Errorf("reserve room for a token at %s: %w", path, err)
	}
	r := &Reservation{path: path, target: target}
	if r.main, err = reserveFile(target, ".tmp-"); err == nil {
		r.spare, err = reserveFile(path, ".new.tmp-")
	}
	if err != nil {
		r.Release()
		return nil, fmt.Errorf("reserve room for a token at %s: %w", path, err)
	}
	return r, nil
}

// reserveFile creates a hidden temporary file beside path and fills it with ReserveSize bytes
// of white space, flushed: what it holds never reads as a token.
func reserveFile(path, suffix string) (*os.File, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	f, err := createTemp(dir, "."+filepath.Base(path)+suffix+"*")
	if err != nil {
		return nil, err
	}
	filler := []byte(strings.Repeat("\n", ReserveSize))
	if _, err = writeAt(f, filler, 0); err == nil {
		err = f.Sync()
	}
	if err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	return f, nil
}

// Store puts secret (checked as WriteToken checks it) in the reserved temporary file and
// renames it over the token file, as WriteToken does, without needing more room on disk.
func (r *Reservation) Store(secret string) error {
	if err := r.commit(&r.main, secret, r.target); err != nil {
		return fmt.Errorf("write token to %s: %w", r.path, err)
	}
	return nil
}

// StoreSpare puts secret in the reserved spare file and renames it to spare, which must not
// exist; spare must be in the token path's directory (api_token.new, for instance).
func (r *Reservation) StoreSpare(spare, secret string) error {
	if filepath.Dir(spare) != filepath.Dir(r.path) {
		return fmt.Errorf("write token to %s: not in %s, where the room was reserved", spare, filepath.Dir(r.path))
	}
	if err := r.commit(&r.spare, secret, spare); err != nil {
		return fmt.Errorf("write token to %s: %w", spare, err)
	}
	return nil
}

// commit overwrites the reserved file *fp with the token and renames it to dst; *fp is nil
// once it is used, whether that worked or not.
func (r *Reservation) commit(fp **os.File, secret, dst string) error {
	f := *fp
	if f == nil {
		return errors.New("no room reserved for it, or already used")
	}
	*fp = nil
	token, err := ValidateToken("the token to write", secret)
	if err == nil {
		err = overwrite(f, []byte(token+"\n"), dst)
	}
	if err != nil {
		f.Close()
		os.Remove(f.Name())
	}
	return err
}

// Release removes the reserved files that were not used. It may be called more than once.
func (r *Reservation) Release() {
	for _, fp := range []**os.File{&r.main, &r.spare} {
		if f := *fp; f != nil {
			f.Close()
			os.Remove(f.Name())
			*fp = nil
		}
	}
}
