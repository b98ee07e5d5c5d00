package skill

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/gandi-mcp/gandi-mcp/gandi"
	"github.com/gandi-mcp/gandi-mcp/gandi/ganditest"
	"github.com/gandi-mcp/gandi-mcp/tools"
)

const (
	renewZone  = "renew-me.com" // in its renewal period, priced
	lockedZone = "locked.net"   // clientRenewProhibited
	earlyZone  = "early.org"    // its renewal period has not begun
)

// renewAccount is an organization holding the renewal tests' domains, and its token.
type renewAccount struct {
	org   gandi.Organization
	token ganditest.Token
	ends  time.Time // renewZone's expiry
}

var renewScopes = []string{"domain:view", "domain:renew"}

// newRenewHarness serves an account whose token has scopes; purchases says whether the
// server allows them.
func newRenewHarness(t *testing.T, scopes []string, purchases bool, opts ...harnessOption) (*harness, *renewAccount) {
	t.Helper()
	a := &renewAccount{ends: time.Now().Add(100 * 24 * time.Hour).UTC().Truncate(time.Second)}
	setup := withSetup(func(h *harness) {
		h.deps.AllowPurchases = purchases
		a.org = h.fake.AddOrganization(gandi.Organization{Name: "acme", Type: "company"})
		begins := a.ends.AddDate(-1, 0, 0)
		later := time.Now().Add(400 * 24 * time.Hour).UTC().Truncate(time.Second)
		laterBegins := later.AddDate(0, -6, 0)
		h.fake.AddDomains(
			gandi.Domain{FQDN: renewZone, SharingID: a.org.ID, Dates: gandi.DomainDates{RegistryEndsAt: &a.ends, RenewBeginsAt: &begins}},
			gandi.Domain{FQDN: lockedZone, SharingID: a.org.ID, Status: []string{"clientRenewProhibited"}, Dates: gandi.DomainDates{RegistryEndsAt: &a.ends, RenewBeginsAt: &begins}},
			gandi.Domain{FQDN: earlyZone, SharingID: a.org.ID, Dates: gandi.DomainDates{RegistryEndsAt: &later, RenewBeginsAt: &laterBegins}},
		)
		a.token = h.fake.AddToken(ganditest.Token{Name: "renew-bot", Scopes: scopes, Entities: []gandi.Entity{ganditest.OrganizationEntity(a.org)}})
		h.storeToken(a.token.Secret, 0o600)
	})
	return newHarness(t, append([]harnessOption{setup}, opts...)...), a
}

type renewArgs struct {
	FQDN   string `json:"fqdn"`
	Years  int    `json:"years"`
	Apply  bool   `json:"apply,omitempty"`
	PlanID string `json:"plan_id,omitempty"`
}

func (h *harness) renew(t *testing.T, a *renewAccount, args any) (*mcp.CallToolResult, tools.RenewDomainOutput) {
	t.Helper()
	var out tools.RenewDomainOutput
	res := h.call("renew_domain", args, &out)
	noSecrets(t, h, []string{a.token.Secret}, res)
	return res, out
}

// planAndApplyRenewal plans args, then applies that plan.
func (h *harness) planAndApplyRenewal(t *testing.T, a *renewAccount, args renewArgs) (tools.RenewDomainOutput, *mcp.CallToolResult, tools.RenewDomainOutput) {
	t.Helper()
	res, plan := h.renew(t, a, args)
	if res.IsError || plan.Applied || plan.PlanID == "" {
		t.Fatalf("plan: %s", textOf(res))
	}
	args.Apply, args.PlanID = true, plan.PlanID
	res, out := h.renew(t, a, args)
	return plan, res, out
}

// purchases are the POSTs that reached the fake without Dry-Run: those that could buy.
func (h *harness) purchases() []ganditest.Request {
	var out []ganditest.Request
	for _, r := range h.fake.Requests() {
		if r.Method == http.MethodPost && !r.DryRun {
			out = append(out, r)
		}
	}
	return out
}

func wantRenewDiagnosis(t *testing.T, res *mcp.CallToolResult, out tools.RenewDomainOutput, want tools.Diagnosis) {
	t.Helper()
	if !res.IsError || out.Troubleshooting == nil || out.Troubleshooting.Diagnosis != want {
		t.Fatalf("want %s, got isError=%v: %s", want, res.IsError, textOf(res))
	}
}

