package auth_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/gandi-mcp/gandi-mcp/auth"
)

const (
	oldToken = "old-Vb8TokenContent01"
	newToken = "new-Hj4TokenContent02"
)

// entries lists the names in dir.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, de := range des {
		names = append(names, de.Name())
	}
	return names
}

func mode(t *testing.T, path string) fs.FileMode {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return info.Mode().Perm()
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestWriteTokenCreates(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "config", "gandi", "api_token")
	if err := auth.WriteToken(path, "  "+newToken+"\r\n"); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, path); got != newToken+"\n" {
		t.Errorf("content = %q, want %q", got, newToken+"\n")
	}
	if m := mode(t, path); m != 0o600 {
		t.Errorf("file mode = %v, want 0600", m)
	}
	for _, d := range []string{filepath.Join(dir, "config"), filepath.Dir(path)} {
		if m := mode(t, d); m != 0o700 {
			t.Errorf("mode of created %s = %v, want 0700", d, m)
		}
	}
	if got := entries(t, filepath.Dir(path)); !reflect.DeepEqual(got, []string{"api_token"}) {
		t.Errorf("directory holds %v, want only api_token", got)
	}

	// What was written loads back.
	c, err := auth.Load(auth.Options{Home: dir, ConfigHome: filepath.Join(dir, "config"), Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	if c.Secret() != newToken || len(c.Warnings) != 0 {
		t.Errorf("loaded %q with warnings %v, want %q and none", c.Secret(), c.Warnings, newToken)
	}
}

func TestWriteTokenReplaces(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "api_token")
	writeFile(t, path, oldToken+"\n", 0o644)
	if err := auth.WriteToken(path, newToken); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, path); got != newToken+"\n" {
		t.Errorf("content = %q, want %q", got, newToken+"\n")
	}
	if m := mode(t, path); m != 0o600 {
		t.Errorf("file mode = %v, want 0600 (tightened)", m)
	}
	if m := mode(t, dir); m != 0o755 {
		t.Errorf("existing directory mode = %v, want it left at 0755", m)
	}
	if got := entries(t, dir); !reflect.DeepEqual(got, []string{"api_token"}) {
		t.Errorf("directory holds %v, want only api_token", got)
	}
}

func TestWriteTokenFollowsASymlink(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	real := filepath.Join(dir, "dotfiles", "api_token")
	writeFile(t, real, oldToken, 0o600)
	link := filepath.Join(dir, "config", "api_token")
	if err := os.MkdirAll(filepath.Dir(link), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(real, link); err != nil {
		t.Skipf("cannot create a symbolic link here: %v", err)
	}
	if err := auth.CheckWritable(link); err != nil {
		t.Errorf("CheckWritable: %v", err)
	}
	if err := auth.WriteToken(link, newToken); err != nil {
		t.Fatal(err)
	}
	if info, err := os.Lstat(link); err != nil || info.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v %v", info, err)
	}
	if got := readFile(t, real); got != newToken+"\n" {
		t.Errorf("target content = %q, want %q", got, newToken+"\n")
	}
}

func TestWriteTokenRefusesAnInvalidSecret(t *testing.T) {
	t.Parallel()
	for _, tt := range invalidShapes {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := filepath.Join(dir, "api_token")
			writeFile(t, path, oldToken+"\n", 0o600)
			err := auth.WriteToken(path, tt.raw)
			var ite *auth.InvalidTokenError
			if !errors.As(err, &ite) {
				t.Fatalf("WriteToken error = %v, want *InvalidTokenError", err)
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("message %q does not name %s", err, path)
			}
			assertNoFragment(t, err.Error(), tt.raw)
			if got := readFile(t, path); got != oldToken+"\n" {
				t.Errorf("content = %q, want the old token kept", got)
			}
			if got := entries(t, dir); !reflect.DeepEqual(got, []string{"api_token"}) {
				t.Errorf("directory holds %v, want only api_token", got)
			}
		})
	}
}

// TestWriteTokenFailureKeepsTheOldToken makes the final rename fail, which works whoever
// runs the tests (root included), and checks nothing is left behind. Not parallel: it
// replaces a package variable.
func TestWriteTokenFailureKeepsTheOldToken(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "api_token")
	writeFile(t, path, oldToken+"\n", 0o600)
	boom := errors.New("injected rename failure")
	var tmp string
	restore := auth.SetRename(func(oldpath, newpath string) error {
		tmp = oldpath
		if got := readFile(t, oldpath); got != newToken+"\n" {
			t.Errorf("temporary file holds %q before the rename, want the new token", got)
		}
		if m := mode(t, oldpath); m != 0o600 {
			t.Errorf("temporary file mode = %v, want 0600", m)
		}
		if filepath.Dir(oldpath) != dir || newpath != path {
			t.Errorf("rename(%s, %s), want a temporary file in %s renamed to %s", oldpath, newpath, dir, path)
		}
		return boom
	})
	defer restore()
	err := auth.WriteToken(path, newToken)
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), path) {
		t.Fatalf("WriteToken error = %v, want the rename failure naming %s", err, path)
	}
	if strings.Contains(err.Error(), newToken) {
		t.Errorf("error shows the secret: %v", err)
	}
	if got := readFile(t, path); got != oldToken+"\n" {
		t.Errorf("content = %q, want the old token kept", got)
	}
	if _, err := os.Stat(tmp); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("temporary file %s left behind: %v", tmp, err)
	}
	if got := entries(t, dir); !reflect.DeepEqual(got, []string{"api_token"}) {
		t.Errorf("directory holds %v, want only api_token", got)
	}
}

