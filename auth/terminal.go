package auth

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
)

// StdinOrigin names standard input as a token's origin in messages.
const StdinOrigin = "standard input"

// ErrNoHiddenInput says that standard input is a terminal on a system where gandi-mcp
// cannot turn its echo off, so the token would be shown on screen.
var ErrNoHiddenInput = errors.New("standard input is a terminal and this system cannot hide what is typed there; pipe the token in instead, e.g. from your password manager")

// terminal is a terminal whose echo can be turned off and back on.
type terminal interface {
	hideEcho() error
	restore() error
}

// ReadToken reads one token from in, for `gandi-mcp token set`, and checks its shape
// with ValidateToken (origin StdinOrigin).
//
// When in is a terminal, it writes prompt to promptOut, turns echo off, reads one line
// and turns echo back on, so that the token is neither shown nor kept in a shell history.
// The terminal is restored also when ctx ends first: end ctx on an interrupt
// (signal.NotifyContext), or a Ctrl-C would leave the terminal without echo.
// Otherwise (a pipe, a file) it reads everything, up to 8192 bytes (a token is at most
// MaxTokenLen characters).
func ReadToken(ctx context.Context, in io.Reader, promptOut io.Writer, prompt string) (string, error) {
	var raw []byte
	var err error
	f, isFile := in.(*os.File)
	term, isTerm := terminal(nil), false
	if isFile {
		term, isTerm = terminalOf(f)
	}
	switch {
	case isTerm:
		raw, err = readHidden(ctx, f, term, promptOut, prompt)
	case isFile && !canHideEcho && isCharDevice(f):
		return "", ErrNoHiddenInput
	default:
		raw, err = io.ReadAll(io.LimitReader(in, maxFileSize+1))
	}
	if err != nil {
		return "", fmt.Errorf("read the token from %s: %w", StdinOrigin, err)
	}
	if len(raw) > maxFileSize {
		return "", &InvalidTokenError{Origin: StdinOrigin, Reason: fmt.Sprintf("more than %d bytes arrived; send the token alone", maxFileSize)}
	}
	return ValidateToken(StdinOrigin, string(raw))
}

// readHidden reads one line from the terminal f with its echo off.
func readHidden(ctx context.Context, f *os.File, term terminal, promptOut io.Writer, prompt string) ([]byte, error) {
	if err := term.hideEcho(); err != nil {
		return nil, fmt.Errorf("turn the terminal's echo off: %w", err)
	}
	defer term.restore()
	// The prompt comes once echo is off, so nothing typed after it can be shown.
	fmt.Fprint(promptOut, prompt)
	type result struct {
		line []byte
		err  error
	}
	done := make(chan result, 1)
	go func() {
		line, err := readLine(f)
		done <- result{line, err}
	}()
	select {
	case r := <-done:
		// The Enter key was not echoed either: end the prompt's line.
		fmt.Fprintln(promptOut)
		return r.line, r.err
	case <-ctx.Done():
		// The reader stays blocked until the process exits; the terminal is restored now.
		fmt.Fprintln(promptOut)
		return nil, ctx.Err()
	}
}

// readLine reads up to the end of a line, or maxFileSize+1 bytes, or the end of input.
func readLine(r io.Reader) ([]byte, error) {
	var line []byte
	buf := make([]byte, 512)
	for len(line) <= maxFileSize {
		n, err := r.Read(buf)
		line = append(line, buf[:n]...)
		if i := bytes.IndexByte(line, '\n'); i >= 0 {
			return line[:i+1], nil
		}
		if errors.Is(err, io.EOF) {
			return line, nil
		}
		if err != nil {
			return nil, err
		}
	}
	return line, nil
}

func isCharDevice(f *os.File) bool {
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
