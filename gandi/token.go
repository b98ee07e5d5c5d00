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
}

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
	switch {
	case s == "" || s == "null":
		t.ExpiresIn = 0
	default:
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return fmt.Errorf("expires_in %s is not a number", v.ExpiresIn)
		}
		t.ExpiresIn = int64(f)
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
	ExpiresAt   time.Time `json:"expires_at"`
	Scopes      []string  `json:"scopes"`
	Entities    []Entity  `json:"entities"`
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
