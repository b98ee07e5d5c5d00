//go:build unix

package auth

// SetEUID makes the owner check believe the server runs as uid until the returned
// function is called. Tests that use it must not run in parallel.
func SetEUID(uid int) (restore func()) {
	geteuid = func() int { return uid }
	return func() { geteuid = osGeteuid }
}

var osGeteuid = geteuid
