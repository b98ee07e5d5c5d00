package main

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/gandi-mcp/gandi-mcp/gandi"
	"github.com/gandi-mcp/gandi-mcp/gandi/ganditest"
)

// Each wrong combination of serve's hosted flags is a usage error that says what is wrong
// and what would be right, before anything listens or a token is read.
func TestServeHostedFlagRules(t *testing.T) {
	cert := filepath.Join(t.TempDir(), "cert.pem")
	tests := []struct {
		name   string
		args   []string
		stderr string
	}{
		{"--hosted without --http", []string{"serve", "--hosted"}, "--hosted serves Streamable HTTP: add --http HOST:PORT"},
		{"--hosted with --http-no-auth", []string{"serve", "--hosted", "--http", "127.0.0.1:0", "--http-no-auth"}, "--http-no-auth does not apply with --hosted"},
		{"--hosted with --demo", []string{"serve", "--hosted", "--http", "127.0.0.1:0", "--demo"}, "--hosted and --demo exclude each other"},
		{"--hosted with --profile", []string{"serve", "--hosted", "--http", "127.0.0.1:0", "--profile", "acme"}, "--hosted and --profile exclude each other"},
		{"--tls-cert without --http", []string{"serve", "--tls-cert", cert, "--tls-key", cert}, "apply only with --hosted --http"},
		{"--tls-terminated without --hosted", []string{"serve", "--http", "127.0.0.1:0", "--tls-terminated"}, "apply only with --hosted"},
		{"--tls-cert without --hosted", []string{"serve", "--http", "127.0.0.1:0", "--tls-cert", cert, "--tls-key", cert}, "apply only with --hosted"},
		{"--drain-time without --hosted", []string{"serve", "--http", "127.0.0.1:0", "--drain-time", "5s"}, "apply only with --hosted"},
		{"--tls-cert without --tls-key", []string{"serve", "--hosted", "--http", "0.0.0.0:0", "--tls-cert", cert}, "--tls-cert needs --tls-key"},
		{"--tls-key without --tls-cert", []string{"serve", "--hosted", "--http", "0.0.0.0:0", "--tls-key", cert}, "--tls-key needs --tls-cert"},
		{"both TLS modes", []string{"serve", "--hosted", "--http", "0.0.0.0:0", "--tls-cert", cert, "--tls-key", cert, "--tls-terminated"}, "one or the other"},
		{"a public address in plain HTTP", []string{"serve", "--hosted", "--http", "0.0.0.0:0"}, "--tls-cert FILE --tls-key FILE, or pass --tls-terminated"},
		{"a public address without --hosted", []string{"serve", "--http", "0.0.0.0:0", "--demo"}, "for many people each with their own token, serve --hosted with TLS"},
		{"a negative drain", []string{"serve", "--hosted", "--http", "127.0.0.1:0", "--drain-time=-1s"}, "cannot be negative"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env, _ := home(t)
			env["GANDI_API_TOKEN"] = "pat_must_never_be_used_000000000000"
			code, _, stderr := invocation{env: env}.run(t, tc.args...)
			if code != exitUsage || !strings.Contains(stderr, tc.stderr) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr, exitUsage, tc.stderr)
			}
			if strings.Contains(stderr, "pat_must_never_be_used") {
				t.Error("the token was printed")
			}
		})
	}
}

// The binary serves hosted mode: a caller's token from the header (not the one in the
// environment), the probes without a token, and exit 0 on SIGTERM with no token logged.
func TestHostedBinaryServesThenSIGTERM(t *testing.T) {
	fake := ganditest.NewTestServer(t)
	org := fake.AddOrganization(gandi.Organization{Name: "acme"})
	fake.AddDomains(gandi.Domain{FQDN: "acme-hosted.com", SharingID: org.ID})
	tok := fake.AddToken(ganditest.Token{Name: "caller", Scopes: []string{"domain:view"}, Entities: []gandi.Entity{ganditest.OrganizationEntity(org)}})
	env := append(binEnv(t), "GANDI_API_URL="+fake.URL, "GANDI_ID_URL="+fake.URL)
	s := serveHTTP(t, env, "serve", "--hosted", "--http", "127.0.0.1:0")
	base := strings.TrimSuffix(s.url, "/mcp")
	for path, want := range map[string]int{"/healthz": 200, "/readyz": 200} {
		res, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != want {
			t.Errorf("GET %s: %d, want %d", path, res.StatusCode, want)
		}
	}
	if status, h, _ := s.status(t, ""); status != http.StatusUnauthorized || !strings.HasPrefix(h.Get("WWW-Authenticate"), "Bearer") {
		t.Errorf("without a token: %d %q", status, h.Get("WWW-Authenticate"))
	}
	c, err := client.NewStreamableHttpClient(s.url, transport.WithHTTPHeaders(map[string]string{"Authorization": "Bearer " + tok.Secret}))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	initialize(t, c)
	res, _ := call(t, c, "list_domains", map[string]any{})
	if res.IsError || !strings.Contains(resultText(res), "acme-hosted.com") {
		t.Errorf("list_domains: %s", resultText(res))
	}
	tools, err := c.ListTools(context.Background(), mcp.ListToolsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tool := range tools.Tools {
		if tool.Name == "renew_token" {
			t.Error("renew_token is offered")
		}
	}
	_ = c.Close()
	// The calls above are counted at /metrics, without a token, and no label names the domain.
	mres, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(mres.Body)
	mres.Body.Close()
	if mres.StatusCode != 200 || !strings.Contains(string(metrics), `gandi_mcp_tool_calls_total{diagnosis="ok",tool="list_domains"} 1`) {
		t.Errorf("GET /metrics: %d, lacks list_domains' call:\n%.2000s", mres.StatusCode, metrics)
	}
	if strings.Contains(string(metrics), "acme-hosted") || strings.Contains(string(metrics), tok.Secret) {
		t.Error("/metrics names the domain or the token")
	}
	for _, r := range fake.Requests() {
		if r.Token != tok.Secret {
			t.Errorf("Gandi got another token than the caller's on %s", r.Path)
		}
	}
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-s.exited:
		if err != nil {
			t.Errorf("after SIGTERM: %v, want exit 0\n%s", err, s.stderr)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("still running 20 s after SIGTERM\n%s", s.stderr)
	}
	if strings.Contains(s.stderr.String(), tok.Secret) || strings.Contains(s.stderr.String(), "pat_e2e_must_never_be_used") {
		t.Errorf("a token reached the log:\n%s", s.stderr)
	}
}
