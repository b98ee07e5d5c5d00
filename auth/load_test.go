package auth_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/adrg/xdg"

	"github.com/gandi-mcp/gandi-mcp/auth"
)

const (
	envPAT  = "pat-Q7xKenv0123456789"
	filePAT = "pat-W3zRfile0123456789"
	legacy  = "key-M5vNlegacy012345"
)

// home is a fake home directory on Linux: ConfigHome is Home/.config.
type home struct {
	dir string
	env map[string]string
}

func newHome(t *testing.T) *home {
	t.Helper()
	return &home{dir: t.TempDir(), env: map[string]string{}}
}

func (h *home) options() auth.Options {
	return auth.Options{
		Home:       h.dir,
		ConfigHome: filepath.Join(h.dir, ".config"),
		Getenv:     func(name string) string { return h.env[name] },
	}
}

func (h *home) tokenPath() string { return filepath.Join(h.dir, ".config", "gandi", "api_token") }

// writeFile writes content to path with exactly mode, creating directories as needed.
func writeFile(t *testing.T, path, content string, mode fs.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil { // WriteFile's mode is subject to the umask
		t.Fatal(err)
	}
}

func warningCodes(c *auth.Credential) []string {
	var codes []string
	for _, w := range c.Warnings {
		codes = append(codes, w.Code)
	}
	return codes
}

func TestLoadSourceOrder(t *testing.T) {
	tests := []struct {
		name         string
		token, key   string
		file         bool
		wantKind     auth.Kind
		wantSource   auth.SourceKind
		wantOrigin   string // "FILE" stands for the token file's path
		wantSecret   string
		wantWarnings []string
	}{
		{"token wins over file and key", envPAT, legacy, true, auth.KindPAT, auth.SourceEnv, auth.EnvToken, envPAT, nil},
		{"token alone", envPAT, "", false, auth.KindPAT, auth.SourceEnv, auth.EnvToken, envPAT, nil},
		{"file wins over key", "", legacy, true, auth.KindPAT, auth.SourceFile, "FILE", filePAT, nil},
		{"file alone", "", "", true, auth.KindPAT, auth.SourceFile, "FILE", filePAT, nil},
		{"key last, with a warning", "", legacy, false, auth.KindAPIKey, auth.SourceEnv, auth.EnvAPIKey, legacy, []string{auth.WarnLegacyKey}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHome(t)
			h.env[auth.EnvToken] = tt.token
			h.env[auth.EnvAPIKey] = tt.key
			if tt.file {
				writeFile(t, h.tokenPath(), filePAT+"\n", 0o600)
			}
			c, err := auth.Load(h.options())
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			wantOrigin := tt.wantOrigin
			if wantOrigin == "FILE" {
				wantOrigin = h.tokenPath()
			}
			if c.Kind != tt.wantKind || c.Source != tt.wantSource || c.Origin != wantOrigin || c.Secret() != tt.wantSecret {
				t.Errorf("got %s %s %s secret %q, want %s %s %s secret %q",
					c.Kind, c.Source, c.Origin, c.Secret(), tt.wantKind, tt.wantSource, wantOrigin, tt.wantSecret)
			}
			if got := warningCodes(c); !reflect.DeepEqual(got, tt.wantWarnings) {
				t.Errorf("warnings = %v, want %v", got, tt.wantWarnings)
			}
			if c.Sandbox {
				t.Error("Sandbox = true, want false")
			}
		})
	}
}

