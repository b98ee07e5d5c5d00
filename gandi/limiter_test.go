package gandi_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gandi-mcp/gandi-mcp/gandi"
)

// events records what a client reports of its attempts.
type events struct {
	mu sync.Mutex
	ev []gandi.RequestEvent
}

func (e *events) add(_ context.Context, ev gandi.RequestEvent) {
	e.mu.Lock()
	e.ev = append(e.ev, ev)
	e.mu.Unlock()
}

func (e *events) all() []gandi.RequestEvent {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]gandi.RequestEvent(nil), e.ev...)
}

// TestClientWaitsOnTheLimiter: every attempt, a retry after Gandi's 429
// included, takes its turn at the limiter; one the limiter refuses is not
// sent, and fails with a *RateLimitError naming the request.
func TestClientWaitsOnTheLimiter(t *testing.T) {
	jsonHdr := map[string]string{"Content-Type": "application/json"}
	const okJSON = `{"fqdn": "example.com"}`
	tests := []struct {
		name     string
		answers  []answer
		wantHits int
	}{
		{"a second request", []answer{{200, jsonHdr, okJSON}}, 1},
		{"a retry after 429", []answer{{429, map[string]string{"Retry-After": "1"}, ""}, {200, jsonHdr, okJSON}}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newScripted(t, tc.answers...)
			// One request a minute and a burst of one: the second waits a minute, past MaxWait.
			lim, err := gandi.NewLimiter(gandi.LimiterConfig{PerMinute: 1, Burst: 1, MaxWait: time.Second})
			if err != nil {
				t.Fatal(err)
			}
			var ev events
			c, _ := newClient(t, srv.URL, func(cfg *gandi.Config) { cfg.Limiter, cfg.OnRequest = lim, ev.add })
			_, err = c.DomainDetails(context.Background(), "example.com")
			if len(tc.answers) == 1 && err == nil {
				_, err = c.DomainDetails(context.Background(), "example.net")
			}
			var rl *gandi.RateLimitError
			if !errors.As(err, &rl) {
				t.Fatalf("err = %v, want a *RateLimitError", err)
			}
			if rl.Method != http.MethodGet || !strings.HasPrefix(rl.Path, "/v5/domain/domains/example.") || rl.PerMinute != 1 || rl.RetryAfter < 50*time.Second {
				t.Errorf("refusal = %+v, want GET on the domain, 1 a minute, retry in about a minute", rl)
			}
			if !strings.Contains(err.Error(), "gandi-mcp's own limit of 1 requests a minute") {
				t.Errorf("message %q does not say whose limit it is", err)
			}
			if got := len(srv.requests()); got != tc.wantHits {
				t.Errorf("%d requests reached Gandi, want %d", got, tc.wantHits)
			}
			all := ev.all()
			last := all[len(all)-1]
			if !last.Limited || last.Sent || !errors.As(last.Err, &rl) {
				t.Errorf("last event = %+v, want a refusal, not sent", last)
			}
			if first := all[0]; !first.Sent || first.Route != "/v5/domain/domains/{fqdn}" || first.Status != tc.answers[0].status {
				t.Errorf("first event = %+v, want sent on /v5/domain/domains/{fqdn} with status %d", first, tc.answers[0].status)
			}
		})
	}
}

func TestRoute(t *testing.T) {
	tests := []struct{ path, want string }{
		{"/v5/domain/domains", "/v5/domain/domains"},
		{"/v5/domain/domains/example.com", "/v5/domain/domains/{fqdn}"},
		{"/v5/domain/domains/example.com/renew", "/v5/domain/domains/{fqdn}/renew"},
		{"/v5/domain/domains/example.com/autorenew", "/v5/domain/domains/{fqdn}/autorenew"},
		{"/v5/domain/domains/example.com/nameservers", "/v5/domain/domains/{fqdn}/nameservers"},
		{"/v5/livedns/domains/example.com/records", "/v5/livedns/domains/{fqdn}/records"},
		{"/v5/livedns/domains/example.com/records/www/A", "/v5/livedns/domains/{fqdn}/records/{name}/{type}"},
		{"/v5/livedns/domains/example.com/records/domains/TXT", "/v5/livedns/domains/{fqdn}/records/{name}/{type}"},
		{"/v5/livedns/domains/example.com/snapshots/5f0c", "/v5/livedns/domains/{fqdn}/snapshots/{id}"},
		{"/v5/organization/organizations/org-1", "/v5/organization/organizations/{id}"},
		{"/v5/domain/check", "/v5/domain/check"},
		{"/tokeninfo", "/tokeninfo"},
		// A route this table does not know keeps only the words it knows.
		{"/v5/domain/domains/example.com/secret-thing/pat_0123", "/v5/domain/domains/{fqdn}/{param}/{param}"},
		{"/v6/example.com", "/{param}/{param}"},
	}
	for _, tc := range tests {
		if got := gandi.Route(tc.path); got != tc.want {
			t.Errorf("Route(%q) = %q, want %q", tc.path, got, tc.want)
		}
	}
}
