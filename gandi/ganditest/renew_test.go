package ganditest_test

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/gandi-mcp/gandi-mcp/gandi"
	"github.com/gandi-mcp/gandi-mcp/gandi/ganditest"
)

func TestRenewal(t *testing.T) {
	const path = "/v5/organization/access-tokens"
	w := newWorld(t)
	now := time.Now()
	// Created ten days ago for sixty days: a renewal keeps the sixty days.
	old := w.srv.AddToken(ganditest.Token{Name: "ci", Scopes: []string{"domain:view"}, Entities: []gandi.Entity{ganditest.OrganizationEntity(w.acme)},
		CreatedAt: now.Add(-10 * 24 * time.Hour), ExpiresAt: now.Add(50 * 24 * time.Hour)})
	in := func(d time.Duration) string { return now.Add(d).UTC().Format(time.RFC3339) }
	tests := []struct {
		name       string
		body       string
		wantStatus int
		wantName   string
		wantTTL    time.Duration // from now
		wantField  string        // validation error name
	}{
		{name: "empty body keeps name and TTL", body: "", wantStatus: 201, wantName: "ci", wantTTL: 60 * 24 * time.Hour},
		{name: "empty object", body: `{}`, wantStatus: 201, wantName: "ci", wantTTL: 60 * 24 * time.Hour},
		{name: "new name and expiry", body: `{"name": "ci-2", "expires_at": "` + in(7*24*time.Hour) + `"}`, wantStatus: 201, wantName: "ci-2", wantTTL: 7 * 24 * time.Hour},
		{name: "expiry in the past", body: `{"expires_at": "` + in(-time.Hour) + `"}`, wantStatus: 400, wantField: "expires_at"},
		{name: "expiry over a year", body: `{"expires_at": "` + in(367*24*time.Hour) + `"}`, wantStatus: 400, wantField: "expires_at"},
		{name: "expiry not a date", body: `{"expires_at": "tomorrow"}`, wantStatus: 400, wantField: "expires_at"},
		{name: "not JSON", body: `{"name":`, wantStatus: 400, wantField: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(w.srv.Tokens())
			status, _, body := raw(t, w.srv, "POST", path, "Bearer "+old.Secret, tt.body, "Content-Type", "application/json")
			if status != tt.wantStatus {
				t.Fatalf("%d %s", status, body)
			}
			if status == 400 {
				var v struct {
					Errors []gandi.FieldError `json:"errors"`
				}
				if json.Unmarshal(body, &v) != nil || len(v.Errors) != 1 || v.Errors[0].Location != "body" || v.Errors[0].Name != tt.wantField {
					t.Errorf("validation body %s", body)
				}
				if len(w.srv.Tokens()) != before {
					t.Error("a refused renewal issued a token")
				}
				return
			}
			var got map[string]json.RawMessage
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatal(err)
			}
			for _, k := range []string{"access_token", "id", "name", "expires_at", "scopes", "entities"} {
				if _, ok := got[k]; !ok {
					t.Errorf("answer lacks %s: %s", k, body)
				}
			}
			var rt gandi.RenewedToken
			if err := json.Unmarshal(body, &rt); err != nil {
				t.Fatal(err)
			}
			nt, ok := w.srv.TokenBySecret(rt.AccessToken.Reveal())
			if !ok || nt.ID != rt.ID || nt.ID == old.ID || nt.Name != tt.wantName || !slices.Equal(nt.Scopes, old.Scopes) ||
				!slices.Equal(nt.Entities, old.Entities) || !nt.ExpiresAt.Equal(rt.ExpiresAt) {
				t.Errorf("issued %+v, answered %+v", nt, rt)
			}
			if d := rt.ExpiresAt.Sub(now); d < tt.wantTTL-time.Minute || d > tt.wantTTL+time.Minute {
				t.Errorf("expires in %v, want about %v", d, tt.wantTTL)
			}
			if len(w.srv.Tokens()) != before+1 {
				t.Errorf("tokens: %d, want %d", len(w.srv.Tokens()), before+1)
			}
			// The old token stays valid; the new one works.
			for _, s := range []string{old.Secret, nt.Secret} {
				if status, _, _ := raw(t, w.srv, "GET", "/tokeninfo", "Bearer "+s, ""); status != 200 {
					t.Errorf("tokeninfo: %d", status)
				}
			}
		})
	}
}
