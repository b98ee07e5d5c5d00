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

// The settings account: example.com on LiveDNS (the zone of dnsRecords, six record sets),
// on autorenew for 2 years and expiring in 30 days; later.example off autorenew, expiring in
// 200 days; far.example on autorenew, expiring in 200 days; elsewhere.example served by
// ns1/ns2.dns-host.example; lapsed.example on autorenew, expired 3 days ago.
const (
	settingsSoonDays  = 30
	settingsLaterDays = 200
)

var allSettingsScopes = []string{"domain:view", "domain:renew", "domain:tech"}

func newSettingsHarness(t *testing.T, scopes []string, opts ...harnessOption) (*harness, *dnsAccount) {
	t.Helper()
	a := &dnsAccount{}
	setup := withSetup(func(h *harness) {
		a.org = h.fake.AddOrganization(gandi.Organization{Name: "acme", Type: "company"})
		at := func(days int) gandi.DomainDates {
			e := time.Now().Add(time.Duration(days)*24*time.Hour + 12*time.Hour).UTC().Truncate(time.Second)
			return gandi.DomainDates{RegistryEndsAt: &e}
		}
		h.fake.AddDomains(
			gandi.Domain{FQDN: dnsZone, SharingID: a.org.ID, AutoRenew: true, Dates: at(settingsSoonDays), Nameserver: gandi.Nameserver{Current: "livedns"}},
			gandi.Domain{FQDN: "later.example", SharingID: a.org.ID, Dates: at(settingsLaterDays), Nameserver: gandi.Nameserver{Current: "livedns"}},
			gandi.Domain{FQDN: "far.example", SharingID: a.org.ID, AutoRenew: true, Dates: at(settingsLaterDays), Nameserver: gandi.Nameserver{Current: "livedns"}},
			gandi.Domain{FQDN: "elsewhere.example", SharingID: a.org.ID, Dates: at(settingsLaterDays), Nameserver: gandi.Nameserver{Current: "other"}},
			gandi.Domain{FQDN: "lapsed.example", SharingID: a.org.ID, AutoRenew: true, Dates: at(-3), Nameserver: gandi.Nameserver{Current: "livedns"}},
		)
		if err := h.fake.SetZone(dnsZone, dnsRecords()); err != nil {
			t.Fatal(err)
		}
		if err := h.fake.SetAutoRenew(dnsZone, true, 2); err != nil {
			t.Fatal(err)
		}
		if err := h.fake.SetNameservers("elsewhere.example", "other", []string{"ns1.dns-host.example", "ns2.dns-host.example"}); err != nil {
			t.Fatal(err)
		}
		a.token = h.fake.AddToken(ganditest.Token{Name: "settings-bot", Scopes: scopes, Entities: []gandi.Entity{ganditest.OrganizationEntity(a.org)}})
		h.storeToken(a.token.Secret, 0o600)
	})
	return newHarness(t, append([]harnessOption{setup}, opts...)...), a
}

// settingsOutput is what the two tools' results have in common.
type settingsOutput struct {
	FQDN        string                 `json:"fqdn"`
	AutoRenew   *tools.DomainAutoRenew `json:"autorenew"`
	DaysLeft    *int                   `json:"days_left"`
	Nameservers []string               `json:"nameservers"`
	tools.PlanResult
	tools.Common
}

func (h *harness) setting(t *testing.T, a *dnsAccount, tool string, args map[string]any) (*mcp.CallToolResult, settingsOutput) {
	t.Helper()
	return callChecked[settingsOutput](t, h, a, tool, args)
}

// planAndApplySetting plans args, checks that the plan wrote nothing, then applies that plan.
func (h *harness) planAndApplySetting(t *testing.T, a *dnsAccount, tool string, args map[string]any) (settingsOutput, *mcp.CallToolResult, settingsOutput) {
	t.Helper()
	res, plan := h.setting(t, a, tool, args)
	if res.IsError || plan.Applied || plan.PlanID == "" {
		t.Fatalf("plan: %s", textOf(res))
	}
	if w := h.writes(); len(w) != 0 {
		t.Fatalf("the plan wrote: %v", requestLines(w))
	}
	applied := map[string]any{"apply": true, "plan_id": plan.PlanID}
	for k, v := range args {
		applied[k] = v
	}
	res, out := h.setting(t, a, tool, applied)
	return plan, res, out
}

