package skill

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gandi-mcp/gandi-mcp/gandi"
	"github.com/gandi-mcp/gandi-mcp/gandi/ganditest"
	"github.com/gandi-mcp/gandi-mcp/tools"
)

// sharingAccount is three organizations holding 3, 5 and 2 domains.
type sharingAccount struct {
	acme, beta, hidden gandi.Organization
	betaDomains        []gandi.Domain
}

func (a *sharingAccount) seed(h *harness) {
	a.acme = h.fake.AddOrganization(gandi.Organization{Name: "acme", Type: "company", Orgname: "Acme SAS"})
	a.beta = h.fake.AddOrganization(gandi.Organization{Name: "beta", Type: "association", Reseller: true})
	a.hidden = h.fake.AddOrganization(gandi.Organization{Name: "hidden", Type: "individual"})
	h.fake.SeedDomains(a.acme.ID, 3, time.Now())
	a.betaDomains = h.fake.SeedDomains(a.beta.ID, 5, time.Now())
	h.fake.SeedDomains(a.hidden.ID, 2, time.Now())
}

func TestListSharing(t *testing.T) {
	tests := []struct {
		name  string
		token func(a *sharingAccount) ganditest.Token
		opts  []harnessOption
		check func(t *testing.T, h *harness, a *sharingAccount, out tools.ListSharingOutput)
		// wantAdmin is the admin's Sharing page; "" means production's.
		wantAdmin string
	}{{
		name: "several organizations with domain:view",
		token: func(a *sharingAccount) ganditest.Token {
			return ganditest.Token{Name: "two-orgs", Scopes: []string{"domain:view", "organization:view"},
				Entities:  []gandi.Entity{ganditest.OrganizationEntity(a.acme), ganditest.OrganizationEntity(a.beta)},
				ExpiresAt: time.Now().Add(20*24*time.Hour + time.Hour)}
		},
		check: func(t *testing.T, h *harness, a *sharingAccount, out tools.ListSharingOutput) {
			if got := orgSummary(out.Organizations); !slices.Equal(got, []string{"acme=3", "beta=5"}) {
				t.Errorf("organizations = %v, want acme=3 and beta=5 (hidden is not the token's)", got)
			}
			beta := out.Organizations[1]
			if beta.ID != a.beta.ID || beta.Type != "association" || !beta.Reseller || out.Organizations[0].Orgname != "Acme SAS" {
				t.Errorf("organization fields = %+v", out.Organizations)
			}
			g := out.Token
			if g == nil || g.Name != "two-orgs" || g.Kind != "pat" || !slices.Equal(g.Scopes, []string{"domain:view", "organization:view"}) {
				t.Fatalf("token = %+v", g)
			}
			if g.Resources == nil || !g.Resources.WholeOrganization || len(g.Resources.Entities) != 2 {
				t.Errorf("resources = %+v", g.Resources)
			}
			if g.DaysLeft == nil || *g.DaysLeft != 20 || g.ExpiresAt == nil {
				t.Errorf("expiry %v, days_left %v, want 20 days", g.ExpiresAt, g.DaysLeft)
			}
			if out.DomainCountsSkipped != "" {
				t.Errorf("counts skipped: %s", out.DomainCountsSkipped)
			}
			// One cheap call per organization: per_page=1 and the count header.
			var asked []string
			for _, r := range h.domainRequests() {
				if r.Query.Get("per_page") != "1" {
					t.Errorf("count asked with per_page=%q, want 1", r.Query.Get("per_page"))
				}
				asked = append(asked, r.Query.Get("sharing_id"))
			}
			slices.Sort(asked)
			want := []string{a.acme.ID, a.beta.ID}
			slices.Sort(want)
			if !slices.Equal(asked, want) {
				t.Errorf("counts asked for %v, want %v", asked, want)
			}
		},
	}, {
		name: "without domain:view the counts are skipped, with the reason",
		token: func(a *sharingAccount) ganditest.Token {
			return ganditest.Token{Name: "orgs-only", Scopes: []string{"organization:view"}, Entities: []gandi.Entity{ganditest.OrganizationEntity(a.acme)}}
		},
		check: func(t *testing.T, h *harness, a *sharingAccount, out tools.ListSharingOutput) {
			if got := orgSummary(out.Organizations); !slices.Equal(got, []string{"acme=?"}) {
				t.Errorf("organizations = %v, want acme without a count", got)
			}
			if !strings.Contains(out.DomainCountsSkipped, "domain:view") {
				t.Errorf("domain_counts_skipped = %q, want the missing scope named", out.DomainCountsSkipped)
			}
			if n := len(h.domainRequests()); n != 0 {
				t.Errorf("%d domain requests, want none", n)
			}
		},
	}, {
		name: "a refused count is noted on its organization",
		token: func(a *sharingAccount) ganditest.Token {
			return ganditest.Token{Name: "two-orgs", Scopes: []string{"domain:view"},
				Entities: []gandi.Entity{ganditest.OrganizationEntity(a.acme), ganditest.OrganizationEntity(a.beta)}}
		},
		opts: []harnessOption{
			withDeps(func(d *tools.Deps) { d.MaxConcurrentPages = 1 }), // counts in order: acme's is the first request
			withSetup(func(h *harness) {
				h.fake.Inject(ganditest.Fault{Path: domainsPath, Times: 1, Status: http.StatusForbidden})
			}),
		},
		check: func(t *testing.T, h *harness, a *sharingAccount, out tools.ListSharingOutput) {
			if got := orgSummary(out.Organizations); !slices.Equal(got, []string{"acme=?", "beta=5"}) {
				t.Errorf("organizations = %v", got)
			}
			if s := out.Organizations[0].DomainCountSkipped; !strings.Contains(s, "refused") || !strings.Contains(s, "403") {
				t.Errorf("domain_count_skipped = %q", s)
			}
		},
	}, {
		name: "a token limited to one product",
		token: func(a *sharingAccount) ganditest.Token {
			return ganditest.Token{Name: "one-domain", Scopes: []string{"domain:view"},
				Entities: []gandi.Entity{ganditest.DomainEntity(a.betaDomains[0])}}
		},
		check: func(t *testing.T, h *harness, a *sharingAccount, out tools.ListSharingOutput) {
			if got := orgSummary(out.Organizations); !slices.Equal(got, []string{"beta=1"}) {
				t.Errorf("organizations = %v, want beta with the one domain the token sees", got)
			}
			if out.Token.Resources == nil || out.Token.Resources.WholeOrganization {
				t.Errorf("resources = %+v, want listed products", out.Token.Resources)
			}
			if !containsAny(out.Notes, "limited to the listed products") {
				t.Errorf("notes = %v", out.Notes)
			}
		},
	}, {
		name: "sandbox points at the sandbox admin",
		token: func(a *sharingAccount) ganditest.Token {
			return ganditest.Token{Name: "sbx", Scopes: []string{"organization:view"}, Entities: []gandi.Entity{ganditest.OrganizationEntity(a.acme)}}
		},
		opts:      []harnessOption{withDeps(func(d *tools.Deps) { d.Endpoints.Env = gandi.Sandbox })},
		wantAdmin: "https://admin.sandbox.gandi.net/organizations/",
		check: func(t *testing.T, h *harness, a *sharingAccount, out tools.ListSharingOutput) {
			if out.Environment != "sandbox" {
				t.Errorf("environment %q", out.Environment)
			}
		},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := &sharingAccount{}
			opts := append([]harnessOption{withSetup(func(h *harness) {
				a.seed(h)
				h.storeToken(h.fake.AddToken(tc.token(a)).Secret, 0o600)
			})}, tc.opts...)
			h := newHarness(t, opts...)
			var out tools.ListSharingOutput
			res := h.call("list_sharing", nil, &out)
			if res.IsError {
				t.Fatalf("error: %s", textOf(res))
			}
			admin := tc.wantAdmin
			if admin == "" {
				admin = "https://admin.gandi.net/organizations/"
			}
			if out.AdminSharingURL != admin || !containsAny(out.Notes, admin) {
				t.Errorf("admin_sharing_url = %q, notes %v: want %s in both", out.AdminSharingURL, out.Notes, admin)
			}
			if !containsAny(out.Notes, "Sharing tab") || !containsAny(out.Notes, "other tokens") {
				t.Errorf("notes %v do not say what only the admin shows", out.Notes)
			}
			tc.check(t, h, a, out)
		})
	}
}

