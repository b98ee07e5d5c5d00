package auth_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/gandi-mcp/gandi-mcp/auth"
)

// hidden lists the reserved (hidden temporary) files in dir with their sizes.
func hidden(t *testing.T, dir string) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	for _, name := range entries(t, dir) {
		if strings.HasPrefix(name, ".") {
			info, err := os.Stat(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			out[name] = info.Size()
			if info.Mode().Perm() != 0o600 {
				t.Errorf("%s has mode %v, want 0600", name, info.Mode().Perm())
			}
		}
	}
	return out
}

// A reservation takes ReserveSize bytes in two hidden files; the token then goes into the
// token file or the spare file without more room, and Release leaves nothing else behind.
func TestReservation(t *testing.T) {
	long := longToken(auth.MaxTokenLen)
	tests := []struct {
		name      string
		use       func(t *testing.T, r *auth.Reservation, path string) error
		wantToken string // in the token file after
		wantSpare string // in api_token.new after; "" for no such file
	}{
		{"stored over the token file", func(t *testing.T, r *auth.Reservation, path string) error {
			return r.Store(newToken)
		}, newToken, ""},
		{"a token of MaxTokenLen", func(t *testing.T, r *auth.Reservation, path string) error {
			return r.Store(long)
		}, long, ""},
		{"kept beside", func(t *testing.T, r *auth.Reservation, path string) error {
			return r.StoreSpare(path+".new", newToken)
		}, oldToken, newToken},
		{"unused", func(t *testing.T, r *auth.Reservation, path string) error { return nil }, oldToken, ""},
		{"an invalid token is refused", func(t *testing.T, r *auth.Reservation, path string) error {
			if err := r.Store("not a token"); err == nil {
				t.Error("Store accepted a token with spaces")
			}
			return nil
		}, oldToken, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "gandi")
			path := filepath.Join(dir, "api_token")
			writeFile(t, path, oldToken+"\n", 0o600)
			r, err := auth.Reserve(path)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Release()
			sizes := hidden(t, dir)
			if len(sizes) != 2 {
				t.Fatalf("reserved files %v, want two", sizes)
			}
			for name, size := range sizes {
				if size != auth.ReserveSize {
					t.Errorf("%s holds %d bytes, want %d", name, size, auth.ReserveSize)
				}
			}
			if slices.Contains(entries(t, dir), "api_token.new") {
				t.Error("the reservation made api_token.new, which would look like a kept token")
			}
			if err := tt.use(t, r, path); err != nil {
				t.Fatal(err)
			}
			r.Release()
			r.Release()
			if got := strings.TrimSpace(readFile(t, path)); got != tt.wantToken {
				t.Errorf("token file holds %d characters, want %d", len(got), len(tt.wantToken))
			}
			want := []string{"api_token"}
			if tt.wantSpare != "" {
				want = append(want, "api_token.new")
				if got := readFile(t, path+".new"); got != tt.wantSpare+"\n" || mode(t, path+".new") != 0o600 {
					t.Errorf("api_token.new holds %q, mode %v", got, mode(t, path+".new"))
				}
			}
			if got := entries(t, dir); !slices.Equal(got, want) {
				t.Errorf("left %v, want %v", got, want)
			}
		})
	}
}

// Through a link, the token goes to the file it points to, and the link stays.
func TestReservationFollowsALink(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "dotfiles", "api_token")
	writeFile(t, real, oldToken, 0o600)
	link := linkTo(t, real, filepath.Join(dir, "config", "gandi", "api_token"))
	r, err := auth.Reserve(link)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Release()
	if err := r.Store(newToken); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, real); got != newToken+"\n" {
		t.Errorf("the linked file holds %q", got)
	}
	if info, err := os.Lstat(link); err != nil || info.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v", err)
	}
}

// A full disk fails the reservation, whichever write it strikes, and leaves nothing behind.
func TestReservationOnAFullDisk(t *testing.T) {
	for _, failing := range []int{1, 2} {
		t.Run("write "+string(rune('0'+failing)), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "gandi")
			path := filepath.Join(dir, "api_token")
			writeFile(t, path, oldToken+"\n", 0o600)
			writes := 0
			defer auth.SetWriteAt(func(f *os.File, b []byte, off int64) (int, error) {
				if writes++; writes == failing {
					return 0, &os.PathError{Op: "write", Path: f.Name(), Err: syscall.ENOSPC}
				}
				return f.WriteAt(b, off)
			})()
			r, err := auth.Reserve(path)
			if !errors.Is(err, syscall.ENOSPC) || r != nil || !strings.Contains(err.Error(), path) {
				t.Fatalf("Reserve = %v, %v; want an error naming %s that matches ENOSPC", r, err, path)
			}
			if got := entries(t, dir); !slices.Equal(got, []string{"api_token"}) || readFile(t, path) != oldToken+"\n" {
				t.Errorf("left %v", got)
			}
		})
	}
}