func wantSettingDiagnosis(t *testing.T, res *mcp.CallToolResult, out settingsOutput, want tools.Diagnosis) {
	t.Helper()
	if !res.IsError || out.Troubleshooting == nil || out.Troubleshooting.Diagnosis != want {
		t.Fatalf("want %s, got isError=%v: %s", want, res.IsError, textOf(res))
	}
}

// details reads a domain's details from the fake as Gandi holds them.
func (h *harness) details(t *testing.T, a *dnsAccount, fqdn string) *gandi.DomainDetails {
	t.Helper()
	d, err := h.fake.Client(gandi.SchemeBearer, a.token.Secret).DomainDetails(context.Background(), fqdn)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// mentions says whether one of lines contains part.
func mentions(lines []string, part string) bool {
	return slices.ContainsFunc(lines, func(w string) bool { return strings.Contains(w, part) })
}

// TestSetAutoRenew: planned then applied through a real client session: the plan shows from
// and to and warns only when autorenew goes off within 60 days of expiry; the apply is one
// PATCH with the body planned, and the details then say what the plan said.
func TestSetAutoRenew(t *testing.T) {
	tests := []struct {
		name     string
		args     map[string]any
		from, to string
		body     string   // the PATCH; "" for none
		warn     []string // what the expiry warning says; nil: no warning
		enabled  bool
		duration int
	}{
		{"off, expiring within 60 days", map[string]any{"fqdn": dnsZone, "enabled": false},
			"on, 2 years", "off", `{"enabled":false}`, []string{"example.com expires on", "in 30 days"}, false, 2},
		{"off, expired already", map[string]any{"fqdn": "lapsed.example", "enabled": false},
			"on, 1 year", "off", `{"enabled":false}`, []string{"lapsed.example expired on", "3 days ago"}, false, 1},
		{"off, expiring later", map[string]any{"fqdn": "far.example", "enabled": false},
			"on, 1 year", "off", `{"enabled":false}`, nil, false, 1},
		{"off with a duration, expiring later", map[string]any{"fqdn": "far.example", "enabled": false, "duration": 4},
			"on, 1 year", "off", `{"enabled":false,"duration":4}`, nil, false, 4},
		{"on, one year by default", map[string]any{"fqdn": "later.example", "enabled": true},
			"off", "on, 1 year", `{"enabled":true,"duration":1}`, nil, true, 1},
		{"on, a new duration", map[string]any{"fqdn": dnsZone, "enabled": true, "duration": 5},
			"on, 2 years", "on, 5 years", `{"enabled":true,"duration":5}`, nil, true, 5},
		{"on, keeping Gandi's duration, is no change", map[string]any{"fqdn": dnsZone, "enabled": true},
			"on, 2 years", "on, 2 years", "", nil, true, 2},
		{"a name in capitals", map[string]any{"fqdn": "LATER.example", "enabled": true, "duration": 3},
			"off", "on, 3 years", `{"enabled":true,"duration":3}`, nil, true, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, a := newSettingsHarness(t, allSettingsScopes)
			plan, res, out := h.planAndApplySetting(t, a, "set_autorenew", tc.args)
			if len(plan.Changes) != 1 || plan.Changes[0].Name != "autorenew" ||
				!slices.Equal(plan.Changes[0].From, []string{tc.from}) || !slices.Equal(plan.Changes[0].To, []string{tc.to}) {
				t.Errorf("plan changes %+v, want autorenew %s -> %s", plan.Changes, tc.from, tc.to)
			}
			fqdn := strings.ToLower(tc.args["fqdn"].(string))
			if (len(plan.Warnings) == 1) != (tc.warn != nil) || len(plan.Warnings) > 1 {
				t.Errorf("warnings %q, want an expiry warning: %v", plan.Warnings, tc.warn != nil)
			}
			if tc.warn != nil {
				exp := h.details(t, a, fqdn).Dates.RegistryEndsAt.UTC().Format(time.DateOnly)
				for _, w := range append(tc.warn, exp) {
					if !mentions(plan.Warnings, w) {
						t.Errorf("warnings %q lack %q", plan.Warnings, w)
					}
				}
			}
			if !mentions(plan.Notes, "To undo: set_autorenew") {
				t.Errorf("notes %q give no undo", plan.Notes)
			}
			if res.IsError {
				t.Fatalf("apply: %s", textOf(res))
			}
			w := h.writes()
			if tc.body == "" {
				if len(w) != 0 || out.Applied || out.Changes[0].Status != "unchanged" {
					t.Errorf("no change: writes %v, applied %v, changes %+v", requestLines(w), out.Applied, out.Changes)
				}
			} else {
				if len(w) != 1 || w[0].Method != http.MethodPatch || w[0].Path != "/v5/domain/domains/"+fqdn+"/autorenew" || string(w[0].Body) != tc.body {
					t.Fatalf("writes %v (body %s), want one PATCH %s", requestLines(w), firstBody(w), tc.body)
				}
				if !out.Applied || out.Changes[0].Status != "applied" || out.Journal == "" {
					t.Errorf("apply: applied %v, changes %+v, journal %q", out.Applied, out.Changes, out.Journal)
				}
			}
			got := h.details(t, a, fqdn).AutoRenew
			if got.Enabled != tc.enabled || got.Duration != tc.duration {
				t.Errorf("Gandi now holds %+v, want enabled %v for %d years", got, tc.enabled, tc.duration)
			}
			if out.AutoRenew == nil || out.AutoRenew.Enabled != tc.enabled {
				t.Errorf("the result's autorenew %+v is not what was read back", out.AutoRenew)
			}
		})
	}
}

