package skill

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/gandi-mcp/gandi-mcp/gandi"
	"github.com/gandi-mcp/gandi-mcp/gandi/ganditest"
	"github.com/gandi-mcp/gandi-mcp/tools"
	"github.com/gandi-mcp/gandi-mcp/zone"
)

const dnsZone = "example.com"

// dnsRecords is the zone every change_dns_records test starts from.
func dnsRecords() []gandi.RecordSet {
	return []gandi.RecordSet{
		{Name: "@", Type: "A", TTL: 10800, Values: []string{"203.0.113.1"}},
		{Name: "@", Type: "MX", TTL: 10800, Values: []string{"10 mail.example.com.", "20 backup.example.net."}},
		{Name: "@", Type: "TXT", TTL: 10800, Values: []string{`"v=spf1 include:_mailcust.gandi.net ~all"`}},
		{Name: "mail", Type: "A", TTL: 10800, Values: []string{"203.0.113.25"}},
		{Name: "www", Type: "CNAME", TTL: 10800, Values: []string{"example.com."}},
		{Name: "old", Type: "TXT", TTL: 3600, Values: []string{`"one"`, `"two"`}},
	}
}

// dnsAccount is an organization with example.com on LiveDNS, elsewhere.example off it, and
// a token that may change records.
type dnsAccount struct {
	org   gandi.Organization
	token ganditest.Token
}

func newDNSHarness(t *testing.T, scopes []string, opts ...harnessOption) (*harness, *dnsAccount) {
	t.Helper()
	a := &dnsAccount{}
	setup := withSetup(func(h *harness) {
		a.org = h.fake.AddOrganization(gandi.Organization{Name: "acme", Type: "company"})
		h.fake.AddDomains(
			gandi.Domain{FQDN: dnsZone, SharingID: a.org.ID, Nameserver: gandi.Nameserver{Current: "livedns"}},
			gandi.Domain{FQDN: "elsewhere.example", SharingID: a.org.ID, Nameserver: gandi.Nameserver{Current: "other"}},
		)
		if err := h.fake.SetZone(dnsZone, dnsRecords()); err != nil {
			t.Fatal(err)
		}
		if err := h.fake.SetNameservers("elsewhere.example", "other", []string{"ns1.dns-host.example", "ns2.dns-host.example"}); err != nil {
			t.Fatal(err)
		}
		a.token = h.fake.AddToken(ganditest.Token{Name: "dns-bot", Scopes: scopes, Entities: []gandi.Entity{ganditest.OrganizationEntity(a.org)}})
		h.storeToken(a.token.Secret, 0o600)
	})
	h := newHarness(t, append([]harnessOption{setup}, opts...)...)
	return h, a
}

var allDNSScopes = []string{"domain:view", "domain:tech"}

type dnsArgs struct {
	FQDN       string           `json:"fqdn"`
	Changes    []map[string]any `json:"changes"`
	NoSnapshot bool             `json:"no_snapshot,omitempty"`
	Apply      bool             `json:"apply,omitempty"`
	PlanID     string           `json:"plan_id,omitempty"`
}

func change(op, name, rtype string, ttl int, values ...string) map[string]any {
	c := map[string]any{"op": op, "name": name, "type": rtype}
	if ttl != 0 {
		c["ttl"] = ttl
	}
	if values != nil {
		c["values"] = values
	}
	return c
}

// callChecked calls tool with args and checks that no secret of a is in what it returned.
func callChecked[Out any](t *testing.T, h *harness, a *dnsAccount, tool string, args any) (*mcp.CallToolResult, Out) {
	t.Helper()
	var out Out
	res := h.call(tool, args, &out)
	noSecrets(t, h, []string{a.token.Secret}, res)
	return res, out
}

// changeDNS calls change_dns_records, checked for secrets.
func (h *harness) changeDNS(t *testing.T, a *dnsAccount, args dnsArgs) (*mcp.CallToolResult, tools.ChangeDNSRecordsOutput) {
	t.Helper()
	return callChecked[tools.ChangeDNSRecordsOutput](t, h, a, "change_dns_records", args)
}

// planAndApply plans args, then applies that plan.
func (h *harness) planAndApply(t *testing.T, a *dnsAccount, args dnsArgs) (tools.ChangeDNSRecordsOutput, *mcp.CallToolResult, tools.ChangeDNSRecordsOutput) {
	t.Helper()
	res, plan := h.changeDNS(t, a, args)
	if res.IsError || plan.Applied || plan.PlanID == "" {
		t.Fatalf("plan: %s", textOf(res))
	}
	args.Apply, args.PlanID = true, plan.PlanID
	res, out := h.changeDNS(t, a, args)
	return plan, res, out
}

// writes are the requests that change something at Gandi.
func (h *harness) writes() []ganditest.Request {
	var out []ganditest.Request
	for _, r := range h.fake.Requests() {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			out = append(out, r)
		}
	}
	return out
}

func requestLines(rs []ganditest.Request) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Method+" "+r.Path)
	}
	return out
}

func zoneSet(t *testing.T, h *harness, name, rtype string) *zone.Set {
	t.Helper()
	sets, ok := h.fake.Zone(dnsZone)
	if !ok {
		t.Fatal("example.com is not on LiveDNS")
	}
	for _, s := range zone.Normalize(dnsZone, zone.FromLiveDNS(liveSets(sets))) {
		if s.Name == name && s.Type == rtype {
			return &zone.Set{TTL: s.TTL, Values: s.Values}
		}
	}
	return nil
}

