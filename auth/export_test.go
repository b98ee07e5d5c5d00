package auth

import "os"

// SetRename replaces the rename step of WriteToken until the returned function is called.
// Tests that use it must not run in parallel with other WriteToken tests.
func SetRename(f func(oldpath, newpath string) error) (restore func()) {
	rename = f
	return func() { rename = osRename }
}

var osRename = rename

// SetWriteAt replaces the writes of WriteToken and Reserve until the returned function is
// called. Tests that use it must not run in parallel with other writing tests.
func SetWriteAt(f func(file *os.File, b []byte, off int64) (int, error)) (restore func()) {
	writeAt = f
	return func() { writeAt = osWriteAt }
}

var osWriteAt = writeAt
