package skill

import (
	"net/http"
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

// The DNS account: example.org and café.fr on LiveDNS, elsewhere.net at another DNS
// provider, classic.net on Gandi's classic DNS, and hidden.org in an organization the
// token does not cover.
const (
	readZone      = "example.org"
	readUnicode   = "café.fr"
	readPunycode  = "xn--caf-dma.fr"
	readElsewhere = "elsewhere.net"
	readClassic   = "classic.net"
	readHidden    = "hidden.org"
)

var readZoneSets = []gandi.RecordSet{
	{Name: "www", Type: "CNAME", TTL: 1800, Values: []string{"example.org."}},
	{Name: "@", Type: "MX", TTL: 10800, Values: []string{"10 spool.mail.gandi.net.", "50 fb.mail.gandi.net."}},
	{Name: "_dmarc", Type: "TXT", TTL: 10800, Values: []string{`"v=DMARC1; p=quarantine"`}},
	{Name: "@", Type: "A", TTL: 300, Values: []string{"203.0.113.7"}},
	{Name: "@", Type: "TXT", TTL: 10800, Values: []string{`"v=spf1 include:_mailcust.gandi.net ?all"`, `"google-site-verification=abc"`}},
	{Name: "blog", Type: "A", TTL: 600, Values: []string{"198.51.100.4"}},
	{Name: "blog", Type: "AAAA", TTL: 600, Values: []string{"2001:db8::4"}},
}

// withDNSAccount seeds the DNS account and stores a token with scopes for its organization.
func withDNSAccount(scopes []string) harnessOption {
	return withSetup(func(h *harness) {
		org := h.fake.AddOrganization(gandi.Organization{Name: "acme", Type: "company"})
		other := h.fake.AddOrganization(gandi.Organization{Name: "others", Type: "company"})
		on := gandi.Nameserver{Current: "livedns"}
		h.fake.AddDomains(
			gandi.Domain{FQDN: readZone, SharingID: org.ID, Nameserver: on},
			gandi.Domain{FQDN: readPunycode, FQDNUnicode: readUnicode, SharingID: org.ID, Nameserver: on},
			gandi.Domain{FQDN: readElsewhere, SharingID: org.ID, Nameserver: gandi.Nameserver{Current: "other"}},
			gandi.Domain{FQDN: readClassic, SharingID: org.ID, Nameserver: gandi.Nameserver{Current: "abc"}},
			gandi.Domain{FQDN: readHidden, SharingID: other.ID, Nameserver: on},
		)
		for fqdn, sets := range map[string][]gandi.RecordSet{readZone: readZoneSets, readPunycode: {{Name: "@", Type: "A", TTL: 300, Values: []string{"192.0.2.1"}}}} {
			if err := h.fake.SetZone(fqdn, sets); err != nil {
				h.t.Fatal(err)
			}
		}
		if err := h.fake.SetNameservers(readElsewhere, "other", []string{"ns1.other.net", "ns2.other.net"}); err != nil {
			h.t.Fatal(err)
		}
		tok := h.fake.AddToken(ganditest.Token{Name: "dns", Scopes: scopes, Entities: []gandi.Entity{ganditest.OrganizationEntity(org)}})
		h.storeToken(tok.Secret, 0o600)
	})
}

// nameTypes is each record set's "name type", in order.
func nameTypes(rs []tools.DNSRecord) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Name + " " + r.Type
	}
	return out
}

