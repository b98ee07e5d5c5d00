package skill

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/gandi-mcp/gandi-mcp/gandi"
	"github.com/gandi-mcp/gandi-mcp/gandi/ganditest"
	"github.com/gandi-mcp/gandi-mcp/tools"
)

const domainsPath = "/v5/domain/domains"

// withAccount seeds an organization with n domains and stores a whole-organization
// token with scopes; the seeded domains are returned through *seeded.
func withAccount(n int, scopes []string, seeded *[]gandi.Domain) harnessOption {
	return withSetup(func(h *harness) {
		org := h.fake.AddOrganization(gandi.Organization{Name: "acme", Type: "company", Orgname: "Acme SAS"})
		ds := h.fake.SeedDomains(org.ID, n, time.Now().Add(-30*24*time.Hour))
		if seeded != nil {
			*seeded = ds
		}
		tok := h.fake.AddToken(ganditest.Token{Name: "lister", Scopes: scopes, Entities: []gandi.Entity{ganditest.OrganizationEntity(org)}})
		h.storeToken(tok.Secret, 0o600)
	})
}

var viewScopes = []string{"domain:view", "organization:view"}

func (h *harness) domainRequests() []ganditest.Request {
	var out []ganditest.Request
	for _, r := range h.fake.Requests() {
		if r.Path == domainsPath {
			out = append(out, r)
		}
	}
	return out
}

func fqdns(ds []tools.DomainSummary) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.FQDN
	}
	return out
}

func seededFQDNs(ds []gandi.Domain) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.FQDN
	}
	return out
}

func TestListDomainsAllReadsEveryPageInOrder(t *testing.T) {
	for _, omit := range []bool{false, true} {
		t.Run(fmt.Sprintf("omit Total-Count %v", omit), func(t *testing.T) {
			var seeded []gandi.Domain
			h := newHarness(t, withAccount(250, viewScopes, &seeded))
			h.fake.OmitTotalCount(omit)
			var out tools.ListDomainsOutput
			res := h.call("list_domains", map[string]any{"all": true}, &out)
			if res.IsError {
				t.Fatalf("error: %s", textOf(res))
			}
			if !slices.Equal(fqdns(out.Domains), seededFQDNs(seeded)) {
				t.Fatalf("got %d domains, want the 250 seeded in Gandi's order; first %v", len(out.Domains), fqdns(out.Domains)[:min(3, len(out.Domains))])
			}
			if out.Count != 250 || out.Scanned != 250 || out.TotalCount == nil || *out.TotalCount != 250 || out.Truncated || out.NextPage != 0 {
				t.Errorf("count %d scanned %d total %v truncated %v next %d", out.Count, out.Scanned, out.TotalCount, out.Truncated, out.NextPage)
			}
			reqs := h.domainRequests()
			var pages []string
			for _, r := range reqs {
				if r.Query.Get("per_page") != "100" {
					t.Errorf("page read with per_page=%q, want 100", r.Query.Get("per_page"))
				}
				pages = append(pages, r.Query.Get("page"))
			}
			slices.Sort(pages)
			if !slices.Equal(pages, []string{"1", "2", "3"}) {
				t.Errorf("pages asked = %v, want 1, 2, 3 once each", pages)
			}
			if omit && h.fake.MaxInFlight() != 1 {
				t.Errorf("without Total-Count pages follow Link one by one, but %d were in flight at once", h.fake.MaxInFlight())
			}
			if len(out.Notes) != 0 {
				t.Errorf("unexpected notes %v", out.Notes)
			}
		})
	}
}

