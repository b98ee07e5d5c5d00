//go:build !linux && !darwin && !freebsd && !netbsd && !openbsd && !dragonfly && !windows

package auth

import "os"

// canHideEcho is false: ReadToken refuses a terminal here rather than show the token.
const canHideEcho = false

func terminalOf(*os.File) (terminal, bool) { return nil, false }