func day(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// TestRenewDomainPlanAndApply: with purchases on, the plan shows the terms, the price and
// the expiry before and after and buys nothing; the apply buys once, reads the new
// expiry back, and returns Gandi's operation id and the journal line.
func TestRenewDomainPlanAndApply(t *testing.T) {
	h, a := newRenewHarness(t, renewScopes, true)
	args := renewArgs{FQDN: renewZone, Years: 2}
	plan, res, out := h.planAndApplyRenewal(t, a, args)
	after := a.ends.AddDate(2, 0, 0)

	if plan.Renewable == nil || !*plan.Renewable || !slices.Equal(plan.AllowedYears, []int{1, 2, 3, 4, 5, 6, 7, 8, 9}) {
		t.Errorf("plan terms: renewable %v, allowed %v", plan.Renewable, plan.AllowedYears)
	}
	perYear := ganditest.RenewPrices["com"] * (1 + ganditest.CheckTaxRate)
	if p := plan.Price; p == nil || p.Amount != 2*perYear || p.PerYear != perYear || p.Currency != "EUR" || p.Years != 2 || !p.TaxesIncluded {
		t.Errorf("plan price %+v, want %.2f EUR for 2 years, taxes included", plan.Price, 2*perYear)
	}
	if plan.ExpiresAt == nil || !plan.ExpiresAt.Equal(a.ends) || plan.ExpiresAfter == nil || !plan.ExpiresAfter.Equal(after) {
		t.Errorf("plan expiry %v -> %v, want %v -> %v", plan.ExpiresAt, plan.ExpiresAfter, a.ends, after)
	}
	if len(plan.Changes) != 1 || plan.Changes[0].Name != "renewal" ||
		!slices.Equal(plan.Changes[0].From, []string{"expires " + day(a.ends)}) || !slices.Equal(plan.Changes[0].To, []string{"expires " + day(after)}) {
		t.Errorf("plan changes %+v", plan.Changes)
	}
	if !slices.ContainsFunc(plan.Notes, func(n string) bool { return strings.Contains(n, "cannot be undone") }) {
		t.Errorf("the plan does not say a renewal cannot be undone: %v", plan.Notes)
	}

	if res.IsError || !out.Applied {
		t.Fatalf("apply: %s", textOf(res))
	}
	bought := h.fake.Renewals()
	if len(bought) != 1 || bought[0].Years != 2 || bought[0].FQDN != renewZone {
		t.Fatalf("renewals made %+v, want one of 2 years", bought)
	}
	if p := h.purchases(); len(p) != 1 || string(p[0].Body) != `{"duration":2}` {
		t.Errorf("POSTs without Dry-Run: %v", requestLines(p))
	}
	if out.ExpiresAt == nil || !out.ExpiresAt.Equal(after) || !out.ExpiresAt.Equal(bought[0].EndsAt) {
		t.Errorf("expires_at after the apply %v, want %v read back", out.ExpiresAt, after)
	}
	if out.OperationID == "" || out.OperationID != bought[0].OperationID {
		t.Errorf("operation_id %q, want Gandi's %q", out.OperationID, bought[0].OperationID)
	}
	if len(out.Changes) != 1 || out.Changes[0].Status != "applied" {
		t.Errorf("changes after the apply %+v", out.Changes)
	}
	if out.Journal != h.deps.JournalFile {
		t.Fatalf("journal %q, want %q", out.Journal, h.deps.JournalFile)
	}
	raw, err := os.ReadFile(h.deps.JournalFile)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	var e tools.JournalEntry
	if len(lines) != 1 || json.Unmarshal([]byte(lines[0]), &e) != nil {
		t.Fatalf("journal lines %q", lines)
	}
	if e.Tool != "renew_domain" || e.Object != renewZone || e.Operation != out.OperationID || e.Result != "ok" || e.PlanID != plan.PlanID ||
		len(e.Changes) != 1 || !slices.Equal(e.Changes[0].To, []string{"expires " + day(after)}) {
		t.Errorf("journal line %s", lines[0])
	}

	// The same plan again buys nothing more: the expiry moved, so it is stale.
	args.Apply, args.PlanID = true, plan.PlanID
	res, again := h.renew(t, a, args)
	wantRenewDiagnosis(t, res, again, tools.StalePlan)
	if n := len(h.fake.Renewals()); n != 1 {
		t.Errorf("%d renewals after applying the same plan twice", n)
	}
}

// TestRenewDomainPurchasesOff: without --allow-purchases the plan works, every apply is
// purchases_disabled, and no POST without Dry-Run ever reaches Gandi, whatever is asked.
func TestRenewDomainPurchasesOff(t *testing.T) {
	accept := mcp.ElicitationResponse{Action: mcp.ElicitationResponseActionAccept, Content: map[string]any{"confirm": true}}
	e := &elicitor{response: accept}
	h, a := newRenewHarness(t, renewScopes, false, withClient(client.WithElicitationHandler(e)))
	res, plan := h.renew(t, a, renewArgs{FQDN: renewZone, Years: 1})
	if res.IsError || plan.PlanID == "" || plan.Price == nil || plan.ExpiresAfter == nil {
		t.Fatalf("plan with purchases off: %s", textOf(res))
	}
	for _, args := range []renewArgs{
		{FQDN: renewZone, Years: 1, Apply: true, PlanID: plan.PlanID},
		{FQDN: renewZone, Years: 1, Apply: true},
		{FQDN: renewZone, Years: 3, Apply: true, PlanID: plan.PlanID},
		{FQDN: lockedZone, Years: 1, Apply: true, PlanID: plan.PlanID},
	} {
		h.fake.ResetRequests()
		res, out := h.renew(t, a, args)
		wantRenewDiagnosis(t, res, out, tools.PurchasesDisabled)
		steps := strings.Join(out.Troubleshooting.NextSteps, " ")
		if !strings.Contains(steps, "--allow-purchases") || !strings.Contains(steps, "GANDI_MCP_ALLOW_PURCHASES=1") || !strings.Contains(steps, "restart") {
			t.Errorf("purchases_disabled does not say how to turn them on: %v", out.Troubleshooting.NextSteps)
		}
		if r := h.fake.Requests(); len(r) != 0 {
			t.Errorf("%+v: requests reached Gandi before the refusal: %v", args, requestLines(r))
		}
	}
	if len(e.questions()) != 0 {
		t.Errorf("the person was asked to confirm a purchase that cannot be made: %v", e.questions())
	}
	if p := h.purchases(); len(p) != 0 || len(h.fake.Renewals()) != 0 {
		t.Errorf("a POST without Dry-Run reached Gandi with purchases off: %v", requestLines(p))
	}
	if ends, _ := h.fake.RegistryEndsAt(renewZone); !ends.Equal(a.ends) {
		t.Errorf("the expiry moved to %v with purchases off", ends)
	}
}

// TestRenewDomainPlanAsksGandiWithDryRunOnly: a plan reads the terms and the price and has
// Gandi check the renewal with Dry-Run: nothing else is posted.
func TestRenewDomainPlanAsksGandiWithDryRunOnly(t *testing.T) {
	h, a := newRenewHarness(t, renewScopes, true)
	res, _ := h.renew(t, a, renewArgs{FQDN: renewZone, Years: 3})
	if res.IsError {
		t.Fatalf("plan: %s", textOf(res))
	}
	var posts, renewTerms, prices int
	for _, r := range h.fake.Requests() {
		switch {
		case r.Method == http.MethodPost && r.DryRun && r.Path == "/v5/domain/domains/"+renewZone+"/renew" && string(r.Body) == `{"duration":3}`:
			posts++
		case r.Method == http.MethodPost:
			t.Errorf("a plan posted without Dry-Run: %s %s", r.Method, r.Path)
		case r.Path == "/v5/domain/domains/"+renewZone+"/renew":
			renewTerms++
		case r.Path == "/v5/domain/check" && r.Query.Get("processes") == "renew" && r.Query.Get("name") == renewZone:
			prices++
		}
	}
	if posts != 1 || renewTerms != 1 || prices != 1 {
		t.Errorf("dry runs %d, terms read %d, prices read %d; want one each", posts, renewTerms, prices)
	}
}

// TestRenewDomainInvalidInput: bad arguments are refused, saying what is valid, before
// any request; years Gandi does not allow now are refused before any POST.
func TestRenewDomainInvalidInput(t *testing.T) {
	tests := []struct {
		name string
		args map[string]any
		want []string // in the summary
	}{
		{"no years", map[string]any{"fqdn": renewZone}, []string{"years", "1 to 9"}},
		{"zero years", map[string]any{"fqdn": renewZone, "years": 0}, []string{"years is 0", "1 to 9"}},
		{"ten years", map[string]any{"fqdn": renewZone, "years": 10}, []string{"years is 10", "1 to 9"}},
		{"negative years", map[string]any{"fqdn": renewZone, "years": -2}, []string{"years is -2"}},
		{"years as text", map[string]any{"fqdn": renewZone, "years": "two"}, []string{"years", "integer"}},
		{"fractional years", map[string]any{"fqdn": renewZone, "years": 1.5}, []string{"years", "integer"}},
		{"no fqdn", map[string]any{"years": 1}, []string{"fqdn"}},
		{"not a domain", map[string]any{"fqdn": "not a domain", "years": 1}, []string{"fqdn"}},
		{"an unknown argument", map[string]any{"fqdn": renewZone, "years": 1, "duration": 1}, []string{"duration"}},
	}
	h, a := newRenewHarness(t, renewScopes, true)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.fake.ResetRequests()
			res, out := h.renew(t, a, tt.args)
			wantRenewDiagnosis(t, res, out, tools.InvalidInput)
			for _, w := range tt.want {
				if !strings.Contains(out.Troubleshooting.Summary, w) {
					t.Errorf("summary %q does not say %q", out.Troubleshooting.Summary, w)
				}
			}
			if r := h.fake.Requests(); len(r) != 0 {
				t.Errorf("requests made for invalid input: %v", requestLines(r))
			}
		})
	}
	t.Run("years Gandi does not allow now", func(t *testing.T) {
		if err := h.fake.SetRenewTerms(renewZone, ganditest.RenewTerms{Durations: []int{1, 2, 3}}); err != nil {
			t.Fatal(err)
		}
		h.fake.ResetRequests()
		res, out := h.renew(t, a, renewArgs{FQDN: renewZone, Years: 5})
		wantRenewDiagnosis(t, res, out, tools.InvalidInput)
		if !strings.Contains(out.Troubleshooting.Summary, "1, 2, 3 year(s)") || !slices.Equal(out.AllowedYears, []int{1, 2, 3}) {
			t.Errorf("the refusal does not list the allowed years: %s (allowed_years %v)", out.Troubleshooting.Summary, out.AllowedYears)
		}
		for _, r := range h.fake.Requests() {
			if r.Method != http.MethodGet {
				t.Errorf("%s %s sent for years Gandi does not allow", r.Method, r.Path)
			}
		}
	})
}

