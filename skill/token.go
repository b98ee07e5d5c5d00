package skill

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/gandi-mcp/gandi-mcp/auth"
	"github.com/gandi-mcp/gandi-mcp/tools"
)

// TokenSet is what SetToken did.
type TokenSet struct {
	// Environment is production or sandbox.
	Environment string
	// Profile is the profile whose token was stored; "" for the default file.
	Profile string
	// Path is the token file written, or that would have been.
	Path string
	// Stored says whether the token is now in Path.
	Stored bool
	// Check is Gandi's view of the token when it was verified first; nil otherwise.
	// A token Gandi does not accept (Check.Valid false) is not stored.
	Check *tools.VerifyTokenOutput
	// Shadowed names the variable that wins over the file where it is set
	// (GANDI_API_TOKEN), when it is set in this environment.
	Shadowed string
	// Unchecked says Gandi could not be asked about the token (unreachable, an answer
	// that could not be read, its rate limit): it was neither accepted nor refused.
	Unchecked bool
	// Replaced is what the token file held before, when it held something; nil otherwise.
	Replaced *ReplacedToken
}

// ReplacedToken is what is known of what a token file held before SetToken replaced it:
// never the token. Name and ExpiresAt come from what Gandi said of it earlier.
type ReplacedToken struct {
	Name      string     // "" when unknown
	ExpiresAt *time.Time // nil when unknown
	// Same says the file already held this very token.
	Same bool
	// NotAToken says the file held something that cannot be read as a token.
	NotAToken bool
}

// unchecked are the diagnoses that mean Gandi gave no verdict on a token.
var unchecked = []tools.Diagnosis{tools.GandiUnavailable, tools.BadResponse, tools.RateLimited}

// lockWait bounds how long SetToken waits for a renewal of the same file to end.
const lockWait = 30 * time.Second

// SetToken stores token (read with auth.ReadToken) in the token file the server reads,
// atomically, mode 0600 in directories 0700, under the lock renewals take. The place is
// checked writable before anything else. With verify, Gandi is asked first (verify_token
// on this very token): a token it does not accept, or that cannot be checked, is not stored.
func SetToken(ctx context.Context, o Options, token string, verify bool) (*TokenSet, error) {
	o.newProfile = true // storing a profile's first token is how it is made
	deps, err := DepsFromEnv(o)
	if err != nil {
		return nil, err
	}
	path := auth.WritePath(deps.Auth)
	if path == "" {
		return nil, errors.New("cannot tell where to store the token: neither XDG_CONFIG_HOME nor HOME is set to an absolute directory")
	}
	if broken := auth.BrokenLink(path); broken != nil {
		return nil, fmt.Errorf("the token file %s is a symbolic link to %s, which does not exist: create that file, or remove the link (rm %s) and run this again", path, broken.Target, path)
	}
	if err := auth.CheckWritable(path); err != nil {
		return nil, err
	}
	res := &TokenSet{Environment: string(deps.Endpoints.Env), Profile: deps.Auth.Profile, Path: path}
	if deps.Auth.Getenv(auth.EnvToken) != "" {
		res.Shadowed = auth.EnvToken
	}
	if verify {
		res.Check, err = checkToken(ctx, deps, token)
		if err != nil {
			return nil, err
		}
		if !res.Check.Valid {
			res.Unchecked = res.Check.Troubleshooting != nil && slices.Contains(unchecked, res.Check.Troubleshooting.Diagnosis)
			return res, nil
		}
	}
	lockCtx, cancel := context.WithTimeout(ctx, lockWait)
	defer cancel()
	unlock, err := auth.Lock(lockCtx, path)
	if errors.Is(err, auth.ErrLocked) {
		return nil, fmt.Errorf("a renewal of the token in %s is running; try again once it is done", path)
	}
	if err != nil {
		return nil, err
	}
	defer unlock()
	res.Replaced = replaced(deps, path, token)
	if err := auth.WriteToken(path, token); err != nil {
		return nil, err
	}
	res.Stored = true
	return res, nil
}

// replaced says what the token file at path holds, before token replaces it; nil when
// there is nothing there.
func replaced(deps *tools.Deps, path, token string) *ReplacedToken {
	if _, err := os.Lstat(path); err != nil {
		return nil
	}
	fileOnly := deps.Auth
	fileOnly.Getenv = func(string) string { return "" } // the variables are not what is replaced
	old, err := auth.Load(fileOnly)
	if err != nil || old.Origin != path {
		return &ReplacedToken{NotAToken: true}
	}
	if old.Secret() == strings.TrimSpace(token) {
		return &ReplacedToken{Same: true}
	}
	r := &ReplacedToken{}
	if rec, ok := tools.KnownToken(deps.ExpiryFile, old.Secret()); ok {
		r.Name, r.ExpiresAt = rec.Name, &rec.ExpiresAt
	}
	return r
}

