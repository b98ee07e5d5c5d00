package skill

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/mark3labs/mcp-go/server"

	"github.com/gandi-mcp/gandi-mcp/auth"
	"github.com/gandi-mcp/gandi-mcp/gandi"
	"github.com/gandi-mcp/gandi-mcp/tools"
)

// Paths of a hosted server's probes and metrics, answered without a token.
const (
	HealthPath  = "/healthz"
	ReadyPath   = "/readyz"
	MetricsPath = "/metrics"
)

// ErrHostedOptions is wrapped by every refusal of a combination of HTTP options (hosted
// mode, TLS, binding) that cannot be served.
var ErrHostedOptions = errors.New("these HTTP options do not go together")

// CheckServeOptions checks, before anything listens, that addr and o can be served: TLS
// options only in hosted mode, both halves of a certificate, and a non-loopback address
// only in hosted mode with TLS served or said to end in front (TLSTerminated).
func CheckServeOptions(addr string, o HTTPOptions) error {
	tlsServed := o.TLSCert != "" || o.TLSKey != ""
	refuse := func(msg string) error { return fmt.Errorf("%s (%w)", msg, ErrHostedOptions) }
	switch {
	case !o.Hosted && (tlsServed || o.TLSTerminated || o.DrainTime != 0):
		return refuse("--tls-cert, --tls-key, --tls-terminated and --drain-time apply only with --hosted: the single-user --http endpoint serves loopback addresses, in plain HTTP")
	case !o.Hosted:
		return CheckHTTPAddr(addr)
	case o.NoAuth:
		return refuse("--http-no-auth does not apply with --hosted: every request to a hosted server carries its caller's own token, which is all the authentication there is")
	case o.Secret != "":
		return refuse("a hosted server takes no bearer secret: every request carries its caller's own token")
	case o.TLSCert != "" && o.TLSKey == "":
		return refuse("--tls-cert needs --tls-key, the file of the certificate's private key")
	case o.TLSKey != "" && o.TLSCert == "":
		return refuse("--tls-key needs --tls-cert, the file of the certificate (PEM, its chain after it)")
	case o.DrainTime < 0:
		return refuse("--drain-time cannot be negative: give a duration such as 5s, or 0 to stop accepting requests at once")
	case tlsServed && o.TLSTerminated:
		return refuse("--tls-terminated says TLS ends at a proxy in front, --tls-cert and --tls-key that this server ends it: give one or the other")
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil || port == "" {
		return fmt.Errorf("the --http address is not HOST:PORT; use e.g. 0.0.0.0:8080 (every interface) or 127.0.0.1:8080")
	}
	if !isLoopbackHost(host) && !tlsServed && !o.TLSTerminated {
		return refuse(fmt.Sprintf("refusing to serve a hosted server on %s in plain HTTP: callers' tokens would cross the network in clear; "+
			"serve TLS with --tls-cert FILE --tls-key FILE, or pass --tls-terminated when a proxy or load balancer in front ends TLS", describeHost(host)))
	}
	return nil
}

func describeHost(host string) string {
	if host == "" || host == "0.0.0.0" || host == "::" {
		return "every interface"
	}
	return fmt.Sprintf("%q", host)
}

// readiness is what /readyz answers: ready until the server begins to shut down.
type readiness struct{ stopping atomic.Bool }

// hostedRoutes is the route table of a hosted server, in one place: the MCP endpoint,
// the probes and the metrics (which need no token and say nothing of anyone's: no
// label holds a token, a domain or an organization). m nil: no /metrics.
func hostedRoutes(mcpHandler http.Handler, ready *readiness, m *Metrics) *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle(HTTPPath, mcpHandler)
	if m != nil {
		mux.Handle("GET "+MetricsPath, m.Handler())
	}
	mux.HandleFunc("GET "+HealthPath, func(w http.ResponseWriter, _ *http.Request) {
		writeProbe(w, http.StatusOK, "alive")
	})
	mux.HandleFunc("GET "+ReadyPath, func(w http.ResponseWriter, _ *http.Request) {
		if ready.stopping.Load() {
			writeProbe(w, http.StatusServiceUnavailable, "shutting down")
			return
		}
		writeProbe(w, http.StatusOK, "ready")
	})
	return mux
}

func writeProbe(w http.ResponseWriter, status int, text string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	fmt.Fprintln(w, text)
}

