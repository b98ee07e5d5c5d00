package ganditest_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gandi-mcp/gandi-mcp/gandi"
	"github.com/gandi-mcp/gandi-mcp/gandi/ganditest"
	"github.com/gandi-mcp/gandi-mcp/zone"
)

// dnsFake is a fake with a zone on LiveDNS, a domain elsewhere, and tokens.
type dnsFake struct {
	srv                      *ganditest.Server
	tech, view, none, apikey string // Authorization header values
	zone, elsewhere, hidden  string
}

func newDNSFake(t *testing.T) *dnsFake {
	t.Helper()
	s := ganditest.NewTestServer(t)
	acme := s.AddOrganization(gandi.Organization{Name: "acme"})
	other := s.AddOrganization(gandi.Organization{Name: "other"})
	f := &dnsFake{srv: s, zone: "example.com", elsewhere: "example.org", hidden: "example.net"}
	s.AddDomains(
		gandi.Domain{FQDN: f.zone, SharingID: acme.ID, Nameserver: gandi.Nameserver{Current: "livedns"}},
		gandi.Domain{FQDN: f.elsewhere, SharingID: acme.ID, Nameserver: gandi.Nameserver{Current: "other"}},
		gandi.Domain{FQDN: f.hidden, SharingID: other.ID, Nameserver: gandi.Nameserver{Current: "livedns"}},
	)
	if err := s.SetZone(f.zone, []gandi.RecordSet{
		{Name: "@", Type: "A", TTL: 1800, Values: []string{"203.0.113.1"}},
		{Name: "www", Type: "CNAME", Values: []string{"example.com."}},
	}); err != nil {
		t.Fatal(err)
	}
	whole := []gandi.Entity{ganditest.OrganizationEntity(acme)}
	f.tech = "Bearer " + s.AddToken(ganditest.Token{Scopes: []string{"domain:tech"}, Entities: whole}).Secret
	f.view = "Bearer " + s.AddToken(ganditest.Token{Scopes: []string{"domain:view"}, Entities: whole}).Secret
	f.none = "Bearer " + s.AddToken(ganditest.Token{Scopes: []string{"domain:renew", "organization:view"}, Entities: whole}).Secret
	f.apikey = "Apikey " + s.AddToken(ganditest.Token{Apikey: true, Entities: whole}).Secret
	return f
}

func (f *dnsFake) do(t *testing.T, method, path, auth, body string, header ...string) (int, http.Header, []byte) {
	t.Helper()
	if body != "" {
		header = append(header, "Content-Type", "application/json")
	}
	return raw(t, f.srv, method, path, auth, body, header...)
}

// keys returns the sorted keys of a JSON object.
func keys(t *testing.T, b []byte) []string {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("not a JSON object: %s", b)
	}
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func first(t *testing.T, b []byte) []byte {
	t.Helper()
	var items []json.RawMessage
	if err := json.Unmarshal(b, &items); err != nil || len(items) == 0 {
		t.Fatalf("not a non-empty JSON array: %s", b)
	}
	return items[0]
}