// TestRenewDomainRefusals: what Gandi refuses is diagnosed, and nothing is bought.
func TestRenewDomainRefusals(t *testing.T) {
	tests := []struct {
		name      string
		scopes    []string
		unknown   bool // the token is one Gandi does not know
		fqdn      string
		diagnosis tools.Diagnosis
		scope     string // in required_scopes
		status    int
	}{
		{"401: an unknown token", renewScopes, true, renewZone, tools.TokenRejected, "", 401},
		{"403: no domain:renew (the Dry-Run check)", []string{"domain:view"}, false, renewZone, tools.MissingScope, "domain:renew", 403},
		{"403: no domain:view", []string{"domain:renew"}, false, renewZone, tools.MissingScope, "domain:view", 403},
		{"404: a domain the token does not see", renewScopes, false, "elsewhere.com", tools.NotFound, "", 404},
		{"renewal prohibited", renewScopes, false, lockedZone, tools.RequestRejected, "", 0},
		{"outside its renewal period", renewScopes, false, earlyZone, tools.RequestRejected, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, a := newRenewHarness(t, tt.scopes, true)
			if tt.unknown {
				h.storeToken("pat_"+strings.Repeat("x", 40), 0o600)
			}
			res, out := h.renew(t, a, renewArgs{FQDN: tt.fqdn, Years: 1})
			wantRenewDiagnosis(t, res, out, tt.diagnosis)
			if tt.scope != "" && !slices.Contains(out.Troubleshooting.RequiredScopes, tt.scope) {
				t.Errorf("required_scopes %v, want %s", out.Troubleshooting.RequiredScopes, tt.scope)
			}
			if out.Troubleshooting.Status != tt.status {
				t.Errorf("status %d, want %d", out.Troubleshooting.Status, tt.status)
			}
			if tt.fqdn == lockedZone && !strings.Contains(out.Troubleshooting.Summary, "prohibited") ||
				tt.fqdn == earlyZone && !strings.Contains(out.Troubleshooting.Summary, "renewal period") {
				t.Errorf("the summary does not say why: %s", out.Troubleshooting.Summary)
			}
			if p := h.purchases(); len(p) != 0 {
				t.Errorf("POSTs without Dry-Run: %v", requestLines(p))
			}
		})
	}
	t.Run("Gandi's Dry-Run check refuses", func(t *testing.T) {
		h, a := newRenewHarness(t, renewScopes, true)
		h.fake.Inject(ganditest.Fault{Method: http.MethodPost, Path: "/v5/domain/domains/" + renewZone + "/renew", Status: http.StatusOK,
			Body: `{"status": "error", "errors": [{"location": "body", "name": "duration", "description": "the registry refuses it today"}]}`})
		res, out := h.renew(t, a, renewArgs{FQDN: renewZone, Years: 1})
		wantRenewDiagnosis(t, res, out, tools.RequestRejected)
		if g := out.Troubleshooting.GandiError; g == nil || len(g.Errors) != 1 || !strings.Contains(out.Troubleshooting.Summary, "the registry refuses it today") {
			t.Errorf("Gandi's reason is not passed on: %s", textOf(res))
		}
	})
}

