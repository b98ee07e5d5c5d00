package ganditest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gandi-mcp/gandi-mcp/gandi"
	"github.com/gandi-mcp/gandi-mcp/gandi/ganditest"
)

// raw makes one request without the gandi client, so tests can send what it never would.
func raw(t *testing.T, srv *ganditest.Server, method, path, auth, body string, header ...string) (int, http.Header, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}

// world is a fake with two organizations, their domains and a few tokens.
type world struct {
	srv                        *ganditest.Server
	acme, other                gandi.Organization
	acmeDomains, otherDomains  []gandi.Domain
	full, noScope, viewOnly    ganditest.Token
	product, apikey            ganditest.Token
	expired, revoked, orgsOnly ganditest.Token
}

func newWorld(t *testing.T) *world {
	w := &world{srv: ganditest.NewTestServer(t)}
	s := w.srv
	w.acme = s.AddOrganization(gandi.Organization{Name: "acme", Type: "company"})
	w.other = s.AddOrganization(gandi.Organization{Name: "bobcorp", Type: "individual"})
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	w.acmeDomains = s.SeedDomains(w.acme.ID, 12, start)
	w.otherDomains = s.SeedDomains(w.other.ID, 3, start)
	whole := []gandi.Entity{ganditest.OrganizationEntity(w.acme)}
	w.full = s.AddToken(ganditest.Token{Name: "full", Scopes: []string{"domain:view", "domain:renew", "organization:view"}, Entities: whole})
	w.noScope = s.AddToken(ganditest.Token{Name: "none", Entities: whole})
	w.viewOnly = s.AddToken(ganditest.Token{Name: "domains", Scopes: []string{"domain:view"}, Entities: whole})
	w.product = s.AddToken(ganditest.Token{Name: "two domains", Scopes: []string{"domain:view", "organization:view"}, Entities: []gandi.Entity{
		ganditest.DomainEntity(w.acmeDomains[0]),
		{Type: "domain", Name: strings.ToUpper(w.otherDomains[1].FQDN)}, // by name only
	}})
	w.apikey = s.AddToken(ganditest.Token{Apikey: true, Entities: whole})
	w.expired = s.AddToken(ganditest.Token{Scopes: []string{"domain:view"}, Entities: whole, ExpiresAt: time.Now().Add(-time.Minute)})
	w.revoked = s.AddToken(ganditest.Token{Scopes: []string{"domain:view"}, Entities: whole, Revoked: true})
	w.orgsOnly = s.AddToken(ganditest.Token{Scopes: []string{"organization:view"}, Entities: whole})
	return w
}

type stdBody struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Object  string `json:"object"`
	Cause   string `json:"cause"`
}

