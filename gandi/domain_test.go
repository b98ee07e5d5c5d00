package gandi_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gandi-mcp/gandi-mcp/gandi"
	"github.com/gandi-mcp/gandi-mcp/gandi/ganditest"
)

func TestParseLinks(t *testing.T) {
	tests := []struct {
		name   string
		values []string
		want   map[string]string
	}{
		{"none", nil, map[string]string{}},
		{
			"one header, two links",
			[]string{`<https://api.gandi.net/v5/domain/domains?page=2&per_page=10>; rel="next", <https://api.gandi.net/v5/domain/domains?page=5&per_page=10>; rel="last"`},
			map[string]string{"next": "https://api.gandi.net/v5/domain/domains?page=2&per_page=10", "last": "https://api.gandi.net/v5/domain/domains?page=5&per_page=10"},
		},
		{
			"two headers, unquoted and upper case",
			[]string{`</a?page=2>; rel=NEXT`, `</a?page=3>;rel=last`},
			map[string]string{"next": "/a?page=2", "last": "/a?page=3"},
		},
		{
			"several rels and other params",
			[]string{`<https://x/p?page=1>; title="first, really"; rel="first prev"`},
			map[string]string{"first": "https://x/p?page=1", "prev": "https://x/p?page=1"},
		},
		{"first link wins", []string{`<a>; rel="next", <b>; rel="next"`}, map[string]string{"next": "a"}},
		{"garbage", []string{`rel="next"`, `<unterminated; rel="next"`}, map[string]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := gandi.ParseLinks(tt.values); !maps.Equal(got, tt.want) {
				t.Errorf("ParseLinks = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestDomainsPages(t *testing.T) {
	srv := ganditest.NewTestServer(t)
	org := srv.AddOrganization(gandi.Organization{Name: "acme"})
	seeded := srv.SeedDomains(org.ID, 25, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	tok := srv.AddToken(ganditest.Token{Scopes: []string{"domain:view"}, Entities: []gandi.Entity{ganditest.OrganizationEntity(org)}})
	c := srv.Client(gandi.SchemeBearer, tok.Secret)

	p, err := c.Domains(context.Background(), gandi.DomainsQuery{PerPage: 10, SortBy: "fqdn"})
	if err != nil {
		t.Fatal(err)
	}
	var seen []string
	pages := 0
	for {
		pages++
		for _, d := range p.Domains {
			seen = append(seen, d.FQDN)
		}
		if p.TotalCount != 25 || p.FilteredCount != -1 || p.PerPage != 10 || p.Page != pages || !strings.Contains(p.LastURL, "page=3") {
			t.Errorf("page %d: %+v", pages, p)
		}
		if p.NextURL == "" {
			break
		}
		if p, err = c.DomainsURL(context.Background(), p.NextURL, 0, 0); err != nil {
			t.Fatal(err)
		}
	}
	if pages != 3 || len(seen) != 25 || seen[0] != seeded[0].FQDN || seen[24] != seeded[24].FQDN {
		t.Errorf("%d pages, %d domains: %v", pages, len(seen), seen)
	}

	first := seeded[0]
	if first.Dates.RegistryEndsAt == nil || first.Href != srv.URL+"/v5/domain/domains/"+first.FQDN || first.SharingID != org.ID {
		t.Errorf("seeded domain: %+v", first)
	}

	f, err := c.Domains(context.Background(), gandi.DomainsQuery{TLD: "fr", Page: 1})
	if err != nil {
		t.Fatal(err)
	}
	if f.TotalCount != 6 || f.FilteredCount != 6 || len(f.Domains) != 6 || f.NextURL != "" || f.Page != 1 || f.PerPage != 0 {
		t.Errorf("filtered page: %+v", f)
	}

	srv.OmitTotalCount(true)
	o, err := c.Domains(context.Background(), gandi.DomainsQuery{})
	if err != nil || o.TotalCount != -1 || o.LastURL == "" {
		t.Errorf("without Total-Count: %+v, %v", o, err)
	}
	q := srv.Requests()[len(srv.Requests())-1].Query
	if len(q) != 0 {
		t.Errorf("zero query fields were sent: %v", q)
	}
}

func TestDomainsQueryIsSent(t *testing.T) {
	srv := newScripted(t, answer{200, nil, `[]`})
	c, _ := newClient(t, srv.URL, nil)
	p, err := c.Domains(context.Background(), gandi.DomainsQuery{Page: 2, PerPage: 50, FQDN: "*.fr", TLD: "fr", SortBy: "-fqdn", SharingID: "o1", Nameserver: "livedns", ResellerID: "r1"})
	if err != nil {
		t.Fatal(err)
	}
	got := srv.requests()[0].URL.RawQuery
	want := "fqdn=%2A.fr&nameserver=livedns&page=2&per_page=50&resellee_id=r1&sharing_id=o1&sort_by=-fqdn&tld=fr"
	if got != want {
		t.Errorf("query = %s\nwant    %s", got, want)
	}
	if p.Domains == nil || p.TotalCount != -1 || p.FilteredCount != -1 || p.NextURL != "" {
		t.Errorf("page = %+v", p)
	}
}

func TestDomainsURLStaysOnTheAPIHost(t *testing.T) {
	srv := ganditest.NewTestServer(t)
	tok := srv.AddToken(ganditest.Token{Scopes: []string{"domain:view"}})
	c := srv.Client(gandi.SchemeBearer, tok.Secret)
	tests := []struct {
		link string
		want string // "" follows; else the refusal names this, and no path, query or userinfo
	}{
		{srv.URL + "/v5/domain/domains?page=2", ""},
		{"/v5/domain/domains?page=2", ""},
		{"https://mallory:pw@evil.example.com/v5/domain/domains/stolen?page=2&q=secret", "on https://evil.example.com, not the API host"},
		{strings.Replace(srv.URL, "127.0.0.1", "localhost", 1) + "/v5/domain/domains", "not the API host"},
		{"https" + strings.TrimPrefix(srv.URL, "http") + "/v5/domain/domains", "not the API host"},
		{srv.URL + "/v5/organization/user-info", `"/v5/organization/user-info", not "/v5/domain/domains"`},
		{srv.URL + "/" + strings.Repeat("p", 10000), "…"},
		{"://", "not a URL"},
	}
	for _, tt := range tests {
		t.Run(tt.link[:min(len(tt.link), 80)], func(t *testing.T) {
			before := len(srv.Requests())
			_, err := c.DomainsURL(context.Background(), tt.link, 2, 10)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				return
			}
			if !errors.Is(err, gandi.ErrBadResponse) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want ErrBadResponse saying %q", err, tt.want)
			}
			for _, leak := range []string{"mallory", "pw@", "stolen", "secret"} {
				if strings.Contains(err.Error(), leak) {
					t.Errorf("the refusal repeats %q: %v", leak, err)
				}
			}
			if len(err.Error()) > 500 {
				t.Errorf("the refusal is %d bytes long", len(err.Error()))
			}
			if len(srv.Requests()) != before {
				t.Errorf("a refused link was requested")
			}
		})
	}
}

// TestDomainsURLAsksOurPage: whatever page and per_page a Link names, or
// leaves out, the request asks for the page and size the caller gives.
func TestDomainsURLAsksOurPage(t *testing.T) {
	srv := ganditest.NewTestServer(t)
	org := srv.AddOrganization(gandi.Organization{Name: "acme"})
	srv.SeedDomains(org.ID, 30, time.Now())
	tok := srv.AddToken(ganditest.Token{Scopes: []string{"domain:view"}, Entities: []gandi.Entity{ganditest.OrganizationEntity(org)}})
	c := srv.Client(gandi.SchemeBearer, tok.Secret)
	tests := []struct{ name, query string }{
		{"huge per_page", "page=2&per_page=100000"},
		{"no per_page", "page=2&tld=fr"},
		{"a page far ahead", "page=999999&per_page=10"},
		{"back to page 1", "page=1&per_page=1000"},
		{"neither", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv.ResetRequests()
			p, err := c.DomainsURL(context.Background(), "/v5/domain/domains?"+tt.query, 3, 10)
			if err != nil {
				t.Fatal(err)
			}
			q := srv.Requests()[0].Query
			if q.Get("page") != "3" || q.Get("per_page") != "10" || len(q["per_page"]) != 1 {
				t.Errorf("asked %v, want page 3 and per_page 10", q)
			}
			if p.Page != 3 || p.PerPage != 10 || len(p.Domains) > 10 {
				t.Errorf("page %d, per_page %d, %d domains", p.Page, p.PerPage, len(p.Domains))
			}
		})
	}
}

// manyDomains makes a domain list's answer hold n domains, whatever was asked.
func manyDomains(n int) func(*http.Request, http.Header, []byte) []byte {
	return func(_ *http.Request, _ http.Header, _ []byte) []byte {
		var b bytes.Buffer
		b.WriteByte('[')
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"id":"%d","fqdn":"d%d.fr"}`, i, i)
		}
		b.WriteByte(']')
		return b.Bytes()
	}
}

// TestDomainsKeepsAtMostPerPage: a page holding more domains than asked keeps
// per_page of them (1000 when per_page was not given) and counts the rest.
func TestDomainsKeepsAtMostPerPage(t *testing.T) {
	tests := []struct {
		name        string
		perPage     int
		sent        int
		wantKept    int
		wantDropped int
	}{
		{"as asked", 100, 100, 100, 0},
		{"fewer than asked", 100, 7, 7, 0},
		{"ten thousand for a hundred", 100, 10000, 100, 9900},
		{"per_page 1", 1, 50, 1, 49},
		{"no per_page", 0, 5000, 1000, 4000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := ganditest.NewTestServer(t)
			tok := srv.AddToken(ganditest.Token{Scopes: []string{"domain:view"}})
			srv.Inject(ganditest.Fault{Path: "/v5/domain/domains", Rewrite: manyDomains(tt.sent)})
			c := srv.Client(gandi.SchemeBearer, tok.Secret)
			p, err := c.Domains(context.Background(), gandi.DomainsQuery{PerPage: tt.perPage})
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Domains) != tt.wantKept || p.Dropped != tt.wantDropped || cap(p.Domains) > 2*max(tt.wantKept, tt.perPage) {
				t.Errorf("kept %d (room for %d), dropped %d; want %d and %d", len(p.Domains), cap(p.Domains), p.Dropped, tt.wantKept, tt.wantDropped)
			}
			if last := p.Domains[len(p.Domains)-1]; last.FQDN != fmt.Sprintf("d%d.fr", tt.wantKept-1) {
				t.Errorf("last kept is %s: not the first ones in order", last.FQDN)
			}
		})
	}
}

// TestDomainsBodyShapes: a null list is empty; anything but a list is ErrBadResponse.
func TestDomainsBodyShapes(t *testing.T) {
	tests := []struct {
		body    string
		wantErr bool
	}{
		{`null`, false},
		{` [ ] `, false},
		{`{"fqdn":"a.fr"}`, true},
		{`"a.fr"`, true},
		{`[{"fqdn":"a.fr"},]`, true},
		{`[{"fqdn":1}]`, true},
	}
	for _, tt := range tests {
		t.Run(tt.body, func(t *testing.T) {
			srv := newScripted(t, answer{200, nil, tt.body})
			c, _ := newClient(t, srv.URL, nil)
			p, err := c.Domains(context.Background(), gandi.DomainsQuery{PerPage: 10})
			switch {
			case tt.wantErr && !errors.Is(err, gandi.ErrBadResponse):
				t.Errorf("err = %v, want ErrBadResponse", err)
			case !tt.wantErr && (err != nil || p.Domains == nil || len(p.Domains) != 0):
				t.Errorf("page %+v, err %v; want no domains", p, err)
			}
		})
	}
}

func TestOrganizationsAndUserInfo(t *testing.T) {
	srv := ganditest.NewTestServer(t)
	acme := srv.AddOrganization(gandi.Organization{Name: "acme", Type: "company", Orgname: "Acme SA", Corporate: true})
	srv.AddOrganization(gandi.Organization{Name: "other"})
	tok := srv.AddToken(ganditest.Token{Scopes: []string{"organization:view"}, Entities: []gandi.Entity{ganditest.OrganizationEntity(acme)}})
	c := srv.Client(gandi.SchemeBearer, tok.Secret)

	orgs, err := c.Organizations(context.Background(), gandi.OrganizationsQuery{NamePattern: "ac*", SortBy: "name"})
	if err != nil || len(orgs) != 1 || orgs[0] != acme {
		t.Fatalf("Organizations = %+v, %v", orgs, err)
	}
	if q := srv.Requests()[0].Query; q.Get("~name") != "ac*" || q.Get("sort_by") != "name" || len(q) != 2 {
		t.Errorf("query = %v", q)
	}
	o, err := c.Organization(context.Background(), acme.ID)
	if err != nil || *o != acme {
		t.Errorf("Organization = %+v, %v", o, err)
	}
	if _, err := c.Organization(context.Background(), ""); err == nil {
		t.Error("empty id accepted")
	}
	u, err := c.UserInfo(context.Background())
	if err != nil || u.Username == "" {
		t.Errorf("UserInfo = %+v, %v", u, err)
	}
}

// A page's domains are held in a slice sized to what was answered: a page of 3 asked with
// per_page=100 holds 3, not room for 100 (which every hosted list_domains call allocated).
func TestDomainsPageSizedToAnswer(t *testing.T) {
	srv := ganditest.NewTestServer(t)
	org := srv.AddOrganization(gandi.Organization{Name: "acme"})
	srv.SeedDomains(org.ID, 5, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	tok := srv.AddToken(ganditest.Token{Scopes: []string{"domain:view"}, Entities: []gandi.Entity{ganditest.OrganizationEntity(org)}})
	c := srv.Client(gandi.SchemeBearer, tok.Secret)
	tests := []struct {
		name    string
		perPage int
		want    int
	}{
		{"short page of a large per_page", 100, 5},
		{"Gandi's default page size", 0, 5},
		{"full page", 2, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := c.Domains(context.Background(), gandi.DomainsQuery{PerPage: tt.perPage})
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Domains) != tt.want || cap(p.Domains) != tt.want {
				t.Errorf("per_page %d: %d domains in a slice of capacity %d, want %d in %d", tt.perPage, len(p.Domains), cap(p.Domains), tt.want, tt.want)
			}
		})
	}
}