func orgSummary(orgs []tools.SharingOrganization) []string {
	var out []string
	for _, o := range orgs {
		n := "?"
		if o.DomainCount != nil {
			n = strconv.Itoa(*o.DomainCount)
		}
		out = append(out, o.Name+"="+n)
	}
	return out
}

func TestListSharingRefusedToken(t *testing.T) {
	h := newHarness(t, withSetup(func(h *harness) {
		h.storeToken("pat_0000000000000000000000000000000000", 0o600)
	}))
	var out tools.ListSharingOutput
	res := h.call("list_sharing", nil, &out)
	if !res.IsError || out.Troubleshooting == nil || out.Troubleshooting.Diagnosis != tools.TokenRejected || out.Troubleshooting.Status != 401 {
		t.Fatalf("isError %v troubleshooting %+v, want token_rejected 401", res.IsError, out.Troubleshooting)
	}
}

func TestListSharingWithLegacyKey(t *testing.T) {
	a := &sharingAccount{}
	h := newHarness(t, withSetup(func(h *harness) {
		a.seed(h)
		key := h.fake.AddToken(ganditest.Token{Apikey: true, Entities: []gandi.Entity{ganditest.OrganizationEntity(a.beta)}})
		h.env["GANDI_API_KEY"] = key.Secret
	}))
	var out tools.ListSharingOutput
	if res := h.call("list_sharing", nil, &out); res.IsError {
		t.Fatalf("error: %s", textOf(res))
	}
	if out.Token == nil || out.Token.Kind != "api_key" || out.Token.Name != "" || out.Token.Resources != nil {
		t.Errorf("token = %+v, want only its kind: a key has no grant to show", out.Token)
	}
	if got := orgSummary(out.Organizations); !slices.Equal(got, []string{"beta=5"}) {
		t.Errorf("organizations = %v, want beta=5", got)
	}
	if !containsAny(out.Notes, "legacy API key") {
		t.Errorf("notes = %v", out.Notes)
	}
	for _, r := range h.fake.Requests() {
		if r.Path == "/tokeninfo" {
			t.Error("/tokeninfo does not know API keys and must not be asked")
		}
	}
}