// SelectedProfile is the profile o selects: its Profile, else GANDI_PROFILE's; "" for none.
func SelectedProfile(o Options) string {
	getenv := o.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	return o.profile(getenv)
}

// CheckProfileName checks the name of the profile o selects, which need not exist yet.
func CheckProfileName(o Options) error {
	return auth.ValidateProfile(SelectedProfile(o))
}

// checkToken runs verify_token on token instead of the stored credential.
func checkToken(ctx context.Context, deps *tools.Deps, token string) (*tools.VerifyTokenOutput, error) {
	c := auth.NewCredential(auth.KindPAT, auth.SourceStdin, auth.StdinOrigin, token)
	c.Sandbox = deps.Auth.Sandbox
	return checkCredential(ctx, deps, c)
}

// checkCredential runs verify_token on c; it sets deps.Credential, so deps must be c's alone.
func checkCredential(ctx context.Context, deps *tools.Deps, c *auth.Credential) (*tools.VerifyTokenOutput, error) {
	deps.Credential = func() (*auth.Credential, error) { return c, nil }
	res, err := New(deps).Call(ctx, "verify_token", nil)
	if err != nil {
		return nil, err
	}
	var out tools.VerifyTokenOutput
	if err := json.Unmarshal(res.RawStructuredContent, &out); err != nil {
		return nil, fmt.Errorf("verify_token's answer: %w", err)
	}
	if res.IsError && out.Troubleshooting == nil {
		return nil, fmt.Errorf("verify_token failed: %s", resultText(res))
	}
	out.Valid = out.Valid && !res.IsError
	return &out, nil
}

// TokenPlace is one place a credential is looked for, and what is there: never its value.
type TokenPlace struct {
	// What names it: "environment variable GANDI_API_TOKEN", "file /home/x/.config/gandi/api_token".
	What string
	// Path is the file's path; "" for a variable.
	Path string
	// Present says whether something is there.
	Present bool
	// State says what is there in words: "set", "not set", "file, mode 0600", "missing",
	// "a symbolic link to /x, which does not exist".
	State string
}

// TokenPlaces says where a credential is looked for, in order, what is there, and which
// one is used.
type TokenPlaces struct {
	Environment string
	// Profile is the selected profile; "" for none.
	Profile string
	Places  []TokenPlace
	// WritePath is where `gandi-mcp token set` writes.
	WritePath string
	// InUse describes the credential the server would use, e.g. "PAT from /x/api_token";
	// Problem says why none can be used (no credential, an unsafe file...).
	InUse, Problem string
	// Warnings are about the credential in use (a file others can read, a legacy key).
	Warnings []auth.Warning
}

// LocateToken reports every place a credential is looked for, without reading any
// secret into its answer.
func LocateToken(o Options) (*TokenPlaces, error) {
	deps, err := DepsFromEnv(o)
	if err != nil {
		return nil, err
	}
	a := deps.Auth
	tp := &TokenPlaces{Environment: string(deps.Endpoints.Env), Profile: a.Profile, WritePath: auth.WritePath(a)}
	variable := func(name, note string) TokenPlace {
		p := TokenPlace{What: "environment variable " + name + note, State: "not set"}
		if a.Getenv(name) != "" {
			p.Present, p.State = true, "set"
		}
		return p
	}
	tp.Places = append(tp.Places, variable(auth.EnvToken, ""))
	for _, path := range auth.TokenPaths(a) {
		p := TokenPlace{What: "file " + path, Path: path, State: "missing"}
		info, err := os.Stat(path)
		broken := auth.BrokenLink(path)
		switch {
		case broken != nil:
			p.Present, p.State = true, "a symbolic link to "+broken.Target+", which does not exist"
		case err == nil && info.Mode().IsRegular():
			p.Present, p.State = true, fmt.Sprintf("file, mode %04o", uint32(info.Mode().Perm()))
		case err == nil:
			p.Present, p.State = true, "not a regular file"
		case !errors.Is(err, fs.ErrNotExist):
			p.Present, p.State = true, "cannot be read: "+err.Error()
		}
		tp.Places = append(tp.Places, p)
	}
	tp.Places = append(tp.Places, variable(auth.EnvAPIKey, " (legacy API key, deprecated)"))
	cred, err := auth.Load(a)
	if err != nil {
		tp.Problem = err.Error()
	} else {
		tp.InUse = cred.String()
		tp.Warnings = cred.Warnings
	}
	return tp, nil
}