func TestAuthRules(t *testing.T) {
	w := newWorld(t)
	bearer := func(tok ganditest.Token) string { return "Bearer " + tok.Secret }
	tests := []struct {
		name         string
		method, path string
		auth         string
		want         int
		wantMessage  string // substring of the standard body's message
	}{
		{"tokeninfo without header", "GET", "/tokeninfo", "", 401, "You must provide an access token or an API Key"},
		{"tokeninfo with PAT", "GET", "/tokeninfo", bearer(w.full), 200, ""},
		{"tokeninfo with api key", "GET", "/tokeninfo", "Apikey " + w.apikey.Secret, 401, "could not verify"},
		{"tokeninfo with unknown PAT", "GET", "/tokeninfo", "Bearer pat_nope", 401, "could not verify"},
		{"tokeninfo with expired PAT", "GET", "/tokeninfo", bearer(w.expired), 401, "could not verify"},
		{"tokeninfo with revoked PAT", "GET", "/tokeninfo", bearer(w.revoked), 401, "could not verify"},
		{"tokeninfo with bad scheme", "GET", "/tokeninfo", "Basic " + w.full.Secret, 401, "could not verify"},
		{"tokeninfo POST", "POST", "/tokeninfo", bearer(w.full), 405, ""},
		{"domains without header", "GET", "/v5/domain/domains", "", 401, "You must provide"},
		{"domains with domain:view", "GET", "/v5/domain/domains", bearer(w.viewOnly), 200, ""},
		{"domains without domain:view", "GET", "/v5/domain/domains", bearer(w.orgsOnly), 403, "Access was denied"},
		{"domains with api key", "GET", "/v5/domain/domains", "Apikey " + w.apikey.Secret, 200, ""},
		{"api key as Bearer", "GET", "/v5/domain/domains", "Bearer " + w.apikey.Secret, 401, "could not verify"},
		{"PAT as Apikey", "GET", "/v5/domain/domains", "Apikey " + w.full.Secret, 401, "could not verify"},
		{"domains with expired PAT", "GET", "/v5/domain/domains", bearer(w.expired), 401, "could not verify"},
		{"domains POST", "POST", "/v5/domain/domains", bearer(w.full), 405, ""},
		{"organizations with no scope", "GET", "/v5/organization/organizations", bearer(w.noScope), 200, ""},
		{"organization by id", "GET", "/v5/organization/organizations/" + w.acme.ID, bearer(w.noScope), 200, ""},
		{"someone else's organization", "GET", "/v5/organization/organizations/" + w.other.ID, bearer(w.full), 403, "Access was denied"},
		{"unknown organization", "GET", "/v5/organization/organizations/nope", bearer(w.full), 404, "could not be found"},
		{"user-info, whole org with organization:view", "GET", "/v5/organization/user-info", bearer(w.full), 200, ""},
		{"user-info without organization:view", "GET", "/v5/organization/user-info", bearer(w.viewOnly), 403, "Access was denied"},
		{"user-info from a product-restricted token", "GET", "/v5/organization/user-info", bearer(w.product), 403, "Access was denied"},
		{"user-info with api key", "GET", "/v5/organization/user-info", "Apikey " + w.apikey.Secret, 200, ""},
		{"renew with api key", "POST", "/v5/organization/access-tokens", "Apikey " + w.apikey.Secret, 403, "Access was denied"},
		{"renew with no scope", "POST", "/v5/organization/access-tokens", bearer(w.noScope), 201, ""},
		{"renew with GET", "GET", "/v5/organization/access-tokens", bearer(w.full), 405, ""},
		{"unknown API route", "GET", "/v5/nope", bearer(w.full), 404, "could not be found"},
		{"unknown API route, no auth", "GET", "/v5/nope", "", 401, "You must provide"},
		{"outside the API", "GET", "/", "", 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, h, body := raw(t, w.srv, tt.method, tt.path, tt.auth, "")
			if status != tt.want {
				t.Fatalf("status = %d, want %d: %s", status, tt.want, body)
			}
			if h.Get("Content-Type") != "application/json" {
				t.Errorf("Content-Type = %q", h.Get("Content-Type"))
			}
			if status >= 400 {
				var b stdBody
				if err := json.Unmarshal(body, &b); err != nil || b.Code != status || b.Object == "" || b.Cause != http.StatusText(status) ||
					!strings.Contains(b.Message, tt.wantMessage) {
					t.Errorf("body = %s (%v)", body, err)
				}
			}
		})
	}
}

func TestUnknownTokenStatus(t *testing.T) {
	w := newWorld(t)
	w.srv.SetUnknownTokenStatus(http.StatusForbidden)
	for _, path := range []string{"/tokeninfo", "/v5/domain/domains"} {
		if status, _, body := raw(t, w.srv, "GET", path, "Bearer pat_unknown", ""); status != 403 || !strings.Contains(string(body), "HTTPForbidden") {
			t.Errorf("%s: %d %s", path, status, body)
		}
		// Expiry stays a 401 whatever unknown tokens get.
		if status, _, _ := raw(t, w.srv, "GET", path, "Bearer "+w.expired.Secret, ""); status != 401 {
			t.Errorf("%s expired: %d", path, status)
		}
	}
	if !w.srv.Revoke(w.full.Secret) || w.srv.Revoke("pat_unknown") {
		t.Fatal("Revoke")
	}
	if status, _, _ := raw(t, w.srv, "GET", "/tokeninfo", "Bearer "+w.full.Secret, ""); status != 401 {
		t.Errorf("revoked later: %d", status)
	}
}

func TestTokenInfoShape(t *testing.T) {
	w := newWorld(t)
	_, _, body := raw(t, w.srv, "GET", "/tokeninfo", "Bearer "+w.full.Secret, "")
	var got map[string]json.RawMessage
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range got {
			if !yield(k) {
				return
			}
		}
	})
	if !slices.Equal(keys, []string{"entities", "expires_in", "pat_name", "scope"}) {
		t.Errorf("keys = %v", keys)
	}
	var n int64
	if err := json.Unmarshal(got["expires_in"], &n); err != nil || n < 30*24*3600-60 || n > 30*24*3600 {
		t.Errorf("expires_in = %s", got["expires_in"])
	}
	if len(w.full.Secret) != 36 || !strings.HasPrefix(w.full.Secret, "pat_") {
		t.Errorf("generated secret %q", w.full.Secret)
	}
}

func fqdns(ds []gandi.Domain) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.FQDN
	}
	return out
}

