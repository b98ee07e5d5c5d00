package skill

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gandi-mcp/gandi-mcp/gandi"
	"github.com/gandi-mcp/gandi-mcp/tools"
)

// TestListDomainsFiltersOnAutorenewAndStatus filters a seeded account of 250 domains
// (three pages) on what Gandi's list cannot filter itself: every page is read, and the
// result, structured and text, holds only the matches.
func TestListDomainsFiltersOnAutorenewAndStatus(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Second)
	const n = 250
	has := func(d gandi.Domain, s string) bool { return slices.Contains(d.Status, s) }
	ends := func(d gandi.Domain, days int) bool {
		return !d.Dates.RegistryEndsAt.After(now.Add(time.Duration(days) * 24 * time.Hour))
	}
	tests := []struct {
		name      string
		args      map[string]any
		keep      func(gandi.Domain) bool
		byExpiry  bool              // the expected order is soonest expiry first, not Gandi's
		wantQuery map[string]string // what still goes to Gandi
	}{
		{"autorenew on", map[string]any{"autorenew": true}, func(d gandi.Domain) bool { return d.AutoRenew }, false, nil},
		{"autorenew off", map[string]any{"autorenew": false}, func(d gandi.Domain) bool { return !d.AutoRenew }, false, nil},
		{"status present", map[string]any{"status": "clientUpdateProhibited"},
			func(d gandi.Domain) bool { return has(d, "clientUpdateProhibited") }, false, nil},
		{"status absent", map[string]any{"status_absent": "clientTransferProhibited"},
			func(d gandi.Domain) bool { return !has(d, "clientTransferProhibited") }, false, nil},
		{"status in another case", map[string]any{"status": "CLIENTHOLD"}, func(d gandi.Domain) bool { return has(d, "clientHold") }, false, nil},
		{"ok is no other status", map[string]any{"status": "ok"}, func(d gandi.Domain) bool { return len(d.Status) == 0 }, false, nil},
		{"present and absent together", map[string]any{"status": "clientTransferProhibited", "status_absent": "clientUpdateProhibited"},
			func(d gandi.Domain) bool {
				return has(d, "clientTransferProhibited") && !has(d, "clientUpdateProhibited")
			}, false, nil},
		{"expires this year without autorenew", map[string]any{"expiring_within_days": 365, "autorenew": false},
			func(d gandi.Domain) bool { return !d.AutoRenew && ends(d, 365) }, true, nil},
		{"expiring, autorenew on, no transfer lock", map[string]any{"expiring_within_days": 200, "autorenew": true, "status_absent": "clientTransferProhibited"},
			func(d gandi.Domain) bool { return d.AutoRenew && !has(d, "clientTransferProhibited") && ends(d, 200) }, true, nil},
		{"with Gandi's own filter and sort", map[string]any{"tld": "fr", "autorenew": true, "sort_by": "fqdn"},
			func(d gandi.Domain) bool { return d.TLD == "fr" && d.AutoRenew }, false, map[string]string{"tld": "fr", "sort_by": "fqdn"}},
	}
	for _, omit := range []bool{false, true} {
		for _, tc := range tests {
			t.Run(fmt.Sprintf("%s, omit Total-Count %v", tc.name, omit), func(t *testing.T) {
				var seeded []gandi.Domain
				h := newHarness(t, withAccount(n, viewScopes, &seeded), withDeps(func(d *tools.Deps) { d.Now = func() time.Time { return now } }))
				h.fake.OmitTotalCount(omit)
				var want, left []gandi.Domain
				lastPage := false // a match on page 3: the filter must reach past the first page
				for i, d := range seeded {
					if tc.keep(d) {
						want = append(want, d)
						lastPage = lastPage || i >= 200
					} else {
						left = append(left, d)
					}
				}
				if tc.byExpiry {
					slices.SortStableFunc(want, func(a, b gandi.Domain) int { return a.Dates.RegistryEndsAt.Compare(*b.Dates.RegistryEndsAt) })
				}
				if _, sorted := tc.wantQuery["sort_by"]; sorted {
					slices.SortFunc(want, func(a, b gandi.Domain) int { return strings.Compare(a.FQDN, b.FQDN) })
				}
				if len(want) == 0 || len(left) == 0 || (!lastPage && !tc.byExpiry) {
					t.Fatalf("the seed gives %d matches and %d others, and none on page 3: the test proves nothing", len(want), len(left))
				}
				var out tools.ListDomainsOutput
				res := h.call("list_domains", tc.args, &out)
				if res.IsError {
					t.Fatalf("error: %s", textOf(res))
				}
				if !slices.Equal(fqdns(out.Domains), seededFQDNs(want)) {
					t.Errorf("got %d domains %v..., want %d %v...", len(out.Domains), head(fqdns(out.Domains)), len(want), head(seededFQDNs(want)))
				}
				if out.Count != len(want) || out.Matching == nil || *out.Matching != len(want) {
					t.Errorf("count %d matching %v, want %d", out.Count, out.Matching, len(want))
				}
				if tc.wantQuery == nil && out.Scanned != n {
					t.Errorf("scanned %d, want every one of the %d domains", out.Scanned, n)
				}
				if out.Truncated || out.NextPage != 0 {
					t.Errorf("truncated %v next_page %d: every page was to be read", out.Truncated, out.NextPage)
				}
				text := textOf(res)
				for _, d := range left {
					if strings.Contains(text, d.FQDN) {
						t.Fatalf("text names %s, which does not match", d.FQDN)
					}
				}
				if !strings.Contains(text, fmt.Sprintf("matching: %d\n", len(want))) {
					t.Errorf("text does not give the number matched (%d): %.300s", len(want), text)
				}
				reqs := h.domainRequests()
				pages := map[string]bool{}
				for _, r := range reqs {
					pages[r.Query.Get("page")] = true
					for _, k := range []string{"autorenew", "status", "status_absent"} {
						if r.Query.Has(k) {
							t.Errorf("query sent %s=%q: Gandi's list does not document it", k, r.Query.Get(k))
						}
					}
					for k, v := range tc.wantQuery {
						if got := r.Query.Get(k); got != v {
							t.Errorf("query %s = %q, want %q", k, got, v)
						}
					}
				}
				if tc.wantQuery == nil && len(pages) != 3 {
					t.Errorf("pages read %v, want all three", pages)
				}
			})
		}
	}
}