func TestListDomainsOnePage(t *testing.T) {
	tests := []struct {
		name      string
		args      map[string]any
		want      []int // indexes into the seeded domains, from 1
		wantNext  int
		wantQuery map[string]string
		wantNote  string
	}{
		{name: "defaults", args: nil, want: span(1, 100), wantNext: 2, wantQuery: map[string]string{"page": "1", "per_page": "100"}},
		{name: "middle page", args: map[string]any{"page": 2, "per_page": 100}, want: span(101, 200), wantNext: 3},
		{name: "last page", args: map[string]any{"page": 3, "per_page": 100}, want: span(201, 250)},
		{name: "past the end", args: map[string]any{"page": 9, "per_page": 100}, wantNote: "past the end"},
		{name: "small page", args: map[string]any{"page": 5, "per_page": 10}, want: span(41, 50), wantNext: 6},
		{name: "sorted by name, reversed", args: map[string]any{"sort_by": "-fqdn", "per_page": 1}, wantNext: 2, wantQuery: map[string]string{"sort_by": "-fqdn"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var seeded []gandi.Domain
			h := newHarness(t, withAccount(250, viewScopes, &seeded))
			var out tools.ListDomainsOutput
			if res := h.call("list_domains", tc.args, &out); res.IsError {
				t.Fatalf("error: %s", textOf(res))
			}
			if tc.want != nil {
				var want []string
				for _, i := range tc.want {
					want = append(want, seeded[i-1].FQDN)
				}
				if !slices.Equal(fqdns(out.Domains), want) {
					t.Errorf("domains = %v..., want %v...", head(fqdns(out.Domains)), head(want))
				}
			}
			if out.NextPage != tc.wantNext || out.TotalCount == nil || *out.TotalCount != 250 {
				t.Errorf("next_page %d total %v, want %d and 250", out.NextPage, out.TotalCount, tc.wantNext)
			}
			if tc.wantNote != "" && !containsAny(out.Notes, tc.wantNote) {
				t.Errorf("notes %v, want one saying %q", out.Notes, tc.wantNote)
			}
			reqs := h.domainRequests()
			if len(reqs) != 1 {
				t.Fatalf("%d domain requests, want 1", len(reqs))
			}
			for k, v := range tc.wantQuery {
				if got := reqs[0].Query.Get(k); got != v {
					t.Errorf("query %s = %q, want %q", k, got, v)
				}
			}
		})
	}
}

func span(from, to int) []int {
	var out []int
	for i := from; i <= to; i++ {
		out = append(out, i)
	}
	return out
}

func head(s []string) []string { return s[:min(3, len(s))] }

