// Package auth finds the Gandi credential the server runs with and stores a renewed one.
//
// A credential comes, in this order, from the GANDI_API_TOKEN environment variable (a
// personal access token), from a token file under the XDG configuration directory, or
// from the deprecated GANDI_API_KEY variable (a legacy API key). A renewed token goes back
// to a token file, replaced atomically under an advisory lock.
//
// The secret never leaves this package by accident: a Credential prints, marshals and logs
// without it, and errors name where a token came from, never what it holds. Only
// Credential.Secret returns it.
package auth

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
)

// Kind is the kind of secret a Credential holds; it decides the Authorization scheme.
type Kind string

const (
	// KindPAT is a personal access token, sent as "Authorization: Bearer <token>".
	KindPAT Kind = "pat"
	// KindAPIKey is a deprecated legacy API key, sent as "Authorization: Apikey <key>".
	KindAPIKey Kind = "api_key"
)

// label is how a kind reads in a sentence.
func (k Kind) label() string {
	switch k {
	case KindPAT:
		return "PAT"
	case KindAPIKey:
		return "legacy API key"
	default:
		return "credential"
	}
}

// SourceKind says what kind of place a Credential was read from.
type SourceKind string

const (
	// SourceEnv is an environment variable; Credential.Origin is its name.
	SourceEnv SourceKind = "env"
	// SourceFile is a token file; Credential.Origin is its absolute path.
	SourceFile SourceKind = "file"
	// SourceStdin is standard input, a token checked before `token set` stores it;
	// Credential.Origin is StdinOrigin.
	SourceStdin SourceKind = "stdin"
	// SourceHeader is the Authorization header of one request to a hosted server: the
	// caller's own token, used for that request only.
	SourceHeader SourceKind = "header"
)

// Names of the environment variables Load reads.
const (
	// EnvToken holds a personal access token. It wins over every other source.
	EnvToken = "GANDI_API_TOKEN"
	// EnvAPIKey holds a deprecated legacy API key, the last source looked at.
	EnvAPIKey = "GANDI_API_KEY"
)

// Codes of the warnings Load attaches to a Credential.
const (
	// WarnInsecureTokenFile: the token file is readable by other users.
	WarnInsecureTokenFile = "insecure_token_file"
	// WarnLegacyKey: the credential is a deprecated API key; migrate to a PAT.
	WarnLegacyKey = "legacy_key"
)

// Warning is something the user should fix although the credential was loaded.
// Message is written for a person and says what to do.
type Warning struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Credential is a secret and where it came from.
//
// Printing it with fmt (any verb), marshalling it to JSON or logging it with log/slog
// never shows the secret; call Secret for that. The secret is held behind a pointer so
// that even reflection-based printing of a copy shows an address, not the value.
type Credential struct {
	// Kind says whether the secret is a PAT or a legacy API key.
	Kind Kind
	// Source is the kind of place the secret was read from.
	Source SourceKind
	// Origin is the environment variable's name, or the token file's absolute path.
	Origin string
	// Sandbox is true when the credential was loaded for Gandi's sandbox environment.
	Sandbox bool
	// Profile is the profile whose token file held the credential; "" for the default
	// file and for a variable, which belongs to no profile.
	Profile string
	// Warnings are problems the user should fix; the credential is usable anyway.
	Warnings []Warning

	secret *string
}

// NewCredential returns a Credential holding secret, for a token obtained some other way
// than Load (a renewal, a test). It does not check the secret's shape: see ValidateToken.
func NewCredential(kind Kind, source SourceKind, origin, secret string) *Credential {
	return &Credential{Kind: kind, Source: source, Origin: origin, secret: &secret}
}

// Secret returns the token or key itself. It is the only way to get it.
func (c Credential) Secret() string {
	if c.secret == nil {
		return ""
	}
	return *c.secret
}

// String describes the credential without its secret, e.g.
// "PAT from /home/x/.config/gandi/api_token" or "sandbox PAT from GANDI_API_TOKEN".
func (c Credential) String() string {
	var b strings.Builder
	if c.Sandbox {
		b.WriteString("sandbox ")
	}
	b.WriteString(c.Kind.label())
	if c.Origin != "" {
		b.WriteString(" from ")
		b.WriteString(c.Origin)
	}
	return b.String()
}

// GoString is what %#v prints: the fields, with the secret replaced by "[redacted]".
func (c Credential) GoString() string {
	return fmt.Sprintf("auth.Credential{Kind:%q, Source:%q, Origin:%q, Sandbox:%t, Warnings:%#v, secret:%q}",
		string(c.Kind), string(c.Source), c.Origin, c.Sandbox, c.Warnings, redacted)
}

// Format makes every fmt verb print the description, never the secret:
// %#v prints GoString, %+v adds source and warning codes, other verbs format String.
func (c Credential) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'v' && f.Flag('#'):
		fmt.Fprint(f, c.GoString())
	case verb == 'v' && f.Flag('+'):
		fmt.Fprintf(f, "%s (source=%s sandbox=%t warnings=%s)", c.String(), c.Source, c.Sandbox, c.warningCodes())
	default:
		fmt.Fprintf(f, fmt.FormatString(f, verb), c.String())
	}
}

// MarshalJSON encodes the description fields; the secret is never encoded.
func (c Credential) MarshalJSON() ([]byte, error) {
	warnings := c.Warnings
	if warnings == nil {
		warnings = []Warning{}
	}
	return json.Marshal(struct {
		Kind     Kind       `json:"kind"`
		Source   SourceKind `json:"source"`
		Origin   string     `json:"origin"`
		Sandbox  bool       `json:"sandbox"`
		Warnings []Warning  `json:"warnings"`
	}{c.Kind, c.Source, c.Origin, c.Sandbox, warnings})
}

// LogValue logs the description fields as a group; the secret is never logged.
func (c Credential) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("kind", string(c.Kind)),
		slog.String("source", string(c.Source)),
		slog.String("origin", c.Origin),
		slog.Bool("sandbox", c.Sandbox),
		slog.String("warnings", c.warningCodes()),
	)
}

// warningCodes lists the warning codes as "[a b]".
func (c Credential) warningCodes() string {
	codes := make([]string, len(c.Warnings))
	for i, w := range c.Warnings {
		codes[i] = w.Code
	}
	return "[" + strings.Join(codes, " ") + "]"
}

// redacted replaces a secret wherever one would otherwise be shown.
const redacted = "[redacted]"

// shellQuote quotes path for a shell command line when it needs quoting.
func shellQuote(path string) string {
	safe := path != "" && strings.IndexFunc(path, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/._-+,:@%", r))
	}) < 0
	if safe {
		return path
	}
	return "'" + strings.ReplaceAll(path, "'", `'\''`) + "'"
}