func firstBody(rs []ganditest.Request) string {
	if len(rs) == 0 {
		return ""
	}
	return string(rs[0].Body)
}

// nameserverWarnings are the kinds of set_nameservers warnings, by a phrase each has.
var nameserverWarnings = map[string]string{"livedns": "leaves LiveDNS", "glue": "needs glue records", "fewer": "distinct name server"}

// TestSetNameservers: planned then applied: the plan shows both sets and each warning exactly
// when it applies; the apply is one PUT of the normalised set, and Gandi then serves it.
func TestSetNameservers(t *testing.T) {
	tests := []struct {
		name      string
		fqdn      string
		hosts     []string
		put       []string // nil: no write
		kinds     []string // the kinds of warnings (nameserverWarnings) given; the others are absent
		details   []string // what the warnings say besides
		zoneFault bool     // the LiveDNS zone cannot be read
	}{
		{name: "leaving LiveDNS", fqdn: dnsZone, hosts: []string{"ns1.cloudhost.example", "ns2.cloudhost.example"},
			put: []string{"ns1.cloudhost.example", "ns2.cloudhost.example"}, kinds: []string{"livedns"}, details: []string{"6 record set(s)", "list_dns_records (format zone)"}},
		{name: "leaving LiveDNS, its zone unreadable", fqdn: dnsZone, hosts: []string{"ns1.cloudhost.example", "ns2.cloudhost.example"}, zoneFault: true,
			put: []string{"ns1.cloudhost.example", "ns2.cloudhost.example"}, kinds: []string{"livedns"}, details: []string{"could not be read", "list_dns_records (format zone)"}},
		{name: "moving to LiveDNS", fqdn: "elsewhere.example", hosts: []string{"ns-1-a.gandi.net", "ns-2-b.gandi.net", "ns-3-c.gandi.net"},
			put: []string{"ns-1-a.gandi.net", "ns-2-b.gandi.net", "ns-3-c.gandi.net"}},
		{name: "from one LiveDNS set to another", fqdn: dnsZone, hosts: []string{"ns-7-a.gandi.net", "ns-8-b.gandi.net"},
			put: []string{"ns-7-a.gandi.net", "ns-8-b.gandi.net"}},
		{name: "name servers inside the domain", fqdn: "elsewhere.example", hosts: []string{"ns1.elsewhere.example", "ns2.elsewhere.example"},
			put: []string{"ns1.elsewhere.example", "ns2.elsewhere.example"}, kinds: []string{"glue"}, details: []string{"ns1.elsewhere.example, ns2.elsewhere.example are inside elsewhere.example"}},
		{name: "a name server of a longer name is not inside", fqdn: "elsewhere.example", hosts: []string{"ns1.notelsewhere.example", "ns2.notelsewhere.example"},
			put: []string{"ns1.notelsewhere.example", "ns2.notelsewhere.example"}},
		{name: "one name in two spellings", fqdn: "elsewhere.example", hosts: []string{"NS1.other.example", "ns1.other.example."},
			put: []string{"ns1.other.example"}, kinds: []string{"fewer"}, details: []string{"1 distinct name server (ns1.other.example"}},
		{name: "every warning at once", fqdn: dnsZone, hosts: []string{"ns1.example.com.", "NS1.EXAMPLE.COM"},
			put: []string{"ns1.example.com"}, kinds: []string{"livedns", "glue", "fewer"}, details: []string{"ns1.example.com is inside example.com"}},
		{name: "the same set in another order is no change", fqdn: "elsewhere.example", hosts: []string{"ns2.dns-host.example", "NS1.dns-host.example."}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, a := newSettingsHarness(t, allSettingsScopes)
			if tc.zoneFault {
				h.fake.Inject(ganditest.Fault{Method: http.MethodGet, Path: "/v5/livedns/domains/example.com/records", Status: http.StatusInternalServerError})
			}
			before := h.details(t, a, tc.fqdn).Nameservers
			h.fake.ResetRequests()
			args := map[string]any{"fqdn": tc.fqdn, "nameservers": tc.hosts}
			plan, res, out := h.planAndApplySetting(t, a, "set_nameservers", args)
			want := tc.put
			if want == nil {
				want = before
			}
			if len(plan.Changes) != 1 || plan.Changes[0].Name != "nameservers" || !slices.Equal(plan.Changes[0].From, before) || !sameHostSet(plan.Changes[0].To, want) {
				t.Errorf("plan changes %+v, want nameservers %v -> %v", plan.Changes, before, want)
			}
			for kind, phrase := range nameserverWarnings {
				if got := mentions(plan.Warnings, phrase); got != slices.Contains(tc.kinds, kind) {
					t.Errorf("warnings %q: %s warning %v, want %v", plan.Warnings, kind, got, !got)
				}
			}
			if len(plan.Warnings) != len(tc.kinds) {
				t.Errorf("warnings %q, want %d", plan.Warnings, len(tc.kinds))
			}
			for _, d := range tc.details {
				if !mentions(plan.Warnings, d) {
					t.Errorf("warnings %q lack %q", plan.Warnings, d)
				}
			}
			undo, _ := json.Marshal(before)
			if !mentions(plan.Notes, "takes "+tc.fqdn+"'s site and its mail down") || !mentions(plan.Notes, "To undo: set_nameservers with fqdn "+tc.fqdn+" and nameservers "+string(undo)) {
				t.Errorf("notes %q do not say it is destructive and how to undo it with %v", plan.Notes, before)
			}
			if res.IsError {
				t.Fatalf("apply: %s", textOf(res))
			}
			w := h.writes()
			if tc.put == nil {
				if len(w) != 0 || out.Applied {
					t.Errorf("no change: writes %v, applied %v", requestLines(w), out.Applied)
				}
				return
			}
			var body struct{ Nameservers []string }
			if len(w) != 1 || w[0].Method != http.MethodPut || w[0].Path != "/v5/domain/domains/"+tc.fqdn+"/nameservers" ||
				json.Unmarshal(w[0].Body, &body) != nil || !slices.Equal(body.Nameservers, tc.put) {
				t.Fatalf("writes %v (body %s), want one PUT of %v", requestLines(w), firstBody(w), tc.put)
			}
			if !out.Applied || out.Changes[0].Status != "applied" || !slices.Equal(out.Nameservers, tc.put) || out.Journal == "" {
				t.Errorf("apply: applied %v, changes %+v, nameservers %v, journal %q", out.Applied, out.Changes, out.Nameservers, out.Journal)
			}
			if got := h.details(t, a, tc.fqdn).Nameservers; !slices.Equal(got, tc.put) {
				t.Errorf("Gandi now holds %v, want %v", got, tc.put)
			}
		})
	}
}

