package deploy

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"text/template"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/gandi-mcp/gandi-mcp/gandi"
	"github.com/gandi-mcp/gandi-mcp/gandi/ganditest"
)

// A cluster is what a deployment runs, on one machine: replicas of the
// image's serve --hosted behind haproxy, against the fake Gandi.

// buildFlags gains -race when the tests run with -race (race_test.go).
var buildFlags []string

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// binary is gandi-mcp built once (GANDI_MCP_BIN when bench/run.sh built it).
func binary(tb testing.TB) string {
	tb.Helper()
	if bin := os.Getenv("GANDI_MCP_BIN"); bin != "" {
		return bin
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "gandi-mcp-deploy-")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "gandi-mcp")
		args := append(append([]string{"build"}, buildFlags...), "-o", builtBin, "../cmd/gandi-mcp")
		if out, err := exec.Command("go", args...).CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	})
	if buildErr != nil {
		tb.Fatal(buildErr)
	}
	return builtBin
}

// haproxyPath finds Debian's haproxy: a skip on a workstation without it, a failure in CI.
func haproxyPath(tb testing.TB) string {
	tb.Helper()
	path, err := exec.LookPath("haproxy")
	if err == nil {
		return path
	}
	for _, p := range []string{"/usr/sbin/haproxy", "/usr/local/sbin/haproxy"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		tb.Fatal("haproxy is not installed, and CI must run this test: .ci/run installs it (apt-get install -y haproxy)")
	}
	tb.Skip("haproxy is not installed (Debian: apt-get install -y haproxy)")
	return ""
}

// logWatch keeps a process's stderr and lets a test wait for a line.
type logWatch struct {
	mu      sync.Mutex
	all     bytes.Buffer
	changed chan struct{}
}

func newLogWatch() *logWatch { return &logWatch{changed: make(chan struct{})} }

func (w *logWatch) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.all.Write(p)
	close(w.changed)
	w.changed = make(chan struct{})
	return len(p), nil
}

func (w *logWatch) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.all.String()
}

// wait returns the submatches of the first line matching re, once written;
// it gives up when ctx or stop ends.
func (w *logWatch) wait(ctx context.Context, stop <-chan struct{}, re *regexp.Regexp) ([]string, error) {
	for {
		w.mu.Lock()
		m, ch := re.FindStringSubmatch(w.all.String()), w.changed
		w.mu.Unlock()
		if m != nil {
			return m, nil
		}
		select {
		case <-ch:
		case <-stop:
			return nil, fmt.Errorf("the process ended before writing a line matching %s", re)
		case <-ctx.Done():
			return nil, fmt.Errorf("no line matching %s: %w", re, ctx.Err())
		}
	}
}

// replica is one serve --hosted process.
type replica struct {
	name   string
	cmd    *exec.Cmd
	addr   string // host:port
	url    string // its MCP endpoint
	log    *logWatch
	exited chan struct{}
	err    error // Wait's, once exited is closed
}

var servingURL = regexp.MustCompile(`"?url"?[=:]"?(https?://([^/\s"]+)/[^\s"]*)`)

// serveArgs are the image's ENTRYPOINT arguments with --http on a loopback port of the kernel's choosing.
func serveArgs(tb testing.TB) []string {
	tb.Helper()
	stages := parseDockerfile(tb, "../Dockerfile")
	argv := slices.Clone(entrypoint(tb, stages[len(stages)-1])[1:])
	for i, a := range argv {
		if a == "--http" && i+1 < len(argv) {
			argv[i+1] = "127.0.0.1:0"
		}
	}
	return argv
}