func TestListDomainsFilters(t *testing.T) {
	var ids struct{ acme, other string }
	setup := withSetup(func(h *harness) {
		acme := h.fake.AddOrganization(gandi.Organization{Name: "acme"})
		other := h.fake.AddOrganization(gandi.Organization{Name: "other"})
		ids.acme, ids.other = acme.ID, other.ID
		end := time.Now().Add(90 * 24 * time.Hour)
		for _, d := range []gandi.Domain{
			{FQDN: "shop-paris.fr", SharingID: acme.ID, Owner: "alice"},
			{FQDN: "shop-lyon.fr", SharingID: other.ID, Owner: "bob"},
			{FQDN: "shop.com", SharingID: acme.ID, Owner: "alice"},
			{FQDN: "blog.fr", SharingID: acme.ID, Owner: "bob"},
			{FQDN: "xn--caf-dma.fr", FQDNUnicode: "café.fr", SharingID: acme.ID, Owner: "alice"},
		} {
			d.Dates.RegistryEndsAt = &end
			h.fake.AddDomains(d)
		}
		tok := h.fake.AddToken(ganditest.Token{Name: "two-orgs", Scopes: viewScopes,
			Entities: []gandi.Entity{ganditest.OrganizationEntity(acme), ganditest.OrganizationEntity(other)}})
		h.storeToken(tok.Secret, 0o600)
	})
	tests := []struct {
		name string
		args func() map[string]any
		want []string
	}{
		{"fqdn prefix pattern", func() map[string]any { return map[string]any{"fqdn": "shop-*"} }, []string{"shop-paris.fr", "shop-lyon.fr"}},
		{"fqdn suffix pattern, sorted", func() map[string]any { return map[string]any{"fqdn": "*.fr", "sort_by": "fqdn"} },
			[]string{"blog.fr", "shop-lyon.fr", "shop-paris.fr", "xn--caf-dma.fr"}},
		{"unicode pattern", func() map[string]any { return map[string]any{"fqdn": "café.*"} }, []string{"xn--caf-dma.fr"}},
		{"tld with a dot", func() map[string]any { return map[string]any{"tld": ".com"} }, []string{"shop.com"}},
		{"one organization, every page", func() map[string]any { return map[string]any{"sharing_id": ids.other, "all": true} }, []string{"shop-lyon.fr"}},
		{"every page, sorted by Gandi, reversed", func() map[string]any { return map[string]any{"all": true, "sort_by": "-fqdn"} },
			[]string{"xn--caf-dma.fr", "shop.com", "shop-paris.fr", "shop-lyon.fr", "blog.fr"}},
		{"filters combine", func() map[string]any { return map[string]any{"sharing_id": ids.acme, "tld": "fr", "fqdn": "shop*"} }, []string{"shop-paris.fr"}},
		{"nothing matches", func() map[string]any { return map[string]any{"fqdn": "nothing-*"} }, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, setup)
			args := tc.args()
			var out tools.ListDomainsOutput
			if res := h.call("list_domains", args, &out); res.IsError {
				t.Fatalf("error: %s", textOf(res))
			}
			if !slices.Equal(fqdns(out.Domains), tc.want) {
				t.Errorf("domains = %v, want %v", fqdns(out.Domains), tc.want)
			}
			if out.TotalCount == nil || *out.TotalCount != len(tc.want) {
				t.Errorf("total_count = %v, want %d", out.TotalCount, len(tc.want))
			}
			q := h.domainRequests()[0].Query
			for _, k := range []string{"fqdn", "sharing_id", "sort_by"} {
				if v, ok := args[k]; ok && q.Get(k) != v {
					t.Errorf("query %s = %q, want %q", k, q.Get(k), v)
				}
			}
			if _, ok := args["tld"]; ok && q.Get("tld") != strings.TrimPrefix(args["tld"].(string), ".") {
				t.Errorf("query tld = %q", q.Get("tld"))
			}
			orgs, owners := map[string]bool{}, map[string]bool{}
			for _, d := range out.Domains {
				orgs[d.SharingID] = true
				owners[d.Owner] = true
			}
			if len(out.Domains) > 0 && (out.SharingID != "") != orgs[""] {
				t.Errorf("sharing_id %q with per-domain ids %v: one organization is named once at the top, several on each domain", out.SharingID, orgs)
			}
			if len(out.Domains) > 0 && (out.Owner != "") != owners[""] {
				t.Errorf("owner %q with per-domain owners %v: one owner is named once at the top, several on each domain", out.Owner, owners)
			}
			for _, d := range out.Domains {
				if d.FQDN == "xn--caf-dma.fr" && d.FQDNUnicode != "café.fr" {
					t.Errorf("fqdn_unicode = %q, want café.fr", d.FQDNUnicode)
				}
				if d.FQDN != "xn--caf-dma.fr" && d.FQDNUnicode != "" {
					t.Errorf("%s: fqdn_unicode %q repeats fqdn", d.FQDN, d.FQDNUnicode)
				}
			}
			if len(out.Domains) == 0 && len(out.Notes) != 0 {
				t.Errorf("a whole-organization token's empty list needs no note: %v", out.Notes)
			}
		})
	}
}