func TestListDNSRecords(t *testing.T) {
	h := newHarness(t, withDNSAccount([]string{"domain:view"}))
	whole := []string{"@ A", "@ MX", "@ TXT", "_dmarc TXT", "blog A", "blog AAAA", "www CNAME"}
	tests := []struct {
		name string
		args map[string]any
		want []string
		fqdn string // the result's fqdn; readZone when empty
	}{
		{"whole zone, apex first then by name and type", map[string]any{"fqdn": readZone}, whole, ""},
		{"format records is the default", map[string]any{"fqdn": readZone, "format": "records"}, whole, ""},
		{"fqdn in capitals with a trailing dot", map[string]any{"fqdn": "EXAMPLE.org."}, whole, ""},
		{"one name", map[string]any{"fqdn": readZone, "name": "blog"}, []string{"blog A", "blog AAAA"}, ""},
		{"the apex", map[string]any{"fqdn": readZone, "name": "@"}, []string{"@ A", "@ MX", "@ TXT"}, ""},
		{"an absolute name made relative", map[string]any{"fqdn": readZone, "name": "WWW.example.org."}, []string{"www CNAME"}, ""},
		{"the zone's own name is the apex", map[string]any{"fqdn": readZone, "name": "example.org."}, []string{"@ A", "@ MX", "@ TXT"}, ""},
		{"an underscore name", map[string]any{"fqdn": readZone, "name": "_dmarc"}, []string{"_dmarc TXT"}, ""},
		{"one type, any case", map[string]any{"fqdn": readZone, "type": "txt"}, []string{"@ TXT", "_dmarc TXT"}, ""},
		{"name and type", map[string]any{"fqdn": readZone, "name": "@", "type": "MX"}, []string{"@ MX"}, ""},
		{"nothing matches", map[string]any{"fqdn": readZone, "name": "mail"}, []string{}, ""},
		{"a unicode domain", map[string]any{"fqdn": readUnicode}, []string{"@ A"}, readPunycode},
		{"its punycode", map[string]any{"fqdn": readPunycode}, []string{"@ A"}, readPunycode},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out tools.ListDNSRecordsOutput
			res := h.call("list_dns_records", tt.args, &out)
			if res.IsError {
				t.Fatalf("error: %s", textOf(res))
			}
			wantFQDN := tt.fqdn
			if wantFQDN == "" {
				wantFQDN = readZone
			}
			if got := nameTypes(out.Records); !slices.Equal(got, tt.want) || out.Count != len(tt.want) {
				t.Errorf("records %v count %d, want %v", got, out.Count, tt.want)
			}
			if out.FQDN != wantFQDN {
				t.Errorf("fqdn %q, want %q", out.FQDN, wantFQDN)
			}
			if wantUnicode := map[string]string{readPunycode: readUnicode}[wantFQDN]; out.FQDNUnicode != wantUnicode {
				t.Errorf("fqdn_unicode %q, want %q", out.FQDNUnicode, wantUnicode)
			}
		})
	}

	t.Run("values, ttl and text", func(t *testing.T) {
		var out tools.ListDNSRecordsOutput
		res := h.call("list_dns_records", map[string]any{"fqdn": readZone, "name": "@"}, &out)
		txt := out.Records[2] // values in the order LiveDNS holds them
		if txt.TTL != 10800 || !slices.Equal(txt.Values, []string{`"v=spf1 include:_mailcust.gandi.net ?all"`, `"google-site-verification=abc"`}) {
			t.Errorf("@ TXT = %+v", txt)
		}
		text := textOf(res)
		for _, line := range []string{"fqdn: example.org", "count: 3", "name\ttype\tttl\tvalue", "@\tA\t300\t203.0.113.7",
			"@\tMX\t10800\t10 spool.mail.gandi.net.", "@\tMX\t10800\t50 fb.mail.gandi.net.", "@\tTXT\t10800\t\"v=spf1 include:_mailcust.gandi.net ?all\""} {
			if !strings.Contains(text, line+"\n") && !strings.HasSuffix(text, line) {
				t.Errorf("text lacks the line %q:\n%s", line, text)
			}
		}
		if strings.Contains(text, `"rrset_values"`) || strings.Contains(text, `"values"`) {
			t.Errorf("text is JSON rather than a table:\n%s", text)
		}
	})

	t.Run("format zone", func(t *testing.T) {
		h.fake.ResetRequests()
		var out tools.ListDNSRecordsOutput
		res := h.call("list_dns_records", map[string]any{"fqdn": readZone, "format": "zone"}, &out)
		if res.IsError {
			t.Fatalf("error: %s", textOf(res))
		}
		for _, line := range []string{"$ORIGIN example.org.", "@ 300 IN A 203.0.113.7", "www 1800 IN CNAME example.org."} {
			if !strings.Contains(out.Zone, line+"\n") {
				t.Errorf("zone lacks %q:\n%s", line, out.Zone)
			}
		}
		if len(out.Records) != 0 || !strings.Contains(textOf(res), "@ 300 IN A 203.0.113.7") {
			t.Errorf("records %v, text %q: want the zone file only", out.Records, textOf(res))
		}
		var asked bool
		for _, r := range h.fake.Requests() {
			asked = asked || r.Path == "/v5/livedns/domains/example.org/records" && strings.Contains(r.Header.Get("Accept"), "text/plain")
		}
		if !asked {
			t.Error("the zone file was not asked of Gandi as text/plain")
		}
	})
}