func sameHostSet(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}

// TestDomainSettingsValidation: bad arguments are refused, saying what would be right, before
// any request reaches Gandi.
func TestDomainSettingsValidation(t *testing.T) {
	fourteen := make([]string, 14)
	for i := range fourteen {
		fourteen[i] = "ns" + string(rune('a'+i)) + ".example.net"
	}
	tests := []struct {
		name, tool string
		args       map[string]any
		want       []string // all in the summary
	}{
		{"duration 0", "set_autorenew", map[string]any{"fqdn": dnsZone, "enabled": true, "duration": 0}, []string{"duration 0", "1 to 9"}},
		{"duration 10", "set_autorenew", map[string]any{"fqdn": dnsZone, "enabled": true, "duration": 10}, []string{"duration 10", "1 to 9"}},
		{"enabled missing", "set_autorenew", map[string]any{"fqdn": dnsZone, "duration": 2}, []string{"enabled", "true", "false"}},
		{"enabled null", "set_autorenew", map[string]any{"fqdn": dnsZone, "enabled": nil}, []string{"enabled"}},
		{"enabled a string", "set_autorenew", map[string]any{"fqdn": dnsZone, "enabled": "yes"}, []string{"enabled", "boolean"}},
		{"autorenew of a bad fqdn", "set_autorenew", map[string]any{"fqdn": "exa mple.com", "enabled": true}, []string{"fqdn", "example.com"}},
		{"one name server", "set_nameservers", map[string]any{"fqdn": dnsZone, "nameservers": []string{"ns1.example.net"}}, []string{"1 host names", "2 to 13"}},
		{"fourteen name servers", "set_nameservers", map[string]any{"fqdn": dnsZone, "nameservers": fourteen}, []string{"14 host names", "2 to 13"}},
		{"an IP address", "set_nameservers", map[string]any{"fqdn": dnsZone, "nameservers": []string{"ns1.example.net", "203.0.113.53"}}, []string{"nameservers[1]", "203.0.113.53", "IP address", "ns1.example.net"}},
		{"a name without a dot", "set_nameservers", map[string]any{"fqdn": dnsZone, "nameservers": []string{"localhost", "ns1.example.net"}}, []string{"nameservers[0]", "localhost", "full host name"}},
		{"an underscore", "set_nameservers", map[string]any{"fqdn": dnsZone, "nameservers": []string{"ns1.example.net", "ns_2.example.net"}}, []string{"nameservers[1]", "ns_2.example.net"}},
		{"an empty name", "set_nameservers", map[string]any{"fqdn": dnsZone, "nameservers": []string{"ns1.example.net", ""}}, []string{"nameservers[1]", "empty"}},
		{"a space inside", "set_nameservers", map[string]any{"fqdn": dnsZone, "nameservers": []string{"ns1.example.net", "ns 2.example.net"}}, []string{"nameservers[1]", "host name"}},
		{"name servers missing", "set_nameservers", map[string]any{"fqdn": dnsZone}, []string{"nameservers", "2 to 13"}},
		{"name servers of a bad fqdn", "set_nameservers", map[string]any{"fqdn": "com", "nameservers": []string{"ns1.example.net", "ns2.example.net"}}, []string{"fqdn", "top-level"}},
	}
	h, a := newSettingsHarness(t, allSettingsScopes)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h.fake.ResetRequests()
			res, out := h.setting(t, a, tc.tool, tc.args)
			wantSettingDiagnosis(t, res, out, tools.InvalidInput)
			for _, w := range tc.want {
				if !strings.Contains(out.Troubleshooting.Summary, w) {
					t.Errorf("summary %q lacks %q", out.Troubleshooting.Summary, w)
				}
			}
			if rs := h.fake.Requests(); len(rs) != 0 {
				t.Errorf("requests were made: %v", requestLines(rs))
			}
		})
	}
}

