package skill

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gandi-mcp/gandi-mcp/gandi"
	"github.com/gandi-mcp/gandi-mcp/gandi/ganditest"
	"github.com/gandi-mcp/gandi-mcp/tools"
)

// The domains account: shop.com (autorenew, transfer lock, LiveDNS, a renewal window),
// café.fr (unicode, DNS elsewhere), and hidden.org in an organization the token does not cover.
const (
	domShop     = "shop.com"
	domUnicode  = "café.fr"
	domPunycode = "xn--caf-dma.fr"
	domHidden   = "hidden.org"
)

var (
	domEnds    = time.Date(2027, 3, 14, 10, 0, 0, 0, time.UTC)
	domCreated = time.Date(2019, 3, 14, 10, 0, 0, 0, time.UTC)
	domRenew   = time.Date(2026, 3, 14, 10, 0, 0, 0, time.UTC)
	domHoldEnd = time.Date(2027, 4, 28, 10, 0, 0, 0, time.UTC)
)

// withDomainsAccount seeds the domains account and stores a token with scopes for its organization.
func withDomainsAccount(scopes []string) harnessOption {
	return withSetup(func(h *harness) {
		org := h.fake.AddOrganization(gandi.Organization{Name: "acme", Type: "company", Orgname: "Acme SAS"})
		other := h.fake.AddOrganization(gandi.Organization{Name: "others", Type: "company"})
		h.fake.AddDomains(
			gandi.Domain{FQDN: domShop, SharingID: org.ID, AutoRenew: true, Status: []string{"clientTransferProhibited"},
				Tags: []string{"prod"}, Nameserver: gandi.Nameserver{Current: "livedns"},
				Dates: gandi.DomainDates{CreatedAt: &domCreated, RegistryEndsAt: &domEnds, RenewBeginsAt: &domRenew, HoldEndsAt: &domHoldEnd}},
			gandi.Domain{FQDN: domPunycode, FQDNUnicode: domUnicode, SharingID: org.ID, Nameserver: gandi.Nameserver{Current: "other"},
				Dates: gandi.DomainDates{RegistryEndsAt: &domEnds}},
			gandi.Domain{FQDN: domHidden, SharingID: other.ID, Nameserver: gandi.Nameserver{Current: "livedns"}},
		)
		tok := h.fake.AddToken(ganditest.Token{Name: "domains", Scopes: scopes, Entities: []gandi.Entity{ganditest.OrganizationEntity(org)}})
		h.storeToken(tok.Secret, 0o600)
	})
}

func commonDiagnosis(out tools.Common) tools.Diagnosis {
	if out.Troubleshooting == nil {
		return ""
	}
	return out.Troubleshooting.Diagnosis
}

