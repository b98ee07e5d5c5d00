package skill

import (
	"context"
	"encoding/json"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gandi-mcp/gandi-mcp/gandi"
	"github.com/gandi-mcp/gandi-mcp/tools"
)

// TestDemoDomainSettings: the demo account's settings tell a story: autorenew of several
// durations, a domain on autorenew expiring within 60 days whose set_autorenew plan warns, a
// domain on Cloudflare, one whose name servers are inside itself; and its token may change them.
func TestDemoDomainSettings(t *testing.T) {
	d, err := StartDemo()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	ctx := context.Background()
	c := d.Fake.Client(gandi.SchemeBearer, d.Good.Secret)
	all, err := c.Domains(ctx, gandi.DomainsQuery{PerPage: DemoDomains, SortBy: "fqdn"})
	if err != nil {
		t.Fatal(err)
	}
	durations := map[int]bool{}
	var soon string
	cloudflare, glue := 0, 0
	for _, dom := range all.Domains {
		det, err := c.DomainDetails(ctx, dom.FQDN)
		if err != nil {
			t.Fatal(err)
		}
		if det.AutoRenew.Enabled {
			durations[det.AutoRenew.Duration] = true
			if e := det.Dates.RegistryEndsAt; soon == "" && e != nil && e.After(time.Now()) && time.Until(*e) < 60*24*time.Hour {
				soon = dom.FQDN
			}
		}
		if slices.Equal(det.Nameservers, DemoCloudflareNameservers) {
			cloudflare++
		}
		if len(det.Nameservers) > 0 && strings.HasSuffix(det.Nameservers[0], "."+dom.FQDN) {
			glue++
		}
	}
	if !durations[1] || !durations[2] || !durations[3] {
		t.Errorf("autorenew durations %v, want 1, 2 and 3 years", durations)
	}
	if cloudflare != 1 || glue != 1 {
		t.Errorf("%d domains on Cloudflare and %d on their own name servers, want one each", cloudflare, glue)
	}
	if soon == "" {
		t.Fatal("no demo domain on autorenew expires within 60 days")
	}
	srv := New(d.Deps(io.Discard, 0))
	res, err := srv.Call(ctx, "set_autorenew", json.RawMessage(`{"fqdn": "`+soon+`", "enabled": false}`))
	if err != nil {
		t.Fatal(err)
	}
	var plan tools.SetAutoRenewOutput
	if err := json.Unmarshal(res.RawStructuredContent, &plan); err != nil || res.IsError || len(plan.Warnings) != 1 || !strings.Contains(plan.Warnings[0], "expires on") {
		t.Errorf("set_autorenew off on %s plans %s (%v), want the expiry warning", soon, res.RawStructuredContent, err)
	}
	if err := c.SetAutoRenew(ctx, soon, gandi.AutoRenewChange{Enabled: false}); err != nil {
		t.Errorf("the demo token cannot change autorenew: %v", err)
	}
	if err := c.SetNameservers(ctx, soon, DemoCloudflareNameservers); err != nil {
		t.Errorf("the demo token cannot change name servers: %v", err)
	}
}