func TestLoadLegacyKeyWarningSaysHowToMigrate(t *testing.T) {
	h := newHome(t)
	h.env[auth.EnvAPIKey] = legacy
	c, err := auth.Load(h.options())
	if err != nil {
		t.Fatal(err)
	}
	msg := c.Warnings[0].Message
	for _, want := range []string{auth.EnvAPIKey, "deprecated", "https://admin.gandi.net/organizations/account/pat", auth.EnvToken, h.tokenPath()} {
		if !strings.Contains(msg, want) {
			t.Errorf("legacy_key message %q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, legacy) {
		t.Errorf("legacy_key message shows the key: %q", msg)
	}
}

func TestLoadEmptyVariableCountsAsUnset(t *testing.T) {
	h := newHome(t)
	h.env[auth.EnvToken] = ""
	writeFile(t, h.tokenPath(), filePAT, 0o600)
	c, err := auth.Load(h.options())
	if err != nil {
		t.Fatal(err)
	}
	if c.Source != auth.SourceFile {
		t.Errorf("Source = %s, want file", c.Source)
	}
}

func TestLoadDefaultsToTheProcessEnvironment(t *testing.T) {
	t.Setenv(auth.EnvToken, envPAT)
	dir := t.TempDir()
	c, err := auth.Load(auth.Options{Home: dir, ConfigHome: dir})
	if err != nil {
		t.Fatal(err)
	}
	if c.Origin != auth.EnvToken || c.Secret() != envPAT {
		t.Errorf("got %v with secret %q", c, c.Secret())
	}
}

func TestLoadThroughXDGConfigHome(t *testing.T) {
	t.Cleanup(xdg.Reload) // registered first, so it runs after t.Setenv restores the variable
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	t.Setenv(auth.EnvToken, "")
	t.Setenv(auth.EnvAPIKey, "")
	xdg.Reload()
	path := filepath.Join(dir, "gandi", "api_token")
	writeFile(t, path, filePAT+"\n", 0o600)

	o := auth.Options{Home: t.TempDir()}
	if got := auth.WritePath(o); got != path {
		t.Errorf("WritePath = %s, want %s", got, path)
	}
	c, err := auth.Load(o)
	if err != nil {
		t.Fatal(err)
	}
	if c.Origin != path || c.Secret() != filePAT {
		t.Errorf("got %v with secret %q, want %s", c, c.Secret(), path)
	}
}

func TestLoadTrimsWhiteSpace(t *testing.T) {
	for _, raw := range []string{
		filePAT,
		filePAT + "\n",
		filePAT + "\r\n",
		"  " + filePAT + "  \n",
		"\t" + filePAT + "\n\n\n",
		"\n" + filePAT,
	} {
		t.Run("file "+strings.NewReplacer("\n", `\n`, "\r", `\r`, "\t", `\t`).Replace(raw), func(t *testing.T) {
			t.Parallel()
			h := newHome(t)
			writeFile(t, h.tokenPath(), raw, 0o600)
			c, err := auth.Load(h.options())
			if err != nil {
				t.Fatal(err)
			}
			if c.Secret() != filePAT {
				t.Errorf("secret = %q, want %q", c.Secret(), filePAT)
			}
		})
		t.Run("env "+strings.NewReplacer("\n", `\n`, "\r", `\r`, "\t", `\t`).Replace(raw), func(t *testing.T) {
			t.Parallel()
			h := newHome(t)
			h.env[auth.EnvToken] = raw
			c, err := auth.Load(h.options())
			if err != nil {
				t.Fatal(err)
			}
			if c.Secret() != filePAT {
				t.Errorf("secret = %q, want %q", c.Secret(), filePAT)
			}
		})
	}
}

// invalidShapes are malformed tokens built from distinctive characters, so that a message
// quoting any 4 of them in a row is caught.
var invalidShapes = []struct {
	name, raw, reason string
}{
	{"empty", "", "empty"},
	{"only white space", " \n\t\r\n ", "empty"},
	{"inner space", "Q~x#7K%z Z^r9&W*c", "white space"},
	{"inner tab", "Q~x#7K%z\tZ^r9&W*c", "white space"},
	{"two lines", "Q~x#7K%zZ^r9\nY~t5#P%c^L&m\n", "several lines"},
	{"two lines CRLF", "Q~x#7K%zZ^r9\r\nY~t5#P%c^L&m\r\n", "several lines"},
	{"NUL byte", "Q~x#7K%z\x00Z^r9&W*c", "NUL"},
	{"control byte", "Q~x#7K%z\x07Z^r9&W*c", "control character"},
	{"DEL byte", "Q~x#7K%z\x7fZ^r9&W*c", "control character"},
	{"non-ASCII", "Q~x#7K%zéZ^r9&W*c", "non-ASCII"},
	{"byte order mark", "\uFEFFQ~x#7K%zZ^r9&W*c", "byte order mark"},
	{"too short", "Q~x", "shorter than 8"},
	{"too long", strings.Repeat("Q~x#7K%zZ^r9", 342), "4104 characters long, longer than 4096"},
}

// assertNoFragment fails when msg contains any 4 consecutive bytes of secret.
func assertNoFragment(t *testing.T, msg, secret string) {
	t.Helper()
	secret = strings.TrimSpace(secret)
	for i := 0; i+4 <= len(secret); i++ {
		if frag := secret[i : i+4]; strings.TrimSpace(frag) == frag && strings.Contains(msg, frag) {
			t.Errorf("message %q contains %q, a part of the token", msg, frag)
			return
		}
	}
}

func TestLoadRefusesInvalidShapes(t *testing.T) {
	for _, tt := range invalidShapes {
		t.Run("file "+tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHome(t)
			h.env[auth.EnvAPIKey] = legacy // a malformed file must not fall through to the key
			writeFile(t, h.tokenPath(), tt.raw, 0o600)
			_, err := auth.Load(h.options())
			var ite *auth.InvalidTokenError
			if !errors.As(err, &ite) {
				t.Fatalf("Load error = %v, want *InvalidTokenError", err)
			}
			if ite.Origin != h.tokenPath() {
				t.Errorf("Origin = %q, want %q", ite.Origin, h.tokenPath())
			}
			msg := err.Error()
			for _, want := range []string{"file " + h.tokenPath(), tt.reason, "8 to 4096 printable ASCII"} {
				if !strings.Contains(msg, want) {
					t.Errorf("message %q lacks %q", msg, want)
				}
			}
			assertNoFragment(t, msg, tt.raw)
		})
		if strings.TrimSpace(tt.raw) == "" && tt.raw == "" {
			continue // an empty variable is unset, not invalid
		}
		t.Run("env "+tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHome(t)
			h.env[auth.EnvToken] = tt.raw
			writeFile(t, h.tokenPath(), filePAT, 0o600) // nor fall through to the file
			_, err := auth.Load(h.options())
			var ite *auth.InvalidTokenError
			if !errors.As(err, &ite) {
				t.Fatalf("Load error = %v, want *InvalidTokenError", err)
			}
			msg := err.Error()
			for _, want := range []string{"environment variable " + auth.EnvToken, tt.reason} {
				if !strings.Contains(msg, want) {
					t.Errorf("message %q lacks %q", msg, want)
				}
			}
			assertNoFragment(t, msg, tt.raw)
		})
	}
}

