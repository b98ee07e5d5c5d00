//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package auth

import (
	"os"

	"golang.org/x/sys/unix"
)

// canHideEcho says whether ReadToken can turn a terminal's echo off here.
const canHideEcho = true

type unixTerminal struct {
	fd    int
	saved unix.Termios
}

// terminalOf returns f as a terminal when it is one.
func terminalOf(f *os.File) (terminal, bool) {
	fd := int(f.Fd())
	t, err := unix.IoctlGetTermios(fd, ioctlGetTermios)
	if err != nil {
		return nil, false
	}
	return &unixTerminal{fd: fd, saved: *t}, true
}

// hideEcho keeps line editing and signals (Ctrl-C still interrupts) but shows nothing.
func (t *unixTerminal) hideEcho() error {
	n := t.saved
	n.Lflag &^= unix.ECHO
	n.Lflag |= unix.ICANON | unix.ISIG
	n.Iflag |= unix.ICRNL
	return unix.IoctlSetTermios(t.fd, ioctlSetTermios, &n)
}

func (t *unixTerminal) restore() error {
	saved := t.saved
	return unix.IoctlSetTermios(t.fd, ioctlSetTermios, &saved)
}
