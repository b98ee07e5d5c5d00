package skill

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/gandi-mcp/gandi-mcp/auth"
	"github.com/gandi-mcp/gandi-mcp/gandi"
	"github.com/gandi-mcp/gandi-mcp/gandi/ganditest"
	"github.com/gandi-mcp/gandi-mcp/tools"
)

// harness is a real MCP client session, over stdio pipes, with the whole server
// talking to a fresh ganditest fake; the credential comes from a temp config dir.
type harness struct {
	t      testing.TB
	fake   *ganditest.Server
	client *client.Client
	deps   *tools.Deps
	env    map[string]string
	config string // the XDG config home
	home   string
	// protocol is the version the client asks for: the latest (stateless, per-request
	// log levels) unless withProtocol picks a handshake-era one.
	protocol string
	// clientOpts configure the client, e.g. an elicitation handler.
	clientOpts []client.ClientOption
	// seeded are the domains a fault harness seeded, for tools that need a name.
	seeded []gandi.Domain
	// sel picks the tools the server offers (all by default); init is the server's handshake answer.
	sel  Selection
	init *mcp.InitializeResult

	mu     sync.Mutex
	notes  []mcp.JSONRPCNotification
	stderr *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type harnessOption func(*harness)

// withDeps lets a test adjust the server's dependencies before it starts.
func withDeps(f func(*tools.Deps)) harnessOption {
	return func(h *harness) { f(h.deps) }
}

// withProtocol makes the client ask for protocol version v.
func withProtocol(v string) harnessOption { return func(h *harness) { h.protocol = v } }

// withClient configures the MCP client, e.g. with client.WithElicitationHandler.
func withClient(opts ...client.ClientOption) harnessOption {
	return func(h *harness) { h.clientOpts = append(h.clientOpts, opts...) }
}

// withSelection makes the server offer the tools sel picks.
func withSelection(sel Selection) harnessOption { return func(h *harness) { h.sel = sel } }

// withSetup runs f once the fake exists and before the server starts.
func withSetup(f func(*harness)) harnessOption { return f }

func newHarness(t testing.TB, opts ...harnessOption) *harness {
	t.Helper()
	root := t.TempDir()
	h := &harness{
		t:      t,
		fake:   ganditest.NewServer(),
		env:    map[string]string{},
		config: filepath.Join(root, "config"),
		home:   filepath.Join(root, "home"),
		stderr: &syncBuffer{},
	}
	h.protocol = mcp.LATEST_PROTOCOL_VERSION
	t.Cleanup(h.fake.Close)
	getenv := func(k string) string { return h.env[k] }
	h.deps = &tools.Deps{
		Endpoints: h.fake.Endpoints(gandi.Production),
		Auth:      auth.Options{Getenv: getenv, Home: h.home, ConfigHome: h.config},
		Logger:    slog.New(slog.NewTextHandler(h.stderr, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Retry:     gandi.RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond, MaxRetryAfter: 50 * time.Millisecond},
		Timeout:   5 * time.Second,
		// Applied changes are journalled in the test's own state directory.
		JournalFile: filepath.Join(root, "state", "gandi-mcp", "journal.jsonl"),
	}
	for _, o := range opts {
		o(h)
	}
	srv, err := NewSelected(h.deps, h.sel)
	if err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	inR, inW := io.Pipe()   // client -> server
	outR, outW := io.Pipe() // server -> client
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.ServeStdio(ctx, inR, outW, h.stderr)
		_ = outW.Close()
	}()
	h.client = client.NewClient(transport.NewIO(outR, inW, io.NopCloser(bytes.NewReader(nil))), h.clientOpts...)
	h.client.OnNotification(func(n mcp.JSONRPCNotification) {
		h.mu.Lock()
		h.notes = append(h.notes, n)
		h.mu.Unlock()
	})
	t.Cleanup(func() {
		_ = h.client.Close()
		cancel()
		_ = inR.Close()
		// A worker may still be writing a late result: with nobody reading, it would block forever.
		_ = outR.Close()
		<-done
	})
	if err := h.client.Start(ctx); err != nil {
		t.Fatal(err)
	}
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = h.protocol
	init.Params.ClientInfo = mcp.Implementation{Name: "harness", Version: "1"}
	if h.init, err = h.client.Initialize(ctx, init); err != nil {
		t.Fatal(err)
	}
	return h
}

// storeToken writes secret to the XDG token file with the given mode.
func (h *harness) storeToken(secret string, mode os.FileMode) string {
	h.t.Helper()
	path := filepath.Join(h.config, "gandi", "api_token")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		h.t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(secret+"\n"), mode); err != nil {
		h.t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		h.t.Fatal(err)
	}
	return path
}

// call runs a tool and decodes its structured content into out (which may be nil).
func (h *harness) call(name string, args any, out any) *mcp.CallToolResult {
	h.t.Helper()
	req := mcp.CallToolRequest{}
	req.Params.Name = name
	req.Params.Arguments = args
	res, err := h.client.CallTool(context.Background(), req)
	if err != nil {
		h.t.Fatalf("%s: protocol error: %v", name, err)
	}
	if out != nil {
		raw := res.RawStructuredContent
		if len(raw) == 0 {
			h.t.Fatalf("%s: no structured content; text: %v", name, res.Content)
		}
		if err := json.Unmarshal(raw, out); err != nil {
			h.t.Fatalf("%s: structured content does not decode: %v\n%s", name, err, raw)
		}
	}
	return res
}

// notifications returns the notifications received so far.
func (h *harness) notifications() []mcp.JSONRPCNotification {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]mcp.JSONRPCNotification(nil), h.notes...)
}

func textOf(res *mcp.CallToolResult) string {
	var b bytes.Buffer
	for _, c := range res.Content {
		if tc, ok := mcp.AsTextContent(c); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String()
}
