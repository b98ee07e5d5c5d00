package gandi

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
)

// Environment names a Gandi platform: the real one or its sandbox.
type Environment string

// The two Gandi platforms.
const (
	Production Environment = "production"
	Sandbox    Environment = "sandbox"
)

// Default hosts of each platform.
const (
	ProductionAPIURL   = "https://api.gandi.net"
	SandboxAPIURL      = "https://api.sandbox.gandi.net"
	ProductionIDURL    = "https://id.gandi.net"
	SandboxIDURL       = "https://id.sandbox.gandi.net"
	ProductionAdminURL = "https://admin.gandi.net"
	SandboxAdminURL    = "https://admin.sandbox.gandi.net"
)

// Endpoints says where a client talks: the REST API host and the identity
// host that answers /tokeninfo.
type Endpoints struct {
	Env    Environment
	APIURL string
	IDURL  string
}

// EndpointsFor returns the default hosts of env; anything but Sandbox is
// production.
func EndpointsFor(env Environment) Endpoints {
	if env == Sandbox {
		return Endpoints{Env: Sandbox, APIURL: SandboxAPIURL, IDURL: SandboxIDURL}
	}
	return Endpoints{Env: Production, APIURL: ProductionAPIURL, IDURL: ProductionIDURL}
}

// EndpointsFromEnv picks the platform and its hosts from the process
// environment, read through getenv (os.Getenv when nil). The sandbox is chosen
// when sandbox is true or GANDI_SANDBOX is truthy (1, true, yes, on);
// GANDI_API_URL and GANDI_ID_URL override the hosts. The result is validated.
func EndpointsFromEnv(sandbox bool, getenv func(string) string) (Endpoints, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	if v := getenv("GANDI_SANDBOX"); v != "" {
		on, err := parseBool(v)
		if err != nil {
			return Endpoints{}, fmt.Errorf("gandi: GANDI_SANDBOX=%q: %w", v, err)
		}
		sandbox = sandbox || on
	}
	env := Production
	if sandbox {
		env = Sandbox
	}
	e := EndpointsFor(env)
	if v := strings.TrimSpace(getenv("GANDI_API_URL")); v != "" {
		e.APIURL = strings.TrimRight(v, "/")
	}
	if v := strings.TrimSpace(getenv("GANDI_ID_URL")); v != "" {
		e.IDURL = strings.TrimRight(v, "/")
	}
	if err := e.Validate(); err != nil {
		return Endpoints{}, err
	}
	return e, nil
}

func parseBool(v string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "true", "yes", "on":
		return true, nil
	case "", "0", "false", "no", "off":
		return false, nil
	}
	return false, fmt.Errorf("not a boolean: use 1, true, yes, on or 0, false, no, off")
}

// Validate checks that both URLs are absolute and that a token sent to them
// cannot cross the network in clear text: https, or http only to a loopback
// host (127.0.0.0/8, ::1, localhost).
func (e Endpoints) Validate() error {
	switch e.Env {
	case "", Production, Sandbox:
	default:
		return fmt.Errorf("gandi: unknown environment %q: use %q or %q", e.Env, Production, Sandbox)
	}
	if err := validateURL("API URL", e.APIURL); err != nil {
		return err
	}
	return validateURL("ID URL", e.IDURL)
}

func validateURL(what, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" || u.Opaque != "" {
		// Not echoed: what is not a URL cannot be cut to a safe part of it.
		return fmt.Errorf("gandi: %s is not an absolute URL with a scheme and a host: use a form like %q", what, ProductionAPIURL)
	}
	shown := Origin(raw)
	if u.User != nil {
		return fmt.Errorf("gandi: %s %s carries credentials in the URL: remove them, the token is sent in a header", what, shown)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		return fmt.Errorf("gandi: %s %s has a query or fragment: use just scheme, host and optional path", what, shown)
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		return nil
	case "http":
		if isLoopback(u.Hostname()) {
			return nil
		}
		return fmt.Errorf("gandi: %s %s uses plain http to a non-loopback host, so the token would cross the network in clear text: use https://, or http:// only for 127.0.0.1, ::1 or localhost", what, shown)
	}
	return fmt.Errorf("gandi: %s %s has scheme %q: use https:// (or http:// to a loopback host)", what, shown, u.Scheme)
}

// Origin returns the scheme and host of an endpoint URL, for errors and logs:
// never its userinfo, path, query or fragment, which may carry secrets. A URL
// that does not parse shows as "(an unreadable URL)".
func Origin(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		if err == nil && u.Scheme != "" && u.Opaque == "" {
			return u.Scheme + "://"
		}
		return "(an unreadable URL)"
	}
	if u.Scheme == "" {
		return u.Host
	}
	return u.Scheme + "://" + u.Host
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// AdminURL returns the web admin of the environment (production unless Sandbox).
func (e Endpoints) AdminURL() string {
	if e.Env == Sandbox {
		return SandboxAdminURL
	}
	return ProductionAdminURL
}

// PATPageURL returns the admin page where a person creates a personal access token.
func (e Endpoints) PATPageURL() string { return e.AdminURL() + "/organizations/account/pat" }

// SharingURL returns where to start for an organization's Sharing tab: Gandi's
// help reaches it through ORGANIZATIONS, the organization, then "Sharing"; the
// tab itself has no documented address.
func (e Endpoints) SharingURL() string { return e.AdminURL() + "/organizations/" }
