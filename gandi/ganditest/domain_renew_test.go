package ganditest_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gandi-mcp/gandi-mcp/gandi"
	"github.com/gandi-mcp/gandi-mcp/gandi/ganditest"
)

// renewWorld is a fake with domains in and out of their renewal period and two tokens.
type renewWorld struct {
	srv           *ganditest.Server
	buyer, viewer ganditest.Token
	ends          time.Time
}

func newRenewWorld(t *testing.T) *renewWorld {
	t.Helper()
	srv := ganditest.NewTestServer(t)
	org := srv.AddOrganization(gandi.Organization{Name: "acme"})
	w := &renewWorld{srv: srv, ends: time.Now().Add(200 * 24 * time.Hour).UTC().Truncate(time.Second)}
	begins := w.ends.AddDate(-1, 0, 0)
	far := time.Now().AddDate(8, 6, 0).UTC().Truncate(time.Second)
	notYet := time.Now().Add(24 * time.Hour).UTC().Truncate(time.Second)
	srv.AddDomains(
		gandi.Domain{FQDN: "open.com", SharingID: org.ID, Dates: gandi.DomainDates{RegistryEndsAt: &w.ends, RenewBeginsAt: &begins}},
		gandi.Domain{FQDN: "far.net", SharingID: org.ID, Dates: gandi.DomainDates{RegistryEndsAt: &far}},
		gandi.Domain{FQDN: "locked.org", SharingID: org.ID, Status: []string{"clientRenewProhibited"}, Dates: gandi.DomainDates{RegistryEndsAt: &w.ends}},
		gandi.Domain{FQDN: "later.fr", SharingID: org.ID, Dates: gandi.DomainDates{RegistryEndsAt: &w.ends, RenewBeginsAt: &notYet}},
	)
	entities := []gandi.Entity{ganditest.OrganizationEntity(org)}
	w.buyer = srv.AddToken(ganditest.Token{Name: "buyer", Scopes: []string{"domain:view", "domain:renew"}, Entities: entities})
	w.viewer = srv.AddToken(ganditest.Token{Name: "viewer", Scopes: []string{"domain:view"}, Entities: entities})
	return w
}

type wireTerms struct {
	InRenewPeriod bool   `json:"in_renew_period"`
	Durations     []int  `json:"durations"`
	Minimum       int    `json:"minimum"`
	Maximum       int    `json:"maximum"`
	Prohibited    bool   `json:"prohibited"`
	BeginsAt      string `json:"begins_at"`
	EndsAt        string `json:"ends_at"`
}

// TestRenewTermsShape: GET .../renew says whether and for how long each domain renews.
func TestRenewTermsShape(t *testing.T) {
	w := newRenewWorld(t)
	tests := []struct {
		fqdn       string
		inPeriod   bool
		durations  []int
		prohibited bool
	}{
		{"open.com", true, []int{1, 2, 3, 4, 5, 6, 7, 8, 9}, false},
		{"far.net", true, []int{1}, false}, // already 9 years ahead: one more keeps it within ten
		{"locked.org", true, []int{1, 2, 3, 4, 5, 6, 7, 8, 9}, true},
		{"later.fr", false, []int{1, 2, 3, 4, 5, 6, 7, 8, 9}, false},
	}
	for _, tt := range tests {
		t.Run(tt.fqdn, func(t *testing.T) {
			status, _, body := raw(t, w.srv, "GET", "/v5/domain/domains/"+tt.fqdn+"/renew", "Bearer "+w.viewer.Secret, "")
			var got wireTerms
			if status != 200 || json.Unmarshal(body, &got) != nil {
				t.Fatalf("%d %s", status, body)
			}
			if got.InRenewPeriod != tt.inPeriod || !slices.Equal(got.Durations, tt.durations) || got.Prohibited != tt.prohibited ||
				got.Minimum != tt.durations[0] || got.Maximum != tt.durations[len(tt.durations)-1] {
				t.Errorf("terms %s", body)
			}
		})
	}
	if err := w.srv.SetRenewTerms("open.com", ganditest.RenewTerms{Durations: []int{2}, OutOfPeriod: true}); err != nil {
		t.Fatal(err)
	}
	_, _, body := raw(t, w.srv, "GET", "/v5/domain/domains/open.com/renew", "Bearer "+w.viewer.Secret, "")
	var got wireTerms
	if json.Unmarshal(body, &got) != nil || got.InRenewPeriod || !slices.Equal(got.Durations, []int{2}) {
		t.Errorf("overridden terms %s", body)
	}
	if err := w.srv.SetRenewTerms("nowhere.com", ganditest.RenewTerms{}); err == nil {
		t.Error("SetRenewTerms accepted a domain the fake does not hold")
	}
}