func TestListDomainsExpiringWithin(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Second)
	const days = 30
	window := days * 24 * time.Hour
	at := func(d time.Duration) *time.Time { t := now.Add(d); return &t }
	domains := []struct {
		fqdn string
		ends *time.Time
	}{
		{"after-boundary.com", at(window + time.Second)},
		{"on-boundary.com", at(window)},
		{"before-boundary.com", at(window - time.Second)},
		{"tomorrow.com", at(24 * time.Hour)},
		{"expired-yesterday.com", at(-24 * time.Hour)},
		{"next-year.com", at(365 * 24 * time.Hour)},
		{"undated.com", nil},
	}
	setup := withSetup(func(h *harness) {
		org := h.fake.AddOrganization(gandi.Organization{Name: "acme"})
		for _, d := range domains {
			h.fake.AddDomains(gandi.Domain{FQDN: d.fqdn, SharingID: org.ID, Dates: gandi.DomainDates{RegistryEndsAt: d.ends}})
		}
		tok := h.fake.AddToken(ganditest.Token{Name: "lister", Scopes: viewScopes, Entities: []gandi.Entity{ganditest.OrganizationEntity(org)}})
		h.storeToken(tok.Secret, 0o600)
	})
	clock := withDeps(func(d *tools.Deps) { d.Now = func() time.Time { return now } })
	tests := []struct {
		name string
		args map[string]any
		want []string
	}{
		{"soonest first, boundary included", map[string]any{"expiring_within_days": days},
			[]string{"expired-yesterday.com", "tomorrow.com", "before-boundary.com", "on-boundary.com"}},
		{"latest first", map[string]any{"expiring_within_days": days, "sort_by": "-expires_at"},
			[]string{"on-boundary.com", "before-boundary.com", "tomorrow.com", "expired-yesterday.com"}},
		{"by name", map[string]any{"expiring_within_days": days, "sort_by": "fqdn"},
			[]string{"before-boundary.com", "expired-yesterday.com", "on-boundary.com", "tomorrow.com"}},
		{"zero days keeps what already ended", map[string]any{"expiring_within_days": 0}, []string{"expired-yesterday.com"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, setup, clock)
			var out tools.ListDomainsOutput
			if res := h.call("list_domains", tc.args, &out); res.IsError {
				t.Fatalf("error: %s", textOf(res))
			}
			if !slices.Equal(fqdns(out.Domains), tc.want) {
				t.Errorf("domains = %v, want %v", fqdns(out.Domains), tc.want)
			}
			cutoff := now.Add(time.Duration(tc.args["expiring_within_days"].(int)) * 24 * time.Hour)
			if out.ExpiringBy == nil || !out.ExpiringBy.Equal(cutoff) {
				t.Errorf("expiring_by = %v, want %v", out.ExpiringBy, cutoff)
			}
			if out.Matching == nil || *out.Matching != len(tc.want) || out.Scanned != len(domains) {
				t.Errorf("matching %v scanned %d, want %d and %d", out.Matching, out.Scanned, len(tc.want), len(domains))
			}
			if !containsAny(out.Notes, "1 domain(s) have no registry end date") {
				t.Errorf("notes %v do not account for the undated domain", out.Notes)
			}
			for _, d := range out.Domains {
				switch d.FQDN {
				case "on-boundary.com":
					if d.DaysLeft == nil || *d.DaysLeft != days {
						t.Errorf("%s days_left = %v, want %d", d.FQDN, d.DaysLeft, days)
					}
				case "expired-yesterday.com":
					if d.DaysLeft == nil || *d.DaysLeft != -1 {
						t.Errorf("%s days_left = %v, want -1", d.FQDN, d.DaysLeft)
					}
				}
			}
			if q := h.domainRequests()[0].Query; q.Has("sort_by") && tc.args["sort_by"] != "fqdn" {
				t.Errorf("Gandi was asked to sort (%q); gandi-mcp sorts by expiry itself", q.Get("sort_by"))
			}
		})
	}
}

func TestListDomainsConcurrencyBound(t *testing.T) {
	tests := []struct {
		name  string
		bound int // Deps.MaxConcurrentPages; 0 is the default
		want  int
	}{
		{"default", 0, 8},
		{"two", 2, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, withAccount(1000, viewScopes, nil), withDeps(func(d *tools.Deps) { d.MaxConcurrentPages = tc.bound }))
			// Latency keeps requests in flight long enough to overlap.
			h.fake.SetLatency(20 * time.Millisecond)
			var out tools.ListDomainsOutput
			if res := h.call("list_domains", map[string]any{"all": true}, &out); res.IsError {
				t.Fatalf("error: %s", textOf(res))
			}
			if out.Count != 1000 || out.Truncated {
				t.Errorf("count %d truncated %v, want 1000 and complete", out.Count, out.Truncated)
			}
			if got := h.fake.MaxInFlight(); got > tc.want || got < 2 {
				t.Errorf("at most %d requests were in flight at once; want between 2 and %d", got, tc.want)
			}
			if n := len(h.domainRequests()); n != 10 {
				t.Errorf("%d requests for 1000 domains, want 10", n)
			}
		})
	}
}