// TestLiveDNSShapes compares every answer's fields with the reference's names.
func TestLiveDNSShapes(t *testing.T) {
	f := newDNSFake(t)
	const base = "/v5/livedns/domains/example.com"
	setKeys := []string{"rrset_href", "rrset_name", "rrset_ttl", "rrset_type", "rrset_values"}
	snapKeys := []string{"automatic", "created_at", "id", "name", "snapshot_href"}

	status, h, body := f.do(t, "POST", base+"/snapshots", f.tech, `{"name":"before"}`)
	if status != 201 || !slices.Equal(keys(t, body), []string{"id", "message"}) {
		t.Fatalf("POST snapshots = %d %s", status, body)
	}
	var made struct{ ID string }
	_ = json.Unmarshal(body, &made)
	if loc := h.Get("Location"); loc != f.srv.URL+base+"/snapshots/"+made.ID {
		t.Errorf("Location = %q", loc)
	}

	tests := []struct {
		name, method, path, body string
		wantStatus               int
		wantKeys                 []string
		array                    bool
	}{
		{"zone", "GET", base, "", 200, []string{"automatic_snapshots", "domain_href", "domain_keys_href", "domain_records_href", "fqdn"}, false},
		{"records", "GET", base + "/records", "", 200, setKeys, true},
		{"records of a name", "GET", base + "/records/www", "", 200, setKeys, true},
		{"one record set", "GET", base + "/records/www/CNAME", "", 200, setKeys, false},
		{"put one record set", "PUT", base + "/records/api/A", `{"rrset_values":["192.0.2.9"],"rrset_ttl":300}`, 201, []string{"message"}, false},
		{"post a record set", "POST", base + "/records", `{"rrset_name":"mail","rrset_type":"A","rrset_values":["192.0.2.10"]}`, 201, []string{"message"}, false},
		{"patch a record set", "PATCH", base + "/records/api/A", `{"add_rrset_values":["192.0.2.11"]}`, 201, []string{"message"}, false},
		{"snapshots", "GET", base + "/snapshots", "", 200, snapKeys, true},
		{"one snapshot", "GET", base + "/snapshots/" + made.ID, "", 200, append(slices.Clone(snapKeys), "zone_data"), false},
		{"domain's DNS", "GET", "/v5/domain/domains/example.org/livedns", "", 200, []string{"current", "dnssec_available", "livednssec_available", "nameservers"}, false},
		{"no such set", "GET", base + "/records/nope/A", "", 404, []string{"cause", "code", "message", "object"}, false},
		{"not on LiveDNS", "GET", "/v5/livedns/domains/example.org", "", 404, []string{"cause", "code", "message", "object"}, false},
		{"bad TTL", "PUT", base + "/records/api/A", `{"rrset_values":["192.0.2.9"],"rrset_ttl":60}`, 400, []string{"errors", "status"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, h, body := f.do(t, tt.method, tt.path, f.tech, tt.body)
			if status != tt.wantStatus {
				t.Fatalf("status %d, want %d: %s", status, tt.wantStatus, body)
			}
			if h.Get("Content-Type") != "application/json" {
				t.Errorf("Content-Type = %q", h.Get("Content-Type"))
			}
			if tt.array {
				body = first(t, body)
			}
			if got := keys(t, body); !slices.Equal(got, tt.wantKeys) {
				t.Errorf("keys = %v, want %v: %s", got, tt.wantKeys, body)
			}
		})
	}
	// Standard 404 body, and the set's values and TTL as stored.
	_, _, body = f.do(t, "GET", "/v5/livedns/domains/example.org/records", f.tech, "")
	if string(body) != ganditest.StandardErrorBody(404) {
		t.Errorf("404 body = %s", body)
	}
	_, _, body = f.do(t, "GET", base+"/records/www/CNAME", f.tech, "")
	var rs struct {
		TTL    int      `json:"rrset_ttl"`
		Values []string `json:"rrset_values"`
		Href   string   `json:"rrset_href"`
	}
	_ = json.Unmarshal(body, &rs)
	if rs.TTL != 10800 || !slices.Equal(rs.Values, []string{"example.com."}) || rs.Href != f.srv.URL+base+"/records/www/CNAME" {
		t.Errorf("www CNAME = %s", body)
	}
	status, _, body = f.do(t, "DELETE", base+"/records/api/A", f.tech, "")
	if status != 204 || len(body) != 0 {
		t.Errorf("DELETE = %d %q", status, body)
	}
}

