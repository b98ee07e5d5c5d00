package skill

import (
	"context"
	"io"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/gandi-mcp/gandi-mcp/gandi"
	"github.com/gandi-mcp/gandi-mcp/gandi/ganditest"
	"github.com/gandi-mcp/gandi-mcp/tools"
)

// BenchmarkCheckAvailability checks 10 names (free, taken, premium, unknown TLD) over an
// MCP stdio session against the fake with 20 ms per request. /check takes one name a
// request, so what counts is how many round trips a call waits for: x-one-request is the
// call's mean time over the median of one plain net/http /check request on the same fake
// (the target: at most 1.3).
func BenchmarkCheckAvailability(b *testing.B) {
	const latency = 20 * time.Millisecond
	names := []string{"my-shop.fr", "my-shop.com", "my-shop.net", "my-shop.org", "example.com",
		ganditest.PremiumName, "café-bench.fr", "bench-1.fr", "bench-2.com", "bench.invalidtld"}
	var tok ganditest.Token
	h := newHarness(b, withSetup(func(h *harness) {
		org := h.fake.AddOrganization(gandi.Organization{Name: "acme", Type: "company"})
		tok = h.fake.AddToken(ganditest.Token{Name: "bench", Scopes: []string{"domain:view"}, Entities: []gandi.Entity{ganditest.OrganizationEntity(org)}})
		h.storeToken(tok.Secret, 0o600)
	}), withDeps(func(d *tools.Deps) { d.Timeout = 10 * time.Second }))
	h.fake.SetLatency(latency)

	hc := &http.Client{}
	oneRequest := func(b *testing.B) time.Duration {
		req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, h.fake.URL+"/v5/domain/check?name=my-shop.fr", nil)
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+tok.Secret)
		start := time.Now()
		resp, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			b.Fatalf("GET /v5/domain/check: %d %v", resp.StatusCode, err)
		}
		return time.Since(start)
	}
	check := func(b *testing.B, names []string) {
		var out tools.CheckAvailabilityOutput
		res := h.call("check_availability", map[string]any{"names": names}, &out)
		if res.IsError || len(out.Results) != len(names) {
			b.Fatalf("check_availability: %s", textOf(res))
		}
	}
	var one time.Duration
	b.Run("http_one_request", func(b *testing.B) {
		var took []time.Duration
		for b.Loop() {
			took = append(took, oneRequest(b))
		}
		one = median(took)
		b.ReportMetric(float64(one.Microseconds())/1000, "ms-median")
	})
	b.Run("mcp_ten_names", func(b *testing.B) {
		if one == 0 {
			b.Skip("needs http_one_request for its reference: do not filter it out with -bench")
		}
		var total time.Duration
		var calls, requests, inFlight int
		for b.Loop() {
			h.fake.ResetRequests()
			start := time.Now()
			check(b, names)
			total += time.Since(start)
			calls++
			requests, inFlight = len(h.fake.Requests()), max(inFlight, h.fake.MaxInFlight())
		}
		mean := total / time.Duration(calls)
		b.ReportMetric(float64(mean.Microseconds())/1000, "ms-mean")
		b.ReportMetric(float64(mean)/float64(one), "x-one-request")
		b.ReportMetric(float64(requests), "requests/op")
		b.ReportMetric(float64(inFlight), "max-in-flight")
	})
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