// settingsCalls are a valid call of each tool, on example.com.
var settingsCalls = []struct {
	tool  string
	args  map[string]any
	other map[string]any // other arguments, to plan with
	scope string         // what the write needs
	// behind changes the setting behind the tool's back.
	behind func(*ganditest.Server) error
}{
	{"set_autorenew", map[string]any{"fqdn": dnsZone, "enabled": false}, map[string]any{"fqdn": dnsZone, "enabled": true, "duration": 3}, "domain:renew",
		func(s *ganditest.Server) error { return s.SetAutoRenew(dnsZone, true, 4) }},
	{"set_nameservers", map[string]any{"fqdn": dnsZone, "nameservers": []string{"ns1.cloudhost.example", "ns2.cloudhost.example"}},
		map[string]any{"fqdn": dnsZone, "nameservers": []string{"ns1.cloudhost.example", "ns3.cloudhost.example"}}, "domain:tech",
		func(s *ganditest.Server) error {
			return s.SetNameservers(dnsZone, "livedns", []string{"ns-9-a.gandi.net", "ns-10-b.gandi.net"})
		}},
}

func withArgs(args map[string]any, extra map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range args {
		out[k] = v
	}
	for k, v := range extra {
		out[k] = v
	}
	return out
}

// TestDomainSettingsRefusals: 401, 403 and 404, in the plan and in the apply, are diagnosed,
// and the apply of a token that may not write names the scope it lacks.
func TestDomainSettingsRefusals(t *testing.T) {
	for _, c := range settingsCalls {
		t.Run(c.tool+" a revoked token", func(t *testing.T) {
			h, a := newSettingsHarness(t, allSettingsScopes)
			h.fake.Revoke(a.token.Secret)
			res, out := h.setting(t, a, c.tool, c.args)
			wantSettingDiagnosis(t, res, out, tools.TokenRejected)
		})
		t.Run(c.tool+" a token that may only read", func(t *testing.T) {
			h, a := newSettingsHarness(t, []string{"domain:view"})
			_, res, out := h.planAndApplySetting(t, a, c.tool, c.args)
			wantSettingDiagnosis(t, res, out, tools.MissingScope)
			if !slices.Equal(out.Troubleshooting.RequiredScopes, []string{c.scope}) {
				t.Errorf("required_scopes %v, want [%s]", out.Troubleshooting.RequiredScopes, c.scope)
			}
			if out.Changes[0].Status != "failed" {
				t.Errorf("changes %+v, want failed", out.Changes)
			}
		})
		t.Run(c.tool+" a token without any scope", func(t *testing.T) {
			h, a := newSettingsHarness(t, nil)
			res, out := h.setting(t, a, c.tool, c.args)
			wantSettingDiagnosis(t, res, out, tools.MissingScope)
			if w := h.writes(); len(w) != 0 {
				t.Errorf("writes: %v", requestLines(w))
			}
		})
		t.Run(c.tool+" an unknown domain", func(t *testing.T) {
			h, a := newSettingsHarness(t, allSettingsScopes)
			res, out := h.setting(t, a, c.tool, withArgs(c.args, map[string]any{"fqdn": "unknown.example"}))
			wantSettingDiagnosis(t, res, out, tools.NotFound)
		})
		t.Run(c.tool+" a unicode name is converted", func(t *testing.T) {
			h, a := newSettingsHarness(t, allSettingsScopes)
			res, out := h.setting(t, a, c.tool, withArgs(c.args, map[string]any{"fqdn": "exämple.com"}))
			wantSettingDiagnosis(t, res, out, tools.NotFound)
			if out.FQDN != "xn--exmple-cua.com" || !slices.ContainsFunc(h.fake.Requests(), func(r ganditest.Request) bool { return strings.Contains(r.Path, "xn--exmple-cua.com") }) {
				t.Errorf("fqdn %q, requests %v", out.FQDN, requestLines(h.fake.Requests()))
			}
		})
	}
}

