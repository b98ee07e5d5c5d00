package gandi_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"testing"

	"github.com/gandi-mcp/gandi-mcp/gandi"
	"github.com/gandi-mcp/gandi-mcp/gandi/ganditest"
)

// settingsWorld is a fake with acme.fr visible to tokens of each scope set, and hidden.org not.
type settingsWorld struct {
	srv                    *ganditest.Server
	all, view, renew, tech *gandi.Client
}

func newSettingsWorld(t *testing.T) settingsWorld {
	t.Helper()
	srv := ganditest.NewTestServer(t)
	org := srv.AddOrganization(gandi.Organization{Name: "acme"})
	other := srv.AddOrganization(gandi.Organization{Name: "others"})
	srv.AddDomains(
		gandi.Domain{FQDN: "acme.fr", SharingID: org.ID, Nameserver: gandi.Nameserver{Current: "livedns"}},
		gandi.Domain{FQDN: "hidden.org", SharingID: other.ID},
	)
	client := func(scopes ...string) *gandi.Client {
		tok := srv.AddToken(ganditest.Token{Scopes: scopes, Entities: []gandi.Entity{ganditest.OrganizationEntity(org)}})
		return srv.Client(gandi.SchemeBearer, tok.Secret)
	}
	return settingsWorld{srv: srv, all: client("domain:view", "domain:renew", "domain:tech"),
		view: client("domain:view"), renew: client("domain:view", "domain:renew"), tech: client("domain:view", "domain:tech")}
}

func wantStatus(t *testing.T, err error, status int) {
	t.Helper()
	var ge *gandi.Error
	if !errors.As(err, &ge) || ge.Status != status {
		t.Fatalf("err = %v, want Gandi's %d", err, status)
	}
}

// TestSetAutoRenewOnTheFake: the PATCH is sent as the reference says, never retried, and
// the details show the change; 403 without domain:renew, 404 for a domain not seen.
func TestSetAutoRenewOnTheFake(t *testing.T) {
	w := newSettingsWorld(t)
	ctx := context.Background()
	steps := []struct {
		ch       gandi.AutoRenewChange
		enabled  bool
		duration int
		body     string
	}{
		{gandi.AutoRenewChange{Enabled: true, Duration: 3}, true, 3, `{"enabled":true,"duration":3}`},
		{gandi.AutoRenewChange{Enabled: false}, false, 3, `{"enabled":false}`},
		{gandi.AutoRenewChange{Enabled: true}, true, 3, `{"enabled":true}`},
	}
	for _, st := range steps {
		w.srv.ResetRequests()
		if err := w.renew.SetAutoRenew(ctx, "acme.fr", st.ch); err != nil {
			t.Fatalf("%+v: %v", st.ch, err)
		}
		rs := w.srv.Requests()
		if len(rs) != 1 || rs[0].Method != http.MethodPatch || rs[0].Path != "/v5/domain/domains/acme.fr/autorenew" || string(rs[0].Body) != st.body {
			t.Fatalf("requests %+v, want one PATCH with %s", rs, st.body)
		}
		d, err := w.view.DomainDetails(ctx, "acme.fr")
		if err != nil {
			t.Fatal(err)
		}
		if d.AutoRenew.Enabled != st.enabled || d.AutoRenew.Duration != st.duration {
			t.Errorf("after %+v the details say %+v", st.ch, d.AutoRenew)
		}
	}
	wantStatus(t, w.tech.SetAutoRenew(ctx, "acme.fr", gandi.AutoRenewChange{Enabled: true}), http.StatusForbidden)
	wantStatus(t, w.all.SetAutoRenew(ctx, "hidden.org", gandi.AutoRenewChange{Enabled: true}), http.StatusNotFound)

	w.srv.Inject(ganditest.Fault{Method: http.MethodPatch, Path: "/v5/domain/domains/acme.fr/autorenew", Status: http.StatusServiceUnavailable})
	w.srv.ResetRequests()
	wantStatus(t, w.all.SetAutoRenew(ctx, "acme.fr", gandi.AutoRenewChange{Enabled: false}), http.StatusServiceUnavailable)
	if n := len(w.srv.Requests()); n != 1 {
		t.Errorf("a refused PATCH was sent %d times, want once (writes are never retried)", n)
	}
	for _, bad := range []gandi.AutoRenewChange{{Enabled: true, Duration: 10}, {Enabled: true, Duration: -1}} {
		w.srv.ResetRequests()
		if err := w.all.SetAutoRenew(ctx, "acme.fr", bad); !errors.Is(err, gandi.ErrInvalidArgument) || len(w.srv.Requests()) != 0 {
			t.Errorf("%+v: err = %v after %d requests, want ErrInvalidArgument before any", bad, err, len(w.srv.Requests()))
		}
	}
}