// TestRenewDomainStalePlan: an apply after the expiry, the terms or the price moved is
// stale_plan and buys nothing.
func TestRenewDomainStalePlan(t *testing.T) {
	tests := []struct {
		name string
		move func(t *testing.T, h *harness, a *renewAccount)
	}{
		{"someone renewed it meanwhile", func(t *testing.T, h *harness, a *renewAccount) {
			if _, err := h.fake.Client(gandi.SchemeBearer, a.token.Secret).Renew(t.Context(), renewZone, 1); err != nil {
				t.Fatal(err)
			}
		}},
		{"the allowed durations changed", func(t *testing.T, h *harness, _ *renewAccount) {
			if err := h.fake.SetRenewTerms(renewZone, ganditest.RenewTerms{Durations: []int{1, 2}}); err != nil {
				t.Fatal(err)
			}
		}},
		{"the price changed", func(t *testing.T, h *harness, _ *renewAccount) {
			h.fake.Inject(ganditest.Fault{Path: "/v5/domain/check", Rewrite: func(_ *http.Request, _ http.Header, body []byte) []byte {
				return []byte(strings.Replace(string(body), `"price_after_taxes":18`, `"price_after_taxes":19.5`, 1))
			}})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, a := newRenewHarness(t, renewScopes, true)
			res, plan := h.renew(t, a, renewArgs{FQDN: renewZone, Years: 1})
			if res.IsError {
				t.Fatalf("plan: %s", textOf(res))
			}
			tt.move(t, h, a)
			before := len(h.fake.Renewals())
			h.fake.ResetRequests()
			res, out := h.renew(t, a, renewArgs{FQDN: renewZone, Years: 1, Apply: true, PlanID: plan.PlanID})
			wantRenewDiagnosis(t, res, out, tools.StalePlan)
			if p := h.purchases(); len(p) != 0 || len(h.fake.Renewals()) != before {
				t.Errorf("bought on a stale plan: %v", requestLines(p))
			}
		})
	}
}