// TestDomainSettingsPlanID: an apply needs the plan_id of a plan of the same arguments, of the
// setting as it is; otherwise nothing is written.
func TestDomainSettingsPlanID(t *testing.T) {
	for _, c := range settingsCalls {
		tests := []struct {
			name   string
			planID func(t *testing.T, h *harness, a *dnsAccount) string
			want   tools.Diagnosis
		}{
			{"no plan_id", func(*testing.T, *harness, *dnsAccount) string { return "" }, tools.InvalidInput},
			{"the plan of other arguments", func(t *testing.T, h *harness, a *dnsAccount) string {
				_, p := h.setting(t, a, c.tool, c.other)
				return p.PlanID
			}, tools.InvalidInput},
			{"a plan of a setting changed since", func(t *testing.T, h *harness, a *dnsAccount) string {
				_, p := h.setting(t, a, c.tool, c.args)
				if err := c.behind(h.fake); err != nil {
					t.Fatal(err)
				}
				return p.PlanID
			}, tools.StalePlan},
		}
		for _, tc := range tests {
			t.Run(c.tool+" "+tc.name, func(t *testing.T) {
				h, a := newSettingsHarness(t, allSettingsScopes)
				id := tc.planID(t, h, a)
				h.fake.ResetRequests()
				res, out := h.setting(t, a, c.tool, withArgs(c.args, map[string]any{"apply": true, "plan_id": id}))
				wantSettingDiagnosis(t, res, out, tc.want)
				if out.Applied {
					t.Error("applied: true")
				}
				if w := h.writes(); len(w) != 0 {
					t.Errorf("writes: %v", requestLines(w))
				}
			})
		}
	}
}