// TestListDomainsOutputCap: tools' unit tests cover the scan cap with smaller bounds.
func TestListDomainsOutputCap(t *testing.T) {
	h := newHarness(t, withAccount(10050, viewScopes, nil))
	var out tools.ListDomainsOutput
	if res := h.call("list_domains", map[string]any{"all": true}, &out); res.IsError {
		t.Fatalf("error: %s", textOf(res))
	}
	if out.Count != 10000 || !out.Truncated || out.TotalCount == nil || *out.TotalCount != 10050 {
		t.Errorf("count %d truncated %v total %v, want 10000, true, 10050", out.Count, out.Truncated, out.TotalCount)
	}
	if !containsAny(out.Notes, "page=101 and per_page=100") {
		t.Errorf("notes %v do not say how to read on", out.Notes)
	}
	if n := len(h.domainRequests()); n != 100 {
		t.Errorf("%d requests, want 100: pages past the cap are not needed", n)
	}
}

func TestListDomainsRefusesBadInputBeforeAnyRequest(t *testing.T) {
	tests := []struct {
		name string
		args map[string]any
		want string // in the summary
	}{
		{"per_page zero", map[string]any{"per_page": 0}, "per_page must be between 1 and 100, not 0"},
		{"per_page too big", map[string]any{"per_page": 500}, "per_page must be between 1 and 100, not 500"},
		{"page zero", map[string]any{"page": 0}, "page must be between 1 and 1000000, not 0"},
		{"negative days", map[string]any{"expiring_within_days": -1}, "expiring_within_days must be between 0 and 3650"},
		{"absurd days", map[string]any{"expiring_within_days": 100000}, "expiring_within_days must be between 0 and 3650"},
		{"unknown sort", map[string]any{"sort_by": "name"}, "sort_by must be one of fqdn, -fqdn, expires_at, -expires_at"},
		{"space in fqdn", map[string]any{"fqdn": "my shop.fr"}, `fqdn may hold only letters, digits, '-', '.' and '*'`},
		{"slash in fqdn", map[string]any{"fqdn": "a/b"}, `has '/'`},
		{"bad tld", map[string]any{"tld": "f_r"}, "tld must be a top-level domain"},
		{"organization name as sharing_id", map[string]any{"sharing_id": "acme"}, "sharing_id must be an organization id"},
		{"all with page", map[string]any{"all": true, "page": 2}, "all reads every page"},
		{"all with per_page", map[string]any{"all": true, "per_page": 50}, "all reads every page"},
		{"expiry filter with page", map[string]any{"expiring_within_days": 30, "page": 1}, "expiring_within_days reads every page"},
		{"expiry sort with per_page", map[string]any{"sort_by": "expires_at", "per_page": 10}, "sort by fqdn"},
		{"fraction", map[string]any{"per_page": 1.5}, `"per_page" must be of type integer`},
		{"unknown argument", map[string]any{"limit": 10}, "unknown argument"},
		{"two problems at once", map[string]any{"per_page": 0, "sort_by": "x"}, "; sort_by must be"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, withAccount(3, viewScopes, nil))
			var out tools.ListDomainsOutput
			res := h.call("list_domains", tc.args, &out)
			if !res.IsError || out.Troubleshooting == nil || out.Troubleshooting.Diagnosis != tools.InvalidInput {
				t.Fatalf("isError %v troubleshooting %+v, want invalid_input", res.IsError, out.Troubleshooting)
			}
			if !strings.Contains(out.Troubleshooting.Summary, tc.want) {
				t.Errorf("summary %q does not say %q", out.Troubleshooting.Summary, tc.want)
			}
			if n := len(h.fake.Requests()); n != 0 {
				t.Errorf("%d requests reached Gandi; bad input must be refused first", n)
			}
		})
	}
}