func liveSets(in []gandi.RecordSet) []zone.LiveDNS {
	out := make([]zone.LiveDNS, len(in))
	for i, r := range in {
		out[i] = zone.LiveDNS{Name: r.Name, Type: r.Type, TTL: r.TTL, Values: r.Values}
	}
	return out
}

func showSet(s *zone.Set) string {
	if s == nil {
		return "absent"
	}
	return fmt.Sprintf("%d %v", s.TTL, s.Values)
}

func wantDNSDiagnosis(t *testing.T, res *mcp.CallToolResult, out tools.ChangeDNSRecordsOutput, want tools.Diagnosis) {
	t.Helper()
	if !res.IsError || out.Troubleshooting == nil || out.Troubleshooting.Diagnosis != want {
		t.Fatalf("want %s, got isError=%v: %s", want, res.IsError, textOf(res))
	}
}

// TestChangeDNSRecordsOps: every op, planned then applied through a real client session:
// the plan shows before and after, the apply writes exactly the sets of the plan, one
// request each, and the zone then holds what the plan said.
func TestChangeDNSRecordsOps(t *testing.T) {
	tests := []struct {
		name    string
		changes []map[string]any
		// want is the state of each touched set after the apply ("" name: absent).
		want   map[[2]string]string
		writes []string
	}{{
		name:    "set creates a set",
		changes: []map[string]any{change("set", "api", "A", 300, "203.0.113.7", "203.0.113.8")},
		want:    map[[2]string]string{{"api", "A"}: "300 [203.0.113.7 203.0.113.8]"},
		writes:  []string{"PUT /v5/livedns/domains/example.com/records/api/A"},
	}, {
		name:    "set replaces a set, keeping its TTL",
		changes: []map[string]any{change("set", "mail", "A", 0, "203.0.113.26")},
		want:    map[[2]string]string{{"mail", "A"}: "10800 [203.0.113.26]"},
		writes:  []string{"PUT /v5/livedns/domains/example.com/records/mail/A"},
	}, {
		name:    "add adds values to a set",
		changes: []map[string]any{change("add", "@", "MX", 0, "30 mx3.example.net.")},
		want:    map[[2]string]string{{"@", "MX"}: "10800 [10 mail.example.com. 20 backup.example.net. 30 mx3.example.net.]"},
		writes:  []string{"PUT /v5/livedns/domains/example.com/records/@/MX"},
	}, {
		name:    "add creates a set, quoting TXT",
		changes: []map[string]any{change("add", "_dmarc", "TXT", 0, "v=DMARC1; p=none")},
		want:    map[[2]string]string{{"_dmarc", "TXT"}: `10800 ["v=DMARC1; p=none"]`},
		writes:  []string{"PUT /v5/livedns/domains/example.com/records/_dmarc/TXT"},
	}, {
		name:    "remove takes some values",
		changes: []map[string]any{change("remove", "old", "TXT", 0, `"one"`)},
		want:    map[[2]string]string{{"old", "TXT"}: `3600 ["two"]`},
		writes:  []string{"PUT /v5/livedns/domains/example.com/records/old/TXT"},
	}, {
		name:    "remove of the last values deletes the set",
		changes: []map[string]any{change("remove", "old", "TXT", 0, `"one"`, `"two"`)},
		want:    map[[2]string]string{{"old", "TXT"}: "absent"},
		writes:  []string{"DELETE /v5/livedns/domains/example.com/records/old/TXT"},
	}, {
		name:    "delete removes a set, a full name made relative",
		changes: []map[string]any{change("delete", "www.example.com.", "CNAME", 0)},
		want:    map[[2]string]string{{"www", "CNAME"}: "absent"},
		writes:  []string{"DELETE /v5/livedns/domains/example.com/records/www/CNAME"},
	}, {
		name: "several changes, one request per set touched",
		changes: []map[string]any{
			change("delete", "www", "CNAME", 0),
			change("set", "www", "A", 0, "203.0.113.1"),
			change("add", "www", "A", 0, "203.0.113.2"),
			change("set", "mail", "A", 600, "203.0.113.25"),
		},
		want: map[[2]string]string{
			{"www", "CNAME"}: "absent", {"www", "A"}: "10800 [203.0.113.1 203.0.113.2]", {"mail", "A"}: "600 [203.0.113.25]",
		},
		writes: []string{ // sorted
			"DELETE /v5/livedns/domains/example.com/records/www/CNAME",
			"PUT /v5/livedns/domains/example.com/records/mail/A",
			"PUT /v5/livedns/domains/example.com/records/www/A",
		},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, a := newDNSHarness(t, allDNSScopes)
			before := map[[2]string]string{}
			for k := range tc.want {
				before[k] = showSet(zoneSet(t, h, k[0], k[1]))
			}
			args := dnsArgs{FQDN: dnsZone, Changes: tc.changes}
			res, plan := h.changeDNS(t, a, args)
			if res.IsError {
				t.Fatalf("plan: %s", textOf(res))
			}
			if w := h.writes(); len(w) != 0 {
				t.Fatalf("the plan wrote: %v", requestLines(w))
			}
			if got := countGET(h, "/v5/livedns/domains/example.com/records"); got != 1 {
				t.Errorf("the plan read the zone %d times, want once", got)
			}
			if len(plan.Changes) != len(tc.want) {
				t.Fatalf("plan changes %+v, want %d", plan.Changes, len(tc.want))
			}
			for _, c := range plan.Changes {
				k := [2]string{c.Name, c.Type}
				if showSet(c.Before) != before[k] || showSet(c.After) != tc.want[k] || c.Summary == "" {
					t.Errorf("plan %v: before %s after %s (%q), want %s -> %s", k, showSet(c.Before), showSet(c.After), c.Summary, before[k], tc.want[k])
				}
			}
			h.fake.ResetRequests()
			args.Apply, args.PlanID = true, plan.PlanID
			res, out := h.changeDNS(t, a, args)
			if res.IsError || !out.Applied {
				t.Fatalf("apply: %s", textOf(res))
			}
			var got []string
			for _, r := range h.writes() {
				if !strings.Contains(r.Path, "/snapshots") {
					got = append(got, r.Method+" "+r.Path)
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.writes) {
				t.Errorf("writes %v, want %v", got, tc.writes)
			}
			for k, want := range tc.want {
				if got := showSet(zoneSet(t, h, k[0], k[1])); got != want {
					t.Errorf("after the apply %v is %s, want %s", k, got, want)
				}
			}
			for _, c := range out.Changes {
				if c.Status != "applied" {
					t.Errorf("%s %s status %q, want applied", c.Name, c.Type, c.Status)
				}
			}
			if out.SnapshotID == "" || out.Journal == "" {
				t.Errorf("snapshot_id %q journal %q", out.SnapshotID, out.Journal)
			}
		})
	}
}

