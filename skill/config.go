package skill

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"

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
}

// DepsFromEnv resolves endpoints and credential places from the options and the
// environment (GANDI_SANDBOX, GANDI_API_URL, GANDI_ID_URL, GANDI_API_TOKEN, ...).
func DepsFromEnv(o Options) (*tools.Deps, error) {
	getenv := o.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	ep, err := gandi.EndpointsFromEnv(o.Sandbox, getenv)
	if err != nil {
		return nil, err
	}
	d := &tools.Deps{
		Endpoints: ep,
		Auth:      authOptions(ep.Env == gandi.Sandbox, getenv),
		UserAgent: Name + "/" + Version(),
		Logger:    NewLogger(o.Stderr, o.LogLevel),
		// Only fingerprints and dates are kept there, never a token.
		ExpiryFile: filepath.Join(stateHome(getenv), "gandi-mcp", "expiry.json"),
	}
	// The other environment is asked about a refused token only on Gandi's own hosts.
	if getenv("GANDI_API_URL") == "" && getenv("GANDI_ID_URL") == "" {
		other := gandi.EndpointsFor(gandi.Production)
		if ep.Env == gandi.Production {
			other = gandi.EndpointsFor(gandi.Sandbox)
		}
		d.Other = &other
	}
	return d, nil
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