func TestListDNSRecordsWhereTheDNSIsNot(t *testing.T) {
	h := newHarness(t, withDNSAccount([]string{"domain:view"}))
	tests := []struct {
		fqdn      string
		diagnosis tools.Diagnosis
		says      []string
	}{
		{readElsewhere, tools.DNSNotHosted, []string{"elsewhere.net's DNS is not served by Gandi's LiveDNS: its nameservers are ns1.other.net, ns2.other.net; its records are edited there, not here."}},
		{readClassic, tools.DNSNotHosted, []string{"classic.net's DNS is not served by Gandi's LiveDNS", "a.dns.gandi.net", "edited there, not here"}},
		{"unknown-domain.com", tools.NotFound, []string{"unknown-domain.com is not a domain this token sees"}},
		{readHidden, tools.NotFound, []string{"hidden.org is not a domain this token sees"}},
	}
	for _, tt := range tests {
		t.Run(tt.fqdn, func(t *testing.T) {
			for _, tool := range []string{"list_dns_records", "list_dns_snapshots"} {
				var out tools.ListDNSRecordsOutput
				res := h.call(tool, map[string]any{"fqdn": tt.fqdn}, &out)
				tr := out.Troubleshooting
				if !res.IsError || tr == nil || tr.Diagnosis != tt.diagnosis || tr.Status != http.StatusNotFound {
					t.Fatalf("%s: isError %v troubleshooting %+v: want %s (404)", tool, res.IsError, tr, tt.diagnosis)
				}
				for _, w := range tt.says {
					if !strings.Contains(tr.Summary, w) || !strings.Contains(textOf(res), w) {
						t.Errorf("%s: summary %q (or the text) lacks %q", tool, tr.Summary, w)
					}
				}
				if tt.diagnosis == tools.NotFound && !slices.ContainsFunc(tr.NextSteps, func(s string) bool { return strings.Contains(s, "list_domains") }) {
					t.Errorf("%s: next steps %v do not send to list_domains", tool, tr.NextSteps)
				}
			}
		})
	}
}

func TestListDNSRecordsAccess(t *testing.T) {
	tests := []struct {
		name      string
		scopes    []string
		token     string // stored instead of the account's token when set
		fault     *ganditest.Fault
		diagnosis tools.Diagnosis
		status    int
		required  []string
	}{
		{name: "unknown token", token: "pat_0000000000000000000000000000000000", diagnosis: tools.TokenRejected, status: 401},
		{name: "no DNS scope", scopes: []string{"organization:view"}, diagnosis: tools.MissingScope, status: 403, required: []string{"domain:view"}},
		{name: "domain:renew only", scopes: []string{"domain:renew"}, diagnosis: tools.MissingScope, status: 403, required: []string{"domain:view"}},
		// A token with domain:tech may read: a 403 then is not a missing scope.
		{name: "domain:tech refused anyway", scopes: []string{"domain:tech"}, fault: &ganditest.Fault{Path: "/v5/livedns/", Status: 403},
			diagnosis: tools.AccessDenied, status: 403, required: []string{"domain:tech"}},
		{name: "domain:view refused anyway", scopes: []string{"domain:view"}, fault: &ganditest.Fault{Path: "/v5/livedns/", Status: 403},
			diagnosis: tools.AccessDenied, status: 403, required: []string{"domain:view"}},
		{name: "Gandi down", scopes: []string{"domain:view"}, fault: &ganditest.Fault{Path: "/v5/livedns/", Status: 503},
			diagnosis: tools.GandiUnavailable, status: 503},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, withDNSAccount(tt.scopes))
			if tt.token != "" {
				h.storeToken(tt.token, 0o600)
			}
			if tt.fault != nil {
				h.fake.Inject(*tt.fault)
			}
			for _, tool := range []string{"list_dns_records", "list_dns_snapshots"} {
				var out tools.ListDNSRecordsOutput
				res := h.call(tool, map[string]any{"fqdn": readZone}, &out)
				tr := out.Troubleshooting
				if !res.IsError || tr == nil || tr.Diagnosis != tt.diagnosis || tr.Status != tt.status {
					t.Fatalf("%s: isError %v troubleshooting %+v: want %s (%d)", tool, res.IsError, tr, tt.diagnosis, tt.status)
				}
				if !slices.Equal(tr.RequiredScopes, tt.required) {
					t.Errorf("%s: required_scopes %v, want %v", tool, tr.RequiredScopes, tt.required)
				}
				if tt.diagnosis == tools.MissingScope && !strings.Contains(strings.Join(tr.LikelyCauses, " "), "domain:view or domain:tech") {
					t.Errorf("%s: likely causes %v do not say that domain:tech reads too", tool, tr.LikelyCauses)
				}
			}
		})
	}

	t.Run("domain:tech alone reads", func(t *testing.T) {
		h := newHarness(t, withDNSAccount([]string{"domain:tech"}))
		var out tools.ListDNSRecordsOutput
		if res := h.call("list_dns_records", map[string]any{"fqdn": readZone, "type": "A"}, &out); res.IsError || out.Count != 2 {
			t.Errorf("isError %v count %d: %s", res.IsError, out.Count, textOf(res))
		}
	})
}

