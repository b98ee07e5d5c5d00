package tools

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/gandi-mcp/gandi-mcp/auth"
	"github.com/gandi-mcp/gandi-mcp/gandi"
)

// expiryBook remembers when tokens expire, and their names, keyed by a fingerprint
// of the token, so that a later 401 can be diagnosed as "expired" rather than
// "rejected" (Gandi's 401 says the same for an expired token and an unknown one), and
// so that `token set` can say which token it replaced. It never holds a token.
type expiryBook struct {
	path string // a JSON file in the XDG state dir; "" disables the book
}

// TokenRecord is what the book knows of a token: never the token itself.
type TokenRecord struct {
	Name      string    `json:"name,omitempty"`
	ExpiresAt time.Time `json:"expires_at"`
	// Organizations are the names of the organizations the token reached when last verified.
	Organizations []string `json:"organizations,omitempty"`
}

// UnmarshalJSON also reads the book's first format, where a record was its expiry alone.
func (r *TokenRecord) UnmarshalJSON(b []byte) error {
	var t time.Time
	if json.Unmarshal(b, &t) == nil {
		*r = TokenRecord{ExpiresAt: t}
		return nil
	}
	type plain TokenRecord
	return json.Unmarshal(b, (*plain)(r))
}

// expiryMu serialises the book's read-modify-write within the process.
var expiryMu sync.Mutex

func (b expiryBook) load() map[string]TokenRecord {
	m := map[string]TokenRecord{}
	raw, err := os.ReadFile(b.path)
	if err == nil {
		_ = json.Unmarshal(raw, &m)
	}
	return m
}

// remember records a token's name and expiry; failures are ignored, the book is only a hint.
func (b expiryBook) remember(secret, name string, expires time.Time, now time.Time) {
	if b.path == "" {
		return
	}
	expiryMu.Lock()
	defer expiryMu.Unlock()
	m := b.load()
	key := gandi.Fingerprint(secret)
	// Gandi's name for a token is what its owner typed, possibly the token itself.
	rec := TokenRecord{Name: auth.Redact(name, secret), ExpiresAt: expires.UTC()}
	old, ok := m[key]
	if ok && old.ExpiresAt.Equal(rec.ExpiresAt) && old.Name == rec.Name {
		return
	}
	rec.Organizations = old.Organizations
	m[key] = rec
	b.save(m, now)
}

// rememberOrganizations records the organizations a token the book knows reaches; a
// token it does not know (no expiry yet) is left out, and failures are ignored.
func (b expiryBook) rememberOrganizations(secret string, names []string, now time.Time) {
	if b.path == "" {
		return
	}
	expiryMu.Lock()
	defer expiryMu.Unlock()
	m := b.load()
	key := gandi.Fingerprint(secret)
	rec, ok := m[key]
	for i, n := range names {
		names[i] = auth.Redact(n, secret)
	}
	if !ok || slices.Equal(rec.Organizations, names) {
		return
	}
	rec.Organizations = names
	m[key] = rec
	b.save(m, now)
}

// save writes the book atomically; the caller holds expiryMu.
func (b expiryBook) save(m map[string]TokenRecord, now time.Time) {
	for k, r := range m {
		// Forget tokens long dead, so the file stays small.
		if now.Sub(r.ExpiresAt) > 400*24*time.Hour {
			delete(m, k)
		}
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return
	}
	if err := os.MkdirAll(filepath.Dir(b.path), 0o700); err != nil {
		return
	}
	tmp, err := os.CreateTemp(filepath.Dir(b.path), ".expiry-*")
	if err != nil {
		return
	}
	_, werr := tmp.Write(raw)
	cerr := tmp.Close()
	if werr != nil || cerr != nil || os.Rename(tmp.Name(), b.path) != nil {
		_ = os.Remove(tmp.Name())
	}
}

// lookup returns what the book knows of the token.
func (b expiryBook) lookup(secret string) (TokenRecord, bool) {
	if b.path == "" {
		return TokenRecord{}, false
	}
	expiryMu.Lock()
	defer expiryMu.Unlock()
	r, ok := b.load()[gandi.Fingerprint(secret)]
	return r, ok
}

// expired returns the token's recorded expiry when it is in the past.
func (b expiryBook) expired(secret string, now time.Time) *time.Time {
	r, ok := b.lookup(secret)
	if !ok || r.ExpiresAt.After(now) {
		return nil
	}
	return &r.ExpiresAt
}

// RememberExpiry records in file that the token secret, named name, expires at t, as
// a successful /tokeninfo would; the demo uses it to give its expired token a past.
func RememberExpiry(file, secret, name string, t, now time.Time) {
	expiryBook{file}.remember(secret, name, t, now)
}

// KnownToken returns what file records of the token secret (its name and expiry, as
// Gandi last told them), if anything.
func KnownToken(file, secret string) (TokenRecord, bool) {
	return expiryBook{file}.lookup(secret)
}
