package ganditest

import (
	"testing"
	"time"
)

// TestSeedDomainsSpreadsExpiryOverTwoYears: with hundreds of domains the
// spread must not overflow time.Duration and wrap dates into the past.
func TestSeedDomainsSpreadsExpiryOverTwoYears(t *testing.T) {
	s := NewTestServer(t)
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ds := s.SeedDomains("org", 1000, start)
	prev := start
	for _, d := range ds {
		end := *d.Dates.RegistryEndsAt
		if !end.After(prev) || end.After(start.Add(730*24*time.Hour)) {
			t.Fatalf("%s ends %v, after %v: want increasing dates within two years of %v", d.FQDN, end, prev, start)
		}
		prev = end
	}
}
