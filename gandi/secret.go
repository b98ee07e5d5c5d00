package gandi

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
)

const redacted = "[redacted]"

// Fingerprint identifies a token without revealing it: a truncated SHA-256. The same
// token has the same fingerprint in the limiter's queues, the logs, the audit lines and
// the expiry book (which keeps it on disk: the formula must not change).
func Fingerprint(token string) string {
	sum := sha256.Sum256([]byte("gandi-mcp expiry\x00" + token))
	return hex.EncodeToString(sum[:8])
}

// Secret holds a credential. Every printing and marshalling path shows
// "[redacted]"; only Reveal gives the value.
type Secret string

// Reveal returns the credential itself, for the one place that must send or store it.
func (s Secret) Reveal() string { return string(s) }

// String returns "[redacted]".
func (s Secret) String() string { return redacted }

// GoString returns "[redacted]", so %#v does not leak.
func (s Secret) GoString() string { return redacted }

// Format writes "[redacted]" for every verb, so %d, %x or %q do not leak either.
func (s Secret) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(redacted)) }

// MarshalJSON writes "[redacted]"; decoding into a Secret still reads the value.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }

// LogValue makes slog print "[redacted]".
func (s Secret) LogValue() slog.Value { return slog.StringValue(redacted) }