func TestListDomainsRefusesBadFiltersBeforeAnyRequest(t *testing.T) {
	tests := []struct {
		name string
		args map[string]any
		want []string // each in the summary
	}{
		{"unknown status", map[string]any{"status": "transferLock"},
			[]string{`status "transferLock" is not an EPP status`, "clientTransferProhibited", "clientHold", "serverHold", "pendingDelete", "ok"}},
		{"unknown absent status", map[string]any{"status_absent": "locked"}, []string{`status_absent "locked" is not an EPP status`, "clientUpdateProhibited"}},
		{"negation in status", map[string]any{"status": "!clientTransferProhibited"}, []string{`give status_absent "clientTransferProhibited"`}},
		{"negation in status, any case", map[string]any{"status": "!clienthold"}, []string{`give status_absent "clientHold"`}},
		{"negation of an unknown status", map[string]any{"status": "!locked"}, []string{`status "!locked" is not an EPP status`, "goes in status_absent"}},
		{"negation in status_absent", map[string]any{"status_absent": "!clientHold"}, []string{`status_absent "!clientHold" is not an EPP status`, "without '!'"}},
		{"both ways at once", map[string]any{"status": "clientHold", "status_absent": "CLIENTHOLD"}, []string{"both name clientHold"}},
		{"filter with page", map[string]any{"autorenew": true, "page": 2}, []string{"autorenew, status and status_absent are applied over every page"}},
		{"filter with per_page", map[string]any{"status": "clientHold", "per_page": 10}, []string{"take neither page nor per_page"}},
		{"autorenew as a word", map[string]any{"autorenew": "yes"}, []string{`"autorenew" must be of type boolean`}},
		{"status as a list", map[string]any{"status": []string{"clientHold"}}, []string{`"status" must be of type string`}},
		{"two problems at once", map[string]any{"status": "x", "status_absent": "y"}, []string{`status "x"`, `status_absent "y"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, withAccount(3, viewScopes, nil))
			var out tools.ListDomainsOutput
			res := h.call("list_domains", tc.args, &out)
			if !res.IsError || out.Troubleshooting == nil || out.Troubleshooting.Diagnosis != tools.InvalidInput {
				t.Fatalf("isError %v troubleshooting %+v, want invalid_input", res.IsError, out.Troubleshooting)
			}
			for _, w := range tc.want {
				if !strings.Contains(out.Troubleshooting.Summary, w) {
					t.Errorf("summary %q does not say %q", out.Troubleshooting.Summary, w)
				}
			}
			if n := len(h.fake.Requests()); n != 0 {
				t.Errorf("%d requests reached Gandi; bad input must be refused first", n)
			}
		})
	}
}
