package skill

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/gandi-mcp/gandi-mcp/auth"
	"github.com/gandi-mcp/gandi-mcp/gandi"
	"github.com/gandi-mcp/gandi-mcp/gandi/ganditest"
	"github.com/gandi-mcp/gandi-mcp/tools"
)

// DemoDomains is how many domains the demo account holds.
const DemoDomains = 300

// Demo is a seeded fake Gandi account, served in process, for trying the
// skill without a token and for driving the real binary in CI.
type Demo struct {
	Fake    *ganditest.Server
	Org     gandi.Organization
	Good    ganditest.Token // a valid token with every scope the tools use
	Expired ganditest.Token // a token that expired yesterday
	// DNSDomain is a domain of the account whose DNS is on LiveDNS, for the tour's DNS steps.
	DNSDomain string
	// RenewDomain is the domain of the account that expires next (not yet expired), for
	// the tour's renewal: it is in its renewal period whatever day the demo runs.
	RenewDomain string
	dir         string // a private config home holding the demo's token file
}

// The demo account's fixed ids.
const (
	DemoOrganizationID = "6f1c2a3e-0d4b-4c5a-9e7f-d3e000000001"
	DemoSnapshotID     = "6f1c2a3e-0d4b-4c5a-9e7f-d3e000000002"
)

// StartDemo starts the fake and seeds it. Close it when done.
func StartDemo() (*Demo, error) {
	dir, err := os.MkdirTemp("", "gandi-mcp-demo-")
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	fake := ganditest.NewServer()
	now := time.Now()
	// A fixed id: the domains' names derive from it, so every demo process has the same
	// account and a name one `call --demo` showed works in the next.
	org := fake.AddOrganization(gandi.Organization{ID: DemoOrganizationID, Name: "demo-org", Type: "company", Orgname: "Demo Org (fake)", Email: "demo@example.invalid"})
	// From a week ago: two domains have just expired and a dozen expire within 30 days, whatever today is.
	seeded := fake.SeedDomains(org.ID, DemoDomains, now.Add(-7*24*time.Hour))
	// The first domain on LiveDNS (by name, as the tour lists them) has web and mail records,
	// whatever names this run drew: the tour shows them.
	slices.SortFunc(seeded, func(a, b gandi.Domain) int { return strings.Compare(a.FQDN, b.FQDN) })
	for _, dom := range seeded {
		if dom.Nameserver.Current == "livedns" {
			if err := fake.SetZone(dom.FQDN, ganditest.WebAndMailZone(dom.FQDN)); err != nil {
				return nil, fmt.Errorf("demo: %w", err)
			}
			break
		}
	}
	if err := demoSettings(fake, seeded); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	d := &Demo{Fake: fake, Org: org, dir: dir}
	for _, dom := range seeded {
		if dom.Nameserver.Current == "livedns" {
			d.DNSDomain = dom.FQDN
			break
		}
	}
	now = now.UTC()
	for _, dom := range seeded {
		if e := dom.Dates.RegistryEndsAt; e != nil && e.After(now) {
			if best, ok := fake.RegistryEndsAt(d.RenewDomain); d.RenewDomain == "" || !ok || e.Before(best) {
				d.RenewDomain = dom.FQDN
			}
		}
	}
	// A restore point LiveDNS took by itself, so that restore_dns_snapshot has one to show.
	if _, err := fake.AddSnapshot(d.DNSDomain, gandi.Snapshot{ID: DemoSnapshotID, Name: "automatic snapshot",
		CreatedAt: now.Add(-24 * time.Hour).UTC().Truncate(time.Second), Automatic: true}); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	d.Good = fake.AddToken(ganditest.Token{
		Name:     "demo-token",
		Scopes:   []string{"domain:view", "domain:renew", "domain:tech", "organization:view"},
		Entities: []gandi.Entity{ganditest.OrganizationEntity(org)},
		// Issued for 90 days a month ago: a renewal, which keeps that lifetime, moves the expiry a month forward.
		CreatedAt: now.Add(-30 * 24 * time.Hour),
		ExpiresAt: now.Add(60 * 24 * time.Hour),
	})
	d.Expired = fake.AddToken(ganditest.Token{
		Name:      "demo-expired",
		Scopes:    []string{"domain:view"},
		Entities:  []gandi.Entity{ganditest.OrganizationEntity(org)},
		ExpiresAt: now.Add(-24 * time.Hour),
	})
	// As if verify_token had seen the expired token while it was valid: its refusal is then diagnosed as expiry.
	tools.RememberExpiry(d.expiryFile(), d.Expired.Secret, d.Expired.Name, d.Expired.ExpiresAt, now)
	if err := d.UseToken(d.Good.Secret); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

// DemoCloudflareNameservers serve the first demo domain (by name) whose DNS is not on LiveDNS:
// a domain already moved to another DNS host.
var DemoCloudflareNameservers = []string{"ada.ns.cloudflare.com", "bob.ns.cloudflare.com"}

// demoSettings gives the demo's domains (sorted by name) settings worth showing: autorenew for
// 1, 2 or 3 years in turn on those that have it (some expire within weeks, so turning it off
// warns); of the domains whose DNS is elsewhere, the first on Cloudflare's name servers and
// the second on name servers inside itself (which need glue).
func demoSettings(fake *ganditest.Server, seeded []gandi.Domain) error {
	on, other := 0, 0
	for _, dom := range seeded {
		if dom.AutoRenew {
			if err := fake.SetAutoRenew(dom.FQDN, true, 1+on%3); err != nil {
				return err
			}
			on++
		}
		if dom.Nameserver.Current != "other" {
			continue
		}
		var hosts []string
		switch other {
		case 0:
			hosts = DemoCloudflareNameservers
		case 1:
			hosts = []string{"ns1." + dom.FQDN, "ns2." + dom.FQDN}
		}
		if hosts != nil {
			if err := fake.SetNameservers(dom.FQDN, "other", hosts); err != nil {
				return err
			}
		}
		other++
	}
	return nil
}

// UseToken stores secret as the demo's token file, as `token set` would.
func (d *Demo) UseToken(secret string) error {
	return auth.WriteToken(d.tokenPath(), secret)
}

func (d *Demo) authOptions() auth.Options {
	// The person's own environment is ignored: their real token must never reach the fake.
	return auth.Options{Getenv: func(string) string { return "" }, ConfigHome: d.dir, Home: d.dir}
}

func (d *Demo) expiryFile() string { return filepath.Join(d.dir, "state", "expiry.json") }

func (d *Demo) tokenPath() string {
	return auth.WritePath(d.authOptions())
}

// Deps returns tool dependencies that talk to the demo account only.
func (d *Demo) Deps(stderr io.Writer, level slog.Level) *tools.Deps {
	return &tools.Deps{
		Endpoints:  d.Fake.Endpoints(gandi.Production),
		Auth:       d.authOptions(),
		UserAgent:  Name + "/" + Version() + " (demo)",
		Logger:     NewLogger(stderr, level),
		Demo:       true,
		ExpiryFile: d.expiryFile(),
		// The demo's changes are journalled beside it, never in the person's own journal.
		JournalFile: filepath.Join(d.dir, "state", "journal.jsonl"),
	}
}

// Close stops the fake and removes the demo's token file.
func (d *Demo) Close() {
	d.Fake.Close()
	_ = os.RemoveAll(filepath.Clean(d.dir))
}
