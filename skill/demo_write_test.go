package skill

import (
	"testing"

	"github.com/gandi-mcp/gandi-mcp/gandi"
)

// TestDemoTokenCanChangeDNS: the demo's good token has domain:tech, so that the DNS
// changes work in the demo as they would with a real token made for them.
func TestDemoTokenCanChangeDNS(t *testing.T) {
	ctx, c := demoClient(t)
	on, err := c.Domains(ctx, gandi.DomainsQuery{Nameserver: "livedns", PerPage: 1})
	if err != nil || len(on.Domains) != 1 {
		t.Fatalf("a demo domain on LiveDNS: %v, %v", on, err)
	}
	fqdn := on.Domains[0].FQDN
	if err := c.PutRecordSet(ctx, fqdn, "demo", "A", 300, []string{"192.0.2.10"}); err != nil {
		t.Fatalf("PutRecordSet with the demo token: %v", err)
	}
	if _, err := c.CreateSnapshot(ctx, fqdn, "demo restore point"); err != nil {
		t.Fatalf("CreateSnapshot with the demo token: %v", err)
	}
	rs, err := c.RecordSet(ctx, fqdn, "demo", "A")
	if err != nil || len(rs.Values) != 1 || rs.Values[0] != "192.0.2.10" {
		t.Errorf("the record set written reads back as %+v, %v", rs, err)
	}
}