func TestListDomainsAccess(t *testing.T) {
	tests := []struct {
		name  string
		setup func(h *harness, org gandi.Organization)
		check func(t *testing.T, res *mcp.CallToolResult, out tools.ListDomainsOutput)
	}{{
		name: "unknown token",
		setup: func(h *harness, org gandi.Organization) {
			h.storeToken("pat_0000000000000000000000000000000000", 0o600)
		},
		check: wantDiagnosis(tools.TokenRejected, 401),
	}, {
		name: "expired token",
		setup: func(h *harness, org gandi.Organization) {
			tok := h.fake.AddToken(ganditest.Token{Name: "old", Scopes: viewScopes, ExpiresAt: time.Now().Add(-time.Hour)})
			h.storeToken(tok.Secret, 0o600)
		},
		check: wantDiagnosis(tools.TokenRejected, 401),
	}, {
		name: "no domain:view",
		setup: func(h *harness, org gandi.Organization) {
			tok := h.fake.AddToken(ganditest.Token{Name: "orgs-only", Scopes: []string{"organization:view"}, Entities: []gandi.Entity{ganditest.OrganizationEntity(org)}})
			h.storeToken(tok.Secret, 0o600)
		},
		check: func(t *testing.T, res *mcp.CallToolResult, out tools.ListDomainsOutput) {
			wantDiagnosis(tools.MissingScope, 403)(t, res, out)
			tr := out.Troubleshooting
			if !slices.Equal(tr.RequiredScopes, []string{"domain:view"}) || !strings.Contains(tr.Summary, "domain:view") {
				t.Errorf("required_scopes %v summary %q: want domain:view named", tr.RequiredScopes, tr.Summary)
			}
			if !strings.Contains(textOf(res), "domain:view") {
				t.Errorf("text does not name the scope: %s", textOf(res))
			}
		},
	}, {
		name: "token limited to a product it cannot see",
		setup: func(h *harness, org gandi.Organization) {
			tok := h.fake.AddToken(ganditest.Token{Name: "one-product", Scopes: viewScopes,
				Entities: []gandi.Entity{{ID: "0d0d0d0d-0000-4000-8000-000000000000", Name: "gone.example", Type: "domain"}}})
			h.storeToken(tok.Secret, 0o600)
		},
		check: func(t *testing.T, res *mcp.CallToolResult, out tools.ListDomainsOutput) {
			if res.IsError || len(out.Domains) != 0 {
				t.Fatalf("isError %v, %d domains: want an empty list", res.IsError, len(out.Domains))
			}
			if !containsAny(out.Notes, `"one-product" is limited to 1 listed product(s)`) || !containsAny(out.Notes, "covers only what it can see") {
				t.Errorf("notes = %v, want the restriction explained", out.Notes)
			}
		},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, withSetup(func(h *harness) {
				org := h.fake.AddOrganization(gandi.Organization{Name: "acme"})
				h.fake.SeedDomains(org.ID, 3, time.Now())
				tc.setup(h, org)
			}))
			var out tools.ListDomainsOutput
			res := h.call("list_domains", map[string]any{"all": true}, &out)
			tc.check(t, res, out)
		})
	}
}

func wantDiagnosis(d tools.Diagnosis, status int) func(t *testing.T, res *mcp.CallToolResult, out tools.ListDomainsOutput) {
	return func(t *testing.T, res *mcp.CallToolResult, out tools.ListDomainsOutput) {
		t.Helper()
		if !res.IsError || out.Troubleshooting == nil {
			t.Fatalf("isError %v troubleshooting %+v, want an error result", res.IsError, out.Troubleshooting)
		}
		if tr := out.Troubleshooting; tr.Diagnosis != d || tr.Status != status || len(tr.NextSteps) == 0 {
			t.Errorf("diagnosis %s status %d next steps %v, want %s and %d", tr.Diagnosis, tr.Status, tr.NextSteps, d, status)
		}
	}
}

func TestListDomainsProgressArrivesBeforeTheResult(t *testing.T) {
	h := newHarness(t, withAccount(250, viewScopes, nil))
	req := mcp.CallToolRequest{}
	req.Params.Name = "list_domains"
	req.Params.Arguments = map[string]any{"all": true}
	req.Params.Meta = &mcp.Meta{ProgressToken: "p1"}
	res, err := h.client.CallTool(context.Background(), req)
	if err != nil || res.IsError {
		t.Fatalf("call: %v %v", err, res)
	}
	// The client reads one stream and handles a notification before the lines after
	// it: what has been handled when CallTool returns arrived before the result.
	var progress []float64
	for _, n := range h.notifications() {
		if n.Method != string(mcp.MethodNotificationProgress) {
			continue
		}
		f := n.Params.AdditionalFields
		if f["progressToken"] != "p1" {
			t.Errorf("progress token = %v, want p1", f["progressToken"])
		}
		if f["total"] != float64(3) {
			t.Errorf("total = %v, want 3 pages", f["total"])
		}
		progress = append(progress, f["progress"].(float64))
	}
	if !slices.Equal(progress, []float64{1, 2, 3}) {
		t.Errorf("progress before the result = %v, want 1, 2, 3", progress)
	}

	// Without a progress token nothing is sent.
	before := len(h.notifications())
	h.call("list_domains", map[string]any{"all": true}, nil)
	for _, n := range h.notifications()[before:] {
		if n.Method == string(mcp.MethodNotificationProgress) {
			t.Errorf("progress sent to a call that did not ask for it: %+v", n.Params.AdditionalFields)
		}
	}
}

