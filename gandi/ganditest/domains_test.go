package ganditest_test

import (
	"context"
	"encoding/csv"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gandi-mcp/gandi-mcp/gandi"
	"github.com/gandi-mcp/gandi-mcp/gandi/ganditest"
)

func TestPaginationHeaders(t *testing.T) {
	w := newWorld(t)
	auth := "Bearer " + w.viewOnly.Secret
	tests := []struct {
		query              string
		wantN              int
		wantNext, wantLast string // "" for no such link
	}{
		{"per_page=5", 5, "page=2&per_page=5", "page=3&per_page=5"},
		{"page=2&per_page=5", 5, "page=3&per_page=5", "page=3&per_page=5"},
		{"page=3&per_page=5", 2, "", "page=3&per_page=5"},
		{"", 12, "", "page=1&per_page=100"},
		{"per_page=5&fqdn=*.com", 3, "", "fqdn=%2A.com&page=1&per_page=5"},
		{"per_page=1&tld=com&page=1", 1, "page=2&per_page=1&tld=com", "page=3&per_page=1&tld=com"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			status, h, body := raw(t, w.srv, "GET", "/v5/domain/domains?"+tt.query, auth, "")
			if status != 200 {
				t.Fatalf("%d %s", status, body)
			}
			links := gandi.ParseLinks(h.Values("Link"))
			base := w.srv.URL + "/v5/domain/domains?"
			want := map[string]string{}
			if tt.wantNext != "" {
				want["next"] = base + tt.wantNext
			}
			want["last"] = base + tt.wantLast
			if len(links) != len(want) || links["next"] != want["next"] || links["last"] != want["last"] {
				t.Errorf("Link = %q\nwant %v", h.Get("Link"), want)
			}
			if n := strings.Count(string(body), `"fqdn":`); n != tt.wantN {
				t.Errorf("%d domains, want %d", n, tt.wantN)
			}
		})
	}

	w.srv.OmitTotalCount(true)
	_, h, _ := raw(t, w.srv, "GET", "/v5/domain/domains?per_page=5", auth, "")
	if _, ok := h["Total-Count"]; ok || h.Get("Link") == "" {
		t.Errorf("OmitTotalCount: headers %v", h)
	}
}

func TestCSV(t *testing.T) {
	w := newWorld(t)
	status, h, body := raw(t, w.srv, "GET", "/v5/domain/domains?per_page=2", "Bearer "+w.viewOnly.Secret, "", "Accept", "text/csv")
	rows, err := csv.NewReader(strings.NewReader(string(body))).ReadAll()
	if status != 200 || h.Get("Content-Type") != "text/csv" || err != nil || len(rows) != 3 || rows[0][0] != "fqdn" || rows[1][0] != w.acmeDomains[0].FQDN {
		t.Errorf("%d %v %v %q", status, h, err, body)
	}
}

func TestRestrictedToken(t *testing.T) {
	w := newWorld(t)
	c := w.srv.Client(gandi.SchemeBearer, w.product.Secret)
	p, err := c.Domains(context.Background(), gandi.DomainsQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fqdns(p.Domains), []string{w.acmeDomains[0].FQDN, w.otherDomains[1].FQDN}; !slices.Equal(got, want) || p.TotalCount != 2 {
		t.Errorf("restricted token sees %v (total %d), want %v", got, p.TotalCount, want)
	}
	orgs, err := c.Organizations(context.Background(), gandi.OrganizationsQuery{SortBy: "-name"})
	if err != nil || len(orgs) != 2 || orgs[0].ID != w.other.ID || orgs[1].ID != w.acme.ID {
		t.Errorf("organizations owning the products: %+v, %v", orgs, err)
	}

	// An api key without entities sees every organization and domain.
	all := w.srv.AddToken(ganditest.Token{Apikey: true})
	ac := w.srv.Client(gandi.SchemeApikey, all.Secret)
	if p, err := ac.Domains(context.Background(), gandi.DomainsQuery{}); err != nil || p.TotalCount != 15 {
		t.Errorf("api key: %+v, %v", p, err)
	}
	if len(all.Secret) != 24 {
		t.Errorf("api key secret %q", all.Secret)
	}
}

func TestOrganizationFilters(t *testing.T) {
	w := newWorld(t)
	w.srv.AddOrganization(gandi.Organization{Name: "Acme Labs", Type: "company"})
	all := w.srv.AddToken(ganditest.Token{Apikey: true})
	c := w.srv.Client(gandi.SchemeApikey, all.Secret)
	tests := []struct {
		q    gandi.OrganizationsQuery
		want []string
	}{
		{gandi.OrganizationsQuery{}, []string{"acme", "bobcorp", "Acme Labs"}},
		{gandi.OrganizationsQuery{Name: "ACME"}, []string{"acme"}},
		{gandi.OrganizationsQuery{NamePattern: "acme*"}, []string{"acme", "Acme Labs"}},
		{gandi.OrganizationsQuery{NamePattern: "*o*"}, []string{"bobcorp"}},
		{gandi.OrganizationsQuery{Type: "company", SortBy: "-name"}, []string{"Acme Labs", "acme"}},
		{gandi.OrganizationsQuery{SortBy: "name", Permission: "domain:view"}, []string{"acme", "Acme Labs", "bobcorp"}},
	}
	for _, tt := range tests {
		orgs, err := c.Organizations(context.Background(), tt.q)
		var got []string
		for _, o := range orgs {
			got = append(got, o.Name)
		}
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("%+v: %v, %v; want %v", tt.q, got, err, tt.want)
		}
	}
	if _, err := c.Organizations(context.Background(), gandi.OrganizationsQuery{SortBy: "size"}); err == nil {
		t.Error("bad sort_by accepted")
	}
}

