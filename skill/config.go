package skill

import (
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/adrg/xdg"

	"github.com/gandi-mcp/gandi-mcp/auth"
	"github.com/gandi-mcp/gandi-mcp/gandi"
	"github.com/gandi-mcp/gandi-mcp/tools"
)

// Options are the settings of one gandi-mcp process.
type Options struct {
	Sandbox bool
	// Getenv reads the environment; nil means os.Getenv.
	Getenv func(string) string
	// Stderr receives logs; nil means os.Stderr.
	Stderr   io.Writer
	LogLevel slog.Level
	// Profile selects a profile's token file (see auth.Options.Profile); "" means
	// GANDI_PROFILE's, and no profile when that is unset too.
	Profile string
	// AllowPurchases is --allow-purchases: an apply may buy (renew_domain). Also on
	// when GANDI_MCP_ALLOW_PURCHASES is true.
	AllowPurchases bool

	// Hosted serves many callers, each with the token its requests carry: no token file,
	// token variable, expiry book or journal file is read or written (see tools.Deps.Hosted),
	// and applied changes are audit lines on Stderr.
	Hosted bool

	// newProfile accepts a profile that does not exist yet: `token set` creates it.
	newProfile bool
}

// profile is the profile o selects: its Profile, else GANDI_PROFILE.
func (o Options) profile(getenv func(string) string) string {
	if o.Profile != "" {
		return o.Profile
	}
	return strings.TrimSpace(getenv(auth.EnvProfile))
}

// DepsFromEnv resolves endpoints and credential places from the options and the
// environment (GANDI_SANDBOX, GANDI_API_URL, GANDI_ID_URL, GANDI_API_TOKEN,
// GANDI_MCP_CALL_TIMEOUT, GANDI_MCP_ALLOW_PURCHASES, GANDI_PROFILE, ...). A selected profile that is not a valid
// name, or does not exist, is an error (*auth.ProfileNameError, *auth.UnknownProfileError).
func DepsFromEnv(o Options) (*tools.Deps, error) {
	getenv := o.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	ep, err := gandi.EndpointsFromEnv(o.Sandbox, getenv)
	if err != nil {
		return nil, err
	}
	limit, err := callTimeout(getenv)
	if err != nil {
		return nil, err
	}
	purchases, err := allowPurchases(o.AllowPurchases, getenv)
	if err != nil {
		return nil, err
	}
	if o.Hosted {
		return hostedDeps(o, ep, limit, purchases, getenv)
	}
	a := authOptions(ep.Env == gandi.Sandbox, getenv)
	a.Profile = o.profile(getenv)
	if err := auth.ValidateProfile(a.Profile); err != nil {
		return nil, err
	}
	if !o.newProfile {
		if err := auth.CheckProfile(a); err != nil {
			return nil, err
		}
	}
	d := &tools.Deps{
		Endpoints:      ep,
		CallTimeout:    limit,
		AllowPurchases: purchases,
		Auth:           a,
		UserAgent:      Name + "/" + Version(),
		Logger:         NewLogger(o.Stderr, o.LogLevel),
		// Only fingerprints and dates are kept there, never a token.
		ExpiryFile: filepath.Join(stateHome(getenv), "gandi-mcp", "expiry.json"),
		// Every applied change is recorded there (mode 0600, directory 0700), never a secret.
		JournalFile: filepath.Join(stateHome(getenv), "gandi-mcp", "journal.jsonl"),
	}
	d.Other = otherEndpoints(ep, getenv)
	return d, nil
}

// hostedDeps are the Deps of a hosted server: no place of a credential (auth.Options holds
// no directory and no getenv, so nothing could be read even by mistake), no state files.
func hostedDeps(o Options, ep gandi.Endpoints, limit time.Duration, purchases bool, getenv func(string) string) (*tools.Deps, error) {
	if o.Profile != "" {
		return nil, fmt.Errorf("--profile does not apply to a hosted server: it reads no token file; each caller sends their own token")
	}
	var w io.Writer = os.Stderr
	if o.Stderr != nil {
		w = o.Stderr
	}
	// One lock for the log and the audit lines, so that a long audit line never interleaves with a log record.
	stderr := &lockedWriter{w: w}
	logger := NewLogger(stderr, o.LogLevel)
	for _, name := range []string{auth.EnvToken, auth.EnvAPIKey, auth.EnvProfile} {
		if getenv(name) != "" {
			logger.Warn(name + " is set but a hosted server ignores it: each caller's requests carry their own token")
		}
	}
	return &tools.Deps{
		Endpoints:      ep,
		Other:          otherEndpoints(ep, getenv),
		CallTimeout:    limit,
		AllowPurchases: purchases,
		Auth:           auth.Options{Sandbox: ep.Env == gandi.Sandbox, Getenv: func(string) string { return "" }},
		UserAgent:      Name + "/" + Version(),
		Logger:         logger,
		Hosted:         true,
		Journal:        tools.AuditJournal{W: stderr},
	}, nil
}

