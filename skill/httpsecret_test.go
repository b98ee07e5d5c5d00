package skill

import (
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

func secretEnv(env map[string]string) func(string) string {
	return func(k string) string { return env[k] }
}

func TestHTTPSecretIsMadeOnceAndKeptPrivate(t *testing.T) {
	home := t.TempDir()
	getenv := secretEnv(map[string]string{"HOME": home})
	secret, path, err := HTTPSecret(getenv)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(home, ".config", "gandi-mcp", "http_secret"); runtime.GOOS == "linux" && path != want {
		t.Errorf("path %s, want %s", path, want)
	}
	if raw, err := base64.RawURLEncoding.DecodeString(secret); err != nil || len(raw) != 32 {
		t.Errorf("secret %d characters: want 32 random bytes in base64url (%v)", len(secret), err)
	}
	if runtime.GOOS != "windows" {
		for p, want := range map[string]os.FileMode{path: 0o600, filepath.Dir(path): 0o700} {
			if info, err := os.Stat(p); err != nil || info.Mode().Perm() != want {
				t.Errorf("%s: mode %v (%v), want %04o", p, info.Mode().Perm(), err, want)
			}
		}
	}
	again, _, err := HTTPSecret(getenv)
	if err != nil || again != secret {
		t.Errorf("a second read gave another secret (%v): it must stay the same across restarts", err)
	}
	other, _, err := HTTPSecret(secretEnv(map[string]string{"HOME": t.TempDir()}))
	if err != nil || other == secret {
		t.Errorf("another user's secret equals this one (%v)", err)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".http_secret.tmp-*")); len(leftovers) > 0 {
		t.Errorf("temporary files left behind: %v", leftovers)
	}
}

func TestHTTPSecretFollowsXDGConfigHome(t *testing.T) {
	config := t.TempDir()
	_, path, err := HTTPSecret(secretEnv(map[string]string{"HOME": t.TempDir(), "XDG_CONFIG_HOME": config}))
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(config, "gandi-mcp", "http_secret"); path != want {
		t.Errorf("path %s, want %s", path, want)
	}
}

func TestHTTPSecretFirstUseRace(t *testing.T) {
	getenv := secretEnv(map[string]string{"HOME": t.TempDir()})
	secrets := make([]string, 8)
	var wg sync.WaitGroup
	for i := range secrets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, _, err := HTTPSecret(getenv)
			if err != nil {
				t.Error(err)
			}
			secrets[i] = s
		}()
	}
	wg.Wait()
	for _, s := range secrets {
		if s != secrets[0] {
			t.Fatalf("processes starting together got different secrets: %q", secrets)
		}
	}
}

func TestHTTPSecretUnusableFile(t *testing.T) {
	tests := []struct {
		name    string
		prepare func(t *testing.T, path string)
		mention string
	}{
		{name: "readable by others", mention: "chmod 600", prepare: func(t *testing.T, path string) {
			if runtime.GOOS == "windows" {
				t.Skip("modes are ACLs on Windows")
			}
			writeSecretFile(t, path, strings.Repeat("a", 43), 0o644)
		}},
		{name: "not a secret", mention: "does not hold an HTTP secret", prepare: func(t *testing.T, path string) {
			writeSecretFile(t, path, "short", 0o600)
		}},
		{name: "empty", mention: "does not hold an HTTP secret", prepare: func(t *testing.T, path string) {
			writeSecretFile(t, path, "", 0o600)
		}},
		{name: "a directory", mention: "not a regular file", prepare: func(t *testing.T, path string) {
			if err := os.MkdirAll(path, 0o700); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			getenv := secretEnv(map[string]string{"HOME": t.TempDir()})
			path, err := HTTPSecretPath(getenv)
			if err != nil {
				t.Fatal(err)
			}
			tc.prepare(t, path)
			secret, _, err := HTTPSecret(getenv)
			if !errors.Is(err, ErrBadHTTPSecret) || secret != "" {
				t.Fatalf("HTTPSecret = %q, %v; want ErrBadHTTPSecret", secret, err)
			}
			if !strings.Contains(err.Error(), tc.mention) || !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name the file and mention %q", err, tc.mention)
			}
		})
	}
}

func writeSecretFile(t *testing.T, path, content string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}