func countGET(h *harness, path string) int {
	n := 0
	for _, r := range h.fake.Requests() {
		if r.Method == http.MethodGet && r.Path == path {
			n++
		}
	}
	return n
}

// TestChangeDNSRecordsValidation: every value is checked, per type, before any request;
// a refusal names the change, the value and what would be valid.
func TestChangeDNSRecordsValidation(t *testing.T) {
	hundredOne := make([]map[string]any, 101)
	for i := range hundredOne {
		hundredOne[i] = change("set", fmt.Sprintf("h%d", i), "A", 0, "203.0.113.9")
	}
	bad := []struct {
		name    string
		fqdn    string
		changes []map[string]any
		want    []string // all in the summary
	}{
		{"A not an IPv4 address", dnsZone, []map[string]any{change("set", "www", "A", 0, "203.0.113")}, []string{"changes[0]", "203.0.113", "IPv4"}},
		{"A given an IPv6 address", dnsZone, []map[string]any{change("set", "x", "A", 0, "2001:db8::1")}, []string{"changes[0]", "2001:db8::1", "AAAA"}},
		{"AAAA given an IPv4 address", dnsZone, []map[string]any{change("add", "x", "AAAA", 0, "203.0.113.7")}, []string{"changes[0]", "203.0.113.7"}},
		{"MX without priority", dnsZone, []map[string]any{change("set", "@", "MX", 0, "mail.example.com.")}, []string{"changes[0]", "mail.example.com.", "PRIORITY HOST"}},
		{"CNAME at the apex", dnsZone, []map[string]any{change("set", "@", "CNAME", 0, "other.example.net.")}, []string{"changes[0]", "apex", "ALIAS"}},
		{"CNAME with two targets", dnsZone, []map[string]any{change("set", "x", "CNAME", 0, "a.example.net.", "b.example.net.")}, []string{"changes[0]", "CNAME"}},
		{"SRV missing fields", dnsZone, []map[string]any{change("set", "_sip._tcp", "SRV", 0, "10 5060 sip.example.com.")}, []string{"changes[0]", "SRV", "5060"}},
		{"CAA unknown form", dnsZone, []map[string]any{change("set", "@", "CAA", 0, "issue letsencrypt.org")}, []string{"changes[0]", "CAA"}},
		{"TLSA bad digest", dnsZone, []map[string]any{change("set", "_443._tcp", "TLSA", 0, "3 1 1 zz")}, []string{"changes[0]", "TLSA"}},
		{"DS bad digest length", dnsZone, []map[string]any{change("set", "sub", "DS", 0, "12345 13 2 abcd")}, []string{"changes[0]", "DS"}},
		{"TTL too short", dnsZone, []map[string]any{change("set", "www", "A", 60, "203.0.113.7")}, []string{"changes[0]", "ttl 60", "300"}},
		{"the second change is bad", dnsZone, []map[string]any{change("set", "a", "A", 0, "203.0.113.7"), change("set", "b", "A", 0, "999.0.0.1")}, []string{"changes[1]", "999.0.0.1"}},
		{"unknown op", dnsZone, []map[string]any{change("replace", "www", "A", 0, "203.0.113.7")}, []string{"replace", "set, add, remove"}},
		{"unknown type", dnsZone, []map[string]any{change("set", "www", "BOGUS", 0, "x")}, []string{"BOGUS", "CNAME"}},
		{"a name of another zone", dnsZone, []map[string]any{change("set", "www.other.org.", "A", 0, "203.0.113.7")}, []string{"changes[0]", "www.other.org."}},
		{"delete with values", dnsZone, []map[string]any{change("delete", "www", "CNAME", 0, "example.com.")}, []string{"changes[0]", "delete takes no values"}},
		{"no changes", dnsZone, []map[string]any{}, []string{"changes"}},
		{"101 changes", dnsZone, hundredOne, []string{"101", "100"}},
		{"a bad fqdn", "exa mple.com", []map[string]any{change("set", "www", "A", 0, "203.0.113.7")}, []string{"fqdn"}},
	}
	h, a := newDNSHarness(t, allDNSScopes)
	for _, tc := range bad {
		t.Run("refuses "+tc.name, func(t *testing.T) {
			h.fake.ResetRequests()
			res, out := h.changeDNS(t, a, dnsArgs{FQDN: tc.fqdn, Changes: tc.changes})
			wantDNSDiagnosis(t, res, out, tools.InvalidInput)
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
	good := []struct {
		name   string
		change map[string]any
		want   string // the planned set
	}{
		{"A", change("set", "v4", "A", 0, "203.0.113.7"), "10800 [203.0.113.7]"},
		{"AAAA, compressed", change("set", "v6", "AAAA", 0, "2001:DB8:0:0::1"), "10800 [2001:db8::1]"},
		{"MX relative host", change("set", "sub", "MX", 0, "10 mx"), "10800 [10 mx.example.com.]"},
		{"TXT long value split", change("set", "long", "TXT", 0, strings.Repeat("k", 300)), fmt.Sprintf("10800 [\"%s\" \"%s\"]", strings.Repeat("k", 255), strings.Repeat("k", 45))},
		{"SRV", change("set", "_sip._tcp", "SRV", 0, "10 60 5060 sip.example.com."), "10800 [10 60 5060 sip.example.com.]"},
		{"CAA", change("set", "@", "CAA", 0, `0 issue "letsencrypt.org"`), `10800 [0 issue "letsencrypt.org"]`},
		{"TLSA", change("set", "_443._tcp", "TLSA", 0, "3 1 1 "+strings.Repeat("ab", 32)), "10800 [3 1 1 " + strings.Repeat("AB", 32) + "]"},
		{"SSHFP", change("set", "host", "SSHFP", 0, "4 2 "+strings.Repeat("cd", 32)), "10800 [4 2 " + strings.Repeat("CD", 32) + "]"},
		{"DS", change("set", "sub", "DS", 0, "12345 13 2 "+strings.Repeat("ef", 32)), "10800 [12345 13 2 " + strings.Repeat("EF", 32) + "]"},
	}
	for _, tc := range good {
		t.Run("plans "+tc.name, func(t *testing.T) {
			res, out := h.changeDNS(t, a, dnsArgs{FQDN: dnsZone, Changes: []map[string]any{tc.change}})
			if res.IsError {
				t.Fatalf("refused: %s", textOf(res))
			}
			if len(out.Changes) != 1 || showSet(out.Changes[0].After) != tc.want {
				t.Errorf("planned %+v, want after %s", out.Changes, tc.want)
			}
		})
	}
	t.Run("refuses a CNAME beside other records, after reading the zone, without writing", func(t *testing.T) {
		h.fake.ResetRequests()
		res, out := h.changeDNS(t, a, dnsArgs{FQDN: dnsZone, Changes: []map[string]any{change("set", "mail", "CNAME", 0, "other.example.net.")}})
		wantDNSDiagnosis(t, res, out, tools.InvalidInput)
		if !strings.Contains(out.Troubleshooting.Summary, "beside") {
			t.Errorf("summary %q", out.Troubleshooting.Summary)
		}
		if w := h.writes(); len(w) != 0 {
			t.Errorf("writes: %v", requestLines(w))
		}
	})
}

// TestChangeDNSRecordsPlanID: an apply needs the plan_id of a plan of the same
// arguments, by the same token, of the zone as it is; otherwise nothing is written.
func TestChangeDNSRecordsPlanID(t *testing.T) {
	base := dnsArgs{FQDN: dnsZone, Changes: []map[string]any{change("set", "www", "A", 0, "203.0.113.7"), change("delete", "www", "CNAME", 0)}}
	other := dnsArgs{FQDN: dnsZone, Changes: []map[string]any{change("set", "www", "A", 0, "203.0.113.8"), change("delete", "www", "CNAME", 0)}}
	tests := []struct {
		name string
		// planID returns the plan_id to apply base with.
		planID func(t *testing.T, h *harness, a *dnsAccount) string
		want   tools.Diagnosis
	}{
		{"no plan_id", func(*testing.T, *harness, *dnsAccount) string { return "" }, tools.InvalidInput},
		{"a malformed plan_id", func(*testing.T, *harness, *dnsAccount) string { return "plan-1" }, tools.InvalidInput},
		{"the plan of other arguments", func(t *testing.T, h *harness, a *dnsAccount) string {
			_, p := h.changeDNS(t, a, other)
			return p.PlanID
		}, tools.InvalidInput},
		{"the plan of another token", func(t *testing.T, h *harness, a *dnsAccount) string {
			_, p := h.changeDNS(t, a, base)
			second := h.fake.AddToken(ganditest.Token{Name: "second", Scopes: allDNSScopes, Entities: []gandi.Entity{ganditest.OrganizationEntity(a.org)}})
			h.storeToken(second.Secret, 0o600)
			return p.PlanID
		}, tools.InvalidInput},
		{"a plan of a touched set edited since", func(t *testing.T, h *harness, a *dnsAccount) string {
			_, p := h.changeDNS(t, a, base)
			if err := h.fake.SetRecordSet(dnsZone, gandi.RecordSet{Name: "www", Type: "CNAME", TTL: 10800, Values: []string{"elsewhere.example.net."}}); err != nil {
				t.Fatal(err)
			}
			return p.PlanID
		}, tools.StalePlan},
		{"a plan of a set created since", func(t *testing.T, h *harness, a *dnsAccount) string {
			_, p := h.changeDNS(t, a, dnsArgs{FQDN: dnsZone, Changes: []map[string]any{change("set", "new", "A", 0, "203.0.113.7")}})
			if err := h.fake.SetRecordSet(dnsZone, gandi.RecordSet{Name: "new", Type: "A", TTL: 10800, Values: []string{"203.0.113.99"}}); err != nil {
				t.Fatal(err)
			}
			return p.PlanID
		}, tools.StalePlan},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, a := newDNSHarness(t, allDNSScopes)
			args := base
			if tc.name == "a plan of a set created since" {
				args = dnsArgs{FQDN: dnsZone, Changes: []map[string]any{change("set", "new", "A", 0, "203.0.113.7")}}
			}
			args.PlanID = tc.planID(t, h, a)
			args.Apply = true
			before, _ := h.fake.Zone(dnsZone)
			h.fake.ResetRequests()
			res, out := h.changeDNS(t, a, args)
			wantDNSDiagnosis(t, res, out, tc.want)
			if out.Applied {
				t.Error("applied: true")
			}
			if w := h.writes(); len(w) != 0 {
				t.Errorf("writes: %v", requestLines(w))
			}
			if after, _ := h.fake.Zone(dnsZone); !slices.EqualFunc(before, after, func(x, y gandi.RecordSet) bool {
				return x.Name == y.Name && x.Type == y.Type && x.TTL == y.TTL && slices.Equal(x.Values, y.Values)
			}) {
				t.Error("the zone changed")
			}
		})
	}
	t.Run("an edit elsewhere in the zone is kept", func(t *testing.T) {
		h, a := newDNSHarness(t, allDNSScopes)
		_, p := h.changeDNS(t, a, base)
		if err := h.fake.SetRecordSet(dnsZone, gandi.RecordSet{Name: "mail", Type: "A", TTL: 10800, Values: []string{"203.0.113.99"}}); err != nil {
			t.Fatal(err)
		}
		args := base
		args.Apply, args.PlanID = true, p.PlanID
		res, out := h.changeDNS(t, a, args)
		if res.IsError || !out.Applied {
			t.Fatalf("apply: %s", textOf(res))
		}
		if got := showSet(zoneSet(t, h, "mail", "A")); got != "10800 [203.0.113.99]" {
			t.Errorf("mail A is %s: the edit made meanwhile was lost", got)
		}
		if got := showSet(zoneSet(t, h, "www", "A")); got != "10800 [203.0.113.7]" {
			t.Errorf("www A is %s", got)
		}
	})
}

// elicitor answers every elicitation with one response and remembers what it was asked.
type elicitor struct {
	mu       sync.Mutex
	response mcp.ElicitationResponse
	asked    []mcp.ElicitationParams
	// onAsk, when set, runs when the person is asked (to change the zone meanwhile).
	onAsk func()
}

func (e *elicitor) Elicit(ctx context.Context, req mcp.ElicitationRequest) (*mcp.ElicitationResult, error) {
	e.mu.Lock()
	e.asked = append(e.asked, req.Params)
	f := e.onAsk
	e.mu.Unlock()
	if f != nil {
		f()
	}
	return &mcp.ElicitationResult{ElicitationResponse: e.response}, nil
}

func (e *elicitor) questions() []mcp.ElicitationParams {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.asked)
}

