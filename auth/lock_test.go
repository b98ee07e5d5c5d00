package auth_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gandi-mcp/gandi-mcp/auth"
)

func TestLockExcludesGoroutines(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "gandi", "api_token")
	var inside, entered atomic.Int32
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 10 {
				var unlock func()
				var err error
				if (g+i)%2 == 0 {
					unlock, err = auth.Lock(context.Background(), path)
				} else {
					// TryLock until it succeeds, so both calls are exercised under contention.
					for unlock, err = auth.TryLock(path); errors.Is(err, auth.ErrLocked); unlock, err = auth.TryLock(path) {
						runtime.Gosched()
					}
				}
				if err != nil {
					t.Error(err)
					return
				}
				if n := inside.Add(1); n != 1 {
					t.Errorf("%d holders of the lock at once", n)
				}
				entered.Add(1)
				runtime.Gosched()
				inside.Add(-1)
				unlock()
			}
		}()
	}
	wg.Wait()
	if n := entered.Load(); n != 40 {
		t.Errorf("entered %d times, want 40", n)
	}
	if m := mode(t, auth.LockPath(path)); m != 0o600 {
		t.Errorf("lock file mode = %v, want 0600", m)
	}
	if m := mode(t, filepath.Dir(path)); m != 0o700 {
		t.Errorf("created directory mode = %v, want 0700", m)
	}
}

func TestTryLock(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "api_token")
	unlock, err := auth.Lock(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}

	// Held: by this goroutine and by another, TryLock refuses at once.
	if _, err := auth.TryLock(path); !errors.Is(err, auth.ErrLocked) {
		t.Errorf("TryLock while held = %v, want ErrLocked", err)
	}
	result := make(chan error)
	go func() {
		_, err := auth.TryLock(path)
		result <- err
	}()
	if err := <-result; !errors.Is(err, auth.ErrLocked) {
		t.Errorf("TryLock from another goroutine = %v, want ErrLocked", err)
	}

	unlock()
	unlock() // a second call does nothing

	unlock, err = auth.TryLock(path)
	if err != nil {
		t.Fatalf("TryLock once free: %v", err)
	}
	unlock()
}

func TestLockWaitsForTheHolder(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "api_token")
	unlock, err := auth.Lock(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	var released atomic.Bool
	acquired := make(chan error)
	go func() {
		unlock2, err := auth.Lock(context.Background(), path)
		if err == nil {
			if !released.Load() {
				t.Error("second Lock returned before the first was released")
			}
			unlock2()
		}
		acquired <- err
	}()
	released.Store(true)
	unlock()
	if err := <-acquired; err != nil {
		t.Fatalf("waiting Lock: %v", err)
	}
}

func TestLockGivesUpWhenTheContextEnds(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "api_token")
	unlock, err := auth.Lock(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()

	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := auth.Lock(canceled, path); !errors.Is(err, auth.ErrLocked) || !errors.Is(err, context.Canceled) {
		t.Errorf("Lock with a canceled context = %v, want ErrLocked and context.Canceled", err)
	}

	short, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := auth.Lock(short, path); !errors.Is(err, auth.ErrLocked) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Lock past its deadline = %v, want ErrLocked and context.DeadlineExceeded", err)
	}
}

func TestLockTakesAFreeLockWithAnEndedContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	unlock, err := auth.Lock(ctx, filepath.Join(t.TempDir(), "api_token"))
	if err != nil {
		t.Fatal(err)
	}
	unlock()
}

func TestLockErrorNamesThePath(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "gandi"), "a file", 0o600)
	path := filepath.Join(dir, "gandi", "api_token")
	if _, err := auth.TryLock(path); err == nil || errors.Is(err, auth.ErrLocked) {
		t.Errorf("TryLock under a regular file = %v, want an error other than ErrLocked", err)
	}
	if _, err := auth.Lock(context.Background(), path); err == nil {
		t.Error("Lock under a regular file succeeded")
	}
}

