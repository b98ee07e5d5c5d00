// Package ganditest is an in-process fake of the Gandi v5 routes the gandi
// package uses, for tests and for the product's demo mode. It is modelled on
// net/http/httptest: NewServer starts it on a loopback port, Close stops it.
//
// Routes, with the shapes of Gandi's reference:
//
//   - GET /tokeninfo: Bearer PATs only (an Apikey gets 401).
//   - GET /v5/organization/organizations[/{id}]: any valid token; filters
//     name, ~name (with *), type; sort_by name, type, id (- for descending).
//   - GET /v5/organization/user-info: needs organization:view on a whole organization.
//   - GET /v5/domain/domains: needs domain:view; filters fqdn (with *), tld,
//     sharing_id, nameserver; sort_by fqdn or dates.registry_ends_at (- for
//     descending); page and per_page (1..1000, default 100). Total-Count is
//     the number of matching domains, Filtered-Count the same number sent
//     only when a filter was given, Link has rel="next" and rel="last".
//   - POST /v5/organization/access-tokens: renews the calling PAT.
//   - LiveDNS (/v5/livedns/...) and a domain's /livedns and /nameservers:
//     see livedns.go.
//   - GET /v5/domain/domains/{fqdn} (details) and GET /v5/domain/check
//     (availability and prices): see domain.go.
//   - PATCH /v5/domain/domains/{fqdn}/autorenew and PUT .../nameservers:
//     see domain_settings.go.
//   - GET and POST /v5/domain/domains/{fqdn}/renew (renewal terms, renewal with
//     and without Dry-Run) and check's renewal prices: see domain_renew.go.
//
// A missing Authorization header gets 401 with Gandi's "You must provide an
// access token" message, an unknown token the status of
// SetUnknownTokenStatus, an expired or revoked one 401, a missing scope 403.
package ganditest

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gandi-mcp/gandi-mcp/gandi"
)

// Server is a fake Gandi serving the API routes (/v5/...) and /tokeninfo on
// one base URL. All methods are safe for concurrent use.
type Server struct {
	// URL is the base URL, http://127.0.0.1:port, with no trailing slash.
	URL string

	srv       *httptest.Server
	closing   chan struct{} // closed by Close so hanging handlers give up
	closeOnce sync.Once

	mu            sync.Mutex
	tokens        []Token
	orgs          []gandi.Organization
	domains       []gandi.Domain
	user          gandi.UserInfo
	latency       time.Duration
	unknownStatus int
	omitTotal     bool
	faults        []*fault
	livedns       liveDNS  // zones, snapshots and nameservers (livedns.go)
	renewals      renewals // renewal overrides and purchases (domain_renew.go)
	// autorenewYears are the autorenew durations set, by lower-case fqdn (domain_settings.go).
	autorenewYears map[string]int
	requests       []Request
	gen            int // bumped by ResetRequests so late handlers do not touch new records
	inFlight       int
	maxInFlight    int
	canceled       int
	changed        chan struct{} // closed and replaced whenever a request starts or ends
}

// NewServer starts a fake with no tokens, organizations or domains.
func NewServer() *Server {
	s := &Server{
		closing:       make(chan struct{}),
		changed:       make(chan struct{}),
		unknownStatus: http.StatusUnauthorized,
		user: gandi.UserInfo{ID: newUUID(), Username: "alice_doe", Email: "alice@example.com",
			Name: "Alice Doe", Lang: "en", City: "Paris", Country: "FR"},
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	s.URL = s.srv.URL
	return s
}

// TB is the part of testing.TB that NewTestServer needs.
type TB interface {
	Helper()
	Cleanup(func())
}

// NewTestServer starts a fake and closes it when the test ends.
func NewTestServer(t TB) *Server {
	t.Helper()
	s := NewServer()
	t.Cleanup(s.Close)
	return s
}

// Close stops the server, ends requests still hanging or delayed (they do
// not count as Canceled), and waits for every handler to return. It may be
// called more than once.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.closing)
		s.srv.Close()
	})
}

// Endpoints returns endpoints of env pointing both hosts at the fake.
func (s *Server) Endpoints(env gandi.Environment) gandi.Endpoints {
	return gandi.Endpoints{Env: env, APIURL: s.URL, IDURL: s.URL}
}

// Client returns a gandi client of the fake for the given credential, with
// retries that do not wait. It panics if the client cannot be built.
func (s *Server) Client(scheme gandi.Scheme, token string) *gandi.Client {
	c, err := gandi.New(gandi.Config{
		Endpoints: s.Endpoints(gandi.Production),
		Scheme:    scheme,
		Token:     token,
		Sleep:     func(ctx context.Context, _ time.Duration) error { return ctx.Err() },
	})
	if err != nil {
		panic(err)
	}
	return c
}