// TestSetNameserversOnTheFake: the PUT replaces the set that GET /nameservers, /livedns and the
// details show, and moves the domain on or off LiveDNS; 403 without domain:tech, 404 unseen.
func TestSetNameserversOnTheFake(t *testing.T) {
	w := newSettingsWorld(t)
	ctx := context.Background()
	tests := []struct {
		hosts   []string
		current string
	}{
		{[]string{"ns1.dns-host.example", "ns2.dns-host.example"}, "other"},
		{[]string{"a.dns.gandi.net", "b.dns.gandi.net"}, "classic"},
		{[]string{"ns-1-a.gandi.net", "ns-2-b.gandi.net", "ns-3-c.gandi.net"}, "livedns"},
	}
	for _, tc := range tests {
		w.srv.ResetRequests()
		if err := w.tech.SetNameservers(ctx, "acme.fr", tc.hosts); err != nil {
			t.Fatalf("%v: %v", tc.hosts, err)
		}
		rs := w.srv.Requests()
		var body struct{ Nameservers []string }
		if len(rs) != 1 || rs[0].Method != http.MethodPut || rs[0].Path != "/v5/domain/domains/acme.fr/nameservers" ||
			json.Unmarshal(rs[0].Body, &body) != nil || !slices.Equal(body.Nameservers, tc.hosts) {
			t.Fatalf("requests %+v, want one PUT of %v", rs, tc.hosts)
		}
		got, err := w.view.DomainNameservers(ctx, "acme.fr")
		if err != nil || !slices.Equal(got, tc.hosts) {
			t.Errorf("GET nameservers = %v, %v; want %v", got, err, tc.hosts)
		}
		ld, err := w.view.DomainLiveDNS(ctx, "acme.fr")
		if err != nil || ld.Current != tc.current || !slices.Equal(ld.Nameservers, tc.hosts) {
			t.Errorf("GET livedns = %+v, %v; want %s %v", ld, err, tc.current, tc.hosts)
		}
		d, err := w.view.DomainDetails(ctx, "acme.fr")
		if err != nil || !slices.Equal(d.Nameservers, tc.hosts) {
			t.Errorf("details nameservers = %v, %v", d, err)
		}
		_, zerr := w.view.Records(ctx, "acme.fr")
		if onLive := zerr == nil; onLive != (tc.current == "livedns") {
			t.Errorf("on %v the zone is served: %v", tc.hosts, zerr)
		}
	}
	wantStatus(t, w.renew.SetNameservers(ctx, "acme.fr", []string{"ns1.example.net"}), http.StatusForbidden)
	wantStatus(t, w.all.SetNameservers(ctx, "hidden.org", []string{"ns1.example.net"}), http.StatusNotFound)
	wantStatus(t, w.all.SetNameservers(ctx, "acme.fr", []string{"not a host"}), http.StatusBadRequest)
	w.srv.ResetRequests()
	if err := w.all.SetNameservers(ctx, "acme.fr", nil); !errors.Is(err, gandi.ErrInvalidArgument) || len(w.srv.Requests()) != 0 {
		t.Errorf("no hosts: err = %v, want ErrInvalidArgument before any request", err)
	}
}
