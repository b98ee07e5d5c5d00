package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
)

// These tests build the real binary and drive it as an MCP client would.

// buildFlags gains -race when the tests run with -race (race_test.go).
var buildFlags []string

// bin is the gandi-mcp binary built by TestMain.
var bin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "gandi-mcp-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin = filepath.Join(dir, "gandi-mcp")
	args := append(append([]string{"build"}, buildFlags...), "-o", bin, ".")
	if out, err := exec.Command("go", args...).CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go %s: %v\n%s", strings.Join(args, " "), err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// binEnv is the binary's environment: a home of its own, a real-looking
// token that --demo must ignore, and a race report that stops the process.
func binEnv(t *testing.T) []string {
	home := t.TempDir()
	return []string{"HOME=" + home, "XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
		"GANDI_API_TOKEN=pat_e2e_must_never_be_used_0000000000", "GORACE=halt_on_error=1 atexit_sleep_ms=0"}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func initialize(t *testing.T, c *client.Client) *mcp.InitializeResult {
	t.Helper()
	req := mcp.InitializeRequest{}
	req.Params.ProtocolVersion = mcp.LATEST_LEGACY_PROTOCOL_VERSION
	req.Params.ClientInfo = mcp.Implementation{Name: "e2e", Version: "1"}
	res, err := c.Initialize(context.Background(), req)
	if err != nil {
		t.Fatalf("initialize: %v", err)
	}
	return res
}

// toolOutput is what every tool's structured content has in common.
type toolOutput struct {
	Demo bool `json:"demo"`
	// PlanID and SnapshotID are a write tool's.
	PlanID          string `json:"plan_id"`
	SnapshotID      string `json:"snapshot_id"`
	Troubleshooting *struct {
		Diagnosis string   `json:"diagnosis"`
		Summary   string   `json:"summary"`
		NextSteps []string `json:"next_steps"`
	} `json:"troubleshooting"`
}

func call(t *testing.T, c *client.Client, name string, args any) (*mcp.CallToolResult, toolOutput) {
	t.Helper()
	req := mcp.CallToolRequest{}
	req.Params.Name = name
	req.Params.Arguments = args
	res, err := c.CallTool(context.Background(), req)
	if err != nil {
		t.Fatalf("%s: protocol error: %v", name, err)
	}
	var out toolOutput
	if err := json.Unmarshal(res.RawStructuredContent, &out); err != nil {
		t.Fatalf("%s: structured content %q does not decode: %v", name, res.RawStructuredContent, err)
	}
	return res, out
}

// demoArgs are arguments with which tool does its work on the demo account: none for a
// tool that needs none; for a write tool, a plan (apply false: nothing changes).
func demoArgs(t *testing.T, c *client.Client, tool mcp.Tool) map[string]any {
	t.Helper()
	if len(tool.InputSchema.Required) == 0 {
		return map[string]any{}
	}
	onlyFQDN := len(tool.InputSchema.Required) == 1 && tool.InputSchema.Required[0] == "fqdn"
	if tool.Name == "check_availability" {
		return map[string]any{"names": []string{"gandi-mcp-e2e.fr"}}
	}
	// A domain's settings: a plan on a domain on LiveDNS.
	settings := map[string]map[string]any{
		"set_autorenew":   {"enabled": true, "duration": 2},
		"set_nameservers": {"nameservers": []string{"ns1.dns-host.example", "ns2.dns-host.example"}},
	}[tool.Name]
	renew := tool.Name == "renew_domain"
	if tool.Name != "change_dns_records" && tool.Name != "restore_dns_snapshot" && !onlyFQDN && settings == nil && !renew {
		t.Fatalf("%s needs arguments and demoArgs has none for it", tool.Name)
	}
	res, _ := call(t, c, "list_domains", map[string]any{"all": true})
	var list struct {
		Domains []struct {
			FQDN       string `json:"fqdn"`
			Nameserver string `json:"nameserver"`
		} `json:"domains"`
	}
	if err := json.Unmarshal(res.RawStructuredContent, &list); err != nil {
		t.Fatal(err)
	}
	for _, d := range list.Domains {
		if d.Nameserver == "livedns" && onlyFQDN {
			return map[string]any{"fqdn": d.FQDN}
		}
		if d.Nameserver == "livedns" && settings != nil {
			settings["fqdn"] = d.FQDN
			return settings
		}
		if renew {
			return map[string]any{"fqdn": d.FQDN, "years": 1}
		}
		if d.Nameserver != "livedns" {
			continue
		}
		change := map[string]any{"fqdn": d.FQDN, "changes": []map[string]any{
			{"op": "add", "name": "gandi-mcp-e2e", "type": "TXT", "values": []string{"e2e"}}}}
		if tool.Name == "change_dns_records" {
			return change
		}
		// A snapshot to restore: the restore point of a change applied on the demo account.
		_, plan := call(t, c, "change_dns_records", change)
		change["apply"], change["plan_id"] = true, plan.PlanID
		res, applied := call(t, c, "change_dns_records", change)
		if res.IsError || applied.SnapshotID == "" {
			t.Fatalf("change_dns_records apply: %s", resultText(res))
		}
		return map[string]any{"fqdn": d.FQDN, "snapshot_id": applied.SnapshotID}
	}
	t.Fatal("no demo domain is on LiveDNS")
	return nil
}

// everyToolOnDemo calls every listed tool with no arguments, then with an
// unknown one, and checks the results are demo results and errors say what to do.
func everyToolOnDemo(t *testing.T, c *client.Client) {
	t.Helper()
	list, err := c.ListTools(context.Background(), mcp.ListToolsRequest{})
	if err != nil {
		t.Fatalf("tools/list: %v", err)
	}
	if len(list.Tools) == 0 {
		t.Fatal("tools/list is empty")
	}
	for _, tool := range list.Tools {
		t.Run(tool.Name, func(t *testing.T) {
			args := demoArgs(t, c, tool)
			res, out := call(t, c, tool.Name, args)
			if res.IsError {
				t.Fatalf("on the demo account, with only its required arguments %v: isError: %s", args, resultText(res))
			}
			if !out.Demo || !strings.HasPrefix(resultText(res), "DEMO ACCOUNT") {
				t.Errorf("a demo result not marked demo: demo=%v, text %.60q", out.Demo, resultText(res))
			}

			res, out = call(t, c, tool.Name, map[string]any{"no_such_argument": 1})
			if !res.IsError || out.Troubleshooting == nil {
				t.Fatalf("an unknown argument: isError=%v troubleshooting=%v, want both", res.IsError, out.Troubleshooting)
			}
			tr := out.Troubleshooting
			if tr.Diagnosis != "invalid_input" || len(tr.NextSteps) == 0 || !strings.Contains(tr.Summary, "no_such_argument") {
				t.Errorf("troubleshooting = %+v, want invalid_input naming the argument, with next steps", tr)
			}
			if !out.Demo || !strings.Contains(resultText(res), tr.Summary) {
				t.Errorf("error result: demo=%v, text %q does not carry the summary", out.Demo, resultText(res))
			}
		})
	}
}

func TestStdioEveryToolOnDemo(t *testing.T) {
	stderr := &lockedBuffer{}
	c, err := client.NewStdioMCPClientWithOptions(bin, binEnv(t), []string{"serve", "--demo"},
		transport.WithCommandStderrWriter(stderr))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	init := initialize(t, c)
	if !strings.HasPrefix(init.Instructions, "DEMO MODE") {
		t.Errorf("instructions do not open with DEMO MODE: %.80q", init.Instructions)
	}
	everyToolOnDemo(t, c)

	// A tool that does not exist is a protocol error; the session goes on.
	req := mcp.CallToolRequest{}
	req.Params.Name = "no_such_tool"
	if _, err := c.CallTool(context.Background(), req); err == nil {
		t.Error("calling an unknown tool succeeded")
	}
	//lint:ignore SA1019 ping still answers clients on the 2025 protocol, which this checks
	if err := c.Ping(context.Background()); err != nil {
		t.Errorf("ping after an unknown tool: %v", err)
	}
	if strings.Contains(stderr.String(), "pat_e2e_must_never_be_used") {
		t.Error("the person's token reached the log")
	}
	if !strings.Contains(stderr.String(), "demo mode") {
		t.Errorf("stderr does not say demo mode:\n%s", stderr)
	}
}

// runBinary runs the binary to its end with args and returns its exit code and output.
func runBinary(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), binEnv(t)...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return code, out.String(), errOut.String()
}

