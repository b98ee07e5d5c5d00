package gandi_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gandi-mcp/gandi-mcp/gandi"
	"github.com/gandi-mcp/gandi-mcp/gandi/ganditest"
)

// rawServer is a ganditest.RawListener closed at cleanup; it returns the base URL.
func rawServer(t *testing.T, serve func(c net.Conn)) string {
	t.Helper()
	addr, stop, err := ganditest.RawListener(serve)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return "http://" + addr
}

// readRequest reads the start of a request, so that the client has sent it.
func readRequest(c net.Conn) {
	buf := make([]byte, 4096)
	_, _ = c.Read(buf)
}

// holding accepts and never answers.
func holding(t *testing.T) string {
	return rawServer(t, func(c net.Conn) {
		readRequest(c)
		_, _ = c.Read(make([]byte, 1)) // until the client or the cleanup closes it
	})
}

// resetting reads the request, then resets the connection.
func resetting(t *testing.T) string {
	return rawServer(t, func(c net.Conn) {
		readRequest(c)
		_ = c.(*net.TCPConn).SetLinger(0) // close sends RST, not FIN
		c.Close()
	})
}

// closing reads the request, then closes the connection without a word.
func closing(t *testing.T) string {
	return rawServer(t, func(c net.Conn) {
		readRequest(c)
		c.Close()
	})
}

// refusedURL is a loopback port nobody listens on.
func refusedURL(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr
}

// untrustedTLS is an HTTPS server whose certificate the default client does not trust.
func untrustedTLS(t *testing.T) string {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// notTLS speaks https to a server that answers something else than TLS
// (net/http reports a plain HTTP answer in words only, so it is not used here).
func notTLS(t *testing.T) string {
	base := rawServer(t, func(c net.Conn) {
		_, _ = c.Write([]byte("SSH-2.0-OpenSSH_9.6\r\n"))
		readRequest(c)
	})
	return strings.Replace(base, "http://", "https://", 1)
}

// truncating is the fake, cutting every answer's body in half.
func truncating(t *testing.T) string {
	fake := ganditest.NewTestServer(t)
	fake.Inject(ganditest.Fault{Truncate: true})
	return fake.URL
}

// TestTransportFailuresNameTheHostAndWhatHappened: each way of not getting an
// answer is classified at the root, with the host asked, whatever the message.
func TestTransportFailuresNameTheHostAndWhatHappened(t *testing.T) {
	tests := []struct {
		name    string
		base    func(t *testing.T) string
		kind    gandi.FailureKind
		timeout bool
	}{
		{"accepts and never answers", holding, gandi.KindTimeout, true},
		{"connection refused", refusedURL, gandi.KindRefused, false},
		{"name not resolved", func(*testing.T) string { return "https://gandi-mcp-test.invalid" }, gandi.KindDNS, false},
		{"certificate not trusted", untrustedTLS, gandi.KindTLS, false},
		{"not a TLS server", notTLS, gandi.KindTLS, false},
		{"connection reset", resetting, gandi.KindReset, false},
		{"closed without an answer", closing, gandi.KindClosed, false},
		{"body cut short", truncating, gandi.KindTruncated, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			base := tc.base(t)
			// The default per-attempt timeout (30s) and 4 attempts: only the caller's deadline may end a hang.
			c, sl := newClient(t, base, func(c *gandi.Config) { c.Retry = gandi.RetryPolicy{MaxAttempts: 4} })
			// Short only for the hang, which only the deadline ends: a resolver or a TLS handshake under -race may be slow.
			limit := 10 * time.Second
			if tc.timeout {
				limit = 300 * time.Millisecond
			}
			ctx, cancel := context.WithTimeout(context.Background(), limit)
			defer cancel()
			_, err := c.TokenInfo(ctx)
			var te *gandi.TransportError
			if !errors.As(err, &te) {
				t.Fatalf("err = %v (%T), want a TransportError", err, err)
			}
			u, _ := url.Parse(base)
			if te.Kind != tc.kind || te.Timeout != tc.timeout || te.Host != u.Host || te.Path != "/tokeninfo" {
				t.Errorf("kind %q timeout %v host %q path %q, want %q %v %q /tokeninfo (err %v)", te.Kind, te.Timeout, te.Host, te.Path, tc.kind, tc.timeout, u.Host, err)
			}
			if !strings.Contains(err.Error(), u.Host) {
				t.Errorf("error %q does not name the host %s", err, u.Host)
			}
			if tc.timeout && (!te.CallerDeadline || len(sl.all()) != 0 || te.Attempts != 1) {
				t.Errorf("a hang until the caller's deadline: caller %v, waits %v, attempts %d; want the deadline, no retry", te.CallerDeadline, sl.all(), te.Attempts)
			}
			if tc.kind == gandi.KindTruncated && !errors.Is(err, gandi.ErrBadResponse) {
				t.Errorf("a cut body should still be ErrBadResponse: %v", err)
			}
		})
	}
}