func startReplica(tb testing.TB, name string, args, env []string) *replica {
	tb.Helper()
	r := &replica{name: name, log: newLogWatch(), exited: make(chan struct{})}
	r.cmd = exec.Command(binary(tb), args...)
	r.cmd.Env = env
	r.cmd.Stderr = r.log
	if err := r.cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	go func() { r.err = r.cmd.Wait(); close(r.exited) }()
	tb.Cleanup(func() {
		_ = r.cmd.Process.Kill()
		<-r.exited
		if tb.Failed() {
			tb.Logf("%s's stderr:\n%s", name, r.log)
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	m, err := r.log.wait(ctx, r.exited, servingURL)
	if err != nil {
		tb.Fatalf("%s %v did not start: %v\n%s", name, args, err, r.log)
	}
	r.url, r.addr = m[1], m[2]
	return r
}

// stop sends SIGTERM and waits for the exit.
func (r *replica) stop(tb testing.TB) {
	tb.Helper()
	if err := r.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		tb.Fatal(err)
	}
}

// pid is the replica's process id.
func (r *replica) pid() int { return r.cmd.Process.Pid }

// balancer is haproxy in front of the replicas.
type balancer struct {
	url string // its MCP endpoint
	log *logWatch
	pid int
}

// haproxyConfig: round robin without stickiness, a health check on the
// readiness path, and retries elsewhere when a replica refuses connections.
var haproxyConfig = template.Must(template.New("haproxy").Parse(`global
    maxconn 4096
    log stderr format raw local0 info

defaults
    mode http
    log global
    option httplog
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    timeout http-keep-alive 10s
    retries 3
    option redispatch 1
    retry-on conn-failure empty-response

frontend mcp
    bind 127.0.0.1:{{.Port}}
    default_backend replicas

backend replicas
    balance roundrobin
    option httpchk GET {{.Ready}}
    http-check expect status 200
    # A refused check fails at once; a slow one under load gets timeout check, not inter.
    timeout check 2s
    default-server inter 200ms fall 2 rise 1 maxconn 512
{{range .Servers}}    server {{.Name}} {{.Addr}} check
{{end}}`))

// freePort asks the kernel for a loopback port that is free now.
func freePort(tb testing.TB) int {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func startBalancer(tb testing.TB, haproxy, readyPath string, rs []*replica) *balancer {
	tb.Helper()
	type srv struct{ Name, Addr string }
	data := struct {
		Port    int
		Ready   string
		Servers []srv
	}{Port: freePort(tb), Ready: readyPath}
	for _, r := range rs {
		data.Servers = append(data.Servers, srv{r.name, r.addr})
	}
	var cfg bytes.Buffer
	if err := haproxyConfig.Execute(&cfg, data); err != nil {
		tb.Fatal(err)
	}
	path := filepath.Join(tb.TempDir(), "haproxy.cfg")
	if err := os.WriteFile(path, cfg.Bytes(), 0o600); err != nil {
		tb.Fatal(err)
	}
	if out, err := exec.Command(haproxy, "-c", "-q", "-f", path).CombinedOutput(); err != nil {
		tb.Fatalf("haproxy -c: %v\n%s\n%s", err, out, cfg.String())
	}
	b := &balancer{url: fmt.Sprintf("http://127.0.0.1:%d/mcp", data.Port), log: newLogWatch()}
	cmd := exec.Command(haproxy, "-db", "-f", path)
	cmd.Stdout, cmd.Stderr = b.log, b.log
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	b.pid = cmd.Process.Pid
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	tb.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
		if tb.Failed() {
			tb.Logf("haproxy's log:\n%s", b.log)
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := waitListening(ctx, exited, fmt.Sprintf("127.0.0.1:%d", data.Port)); err != nil {
		tb.Fatalf("haproxy did not start: %v\n%s", err, b.log)
	}
	return b
}

// waitListening waits until addr accepts connections: haproxy says nothing when it has bound.
func waitListening(ctx context.Context, exited <-chan struct{}, addr string) error {
	var d net.Dialer
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		c, err := d.DialContext(ctx, "tcp", addr)
		if err == nil {
			return c.Close()
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s does not accept connections: %w", addr, err)
		case <-exited:
			return fmt.Errorf("the process ended before %s accepted connections", addr)
		case <-tick.C:
		}
	}
}

// caller is one person of the deployment: an organization, its domains, its token.
type caller struct {
	org     gandi.Organization
	token   ganditest.Token
	domains []string // fqdns, sorted
}

// seedCallers adds n organizations named prefix-NNN, each with its own token and domains.
func seedCallers(fake *ganditest.Server, prefix string, n, domains int) []caller {
	out := make([]caller, n)
	for i := range out {
		org := fake.AddOrganization(gandi.Organization{Name: fmt.Sprintf("%s-%03d", prefix, i), Type: "company", Orgname: fmt.Sprintf("%s %03d SAS", prefix, i)})
		var fqdns []string
		for _, d := range fake.SeedDomains(org.ID, domains, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)) {
			fqdns = append(fqdns, d.FQDN)
		}
		slices.Sort(fqdns)
		tok := fake.AddToken(ganditest.Token{Name: fmt.Sprintf("assistant of %s %03d", prefix, i),
			Scopes:   []string{"organization:view", "domain:view", "domain:tech"},
			Entities: []gandi.Entity{ganditest.OrganizationEntity(org)}})
		out[i] = caller{org: org, token: tok, domains: fqdns}
	}
	return out
}

// replicaEnv is a replica's environment: the fake's URLs, XDG directories of its own,
// and rate as GANDI_MCP_RATE_LIMIT. decoy is a token in GANDI_API_TOKEN that a hosted
// server must never use.
func replicaEnv(tb testing.TB, fake *ganditest.Server, decoy string, rate int) []string {
	home := tb.TempDir()
	env := []string{"HOME=" + home, "PATH=" + os.Getenv("PATH"),
		"XDG_CONFIG_HOME=" + filepath.Join(home, "config"), "XDG_DATA_HOME=" + filepath.Join(home, "data"),
		"XDG_STATE_HOME=" + filepath.Join(home, "state"), "XDG_CACHE_HOME=" + filepath.Join(home, "cache"),
		"GANDI_API_URL=" + fake.URL, "GANDI_ID_URL=" + fake.URL, "GANDI_API_TOKEN=" + decoy,
		"GANDI_MCP_RATE_LIMIT=" + strconv.Itoa(rate), "GORACE=halt_on_error=1 atexit_sleep_ms=0"}
	return env
}

// sharedTransport carries every caller's connections, as one client host would.
var sharedTransport = &http.Transport{MaxIdleConns: 1024, MaxIdleConnsPerHost: 1024, IdleConnTimeout: 30 * time.Second}

// connect opens an MCP client of url that sends token on every request.
func connect(ctx context.Context, url, token string) (*client.Client, error) {
	tr, err := transport.NewStreamableHTTP(url,
		transport.WithHTTPHeaders(map[string]string{"Authorization": "Bearer " + token}),
		transport.WithHTTPBasicClient(&http.Client{Transport: sharedTransport, Timeout: 60 * time.Second}))
	if err != nil {
		return nil, err
	}
	c := client.NewClient(tr)
	if err := c.Start(ctx); err != nil {
		return nil, err
	}
	req := mcp.InitializeRequest{}
	req.Params.ClientInfo = mcp.Implementation{Name: "deploy-test", Version: "1"}
	if _, err := c.Initialize(ctx, req); err != nil {
		c.Close()
		return nil, fmt.Errorf("initialize %s: %w", url, err)
	}
	return c, nil
}

// callTool calls a tool and returns its result and structured content.
func callTool(ctx context.Context, c *client.Client, name string, args map[string]any) (*mcp.CallToolResult, error) {
	req := mcp.CallToolRequest{}
	req.Params.Name = name
	req.Params.Arguments = args
	res, err := c.CallTool(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return res, nil
}

// listedDomains is list_domains' fqdns, sorted.
func listedDomains(res *mcp.CallToolResult) ([]string, error) {
	var out struct {
		Domains []struct {
			FQDN string `json:"fqdn"`
		} `json:"domains"`
	}
	if err := json.Unmarshal(res.RawStructuredContent, &out); err != nil {
		return nil, fmt.Errorf("list_domains structured content %.200q: %w", res.RawStructuredContent, err)
	}
	var fqdns []string
	for _, d := range out.Domains {
		fqdns = append(fqdns, d.FQDN)
	}
	slices.Sort(fqdns)
	return fqdns, nil
}

// resultText is a result's text content, joined.
func resultText(res *mcp.CallToolResult) string {
	var b strings.Builder
	for _, c := range res.Content {
		if t, ok := c.(mcp.TextContent); ok {
			b.WriteString(t.Text)
		}
	}
	return b.String()
}

// peakRSS reads a process's high-water resident set (VmHWM) in bytes.
func peakRSS(pid int) (int64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no VmHWM in /proc/%d/status", pid)
}

// cpuTime is the CPU time (user and system) a process has used so far.
func cpuTime(pid int) (time.Duration, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The fields after the command name, which is in parentheses and may hold spaces.
	rest := string(data[bytes.LastIndexByte(data, ')')+1:])
	f := strings.Fields(rest)
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(f))
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc/%d/stat: utime %q stime %q", pid, f[11], f[12])
	}
	const ticks = 100 // USER_HZ, 100 on Linux
	return time.Duration(utime+stime) * time.Second / ticks, nil
}
