package skill

import (
	"strings"
	"testing"
	"time"

	"github.com/gandi-mcp/gandi-mcp/gandi"
	"github.com/gandi-mcp/gandi-mcp/tools"
)

// TestRateLimitedBeforeTheCallsDeadline: a request whose turn at the limiter
// would come after its call's deadline is not kept waiting until the call
// times out: the call answers rate_limited at once, with the retry time its
// turn would have come at, and nothing more reaches Gandi.
func TestRateLimitedBeforeTheCallsDeadline(t *testing.T) {
	tests := []struct {
		name        string
		callTimeout time.Duration
		wantRetry   int // seconds
	}{
		// Six a minute: the next token in 10s, within MaxWait but past a 2s call's deadline.
		{"2s call", 2 * time.Second, 10},
		// Past a 5s call's too.
		{"5s call", 5 * time.Second, 10},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			lim, err := gandi.NewLimiter(gandi.LimiterConfig{PerMinute: 6, Burst: 1})
			if err != nil {
				t.Fatal(err)
			}
			h := newHarness(t, withDomainsAccount([]string{"domain:view"}), withDeps(func(d *tools.Deps) {
				d.Limiter, d.CallTimeout = lim, tc.callTimeout
			}))
			var first, second struct{ tools.Common }
			if res := h.call("get_domain", map[string]any{"fqdn": domShop}, &first); res.IsError {
				t.Fatalf("first call: %s", textOf(res))
			}
			h.fake.ResetRequests()
			res := h.call("get_domain", map[string]any{"fqdn": domShop}, &second)
			tr := second.Troubleshooting
			if !res.IsError || tr == nil || tr.Diagnosis != tools.RateLimited || tr.RetryAfterSeconds != tc.wantRetry {
				t.Fatalf("second call: %s; want rate_limited, retry in %d s", textOf(res), tc.wantRetry)
			}
			if !strings.Contains(tr.Summary, "gandi-mcp's own limit of 6 requests a minute") {
				t.Errorf("summary %q does not name gandi-mcp's own limit", tr.Summary)
			}
			if n := len(h.fake.Requests()); n != 0 {
				t.Errorf("%d requests reached Gandi after the refusal", n)
			}
		})
	}
}