// Request is what the fake recorded of one request.
type Request struct {
	Method, Path string
	Query        url.Values
	Scheme       string // from Authorization, "" when absent
	Token        string // from Authorization (this is a fake: it keeps it)
	Body         []byte
	UserAgent    string
	Header       http.Header
	// DryRun says the request came with `Dry-Run: 1`: Gandi only checks it.
	DryRun bool
	// Canceled says the request's context ended before the fake answered.
	Canceled bool
}

// Requests returns a copy of the recorded requests, in arrival order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.requests))
	for i, r := range s.requests {
		r.Query = cloneValues(r.Query)
		r.Header = r.Header.Clone()
		r.Body = append([]byte(nil), r.Body...)
		out[i] = r
	}
	return out
}

// ResetRequests forgets recorded requests and resets MaxInFlight and Canceled.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
	s.gen++
	s.maxInFlight = s.inFlight
	s.canceled = 0
	s.notify()
}

// MaxInFlight returns the most requests handled at once since the last ResetRequests.
func (s *Server) MaxInFlight() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.maxInFlight
}

// Canceled returns how many requests saw their context end before the fake
// answered. The fake notices a little after the client gives up: call
// WaitIdle first when the count must be final.
func (s *Server) Canceled() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.canceled
}

// WaitRequests blocks until at least n requests have arrived since the last
// ResetRequests, or ctx ends.
func (s *Server) WaitRequests(ctx context.Context, n int) error {
	return s.waitFor(ctx, func() bool { return len(s.requests) >= n })
}

// WaitCanceled blocks until at least n requests have seen their context end
// since the last ResetRequests, or ctx ends.
func (s *Server) WaitCanceled(ctx context.Context, n int) error {
	return s.waitFor(ctx, func() bool { return s.canceled >= n })
}

// WaitIdle blocks until no request is being handled, or ctx ends. After a
// client gave up, it makes Canceled final for the requests already arrived.
func (s *Server) WaitIdle(ctx context.Context) error {
	return s.waitFor(ctx, func() bool { return s.inFlight == 0 })
}

func (s *Server) waitFor(ctx context.Context, done func() bool) error {
	for {
		s.mu.Lock()
		ok, ch := done(), s.changed
		s.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// notify wakes waitFor. Call with s.mu held.
func (s *Server) notify() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// SetLatency delays every request by d (cut short when the request ends).
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = d
}

// SetUnknownTokenStatus sets the status answered to an unknown token: 401
// (the default) or 403, both seen from the real API.
func (s *Server) SetUnknownTokenStatus(code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.unknownStatus = code
}

// OmitTotalCount drops the Total-Count header from domain lists (Link stays).
func (s *Server) OmitTotalCount(omit bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.omitTotal = omit
}

// SetUserInfo sets what /v5/organization/user-info answers.
func (s *Server) SetUserInfo(u gandi.UserInfo) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.user = u
}

func cloneValues(v url.Values) url.Values {
	if v == nil {
		return nil
	}
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// begin records r and counts it in flight; it returns the record's handle.
func (s *Server) begin(r *http.Request, body []byte) (gen, idx int, latency time.Duration) {
	scheme, token, _ := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, Request{
		Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(),
		Scheme: scheme, Token: strings.TrimSpace(token), Body: body,
		UserAgent: r.UserAgent(), Header: r.Header.Clone(), DryRun: r.Header.Get("Dry-Run") == "1",
	})
	s.inFlight++
	s.maxInFlight = max(s.maxInFlight, s.inFlight)
	s.notify()
	return s.gen, len(s.requests) - 1, s.latency
}

func (s *Server) end(gen, idx int, canceled bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inFlight--
	s.notify()
	if canceled && gen == s.gen {
		s.requests[idx].Canceled = true
		s.canceled++
	}
}

// wait waits d (forever when d < 0); it reports ok, or whether the request's
// context ended (as opposed to the server closing).
func (s *Server) wait(r *http.Request, d time.Duration) (ok, canceled bool) {
	var timer <-chan time.Time
	if d >= 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		timer = t.C
	}
	select {
	case <-timer:
		return true, false
	case <-r.Context().Done():
		return false, true
	case <-s.closing:
		return false, false
	}
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	gen, idx, latency := s.begin(r, body)
	canceled := false
	defer func() { s.end(gen, idx, canceled) }()
	canceled = s.handle(w, r, body, latency)
}