// TestDomainSettingsConfirmation: a client that can elicit is asked once, saying what changes,
// before anything is written, on both protocols; a decline changes nothing.
func TestDomainSettingsConfirmation(t *testing.T) {
	accept := mcp.ElicitationResponse{Action: mcp.ElicitationResponseActionAccept, Content: map[string]any{"confirm": true}}
	decline := mcp.ElicitationResponse{Action: mcp.ElicitationResponseActionDecline}
	messages := map[string][]string{
		"set_autorenew":   {"autorenew of example.com off", "now on, 2 years"},
		"set_nameservers": {"ns1.cloudhost.example", "takes its site and mail down"},
	}
	for _, c := range settingsCalls {
		for _, protocol := range []string{mcp.ProtocolVersion20251125, mcp.ProtocolVersion20260728} {
			for _, resp := range []mcp.ElicitationResponse{accept, decline} {
				t.Run(c.tool+" "+protocol+" "+string(resp.Action), func(t *testing.T) {
					e := &elicitor{response: resp}
					h, a := newSettingsHarness(t, allSettingsScopes, withProtocol(protocol), withClient(client.WithElicitationHandler(e)))
					e.onAsk = func() {
						if w := h.writes(); len(w) != 0 {
							t.Errorf("written before the person answered: %v", requestLines(w))
						}
					}
					_, res, out := h.planAndApplySetting(t, a, c.tool, c.args)
					q := e.questions()
					if len(q) != 1 {
						t.Fatalf("asked %d times, want once", len(q))
					}
					for _, m := range messages[c.tool] {
						if !strings.Contains(q[0].Message, m) {
							t.Errorf("message %q lacks %q", q[0].Message, m)
						}
					}
					if resp.Action == mcp.ElicitationResponseActionAccept {
						if res.IsError || !out.Applied || len(h.writes()) != 1 {
							t.Fatalf("apply: %s; writes %v", textOf(res), requestLines(h.writes()))
						}
						return
					}
					wantSettingDiagnosis(t, res, out, tools.Declined)
					if w := h.writes(); len(w) != 0 {
						t.Errorf("writes: %v", requestLines(w))
					}
				})
			}
		}
	}
}