// TestRenewDomainConfirmation: a client that can elicit is asked once, with the price,
// before anything is bought; a decline buys nothing.
func TestRenewDomainConfirmation(t *testing.T) {
	accept := mcp.ElicitationResponse{Action: mcp.ElicitationResponseActionAccept, Content: map[string]any{"confirm": true}}
	tests := []struct {
		name     string
		response mcp.ElicitationResponse
		bought   bool
	}{
		{"accepted", accept, true},
		{"declined", mcp.ElicitationResponse{Action: mcp.ElicitationResponseActionDecline}, false},
		{"cancelled", mcp.ElicitationResponse{Action: mcp.ElicitationResponseActionCancel}, false},
	}
	for _, protocol := range []string{mcp.ProtocolVersion20251125, mcp.ProtocolVersion20260728} {
		for _, tc := range tests {
			t.Run(protocol+" "+tc.name, func(t *testing.T) {
				e := &elicitor{response: tc.response}
				h, a := newRenewHarness(t, renewScopes, true, withProtocol(protocol), withClient(client.WithElicitationHandler(e)))
				e.onAsk = func() {
					if p := h.purchases(); len(p) != 0 {
						t.Errorf("bought before the person answered: %v", requestLines(p))
					}
				}
				_, res, out := h.planAndApplyRenewal(t, a, renewArgs{FQDN: renewZone, Years: 3})
				q := e.questions()
				if len(q) != 1 {
					t.Fatalf("asked %d times, want once", len(q))
				}
				price := "54.00 EUR (taxes included)" // 15.00 a year, 20% tax, 3 years
				if !strings.Contains(q[0].Message, price) || !strings.Contains(q[0].Message, "3 year") ||
					!strings.Contains(q[0].Message, day(a.ends.AddDate(3, 0, 0))) || !strings.Contains(q[0].Message, "cannot be undone") {
					t.Errorf("message %q does not state the price %s, the years and the new expiry", q[0].Message, price)
				}
				if tc.bought {
					if res.IsError || !out.Applied || len(h.fake.Renewals()) != 1 {
						t.Fatalf("apply: %s", textOf(res))
					}
					return
				}
				wantRenewDiagnosis(t, res, out, tools.Declined)
				if p := h.purchases(); len(p) != 0 || len(h.fake.Renewals()) != 0 {
					t.Errorf("bought after a %s: %v", tc.name, requestLines(p))
				}
			})
		}
	}
}

