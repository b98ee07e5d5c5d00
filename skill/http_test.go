package skill

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"

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
		{addr: "192.168.1.10:8080", notLoopback: true, wantMentions: "authentication"},
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
	res, err := http.DefaultClient.Do(req)
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