// TestLockExcludesProcesses holds the lock in a child process (this test binary, running
// TestLockHelperProcess) and checks that TryLock here is refused until the child exits.
func TestLockExcludesProcesses(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "api_token")
	cmd := exec.Command(os.Args[0], "-test.run=^TestLockHelperProcess$")
	cmd.Env = append(os.Environ(), "AUTH_LOCK_HELPER_PATH="+path)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || line != "locked\n" {
		t.Fatalf("helper said %q, %v", line, err)
	}
	if _, err := auth.TryLock(path); !errors.Is(err, auth.ErrLocked) {
		t.Errorf("TryLock while another process holds the lock = %v, want ErrLocked", err)
	}
	stdin.Close() // the helper exits, and its lock goes with it
	if err := cmd.Wait(); err != nil {
		t.Fatalf("helper: %v", err)
	}
	unlock, err := auth.TryLock(path)
	if err != nil {
		t.Fatalf("TryLock after the helper exited: %v", err)
	}
	unlock()
}

// TestLockHelperProcess is not a test: TestLockExcludesProcesses runs it in a child
// process to hold a lock until its standard input closes.
func TestLockHelperProcess(t *testing.T) {
	path := os.Getenv("AUTH_LOCK_HELPER_PATH")
	if path == "" {
		t.Skip("helper process for TestLockExcludesProcesses")
	}
	unlock, err := auth.TryLock(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	fmt.Println("locked")
	bufio.NewReader(os.Stdin).ReadString('\n')
	unlock()
	os.Exit(0)
}

// Two token paths that link to one file (directly, through a chain, through a linked
// directory) are one token: a lock held through one blocks the other.
func TestLockIsTakenOnTheFileLinksResolveTo(t *testing.T) {
	tests := []struct {
		name  string
		paths func(t *testing.T, dir, real string) (string, string)
	}{
		{"two links to one file", func(t *testing.T, dir, real string) (string, string) {
			return linkTo(t, real, filepath.Join(dir, "a", "api_token")), linkTo(t, real, filepath.Join(dir, "b", "api_token"))
		}},
		{"the file and a relative link to it", func(t *testing.T, dir, real string) (string, string) {
			rel, err := filepath.Rel(filepath.Join(dir, "a"), real)
			if err != nil {
				t.Fatal(err)
			}
			return real, linkTo(t, rel, filepath.Join(dir, "a", "api_token"))
		}},
		{"a chain of links", func(t *testing.T, dir, real string) (string, string) {
			first := linkTo(t, real, filepath.Join(dir, "a", "api_token"))
			return linkTo(t, first, filepath.Join(dir, "b", "api_token")), real
		}},
		{"a linked directory, file not there yet", func(t *testing.T, dir, real string) (string, string) {
			if err := os.Remove(real); err != nil {
				t.Fatal(err)
			}
			link := linkTo(t, filepath.Dir(real), filepath.Join(dir, "config-link"))
			return real, filepath.Join(link, filepath.Base(real))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			real := filepath.Join(dir, "dotfiles", "api_token")
			writeFile(t, real, oldToken, 0o600)
			one, other := tt.paths(t, dir, real)
			unlock, err := auth.TryLock(one)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := auth.TryLock(other); !errors.Is(err, auth.ErrLocked) {
				t.Errorf("TryLock(%s) while %s is locked = %v, want ErrLocked", other, one, err)
			}
			if a, b := auth.LockPath(one), auth.LockPath(other); a != b {
				t.Errorf("LockPath: %s and %s, want one lock file", a, b)
			}
			unlock()
			unlock, err = auth.TryLock(other)
			if err != nil {
				t.Fatalf("TryLock(%s) once free: %v", other, err)
			}
			unlock()
		})
	}
}

// linkTo makes link (and its directory) point to target, and returns link.
func linkTo(t *testing.T, target, link string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(link), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, link); err != nil {
		t.Skip("symbolic links:", err)
	}
	return link
}