// TestChangeDNSRecordsConfirmation: a client that can elicit is asked, in one message,
// before anything is written, on protocol 2025-11-25 (elicitation/create) and 2026-07-28
// (an input request); decline and cancel change nothing; a client without elicitation is
// not asked, and the plan_id is the safeguard.
func TestChangeDNSRecordsConfirmation(t *testing.T) {
	accept := mcp.ElicitationResponse{Action: mcp.ElicitationResponseActionAccept, Content: map[string]any{"confirm": true}}
	tests := []struct {
		name      string
		response  mcp.ElicitationResponse
		applied   bool
		diagnosis tools.Diagnosis
	}{
		{"accepted", accept, true, ""},
		{"declined", mcp.ElicitationResponse{Action: mcp.ElicitationResponseActionDecline}, false, tools.Declined},
		{"cancelled", mcp.ElicitationResponse{Action: mcp.ElicitationResponseActionCancel}, false, tools.Declined},
		{"accepted without confirming", mcp.ElicitationResponse{Action: mcp.ElicitationResponseActionAccept, Content: map[string]any{"confirm": false}}, false, tools.Declined},
	}
	args := dnsArgs{FQDN: dnsZone, Changes: []map[string]any{change("set", "mail", "A", 0, "203.0.113.26")}}
	for _, protocol := range []string{mcp.ProtocolVersion20251125, mcp.ProtocolVersion20260728} {
		for _, tc := range tests {
			t.Run(protocol+" "+tc.name, func(t *testing.T) {
				e := &elicitor{response: tc.response}
				h, a := newDNSHarness(t, allDNSScopes, withProtocol(protocol), withClient(client.WithElicitationHandler(e)))
				e.onAsk = func() {
					if w := h.writes(); len(w) != 0 {
						t.Errorf("written before the person answered: %v", requestLines(w))
					}
				}
				_, res, out := h.planAndApply(t, a, args)
				q := e.questions()
				if len(q) != 1 {
					t.Fatalf("asked %d times, want once", len(q))
				}
				if !strings.Contains(q[0].Message, "mail A: 203.0.113.25 → 203.0.113.26") || !strings.Contains(q[0].Message, "snapshot") {
					t.Errorf("message %q does not say what changes", q[0].Message)
				}
				if tc.applied {
					if res.IsError || !out.Applied {
						t.Fatalf("apply: %s", textOf(res))
					}
					if got := showSet(zoneSet(t, h, "mail", "A")); got != "10800 [203.0.113.26]" {
						t.Errorf("mail A is %s", got)
					}
					return
				}
				wantDNSDiagnosis(t, res, out, tc.diagnosis)
				if w := h.writes(); len(w) != 0 {
					t.Errorf("writes: %v", requestLines(w))
				}
			})
		}
		t.Run(protocol+" a client without elicitation is not asked", func(t *testing.T) {
			h, a := newDNSHarness(t, allDNSScopes, withProtocol(protocol))
			_, res, out := h.planAndApply(t, a, args)
			if res.IsError || !out.Applied {
				t.Fatalf("apply: %s", textOf(res))
			}
		})
	}
	t.Run("a zone changed while the person was asked is stale", func(t *testing.T) {
		e := &elicitor{response: accept}
		h, a := newDNSHarness(t, allDNSScopes, withProtocol(mcp.ProtocolVersion20260728), withClient(client.WithElicitationHandler(e)))
		e.onAsk = func() {
			if err := h.fake.SetRecordSet(dnsZone, gandi.RecordSet{Name: "mail", Type: "A", TTL: 10800, Values: []string{"203.0.113.99"}}); err != nil {
				t.Error(err)
			}
		}
		_, res, out := h.planAndApply(t, a, args)
		wantDNSDiagnosis(t, res, out, tools.StalePlan)
		if w := h.writes(); len(w) != 0 {
			t.Errorf("writes: %v", requestLines(w))
		}
	})
}

