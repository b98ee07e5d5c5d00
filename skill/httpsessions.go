package skill

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// errNoSession is Validate's answer for an id this server did not issue or has ended.
var errNoSession = errors.New("no such session: it was never issued, or it ended")

// sessions are the Streamable HTTP sessions (protocol 2025-11-25) this server issued
// and has not ended. It is mcp-go's SessionIdManager, with idle expiry and a cap, so
// that a loop of initialize cannot grow memory without end.
type sessions struct {
	ttl time.Duration // an idle session ends after this long
	max int           // at most this many sessions are open
	now func() time.Time

	mu   sync.Mutex
	live map[string]*sessionUse
}

type sessionUse struct {
	last time.Time // when a request on it last began or ended
	open int       // requests on it in progress (a GET stream is one)
}

func newSessions(ttl time.Duration, max int, now func() time.Time) *sessions {
	if now == nil {
		now = time.Now
	}
	return &sessions{ttl: ttl, max: max, now: now, live: map[string]*sessionUse{}}
}

// Generate issues a new session id; the caller has checked the cap (sessionGate.initialize).
func (s *sessions) Generate() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	id := "mcp-session-" + hex.EncodeToString(b)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.live[id] = &sessionUse{last: s.now()}
	return id
}

// Validate accepts only an open session this server issued.
func (s *sessions) Validate(id string) (isTerminated bool, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lookup(id) == nil {
		return false, errNoSession
	}
	return false, nil
}

// Terminate ends a session (DELETE, shutdown, expiry).
func (s *sessions) Terminate(id string) (isNotAllowed bool, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.live, id)
	return false, nil
}

// lookup returns an open session, ending it first if it has been idle too long. s.mu is held.
func (s *sessions) lookup(id string) *sessionUse {
	u := s.live[id]
	if u != nil && u.open == 0 && s.now().Sub(u.last) > s.ttl {
		delete(s.live, id)
		return nil
	}
	return u
}

// enter marks a request on session id in progress; ok is false when id is not open.
func (s *sessions) enter(id string) (leave func(), ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.lookup(id)
	if u == nil {
		return nil, false
	}
	u.open++
	u.last = s.now()
	return sync.OnceFunc(func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		u.open--
		u.last = s.now()
	}), true
}

// expire ends the sessions idle longer than the TTL and returns their ids.
func (s *sessions) expire() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ended []string
	for id := range s.live {
		if s.lookup(id) == nil {
			ended = append(ended, id)
		}
	}
	return ended
}

func (s *sessions) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.live)
}

// sessionGate stands before mcp-go's handler and enforces what the Streamable HTTP
// transport says of sessions, which mcp-go leaves to the SessionIdManager or skips: a
// request other than initialize must carry a session id (400), the id must be one this
// server issued and has not ended (404, for GET and DELETE too), and initialize is
// refused at the cap (503). Requests of protocol 2026-07-28, which has no sessions, pass.
// It also reads the POST body, whose size the caller bounded.
type sessionGate struct {
	next     http.Handler // mcp-go's handler
	sessions *sessions
	initMu   sync.Mutex // initialize requests one at a time, so the cap is exact
}

func (g *sessionGate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, ok := bufferBody(w, r)
	if !ok {
		return
	}

	if modernRequest(r.Header, body) {
		g.next.ServeHTTP(w, r)
		return
	}
	switch r.Method {
	case http.MethodPost:
		var msg struct {
			Method string `json:"method"`
		}
		if json.Unmarshal(body, &msg) != nil {
			g.next.ServeHTTP(w, r) // mcp-go answers the parse error
			return
		}
		if msg.Method == string(mcp.MethodInitialize) {
			g.initialize(w, r)
			return
		}
	case http.MethodGet, http.MethodDelete:
	default:
		g.next.ServeHTTP(w, r)
		return
	}
	id := r.Header.Get(server.HeaderKeySessionID)
	if id == "" {
		http.Error(w, "Bad Request: this request needs the "+server.HeaderKeySessionID+" header that the answer to initialize carried; send initialize first", http.StatusBadRequest)
		return
	}
	leave, ok := g.sessions.enter(id)
	if !ok {
		http.Error(w, fmt.Sprintf("Not Found: no open session has this %s: it was never issued, ended with DELETE, or expired after %s idle; send initialize to start a new session", server.HeaderKeySessionID, g.sessions.ttl), http.StatusNotFound)
		return
	}
	defer leave()
	g.next.ServeHTTP(w, r)
}

// bufferBody reads a POST's body, whose size the caller bounded, and puts it back for the
// next handler; ok is false when it answered already (413 past the bound, 400 when unreadable).
func bufferBody(w http.ResponseWriter, r *http.Request) (body []byte, ok bool) {
	if r.Method != http.MethodPost {
		return nil, true
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		if tooLarge := (*http.MaxBytesError)(nil); errors.As(err, &tooLarge) {
			bodyTooLarge(w, tooLarge.Limit)
			return nil, false
		}
		http.Error(w, "Bad Request: the request body could not be read", http.StatusBadRequest)
		return nil, false
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	return body, true
}

func (g *sessionGate) initialize(w http.ResponseWriter, r *http.Request) {
	g.initMu.Lock()
	defer g.initMu.Unlock()
	g.sweep(r.Context())
	if n := g.sessions.count(); n >= g.sessions.max {
		w.Header().Set("Retry-After", "60")
		http.Error(w, fmt.Sprintf("Service Unavailable: gandi-mcp already has %d open sessions, its limit; end one (DELETE with its %s) or wait until one has been idle for %s", n, server.HeaderKeySessionID, g.sessions.ttl), http.StatusServiceUnavailable)
		return
	}
	g.next.ServeHTTP(w, r)
}

// sweep ends the expired sessions, and has mcp-go drop what it keeps for each (its
// per-session state is only released by a DELETE, its own sweeper or shutdown).
func (g *sessionGate) sweep(ctx context.Context) {
	for _, id := range g.sessions.expire() {
		req, err := http.NewRequestWithContext(context.WithoutCancel(ctx), http.MethodDelete, HTTPPath, nil)
		if err != nil {
			continue
		}
		req.Header.Set(server.HeaderKeySessionID, id)
		g.next.ServeHTTP(discardResponse{}, req)
	}
}

// sweepEvery sweeps at interval until ctx ends, so idle sessions are released even when no initialize comes.
func (g *sessionGate) sweepEvery(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			g.sweep(ctx)
		}
	}
}

// modernRequest says whether a request speaks protocol 2026-07-28 or later, as mcp-go
// decides it: the Mcp-Protocol-Version header or the body's _meta names such a version.
func modernRequest(h http.Header, body []byte) bool {
	if mcp.IsModernProtocol(h.Get(mcp.HeaderProtocolVersion)) {
		return true
	}
	var m struct {
		Params struct {
			Meta *mcp.Meta `json:"_meta"`
		} `json:"params"`
	}
	return len(body) > 0 && json.Unmarshal(body, &m) == nil && mcp.IsModernProtocol(m.Params.Meta.ProtocolVersion())
}

// discardResponse is the response writer of the DELETE a sweep sends mcp-go.
type discardResponse struct{}

func (discardResponse) Header() http.Header         { return http.Header{} }
func (discardResponse) Write(p []byte) (int, error) { return len(p), nil }
func (discardResponse) WriteHeader(int)             {}
