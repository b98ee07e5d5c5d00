package skill

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/adrg/xdg"
)

// ErrBadHTTPSecret is wrapped by HTTPSecret when the secret's file exists but cannot be
// trusted or used: readable by others, not a regular file, or not holding a secret.
var ErrBadHTTPSecret = errors.New("unusable HTTP secret file")

// httpSecretBytes is how much randomness a secret carries; base64url makes 43 characters of it.
const httpSecretBytes = 32

// HTTPSecretPath is where the bearer secret of `serve --http` is kept:
// gandi-mcp/http_secret in the user's configuration directory, read through getenv as the
// token file's is ($XDG_CONFIG_HOME when absolute, else $HOME/.config, ...).
func HTTPSecretPath(getenv func(string) string) (string, error) {
	dir := authOptions(false, getenv).ConfigHome
	if dir == "" {
		dir = xdg.ConfigHome
	}
	if !filepath.IsAbs(dir) {
		return "", errors.New("no configuration directory for the HTTP secret: set HOME, or XDG_CONFIG_HOME to an absolute path")
	}
	return filepath.Join(dir, "gandi-mcp", "http_secret"), nil
}

// HTTPSecret returns the bearer secret every request to `serve --http` must carry, and
// the file that keeps it. The first call makes it: 32 random bytes, base64url, in a
// file of mode 0600 in a directory created 0700. Later calls, and other processes, read
// the same secret; a file that others can read is refused, not used.
func HTTPSecret(getenv func(string) string) (secret, path string, err error) {
	path, err = HTTPSecretPath(getenv)
	if err != nil {
		return "", "", err
	}
	secret, err = readHTTPSecret(path)
	if errors.Is(err, fs.ErrNotExist) {
		secret, err = makeHTTPSecret(path)
	}
	return secret, path, err
}

func readHTTPSecret(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("read the HTTP secret: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return "", fmt.Errorf("read the HTTP secret: %w", err)
	}
	fix := "delete it, and gandi-mcp makes a new secret (then update your MCP client's configuration)"
	switch {
	case !info.Mode().IsRegular():
		return "", fmt.Errorf("%s is not a regular file (%w); %s", path, ErrBadHTTPSecret, fix)
	case runtime.GOOS != "windows" && info.Mode().Perm()&0o077 != 0:
		return "", fmt.Errorf("%s has mode %04o: other users could read the HTTP secret and act with your Gandi token (%w); "+
			"run chmod 600 %s, or %s", path, info.Mode().Perm(), ErrBadHTTPSecret, path, fix)
	}
	raw, err := io.ReadAll(io.LimitReader(f, 1024))
	if err != nil {
		return "", fmt.Errorf("read the HTTP secret %s: %w", path, err)
	}
	secret := strings.TrimSpace(string(raw))
	if len(secret) < 32 || len(secret) > 512 || strings.Trim(secret, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
		return "", fmt.Errorf("%s does not hold an HTTP secret: 32 to 512 characters of letters, digits, - and _ (%w); %s", path, ErrBadHTTPSecret, fix)
	}
	return secret, nil
}

// makeHTTPSecret writes a new secret beside path and links it there, so that a reader
// never sees a partial file and, when two processes race, both use the winner's secret.
func makeHTTPSecret(path string) (string, error) {
	b := make([]byte, httpSecretBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("make the HTTP secret: %w", err)
	}
	secret := base64.RawURLEncoding.EncodeToString(b)
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("make the HTTP secret: %w", err)
	}
	// CreateTemp opens with O_EXCL and mode 0600.
	f, err := os.CreateTemp(dir, ".http_secret.tmp-*")
	if err != nil {
		return "", fmt.Errorf("make the HTTP secret in %s: %w", dir, err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	_, err = f.WriteString(secret + "\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Link(tmp, path)
	}
	switch {
	case errors.Is(err, fs.ErrExist):
		return readHTTPSecret(path)
	case err != nil:
		return "", fmt.Errorf("make the HTTP secret %s: %w", path, err)
	}
	return secret, nil
}