func TestListDNSRecordsRefusesBadInputBeforeAnyRequest(t *testing.T) {
	h := newHarness(t, withDNSAccount([]string{"domain:view"}))
	tests := []struct {
		name string
		tool string
		args map[string]any
		says []string
	}{
		{"no fqdn", "list_dns_records", map[string]any{}, []string{"fqdn", "example.com"}},
		{"empty fqdn", "list_dns_snapshots", map[string]any{"fqdn": ""}, []string{"fqdn", "empty"}},
		{"a top-level domain", "list_dns_records", map[string]any{"fqdn": "org"}, []string{"top-level domain"}},
		{"spaces", "list_dns_records", map[string]any{"fqdn": " example.org"}, []string{"spaces"}},
		{"a URL", "list_dns_snapshots", map[string]any{"fqdn": "https://example.org/"}, []string{"cannot be a domain name"}},
		{"a record name as fqdn", "list_dns_records", map[string]any{"fqdn": "_dmarc.example.org"}, []string{"'_'", "name argument"}},
		{"a name of another zone", "list_dns_records", map[string]any{"fqdn": readZone, "name": "www.other.net."}, []string{"www.other.net.", "not in the zone example.org"}},
		{"a dotted name of another zone", "list_dns_records", map[string]any{"fqdn": readZone, "name": "mail.other.com"}, []string{"outside the zone"}},
		{"a bad name", "list_dns_records", map[string]any{"fqdn": readZone, "name": "a b"}, []string{"name", `"a b"`}},
		{"an unknown type", "list_dns_records", map[string]any{"fqdn": readZone, "type": "AXFR"}, []string{`type "AXFR"`, "A, AAAA", "TXT"}},
		{"a bad format", "list_dns_records", map[string]any{"fqdn": readZone, "format": "json"}, []string{"format must be records or zone", `"json"`}},
		{"format zone with a name", "list_dns_records", map[string]any{"fqdn": readZone, "format": "zone", "name": "www"}, []string{"format zone", "drop name and type"}},
		{"an unknown argument", "list_dns_snapshots", map[string]any{"fqdn": readZone, "zone": "x"}, []string{"zone"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.fake.ResetRequests()
			var out tools.ListDNSRecordsOutput
			res := h.call(tt.tool, tt.args, &out)
			if tr := out.Troubleshooting; !res.IsError || tr == nil || tr.Diagnosis != tools.InvalidInput {
				t.Fatalf("isError %v troubleshooting %+v: want invalid_input", res.IsError, tr)
			}
			for _, w := range tt.says {
				if !strings.Contains(out.Troubleshooting.Summary, w) {
					t.Errorf("summary %q lacks %q", out.Troubleshooting.Summary, w)
				}
			}
			if n := len(h.fake.Requests()); n != 0 {
				t.Errorf("%d requests made before the refusal", n)
			}
		})
	}
}