func TestListDomainsFailedPageStopsTheOthers(t *testing.T) {
	// One page hangs until its request is cancelled and another fails: the call
	// must fail at once rather than wait for the hanging one (its timeout is an hour).
	h := newHarness(t, withAccount(250, viewScopes, nil), withDeps(func(d *tools.Deps) { d.Timeout = time.Hour }))
	h.fake.Inject(ganditest.Fault{Path: domainsPath, Skip: 1, Times: 1, Hang: true})
	h.fake.Inject(ganditest.Fault{Path: domainsPath, Skip: 1, Times: 1, Status: http.StatusInternalServerError})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req := mcp.CallToolRequest{}
	req.Params.Name = "list_domains"
	req.Params.Arguments = map[string]any{"all": true}
	res, err := h.client.CallTool(ctx, req)
	if err != nil {
		t.Fatalf("the call did not end when a page failed: %v", err)
	}
	var out tools.ListDomainsOutput
	if err := json.Unmarshal(res.RawStructuredContent, &out); err != nil {
		t.Fatal(err)
	}
	if !res.IsError || out.Troubleshooting == nil || out.Troubleshooting.Diagnosis != tools.GandiUnavailable || out.Troubleshooting.Status != 500 {
		t.Errorf("isError %v troubleshooting %+v, want gandi_unavailable 500", res.IsError, out.Troubleshooting)
	}
}

// TestListDomainsBytesPerDomain keeps each domain's share of a result small: it
// goes into a model's context.
func TestListDomainsBytesPerDomain(t *testing.T) {
	h := newHarness(t, withAccount(250, viewScopes, nil))
	res := h.call("list_domains", map[string]any{"all": true}, nil)
	var out struct {
		Domains []json.RawMessage `json:"domains"`
	}
	if err := json.Unmarshal(res.RawStructuredContent, &out); err != nil || len(out.Domains) != 250 {
		t.Fatalf("decode: %v, %d domains", err, len(out.Domains))
	}
	total := 0
	for _, d := range out.Domains {
		total += len(d) + 1 // the comma between items
	}
	avg := float64(total) / float64(len(out.Domains))
	t.Logf("%.1f bytes of JSON per domain", avg)
	if avg >= 250 {
		t.Errorf("%.1f bytes per domain, want under 250", avg)
	}
}