// TestBadAnswersNameTheHostAndWhatHappened: a 2xx answer that cannot be used
// says which host sent it and whether it was too large or not JSON.
func TestBadAnswersNameTheHostAndWhatHappened(t *testing.T) {
	tests := []struct {
		name  string
		fault ganditest.Fault
		kind  gandi.FailureKind
		is    error
	}{
		{"not JSON", ganditest.Fault{Status: 200, Body: "<html>maintenance</html>", ContentType: "text/html"}, gandi.KindNotJSON, gandi.ErrBadResponse},
		{"too large", ganditest.Fault{Oversize: 4096}, gandi.KindTooLarge, gandi.ErrBodyTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fake := ganditest.NewTestServer(t)
			fake.Inject(tc.fault)
			c, _ := newClient(t, fake.URL, func(c *gandi.Config) { c.MaxBodyBytes = 1024 })
			_, err := c.TokenInfo(context.Background())
			var be *gandi.BadResponseError
			u, _ := url.Parse(fake.URL)
			if !errors.As(err, &be) || be.Kind != tc.kind || be.Host != u.Host || !errors.Is(err, tc.is) || !errors.Is(err, gandi.ErrBadResponse) {
				t.Fatalf("err = %v (%#v), want a %s BadResponseError from %s", err, be, tc.kind, u.Host)
			}
		})
	}
}

// TestRetriesStopBeforeTheCallersDeadline: no wait and attempt is started
// that the caller's deadline would cut.
func TestRetriesStopBeforeTheCallersDeadline(t *testing.T) {
	fake := ganditest.NewTestServer(t)
	fake.Inject(ganditest.Fault{Status: 503})
	c, sl := newClient(t, fake.URL, func(c *gandi.Config) {
		c.Retry = gandi.RetryPolicy{MaxAttempts: 4, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond) // less than one attempt's minimum
	defer cancel()
	_, err := c.TokenInfo(ctx)
	var ge *gandi.Error
	if !errors.As(err, &ge) || ge.Status != 503 {
		t.Fatalf("err = %v, want the 503", err)
	}
	if n := len(fake.Requests()); n != 1 || len(sl.all()) != 0 {
		t.Errorf("%d requests and waits %v with 200ms left: want one attempt, no wait", n, sl.all())
	}
}

// TestErrorsNameTheAPIPathNotTheEndpointsOwn: a path given in GANDI_API_URL
// (which may carry a secret) appears in no error.
func TestErrorsNameTheAPIPathNotTheEndpointsOwn(t *testing.T) {
	base := refusedURL(t) + "/secret-prefix"
	c, _ := newClient(t, base, func(c *gandi.Config) { c.Retry = gandi.RetryPolicy{MaxAttempts: 1} })
	_, err := c.TokenInfo(context.Background())
	var te *gandi.TransportError
	if !errors.As(err, &te) || te.Path != "/tokeninfo" || strings.Contains(err.Error(), "secret-prefix") {
		t.Errorf("err = %v (path %q): want /tokeninfo and no endpoint path", err, te.Path)
	}
	if s := c.String(); strings.Contains(s, "secret-prefix") {
		t.Errorf("String() = %s shows the endpoint's path", s)
	}
	cfg := gandi.Config{Endpoints: gandi.Endpoints{APIURL: base, IDURL: base}}
	if s := cfg.String(); strings.Contains(s, "secret-prefix") {
		t.Errorf("Config.String() = %s shows the endpoint's path", s)
	}
}