func TestSeedDomainsIsDeterministic(t *testing.T) {
	start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	a, b := ganditest.NewTestServer(t), ganditest.NewTestServer(t)
	da, db := a.SeedDomains("org-1", 40, start), b.SeedDomains("org-1", 40, start)
	other := a.SeedDomains("org-2", 1, start)
	if other[0].FQDN == da[0].FQDN {
		t.Errorf("two organizations share %s", other[0].FQDN)
	}
	var autorenew, tagged, otherNS int
	tlds := map[string]int{}
	for i := range da {
		x, y := da[i], db[i]
		if x.FQDN != y.FQDN || x.ID != y.ID || !x.Dates.RegistryEndsAt.Equal(*y.Dates.RegistryEndsAt) {
			t.Fatalf("domain %d differs: %+v / %+v", i, x, y)
		}
		if !strings.HasPrefix(x.FQDN, "d00") || x.SharingID != "org-1" || x.TLD == "" || x.FQDNUnicode != x.FQDN || x.Status == nil {
			t.Errorf("domain %d: %+v", i, x)
		}
		ends := *x.Dates.RegistryEndsAt
		if !ends.After(start) || ends.After(start.AddDate(2, 0, 1)) || (i > 0 && !ends.After(*da[i-1].Dates.RegistryEndsAt)) {
			t.Errorf("domain %d ends %v", i, ends)
		}
		if x.AutoRenew {
			autorenew++
		}
		if len(x.Tags) > 0 {
			tagged++
		}
		if x.Nameserver.Current == "other" {
			otherNS++
		}
		tlds[x.TLD]++
	}
	if autorenew == 0 || autorenew == 40 || tagged == 0 || otherNS == 0 || otherNS == 40 || len(tlds) != 4 {
		t.Errorf("not varied: autorenew %d, tagged %d, other NS %d, tlds %v", autorenew, tagged, otherNS, tlds)
	}
	// list_domains' filters are tested on seeded accounts: each status occurs with autorenew on and off.
	type combo struct {
		status    string
		autorenew bool
	}
	seen := map[combo]int{}
	for _, x := range da {
		for _, st := range append([]string{"none"}, x.Status...) {
			if st == "none" && len(x.Status) > 0 {
				continue
			}
			seen[combo{st, x.AutoRenew}]++
		}
	}
	for _, st := range []string{"none", "clientTransferProhibited", "clientUpdateProhibited", "clientHold"} {
		for _, ar := range []bool{false, true} {
			if seen[combo{st, ar}] == 0 {
				t.Errorf("no seeded domain with status %s and autorenew %v: %v", st, ar, seen)
			}
		}
	}
	// The caller's copy is its own.
	*da[0].Dates.RegistryEndsAt = time.Time{}
	da[0].Tags = append(da[0].Tags[:0], "mutated")
	p, err := a.Client(gandi.SchemeApikey, a.AddToken(ganditest.Token{Apikey: true}).Secret).Domains(context.Background(), gandi.DomainsQuery{PerPage: 1})
	if err != nil || p.Domains[0].Dates.RegistryEndsAt.IsZero() || slices.Contains(p.Domains[0].Tags, "mutated") {
		t.Errorf("stored domain changed through the returned copy: %+v, %v", p, err)
	}
}
