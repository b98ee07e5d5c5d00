package auth

// SetRename replaces the rename step of WriteToken until the returned function is called.
// Tests that use it must not run in parallel with other WriteToken tests.
func SetRename(f func(oldpath, newpath string) error) (restore func()) {
	rename = f
	return func() { rename = osRename }
}

var osRename = rename