// serveHosted is ServeHTTP in hosted mode: stateless Streamable HTTP where each request's
// bearer token is that request's credential, with the probes beside it.
func (s *Server) serveHosted(ctx context.Context, addr string, o HTTPOptions) error {
	if !s.deps.Hosted || !o.Hosted {
		return fmt.Errorf("a hosted HTTP server needs both HTTPOptions.Hosted and a server built on hosted Deps (DepsFromEnv with Options.Hosted): %w", ErrHostedOptions)
	}
	if err := CheckServeOptions(addr, o); err != nil {
		return err
	}
	var tlsConfig *tls.Config
	if o.TLSCert != "" {
		cert, err := tls.LoadX509KeyPair(o.TLSCert, o.TLSKey)
		if err != nil {
			return fmt.Errorf("read the TLS certificate %s and key %s: %w", o.TLSCert, o.TLSKey, err)
		}
		tlsConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	// "localhost" could resolve to anything: plain HTTP is for loopback only.
	if tlsConfig == nil && !o.TLSTerminated {
		if ap, err := netip.ParseAddrPort(ln.Addr().String()); err != nil || !ap.Addr().IsLoopback() {
			ln.Close()
			return fmt.Errorf("%s listens on %s, not a loopback address: serve TLS or pass --tls-terminated (%w)", addr, ln.Addr(), ErrHostedOptions)
		}
	}
	logger, lim := s.log, s.limits
	hs := &http.Server{
		ReadHeaderTimeout: lim.readHeader, ReadTimeout: lim.read, WriteTimeout: lim.writeFor(s.deps.CallLimit()),
		IdleTimeout: lim.idle, MaxHeaderBytes: lim.maxHeaderBytes, TLSConfig: tlsConfig,
		ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	// Stateless: no session lives in a replica, so any replica answers any request. The
	// localhost protection guards a local server's ambient authority; a hosted request
	// carries its own token, and a proxy in front may keep a public Host header.
	st := server.NewStreamableHTTPServer(s.MCP,
		server.WithStreamableHTTPServer(hs),
		server.WithStreamableHTTPLogger(logger),
		server.WithStateLess(true),
		server.WithDisableLocalhostProtection(true),
	)
	ready := &readiness{}
	var h http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			// A stateless server has nothing to push outside a request's own answer: a GET
			// stream would only hold a connection per client, on every replica.
			w.Header().Set("Allow", "POST")
			http.Error(w, "Method Not Allowed: this hosted gandi-mcp is stateless and offers no SSE stream on GET; send requests with POST", http.StatusMethodNotAllowed)
			return
		}
		if _, ok := bufferBody(w, r); ok {
			st.ServeHTTP(w, r)
		}
	})
	h = limitBody(lim.maxBody, h)
	h = requireCaller(s.deps.Endpoints, h)
	h = refuseQueryTokens(s.deps.Endpoints, h)
	h = sameOriginOnly(h)
	m, _ := s.deps.Metrics.(*Metrics)
	if m != nil {
		h = m.InstrumentHTTP(h)
	}
	hs.Handler = hostedRoutes(h, ready, m)

	scheme := "http"
	if tlsConfig != nil {
		scheme = "https"
	}
	endpoint := scheme + "://" + ln.Addr().String() + HTTPPath
	logger.Info("serving MCP over Streamable HTTP", "url", endpoint, "mode", "hosted", "auth", "each caller's bearer token", "tls", tlsMode(o))
	if o.Started != nil {
		o.Started(endpoint)
	}
	served := make(chan error, 1)
	go func() {
		if tlsConfig != nil {
			served <- hs.ServeTLS(ln, "", "")
			return
		}
		served <- hs.Serve(ln)
	}()
	select {
	case err := <-served:
		return fmt.Errorf("serve %s: %w", endpoint, err)
	case <-ctx.Done():
	}
	ready.stopping.Store(true)
	logger.Info("shutting down: "+ReadyPath+" answers 503 from now on", "drain", o.DrainTime.String())
	if o.DrainTime > 0 {
		t := time.NewTimer(o.DrainTime)
		select {
		case <-t.C:
		case err := <-served:
			t.Stop()
			return fmt.Errorf("serve %s: %w", endpoint, err)
		}
	}
	return s.shutdownHTTP(context.WithoutCancel(ctx), st, hs, served, endpoint)
}

func tlsMode(o HTTPOptions) string {
	switch {
	case o.TLSCert != "":
		return "served"
	case o.TLSTerminated:
		return "terminated in front"
	}
	return "none (loopback)"
}