// TestRenewPostDryRunAndPurchase: a Dry-Run only checks (and is recorded as such); a
// renewal moves the expiry by its years; refusals are Gandi's 400, 403 and 404.
func TestRenewPostDryRunAndPurchase(t *testing.T) {
	w := newRenewWorld(t)
	buyer := "Bearer " + w.buyer.Secret
	tests := []struct {
		name, fqdn, auth, body string
		dryRun                 bool
		status                 int
		wantInBody             string
	}{
		{"dry run, fine", "open.com", buyer, `{"duration": 2}`, true, 200, `"status":"success"`},
		{"dry run, too long", "far.net", buyer, `{"duration": 2}`, true, 200, `"status":"error"`},
		{"dry run, prohibited", "locked.org", buyer, `{"duration": 1}`, true, 200, "prohibited"},
		{"too long", "far.net", buyer, `{"duration": 2}`, false, 400, "must be one of [1]"},
		{"prohibited", "locked.org", buyer, `{"duration": 1}`, false, 400, "prohibited"},
		{"not in its period", "later.fr", buyer, `{"duration": 1}`, false, 400, "renewal period"},
		{"no duration", "open.com", buyer, `{}`, false, 400, "duration"},
		{"not JSON", "open.com", buyer, `duration=1`, false, 400, "JSON"},
		{"without domain:renew", "open.com", "Bearer " + w.viewer.Secret, `{"duration": 1}`, false, 403, "Forbidden"},
		{"dry run without domain:renew", "open.com", "Bearer " + w.viewer.Secret, `{"duration": 1}`, true, 403, "Forbidden"},
		{"a domain it does not hold", "nowhere.com", buyer, `{"duration": 1}`, false, 404, "Not Found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var header []string
			if tt.dryRun {
				header = []string{"Dry-Run", "1"}
			}
			status, _, body := raw(t, w.srv, "POST", "/v5/domain/domains/"+tt.fqdn+"/renew", tt.auth, tt.body, header...)
			if status != tt.status || !strings.Contains(string(body), tt.wantInBody) {
				t.Errorf("%d %s, want %d with %q", status, body, tt.status, tt.wantInBody)
			}
		})
	}
	if r := w.srv.Renewals(); len(r) != 0 {
		t.Fatalf("renewals made by refused or dry-run requests: %+v", r)
	}
	if ends, _ := w.srv.RegistryEndsAt("open.com"); !ends.Equal(w.ends) {
		t.Fatalf("a dry run moved the expiry to %v", ends)
	}

	status, h, body := raw(t, w.srv, "POST", "/v5/domain/domains/open.com/renew", buyer, `{"duration": 3}`)
	var ans struct {
		Message   string `json:"message"`
		Operation struct {
			ID   string `json:"id"`
			Href string `json:"href"`
		} `json:"operation"`
	}
	if status != http.StatusAccepted || json.Unmarshal(body, &ans) != nil || ans.Message == "" || ans.Operation.ID == "" || h.Get("Location") != ans.Operation.Href {
		t.Fatalf("%d %s (Location %q)", status, body, h.Get("Location"))
	}
	want := w.ends.AddDate(3, 0, 0)
	if ends, _ := w.srv.RegistryEndsAt("open.com"); !ends.Equal(want) {
		t.Errorf("expiry %v after renewing for 3 years, want %v", ends, want)
	}
	if r := w.srv.Renewals(); len(r) != 1 || r[0].Years != 3 || r[0].OperationID != ans.Operation.ID || !r[0].EndsAt.Equal(want) {
		t.Errorf("renewals %+v", r)
	}
	var dry, bought int
	for _, r := range w.srv.Requests() {
		if r.Method == http.MethodPost && r.DryRun {
			dry++
		} else if r.Method == http.MethodPost {
			bought++
		}
	}
	if dry != 4 || bought != len(tests)-4+1 {
		t.Errorf("recorded %d dry-run and %d other POSTs", dry, bought)
	}
}

// TestRenewPrice: check with processes=renew prices a held domain's renewal.
func TestRenewPrice(t *testing.T) {
	w := newRenewWorld(t)
	c := w.srv.Client(gandi.SchemeBearer, w.viewer.Secret)
	a, err := c.RenewalPrice(t.Context(), gandi.RenewalPriceQuery{Name: "open.com"})
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Products) != 1 || a.Products[0].Process != "renew" || len(a.Products[0].Prices) != 1 ||
		*a.Products[0].Prices[0].PriceBeforeTaxes != ganditest.RenewPrices["com"] || a.Currency != "EUR" {
		t.Errorf("renewal price %+v", a)
	}
	a, err = c.RenewalPrice(t.Context(), gandi.RenewalPriceQuery{Name: "nowhere.com"})
	if err != nil || a.Products[0].Status != "error" || len(a.Products[0].Prices) != 0 {
		t.Errorf("price of a name the fake does not hold: %+v, %v", a, err)
	}
}