// TestListDomainsTextHoldsTheStructuredFacts reads list_domains' text (facts, then a
// tab-separated table) back and finds in it every fact of the structured content,
// in fewer bytes: many clients give a model only the text.
func TestListDomainsTextHoldsTheStructuredFacts(t *testing.T) {
	setup := withSetup(func(h *harness) {
		org := h.fake.AddOrganization(gandi.Organization{Name: "acme"})
		h.fake.SeedDomains(org.ID, 250, time.Now().Add(-30*24*time.Hour))
		h.fake.AddDomains(gandi.Domain{FQDN: "xn--caf-dma.fr", FQDNUnicode: "café.fr", SharingID: org.ID, Owner: "bob",
			Status: []string{"clientHold", "clientTransferProhibited"}, Tags: []string{"shop", "eu"}})
		tok := h.fake.AddToken(ganditest.Token{Name: "lister", Scopes: viewScopes, Entities: []gandi.Entity{ganditest.OrganizationEntity(org)}})
		h.storeToken(tok.Secret, 0o600)
	})
	tests := []struct {
		name string
		args map[string]any
	}{
		{"every page", map[string]any{"all": true}},
		{"one page", map[string]any{"per_page": 20, "page": 2}},
		{"expiring soon", map[string]any{"expiring_within_days": 60}},
		{"filtered on autorenew and status", map[string]any{"autorenew": false, "status_absent": "clientTransferProhibited"}},
		{"nothing matches", map[string]any{"fqdn": "nothing-*"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, setup)
			var out tools.ListDomainsOutput
			res := h.call("list_domains", tc.args, &out)
			if res.IsError {
				t.Fatalf("error: %s", textOf(res))
			}
			facts, rows := parseDomainsText(t, textOf(res))
			want := map[string]string{"count": strconv.Itoa(out.Count)}
			if out.TotalCount != nil {
				want["total_count"] = strconv.Itoa(*out.TotalCount)
			}
			if out.Scanned > 0 {
				want["scanned"] = strconv.Itoa(out.Scanned)
			}
			if out.NextPage > 0 {
				want["next_page"] = strconv.Itoa(out.NextPage)
			}
			if out.Matching != nil {
				want["matching"] = strconv.Itoa(*out.Matching)
			}
			if out.ExpiringBy != nil {
				want["expiring_by"] = out.ExpiringBy.Format(time.RFC3339)
			}
			if out.SharingID != "" {
				want["sharing_id"] = out.SharingID
			}
			if out.Owner != "" {
				want["owner"] = out.Owner
			}
			for k, v := range want {
				if got := strings.TrimSuffix(strings.TrimSuffix(facts[k], " (every listed domain's organization)"), " (every listed domain's owner)"); got != v {
					t.Errorf("text says %s: %q, structured content %q", k, facts[k], v)
				}
			}
			if len(rows) != len(out.Domains) {
				t.Fatalf("text lists %d domains, structured content %d", len(rows), len(out.Domains))
			}
			for i, d := range out.Domains {
				if got := rows[i]; !reflect.DeepEqual(got, d) {
					t.Errorf("row %d of the text:\n %+v\nstructured content:\n %+v", i, got, d)
				}
			}
			text, structured := len(textOf(res)), len(res.RawStructuredContent)
			if len(out.Domains) > 10 && text*10 > structured*7 {
				t.Errorf("text is %d bytes, structured content %d: want the text at most 70%% of it", text, structured)
			}
		})
	}
}

// parseDomainsText reads list_domains' text: "name: value" lines, then a table
// whose rows it turns back into DomainSummary values.
func parseDomainsText(t *testing.T, text string) (map[string]string, []tools.DomainSummary) {
	t.Helper()
	facts := map[string]string{}
	lines := strings.Split(text, "\n")
	for len(lines) > 0 && !strings.HasPrefix(lines[0], "domains") {
		k, v, ok := strings.Cut(lines[0], ": ")
		if !ok {
			t.Fatalf("line %q is not name: value", lines[0])
		}
		facts[k] = v
		lines = lines[1:]
	}
	if len(lines) == 0 {
		t.Fatalf("no domains line in %q", text)
	}
	if lines[0] == "domains: none" {
		return facts, nil
	}
	cols := strings.Split(lines[1], "\t")
	var rows []tools.DomainSummary
	for _, line := range lines[2:] {
		cells := strings.Split(line, "\t")
		if len(cells) != len(cols) {
			t.Fatalf("row %q has %d cells for %d columns", line, len(cells), len(cols))
		}
		var d tools.DomainSummary
		for i, c := range cols {
			v := cells[i]
			if v == "" && c != "autorenew" {
				continue
			}
			var err error
			switch c {
			case "fqdn":
				d.FQDN = v
			case "fqdn_unicode":
				d.FQDNUnicode = v
			case "tld":
				d.TLD = v
			case "status":
				d.Status = strings.Split(v, ",")
			case "expires_at":
				var at time.Time
				at, err = time.Parse(time.RFC3339, v)
				d.ExpiresAt = &at
			case "days_left":
				var n int
				n, err = strconv.Atoi(v)
				d.DaysLeft = &n
			case "autorenew":
				d.AutoRenew, err = strconv.ParseBool(v)
			case "nameserver":
				d.Nameserver = v
			case "sharing_id":
				d.SharingID = v
			case "owner":
				d.Owner = v
			case "tags":
				d.Tags = strings.Split(v, ",")
			case "id":
				d.ID = v
			default:
				t.Fatalf("unknown column %q", c)
			}
			if err != nil {
				t.Fatalf("column %s: %v", c, err)
			}
		}
		rows = append(rows, d)
	}
	return facts, rows
}