func TestGetDomain(t *testing.T) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	h := newHarness(t, withDomainsAccount([]string{"domain:view"}), withDeps(func(d *tools.Deps) { d.Now = func() time.Time { return now } }))

	var shop tools.GetDomainOutput
	if res := h.call("get_domain", map[string]any{"fqdn": "Shop.COM"}, &shop); res.IsError {
		t.Fatalf("get_domain: %s", textOf(res))
	}
	if shop.FQDN != domShop || shop.FQDNUnicode != "" {
		t.Errorf("fqdn = %q, fqdn_unicode = %q", shop.FQDN, shop.FQDNUnicode)
	}
	if shop.ExpiresAt == nil || !shop.ExpiresAt.Equal(domEnds) || shop.DaysLeft == nil || *shop.DaysLeft != 103 {
		t.Errorf("expires_at = %v, days_left = %v; want %v, 103", shop.ExpiresAt, shop.DaysLeft, domEnds)
	}
	if shop.RenewBeginsAt == nil || !shop.RenewBeginsAt.Equal(domRenew) || shop.RenewEndsAt == nil || !shop.RenewEndsAt.Equal(domHoldEnd) {
		t.Errorf("renewal window %v..%v, want %v..%v", shop.RenewBeginsAt, shop.RenewEndsAt, domRenew, domHoldEnd)
	}
	if shop.AutoRenew == nil || !shop.AutoRenew.Enabled || shop.AutoRenew.Duration != 1 {
		t.Errorf("autorenew = %+v, want enabled for 1 year", shop.AutoRenew)
	}
	if !shop.LiveDNS || len(shop.Nameservers) != 3 || !shop.TransferLock {
		t.Errorf("livedns %v, nameservers %v, transfer_lock %v", shop.LiveDNS, shop.Nameservers, shop.TransferLock)
	}
	if shop.SharingID == "" || shop.Organization != "acme" || shop.Owner != "Acme SAS" || !slices.Equal(shop.Tags, []string{"prod"}) {
		t.Errorf("sharing_id %q, organization %q, owner %q, tags %v", shop.SharingID, shop.Organization, shop.Owner, shop.Tags)
	}
	if shop.CreatedAt == nil || !shop.CreatedAt.Equal(domCreated) {
		t.Errorf("created_at = %v", shop.CreatedAt)
	}

	var cafe tools.GetDomainOutput
	if res := h.call("get_domain", map[string]any{"fqdn": domUnicode}, &cafe); res.IsError {
		t.Fatalf("get_domain %s: %s", domUnicode, textOf(res))
	}
	if cafe.FQDN != domPunycode || cafe.FQDNUnicode != domUnicode || cafe.LiveDNS || cafe.TransferLock || cafe.AutoRenew == nil || cafe.AutoRenew.Enabled {
		t.Errorf("café.fr = %+v", cafe)
	}
	if cafe.RenewBeginsAt != nil || cafe.RenewEndsAt != nil {
		t.Errorf("a renewal window Gandi did not give: %v..%v", cafe.RenewBeginsAt, cafe.RenewEndsAt)
	}
	last := h.fake.Requests()[len(h.fake.Requests())-1]
	if last.Path != "/v5/domain/domains/"+domPunycode {
		t.Errorf("asked %s, want the punycode name", last.Path)
	}

	for _, fqdn := range []string{domHidden, "nowhere.net"} {
		t.Run("not found "+fqdn, func(t *testing.T) {
			var out tools.GetDomainOutput
			res := h.call("get_domain", map[string]any{"fqdn": fqdn}, &out)
			if !res.IsError || commonDiagnosis(out.Common) != tools.NotFound || out.Troubleshooting.Status != http.StatusNotFound {
				t.Fatalf("want not_found (404): %s", textOf(res))
			}
			if !strings.Contains(strings.Join(out.Troubleshooting.NextSteps, " "), "list_domains") ||
				!strings.Contains(strings.Join(out.Troubleshooting.LikelyCauses, " "), "products") {
				t.Errorf("no hint at list_domains or a product-limited token: %+v", out.Troubleshooting)
			}
		})
	}
}

func TestGetDomainRefusals(t *testing.T) {
	tests := []struct {
		name   string
		scopes []string
		setup  func(h *harness)
		want   tools.Diagnosis
		status int
	}{
		{"without domain:view", []string{"domain:renew"}, nil, tools.MissingScope, http.StatusForbidden},
		{"revoked token", []string{"domain:view"}, func(h *harness) {
			for _, tok := range h.fake.Tokens() {
				h.fake.Revoke(tok.Secret)
			}
		}, "", http.StatusUnauthorized},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, withDomainsAccount(tc.scopes))
			if tc.setup != nil {
				tc.setup(h)
			}
			var out tools.GetDomainOutput
			res := h.call("get_domain", map[string]any{"fqdn": domShop}, &out)
			if !res.IsError || out.Troubleshooting == nil || out.Troubleshooting.Status != tc.status {
				t.Fatalf("want a %d failure: %s", tc.status, textOf(res))
			}
			if tc.want != "" && out.Troubleshooting.Diagnosis != tc.want {
				t.Errorf("diagnosis %s, want %s", out.Troubleshooting.Diagnosis, tc.want)
			}
			if tc.want == tools.MissingScope && !slices.Contains(out.Troubleshooting.RequiredScopes, "domain:view") {
				t.Errorf("required scopes %v lack domain:view", out.Troubleshooting.RequiredScopes)
			}
		})
	}
}

