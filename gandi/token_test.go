package gandi_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gandi-mcp/gandi-mcp/gandi"
	"github.com/gandi-mcp/gandi-mcp/gandi/ganditest"
)

func TestTokenInfoIsLenient(t *testing.T) {
	tests := []struct {
		name string
		body string
		want gandi.TokenInfo
	}{
		{
			name: "as documented",
			body: `{"pat_name": "ci-bot", "scope": ["domain:view", "organization:view"], "entities": [{"id": "o1", "name": "acme", "type": "organization"}], "expires_in": 1728000}`,
			want: gandi.TokenInfo{PATName: "ci-bot", Scope: []string{"domain:view", "organization:view"}, Entities: []gandi.Entity{{ID: "o1", Name: "acme", Type: "organization"}}, ExpiresIn: 1728000},
		},
		{name: "float expires_in", body: `{"expires_in": 3599.7}`, want: gandi.TokenInfo{ExpiresIn: 3599}},
		{name: "string expires_in", body: `{"expires_in": "60"}`, want: gandi.TokenInfo{ExpiresIn: 60}},
		{name: "null expires_in", body: `{"pat_name": "x", "expires_in": null}`, want: gandi.TokenInfo{PATName: "x"}},
		{name: "missing everything", body: `{}`, want: gandi.TokenInfo{}},
		{name: "extra fields", body: `{"pat_name": "x", "user": {"id": 1}, "entities": [{"id": "d1"}]}`, want: gandi.TokenInfo{PATName: "x", Entities: []gandi.Entity{{ID: "d1"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newScripted(t, answer{200, map[string]string{"Content-Type": "application/json"}, tt.body})
			c, _ := newClient(t, srv.URL, nil)
			got, err := c.TokenInfo(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if got.PATName != tt.want.PATName || got.ExpiresIn != tt.want.ExpiresIn ||
				len(got.Scope) != len(tt.want.Scope) || len(got.Entities) != len(tt.want.Entities) ||
				(len(got.Entities) > 0 && got.Entities[0] != tt.want.Entities[0]) {
				t.Errorf("got %+v, want %+v", *got, tt.want)
			}
			if r := srv.requests()[0]; r.URL.Path != "/tokeninfo" || r.Method != "GET" {
				t.Errorf("asked %s %s", r.Method, r.URL.Path)
			}
		})
	}
	// What Gandi does not say readably is unknown, never "expired".
	for body, known := range map[string]bool{`{"expires_in": "soon"}`: false, `{}`: false, `{"expires_in": null}`: false,
		`{"expires_in": 0}`: true, `{"expires_in": "60"}`: true, `{"expires_in": -5}`: true} {
		srv := newScripted(t, answer{200, nil, body})
		c, _ := newClient(t, srv.URL, nil)
		ti, err := c.TokenInfo(context.Background())
		if err != nil || ti.ExpiryKnown() != known {
			t.Errorf("%s: err %v, expiry known %v; want nil, %v", body, err, ti != nil && ti.ExpiryKnown(), known)
		}
	}
}

// A renewal answer whose other fields come in an unexpected shape still yields the new secret.
func TestRenewTokenKeepsTheSecretOfAnOddAnswer(t *testing.T) {
	for body, wantExpiry := range map[string]string{
		`{"access_token": "pat_new0123456789abcdef0123456789", "id": "i1", "expires_at": "2026-12-22 10:00:00"}`:         "2026-12-22T10:00:00Z",
		`{"access_token": "pat_new0123456789abcdef0123456789", "id": "i1", "expires_at": "in a month", "scopes": "all"}`: "0001-01-01T00:00:00Z",
		`{"access_token": "pat_new0123456789abcdef0123456789", "id": "i1", "expires_at": 1766397600}`:                    "0001-01-01T00:00:00Z",
		`{"access_token": "pat_new0123456789abcdef0123456789", "id": "i1", "expires_at": "2026-12-22T10:00:00+01:00"}`:   "2026-12-22T09:00:00Z",
	} {
		srv := newScripted(t, answer{201, map[string]string{"Content-Type": "application/json"}, body})
		c, _ := newClient(t, srv.URL, nil)
		rt, err := c.RenewToken(context.Background(), gandi.RenewRequest{})
		if err != nil {
			t.Errorf("%s: %v", body, err)
			continue
		}
		if rt.AccessToken.Reveal() != "pat_new0123456789abcdef0123456789" || rt.ID != "i1" || rt.ExpiresAt.Format(time.RFC3339) != wantExpiry {
			t.Errorf("%s: got id %q expires %s", body, rt.ID, rt.ExpiresAt.Format(time.RFC3339))
		}
	}
}

func TestTokenInfoAgainstTheFake(t *testing.T) {
	srv := ganditest.NewTestServer(t)
	org := srv.AddOrganization(gandi.Organization{Name: "acme"})
	tok := srv.AddToken(ganditest.Token{Name: "ci-bot", Scopes: []string{"domain:view"}, Entities: []gandi.Entity{ganditest.OrganizationEntity(org)}})
	ti, err := srv.Client(gandi.SchemeBearer, tok.Secret).TokenInfo(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if ti.PATName != "ci-bot" || len(ti.Scope) != 1 || ti.Entities[0].ID != org.ID || ti.ExpiresIn < 29*24*3600 || ti.ExpiresIn > 30*24*3600 {
		t.Errorf("TokenInfo = %+v", ti)
	}
}

func TestRenewToken(t *testing.T) {
	srv := ganditest.NewTestServer(t)
	org := srv.AddOrganization(gandi.Organization{Name: "acme"})
	old := srv.AddToken(ganditest.Token{Name: "ci-bot", Scopes: []string{"domain:view", "domain:renew"}, Entities: []gandi.Entity{ganditest.OrganizationEntity(org)}})
	c := srv.Client(gandi.SchemeBearer, old.Secret)

	at := time.Now().Add(90 * 24 * time.Hour).UTC().Truncate(time.Second)
	rt, err := c.RenewToken(context.Background(), gandi.RenewRequest{Name: "ci-bot-2", ExpiresAt: &at})
	if err != nil {
		t.Fatal(err)
	}
	if rt.AccessToken.Reveal() == old.Secret || rt.AccessToken.Reveal() == "" || rt.ID == old.ID ||
		rt.Name != "ci-bot-2" || !rt.ExpiresAt.Equal(at) || len(rt.Scopes) != 2 || rt.Entities[0].ID != org.ID {
		t.Errorf("RenewToken = %+v", rt)
	}
	reqs := srv.Requests()
	if last := reqs[len(reqs)-1]; last.Method != "POST" || last.Path != "/v5/organization/access-tokens" ||
		string(last.Body) != `{"name":"ci-bot-2","expires_at":"`+at.Format(time.RFC3339)+`"}` {
		t.Errorf("sent %s %s %s", last.Method, last.Path, last.Body)
	}
	// The renewed secret works, as WithToken checks it.
	ti, err := c.WithToken(gandi.SchemeBearer, rt.AccessToken.Reveal()).TokenInfo(context.Background())
	if err != nil || ti.PATName != "ci-bot-2" {
		t.Errorf("renewed token: %+v, %v", ti, err)
	}

	past := time.Now().Add(-time.Hour)
	_, err = c.RenewToken(context.Background(), gandi.RenewRequest{ExpiresAt: &past})
	var ge *gandi.Error
	if !errors.As(err, &ge) || ge.Status != 400 || len(ge.Errors) != 1 || ge.Errors[0].Name != "expires_at" {
		t.Errorf("past expiry: %v", err)
	}
}

func TestRenewTokenWithoutAccessTokenIsBad(t *testing.T) {
	srv := newScripted(t, answer{201, nil, `{"id": "x"}`})
	c, _ := newClient(t, srv.URL, nil)
	if _, err := c.RenewToken(context.Background(), gandi.RenewRequest{}); !errors.Is(err, gandi.ErrBadResponse) {
		t.Errorf("err = %v, want ErrBadResponse", err)
	}
	if b := srv.requests(); len(b) != 1 {
		t.Errorf("%d requests", len(b))
	}
}