func TestLoadRefusesAnInvalidLegacyKey(t *testing.T) {
	h := newHome(t)
	h.env[auth.EnvAPIKey] = "Q~x# Z^r9"
	_, err := auth.Load(h.options())
	var ite *auth.InvalidTokenError
	if !errors.As(err, &ite) || ite.Origin != auth.EnvAPIKey {
		t.Fatalf("Load error = %v, want *InvalidTokenError from %s", err, auth.EnvAPIKey)
	}
}

func TestLoadRefusesAHugeFile(t *testing.T) {
	h := newHome(t)
	writeFile(t, h.tokenPath(), strings.Repeat("Q~x#7K%zZ^r9", 1000), 0o600)
	_, err := auth.Load(h.options())
	var ite *auth.InvalidTokenError
	if !errors.As(err, &ite) || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("Load error = %v, want *InvalidTokenError about the size", err)
	}
	assertNoFragment(t, err.Error(), "Q~x#7K%zZ^r9")
}

func TestLoadChecksPermissions(t *testing.T) {
	tests := []struct {
		mode        fs.FileMode
		wantWarning bool
		wantRefused bool
	}{
		{0o600, false, false},
		{0o400, false, false},
		{0o640, true, false},
		{0o644, true, false},
		{0o604, true, false},
		{0o666, false, true},
		{0o602, false, true},
		{0o620, false, true}, // group-writable is refused too, as OpenSSH does
		{0o660, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.mode.String(), func(t *testing.T) {
			t.Parallel()
			h := newHome(t)
			path := h.tokenPath()
			writeFile(t, path, filePAT, tt.mode)
			c, err := auth.Load(h.options())
			fix := "chmod 600 " + path
			if tt.wantRefused {
				var ife *auth.InsecureFileError
				if !errors.As(err, &ife) {
					t.Fatalf("Load error = %v, want *InsecureFileError", err)
				}
				if ife.Path != path || ife.Mode.Perm() != tt.mode {
					t.Errorf("got Path %s Mode %v, want %s %v", ife.Path, ife.Mode, path, tt.mode)
				}
				if !strings.Contains(err.Error(), fix) || !strings.Contains(err.Error(), "writable") {
					t.Errorf("message %q lacks %q", err, fix)
				}
				return
			}
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if !tt.wantWarning {
				if len(c.Warnings) != 0 {
					t.Errorf("warnings = %v, want none", c.Warnings)
				}
				return
			}
			if len(c.Warnings) != 1 || c.Warnings[0].Code != auth.WarnInsecureTokenFile {
				t.Fatalf("warnings = %v, want one %s", c.Warnings, auth.WarnInsecureTokenFile)
			}
			if msg := c.Warnings[0].Message; !strings.HasSuffix(msg, "run: "+fix) {
				t.Errorf("warning %q does not end with %q", msg, "run: "+fix)
			}
		})
	}
}

func TestInsecureFileFixQuotesAPathWithSpaces(t *testing.T) {
	err := &auth.InsecureFileError{Path: "/Users/a b/it's/api_token", Mode: 0o666}
	want := `chmod 600 '/Users/a b/it'\''s/api_token'`
	if !strings.HasSuffix(err.Error(), want) {
		t.Errorf("message %q does not end with %q", err, want)
	}
}