func TestListDNSSnapshotsNewestFirst(t *testing.T) {
	h := newHarness(t, withDNSAccount([]string{"domain:view"}))
	base := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	// Stored out of order, so that the order of the result is the tools' doing.
	for _, sn := range []gandi.Snapshot{
		{Name: "middle", CreatedAt: base.Add(2 * time.Hour)},
		{Name: "oldest", CreatedAt: base, Automatic: true},
		{Name: "gandi-mcp: before set www A", CreatedAt: base.Add(48 * time.Hour)},
		{Name: "day after", CreatedAt: base.Add(24 * time.Hour), Automatic: true},
	} {
		if _, err := h.fake.AddSnapshot(readZone, sn); err != nil {
			t.Fatal(err)
		}
	}
	var out tools.ListDNSSnapshotsOutput
	res := h.call("list_dns_snapshots", map[string]any{"fqdn": readZone}, &out)
	if res.IsError {
		t.Fatalf("error: %s", textOf(res))
	}
	var names []string
	for _, s := range out.Snapshots {
		names = append(names, s.Name)
		if s.ID == "" || s.CreatedAt == nil {
			t.Errorf("snapshot %+v lacks its id or date", s)
		}
	}
	if want := []string{"gandi-mcp: before set www A", "day after", "middle", "oldest"}; !slices.Equal(names, want) || out.Count != 4 {
		t.Fatalf("snapshots %v count %d, want %v", names, out.Count, want)
	}
	if first, last := out.Snapshots[0], out.Snapshots[3]; !first.CreatedAt.Equal(base.Add(48*time.Hour)) || first.Automatic || !last.Automatic {
		t.Errorf("first %+v last %+v", first, last)
	}
	stored := h.fake.Snapshots(readZone)
	if out.Snapshots[0].ID != stored[0].ID {
		t.Errorf("id %q, want the fake's %q", out.Snapshots[0].ID, stored[0].ID)
	}

	var none tools.ListDNSSnapshotsOutput
	if res := h.call("list_dns_snapshots", map[string]any{"fqdn": readUnicode}, &none); res.IsError || none.Count != 0 || none.FQDN != readPunycode || none.FQDNUnicode != readUnicode {
		t.Errorf("a zone without snapshots: isError %v %+v", res.IsError, none)
	}
}

// offered are the tool names a session lists.
func offered(t *testing.T, h *harness) []string {
	t.Helper()
	list, err := h.client.ListTools(t.Context(), mcp.ListToolsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tool := range list.Tools {
		names = append(names, tool.Name)
	}
	return names
}

// TestListDNSRecordsOfAZoneTooLong: past the client's bound the call says so and points to
// the zone file, which still reads.
func TestListDNSRecordsOfAZoneTooLong(t *testing.T) {
	h := newHarness(t, withDNSAccount([]string{"domain:view"}))
	sets := make([]gandi.RecordSet, gandi.MaxListItems+1)
	for i := range sets {
		sets[i] = gandi.RecordSet{Name: "h" + strconv.Itoa(i), Type: "A", TTL: 300, Values: []string{"192.0.2.1"}}
	}
	if err := h.fake.SetZone(readZone, sets); err != nil {
		t.Fatal(err)
	}
	h.fake.SetLiveDNSPageSize(1000)
	var out tools.ListDNSRecordsOutput
	res := h.call("list_dns_records", map[string]any{"fqdn": readZone}, &out)
	tr := out.Troubleshooting
	if !res.IsError || tr == nil || tr.Diagnosis != tools.BadResponse || !strings.Contains(tr.Summary, "20000") ||
		!strings.Contains(strings.Join(tr.NextSteps, " "), "format zone") {
		t.Fatalf("isError %v troubleshooting %+v: want bad_response naming the bound and format zone", res.IsError, tr)
	}
	var zone tools.ListDNSRecordsOutput
	if res := h.call("list_dns_records", map[string]any{"fqdn": readZone, "format": "zone"}, &zone); res.IsError || !strings.Contains(zone.Zone, "h20000 300 IN A 192.0.2.1") {
		t.Errorf("format zone: isError %v, %d bytes", res.IsError, len(zone.Zone))
	}
}
