package skill

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/server"
)

// HTTPPath is where the Streamable HTTP transport answers.
const HTTPPath = "/mcp"

// ErrNotLoopback is returned for an HTTP address that is not on a loopback interface.
var ErrNotLoopback = errors.New("not a loopback address")

// ErrNoHTTPSecret is returned by ServeHTTP when neither a secret nor NoAuth is given.
var ErrNoHTTPSecret = errors.New("no bearer secret for the HTTP endpoint")

// HTTPOptions configure ServeHTTP.
type HTTPOptions struct {
	// Secret is what every request must carry as "Authorization: Bearer SECRET"
	// (HTTPSecret makes and keeps it). Required unless NoAuth.
	Secret string
	// NoAuth serves every local user without a secret: for local testing only.
	NoAuth bool
	// Started, when set, is told the endpoint's URL once it listens.
	Started func(url string)

	// Hosted serves many callers, each request with its own token as its bearer (no
	// Secret), statelessly, with /healthz and /readyz; the server must be built on hosted
	// Deps. A non-loopback address needs TLSCert and TLSKey (TLS served here) or
	// TLSTerminated (TLS ends at a proxy in front). See CheckServeOptions.
	Hosted          bool
	TLSCert, TLSKey string
	TLSTerminated   bool
	// DrainTime, in hosted mode, is how long /readyz answers 503 once shutdown begins
	// before the server stops accepting requests, so that a load balancer takes the
	// replica out first; zero stops accepting at once.
	DrainTime time.Duration
}

// httpLimits bound what one client of the HTTP endpoint can hold: time, memory, sessions.
type httpLimits struct {
	readHeader, read time.Duration // to read a request's headers; its headers and body
	// write bounds a whole response, an SSE stream included: it must exceed a tool
	// call's deadline (25 s by default) and a renewal that outlives it.
	write          time.Duration
	idle           time.Duration // a kept-alive connection waiting for its next request
	maxHeaderBytes int
	maxBody        int64
	sessionTTL     time.Duration // an idle session ends after this long
	maxSessions    int
	// callsWait bounds how long a shutdown waits for calls in flight; rotationWait, how
	// long it waits for a token renewal to store the token Gandi issued (counted from
	// the shutdown's start).
	callsWait, rotationWait time.Duration
	now                     func() time.Time // nil: time.Now (tests move it)
}

func defaultHTTPLimits() httpLimits {
	return httpLimits{
		readHeader: 10 * time.Second, read: 30 * time.Second, write: 90 * time.Second, idle: 2 * time.Minute,
		maxHeaderBytes: 64 << 10, maxBody: 4 << 20,
		sessionTTL: 30 * time.Minute, maxSessions: 1000,
		callsWait: 5 * time.Second, rotationWait: 30 * time.Second,
	}
}

// writeFor is the write timeout for calls limited to call: a response, SSE included,
// must outlive the longest call GANDI_MCP_CALL_TIMEOUT allows, with room for its diagnosis.
func (l httpLimits) writeFor(call time.Duration) time.Duration {
	return max(l.write, call+time.Minute)
}