func TestDomainToolsRefuseBadInputBeforeAnyRequest(t *testing.T) {
	h := newHarness(t, withDomainsAccount([]string{"domain:view"}))
	tests := []struct {
		tool string
		args map[string]any
		want string
	}{
		{"get_domain", map[string]any{"fqdn": "com"}, "top-level domain"},
		{"get_domain", map[string]any{"fqdn": "my_shop.fr"}, "'_'"},
		{"get_domain", map[string]any{"fqdn": " shop.com"}, "spaces"},
		{"check_availability", map[string]any{"names": []string{}}, "names is empty"},
		{"check_availability", map[string]any{"names": []string{"a.fr", "b.fr", "c.fr", "d.fr", "e.fr", "f.fr", "g.fr", "h.fr", "i.fr", "j.fr", "k.fr"}}, "at most 10"},
		{"check_availability", map[string]any{"names": []string{"ok.fr", "*.fr"}}, `names[1] "*.fr"`},
		{"check_availability", map[string]any{"names": []string{"ok.fr", "-bad-.fr"}}, `names[1]`},
		{"check_availability", map[string]any{"names": []string{"fr"}}, "top-level domain"},
		{"check_availability", map[string]any{"names": []string{"Shop.fr", "shop.fr"}}, "names[0] again"},
		{"check_availability", map[string]any{"names": []string{"ok.fr"}, "currency": "E1R"}, "three letters"},
	}
	for _, tc := range tests {
		t.Run(tc.tool+" "+tc.want, func(t *testing.T) {
			h.fake.ResetRequests()
			var out tools.Common
			res := h.call(tc.tool, tc.args, &out)
			if !res.IsError || commonDiagnosis(out) != tools.InvalidInput {
				t.Fatalf("want invalid_input: %s", textOf(res))
			}
			if !strings.Contains(out.Troubleshooting.Summary, tc.want) {
				t.Errorf("summary %q does not say %q", out.Troubleshooting.Summary, tc.want)
			}
			if n := len(h.fake.Requests()); n != 0 {
				t.Errorf("%d requests reached Gandi", n)
			}
		})
	}
}

func TestCheckAvailability(t *testing.T) {
	h := newHarness(t, withDomainsAccount([]string{"domain:view"}))
	names := []string{"my-new-shop.fr", ganditest.PremiumName, domShop, "google.com", "nothing.zz", "crème.fr", domHidden}
	var out tools.CheckAvailabilityOutput
	if res := h.call("check_availability", map[string]any{"names": names, "currency": "usd"}, &out); res.IsError {
		t.Fatalf("check_availability: %s", textOf(res))
	}
	type want struct {
		name, unicode, status string
		available, premium    bool
		amount                float64 // 0: no price
	}
	wants := []want{
		{"my-new-shop.fr", "", "available", true, false, 10.56}, // 8 EUR * 1.10, then 20% VAT
		{ganditest.PremiumName, "", "available", true, true, 3168},
		{domShop, "", "unavailable", false, false, 0}, // the account's own domain
		{"google.com", "", "unavailable", false, false, 0},
		{"nothing.zz", "", "error", false, false, 0},
		{"xn--crme-6oa.fr", "crème.fr", "available", true, false, 10.56},
		{domHidden, "", "unavailable", false, false, 0}, // held at Gandi, if by an organization the token does not see
	}
	if len(out.Results) != len(wants) {
		t.Fatalf("%d results, want %d: %+v", len(out.Results), len(wants), out.Results)
	}
	for i, w := range wants {
		r := out.Results[i]
		if r.Name != w.name || r.NameUnicode != w.unicode || r.Status != w.status || r.Available != w.available || r.Premium != w.premium {
			t.Errorf("results[%d] = %+v, want %+v", i, r, w)
		}
		switch {
		case w.amount == 0 && r.Price != nil:
			t.Errorf("results[%d] has a price %+v", i, *r.Price)
		case w.amount != 0 && (r.Price == nil || r.Price.Amount != w.amount || r.Price.Currency != "USD" || r.Price.PeriodYears != 1 || !r.Price.TaxesIncluded):
			t.Errorf("results[%d] price = %+v, want %v USD for 1 year, taxes included", i, r.Price, w.amount)
		}
	}
	var asked []string
	for _, r := range h.fake.Requests() {
		if r.Path == "/v5/domain/check" {
			asked = append(asked, r.Query.Get("name")+" "+r.Query.Get("currency"))
		}
	}
	slices.Sort(asked)
	if len(asked) != len(names) || asked[0] != "google.com USD" {
		t.Errorf("requests %v: want one per name, currency USD", asked)
	}
}