func TestCallOnDemo(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		code      int
		stdout    string // part of stdout
		stdoutRE  string // a pattern stdout matches
		stderr    string // part of stderr
		diagnosis string // the troubleshooting printed, if any
	}{
		{name: "a tool", args: []string{"call", "verify_token", "--demo"}, code: exitOK, stdout: `"demo": true`},
		{name: "invalid arguments", args: []string{"call", "verify_token", `{"bogus": 1}`, "--demo"}, code: exitToolError, diagnosis: "invalid_input"},
		{name: "arguments not an object", args: []string{"call", "verify_token", `[1]`, "--demo"}, code: exitUsage, stderr: "must be a JSON object"},
		{name: "unknown tool", args: []string{"call", "no_such_tool", "--demo"}, code: exitUsage, stderr: "the tools are: "},
		{name: "demo and sandbox", args: []string{"call", "verify_token", "--demo", "--sandbox"}, code: exitUsage, stderr: "exclude each other"},
		{name: "HTTP on every interface", args: []string{"serve", "--demo", "--http", "0.0.0.0:0"}, code: exitUsage, stderr: "for many people each with their own token, serve --hosted with TLS"},
		{name: "HTTP on another machine's address", args: []string{"serve", "--http", "192.0.2.1:8080"}, code: exitUsage, stderr: "loopback"},
		{name: "HTTP address without port", args: []string{"serve", "--http", "127.0.0.1"}, code: exitUsage, stderr: "HOST:PORT"},
		// The tour shows the expired demo token refused, which a served demo cannot reach.
		{name: "the demo tour", args: []string{"demo"}, code: exitOK, stdoutRE: `token_(rejected|expired)`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runBinary(t, tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tc.code, stdout, stderr)
			}
			if !strings.Contains(stdout, tc.stdout) || !strings.Contains(stderr, tc.stderr) {
				t.Errorf("stdout %q, stderr %q: want them to contain %q and %q", stdout, stderr, tc.stdout, tc.stderr)
			}
			if tc.stdoutRE != "" && !regexp.MustCompile(tc.stdoutRE).MatchString(stdout) {
				t.Errorf("stdout does not match %s:\n%s", tc.stdoutRE, stdout)
			}
			if tc.diagnosis != "" {
				var out toolOutput
				if err := json.Unmarshal([]byte(stdout), &out); err != nil || out.Troubleshooting == nil || out.Troubleshooting.Diagnosis != tc.diagnosis {
					t.Errorf("stdout %s: want troubleshooting %s (%v)", stdout, tc.diagnosis, err)
				}
			}
			if strings.Contains(stdout+stderr, "pat_e2e_must_never_be_used") {
				t.Error("the person's token was printed")
			}
		})
	}
}