func TestLoadMacOSFallback(t *testing.T) {
	dir := t.TempDir()
	o := auth.Options{
		Home:       dir,
		ConfigHome: filepath.Join(dir, "Library", "Application Support"),
		Getenv:     func(string) string { return "" },
	}
	primary := filepath.Join(dir, "Library", "Application Support", "gandi", "api_token")
	dotConfig := filepath.Join(dir, ".config", "gandi", "api_token")
	if got, want := auth.TokenPaths(o), []string{primary, dotConfig}; !reflect.DeepEqual(got, want) {
		t.Fatalf("TokenPaths = %v, want %v", got, want)
	}
	if got := auth.WritePath(o); got != primary {
		t.Errorf("WritePath = %s, want %s", got, primary)
	}

	writeFile(t, dotConfig, "fallback-0123456789", 0o600)
	c, err := auth.Load(o)
	if err != nil {
		t.Fatal(err)
	}
	if c.Origin != dotConfig || c.Secret() != "fallback-0123456789" {
		t.Errorf("got %v, want the token of %s", c, dotConfig)
	}

	writeFile(t, primary, filePAT, 0o600)
	if c, err = auth.Load(o); err != nil {
		t.Fatal(err)
	}
	if c.Origin != primary || c.Secret() != filePAT {
		t.Errorf("got %v, want the token of %s", c, primary)
	}
}

func TestTokenPaths(t *testing.T) {
	tests := []struct {
		name             string
		sandbox          bool
		home, configHome string
		want             []string
	}{
		{"linux", false, "/h", "/h/.config", []string{"/h/.config/gandi/api_token"}},
		{"linux sandbox", true, "/h", "/h/.config", []string{"/h/.config/gandi/sandbox/api_token"}},
		{"XDG elsewhere", false, "/h", "/x", []string{"/x/gandi/api_token", "/h/.config/gandi/api_token"}},
		{"XDG elsewhere sandbox", true, "/h", "/x", []string{"/x/gandi/sandbox/api_token", "/h/.config/gandi/sandbox/api_token"}},
		{"unclean paths", false, "/h/", "/h/./.config/", []string{"/h/.config/gandi/api_token"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := auth.Options{Sandbox: tt.sandbox, Home: filepath.FromSlash(tt.home), ConfigHome: filepath.FromSlash(tt.configHome)}
			var want []string
			for _, p := range tt.want {
				want = append(want, filepath.FromSlash(p))
			}
			if got := auth.TokenPaths(o); !reflect.DeepEqual(got, want) {
				t.Errorf("TokenPaths = %v, want %v", got, want)
			}
			if got := auth.WritePath(o); got != want[0] {
				t.Errorf("WritePath = %v, want %v", got, want[0])
			}
		})
	}
}

func TestLoadSandbox(t *testing.T) {
	h := newHome(t)
	o := h.options()
	o.Sandbox = true
	writeFile(t, h.tokenPath(), filePAT, 0o600) // the production token is not the sandbox's
	if _, err := auth.Load(o); !errors.Is(err, auth.ErrNoCredential) {
		t.Fatalf("Load error = %v, want ErrNoCredential", err)
	}
	sandboxPath := filepath.Join(h.dir, ".config", "gandi", "sandbox", "api_token")
	writeFile(t, sandboxPath, "sandbox-0123456789", 0o600)
	c, err := auth.Load(o)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Sandbox || c.Origin != sandboxPath || c.Secret() != "sandbox-0123456789" {
		t.Errorf("got %+v, want the sandbox token of %s", c, sandboxPath)
	}
	if want := "sandbox PAT from " + sandboxPath; c.String() != want {
		t.Errorf("String = %q, want %q", c.String(), want)
	}

	h.env[auth.EnvAPIKey] = legacy
	os.Remove(sandboxPath)
	if c, err = auth.Load(o); err != nil {
		t.Fatal(err)
	}
	if !c.Sandbox || !strings.Contains(c.Warnings[0].Message, "https://admin.sandbox.gandi.net/") {
		t.Errorf("sandbox legacy key: got %+v, warning %q", c, c.Warnings[0].Message)
	}
}