// ServeHTTP serves MCP over Streamable HTTP at http://addr/mcp until ctx ends (with
// o.Hosted, for many callers: see HTTPOptions.Hosted), then shuts down gracefully, waiting (up to 30 s) for a token renewal in flight to
// store its new token. addr must be a loopback HOST:PORT (port 0 picks one). Every
// request must carry o.Secret as a bearer token unless o.NoAuth. Logs go to the
// server's stderr logger; the secret never does.
func (s *Server) ServeHTTP(ctx context.Context, addr string, o HTTPOptions) error {
	if o.Hosted || s.deps.Hosted {
		return s.serveHosted(ctx, addr, o)
	}
	if err := CheckServeOptions(addr, o); err != nil {
		return err
	}
	if o.Secret == "" && !o.NoAuth {
		return fmt.Errorf("refusing to serve HTTP: %w (run gandi-mcp http-secret, or pass --http-no-auth for local testing)", ErrNoHTTPSecret)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	// "localhost" could resolve to anything: what counts is where it listens.
	if ap, err := netip.ParseAddrPort(ln.Addr().String()); err != nil || !ap.Addr().IsLoopback() {
		ln.Close()
		return fmt.Errorf("%s listens on %s: %w", addr, ln.Addr(), ErrNotLoopback)
	}
	logger, lim := s.log, s.limits
	hs := &http.Server{
		ReadHeaderTimeout: lim.readHeader, ReadTimeout: lim.read, WriteTimeout: lim.writeFor(s.deps.CallLimit()),
		IdleTimeout: lim.idle, MaxHeaderBytes: lim.maxHeaderBytes,
		ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	sess := newSessions(lim.sessionTTL, lim.maxSessions, lim.now)
	// mcp-go's default DNS-rebinding protection (a loopback Host header) stays on; Origin is checked here too.
	st := server.NewStreamableHTTPServer(s.MCP,
		server.WithStreamableHTTPServer(hs),
		server.WithStreamableHTTPLogger(logger),
		server.WithSessionIdManager(sess),
	)
	gate := &sessionGate{next: st, sessions: sess}
	var h http.Handler = limitBody(lim.maxBody, gate)
	if !o.NoAuth {
		h = requireBearer(o.Secret, h)
	}
	if m, ok := s.deps.Metrics.(*Metrics); ok {
		h = m.InstrumentHTTP(h) // outside the bearer check, so that 401s count too
	}
	mux := http.NewServeMux()
	mux.Handle(HTTPPath, loopbackOnly(h))
	hs.Handler = mux

	endpoint := "http://" + ln.Addr().String() + HTTPPath
	authMode := "bearer"
	if o.NoAuth {
		authMode = "none"
	}
	logger.Info("serving MCP over Streamable HTTP", "url", endpoint, "auth", authMode)
	if o.Started != nil {
		o.Started(endpoint)
	}
	sweepCtx, stopSweep := context.WithCancel(context.WithoutCancel(ctx))
	defer stopSweep()
	go gate.sweepEvery(sweepCtx, max(lim.sessionTTL/2, time.Second))
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("serve %s: %w", endpoint, err)
	case <-ctx.Done():
	}
	return s.shutdownHTTP(context.WithoutCancel(ctx), st, hs, served, endpoint)
}

// shutdownHTTP stops taking requests, gives calls in flight callsWait to finish, and
// gives a token renewal in flight up to rotationWait to store the token Gandi issued:
// stdio's shutdown waits for its calls too, and a token issued but never stored is lost.
func (s *Server) shutdownHTTP(ctx context.Context, st *server.StreamableHTTPServer, hs *http.Server, served <-chan error, endpoint string) error {
	logger, lim := s.log, s.limits
	start := time.Now()
	// A renewal that has not asked Gandi yet is refused: nothing would wait for its end.
	renewing := s.deps.Rotations.Close()
	logger.Info("shutting down: finishing calls in flight", "wait", lim.callsWait.String())
	if renewing > 0 {
		logger.Info("waiting for a token renewal in flight to store its new token", "up_to", lim.rotationWait.String())
	}
	cctx, cancel := context.WithTimeout(ctx, lim.callsWait)
	err := st.Shutdown(cctx)
	cancel()
	rctx, cancel := context.WithDeadline(ctx, start.Add(lim.rotationWait))
	defer cancel()
	if s.deps.Rotations.Wait(rctx) != nil {
		logger.Error("stopping before a token renewal stored its new token: it may be lost; "+
			"run verify_token (or gandi-mcp call verify_token) once gandi-mcp is back to see which token is stored", "waited", lim.rotationWait.String())
		return fmt.Errorf("shut down %s: a token renewal did not store its new token within %s", endpoint, lim.rotationWait)
	}
	if err != nil && renewing > 0 {
		// The renewal is stored: its answer deserves a moment to go out.
		cctx, cancel := context.WithTimeout(ctx, lim.callsWait)
		err = hs.Shutdown(cctx)
		cancel()
	}
	if serr := <-served; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	if err != nil {
		return fmt.Errorf("shut down %s: %w", endpoint, err)
	}
	return nil
}

// CheckHTTPAddr refuses an address that is not loopback HOST:PORT: the server acts
// with the person's Gandi token, and its bearer secret is no design for a network.
func CheckHTTPAddr(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || port == "" {
		// The value is not repeated: a token typed in the wrong place must not reach a log.
		return fmt.Errorf("the --http address is not HOST:PORT; use e.g. 127.0.0.1:8080")
	}
	if isLoopbackHost(host) {
		return nil
	}
	what := fmt.Sprintf("%q", host)
	if host == "" || host == "0.0.0.0" || host == "::" {
		what = "every interface"
	}
	return fmt.Errorf("refusing to serve HTTP on %s (%w): anyone who reaches the port would act with your Gandi token; "+
		"bind to 127.0.0.1:PORT, [::1]:PORT or localhost:PORT, or, for many people each with their own token, "+
		"serve --hosted with TLS (--tls-cert FILE --tls-key FILE, or --tls-terminated behind a proxy)", what, ErrNotLoopback)
}

func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(strings.Trim(host, "[]"))
	return err == nil && ip.IsLoopback()
}