var servingURL = regexp.MustCompile(`msg="serving MCP over Streamable HTTP" url=(\S+)`)

// served is the binary serving HTTP.
type served struct {
	cmd    *exec.Cmd
	url    string
	stderr *lockedBuffer
	exited chan error
}

// serveHTTP starts the binary with env and args and waits until it serves HTTP.
func serveHTTP(t *testing.T, env []string, args ...string) *served {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	pipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &served{cmd: cmd, stderr: &lockedBuffer{}, exited: make(chan error, 1)}
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			fmt.Fprintln(s.stderr, sc.Text())
			if m := servingURL.FindStringSubmatch(sc.Text()); m != nil {
				urls <- m[1]
			}
		}
		close(urls)
		s.exited <- cmd.Wait()
	}()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			<-s.exited
		}
	})
	url, ok := <-urls
	if !ok {
		t.Fatalf("the server stopped before serving:\n%s", s.stderr)
	}
	s.url = url
	return s
}

// status posts an initialize request with the given Authorization header ("" for none).
func (s *served) status(t *testing.T, authorization string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.url, strings.NewReader(
		`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"e2e","version":"1"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, string(body)
}

// httpSecret runs `gandi-mcp http-secret` with env and returns what it prints.
func httpSecret(t *testing.T, env []string) string {
	t.Helper()
	cmd := exec.Command(bin, "http-secret")
	cmd.Env = append(os.Environ(), env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("http-secret: %v\n%s", err, errOut.String())
	}
	secret := strings.TrimSpace(out.String())
	if secret == "" || strings.Contains(out.String(), " ") {
		t.Fatalf("http-secret printed %q: want the secret alone", out.String())
	}
	return secret
}

func TestHTTPEveryToolOnDemoThenSIGTERM(t *testing.T) {
	env := binEnv(t)
	s := serveHTTP(t, env, "serve", "--demo", "--http", "127.0.0.1:0")
	secret := httpSecret(t, env)

	c, err := client.NewStreamableHttpClient(s.url, transport.WithHTTPHeaders(map[string]string{"Authorization": "Bearer " + secret}))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if init := initialize(t, c); !strings.HasPrefix(init.Instructions, "DEMO MODE") {
		t.Errorf("instructions over HTTP do not open with DEMO MODE: %.80q", init.Instructions)
	}
	everyToolOnDemo(t, c)
	_ = c.Close()

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
	if !strings.Contains(s.stderr.String(), "shutting down") {
		t.Errorf("no shutdown in the log:\n%s", s.stderr)
	}
	if strings.Contains(s.stderr.String(), secret) {
		t.Error("the HTTP secret reached the log")
	}
}

func TestHTTPNeedsTheSecret(t *testing.T) {
	env := binEnv(t)
	first := httpSecret(t, env)
	s := serveHTTP(t, env, "serve", "--demo", "--http", "127.0.0.1:0")
	tests := []struct {
		name, authorization string
		want                int
	}{
		{name: "no header", want: http.StatusUnauthorized},
		{name: "a wrong secret", authorization: "Bearer " + strings.Repeat("A", len(first)), want: http.StatusUnauthorized},
		{name: "the secret, made before the server started", authorization: "Bearer " + first, want: http.StatusOK},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, h, body := s.status(t, tc.authorization)
			if status != tc.want {
				t.Fatalf("status %d, want %d: %s", status, tc.want, body)
			}
			if status == http.StatusUnauthorized && (!strings.HasPrefix(h.Get("WWW-Authenticate"), "Bearer") || !strings.Contains(body, "gandi-mcp http-secret")) {
				t.Errorf("401 with WWW-Authenticate %q and body %q: want a Bearer challenge and what to send", h.Get("WWW-Authenticate"), body)
			}
		})
	}
	// The secret stays the same across runs, and its file is the user's alone.
	if again := httpSecret(t, env); again != first {
		t.Error("http-secret printed another secret on its second run")
	}
	var home string
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "XDG_CONFIG_HOME="); ok {
			home = v
		}
	}
	if info, err := os.Stat(filepath.Join(home, "gandi-mcp", "http_secret")); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("the secret's file: %v (%v), want mode 0600", info, err)
	}
}

func TestHTTPNoAuth(t *testing.T) {
	s := serveHTTP(t, binEnv(t), "serve", "--demo", "--http", "127.0.0.1:0", "--http-no-auth")
	if status, _, body := s.status(t, ""); status != http.StatusOK {
		t.Errorf("--http-no-auth without a header: status %d, want 200: %s", status, body)
	}
	if !strings.Contains(s.stderr.String(), "warning: --http-no-auth") {
		t.Errorf("no warning on stderr:\n%s", s.stderr)
	}
	code, _, stderr := runBinary(t, "serve", "--demo", "--http-no-auth")
	if code != exitUsage || !strings.Contains(stderr, "only applies with --http") {
		t.Errorf("--http-no-auth without --http: exit %d, %q; want a usage error", code, stderr)
	}
}

// resultText is the text content of a tool result.
func resultText(res *mcp.CallToolResult) string {
	var b strings.Builder
	for _, c := range res.Content {
		if tc, ok := mcp.AsTextContent(c); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String()
}