// TestCheckAvailabilityNeedsNoScope: the check route asks only a valid token.
func TestCheckAvailabilityNeedsNoScope(t *testing.T) {
	h := newHarness(t, withDomainsAccount(nil))
	var out tools.CheckAvailabilityOutput
	if res := h.call("check_availability", map[string]any{"names": []string{"free-name.net"}}, &out); res.IsError {
		t.Fatalf("check_availability: %s", textOf(res))
	}
	if r := out.Results[0]; !r.Available || r.Price == nil || r.Price.Currency != "EUR" || r.Price.Amount != 18 {
		t.Errorf("result = %+v, want available at 18 EUR", r)
	}
	for _, tok := range h.fake.Tokens() {
		h.fake.Revoke(tok.Secret)
	}
	res := h.call("check_availability", map[string]any{"names": []string{"free-name.net"}}, &out)
	if !res.IsError || out.Troubleshooting == nil || out.Troubleshooting.Status != http.StatusUnauthorized {
		t.Fatalf("revoked token: want a 401 failure: %s", textOf(res))
	}
}

// TestCheckAvailabilityChecksEveryNameAtOnce holds every check until all ten names are in
// flight: a tool that checks them one by one, or a few at a time, never gets there (the wait
// gives up), so one call waits one round trip to Gandi, not several.
func TestCheckAvailabilityChecksEveryNameAtOnce(t *testing.T) {
	h := newHarness(t, withDomainsAccount([]string{"domain:view"}))
	var (
		mu      sync.Mutex
		entered int
		gate    = make(chan struct{})
	)
	h.fake.Inject(ganditest.Fault{Path: "/v5/domain/check", Rewrite: func(*http.Request, http.Header, []byte) []byte {
		mu.Lock()
		entered++
		if entered == 10 {
			close(gate)
		}
		mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		select {
		case <-gate:
		case <-ctx.Done():
		}
		return nil
	}})
	h.fake.ResetRequests()
	names := []string{"a1.fr", "a2.fr", "a3.fr", "a4.fr", "a5.fr", "a6.fr", "a7.fr", "a8.fr", "a9.fr", "a10.fr"}
	var out tools.CheckAvailabilityOutput
	if res := h.call("check_availability", map[string]any{"names": names}, &out); res.IsError {
		t.Fatalf("check_availability: %s", textOf(res))
	}
	if n := h.fake.MaxInFlight(); n != 10 {
		t.Errorf("%d checks in flight at most, want all 10 at once", n)
	}
	for i, r := range out.Results {
		if r.Name != names[i] || !r.Available {
			t.Errorf("results[%d] = %+v, want %s available", i, r, names[i])
		}
	}
}