func TestLiveDNSScopes(t *testing.T) {
	f := newDNSFake(t)
	const base = "/v5/livedns/domains/example.com"
	put := `{"rrset_values":["192.0.2.1"]}`
	tests := []struct {
		name, method, path, body string
		auth                     func(*dnsFake) string
		want                     int
	}{
		{"read with domain:view", "GET", base + "/records", "", func(f *dnsFake) string { return f.view }, 200},
		{"read with domain:tech", "GET", base + "/records", "", func(f *dnsFake) string { return f.tech }, 200},
		{"read with neither", "GET", base + "/records", "", func(f *dnsFake) string { return f.none }, 403},
		{"snapshots with neither", "GET", base + "/snapshots", "", func(f *dnsFake) string { return f.none }, 403},
		{"nameservers with neither", "GET", "/v5/domain/domains/example.org/livedns", "", func(f *dnsFake) string { return f.none }, 403},
		{"read with an api key", "GET", base + "/records", "", func(f *dnsFake) string { return f.apikey }, 200},
		{"write with domain:tech", "PUT", base + "/records/x/A", put, func(f *dnsFake) string { return f.tech }, 201},
		{"write with domain:view", "PUT", base + "/records/x/A", put, func(f *dnsFake) string { return f.view }, 403},
		{"delete with domain:view", "DELETE", base + "/records/www/CNAME", "", func(f *dnsFake) string { return f.view }, 403},
		{"snapshot with domain:view", "POST", base + "/snapshots", "{}", func(f *dnsFake) string { return f.view }, 403},
		{"write with an api key", "PUT", base + "/records/x/A", put, func(f *dnsFake) string { return f.apikey }, 403},
		{"no token", "GET", base + "/records", "", func(*dnsFake) string { return "" }, 401},
		{"someone else's zone", "GET", "/v5/livedns/domains/example.net/records", "", func(f *dnsFake) string { return f.tech }, 404},
		{"someone else's nameservers", "GET", "/v5/domain/domains/example.net/livedns", "", func(f *dnsFake) string { return f.tech }, 404},
		{"not on LiveDNS", "GET", "/v5/livedns/domains/example.org", "", func(f *dnsFake) string { return f.tech }, 404},
		{"unknown domain", "GET", "/v5/livedns/domains/nope.example", "", func(f *dnsFake) string { return f.tech }, 404},
		{"unknown sub-route", "GET", base + "/keys/x/y", "", func(f *dnsFake) string { return f.tech }, 404},
		{"POST on a record set", "POST", base + "/records/www/CNAME", put, func(f *dnsFake) string { return f.tech }, 405},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, _, body := f.do(t, tt.method, tt.path, tt.auth(f), tt.body)
			if status != tt.want {
				t.Errorf("status %d, want %d: %s", status, tt.want, body)
			}
		})
	}
}

