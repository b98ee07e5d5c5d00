//go:build !unix

package auth

// writableDir cannot tell from mode bits on this system; WriteToken will report it.
func writableDir(dir string) error { return nil }
