package skill

import (
	"context"
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

// shutdownWait bounds how long a graceful HTTP shutdown waits for calls in flight.
const shutdownWait = 5 * time.Second

// ErrNotLoopback is returned for an HTTP address that is not on a loopback interface.
var ErrNotLoopback = errors.New("not a loopback address")

// ServeHTTP serves MCP over Streamable HTTP at http://addr/mcp until ctx ends,
// then shuts down gracefully. addr must be a loopback HOST:PORT (port 0 picks
// one); started, when set, is told the endpoint's URL once it listens. Logs go
// to the server's stderr logger.
func (s *Server) ServeHTTP(ctx context.Context, addr string, started func(url string)) error {
	if err := CheckHTTPAddr(addr); err != nil {
		return err
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
	logger := s.log
	hs := &http.Server{ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
	// mcp-go's default DNS-rebinding protection (a loopback Host header) stays on; Origin is checked here too.
	st := server.NewStreamableHTTPServer(s.MCP,
		server.WithStreamableHTTPServer(hs),
		server.WithStreamableHTTPLogger(logger),
	)
	mux := http.NewServeMux()
	mux.Handle(HTTPPath, loopbackOrigin(st))
	hs.Handler = mux

	endpoint := "http://" + ln.Addr().String() + HTTPPath
	logger.Info("serving MCP over Streamable HTTP", "url", endpoint)
	if started != nil {
		started(endpoint)
	}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("serve %s: %w", endpoint, err)
	case <-ctx.Done():
	}
	logger.Info("shutting down: finishing calls in flight", "wait", shutdownWait.String())
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownWait)
	defer cancel()
	err = st.Shutdown(sctx)
	if serr := <-served; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	if err != nil {
		return fmt.Errorf("shut down %s: %w", endpoint, err)
	}
	return nil
}

// CheckHTTPAddr refuses an address that is not loopback HOST:PORT: the server
// acts with the person's Gandi token and has no authentication of its own.
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
	return fmt.Errorf("refusing to serve HTTP on %s (%w): anyone who reaches the port would act with your Gandi token, "+
		"and a shared, multi-user deployment needs its own authentication design, which gandi-mcp does not have; "+
		"bind to 127.0.0.1:PORT, [::1]:PORT or localhost:PORT", what, ErrNotLoopback)
}

func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(strings.Trim(host, "[]"))
	return err == nil && ip.IsLoopback()
}

// loopbackOrigin refuses requests that a web page on another origin made
// through the person's browser (DNS rebinding, cross-site requests).
func loopbackOrigin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
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
