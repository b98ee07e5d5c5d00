package gandi

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Entity is a resource a token can act on: a whole organization
// (Type "organization") or one product (Type "domain", ...).
type Entity struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
	Type string `json:"type,omitempty"`
}

// TokenInfo is what the identity host says about the token in use.
type TokenInfo struct {
	PATName  string   `json:"pat_name"`
	Scope    []string `json:"scope"`
	Entities []Entity `json:"entities"`
	// ExpiresIn is the token's remaining life in seconds; 0 when not given.
	ExpiresIn int64 `json:"expires_in"`
	// ExpiresInGiven says that the answer carried a readable expires_in.
	ExpiresInGiven bool `json:"-"`
}

// ExpiryKnown says whether the token's expiry is known: an answer without a
// readable expires_in must not be taken for an expired token.
func (t *TokenInfo) ExpiryKnown() bool { return t.ExpiresInGiven || t.ExpiresIn != 0 }

// UnmarshalJSON accepts expires_in as an integer, a float or a numeric string.
func (t *TokenInfo) UnmarshalJSON(b []byte) error {
	type plain TokenInfo
	var v struct {
		plain
		ExpiresIn json.RawMessage `json:"expires_in"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*t = TokenInfo(v.plain)
	s := strings.Trim(strings.TrimSpace(string(v.ExpiresIn)), `"`)
	// Lenient, as Gandi does not document the field's type: unreadable means unknown.
	t.ExpiresIn, t.ExpiresInGiven = 0, false
	if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) && math.Abs(f) < 1e15 {
		t.ExpiresIn, t.ExpiresInGiven = int64(f), true
	}
	return nil
}

// TokenInfo asks the identity host (GET {IDURL}/tokeninfo) what the token is.
func (c *Client) TokenInfo(ctx context.Context) (*TokenInfo, error) {
	u, err := joinURL(c.endpoints.IDURL, "/tokeninfo", nil)
	if err != nil {
		return nil, err
	}
	var ti TokenInfo
	if _, err := c.do(ctx, request{method: http.MethodGet, url: u, out: &ti}); err != nil {
		return nil, err
	}
	return &ti, nil
}

// RenewRequest asks for a renewed token; both fields are optional.
type RenewRequest struct {
	Name      string     `json:"name,omitempty"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"` // default: the current token's time-to-live from now
}

// RenewedToken is the new token Gandi issued. AccessToken is the new secret.
type RenewedToken struct {
	AccessToken Secret    `json:"access_token"`
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	ExpiresAt   time.Time `json:"expires_at"` // zero when Gandi's answer did not say it readably
	Scopes      []string  `json:"scopes"`
	Entities    []Entity  `json:"entities"`
}

// UnmarshalJSON reads the secret strictly and everything else leniently: a
// field in an unexpected shape must never cost a token Gandi has just issued.
func (r *RenewedToken) UnmarshalJSON(b []byte) error {
	var v map[string]json.RawMessage
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*r = RenewedToken{}
	var secret string
	if raw, ok := v["access_token"]; ok {
		if err := json.Unmarshal(raw, &secret); err != nil {
			return fmt.Errorf("access_token is not a string")
		}
	}
	r.AccessToken = Secret(secret)
	_ = json.Unmarshal(v["id"], &r.ID)
	_ = json.Unmarshal(v["name"], &r.Name)
	_ = json.Unmarshal(v["scopes"], &r.Scopes)
	_ = json.Unmarshal(v["entities"], &r.Entities)
	var when string
	if json.Unmarshal(v["expires_at"], &when) == nil {
		r.ExpiresAt = parseLenientTime(when)
	}
	return nil
}

// parseLenientTime reads RFC 3339 and the common zone-less forms (taken as UTC);
// the zero time when none fits.
func parseLenientTime(s string) time.Time {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02 15:04:05Z07:00"} {
		if t, err := time.Parse(layout, strings.TrimSpace(s)); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

// RenewToken renews the token in use (POST /v5/organization/access-tokens).
// It is never retried: a lost answer may still have issued a token.
func (c *Client) RenewToken(ctx context.Context, r RenewRequest) (*RenewedToken, error) {
	u, err := c.apiURL("/v5/organization/access-tokens", nil)
	if err != nil {
		return nil, err
	}
	var rt RenewedToken
	if _, err := c.do(ctx, request{method: http.MethodPost, url: u, body: r, out: &rt}); err != nil {
		return nil, err
	}
	if rt.AccessToken == "" {
		return nil, fmt.Errorf("gandi: POST %s: %w: no access_token in the answer", u.Path, ErrBadResponse)
	}
	return &rt, nil
}
