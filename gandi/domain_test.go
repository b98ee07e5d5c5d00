package gandi_test

import (
	"context"
	"maps"
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
		if p, err = c.DomainsURL(context.Background(), p.NextURL); err != nil {
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
		link    string
		wantErr string
	}{
		{srv.URL + "/v5/domain/domains?page=2", ""},
		{"/v5/domain/domains?page=2", ""},
		{"https://evil.example.com/v5/domain/domains?page=2", "not the API host"},
		{strings.Replace(srv.URL, "127.0.0.1", "localhost", 1) + "/v5/domain/domains", "not the API host"},
		{"https" + strings.TrimPrefix(srv.URL, "http") + "/v5/domain/domains", "not the API host"},
		{srv.URL + "/v5/organization/user-info", "is not"},
		{"://", "bad page link"},
	}
	for _, tt := range tests {
		t.Run(tt.link, func(t *testing.T) {
			before := len(srv.Requests())
			_, err := c.DomainsURL(context.Background(), tt.link)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("err = %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			case tt.wantErr != "" && len(srv.Requests()) != before:
				t.Errorf("a refused link was requested")
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