func TestDomainFilters(t *testing.T) {
	w := newWorld(t)
	w.srv.AddDomains(gandi.Domain{FQDN: "xn--caf-dma.fr", FQDNUnicode: "café.fr", SharingID: w.acme.ID, Nameserver: gandi.Nameserver{Current: "abc"}})
	acme := append(fqdns(w.acmeDomains), "xn--caf-dma.fr")
	pick := func(keep func(i int, fqdn string) bool) []string {
		var out []string
		for i, f := range acme {
			if keep(i, f) {
				out = append(out, f)
			}
		}
		return out
	}
	reversed := slices.Clone(acme)
	slices.Sort(reversed)
	slices.Reverse(reversed)
	byEnd := fqdns(w.acmeDomains) // seeded in registry_ends_at order; café has no dates and sorts first
	byEnd = append([]string{"xn--caf-dma.fr"}, byEnd...)

	tests := []struct {
		name     string
		query    string
		want     []string // nil with wantErr
		filtered bool
		wantErr  string // the validation error's field name
	}{
		{name: "all", query: "", want: acme},
		{name: "fqdn suffix", query: "fqdn=*.fr", want: pick(func(_ int, f string) bool { return strings.HasSuffix(f, ".fr") }), filtered: true},
		{name: "fqdn is case-insensitive", query: "fqdn=D0002.*", want: acme[1:2], filtered: true},
		{name: "fqdn exact", query: "fqdn=" + acme[4], want: acme[4:5], filtered: true},
		{name: "fqdn unicode", query: "fqdn=caf%C3%A9.*", want: []string{"xn--caf-dma.fr"}, filtered: true},
		{name: "fqdn with inner star", query: "fqdn=d00*1.example-*", want: pick(func(_ int, f string) bool { return strings.HasPrefix(f, "d00") && f[4] == '1' }), filtered: true},
		{name: "tld", query: "tld=.NET", want: pick(func(_ int, f string) bool { return strings.HasSuffix(f, ".net") }), filtered: true},
		{name: "nameserver", query: "nameserver=other", want: pick(func(i int, _ string) bool { return i < 12 && (i+1)%4 == 0 }), filtered: true},
		{name: "sharing_id of own org", query: "sharing_id=" + w.acme.ID, want: acme, filtered: true},
		{name: "sharing_id of another org", query: "sharing_id=" + w.other.ID, want: []string{}, filtered: true},
		{name: "sort -fqdn", query: "sort_by=-fqdn", want: reversed},
		{name: "sort by registry end", query: "sort_by=dates.registry_ends_at", want: byEnd},
		{name: "sort by registry end, short name", query: "sort_by=registry_ends_at", want: byEnd},
		{name: "page past the end", query: "page=9", want: []string{}},
		{name: "bad sort", query: "sort_by=price", wantErr: "sort_by"},
		{name: "per_page zero", query: "per_page=0", wantErr: "per_page"},
		{name: "per_page too big", query: "per_page=1001", wantErr: "per_page"},
		{name: "page not a number", query: "page=two", wantErr: "page"},
		{name: "page zero", query: "page=0", wantErr: "page"},
		{name: "fqdn with bad characters", query: "fqdn=a_b.fr", wantErr: "fqdn"},
		{name: "fqdn with slash", query: "fqdn=a%2Fb", wantErr: "fqdn"},
		{name: "bad nameserver", query: "nameserver=bind", wantErr: "nameserver"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, h, body := raw(t, w.srv, "GET", "/v5/domain/domains?"+tt.query, "Bearer "+w.viewOnly.Secret, "")
			if tt.wantErr != "" {
				var v struct {
					Status string             `json:"status"`
					Errors []gandi.FieldError `json:"errors"`
				}
				if status != 400 || json.Unmarshal(body, &v) != nil || v.Status != "error" || len(v.Errors) != 1 ||
					v.Errors[0].Location != "querystring" || v.Errors[0].Name != tt.wantErr || v.Errors[0].Description == "" {
					t.Fatalf("%d %s", status, body)
				}
				return
			}
			var ds []gandi.Domain
			if status != 200 || json.Unmarshal(body, &ds) != nil || ds == nil {
				t.Fatalf("%d %s", status, body)
			}
			if got := fqdns(ds); !slices.Equal(got, tt.want) {
				t.Errorf("got  %v\nwant %v", got, tt.want)
			}
			wantTotal := len(tt.want)
			if tt.name == "page past the end" {
				wantTotal = len(acme)
			}
			if h.Get("Total-Count") != strconv.Itoa(wantTotal) {
				t.Errorf("Total-Count = %q, want %d", h.Get("Total-Count"), wantTotal)
			}
			if got := h.Get("Filtered-Count"); (got != "") != tt.filtered || (tt.filtered && got != strconv.Itoa(len(tt.want))) {
				t.Errorf("Filtered-Count = %q", got)
			}
		})
	}
}
