package auth

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"

	"github.com/adrg/xdg"
)

// Options say where Load looks. The zero value looks at the real environment and the
// real home directory, for production.
type Options struct {
	// Sandbox selects Gandi's sandbox environment: the token file is
	// gandi/sandbox/api_token instead of gandi/api_token. The variables are the same.
	Sandbox bool
	// Getenv reads an environment variable; nil means os.Getenv.
	Getenv func(string) string
	// Home is the user's home directory; "" means os.UserHomeDir().
	Home string
	// ConfigHome is the XDG configuration directory; "" means xdg.ConfigHome.
	// adrg/xdg reads XDG_CONFIG_HOME once, at start-up: a test that changes the variable
	// must call xdg.Reload itself, or better, set ConfigHome.
	ConfigHome string
	// Profile selects a profile's token file, gandi/profiles/NAME/api_token
	// (gandi/sandbox/profiles/NAME/api_token in sandbox); "" is the default file.
	// It must pass ValidateProfile.
	Profile string
}

// envDir is the environment's directory relative to a configuration directory.
func (o Options) envDir() string {
	if o.Sandbox {
		return filepath.Join("gandi", "sandbox")
	}
	return "gandi"
}

// tokenFile is the token file's path relative to a configuration directory.
func (o Options) tokenFile() string {
	if o.Profile != "" {
		return filepath.Join(o.envDir(), "profiles", o.Profile, "api_token")
	}
	return filepath.Join(o.envDir(), "api_token")
}

func (o Options) getenv(name string) string {
	if o.Getenv == nil {
		return os.Getenv(name)
	}
	return o.Getenv(name)
}

// dirs returns the absolute configuration home and home directory; either may be "" when
// it cannot be determined.
func (o Options) dirs() (configHome, home string) {
	configHome, home = o.ConfigHome, o.Home
	if configHome == "" {
		configHome = xdg.ConfigHome
	}
	if home == "" {
		home, _ = os.UserHomeDir()
	}
	return absOrEmpty(configHome), absOrEmpty(home)
}

func absOrEmpty(dir string) string {
	if dir == "" {
		return ""
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	return abs
}

// TokenPaths returns the token files Load looks at, in order: {ConfigHome}/gandi/api_token,
// then, where ConfigHome is not {Home}/.config (macOS, or XDG_CONFIG_HOME set elsewhere),
// {Home}/.config/gandi/api_token. In sandbox mode the files are gandi/sandbox/api_token;
// with a Profile, gandi/[sandbox/]profiles/NAME/api_token. The paths are absolute.
func TokenPaths(o Options) []string {
	configHome, home := o.dirs()
	var paths []string
	if configHome != "" {
		paths = append(paths, filepath.Join(configHome, o.tokenFile()))
	}
	if home != "" {
		dotConfig := filepath.Join(home, ".config")
		if dotConfig != configHome {
			paths = append(paths, filepath.Join(dotConfig, o.tokenFile()))
		}
	}
	return paths
}

// WritePath returns where a new token should be written: the first of TokenPaths, or ""
// when neither the configuration nor the home directory is known.
func WritePath(o Options) string {
	paths := TokenPaths(o)
	if len(paths) == 0 {
		return ""
	}
	return paths[0]
}

// Looked describes every place Load looks at, in order, e.g.
// "environment variable GANDI_API_TOKEN", "file /home/x/.config/gandi/api_token",
// "environment variable GANDI_API_KEY": for telling a user who has no credential where to
// put one.
func Looked(o Options) []string {
	looked := []string{"environment variable " + EnvToken}
	for _, p := range TokenPaths(o) {
		looked = append(looked, "file "+p)
	}
	return append(looked, "environment variable "+EnvAPIKey)
}

// Load finds the credential. GANDI_API_TOKEN (a PAT) wins; then the first token file of
// TokenPaths that exists; then GANDI_API_KEY, a deprecated legacy key, which always comes
// with a "legacy_key" warning.
//
// A variable set to "" counts as unset and a missing file is skipped, but a source that
// is present and wrong stops the search with an error rather than falling through to the
// next one, so the user learns about it: *InvalidTokenError for a malformed token,
// *InsecureFileError for a token file writable by its group or others, *ReadError for a
// file that exists but cannot be read (a directory in its place, permission denied, or
// a symbolic link to nothing, whose Err is a *BrokenLinkError). A
// token file readable by its group or others is loaded with an "insecure_token_file"
// warning. Symbolic links are followed; what is checked is the file they point to.
// When nothing is found, the error is a *NotFoundError, which matches ErrNoCredential.
func Load(o Options) (*Credential, error) {
	if v := o.getenv(EnvToken); v != "" {
		return fromEnv(o, KindPAT, EnvToken, v)
	}
	for _, path := range TokenPaths(o) {
		c, err := fromFile(o, path)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		return c, err
	}
	if v := o.getenv(EnvAPIKey); v != "" {
		c, err := fromEnv(o, KindAPIKey, EnvAPIKey, v)
		if err != nil {
			return nil, err
		}
		c.Warnings = append(c.Warnings, Warning{Code: WarnLegacyKey, Message: legacyKeyMessage(o)})
		return c, nil
	}
	return nil, &NotFoundError{Looked: Looked(o)}
}

func fromEnv(o Options, kind Kind, name, value string) (*Credential, error) {
	token, err := ValidateToken(name, value)
	if err != nil {
		return nil, err
	}
	c := NewCredential(kind, SourceEnv, name, token)
	c.Sandbox = o.Sandbox
	return c, nil
}

// maxFileSize bounds what is read from a token file or standard input: the longest token
// and room for its white space, far less than a file put there by mistake.
const maxFileSize = 2 * MaxTokenLen

// fromFile loads the token file at path. Its error wraps fs.ErrNotExist only when the file
// does not exist.
func fromFile(o Options, path string) (*Credential, error) {
	// Stat before opening, so that a named pipe in place of the file cannot block Open.
	info, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		if broken := BrokenLink(path); broken != nil {
			// Something is there, and wrong: falling through to another source would hide it.
			return nil, &ReadError{Path: path, Err: broken}
		}
		return nil, err
	}
	if err == nil {
		err = checkRegular(info)
	}
	if err != nil {
		return nil, &ReadError{Path: path, Err: unwrapPathError(err)}
	}
	f, err := os.Open(path)
	if err != nil {
		// A file removed between Stat and Open is not there either.
		if errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		return nil, &ReadError{Path: path, Err: unwrapPathError(err)}
	}
	defer f.Close()
	// Check the file actually opened, not whatever the path named a moment ago.
	info, err = f.Stat()
	if err == nil {
		err = checkRegular(info)
	}
	if err != nil {
		return nil, &ReadError{Path: path, Err: unwrapPathError(err)}
	}
	var warnings []Warning
	if checkModes {
		perm := info.Mode().Perm()
		if perm&0o022 != 0 {
			return nil, &InsecureFileError{Path: path, Mode: info.Mode()}
		}
		if uid, other := ownedByAnotherUser(info); other {
			return nil, &InsecureFileError{Path: path, Mode: info.Mode(), OtherOwner: true, OwnerUID: uid}
		}
		if dirOpenToOthers(filepath.Dir(path)) {
			warnings = append(warnings, Warning{Code: WarnInsecureTokenFile, Message: fmt.Sprintf(
				"the directory %s can be written by other users, who could replace the token file; run: chmod 700 %s",
				filepath.Dir(path), shellQuote(filepath.Dir(path)))})
		}
		if perm&0o044 != 0 {
			warnings = append(warnings, Warning{Code: WarnInsecureTokenFile, Message: fmt.Sprintf(
				"the token file %s is readable by other users (mode %04o); run: chmod 600 %s",
				path, uint32(perm), shellQuote(path))})
		}
	}
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, &ReadError{Path: path, Err: unwrapPathError(err)}
	}
	if len(data) > maxFileSize {
		return nil, &InvalidTokenError{Origin: path, Reason: fmt.Sprintf("the file is larger than %d bytes", maxFileSize)}
	}
	token, err := ValidateToken(path, string(data))
	if err != nil {
		return nil, err
	}
	c := NewCredential(KindPAT, SourceFile, path, token)
	c.Sandbox = o.Sandbox
	c.Profile = o.Profile
	c.Warnings = warnings
	return c, nil
}