// TestListSharingCountsAtMostFiftyOrganizations: a reseller's hundreds of
// organizations must not cost a request each.
func TestListSharingCountsAtMostFiftyOrganizations(t *testing.T) {
	h := newHarness(t, withSetup(func(h *harness) {
		for i := range 53 {
			h.fake.AddOrganization(gandi.Organization{Name: "client-" + strconv.Itoa(i)})
		}
		key := h.fake.AddToken(ganditest.Token{Apikey: true}) // a key without entities sees every organization
		h.env["GANDI_API_KEY"] = key.Secret
	}))
	var out tools.ListSharingOutput
	if res := h.call("list_sharing", nil, &out); res.IsError {
		t.Fatalf("error: %s", textOf(res))
	}
	if len(out.Organizations) != 53 {
		t.Fatalf("%d organizations, want 53", len(out.Organizations))
	}
	for i, o := range out.Organizations {
		if counted := o.DomainCount != nil; counted != (i < 50) {
			t.Errorf("organization %d: domain_count %v, skipped %q; want the first 50 counted", i, o.DomainCount, o.DomainCountSkipped)
		}
	}
	if !strings.Contains(out.Organizations[52].DomainCountSkipped, "list_domains with this sharing_id") {
		t.Errorf("skipped = %q", out.Organizations[52].DomainCountSkipped)
	}
	if n := len(h.domainRequests()); n != 50 {
		t.Errorf("%d count requests, want 50", n)
	}
}