// TestRenewDomainLostAnswer: when the renewal's answer is lost and the expiry has not
// moved, the result says it may or may not have been bought, not that nothing was.
func TestRenewDomainLostAnswer(t *testing.T) {
	h, a := newRenewHarness(t, renewScopes, true)
	// The plan's and the apply's Dry-Run checks go through; the renewal's answer is lost.
	h.fake.Inject(ganditest.Fault{Method: http.MethodPost, Path: "/v5/domain/domains/" + renewZone + "/renew", Skip: 2, Times: 1, CloseConn: true})
	_, res, out := h.planAndApplyRenewal(t, a, renewArgs{FQDN: renewZone, Years: 1})
	wantRenewDiagnosis(t, res, out, tools.GandiUnavailable)
	s := out.Troubleshooting.Summary
	if !strings.Contains(s, "may or may not have been bought") || strings.Contains(s, "No write succeeded") {
		t.Errorf("summary %q", s)
	}
	if !strings.Contains(strings.Join(out.Troubleshooting.NextSteps, " "), "Do not apply again") {
		t.Errorf("next steps %v", out.Troubleshooting.NextSteps)
	}
	if n := len(h.purchases()); n != 1 {
		t.Errorf("%d renewal POSTs, want 1: a purchase is never retried", n)
	}
}

// TestRenewDomainReadOnlyAndAnnotations: a purchase is not offered with --read-only; its
// annotations say it changes things, is not idempotent, and destroys nothing.
func TestRenewDomainReadOnlyAndAnnotations(t *testing.T) {
	h, a := newRenewHarness(t, renewScopes, true, withSelection(Selection{ReadOnly: true}))
	if slices.Contains(offered(t, h), "renew_domain") {
		t.Error("renew_domain is offered in read-only mode")
	}
	req := mcp.CallToolRequest{}
	req.Params.Name = "renew_domain"
	req.Params.Arguments = renewArgs{FQDN: renewZone, Years: 1}
	if res, err := h.client.CallTool(context.Background(), req); err == nil && !res.IsError {
		t.Errorf("renew_domain answered in read-only mode: %v", res.Content)
	}
	if r := h.fake.Requests(); len(r) != 0 {
		t.Errorf("requests in read-only mode: %v", requestLines(r))
	}
	_ = a

	h2, _ := newRenewHarness(t, renewScopes, true)
	list, err := h2.client.ListTools(t.Context(), mcp.ListToolsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(list.Tools, func(tl mcp.Tool) bool { return tl.Name == "renew_domain" })
	if i < 0 {
		t.Fatal("renew_domain is not offered")
	}
	an := list.Tools[i].Annotations
	if an.ReadOnlyHint == nil || *an.ReadOnlyHint || an.IdempotentHint == nil || *an.IdempotentHint || an.DestructiveHint == nil || *an.DestructiveHint {
		t.Errorf("annotations %+v: want not read-only, not idempotent, not destructive", an)
	}
}

// TestInstructionsSayWhetherPurchasesAreOff: an assistant learns before any plan that an
// apply of renew_domain will be refused, and not when purchases are on or the tool is off.
func TestInstructionsSayWhetherPurchasesAreOff(t *testing.T) {
	tests := []struct {
		name      string
		purchases bool
		sel       Selection
		says      bool
	}{
		{"purchases off", false, Selection{}, true},
		{"purchases on", true, Selection{}, false},
		{"renew_domain not offered", false, Selection{ReadOnly: true}, false},
		{"another toolset", false, Selection{Toolsets: []string{"dns"}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, _ := newRenewHarness(t, renewScopes, tt.purchases, withSelection(tt.sel))
			if got := strings.Contains(h.init.Instructions, "--allow-purchases"); got != tt.says {
				t.Errorf("instructions name --allow-purchases: %v, want %v:\n%s", got, tt.says, h.init.Instructions)
			}
		})
	}
}