// TestChangeDNSRecordsRestorePoint: a snapshot named for a person is taken before the
// first write; when it cannot be, nothing is written, unless no_snapshot was asked.
func TestChangeDNSRecordsRestorePoint(t *testing.T) {
	args := dnsArgs{FQDN: dnsZone, Changes: []map[string]any{change("set", "mail", "A", 0, "203.0.113.26"), change("delete", "old", "TXT", 0)}}
	t.Run("before the first write", func(t *testing.T) {
		h, a := newDNSHarness(t, allDNSScopes)
		_, res, out := h.planAndApply(t, a, args)
		if res.IsError {
			t.Fatalf("apply: %s", textOf(res))
		}
		w := h.writes()
		if len(w) != 3 || w[0].Method != http.MethodPost || w[0].Path != "/v5/livedns/domains/example.com/snapshots" {
			t.Fatalf("writes %v: want the snapshot first, then the two sets", requestLines(w))
		}
		var body struct{ Name string }
		_ = json.Unmarshal(w[0].Body, &body)
		if !strings.HasPrefix(body.Name, "gandi-mcp: before ") || !strings.Contains(body.Name, "mail A") {
			t.Errorf("snapshot name %q", body.Name)
		}
		snaps := h.fake.Snapshots(dnsZone)
		if len(snaps) == 0 || snaps[0].ID != out.SnapshotID {
			t.Fatalf("snapshot_id %q; the fake holds %v", out.SnapshotID, snaps)
		}
		for _, rs := range snaps[0].ZoneData {
			if rs.Name == "mail" && rs.Type == "A" && !slices.Equal(rs.Values, []string{"203.0.113.25"}) {
				t.Errorf("the snapshot holds mail A %v, want the zone as it was", rs.Values)
			}
		}
	})
	t.Run("restore_point_failed writes nothing", func(t *testing.T) {
		h, a := newDNSHarness(t, allDNSScopes, withSetup(func(h *harness) {
			h.fake.Inject(ganditest.Fault{Method: http.MethodPost, Path: "/v5/livedns/domains/example.com/snapshots", Status: http.StatusInternalServerError})
		}))
		_, res, out := h.planAndApply(t, a, args)
		wantDNSDiagnosis(t, res, out, tools.RestorePointFailed)
		for _, r := range h.writes() {
			if r.Method != http.MethodPost {
				t.Errorf("written without a restore point: %s %s", r.Method, r.Path)
			}
		}
		if !strings.Contains(textOf(res), "no_snapshot") {
			t.Errorf("the diagnosis does not offer no_snapshot: %s", textOf(res))
		}
	})
	t.Run("no_snapshot applies without one", func(t *testing.T) {
		h, a := newDNSHarness(t, allDNSScopes, withSetup(func(h *harness) {
			h.fake.Inject(ganditest.Fault{Method: http.MethodPost, Path: "/v5/livedns/domains/example.com/snapshots", Status: http.StatusInternalServerError})
		}))
		ns := args
		ns.NoSnapshot = true
		_, res, out := h.planAndApply(t, a, ns)
		if res.IsError || !out.Applied || out.SnapshotID != "" {
			t.Fatalf("apply: %s", textOf(res))
		}
		for _, r := range h.writes() {
			if strings.Contains(r.Path, "snapshots") {
				t.Errorf("a snapshot was asked for: %s %s", r.Method, r.Path)
			}
		}
	})
}