// BrokenLinkError says that a token file is a symbolic link to a file that does not exist.
type BrokenLinkError struct {
	// Path is the link; Target is what it points to, made absolute.
	Path, Target string
}

// Error names the target.
func (e *BrokenLinkError) Error() string {
	return fmt.Sprintf("it is a symbolic link to %s, which does not exist", e.Target)
}

// BrokenLink returns a *BrokenLinkError when path is a symbolic link whose target, or
// a link on the way to it, does not exist; nil otherwise.
func BrokenLink(path string) *BrokenLinkError {
	info, err := os.Lstat(path)
	if err != nil || info.Mode()&fs.ModeSymlink == 0 {
		return nil
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	target, err := os.Readlink(path)
	if err != nil {
		return nil
	}
	if !filepath.IsAbs(target) {
		target = filepath.Join(filepath.Dir(path), target)
	}
	return &BrokenLinkError{Path: path, Target: target}
}

// checkModes is false on Windows, where permission bits do not reflect who can read a file.
const checkModes = runtime.GOOS != "windows"

// errIsDir and errNotRegular say what is in place of a token file.
var (
	errIsDir      = errors.New("it is a directory; the token file must be a regular file holding the token")
	errNotRegular = errors.New("it is not a regular file")
)

func checkRegular(info fs.FileInfo) error {
	switch {
	case info.IsDir():
		return errIsDir
	case !info.Mode().IsRegular():
		return fmt.Errorf("%w but a %s", errNotRegular, fileType(info.Mode()))
	}
	return nil
}

func fileType(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "named pipe"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeDevice != 0:
		return "device"
	default:
		return "special file"
	}
}

// unwrapPathError drops the *fs.PathError around err: ReadError already names the path.
func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	return err
}

// legacyKeyMessage tells how to move from a legacy API key to a PAT.
func legacyKeyMessage(o Options) string {
	admin := "https://admin.gandi.net/organizations/account/pat"
	if o.Sandbox {
		admin = "https://admin.sandbox.gandi.net/organizations/account/pat"
	}
	where := EnvToken
	if p := WritePath(o); p != "" {
		where = fmt.Sprintf("%s or write it to %s", EnvToken, p)
	}
	return fmt.Sprintf("%s holds a legacy API key, which Gandi has deprecated; create a personal access token at %s and put it in %s",
		EnvAPIKey, admin, where)
}
