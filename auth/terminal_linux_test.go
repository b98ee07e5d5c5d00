package auth

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// openPTY opens a pseudo-terminal pair: what a program reads from its terminal (tty)
// and what the person's terminal emulator sees (ptm).
func openPTY(t *testing.T) (ptm, tty *os.File) {
	t.Helper()
	ptm, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	t.Cleanup(func() { ptm.Close() })
	if err := unix.IoctlSetPointerInt(int(ptm.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(int(ptm.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	tty, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tty.Close() })
	return ptm, tty
}

// signalWriter closes ready on its first write: the prompt has been shown.
type signalWriter struct {
	bytes.Buffer
	ready chan struct{}
}

func (w *signalWriter) Write(p []byte) (int, error) {
	if w.Len() == 0 {
		defer close(w.ready)
	}
	return w.Buffer.Write(p)
}

func TestReadTokenFromTerminalDoesNotEcho(t *testing.T) {
	ptm, tty := openPTY(t)
	const token = "pat_0123456789abcdef0123456789abcdef"
	prompt := &signalWriter{ready: make(chan struct{})}
	type result struct {
		token string
		err   error
	}
	done := make(chan result, 1)
	go func() {
		got, err := ReadToken(context.Background(), tty, prompt, "Paste the token: ")
		done <- result{got, err}
	}()
	<-prompt.ready
	// The person pastes the token and presses Enter (a carriage return, as a terminal sends).
	if _, err := io.WriteString(ptm, token+"\r"); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.err != nil || r.token != token {
		t.Fatalf("ReadToken = %q, %v", r.token, r.err)
	}
	if !strings.HasPrefix(prompt.String(), "Paste the token: ") {
		t.Errorf("prompt = %q", prompt.String())
	}
	// Echo is back on: what is typed now is shown. Everything the screen got before
	// the marker is what the token's typing produced.
	tio, err := unix.IoctlGetTermios(int(tty.Fd()), ioctlGetTermios)
	if err != nil {
		t.Fatal(err)
	}
	if tio.Lflag&unix.ECHO == 0 {
		t.Fatal("the terminal's echo was not restored")
	}
	if _, err := io.WriteString(ptm, "END\r"); err != nil {
		t.Fatal(err)
	}
	var screen []byte
	buf := make([]byte, 256)
	for !bytes.Contains(screen, []byte("END")) {
		n, err := ptm.Read(buf)
		if err != nil {
			t.Fatalf("read the screen: %v (so far %q)", err, screen)
		}
		screen = append(screen, buf[:n]...)
	}
	if bytes.Contains(screen, []byte("pat_")) {
		t.Errorf("the token was echoed to the screen: %q", screen)
	}
}

func TestReadTokenFromTerminalRestoresOnCancel(t *testing.T) {
	_, tty := openPTY(t)
	ctx, cancel := context.WithCancel(context.Background())
	prompt := &signalWriter{ready: make(chan struct{})}
	done := make(chan error, 1)
	go func() {
		_, err := ReadToken(ctx, tty, prompt, "Token: ")
		done <- err
	}()
	<-prompt.ready
	cancel() // as signal.NotifyContext does on Ctrl-C
	if err := <-done; err == nil || !strings.Contains(err.Error(), "canceled") {
		t.Fatalf("ReadToken after cancel = %v, want the context's error", err)
	}
	tio, err := unix.IoctlGetTermios(int(tty.Fd()), ioctlGetTermios)
	if err != nil {
		t.Fatal(err)
	}
	if tio.Lflag&unix.ECHO == 0 {
		t.Fatal("the terminal's echo was left off after an interrupt")
	}
}