// TestChangeDNSRecordsJournal: an applied change is one journal line (fields, no secret),
// in a 0600 file in a 0700 directory; a journal that cannot be written stops the apply
// before any write.
func TestChangeDNSRecordsJournal(t *testing.T) {
	args := dnsArgs{FQDN: dnsZone, Changes: []map[string]any{change("set", "mail", "A", 0, "203.0.113.26")}}
	t.Run("one line per apply", func(t *testing.T) {
		h, a := newDNSHarness(t, allDNSScopes)
		_, res, out := h.planAndApply(t, a, args)
		if res.IsError {
			t.Fatalf("apply: %s", textOf(res))
		}
		path := h.deps.JournalFile
		if out.Journal != path {
			t.Errorf("journal %q, want %q", out.Journal, path)
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
		if len(lines) != 1 {
			t.Fatalf("journal lines %q", lines)
		}
		var e tools.JournalEntry
		if err := json.Unmarshal([]byte(lines[0]), &e); err != nil {
			t.Fatal(err)
		}
		if e.Tool != "change_dns_records" || e.Object != dnsZone || e.Environment != "production" || e.TokenName != "dns-bot" ||
			e.SnapshotID != out.SnapshotID || e.SnapshotID == "" || e.Result != "ok" || e.PlanID == "" || e.Time.IsZero() ||
			len(e.Changes) != 1 || showSet(e.Changes[0].Before) != "10800 [203.0.113.25]" || showSet(e.Changes[0].After) != "10800 [203.0.113.26]" {
			t.Errorf("journal line %s", lines[0])
		}
		if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
			t.Errorf("journal mode %v", fi.Mode().Perm())
		}
		if fi, _ := os.Stat(filepath.Dir(path)); fi.Mode().Perm() != 0o700 {
			t.Errorf("journal directory mode %v", fi.Mode().Perm())
		}
		h.scanFiles(t, []string{a.token.Secret}, func(where, text string) {
			if f, ok := leaks(text, []string{a.token.Secret}); ok {
				t.Errorf("%s holds a piece of the token: %q", where, f)
			}
		})
	})
	t.Run("an unwritable journal stops the apply before any write", func(t *testing.T) {
		h, a := newDNSHarness(t, allDNSScopes, withDeps(func(d *tools.Deps) {
			blocker := filepath.Join(filepath.Dir(filepath.Dir(d.JournalFile)), "blocker")
			if err := os.MkdirAll(filepath.Dir(blocker), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(blocker, nil, 0o600); err != nil {
				t.Fatal(err)
			}
			d.JournalFile = filepath.Join(blocker, "gandi-mcp", "journal.jsonl")
		}))
		_, res, out := h.planAndApply(t, a, args)
		wantDNSDiagnosis(t, res, out, tools.JournalUnavailable)
		if w := h.writes(); len(w) != 0 {
			t.Errorf("writes: %v", requestLines(w))
		}
	})
}

// TestChangeDNSRecordsRefusals: 401, 403 and 404 are diagnosed for DNS.
func TestChangeDNSRecordsRefusals(t *testing.T) {
	args := dnsArgs{FQDN: dnsZone, Changes: []map[string]any{change("set", "mail", "A", 0, "203.0.113.26")}}
	t.Run("a revoked token", func(t *testing.T) {
		h, a := newDNSHarness(t, allDNSScopes)
		h.fake.Revoke(a.token.Secret)
		res, out := h.changeDNS(t, a, args)
		wantDNSDiagnosis(t, res, out, tools.TokenRejected)
	})
	t.Run("a token that may only read, refused its restore point", func(t *testing.T) {
		h, a := newDNSHarness(t, []string{"domain:view"})
		_, res, out := h.planAndApply(t, a, args)
		wantDNSDiagnosis(t, res, out, tools.MissingScope)
		for _, r := range h.writes() {
			if !strings.HasSuffix(r.Path, "/snapshots") {
				t.Errorf("written after the refused snapshot: %s %s", r.Method, r.Path)
			}
		}
	})
	t.Run("a token that may only read", func(t *testing.T) {
		h, a := newDNSHarness(t, []string{"domain:view"})
		args := args
		args.NoSnapshot = true
		_, res, out := h.planAndApply(t, a, args)
		wantDNSDiagnosis(t, res, out, tools.MissingScope)
		if !slices.Equal(out.Troubleshooting.RequiredScopes, []string{"domain:tech"}) {
			t.Errorf("required_scopes %v", out.Troubleshooting.RequiredScopes)
		}
	})
	t.Run("a domain whose DNS is elsewhere", func(t *testing.T) {
		h, a := newDNSHarness(t, allDNSScopes)
		res, out := h.changeDNS(t, a, dnsArgs{FQDN: "elsewhere.example", Changes: args.Changes})
		wantDNSDiagnosis(t, res, out, tools.DNSNotHosted)
		if s := out.Troubleshooting.Summary; !strings.Contains(s, "ns1.dns-host.example") || !strings.Contains(s, "edited there") {
			t.Errorf("summary %q does not say where the DNS is", s)
		}
	})
	t.Run("an unknown domain", func(t *testing.T) {
		h, a := newDNSHarness(t, allDNSScopes)
		res, out := h.changeDNS(t, a, dnsArgs{FQDN: "unknown.example", Changes: args.Changes})
		wantDNSDiagnosis(t, res, out, tools.NotFound)
	})
	t.Run("a unicode name is converted", func(t *testing.T) {
		h, a := newDNSHarness(t, allDNSScopes)
		res, out := h.changeDNS(t, a, dnsArgs{FQDN: "exämple.com", Changes: args.Changes})
		wantDNSDiagnosis(t, res, out, tools.NotFound)
		if out.FQDN != "xn--exmple-cua.com" {
			t.Errorf("fqdn %q", out.FQDN)
		}
		if !slices.ContainsFunc(h.fake.Requests(), func(r ganditest.Request) bool { return strings.Contains(r.Path, "xn--exmple-cua.com") }) {
			t.Errorf("requests %v", requestLines(h.fake.Requests()))
		}
	})
}

// TestChangeDNSRecordsPartialApply: a write Gandi refuses stops new writes; the result
// and the journal say which sets were written, which failed and which were not tried.
func TestChangeDNSRecordsPartialApply(t *testing.T) {
	h, a := newDNSHarness(t, allDNSScopes,
		withDeps(func(d *tools.Deps) { d.MaxConcurrentWrites = 1 }), // writes in the plan's order
		withSetup(func(h *harness) {
			h.fake.Inject(ganditest.Fault{Method: http.MethodPut, Path: "/v5/livedns/domains/example.com/records/", Skip: 1, Status: http.StatusInternalServerError})
		}))
	args := dnsArgs{FQDN: dnsZone, Changes: []map[string]any{
		change("set", "a1", "A", 0, "203.0.113.1"), change("set", "a2", "A", 0, "203.0.113.2"), change("set", "a3", "A", 0, "203.0.113.3"),
	}}
	_, res, out := h.planAndApply(t, a, args)
	wantDNSDiagnosis(t, res, out, tools.GandiUnavailable)
	if !out.Applied || out.SnapshotID == "" {
		t.Errorf("applied %v snapshot %q: a partial apply is applied, with its restore point", out.Applied, out.SnapshotID)
	}
	var got []string
	for _, c := range out.Changes {
		got = append(got, c.Name+"="+c.Status)
	}
	if want := []string{"a1=applied", "a2=failed", "a3=not_attempted"}; !slices.Equal(got, want) {
		t.Errorf("statuses %v, want %v", got, want)
	}
	if s := out.Troubleshooting.Summary; !strings.Contains(s, "1 of 3 written") || !strings.Contains(s, out.SnapshotID) {
		t.Errorf("summary %q does not say what was written", s)
	}
	if zoneSet(t, h, "a1", "A") == nil || zoneSet(t, h, "a2", "A") != nil || zoneSet(t, h, "a3", "A") != nil {
		t.Error("the zone does not match the statuses")
	}
	raw, err := os.ReadFile(h.deps.JournalFile)
	if err != nil {
		t.Fatal(err)
	}
	var e tools.JournalEntry
	if err := json.Unmarshal(raw, &e); err != nil || e.Result != "partial" {
		t.Errorf("journal %s (%v), want result partial", raw, err)
	}
}

// TestChangeDNSRecordsReadBack: a set that reads back otherwise than planned is reported.
func TestChangeDNSRecordsReadBack(t *testing.T) {
	h, a := newDNSHarness(t, allDNSScopes, withSetup(func(h *harness) {
		// The third read of the zone is the read-back, after the plan's and the apply's.
		h.fake.Inject(ganditest.Fault{Method: http.MethodGet, Path: "/v5/livedns/domains/example.com/records", Skip: 2, Times: 1,
			Rewrite: func(_ *http.Request, _ http.Header, body []byte) []byte {
				return []byte(strings.ReplaceAll(string(body), "203.0.113.26", "203.0.113.27"))
			}})
	}))
	_, res, out := h.planAndApply(t, a, dnsArgs{FQDN: dnsZone, Changes: []map[string]any{change("set", "mail", "A", 0, "203.0.113.26")}})
	if res.IsError || !out.Applied {
		t.Fatalf("apply: %s", textOf(res))
	}
	if len(out.Changes) != 1 || out.Changes[0].Status != "mismatch" {
		t.Fatalf("changes %+v, want mail A mismatch", out.Changes)
	}
	if !slices.ContainsFunc(out.Warnings, func(w string) bool { return strings.Contains(w, "mail A") }) {
		t.Errorf("warnings %v do not name mail A", out.Warnings)
	}
}
