package skill

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/gandi-mcp/gandi-mcp/gandi/ganditest"
	"github.com/gandi-mcp/gandi-mcp/tools"
)

func TestCheckHTTPAddr(t *testing.T) {
	tests := []struct {
		addr         string
		ok           bool
		notLoopback  bool   // the refusal is ErrNotLoopback
		wantMentions string // part of the message
	}{
		{addr: "127.0.0.1:8080", ok: true},
		{addr: "127.0.0.2:0", ok: true},
		{addr: "[::1]:8080", ok: true},
		{addr: "localhost:0", ok: true},
		{addr: "0.0.0.0:8080", notLoopback: true, wantMentions: "every interface"},
		{addr: ":8080", notLoopback: true, wantMentions: "every interface"},
		{addr: "[::]:8080", notLoopback: true, wantMentions: "every interface"},
		{addr: "192.168.1.10:8080", notLoopback: true, wantMentions: "serve --hosted with TLS"},
		{addr: "example.com:8080", notLoopback: true, wantMentions: "127.0.0.1:PORT"},
		{addr: "127.0.0.1", wantMentions: "HOST:PORT"},
		{addr: "", wantMentions: "HOST:PORT"},
	}
	for _, tc := range tests {
		t.Run(tc.addr, func(t *testing.T) {
			err := CheckHTTPAddr(tc.addr)
			if tc.ok {
				if err != nil {
					t.Fatalf("CheckHTTPAddr(%q) = %v, want nil", tc.addr, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("CheckHTTPAddr(%q) = nil, want a refusal", tc.addr)
			}
			if errors.Is(err, ErrNotLoopback) != tc.notLoopback {
				t.Errorf("errors.Is(%v, ErrNotLoopback) = %v, want %v", err, !tc.notLoopback, tc.notLoopback)
			}
			if !strings.Contains(err.Error(), tc.wantMentions) {
				t.Errorf("message %q does not mention %q", err, tc.wantMentions)
			}
		})
	}
}

// httpServer serves the demo account over Streamable HTTP on a loopback port.
type httpServer struct {
	demo   *Demo
	srv    *Server
	url    string
	secret string // "" when served with NoAuth
	stop   context.CancelFunc
	served chan error
	logs   *watchedLog
}

// httpConfig changes what startHTTP serves.
type httpConfig struct {
	noAuth bool
	limits func(*httpLimits)
	deps   func(*tools.Deps)
}

func startHTTP(t *testing.T, cfgs ...httpConfig) *httpServer {
	t.Helper()
	var cfg httpConfig
	if len(cfgs) > 0 {
		cfg = cfgs[0]
	}
	d, err := StartDemo()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	hs := &httpServer{demo: d, served: make(chan error, 1), logs: &watchedLog{}}
	deps := d.Deps(hs.logs, slog.LevelDebug)
	if cfg.deps != nil {
		cfg.deps(deps)
	}
	hs.srv = New(deps)
	if cfg.limits != nil {
		cfg.limits(&hs.srv.limits)
	}
	opts := HTTPOptions{NoAuth: cfg.noAuth}
	if !cfg.noAuth {
		hs.secret = rand.Text()
		opts.Secret = hs.secret
	}
	ctx, cancel := context.WithCancel(context.Background())
	hs.stop = cancel
	started := make(chan string, 1)
	opts.Started = func(url string) { started <- url }
	go func() { hs.served <- hs.srv.ServeHTTP(ctx, "127.0.0.1:0", opts) }()
	select {
	case hs.url = <-started:
	case err := <-hs.served:
		t.Fatalf("ServeHTTP: %v", err)
	}
	var once sync.Once
	t.Cleanup(func() { once.Do(func() { cancel(); <-hs.served }) })
	return hs
}

func (hs *httpServer) client(t *testing.T, protocol string) *client.Client {
	t.Helper()
	var opts []transport.StreamableHTTPCOption
	if hs.secret != "" {
		opts = append(opts, transport.WithHTTPHeaders(map[string]string{"Authorization": "Bearer " + hs.secret}))
	}
	c, err := client.NewStreamableHttpClient(hs.url, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	ctx := context.Background()
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = protocol
	init.Params.ClientInfo = mcp.Implementation{Name: "http-test", Version: "1"}
	if _, err := c.Initialize(ctx, init); err != nil {
		t.Fatalf("initialize over HTTP: %v", err)
	}
	return c
}

// request sends one raw request to the endpoint, with the server's secret unless the
// headers say otherwise, and returns the status, headers and body.
func (hs *httpServer) request(t *testing.T, method, body string, header map[string]string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, hs.url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
	}
	if hs.secret != "" {
		req.Header.Set("Authorization", "Bearer "+hs.secret)
	}
	for k, v := range header {
		if k == "Host" {
			req.Host = v
			continue
		}
		if v == "" {
			req.Header.Del(k)
			continue
		}
		req.Header.Set(k, v)
	}
	// A GET the server wrongly takes for a stream ends here, failing the test.
	res, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, res.Header, string(raw)
}

// watchedLog is a log that says when a line containing some text is written.
type watchedLog struct {
	syncBuffer
	mu      sync.Mutex
	watches map[string]chan struct{}
}

func (w *watchedLog) Write(p []byte) (int, error) {
	w.mu.Lock()
	for text, ch := range w.watches {
		if bytes.Contains(p, []byte(text)) {
			close(ch)
			delete(w.watches, text)
		}
	}
	w.mu.Unlock()
	return w.syncBuffer.Write(p)
}

// when returns a channel closed once a line containing text is written.
func (w *watchedLog) when(text string) <-chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.watches == nil {
		w.watches = map[string]chan struct{}{}
	}
	ch := make(chan struct{})
	w.watches[text] = ch
	return ch
}

const initializeBody = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`

func TestServeHTTPCallsToolsAndSendsLogs(t *testing.T) {
	for _, protocol := range []string{mcp.LATEST_LEGACY_PROTOCOL_VERSION, mcp.LATEST_PROTOCOL_VERSION} {
		t.Run(protocol, func(t *testing.T) {
			hs := startHTTP(t)
			if !strings.HasPrefix(hs.url, "http://127.0.0.1:") || !strings.HasSuffix(hs.url, HTTPPath) {
				t.Errorf("url = %q, want http://127.0.0.1:PORT%s", hs.url, HTTPPath)
			}
			c := hs.client(t, protocol)
			var mu sync.Mutex
			var logs []string
			c.OnNotification(func(n mcp.JSONRPCNotification) {
				if n.Method == string(mcp.MethodNotificationMessage) {
					raw, _ := json.Marshal(n.Params.AdditionalFields)
					mu.Lock()
					logs = append(logs, string(raw))
					mu.Unlock()
				}
			})
			level := mcp.SetLevelRequest{}
			level.Params.Level = mcp.LoggingLevelWarning
			//lint:ignore SA1019 logging/setLevel is still what clients on the 2025 protocol send
			if err := c.SetLevel(context.Background(), level); err != nil {
				t.Fatalf("logging/setLevel over HTTP: %v", err)
			}
			hs.demo.Fake.Inject(ganditest.Fault{Method: "GET", Path: "/v5/organization/organizations", Status: 503, Times: 1})

			req := mcp.CallToolRequest{}
			req.Params.Name = "verify_token"
			res, err := c.CallTool(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			var out struct {
				Valid, Demo bool
			}
			if err := json.Unmarshal(res.RawStructuredContent, &out); err != nil || res.IsError || !out.Valid || !out.Demo {
				t.Fatalf("verify_token over HTTP = %+v (%v): %s", out, err, res.RawStructuredContent)
			}
			// Streamable HTTP writes a request's notifications on its stream before the result.
			mu.Lock()
			defer mu.Unlock()
			if len(logs) != 1 || !strings.Contains(logs[0], "retrying Gandi request") || !strings.Contains(logs[0], `"level":"warning"`) {
				t.Errorf("log messages over HTTP = %q, want the retry at warning level", logs)
			}
		})
	}
}

func TestServeHTTPRefusesOtherHostsAndOrigins(t *testing.T) {
	hs := startHTTP(t)
	tests := []struct {
		name         string
		host, origin string
		want         int
	}{
		{name: "loopback", want: http.StatusOK},
		{name: "localhost origin", origin: "http://localhost:6274", want: http.StatusOK},
		{name: "localhost host", host: "localhost", want: http.StatusOK},
		{name: "rebound host name", host: "evil.example", want: http.StatusForbidden},
		{name: "rebound host name with a port", host: "evil.example:8080", want: http.StatusForbidden},
		{name: "foreign origin", origin: "http://evil.example", want: http.StatusForbidden},
		{name: "foreign origin on a loopback name", origin: "http://127.0.0.1.evil.example", want: http.StatusForbidden},
		{name: "null origin", origin: "null", want: http.StatusForbidden},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := map[string]string{}
			if tc.host != "" {
				h["Host"] = tc.host
			}
			if tc.origin != "" {
				h["Origin"] = tc.origin
			}
			if status, _, body := hs.request(t, http.MethodPost, initializeBody, h); status != tc.want {
				t.Errorf("status %d, want %d: %s", status, tc.want, body)
			}
		})
	}
}

func TestServeHTTPShutsDownGracefully(t *testing.T) {
	hs := startHTTP(t)
	c := hs.client(t, mcp.LATEST_LEGACY_PROTOCOL_VERSION)
	inFake := make(chan string, 1)
	// The call is still at the fake when the shutdown starts; it must finish.
	hs.demo.Fake.Inject(ganditest.Fault{Path: "/tokeninfo", Delay: 300 * time.Millisecond, Times: 1, Fired: inFake})
	called := make(chan *mcp.CallToolResult, 1)
	go func() {
		req := mcp.CallToolRequest{}
		req.Params.Name = "verify_token"
		res, err := c.CallTool(context.Background(), req)
		if err != nil {
			t.Errorf("call in flight during shutdown: %v", err)
		}
		called <- res
	}()
	<-inFake
	hs.stop()
	if err := <-hs.served; err != nil {
		t.Fatalf("ServeHTTP after shutdown = %v, want nil", err)
	}
	if res := <-called; res == nil || res.IsError {
		t.Fatalf("the call in flight did not finish: %+v", res)
	}
	hs.served <- nil // for the cleanup
	if _, err := http.Post(hs.url, "application/json", strings.NewReader("{}")); err == nil {
		t.Error("the server still answers after shutdown")
	}
	if !strings.Contains(hs.logs.String(), "shutting down") {
		t.Errorf("no shutdown line in the log:\n%s", hs.logs)
	}
}

func TestServeHTTPRequiresTheBearerSecret(t *testing.T) {
	hs := startHTTP(t)
	wrong := "wrong-" + rand.Text()
	tests := []struct {
		name          string
		authorization string // "" sends none
		want          int
		invalidToken  bool // the challenge says error="invalid_token"
	}{
		{name: "the secret", authorization: "Bearer " + hs.secret, want: http.StatusOK},
		{name: "the secret, scheme in lower case", authorization: "bearer " + hs.secret, want: http.StatusOK},
		{name: "no header", want: http.StatusUnauthorized},
		{name: "a wrong secret", authorization: "Bearer " + wrong, want: http.StatusUnauthorized, invalidToken: true},
		{name: "the secret with more after it", authorization: "Bearer " + hs.secret + "x", want: http.StatusUnauthorized, invalidToken: true},
		{name: "a prefix of the secret", authorization: "Bearer " + hs.secret[:10], want: http.StatusUnauthorized, invalidToken: true},
		{name: "another scheme", authorization: "Basic " + hs.secret, want: http.StatusUnauthorized},
		{name: "the secret alone", authorization: hs.secret, want: http.StatusUnauthorized},
		{name: "an empty bearer", authorization: "Bearer ", want: http.StatusUnauthorized},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, h, body := hs.request(t, http.MethodPost, initializeBody, map[string]string{"Authorization": tc.authorization})
			if status != tc.want {
				t.Fatalf("status %d, want %d: %s", status, tc.want, body)
			}
			if status != http.StatusUnauthorized {
				return
			}
			challenge := h.Get("WWW-Authenticate")
			if !strings.HasPrefix(challenge, "Bearer") || strings.Contains(challenge, "invalid_token") != tc.invalidToken {
				t.Errorf("WWW-Authenticate = %q, want Bearer (invalid_token: %v)", challenge, tc.invalidToken)
			}
			if !strings.Contains(body, "Authorization: Bearer SECRET") || !strings.Contains(body, "gandi-mcp http-secret") {
				t.Errorf("body %q does not say what to send and where to get it", body)
			}
			if strings.Contains(body, wrong) || strings.Contains(body, hs.secret[:10]) {
				t.Errorf("body %q repeats what was sent", body)
			}
		})
	}
	if logs := hs.logs.String(); strings.Contains(logs, hs.secret[:10]) || strings.Contains(logs, wrong) {
		t.Errorf("a secret reached the log:\n%s", logs)
	}
}

func TestServeHTTPWithoutAuth(t *testing.T) {
	hs := startHTTP(t, httpConfig{noAuth: true})
	if status, _, body := hs.request(t, http.MethodPost, initializeBody, nil); status != http.StatusOK {
		t.Errorf("--http-no-auth, no header: status %d, want 200: %s", status, body)
	}
	// Without a secret or NoAuth, nothing is served.
	err := New(hs.demo.Deps(io.Discard, slog.LevelInfo)).ServeHTTP(context.Background(), "127.0.0.1:0", HTTPOptions{})
	if !errors.Is(err, ErrNoHTTPSecret) {
		t.Errorf("ServeHTTP with neither a secret nor NoAuth = %v, want ErrNoHTTPSecret", err)
	}
}

func TestServeHTTPBodyLimit(t *testing.T) {
	hs := startHTTP(t)
	limit := hs.srv.limits.maxBody
	if limit != 4<<20 {
		t.Fatalf("body limit %d, want 4 MiB", limit)
	}
	addr := strings.TrimSuffix(strings.TrimPrefix(hs.url, "http://"), HTTPPath)
	head := "POST " + HTTPPath + " HTTP/1.1\r\nHost: " + addr + "\r\nAuthorization: Bearer " + hs.secret +
		"\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\n"
	// padded is an initialize request of exactly n bytes.
	padded := func(n int64) string {
		return initializeBody[:len(initializeBody)-1] + `,"pad":"` + strings.Repeat("x", int(n)-len(initializeBody)-9) + `"}`
	}
	tests := []struct {
		name string
		// send writes the request's body (the headers are written before) and may
		// stop early when the server has answered.
		head string
		send func(w io.Writer) error
		want int
	}{
		{name: "declared over the limit, never sent", head: fmt.Sprintf("Content-Length: %d\r\n", limit+1),
			send: func(io.Writer) error { return nil }, want: http.StatusRequestEntityTooLarge},
		{name: "declared at the limit", head: fmt.Sprintf("Content-Length: %d\r\n", limit),
			send: func(w io.Writer) error { _, err := io.WriteString(w, padded(limit)); return err }, want: http.StatusOK},
		{name: "chunked, without end", head: "Transfer-Encoding: chunked\r\n", send: func(w io.Writer) error {
			chunk := fmt.Sprintf("%x\r\n%s\r\n", 64<<10, strings.Repeat("x", 64<<10))
			for i := 0; i < 1024; i++ { // 64 MiB at most: far more than the limit
				if _, err := io.WriteString(w, chunk); err != nil {
					return err
				}
			}
			return nil
		}, want: http.StatusRequestEntityTooLarge},
		{name: "chunked, at the limit", head: "Transfer-Encoding: chunked\r\n", send: func(w io.Writer) error {
			body := padded(limit)
			_, err := fmt.Fprintf(w, "%x\r\n%s\r\n0\r\n\r\n", len(body), body)
			return err
		}, want: http.StatusOK},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			// A server that waits for the body it should refuse fails here, not hangs.
			_ = conn.SetDeadline(time.Now().Add(20 * time.Second))
			if _, err := io.WriteString(conn, head+tc.head+"\r\n"); err != nil {
				t.Fatal(err)
			}
			go func() { _ = tc.send(conn) }()
			res, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatalf("no answer: %v", err)
			}
			body, _ := io.ReadAll(io.LimitReader(res.Body, 4096))
			res.Body.Close()
			if res.StatusCode != tc.want {
				t.Fatalf("status %d, want %d: %.200s", res.StatusCode, tc.want, body)
			}
			if tc.want == http.StatusRequestEntityTooLarge && !strings.Contains(string(body), "4 MiB") {
				t.Errorf("413 body %q does not give the limit", body)
			}
		})
	}
}

// neverIssued has the shape of mcp-go's session ids, which its default manager accepted.
const neverIssued = "mcp-session-0b6f6a4e-3f0e-4c57-9d8a-6f1e2b3c4d5e"

const toolsListBody = `{"jsonrpc":"2.0","id":2,"method":"tools/list"}`

// initSession starts a session on the 2025-11-25 protocol and returns its id.
func (hs *httpServer) initSession(t *testing.T) string {
	t.Helper()
	status, h, body := hs.request(t, http.MethodPost, initializeBody, nil)
	id := h.Get(server.HeaderKeySessionID)
	if status != http.StatusOK || id == "" {
		t.Fatalf("initialize: status %d, session %q: %s", status, id, body)
	}
	return id
}

func session(id string) map[string]string {
	return map[string]string{server.HeaderKeySessionID: id, mcp.HeaderProtocolVersion: mcp.LATEST_LEGACY_PROTOCOL_VERSION}
}

func TestServeHTTPSessionsMustBeIssuedAndOpen(t *testing.T) {
	hs := startHTTP(t)
	id := hs.initSession(t)
	other := hs.initSession(t)
	tests := []struct {
		name         string
		method, body string
		header       map[string]string
		want         int
	}{
		{name: "an open session", method: http.MethodPost, body: toolsListBody, header: session(id), want: http.StatusOK},
		{name: "no session", method: http.MethodPost, body: toolsListBody, header: session(""), want: http.StatusBadRequest},
		{name: "a notification without session", method: http.MethodPost, body: `{"jsonrpc":"2.0","method":"notifications/initialized"}`, header: session(""), want: http.StatusBadRequest},
		{name: "a well-formed id never issued", method: http.MethodPost, body: toolsListBody, header: session(neverIssued), want: http.StatusNotFound},
		{name: "an id never issued", method: http.MethodPost, body: toolsListBody, header: session("x"), want: http.StatusNotFound},
		{name: "GET without session", method: http.MethodGet, header: session(""), want: http.StatusBadRequest},
		{name: "GET with an id never issued", method: http.MethodGet, header: session(neverIssued), want: http.StatusNotFound},
		{name: "DELETE without session", method: http.MethodDelete, header: session(""), want: http.StatusBadRequest},
		{name: "DELETE with an id never issued", method: http.MethodDelete, header: session(neverIssued), want: http.StatusNotFound},
		{name: "DELETE", method: http.MethodDelete, header: session(id), want: http.StatusOK},
		{name: "a request after DELETE", method: http.MethodPost, body: toolsListBody, header: session(id), want: http.StatusNotFound},
		{name: "GET after DELETE", method: http.MethodGet, header: session(id), want: http.StatusNotFound},
		{name: "DELETE again", method: http.MethodDelete, header: session(id), want: http.StatusNotFound},
		{name: "another session goes on", method: http.MethodPost, body: toolsListBody, header: session(other), want: http.StatusOK},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, _, body := hs.request(t, tc.method, tc.body, tc.header)
			if status != tc.want {
				t.Fatalf("status %d, want %d: %s", status, tc.want, body)
			}
			if status == http.StatusNotFound && !strings.Contains(body, "initialize") {
				t.Errorf("404 body %q does not say to initialize a new session", body)
			}
		})
	}
}

func TestServeHTTPSessionsExpireAndAreCapped(t *testing.T) {
	var offset atomic.Int64 // how far the server's clock is ahead
	hs := startHTTP(t, httpConfig{limits: func(l *httpLimits) {
		l.maxSessions = 2
		l.now = func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	}})
	ttl := hs.srv.limits.sessionTTL
	if ttl != 30*time.Minute {
		t.Fatalf("idle TTL %s, want 30m", ttl)
	}
	a, b := hs.initSession(t), hs.initSession(t)
	status, h, body := hs.request(t, http.MethodPost, initializeBody, nil)
	if status != http.StatusServiceUnavailable || h.Get(server.HeaderKeySessionID) != "" || !strings.Contains(body, "2 open sessions") || !strings.Contains(body, "DELETE") {
		t.Fatalf("initialize at the cap: status %d, session %q: %s; want 503 saying why and what to do", status, h.Get(server.HeaderKeySessionID), body)
	}
	if status, _, body := hs.request(t, http.MethodDelete, "", session(a)); status != http.StatusOK {
		t.Fatalf("DELETE: %d %s", status, body)
	}
	c := hs.initSession(t) // DELETE made room

	offset.Store(int64(ttl - time.Minute))
	if status, _, body := hs.request(t, http.MethodPost, toolsListBody, session(b)); status != http.StatusOK {
		t.Fatalf("a session used 29 minutes after it began: %d %s", status, body)
	}
	offset.Store(int64(2*ttl - 30*time.Second)) // b was used 30.5 minutes ago, c 59.5
	for _, id := range []string{b, c} {
		if status, _, body := hs.request(t, http.MethodPost, toolsListBody, session(id)); status != http.StatusNotFound {
			t.Errorf("a session idle for over %s: status %d, want 404: %s", ttl, status, body)
		}
	}
	// Expired sessions free their places, for initialize too.
	d, e := hs.initSession(t), hs.initSession(t)
	if status, _, _ := hs.request(t, http.MethodPost, initializeBody, nil); status != http.StatusServiceUnavailable {
		t.Errorf("initialize at the cap again: status %d, want 503", status)
	}
	for _, id := range []string{d, e} {
		if status, _, body := hs.request(t, http.MethodPost, toolsListBody, session(id)); status != http.StatusOK {
			t.Errorf("a new session: status %d: %s", status, body)
		}
	}
}

func TestServeHTTPStatelessProtocolNeedsNoSession(t *testing.T) {
	hs := startHTTP(t, httpConfig{limits: func(l *httpLimits) { l.maxSessions = 1 }})
	hs.initSession(t) // the only session there may be
	c := hs.client(t, mcp.LATEST_PROTOCOL_VERSION)
	for i := 0; i < 3; i++ {
		if _, err := c.ListTools(context.Background(), mcp.ListToolsRequest{}); err != nil {
			t.Fatalf("tools/list on %s with the sessions full: %v", mcp.LATEST_PROTOCOL_VERSION, err)
		}
	}
}

func TestServeHTTPCutsSlowAndIdleConnections(t *testing.T) {
	hs := startHTTP(t, httpConfig{limits: func(l *httpLimits) {
		l.readHeader, l.read, l.idle = 200*time.Millisecond, 400*time.Millisecond, 400*time.Millisecond
	}})
	addr := strings.TrimSuffix(strings.TrimPrefix(hs.url, "http://"), HTTPPath)
	head := "POST " + HTTPPath + " HTTP/1.1\r\nHost: " + addr + "\r\nAuthorization: Bearer " + hs.secret +
		"\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\n"
	full := head + fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(initializeBody), initializeBody)
	tests := []struct {
		name string
		sent string // then nothing more
	}{
		{name: "headers sent slowly", sent: head[:30]},
		{name: "body sent slowly", sent: head + fmt.Sprintf("Content-Length: %d\r\n\r\n", len(initializeBody)) + initializeBody[:10]},
		{name: "idle after a request", sent: full},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			// Far beyond the server's limits: reaching it means the server kept the connection.
			_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
			if _, err := io.WriteString(conn, tc.sent); err != nil {
				t.Fatal(err)
			}
			_, err = io.Copy(io.Discard, conn)
			if ne := net.Error(nil); errors.As(err, &ne) && ne.Timeout() {
				t.Fatalf("the server still holds the connection after 10 s: %v", err)
			}
		})
	}
}

func TestServeHTTPCallOutlivesTheReadTimeout(t *testing.T) {
	hs := startHTTP(t, httpConfig{limits: func(l *httpLimits) { l.readHeader, l.read = 100*time.Millisecond, 100*time.Millisecond }})
	c := hs.client(t, mcp.LATEST_LEGACY_PROTOCOL_VERSION)
	// The read deadline must not cancel a call still running when it passes.
	hs.demo.Fake.Inject(ganditest.Fault{Path: "/tokeninfo", Delay: 400 * time.Millisecond, Times: 1})
	req := mcp.CallToolRequest{}
	req.Params.Name = "verify_token"
	res, err := c.CallTool(context.Background(), req)
	if err != nil || res.IsError {
		t.Fatalf("a call longer than the read timeout: %v %+v", err, res)
	}
}

func TestServeHTTPShutdownWaitsForARenewalToStoreItsToken(t *testing.T) {
	for _, stuck := range []bool{false, true} {
		t.Run(map[bool]string{false: "renewal ends", true: "renewal stuck"}[stuck], func(t *testing.T) {
			issued, release := make(chan struct{}), make(chan struct{})
			defer close(release)
			hs := startHTTP(t, httpConfig{
				deps: func(d *tools.Deps) {
					d.BeforeRenewStep = func(_ context.Context, step string) error {
						if step == "check_new" { // Gandi has issued the new token
							close(issued)
							<-release
						}
						return nil
					}
				},
				limits: func(l *httpLimits) {
					l.callsWait = 50 * time.Millisecond
					if stuck {
						l.rotationWait = 200 * time.Millisecond
					}
				},
			})
			c := hs.client(t, mcp.LATEST_LEGACY_PROTOCOL_VERSION)
			go func() {
				req := mcp.CallToolRequest{}
				req.Params.Name = "renew_token"
				_, _ = c.CallTool(context.Background(), req)
			}()
			<-issued
			waiting := hs.logs.when("waiting for a token renewal in flight")
			hs.stop()
			if !stuck {
				select {
				case err := <-hs.served:
					hs.served <- err // for the cleanup
					t.Fatalf("ServeHTTP returned (%v) while a renewal held a token it had not stored", err)
				case <-waiting:
				}
				release <- struct{}{}
				if err := <-hs.served; err != nil {
					t.Fatalf("ServeHTTP after the renewal = %v, want nil", err)
				}
				hs.served <- nil // for the cleanup
				stored, err := os.ReadFile(hs.demo.tokenPath())
				if err != nil || strings.TrimSpace(string(stored)) == hs.demo.Good.Secret {
					t.Errorf("the token file still holds the old token (%v)", err)
				}
				if !strings.Contains(hs.logs.String(), "up_to=30s") {
					t.Errorf("the wait's bound is not logged:\n%s", hs.logs)
				}
				return
			}
			err := <-hs.served
			hs.served <- nil
			if err == nil || !strings.Contains(err.Error(), "did not store its new token within 200ms") {
				t.Errorf("ServeHTTP with a stuck renewal = %v, want an error naming the bound", err)
			}
			if !strings.Contains(hs.logs.String(), "it may be lost") {
				t.Errorf("no log line about the renewal:\n%s", hs.logs)
			}
		})
	}
}

func TestRenewalRefusedOnceTheShutdownBegan(t *testing.T) {
	d, err := StartDemo()
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	deps := d.Deps(io.Discard, slog.LevelInfo)
	deps.Rotations = &tools.Rotations{}
	deps.Rotations.Close() // as shutdownHTTP does first
	res, err := New(deps).Call(context.Background(), "renew_token", nil)
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		Troubleshooting *tools.Troubleshooting
	}
	if err := json.Unmarshal(res.RawStructuredContent, &out); err != nil || !res.IsError || out.Troubleshooting == nil ||
		out.Troubleshooting.Diagnosis != tools.Cancelled || !strings.Contains(out.Troubleshooting.Summary, "shutting down") {
		t.Fatalf("renew_token during shutdown = %s (%v), want cancelled, saying why", res.RawStructuredContent, err)
	}
	for _, r := range d.Fake.Requests() {
		if r.Method == http.MethodPost {
			t.Errorf("a renewal was asked of Gandi during shutdown: %s %s", r.Method, r.Path)
		}
	}
	if stored, err := os.ReadFile(d.tokenPath()); err != nil || strings.TrimSpace(string(stored)) != d.Good.Secret {
		t.Errorf("the token file changed (%v)", err)
	}
}

// TestHTTPWriteTimeoutOutlivesTheCallLimit: a call allowed more time than the
// default write timeout (GANDI_MCP_CALL_TIMEOUT up to 10m) is not cut by it.
func TestHTTPWriteTimeoutOutlivesTheCallLimit(t *testing.T) {
	lim := defaultHTTPLimits()
	for _, call := range []time.Duration{time.Second, 25 * time.Second, 2 * time.Minute, 10 * time.Minute} {
		if w := lim.writeFor(call); w < call+30*time.Second {
			t.Errorf("call limit %s: write timeout %s leaves no room for the answer", call, w)
		}
	}
	if w := lim.writeFor(25 * time.Second); w != lim.write {
		t.Errorf("default call limit: write timeout %s, want the default %s", w, lim.write)
	}
}