func TestLiveDNSSnapshotOrder(t *testing.T) {
	f := newDNSFake(t)
	const base = "/v5/livedns/domains/example.com/snapshots"
	old, err := f.srv.AddSnapshot(f.zone, gandi.Snapshot{Name: "nightly", Automatic: true, CreatedAt: time.Now().Add(-48 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	var made []string
	for _, name := range []string{"one", "two", "three"} {
		_, _, body := f.do(t, "POST", base, f.tech, `{"name":"`+name+`"}`)
		var m struct{ ID string }
		_ = json.Unmarshal(body, &m)
		made = append(made, m.ID)
	}
	list := func(query string) []string {
		_, _, body := f.do(t, "GET", base+query, f.view, "")
		var snaps []struct{ ID string }
		if err := json.Unmarshal(body, &snaps); err != nil {
			t.Fatalf("%s: %s", query, body)
		}
		var ids []string
		for _, s := range snaps {
			ids = append(ids, s.ID)
		}
		return ids
	}
	newest := []string{made[2], made[1], made[0], old.ID}
	if got := list(""); !slices.Equal(got, newest) {
		t.Errorf("default order = %v, want newest first %v", got, newest)
	}
	if got, want := list("?sort_by=date_created"), []string{old.ID, made[0], made[1], made[2]}; !slices.Equal(got, want) {
		t.Errorf("sort_by=date_created = %v, want %v", got, want)
	}
	if got := list("?automatic=true"); !slices.Equal(got, []string{old.ID}) {
		t.Errorf("automatic=true = %v", got)
	}
	if got := list("?page=2&per_page=3"); !slices.Equal(got, []string{old.ID}) {
		t.Errorf("page 2 of 3 = %v", got)
	}
	if got := f.srv.Snapshots(f.zone); len(got) != 4 || got[0].ID != made[2] || len(got[0].ZoneData) != 2 {
		t.Errorf("Server.Snapshots = %+v", got)
	}
}

// TestLiveDNSReplaceAndEdit: PUT {"items"} replaces the whole zone; a snapshot
// keeps the zone as it was; edits behind the API's back are seen by the API.
func TestLiveDNSReplaceAndEdit(t *testing.T) {
	f := newDNSFake(t)
	const base = "/v5/livedns/domains/example.com"
	_, _, body := f.do(t, "POST", base+"/snapshots", f.tech, "")
	var snap struct{ ID string }
	_ = json.Unmarshal(body, &snap)
	before, _ := f.srv.Zone(f.zone)

	status, _, body := f.do(t, "PUT", base+"/records", f.tech,
		`{"items":[{"rrset_name":"@","rrset_type":"MX","rrset_values":["10 mx.example.net."]},{"rrset_name":"WWW","rrset_type":"a","rrset_ttl":300,"rrset_values":["192.0.2.5"]}]}`)
	if status != 201 {
		t.Fatalf("PUT items = %d %s", status, body)
	}
	want := []gandi.RecordSet{
		{Name: "@", Type: "MX", TTL: 10800, Values: []string{"10 mx.example.net."}},
		{Name: "www", Type: "A", TTL: 300, Values: []string{"192.0.2.5"}},
	}
	if got, _ := f.srv.Zone(f.zone); !reflect.DeepEqual(got, want) {
		t.Errorf("zone after PUT items = %v, want %v", got, want)
	}
	for _, bad := range []string{
		`{"items":[{"rrset_name":"a","rrset_type":"A","rrset_values":["192.0.2.1"]},{"rrset_name":"a","rrset_type":"A","rrset_values":["192.0.2.2"]}]}`,
		`{"items":[{"rrset_name":"a","rrset_type":"NOPE","rrset_values":["x"]}]}`,
		`{"items":[{"rrset_name":"a","rrset_type":"A","rrset_values":[]}]}`,
		`{"items":`,
	} {
		if status, _, body := f.do(t, "PUT", base+"/records", f.tech, bad); status != 400 {
			t.Errorf("PUT %s = %d %s, want 400", bad, status, body)
		}
	}
	if got, _ := f.srv.Zone(f.zone); !reflect.DeepEqual(got, want) {
		t.Errorf("a refused PUT changed the zone: %v", got)
	}

	_, _, body = f.do(t, "GET", base+"/snapshots/"+snap.ID, f.view, "")
	var got struct {
		ZoneData []gandi.RecordSet `json:"zone_data"`
	}
	if err := json.Unmarshal(body, &got); err != nil || !reflect.DeepEqual(got.ZoneData, before) {
		t.Errorf("snapshot zone_data = %s, want %v", body, before)
	}

	// Behind the back: the API sees the edit at once.
	if err := f.srv.SetRecordSet(f.zone, gandi.RecordSet{Name: "www", Type: "A", TTL: 600, Values: []string{"192.0.2.6"}}); err != nil {
		t.Fatal(err)
	}
	if err := f.srv.EditZone(f.zone, func(sets *[]gandi.RecordSet) {
		*sets = append(*sets, gandi.RecordSet{Name: "_dmarc", Type: "TXT", Values: []string{`"v=DMARC1; p=none"`}})
	}); err != nil {
		t.Fatal(err)
	}
	_, _, body = f.do(t, "GET", base+"/records/www/A", f.view, "")
	if !strings.Contains(string(body), `"rrset_ttl":600`) || !strings.Contains(string(body), "192.0.2.6") {
		t.Errorf("www A after the edit = %s", body)
	}
	if status, _, _ := f.do(t, "GET", base+"/records/_dmarc/TXT", f.view, ""); status != 200 {
		t.Errorf("the set added behind the back answers %d", status)
	}
	if err := f.srv.SetRecordSet(f.zone, gandi.RecordSet{Name: "www", Type: "A"}); err != nil {
		t.Fatal(err)
	}
	if status, _, _ := f.do(t, "GET", base+"/records/www/A", f.view, ""); status != 404 {
		t.Errorf("the set removed behind the back answers %d", status)
	}
	if err := f.srv.EditZone(f.zone, func(sets *[]gandi.RecordSet) { (*sets)[0].TTL = 5 }); err == nil {
		t.Error("EditZone accepted a TTL of 5")
	}
	if err := f.srv.EditZone(f.elsewhere, func(*[]gandi.RecordSet) {}); err == nil {
		t.Error("EditZone of a domain not on LiveDNS succeeded")
	}
	if err := f.srv.SetZone("nope.example", nil); err == nil {
		t.Error("SetZone of an unknown domain succeeded")
	}
}

func TestLiveDNSByNameAndPatch(t *testing.T) {
	f := newDNSFake(t)
	const base = "/v5/livedns/domains/example.com/records"
	steps := []struct {
		method, path, body string
		want               int
	}{
		{"POST", base + "/mail", `{"rrset_type":"A","rrset_values":["192.0.2.20"]}`, 201},
		{"POST", base + "/mail", `{"rrset_type":"A","rrset_values":["192.0.2.21"]}`, 409},
		{"PUT", base + "/mail", `{"items":[{"rrset_type":"AAAA","rrset_values":["2001:db8::20"]},{"rrset_type":"TXT","rrset_values":["\"hi\""]}]}`, 201},
		{"PUT", base + "/mail", `{"items":[{"rrset_name":"other","rrset_type":"A","rrset_values":["192.0.2.1"]}]}`, 400},
		{"PATCH", base + "/mail/AAAA", `{"add_rrset_values":["2001:db8::21"],"rrset_ttl":900}`, 201},
		{"PATCH", base + "/mail/TXT", `{"remove_rrset_values":["\"hi\""]}`, 200},
		{"PATCH", base + "/nope/A", `{"remove_rrset_values":["192.0.2.1"]}`, 404},
		{"DELETE", base + "/nope", "", 404},
	}
	for _, s := range steps {
		if status, _, body := f.do(t, s.method, s.path, f.tech, s.body); status != s.want {
			t.Fatalf("%s %s %s = %d %s, want %d", s.method, s.path, s.body, status, body, s.want)
		}
	}
	_, _, body := f.do(t, "GET", base+"/mail", f.view, "")
	var sets []gandi.RecordSet
	_ = json.Unmarshal(body, &sets)
	want := []gandi.RecordSet{{Name: "mail", Type: "AAAA", TTL: 900, Values: []string{"2001:db8::20", "2001:db8::21"}}}
	if !reflect.DeepEqual(sets, want) {
		t.Errorf("records of mail = %s, want %v", body, want)
	}
	if status, _, _ := f.do(t, "DELETE", base+"/mail", f.tech, ""); status != 204 {
		t.Errorf("DELETE by name = %d", status)
	}
	if status, _, _ := f.do(t, "DELETE", base, f.tech, ""); status != 204 {
		t.Errorf("DELETE all = %d", status)
	}
	if got, ok := f.srv.Zone(f.zone); !ok || len(got) != 0 {
		t.Errorf("zone after DELETE all = %v, %v", got, ok)
	}
}

func TestLiveDNSZoneText(t *testing.T) {
	f := newDNSFake(t)
	status, h, body := f.do(t, "GET", "/v5/livedns/domains/example.com/records", f.view, "", "Accept", "text/plain")
	want := "$ORIGIN example.com.\n@ 1800 IN A 203.0.113.1\nwww 10800 IN CNAME example.com.\n"
	if status != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/plain") || string(body) != want {
		t.Errorf("text zone = %d %q %q, want %q", status, h.Get("Content-Type"), body, want)
	}
	_, _, body = f.do(t, "GET", "/v5/livedns/domains/example.com/records?rrset_type=CNAME", f.view, "", "Accept", "text/plain")
	if string(body) != "$ORIGIN example.com.\nwww 10800 IN CNAME example.com.\n" {
		t.Errorf("text zone of CNAMEs = %q", body)
	}
}

// TestLiveDNSFaultsPerRoute: a fault on one route leaves the others alone.
func TestLiveDNSFaultsPerRoute(t *testing.T) {
	f := newDNSFake(t)
	const base = "/v5/livedns/domains/example.com"
	f.srv.Inject(ganditest.Fault{Method: "PUT", Path: base + "/records/www/", Status: 500, Times: 1})
	f.srv.Inject(ganditest.Fault{Method: "POST", Path: base + "/snapshots", Status: 503})
	put := `{"rrset_values":["example.net."]}`
	if status, _, _ := f.do(t, "PUT", base+"/records/www/CNAME", f.tech, put); status != 500 {
		t.Errorf("faulty PUT = %d", status)
	}
	if status, _, _ := f.do(t, "PUT", base+"/records/api/A", f.tech, `{"rrset_values":["192.0.2.1"]}`); status != 201 {
		t.Errorf("PUT on another name = %d", status)
	}
	if status, _, _ := f.do(t, "PUT", base+"/records/www/CNAME", f.tech, put); status != 201 {
		t.Errorf("PUT after the fault's one time = %d", status)
	}
	if status, _, _ := f.do(t, "POST", base+"/snapshots", f.tech, "{}"); status != 503 {
		t.Errorf("faulty POST snapshots = %d", status)
	}
	if status, _, _ := f.do(t, "GET", base+"/snapshots", f.tech, ""); status != 200 {
		t.Errorf("GET snapshots = %d", status)
	}
	if n := len(f.srv.Snapshots(f.zone)); n != 0 {
		t.Errorf("a failed POST made %d snapshots", n)
	}
}

func TestLiveDNSNameservers(t *testing.T) {
	f := newDNSFake(t)
	read := func(fqdn string) (string, []string) {
		_, _, body := f.do(t, "GET", "/v5/domain/domains/"+fqdn+"/livedns", f.view, "")
		var v struct {
			Current     string
			Nameservers []string
		}
		_ = json.Unmarshal(body, &v)
		return v.Current, v.Nameservers
	}
	if cur, ns := read(f.elsewhere); cur != "other" || len(ns) == 0 || slices.ContainsFunc(ns, func(h string) bool { return strings.HasSuffix(h, "gandi.net") }) {
		t.Errorf("domain elsewhere: %s %v", cur, ns)
	}
	if err := f.srv.SetNameservers(f.zone, "other", []string{"ns1.example.net"}); err != nil {
		t.Fatal(err)
	}
	if cur, ns := read(f.zone); cur != "other" || !slices.Equal(ns, []string{"ns1.example.net"}) {
		t.Errorf("moved off LiveDNS: %s %v", cur, ns)
	}
	if status, _, _ := f.do(t, "GET", "/v5/livedns/domains/example.com/records", f.view, ""); status != 404 {
		t.Errorf("records of a domain moved off LiveDNS = %d", status)
	}
	_, _, body := f.do(t, "GET", "/v5/domain/domains?nameserver=other", f.view, "")
	if !strings.Contains(string(body), `"fqdn":"example.com"`) {
		t.Errorf("the domain list does not say it moved: %s", body)
	}
	if err := f.srv.SetNameservers(f.zone, "livedns", nil); err != nil {
		t.Fatal(err)
	}
	if cur, ns := read(f.zone); cur != "livedns" || len(ns) != 3 {
		t.Errorf("back on LiveDNS: %s %v", cur, ns)
	}
	if got, ok := f.srv.Zone(f.zone); !ok || len(got) != 2 {
		t.Errorf("the zone did not survive the move: %v %v", got, ok)
	}
	if err := f.srv.SetNameservers(f.zone, "cloud", nil); err == nil {
		t.Error("SetNameservers accepted current \"cloud\"")
	}
}

// TestSeededZones: every seeded domain on LiveDNS has a valid, real-looking
// zone on documentation addresses; those elsewhere have none.
func TestSeededZones(t *testing.T) {
	s := ganditest.NewTestServer(t)
	org := s.AddOrganization(gandi.Organization{Name: "acme"})
	ds := s.SeedDomains(org.ID, 24, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	docs := []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24"), netip.MustParsePrefix("198.51.100.0/24"),
		netip.MustParsePrefix("203.0.113.0/24"), netip.MustParsePrefix("2001:db8::/32")}
	shapes := map[string]bool{}
	off := 0
	for _, d := range ds {
		sets, ok := s.Zone(d.FQDN)
		if ok != (d.Nameserver.Current == "livedns") {
			t.Errorf("%s: nameserver %s but on LiveDNS %v", d.FQDN, d.Nameserver.Current, ok)
		}
		if !ok {
			off++
			continue
		}
		var zs []zone.RecordSet
		for _, rs := range sets {
			norm, err := zone.NormalizeValues(d.FQDN, rs.Name, rs.Type, rs.Values)
			if err != nil {
				t.Errorf("%s: %s %s: %v", d.FQDN, rs.Name, rs.Type, err)
			}
			if !slices.Equal(norm, rs.Values) {
				t.Errorf("%s: %s %s values %q are not normalised (%q)", d.FQDN, rs.Name, rs.Type, rs.Values, norm)
			}
			if rs.Type == "A" || rs.Type == "AAAA" {
				for _, v := range rs.Values {
					a := netip.MustParseAddr(v)
					if !slices.ContainsFunc(docs, func(p netip.Prefix) bool { return p.Contains(a) }) {
						t.Errorf("%s: %s is not a documentation address", d.FQDN, v)
					}
				}
			}
			zs = append(zs, zone.RecordSet{Name: rs.Name, Type: rs.Type, TTL: rs.TTL, Values: rs.Values})
		}
		if p := zone.CheckZone(zs); len(p) > 0 {
			t.Errorf("%s: %v", d.FQDN, p)
		}
		shapes[fmt.Sprint(len(sets))] = true
		if !slices.ContainsFunc(sets, func(rs gandi.RecordSet) bool { return rs.Name == "@" && rs.Type == "A" }) {
			t.Errorf("%s has no address at the apex", d.FQDN)
		}
	}
	if off == 0 || len(shapes) < 3 {
		t.Errorf("%d domains off LiveDNS, %d zone shapes: want some of each", off, len(shapes))
	}
	mail := ganditest.DefaultZone("mail.example")
	for _, d := range ds {
		if z := ganditest.DefaultZone(d.FQDN); len(z) == 9 {
			mail = z
		}
	}
	for _, want := range []struct{ name, rtype, value string }{
		{"@", "TXT", `"v=spf1 include:_mailcust.gandi.net ?all"`},
		{"@", "MX", "10 spool.mail.gandi.net."},
		{"gm1._domainkey", "CNAME", "gm1.gandimail.net."},
		{"@", "CAA", `0 issue "letsencrypt.org"`},
	} {
		if !slices.ContainsFunc(mail, func(rs gandi.RecordSet) bool {
			return rs.Name == want.name && rs.Type == want.rtype && slices.Contains(rs.Values, want.value)
		}) {
			t.Errorf("the web and mail zone lacks %v: %v", want, mail)
		}
	}
}

// TestLiveDNSConcurrency: parallel writes to one zone, behind-the-back edits
// and reads, under -race; every write lands.
func TestLiveDNSConcurrency(t *testing.T) {
	f := newDNSFake(t)
	const n = 30
	var wg sync.WaitGroup
	statuses := make([]int, n)
	for i := range n {
		wg.Add(3)
		go func() {
			defer wg.Done()
			statuses[i] = send(f.srv, "PUT", fmt.Sprintf("/v5/livedns/domains/example.com/records/h%02d/A", i), f.tech,
				fmt.Sprintf(`{"rrset_values":["192.0.2.%d"]}`, i+1))
		}()
		go func() {
			defer wg.Done()
			_ = f.srv.SetRecordSet(f.zone, gandi.RecordSet{Name: fmt.Sprintf("b%02d", i), Type: "TXT", Values: []string{`"x"`}})
		}()
		go func() {
			defer wg.Done()
			if st := send(f.srv, "GET", "/v5/livedns/domains/example.com/records", f.view, ""); st != 200 {
				t.Errorf("GET records during writes = %d", st)
			}
			f.srv.Zone(f.zone)
		}()
	}
	wg.Wait()
	for i, st := range statuses {
		if st != 201 {
			t.Errorf("PUT %d = %d", i, st)
		}
	}
	if got, _ := f.srv.Zone(f.zone); len(got) != 2+2*n {
		t.Errorf("zone holds %d sets, want %d", len(got), 2+2*n)
	}
}

// send makes one request from any goroutine (raw may call t.Fatal, which only
// the test's goroutine may); it returns the status, 0 when there is none.
func send(srv *ganditest.Server, method, path, auth, body string) int {
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		return 0
	}
	req.Header.Set("Authorization", auth)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}