// challenge is what a hosted server answers a request without a usable token.
const challenge = `Bearer realm="gandi-mcp"`

// authProblem is the JSON body of a refused request: what was wrong, and what to send.
type authProblem struct {
	Error   string `json:"error"`
	Message string `json:"message"`
}

// sendHint is what every refusal tells the caller to send, with where tokens of ep are made.
func sendHint(ep gandi.Endpoints) string {
	return "send your own Gandi Personal Access Token with every request, as the header \"Authorization: Bearer YOUR_PAT\" " +
		"(create one at " + ep.PATPageURL() + "); never in the URL, never in the chat"
}

func refuse(w http.ResponseWriter, status int, code, msg string) {
	if status == http.StatusUnauthorized {
		h := challenge
		if code == "invalid_token" {
			h += `, error="invalid_token"`
		}
		w.Header().Set("WWW-Authenticate", h)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(authProblem{Error: code, Message: msg})
}

// requireCaller lets through only requests whose Authorization header carries one bearer
// token of a token's shape, and makes it the credential of that request's tool calls. The
// token is checked for its shape only: Gandi decides whether it is valid. What was sent is
// never repeated, in the answer or a log.
func requireCaller(ep gandi.Endpoints, next http.Handler) http.Handler {
	sendHint := sendHint(ep)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		values := r.Header.Values("Authorization")
		if len(values) == 0 {
			refuse(w, http.StatusUnauthorized, "missing_token", "Unauthorized: no Authorization header; "+sendHint+".")
			return
		}
		if len(values) > 1 {
			refuse(w, http.StatusUnauthorized, "invalid_request", "Unauthorized: several Authorization headers; "+sendHint+", once.")
			return
		}
		scheme, raw, _ := strings.Cut(strings.TrimSpace(values[0]), " ")
		if !strings.EqualFold(scheme, "Bearer") {
			refuse(w, http.StatusUnauthorized, "invalid_request", "Unauthorized: the Authorization header does not use the Bearer scheme; "+sendHint+".")
			return
		}
		token, err := auth.ValidateToken(tools.HeaderOrigin, raw)
		if err != nil {
			var bad *auth.InvalidTokenError
			why := "it is not a token"
			if errors.As(err, &bad) {
				why = bad.Reason
			}
			refuse(w, http.StatusUnauthorized, "invalid_token", "Unauthorized: the bearer value is not a Gandi token ("+why+"); "+sendHint+".")
			return
		}
		cred := auth.NewCredential(auth.KindPAT, auth.SourceHeader, tools.HeaderOrigin, token)
		cred.Sandbox = ep.Env == gandi.Sandbox
		next.ServeHTTP(w, r.WithContext(tools.WithCaller(r.Context(), cred)))
	})
}

// queryTokenNames are query parameters that, by their name, carry a credential.
var queryTokenNames = []string{"access_token", "token", "api_key", "apikey"}

// refuseQueryTokens refuses a request whose URL carries what may be a token, by its
// parameter's name or its value's shape: URLs end up in proxies' and servers' logs, so such a
// token is never used, and never repeated.
func refuseQueryTokens(ep gandi.Endpoints, next http.Handler) http.Handler {
	sendHint := sendHint(ep)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q, err := url.ParseQuery(r.URL.RawQuery)
		suspect := err != nil
		for name, values := range q {
			for _, tokenName := range queryTokenNames {
				suspect = suspect || strings.EqualFold(name, tokenName)
			}
			for _, v := range append([]string{name}, values...) {
				if _, err := auth.ValidateToken("", v); err == nil {
					suspect = true
				}
			}
		}
		if suspect {
			refuse(w, http.StatusBadRequest, "token_in_url",
				"Bad Request: the URL's query may carry a token, which gandi-mcp does not read, use or log; the URL ends at /mcp: "+
					sendHint+". If a token was in the URL, it may be in some log now: consider renewing it.")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// sameOriginOnly refuses a browser's cross-origin request: a hosted server answers MCP
// clients, and a web page elsewhere has no business calling it with a token it holds.
func sameOriginOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if o := r.Header.Get("Origin"); o != "" {
			u, err := url.Parse(o)
			if err != nil || !strings.EqualFold(u.Host, r.Host) {
				http.Error(w, "Forbidden: a request from another origin (a web page's) is not served; MCP clients send no Origin header", http.StatusForbidden)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}
