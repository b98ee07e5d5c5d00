package tools

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gandi-mcp/gandi-mcp/gandi"
)

// TestExpiryBook: the book keeps a token's name and expiry by fingerprint, never the
// token, and still reads the files of its first format (fingerprint -> expiry).
func TestExpiryBook(t *testing.T) {
	const secret = "pat_book0123456789abcdef0123456789ab"
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	past := now.AddDate(0, 0, -3)
	tests := []struct {
		name       string
		file       string // the book's content before; "" for none
		remember   *TokenRecord
		want       TokenRecord
		wantKnown  bool
		wantExpiry bool // expired() reports it
	}{
		{name: "nothing known"},
		{name: "first format", file: `{"` + gandi.Fingerprint(secret) + `": "` + past.Format(time.RFC3339) + `"}`,
			want: TokenRecord{ExpiresAt: past}, wantKnown: true, wantExpiry: true},
		{name: "name and expiry", remember: &TokenRecord{Name: "ci-bot", ExpiresAt: now.AddDate(0, 1, 0)},
			want: TokenRecord{Name: "ci-bot", ExpiresAt: now.AddDate(0, 1, 0)}, wantKnown: true},
		{name: "first format, then a name", file: `{"` + gandi.Fingerprint(secret) + `": "` + past.Format(time.RFC3339) + `"}`,
			remember: &TokenRecord{Name: "ci-bot", ExpiresAt: past}, want: TokenRecord{Name: "ci-bot", ExpiresAt: past}, wantKnown: true, wantExpiry: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state", "expiry.json")
			if tt.file != "" {
				os.MkdirAll(filepath.Dir(path), 0o700)
				os.WriteFile(path, []byte(tt.file), 0o600)
			}
			if tt.remember != nil {
				RememberExpiry(path, secret, tt.remember.Name, tt.remember.ExpiresAt, now)
			}
			got, known := KnownToken(path, secret)
			if known != tt.wantKnown || got.Name != tt.want.Name || !got.ExpiresAt.Equal(tt.want.ExpiresAt) {
				t.Errorf("KnownToken = %+v, %t; want %+v, %t", got, known, tt.want, tt.wantKnown)
			}
			if e := (expiryBook{path}).expired(secret, now); (e != nil) != tt.wantExpiry {
				t.Errorf("expired = %v, want reported: %t", e, tt.wantExpiry)
			}
			if raw, _ := os.ReadFile(path); strings.Contains(string(raw), "book0123") {
				t.Errorf("the book holds the token: %s", raw)
			}
		})
	}
}
