package tools

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// expiryBook remembers when tokens expire, keyed by a fingerprint of the token,
// so that a later 401 can be diagnosed as "expired" rather than "rejected":
// Gandi's 401 says the same for an expired token and an unknown one.
type expiryBook struct {
	path string // a JSON file in the XDG state dir; "" disables the book
}

// expiryMu serialises the book's read-modify-write within the process.
var expiryMu sync.Mutex

// fingerprint identifies a token without revealing it: a truncated SHA-256.
func fingerprint(secret string) string {
	sum := sha256.Sum256([]byte("gandi-mcp expiry\x00" + secret))
	return hex.EncodeToString(sum[:8])
}

func (b expiryBook) load() map[string]time.Time {
	m := map[string]time.Time{}
	raw, err := os.ReadFile(b.path)
	if err == nil {
		_ = json.Unmarshal(raw, &m)
	}
	return m
}

// remember records a token's expiry; failures are ignored, the book is only a hint.
func (b expiryBook) remember(secret string, expires time.Time, now time.Time) {
	if b.path == "" {
		return
	}
	expiryMu.Lock()
	defer expiryMu.Unlock()
	m := b.load()
	key := fingerprint(secret)
	if old, ok := m[key]; ok && old.Equal(expires) {
		return
	}
	m[key] = expires.UTC()
	for k, t := range m {
		// Forget tokens long dead, so the file stays small.
		if now.Sub(t) > 400*24*time.Hour {
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

// expired returns the token's recorded expiry when it is in the past.
func (b expiryBook) expired(secret string, now time.Time) *time.Time {
	if b.path == "" {
		return nil
	}
	expiryMu.Lock()
	defer expiryMu.Unlock()
	t, ok := b.load()[fingerprint(secret)]
	if !ok || t.After(now) {
		return nil
	}
	return &t
}

// RememberExpiry records in file that the token secret expires at t, as a
// successful /tokeninfo would; the demo uses it to give its expired token a past.
func RememberExpiry(file, secret string, t, now time.Time) {
	expiryBook{file}.remember(secret, t, now)
}