// lockedWriter makes each Write whole with respect to the others.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// otherEndpoints is the other environment, asked about a refused token only on Gandi's own hosts.
func otherEndpoints(ep gandi.Endpoints, getenv func(string) string) *gandi.Endpoints {
	if getenv("GANDI_API_URL") != "" || getenv("GANDI_ID_URL") != "" {
		return nil
	}
	other := gandi.EndpointsFor(gandi.Production)
	if ep.Env == gandi.Production {
		other = gandi.EndpointsFor(gandi.Sandbox)
	}
	return &other
}

// The bounds of GANDI_MCP_CALL_TIMEOUT (callTimeout's message spells them out):
// less than a second leaves no time for a round trip to Gandi, more than ten
// minutes outlasts any client's patience.
const (
	minCallTimeout = time.Second
	maxCallTimeout = 10 * time.Minute
)

// callTimeout reads GANDI_MCP_CALL_TIMEOUT, a Go duration (40s, 2m) or plain
// seconds (40); unset means tools.DefaultCallTimeout.
func callTimeout(getenv func(string) string) (time.Duration, error) {
	raw := strings.TrimSpace(getenv("GANDI_MCP_CALL_TIMEOUT"))
	if raw == "" {
		return tools.DefaultCallTimeout, nil
	}
	const valid = "use a duration such as 40s or 2m, or plain seconds such as 40, from 1s to 10m (default 25s)"
	d, err := time.ParseDuration(raw)
	if err != nil {
		secs, serr := strconv.ParseFloat(raw, 64)
		if serr != nil || math.IsNaN(secs) || math.IsInf(secs, 0) {
			return 0, fmt.Errorf("GANDI_MCP_CALL_TIMEOUT=%q is not a duration: %s", clipValue(raw), valid)
		}
		// Clamped before the conversion, which would overflow for huge values.
		d = time.Duration(math.Max(-1, math.Min(secs, 2*maxCallTimeout.Seconds())) * float64(time.Second))
	}
	if d < minCallTimeout || d > maxCallTimeout {
		return 0, fmt.Errorf("GANDI_MCP_CALL_TIMEOUT=%q is out of range: %s", clipValue(raw), valid)
	}
	return d, nil
}

// allowPurchases is whether applies may buy: the flag's value, or GANDI_MCP_ALLOW_PURCHASES
// when true; a value that is neither on nor off stops start-up rather than guessing.
func allowPurchases(flag bool, getenv func(string) string) (bool, error) {
	return envSwitch(flag, getenv, "GANDI_MCP_ALLOW_PURCHASES", "let renew_domain buy renewals", "keep purchases off")
}

// envSwitch is an on/off setting: on when flag is, or when the variable name is true;
// a value that is neither on nor off is an error that says what on and off would do.
func envSwitch(flag bool, getenv func(string) string, name, on, off string) (bool, error) {
	raw := strings.TrimSpace(getenv(name))
	if raw == "" {
		return flag, nil
	}
	v, err := strconv.ParseBool(raw)
	if err != nil {
		return false, fmt.Errorf("%s=%q is neither on nor off: use 1 (or true) to %s, 0 (or false) or unset to %s", name, clipValue(raw), on, off)
	}
	return flag || v, nil
}

// clipValue shortens an echoed setting, which may be of any length.
func clipValue(s string) string {
	if r := []rune(s); len(r) > 32 {
		return string(r[:31]) + "…"
	}
	return s
}