// loopbackOnly refuses requests that a web page on another origin made through
// the person's browser (DNS rebinding, cross-site requests), before anything else.
func loopbackOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := r.Host
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		if !isLoopbackHost(host) {
			http.Error(w, "Forbidden: the Host header is not a loopback name; gandi-mcp answers only http://127.0.0.1, [::1] or localhost", http.StatusForbidden)
			return
		}
		if o := r.Header.Get("Origin"); o != "" {
			u, err := url.Parse(o)
			if err != nil || !isLoopbackHost(u.Hostname()) {
				http.Error(w, fmt.Sprintf("Forbidden: origin %q is not a loopback origin", o), http.StatusForbidden)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// limitBody answers 413 for a body over limit bytes: at once when Content-Length
// declares it, else when reading passes the limit (a chunked body), never reading more.
func limitBody(limit int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > limit {
			bodyTooLarge(w, limit)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		next.ServeHTTP(w, r)
	})
}

func bodyTooLarge(w http.ResponseWriter, limit int64) {
	// The rest of the body is not read: the connection cannot be reused.
	w.Header().Set("Connection", "close")
	http.Error(w, fmt.Sprintf("Request Entity Too Large: a request body may be at most %d MiB", limit>>20), http.StatusRequestEntityTooLarge)
}

// requireBearer lets through only requests that carry "Authorization: Bearer SECRET".
// The comparison takes the same time whatever was sent, and what was sent is never
// repeated, in the answer or a log.
func requireBearer(secret string, next http.Handler) http.Handler {
	want := sha256.Sum256([]byte(secret))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, got, found := strings.Cut(r.Header.Get("Authorization"), " ")
		sent := found && strings.EqualFold(scheme, "Bearer")
		if sent {
			h := sha256.Sum256([]byte(strings.TrimSpace(got)))
			if subtle.ConstantTimeCompare(h[:], want[:]) == 1 {
				next.ServeHTTP(w, r)
				return
			}
		}
		msg := "Unauthorized: gandi-mcp's HTTP endpoint needs the header \"Authorization: Bearer SECRET\", " +
			"where SECRET is what `gandi-mcp http-secret` prints; add that header to this server's entry in your MCP client's configuration"
		challenge := `Bearer realm="gandi-mcp"`
		if sent {
			msg = "Unauthorized: the bearer secret sent is not this server's; send \"Authorization: Bearer SECRET\" " +
				"with the secret `gandi-mcp http-secret` prints"
			challenge += `, error="invalid_token"`
		}
		w.Header().Set("WWW-Authenticate", challenge)
		http.Error(w, msg, http.StatusUnauthorized)
	})
}
