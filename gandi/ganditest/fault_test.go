package ganditest_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gandi-mcp/gandi-mcp/gandi"
	"github.com/gandi-mcp/gandi-mcp/gandi/ganditest"
)

// client builds a gandi client of the fake that does not retry unless asked.
func client(t *testing.T, srv *ganditest.Server, tok ganditest.Token, edit func(*gandi.Config)) *gandi.Client {
	t.Helper()
	cfg := gandi.Config{
		Endpoints: srv.Endpoints(gandi.Sandbox),
		Token:     tok.Secret,
		Retry:     gandi.RetryPolicy{MaxAttempts: 1},
		Sleep:     func(ctx context.Context, _ time.Duration) error { return ctx.Err() },
	}
	if edit != nil {
		edit(&cfg)
	}
	c, err := gandi.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestFaults(t *testing.T) {
	type check func(t *testing.T, err error)
	status := func(code int) check {
		return func(t *testing.T, err error) {
			var ge *gandi.Error
			if !errors.As(err, &ge) || ge.Status != code {
				t.Errorf("err = %v, want status %d", err, code)
			}
		}
	}
	is := func(target error) check {
		return func(t *testing.T, err error) {
			if !errors.Is(err, target) {
				t.Errorf("err = %v, want %v", err, target)
			}
		}
	}
	transport := func(timeout bool) check {
		return func(t *testing.T, err error) {
			var te *gandi.TransportError
			if !errors.As(err, &te) || te.Timeout != timeout {
				t.Errorf("err = %#v, want a TransportError with Timeout %v", err, timeout)
			}
		}
	}
	ok := func(t *testing.T, err error) {
		if err != nil {
			t.Errorf("err = %v", err)
		}
	}
	tests := []struct {
		name   string
		faults []ganditest.Fault
		edit   func(*gandi.Config)
		checks []check // one call per check, in order
	}{
		{
			name:   "status every time",
			faults: []ganditest.Fault{{Status: 503}},
			checks: []check{status(503), status(503)},
		},
		{
			name:   "Times and Skip",
			faults: []ganditest.Fault{{Path: "/v5/domain", Status: 502, Skip: 1, Times: 2}},
			checks: []check{ok, status(502), status(502), ok},
		},
		{
			name:   "first matching fault wins, others by method and path",
			faults: []ganditest.Fault{{Method: "POST", Status: 500}, {Path: "/tokeninfo", Status: 418}, {Path: "/v5/domain/domains", Status: 504}},
			checks: []check{status(504)},
		},
		{
			name:   "faults let the client's retries through",
			faults: []ganditest.Fault{{Status: 503, Times: 2}},
			edit:   func(c *gandi.Config) { c.Retry.MaxAttempts = 3 },
			checks: []check{ok},
		},
		{
			name:   "Retry-After and custom body",
			faults: []ganditest.Fault{{Status: 429, Body: "slow down", ContentType: "text/plain", Header: http.Header{"Retry-After": {"120"}}}},
			checks: []check{func(t *testing.T, err error) {
				var ge *gandi.Error
				if !errors.As(err, &ge) || ge.Status != 429 || ge.RetryAfter != 2*time.Minute || ge.Excerpt != "slow down" {
					t.Errorf("err = %#v", err)
				}
			}},
		},
		{name: "truncated", faults: []ganditest.Fault{{Truncate: true}}, checks: []check{is(gandi.ErrBadResponse)}},
		{name: "truncated standard error", faults: []ganditest.Fault{{Truncate: true, Status: 403}}, checks: []check{transport(false)}},
		{
			name:   "oversize",
			faults: []ganditest.Fault{{Oversize: 8192}},
			edit:   func(c *gandi.Config) { c.MaxBodyBytes = 4096 },
			checks: []check{is(gandi.ErrBodyTooLarge)},
		},
		{name: "closed connection", faults: []ganditest.Fault{{CloseConn: true}}, checks: []check{transport(false)}},
		{
			name:   "hang until the client gives up",
			faults: []ganditest.Fault{{Hang: true}},
			edit:   func(c *gandi.Config) { c.Timeout = 50 * time.Millisecond },
			checks: []check{transport(true)},
		},
		{
			name:   "delay longer than the timeout",
			faults: []ganditest.Fault{{Delay: time.Minute}},
			edit:   func(c *gandi.Config) { c.Timeout = 50 * time.Millisecond },
			checks: []check{transport(true)},
		},
		{name: "short delay, then normal handling", faults: []ganditest.Fault{{Delay: time.Millisecond}}, checks: []check{ok}},
		{name: "trickle delivers the normal body", faults: []ganditest.Fault{{Trickle: time.Microsecond}}, checks: []check{ok}},
		{
			name:   "trickle slower than the timeout",
			faults: []ganditest.Fault{{Trickle: time.Second}},
			edit:   func(c *gandi.Config) { c.Timeout = 50 * time.Millisecond },
			checks: []check{transport(true)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			for _, f := range tt.faults {
				w.srv.Inject(f)
			}
			c := client(t, w.srv, w.viewOnly, tt.edit)
			for i, chk := range tt.checks {
				p, err := c.Domains(context.Background(), gandi.DomainsQuery{PerPage: 3})
				if err == nil && (len(p.Domains) != 3 || p.Domains[0].FQDN != w.acmeDomains[0].FQDN) {
					t.Errorf("call %d: page %+v", i, p)
				}
				chk(t, err)
			}
			w.srv.ClearFaults()
			if _, err := c.Domains(context.Background(), gandi.DomainsQuery{PerPage: 1}); err != nil {
				t.Errorf("after ClearFaults: %v", err)
			}
		})
	}
}

// TestFaultRewrite: Rewrite edits the route's headers in place and replaces
// its body when it returns one, on the requests its fault matches.
func TestFaultRewrite(t *testing.T) {
	w := newWorld(t)
	w.srv.Inject(ganditest.Fault{Path: "/v5/domain/domains", Times: 1, Rewrite: func(r *http.Request, h http.Header, body []byte) []byte {
		h.Set("Total-Count", "1000000000000")
		h.Del("Link")
		return []byte(`[{"fqdn":"forged.fr"}]`)
	}})
	w.srv.Inject(ganditest.Fault{Path: "/v5/domain/domains", Rewrite: func(*http.Request, http.Header, []byte) []byte { return nil }})
	c := client(t, w.srv, w.viewOnly, nil)
	p, err := c.Domains(context.Background(), gandi.DomainsQuery{PerPage: 2})
	if err != nil || p.TotalCount != 1000000000000 || p.NextURL != "" || p.LastURL != "" || len(p.Domains) != 1 || p.Domains[0].FQDN != "forged.fr" {
		t.Fatalf("rewritten page %+v, %v", p, err)
	}
	p, err = c.Domains(context.Background(), gandi.DomainsQuery{PerPage: 2})
	if err != nil || p.TotalCount < 3 || p.NextURL == "" || len(p.Domains) != 2 || p.Domains[0].FQDN != w.acmeDomains[0].FQDN {
		t.Errorf("a nil rewrite changed the page: %+v, %v", p, err)
	}
}

func TestFaultDefaultBody(t *testing.T) {
	w := newWorld(t)
	w.srv.Inject(ganditest.Fault{Path: "/tokeninfo", Status: 401})
	status, h, body := raw(t, w.srv, "GET", "/tokeninfo", "Bearer "+w.full.Secret, "")
	if status != 401 || h.Get("Content-Type") != "application/json" || string(body) != ganditest.StandardErrorBody(401) {
		t.Errorf("%d %v %s", status, h, body)
	}
	var b stdBody
	if err := json.Unmarshal([]byte(ganditest.StandardErrorBody(http.StatusServiceUnavailable)), &b); err != nil ||
		b != (stdBody{503, "Service Unavailable.", "HTTPServiceUnavailable", "Service Unavailable"}) {
		t.Errorf("503 body %+v, %v", b, err)
	}
}

func TestMaxInFlightAndCancellation(t *testing.T) {
	w := newWorld(t)
	w.srv.Inject(ganditest.Fault{Path: "/v5/domain", Hang: true})
	c := client(t, w.srv, w.viewOnly, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const n = 5
	errs := make(chan error, n)
	for range n {
		go func() {
			_, err := c.Domains(ctx, gandi.DomainsQuery{})
			errs <- err
		}()
	}
	wait, stop := context.WithTimeout(context.Background(), 10*time.Second)
	defer stop()
	if err := w.srv.WaitRequests(wait, n); err != nil {
		t.Fatalf("requests did not arrive: %v", err)
	}
	if got := w.srv.MaxInFlight(); got != n {
		t.Errorf("MaxInFlight = %d, want %d", got, n)
	}
	cancel()
	for range n {
		if err := <-errs; !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v", err)
		}
	}
	if err := w.srv.WaitIdle(wait); err != nil {
		t.Fatal(err)
	}
	if got := w.srv.Canceled(); got != n {
		t.Errorf("Canceled = %d, want %d", got, n)
	}
	for _, r := range w.srv.Requests() {
		if !r.Canceled {
			t.Errorf("request not marked canceled: %+v", r)
		}
	}

	w.srv.ResetRequests()
	if w.srv.MaxInFlight() != 0 || w.srv.Canceled() != 0 || len(w.srv.Requests()) != 0 {
		t.Error("ResetRequests left counts behind")
	}
	w.srv.ClearFaults()
	if _, err := c.Domains(context.Background(), gandi.DomainsQuery{}); err != nil {
		t.Fatal(err)
	}
	if w.srv.MaxInFlight() != 1 || w.srv.Canceled() != 0 || w.srv.Requests()[0].Canceled {
		t.Errorf("a normal request: max %d, canceled %d", w.srv.MaxInFlight(), w.srv.Canceled())
	}
}

func TestLatencyRespectsTheRequestContext(t *testing.T) {
	w := newWorld(t)
	w.srv.SetLatency(time.Minute)
	c := client(t, w.srv, w.viewOnly, func(c *gandi.Config) { c.Timeout = 50 * time.Millisecond })
	_, err := c.TokenInfo(context.Background())
	var te *gandi.TransportError
	if !errors.As(err, &te) || !te.Timeout {
		t.Fatalf("err = %v", err)
	}
	wait, stop := context.WithTimeout(context.Background(), 10*time.Second)
	defer stop()
	if err := w.srv.WaitIdle(wait); err != nil {
		t.Fatal(err)
	}
	if w.srv.Canceled() != 1 {
		t.Errorf("Canceled = %d", w.srv.Canceled())
	}
}

func TestCloseEndsHangingRequests(t *testing.T) {
	srv := ganditest.NewServer()
	srv.Inject(ganditest.Fault{Hang: true})
	tok := srv.AddToken(ganditest.Token{})
	done := make(chan error, 1)
	go func() {
		_, err := client(t, srv, tok, nil).TokenInfo(context.Background())
		done <- err
	}()
	wait, stop := context.WithTimeout(context.Background(), 10*time.Second)
	defer stop()
	if err := srv.WaitRequests(wait, 1); err != nil {
		t.Fatal(err)
	}
	srv.Close()
	srv.Close()
	if err := <-done; err == nil {
		t.Error("a hanging request succeeded")
	}
	if srv.Canceled() != 0 {
		t.Errorf("closing the server counted as a client cancellation")
	}
}

func TestRequestsAreRecorded(t *testing.T) {
	w := newWorld(t)
	c := client(t, w.srv, w.full, func(c *gandi.Config) { c.UserAgent = "probe/2" })
	if _, err := c.Domains(context.Background(), gandi.DomainsQuery{FQDN: "*.fr"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.RenewToken(context.Background(), gandi.RenewRequest{Name: "x"}); err != nil {
		t.Fatal(err)
	}
	rs := w.srv.Requests()
	if len(rs) != 2 {
		t.Fatalf("%d requests", len(rs))
	}
	get, post := rs[0], rs[1]
	if get.Method != "GET" || get.Path != "/v5/domain/domains" || get.Query.Get("fqdn") != "*.fr" || get.Scheme != "Bearer" ||
		get.Token != w.full.Secret || get.UserAgent != "probe/2" || get.Header.Get("Accept") != "application/json" || get.Canceled {
		t.Errorf("GET recorded as %+v", get)
	}
	if post.Method != "POST" || string(post.Body) != `{"name":"x"}` || post.Header.Get("Content-Type") != "application/json" {
		t.Errorf("POST recorded as %+v", post)
	}
	rs[0].Query.Set("fqdn", "changed")
	rs[0].Header.Set("Accept", "changed")
	if again := w.srv.Requests()[0]; again.Query.Get("fqdn") != "*.fr" || again.Header.Get("Accept") != "application/json" {
		t.Error("Requests returned shared maps")
	}
}

func TestConcurrentUse(t *testing.T) {
	w := newWorld(t)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			tok := w.srv.AddToken(ganditest.Token{Scopes: []string{"domain:view"}, Entities: []gandi.Entity{ganditest.OrganizationEntity(w.acme)}})
			c := client(t, w.srv, tok, nil)
			for j := range 5 {
				if _, err := c.Domains(context.Background(), gandi.DomainsQuery{Page: j + 1, PerPage: 3}); err != nil {
					t.Error(err)
				}
				if i%2 == 0 {
					if _, err := c.RenewToken(context.Background(), gandi.RenewRequest{}); err != nil {
						t.Error(err)
					}
				}
			}
			w.srv.AddDomains(gandi.Domain{FQDN: "extra" + strings.Repeat("x", i) + ".com", SharingID: w.acme.ID})
			_ = w.srv.Tokens()
			_ = w.srv.MaxInFlight()
		})
	}
	wg.Wait()
	if n := len(w.srv.Requests()); n != 8*5+4*5 {
		t.Errorf("%d requests", n)
	}
}