func TestLoadUnreadableFiles(t *testing.T) {
	t.Run("directory in place of the file", func(t *testing.T) {
		h := newHome(t)
		h.env[auth.EnvAPIKey] = legacy
		if err := os.MkdirAll(h.tokenPath(), 0o700); err != nil {
			t.Fatal(err)
		}
		_, err := auth.Load(h.options())
		var re *auth.ReadError
		if !errors.As(err, &re) || re.Path != h.tokenPath() {
			t.Fatalf("Load error = %v, want *ReadError for %s", err, h.tokenPath())
		}
		if !strings.Contains(err.Error(), h.tokenPath()) || !strings.Contains(err.Error(), "directory") {
			t.Errorf("message %q should name the path and say it is a directory", err)
		}
	})
	t.Run("permission denied", func(t *testing.T) {
		if os.Geteuid() == 0 {
			t.Skip("running as root, which reads a file whatever its mode")
		}
		h := newHome(t)
		writeFile(t, h.tokenPath(), filePAT, 0o000)
		_, err := auth.Load(h.options())
		var re *auth.ReadError
		if !errors.As(err, &re) || !errors.Is(err, fs.ErrPermission) {
			t.Fatalf("Load error = %v, want *ReadError matching fs.ErrPermission", err)
		}
		if !strings.Contains(err.Error(), h.tokenPath()) {
			t.Errorf("message %q does not name the path", err)
		}
	})
	t.Run("parent is a file", func(t *testing.T) {
		h := newHome(t)
		writeFile(t, filepath.Join(h.dir, ".config", "gandi"), "not a directory", 0o600)
		_, err := auth.Load(h.options())
		var re *auth.ReadError
		if !errors.As(err, &re) || re.Path != h.tokenPath() {
			t.Fatalf("Load error = %v, want *ReadError for %s", err, h.tokenPath())
		}
	})
}

func TestLooked(t *testing.T) {
	o := auth.Options{Home: "/h", ConfigHome: "/x"}
	want := []string{
		"environment variable GANDI_API_TOKEN",
		"file /x/gandi/api_token",
		"file /h/.config/gandi/api_token",
		"environment variable GANDI_API_KEY",
	}
	if got := auth.Looked(o); !reflect.DeepEqual(got, want) {
		t.Errorf("Looked = %q, want %q", got, want)
	}
}

func TestLoadNothingFound(t *testing.T) {
	h := newHome(t)
	o := h.options()
	_, err := auth.Load(o)
	if !errors.Is(err, auth.ErrNoCredential) {
		t.Fatalf("Load error = %v, want ErrNoCredential", err)
	}
	var nf *auth.NotFoundError
	if !errors.As(err, &nf) || !reflect.DeepEqual(nf.Looked, auth.Looked(o)) {
		t.Fatalf("Load error = %#v, want *NotFoundError listing %q", err, auth.Looked(o))
	}
	for _, place := range auth.Looked(o) {
		if !strings.Contains(err.Error(), place) {
			t.Errorf("message %q lacks %q", err, place)
		}
	}
}

// A link to nothing at the token path is something there, and wrong: Load says so,
// naming the target, instead of taking it for a missing file and moving on.
func TestLoadBrokenLink(t *testing.T) {
	tests := []struct {
		name   string
		link   func(h *home) (target string) // makes the token path a broken link
		legacy bool                          // GANDI_API_KEY is set too
	}{
		{name: "absolute target", link: func(h *home) string {
			target := filepath.Join(h.dir, "secrets", "gandi")
			symlink(t, target, h.tokenPath())
			return target
		}},
		{name: "relative target, a legacy key behind", legacy: true, link: func(h *home) string {
			symlink(t, "moved_token", h.tokenPath())
			return filepath.Join(filepath.Dir(h.tokenPath()), "moved_token")
		}},
		{name: "a link to a broken link", link: func(h *home) string {
			first := filepath.Join(h.dir, "dotfiles", "api_token")
			symlink(t, filepath.Join(h.dir, "gone"), first)
			symlink(t, first, h.tokenPath())
			return first
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHome(t)
			if tt.legacy {
				h.env[auth.EnvAPIKey] = legacy
			}
			target := tt.link(h)
			c, err := auth.Load(h.options())
			var re *auth.ReadError
			if !errors.As(err, &re) || re.Path != h.tokenPath() || errors.Is(err, auth.ErrNoCredential) {
				t.Fatalf("Load = %v, %v; want a *ReadError for %s", c, err, h.tokenPath())
			}
			var bl *auth.BrokenLinkError
			if !errors.As(err, &bl) || bl.Target != target || bl.Path != h.tokenPath() {
				t.Errorf("Load error = %#v, want a *BrokenLinkError to %s", err, target)
			}
			for _, w := range []string{h.tokenPath(), "symbolic link to " + target, "does not exist"} {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("message %q lacks %q", err, w)
				}
			}
		})
	}
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(link), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, link); err != nil {
		t.Skip("symbolic links unavailable:", err)
	}
}
