package ganditest

import (
	"testing"
	"time"
)

// TestSeedDomainsSpreadsExpiriesInOrder: the demo's 300 domains end one after the
// other over two years from start, none before it.
func TestSeedDomainsSpreadsExpiriesInOrder(t *testing.T) {
	for _, n := range []int{1, 10, 300, 2000} {
		s := NewServer()
		start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		ds := s.SeedDomains("org", n, start)
		s.Close()
		prev := start
		for _, d := range ds {
			end := *d.Dates.RegistryEndsAt
			if !end.After(prev) || end.After(start.Add(730*24*time.Hour)) {
				t.Fatalf("n=%d: %s ends %s, after %s: want increasing ends within two years of %s", n, d.FQDN, end, prev, start)
			}
			prev = end
		}
	}
}