// TestDomainSettingsJournal: an applied change is one journal line with the setting's from and
// to, and no secret.
func TestDomainSettingsJournal(t *testing.T) {
	want := map[string][2][]string{
		"set_autorenew":   {{"on, 2 years"}, {"off"}},
		"set_nameservers": {nil, {"ns1.cloudhost.example", "ns2.cloudhost.example"}},
	}
	for _, c := range settingsCalls {
		t.Run(c.tool, func(t *testing.T) {
			h, a := newSettingsHarness(t, allSettingsScopes)
			before := h.details(t, a, dnsZone).Nameservers
			_, res, out := h.planAndApplySetting(t, a, c.tool, c.args)
			if res.IsError {
				t.Fatalf("apply: %s", textOf(res))
			}
			raw, err := os.ReadFile(h.deps.JournalFile)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
			if len(lines) != 1 || out.Journal != h.deps.JournalFile {
				t.Fatalf("journal %q at %q, want one line at %q", lines, out.Journal, h.deps.JournalFile)
			}
			var e tools.JournalEntry
			if err := json.Unmarshal([]byte(lines[0]), &e); err != nil {
				t.Fatal(err)
			}
			from, to := want[c.tool][0], want[c.tool][1]
			if from == nil {
				from = before
			}
			if e.Tool != c.tool || e.Object != dnsZone || e.TokenName != "settings-bot" || e.Result != "ok" || e.PlanID == "" || e.SnapshotID != "" ||
				len(e.Changes) != 1 || !slices.Equal(e.Changes[0].From, from) || !slices.Equal(e.Changes[0].To, to) || e.Changes[0].Status != "applied" {
				t.Errorf("journal line %s, want %s from %v to %v", lines[0], c.tool, from, to)
			}
			h.scanFiles(t, []string{a.token.Secret}, func(where, text string) {
				if f, ok := leaks(text, []string{a.token.Secret}); ok {
					t.Errorf("%s holds a piece of the token: %q", where, f)
				}
			})
		})
	}
}

// TestDomainSettingsReadBack: a setting that reads back otherwise than planned is a mismatch.
func TestDomainSettingsReadBack(t *testing.T) {
	rewrites := map[string]ganditest.Fault{
		// The third read of the details is the read-back, after the plan's and the apply's.
		"set_autorenew": {Method: http.MethodGet, Path: "/v5/domain/domains/example.com", Skip: 2, Times: 1,
			Rewrite: func(_ *http.Request, _ http.Header, body []byte) []byte {
				return []byte(strings.Replace(string(body), `"enabled":false`, `"enabled":true`, 1))
			}},
		"set_nameservers": {Method: http.MethodGet, Path: "/v5/domain/domains/example.com/nameservers", Skip: 2, Times: 1,
			Rewrite: func(_ *http.Request, _ http.Header, body []byte) []byte {
				return []byte(strings.ReplaceAll(string(body), "ns2.cloudhost", "ns9.cloudhost"))
			}},
	}
	for _, c := range settingsCalls {
		t.Run(c.tool, func(t *testing.T) {
			h, a := newSettingsHarness(t, allSettingsScopes, withSetup(func(h *harness) { h.fake.Inject(rewrites[c.tool]) }))
			_, res, out := h.planAndApplySetting(t, a, c.tool, c.args)
			if res.IsError || !out.Applied {
				t.Fatalf("apply: %s", textOf(res))
			}
			if out.Changes[0].Status != "mismatch" || !mentions(out.Warnings, "Gandi holds something else") {
				t.Errorf("changes %+v warnings %q, want a mismatch", out.Changes, out.Warnings)
			}
		})
	}
}

// TestDomainSettingsReadOnly: --read-only does not offer the two tools, and they cannot be called.
func TestDomainSettingsReadOnly(t *testing.T) {
	h, a := newSettingsHarness(t, allSettingsScopes, withSelection(Selection{ReadOnly: true}))
	list, err := h.client.ListTools(context.Background(), mcp.ListToolsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range settingsCalls {
		if slices.ContainsFunc(list.Tools, func(tool mcp.Tool) bool { return tool.Name == c.tool }) {
			t.Errorf("%s is offered read-only", c.tool)
		}
		req := mcp.CallToolRequest{}
		req.Params.Name, req.Params.Arguments = c.tool, c.args
		if res, err := h.client.CallTool(context.Background(), req); err == nil && !res.IsError {
			t.Errorf("%s called read-only: %s", c.tool, textOf(res))
		}
	}
	if w := h.writes(); len(w) != 0 {
		t.Errorf("writes: %v", requestLines(w))
	}
	_ = a
}
