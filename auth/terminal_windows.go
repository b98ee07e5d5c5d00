package auth

import (
	"os"

	"golang.org/x/sys/windows"
)

// canHideEcho says whether ReadToken can turn a terminal's echo off here.
const canHideEcho = true

type consoleTerminal struct {
	h     windows.Handle
	saved uint32
}

// terminalOf returns f as a console when it is one.
func terminalOf(f *os.File) (terminal, bool) {
	h := windows.Handle(f.Fd())
	var mode uint32
	if err := windows.GetConsoleMode(h, &mode); err != nil {
		return nil, false
	}
	return &consoleTerminal{h: h, saved: mode}, true
}

// hideEcho keeps line input and Ctrl-C handling but shows nothing.
func (t *consoleTerminal) hideEcho() error {
	mode := t.saved&^windows.ENABLE_ECHO_INPUT | windows.ENABLE_PROCESSED_INPUT | windows.ENABLE_LINE_INPUT
	return windows.SetConsoleMode(t.h, mode)
}

func (t *consoleTerminal) restore() error { return windows.SetConsoleMode(t.h, t.saved) }
