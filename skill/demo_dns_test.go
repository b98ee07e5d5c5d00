package skill

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"testing"

	"github.com/gandi-mcp/gandi-mcp/gandi"
)

// TestDemoHasZones: the demo account's domains on LiveDNS have real-looking
// zones the demo token can read, and its other domains say where their DNS is.
func TestDemoHasZones(t *testing.T) {
	ctx, c := demoClient(t)

	on, err := c.Domains(ctx, gandi.DomainsQuery{Nameserver: "livedns", PerPage: 3, SortBy: "fqdn"})
	if err != nil || len(on.Domains) != 3 {
		t.Fatalf("domains on LiveDNS: %v, %v", on, err)
	}
	types := map[string]bool{}
	for _, dom := range on.Domains {
		sets, err := c.Records(ctx, dom.FQDN)
		if err != nil || len(sets) == 0 {
			t.Fatalf("Records(%s) = %v, %v", dom.FQDN, sets, err)
		}
		for _, rs := range sets {
			types[rs.Type] = true
		}
	}
	for _, want := range []string{"A", "AAAA", "CNAME", "MX", "TXT", "CAA"} {
		if !types[want] {
			t.Errorf("the demo's first zones have no %s record (types %v)", want, types)
		}
	}

	off, err := c.Domains(ctx, gandi.DomainsQuery{Nameserver: "other", PerPage: 1})
	if err != nil || len(off.Domains) != 1 {
		t.Fatalf("domains elsewhere: %v, %v", off, err)
	}
	var ae *gandi.Error
	if _, err := c.LiveDNSDomain(ctx, off.Domains[0].FQDN); !errors.As(err, &ae) || ae.Status != http.StatusNotFound {
		t.Errorf("LiveDNSDomain of a domain elsewhere: %v, want 404", err)
	}
	ns, err := c.DomainLiveDNS(ctx, off.Domains[0].FQDN)
	if err != nil || ns.Current != "other" || len(ns.Nameservers) == 0 || slices.Contains(ns.Nameservers, "") {
		t.Errorf("DomainLiveDNS of a domain elsewhere = %+v, %v", ns, err)
	}
}

// demoClient starts the demo account for t and returns a client with its good token.
func demoClient(t *testing.T) (context.Context, *gandi.Client) {
	t.Helper()
	d, err := StartDemo()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	return context.Background(), d.Fake.Client(gandi.SchemeBearer, d.Good.Secret)
}