// authOptions reads the config and home directories through getenv too, so that the
// environment a command is given is the one it uses: adrg/xdg reads the process's once.
// It follows adrg/xdg's defaults: $XDG_CONFIG_HOME when absolute, else $HOME/.config
// ($HOME/Library/Application Support on macOS).
func authOptions(sandbox bool, getenv func(string) string) auth.Options {
	o := auth.Options{Sandbox: sandbox, Getenv: getenv}
	if home := getenv("HOME"); filepath.IsAbs(home) {
		o.Home = home
	}
	dir := getenv("XDG_CONFIG_HOME")
	if o.Home != "" && (dir == "~" || strings.HasPrefix(dir, "~/")) {
		dir = filepath.Join(o.Home, dir[1:])
	}
	switch {
	case filepath.IsAbs(dir):
		o.ConfigHome = dir
	case o.Home != "" && runtime.GOOS == "darwin":
		o.ConfigHome = filepath.Join(o.Home, "Library", "Application Support")
	case o.Home != "" && runtime.GOOS != "windows" && runtime.GOOS != "plan9":
		o.ConfigHome = filepath.Join(o.Home, ".config")
	}
	return o
}

// stateHome is the XDG state directory read through getenv, like authOptions:
// $XDG_STATE_HOME when absolute, else $HOME/.local/state, else adrg/xdg's answer.
func stateHome(getenv func(string) string) string {
	if dir := getenv("XDG_STATE_HOME"); filepath.IsAbs(dir) {
		return dir
	}
	if home := getenv("HOME"); filepath.IsAbs(home) && runtime.GOOS != "windows" && runtime.GOOS != "darwin" {
		return filepath.Join(home, ".local", "state")
	}
	return xdg.StateHome
}

// NewLogger writes text logs to w (stderr when nil): stdout belongs to the protocol.
func NewLogger(w io.Writer, level slog.Level) *slog.Logger {
	if w == nil {
		w = os.Stderr
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}

// ParseLevel reads a log level name (debug, info, warn, error); ok is false for anything else.
func ParseLevel(s string) (slog.Level, bool) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(strings.TrimSpace(s))); err != nil {
		return slog.LevelInfo, false
	}
	return l, true
}

// DefaultRateLimit is the requests a minute a server sends Gandi unless told
// otherwise: 60% of Gandi's published 1000 a minute per source IP, leaving room
// for the burst (DefaultBurst) and for other programs behind the same address.
const DefaultRateLimit = 600

// maxRateLimit bounds --rate-limit: far past Gandi's limit, for tests and benches.
const maxRateLimit = 1_000_000

// RateLimit reads the limit of requests a minute to Gandi from flag (--rate-limit)
// when it is not "", else from GANDI_MCP_RATE_LIMIT, else DefaultRateLimit; "off"
// gives 0, no limit. Any other value than a whole number from 1 to 1000000 is an
// error naming where it came from.
func RateLimit(flag string, getenv func(string) string) (int, error) {
	raw, sep := strings.TrimSpace(flag), " "
	name := "--rate-limit"
	if raw == "" {
		name, raw, sep = "GANDI_MCP_RATE_LIMIT", strings.TrimSpace(getenv("GANDI_MCP_RATE_LIMIT")), "="
	}
	if raw == "" {
		return DefaultRateLimit, nil
	}
	if strings.EqualFold(raw, "off") {
		return 0, nil
	}
	valid := fmt.Sprintf("use a whole number of requests a minute to Gandi from 1 to %d (Gandi allows 1000 a minute per IP address; default %d), or off for no limit", maxRateLimit, DefaultRateLimit)
	given := fmt.Sprintf("%s%s%q", name, sep, clipValue(raw))
	n, err := strconv.Atoi(raw)
	switch {
	case err != nil:
		return 0, fmt.Errorf("%s is not a whole number: %s", given, valid)
	case n == 0:
		return 0, fmt.Errorf("%s would let no request through: %s", given, valid)
	case n < 0 || n > maxRateLimit:
		return 0, fmt.Errorf("%s is out of range: %s", given, valid)
	}
	return n, nil
}

// NewRateLimiter is the one limiter of a server's requests to Gandi for
// perMinute (from RateLimit), shared by every caller; nil for 0, no limit.
func NewRateLimiter(perMinute int) (*gandi.Limiter, error) {
	if perMinute == 0 {
		return nil, nil
	}
	return gandi.NewLimiter(gandi.LimiterConfig{PerMinute: perMinute})
}