func TestWriteTokenFailures(t *testing.T) {
	t.Run("read-only directory", func(t *testing.T) {
		if os.Geteuid() == 0 {
			t.Skip("running as root, which writes into a directory whatever its mode; the injected rename failure covers this path")
		}
		dir := t.TempDir()
		path := filepath.Join(dir, "api_token")
		writeFile(t, path, oldToken+"\n", 0o600)
		if err := os.Chmod(dir, 0o500); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(dir, 0o700) })
		err := auth.WriteToken(path, newToken)
		if !errors.Is(err, fs.ErrPermission) || !strings.Contains(err.Error(), path) {
			t.Fatalf("WriteToken error = %v, want a permission error naming %s", err, path)
		}
		if got := readFile(t, path); got != oldToken+"\n" {
			t.Errorf("content = %q, want the old token kept", got)
		}
		if got := entries(t, dir); !reflect.DeepEqual(got, []string{"api_token"}) {
			t.Errorf("directory holds %v, want only api_token", got)
		}
	})
	t.Run("parent is a regular file", func(t *testing.T) {
		dir := t.TempDir()
		writeFile(t, filepath.Join(dir, "gandi"), "a file", 0o600)
		path := filepath.Join(dir, "gandi", "api_token")
		err := auth.WriteToken(path, newToken)
		if err == nil || !strings.Contains(err.Error(), path) {
			t.Fatalf("WriteToken error = %v, want an error naming %s", err, path)
		}
		if got := entries(t, dir); !reflect.DeepEqual(got, []string{"gandi"}) {
			t.Errorf("directory holds %v, want only gandi", got)
		}
	})
	t.Run("directory in place of the file", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "api_token")
		if err := os.Mkdir(path, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := auth.WriteToken(path, newToken); err == nil || !strings.Contains(err.Error(), path) {
			t.Fatalf("WriteToken error = %v, want an error naming %s", err, path)
		}
		if got := entries(t, dir); !reflect.DeepEqual(got, []string{"api_token"}) {
			t.Errorf("directory holds %v, want only api_token", got)
		}
	})
}

// TestWriteTokenIsAtomic reads the file while it is replaced again and again: every read
// must see one whole token, never an empty or partial file.
func TestWriteTokenIsAtomic(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "api_token")
	tokens := []string{oldToken, newToken}
	if err := auth.WriteToken(path, tokens[0]); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-done:
				return
			default:
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Errorf("read %d: %v", i, err)
				return
			}
			if got := string(b); got != oldToken+"\n" && got != newToken+"\n" {
				t.Errorf("read %d saw %q", i, got)
				return
			}
		}
	}()
	for i := range 200 {
		if err := auth.WriteToken(path, tokens[i%2]); err != nil {
			t.Error(err)
			break
		}
	}
	close(done)
	wg.Wait()
}

func TestCheckWritable(t *testing.T) {
	dir := t.TempDir()
	existing := filepath.Join(dir, "gandi", "api_token")
	writeFile(t, existing, oldToken, 0o600)
	aFile := filepath.Join(dir, "file")
	writeFile(t, aFile, "x", 0o600)
	aDir := filepath.Join(dir, "dir")
	if err := os.Mkdir(aDir, 0o700); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		path    string
		wantErr string // "" when writable
	}{
		{"existing file", existing, ""},
		{"new file in an existing directory", filepath.Join(dir, "gandi", "other"), ""},
		{"new file in missing directories", filepath.Join(dir, "a", "b", "c", "api_token"), ""},
		{"parent is a regular file", filepath.Join(aFile, "api_token"), aFile + " is not a directory"},
		{"ancestor is a regular file", filepath.Join(aFile, "gandi", "api_token"), aFile + " is not a directory"},
		{"directory in place of the file", aDir, "is a directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := auth.CheckWritable(tt.path)
			if tt.wantErr == "" {
				if err != nil {
					t.Errorf("CheckWritable: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), tt.path) {
				t.Errorf("CheckWritable error = %v, want one naming %s and saying %q", err, tt.path, tt.wantErr)
			}
		})
	}
	if got := entries(t, dir); !reflect.DeepEqual(got, []string{"dir", "file", "gandi"}) {
		t.Errorf("CheckWritable changed %s: it holds %v", dir, got)
	}
	if got := entries(t, filepath.Join(dir, "gandi")); !reflect.DeepEqual(got, []string{"api_token"}) {
		t.Errorf("CheckWritable changed %s: it holds %v", filepath.Join(dir, "gandi"), got)
	}

	t.Run("read-only directory", func(t *testing.T) {
		if os.Geteuid() == 0 {
			t.Skip("running as root, which writes into a directory whatever its mode")
		}
		ro := filepath.Join(t.TempDir(), "ro")
		if err := os.Mkdir(ro, 0o500); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(ro, 0o700) })
		for _, path := range []string{filepath.Join(ro, "api_token"), filepath.Join(ro, "gandi", "api_token")} {
			err := auth.CheckWritable(path)
			if !errors.Is(err, fs.ErrPermission) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), ro) {
				t.Errorf("CheckWritable(%s) = %v, want a permission error naming it and %s", path, err, ro)
			}
		}
	})
}
