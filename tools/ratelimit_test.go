package tools

import (
	"strings"
	"testing"
	"time"

	"github.com/gandi-mcp/gandi-mcp/gandi"
)

// TestDiagnoseRateLimits: gandi-mcp's own limiter and Gandi's 429 are both
// rate_limited with a retry time, and the summary says which it was: the own
// limit's names it with its rate and says nothing was sent.
func TestDiagnoseRateLimits(t *testing.T) {
	tests := []struct {
		name       string
		err        error
		wantStatus int
		wantRetry  int
		want       []string
		notWant    string
	}{
		{"own limit", &gandi.RateLimitError{Method: "GET", Path: "/v5/domain/domains", PerMinute: 300, RetryAfter: 12300 * time.Millisecond}, 0, 13,
			[]string{"gandi-mcp's own limit of 300 requests a minute to Gandi is reached for this server; retry in 13 s", "not sent"}, "Gandi's rate limit"},
		{"own limit, under a second", &gandi.RateLimitError{Method: "GET", Path: "/tokeninfo", PerMinute: 600, RetryAfter: 100 * time.Millisecond}, 0, 1,
			[]string{"retry in 1 s"}, "Gandi's rate limit"},
		{"Gandi's 429", &gandi.Error{Method: "GET", Path: "/v5/domain/domains", Status: 429, RetryAfter: 30 * time.Second}, 429, 30,
			[]string{"Gandi's rate limit was reached"}, "gandi-mcp's own limit"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr := diagnose(tc.err, situation{})
			if tr.Diagnosis != RateLimited || !tr.Retryable || tr.Status != tc.wantStatus || tr.RetryAfterSeconds != tc.wantRetry {
				t.Errorf("troubleshooting = %+v; want rate_limited, retryable, status %d, retry in %d s", tr, tc.wantStatus, tc.wantRetry)
			}
			for _, w := range tc.want {
				if !strings.Contains(tr.Summary, w) {
					t.Errorf("summary %q lacks %q", tr.Summary, w)
				}
			}
			if strings.Contains(tr.Summary, tc.notWant) {
				t.Errorf("summary %q says %q", tr.Summary, tc.notWant)
			}
		})
	}
}
