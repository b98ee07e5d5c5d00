package skill

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/gandi-mcp/gandi-mcp/gandi"
	"github.com/gandi-mcp/gandi-mcp/gandi/ganditest"
	"github.com/gandi-mcp/gandi-mcp/tools"
)

// tenant is one organization of the fake and the token of its person.
type tenant struct {
	org     gandi.Organization
	token   ganditest.Token
	domains []string
}

// twoTenants fills fake with two organizations, each with its domains, a zone, and a
// token that reaches it alone.
func twoTenants(fake *ganditest.Server) [2]tenant {
	var ts [2]tenant
	for i, name := range []string{"acme", "globex"} {
		org := fake.AddOrganization(gandi.Organization{Name: name, Type: "company"})
		ts[i].org = org
		ts[i].domains = []string{name + "-shop.com", name + "-mail.net"}
		for _, fqdn := range ts[i].domains {
			fake.AddDomains(gandi.Domain{FQDN: fqdn, SharingID: org.ID, Nameserver: gandi.Nameserver{Current: "livedns"}})
		}
		ts[i].token = fake.AddToken(ganditest.Token{Name: name + "-assistant",
			Scopes:   []string{"domain:view", "domain:tech", "organization:view"},
			Entities: []gandi.Entity{ganditest.OrganizationEntity(org)}})
	}
	return ts
}

// hostedServer is a hosted ServeHTTP on a loopback port, against a fake.
type hostedServer struct {
	srv    *Server
	url    string
	stop   context.CancelFunc
	served chan error
	logs   *watchedLog
}

type hostedConfig struct {
	env    map[string]string // more environment (the fake's URLs are set)
	opts   HTTPOptions       // Hosted is set
	limits func(*httpLimits)
	deps   func(*tools.Deps)
	sel    Selection
}

func startHosted(t testing.TB, fake *ganditest.Server, cfg hostedConfig) *hostedServer {
	t.Helper()
	env := map[string]string{"GANDI_API_URL": fake.URL, "GANDI_ID_URL": fake.URL}
	for k, v := range cfg.env {
		env[k] = v
	}
	hs := &hostedServer{served: make(chan error, 1), logs: &watchedLog{}}
	deps, err := DepsFromEnv(Options{Hosted: true, Getenv: func(k string) string { return env[k] }, Stderr: hs.logs, LogLevel: -4})
	if err != nil {
		t.Fatal(err)
	}
	deps.Retry = gandi.RetryPolicy{MaxAttempts: 1}
	if cfg.deps != nil {
		cfg.deps(deps)
	}
	if hs.srv, err = NewSelected(deps, cfg.sel); err != nil {
		t.Fatal(err)
	}
	if cfg.limits != nil {
		cfg.limits(&hs.srv.limits)
	}
	opts := cfg.opts
	opts.Hosted = true
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

// clientOption is a transport option of hostedClient, or withClientOptions' client options.
type clientOption struct {
	transport []transport.StreamableHTTPCOption
	client    []client.ClientOption
}

func withTransport(o ...transport.StreamableHTTPCOption) clientOption {
	return clientOption{transport: o}
}
func withClientOptions(o ...client.ClientOption) clientOption { return clientOption{client: o} }

// hostedClient is an MCP client of url sending token as its bearer, initialized with protocol.
func hostedClient(t testing.TB, url, token, protocol string, opts ...clientOption) *client.Client {
	t.Helper()
	topts := []transport.StreamableHTTPCOption{transport.WithHTTPHeaders(map[string]string{"Authorization": "Bearer " + token})}
	var copts []client.ClientOption
	for _, o := range opts {
		topts = append(topts, o.transport...)
		copts = append(copts, o.client...)
	}
	tr, err := transport.NewStreamableHTTP(url, topts...)
	if err != nil {
		t.Fatal(err)
	}
	c := client.NewClient(tr, copts...)
	t.Cleanup(func() { _ = c.Close() })
	ctx := context.Background()
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = protocol
	init.Params.ClientInfo = mcp.Implementation{Name: "hosted-test", Version: "1"}
	if _, err := c.Initialize(ctx, init); err != nil {
		t.Fatalf("initialize over hosted HTTP (%s): %v", protocol, err)
	}
	return c
}

// callTool calls name with args and returns the result's text and structured content.
func callTool(t *testing.T, c *client.Client, name string, args any) (*mcp.CallToolResult, string) {
	t.Helper()
	req := mcp.CallToolRequest{}
	req.Params.Name = name
	req.Params.Arguments = args
	res, err := c.CallTool(context.Background(), req)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return res, textOf(res) + "\n" + string(res.RawStructuredContent)
}

var hostedProtocols = []string{mcp.LATEST_PROTOCOL_VERSION, mcp.ProtocolVersion20251125}

// Two people of two organizations use one hosted server at once, each with their own
// token: each sees only their own domains, and nothing of the other's token or data
// reaches their results or the server's logs.
func TestHostedCallersSeeOnlyTheirOwn(t *testing.T) {
	for _, protocol := range hostedProtocols {
		t.Run(protocol, func(t *testing.T) {
			fake := ganditest.NewTestServer(t)
			ts := twoTenants(fake)
			hs := startHosted(t, fake, hostedConfig{})
			var wg sync.WaitGroup
			for i := range ts {
				me, other := ts[i], ts[1-i]
				c := hostedClient(t, hs.url, me.token.Secret, protocol)
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range 5 {
						for _, call := range []struct {
							tool string
							args any
						}{{"list_domains", map[string]any{"all": true}}, {"verify_token", nil}, {"list_sharing", nil}} {
							res, text := callTool(t, c, call.tool, call.args)
							if res.IsError {
								t.Errorf("%s for %s: error: %s", call.tool, me.org.Name, text)
							}
							if call.tool == "list_domains" {
								for _, d := range me.domains {
									if !strings.Contains(text, d) {
										t.Errorf("list_domains for %s lacks %s:\n%s", me.org.Name, d, text)
									}
								}
							}
							if call.tool == "verify_token" && !strings.Contains(text, me.token.Name) {
								t.Errorf("verify_token for %s does not name its token %s:\n%s", me.org.Name, me.token.Name, text)
							}
							for _, leak := range append([]string{other.token.Secret, other.token.Name, other.org.Name, other.org.ID, me.token.Secret}, other.domains...) {
								if strings.Contains(text, leak) {
									t.Errorf("%s for %s shows %q, which is not theirs to see (or a secret):\n%s", call.tool, me.org.Name, leak, text)
								}
							}
						}
					}
				}()
			}
			wg.Wait()
			logs := hs.logs.String()
			for _, tn := range ts {
				if strings.Contains(logs, tn.token.Secret) {
					t.Errorf("the server's log holds a caller's token:\n%s", logs)
				}
			}
		})
	}
}

// rawRequest sends one request to url (its query appended) with header, and returns the
// status, headers and body.
func rawRequest(t *testing.T, url, method, body string, header http.Header) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
	}
	for k, vs := range header {
		if k == "Host" {
			req.Host = vs[0]
			continue
		}
		req.Header.Del(k)
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
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

// legacyCall is a tools/call of protocol 2025-11-25 that needs no session on a hosted server.
const legacyCall = `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"verify_token","arguments":{}}}`

func legacyHeader(auth ...string) http.Header {
	h := http.Header{"Mcp-Protocol-Version": {mcp.ProtocolVersion20251125}}
	if len(auth) > 0 {
		h["Authorization"] = auth
	}
	return h
}

// A request without a usable token in its Authorization header is answered 401 with a
// Bearer challenge and a body saying what to send; a token in the URL is refused. In
// neither case is anything asked of Gandi, or what was sent repeated or logged.
func TestHostedRefusesRequestsWithoutAUsableToken(t *testing.T) {
	fake := ganditest.NewTestServer(t)
	ts := twoTenants(fake)
	good := ts[0].token.Secret
	hs := startHosted(t, fake, hostedConfig{})
	tests := []struct {
		name    string
		query   string
		header  http.Header
		status  int
		secrets []string // what was sent, never repeated or logged
	}{
		{name: "the caller's own token is served", header: legacyHeader("Bearer " + good), status: http.StatusOK},
		{name: "no Authorization header", header: legacyHeader(), status: http.StatusUnauthorized},
		{name: "an empty Authorization header", header: legacyHeader(""), status: http.StatusUnauthorized},
		{name: "Basic scheme", header: legacyHeader("Basic " + good), status: http.StatusUnauthorized, secrets: []string{good}},
		{name: "Apikey scheme", header: legacyHeader("Apikey " + good), status: http.StatusUnauthorized, secrets: []string{good}},
		{name: "the token alone, without a scheme", header: legacyHeader(good), status: http.StatusUnauthorized, secrets: []string{good}},
		{name: "Bearer without a token", header: legacyHeader("Bearer"), status: http.StatusUnauthorized},
		{name: "Bearer and white space", header: legacyHeader("Bearer    "), status: http.StatusUnauthorized},
		{name: "a bearer too short to be a token", header: legacyHeader("Bearer pat_1"), status: http.StatusUnauthorized, secrets: []string{"pat_1"}},
		{name: "a bearer of two words", header: legacyHeader("Bearer " + good + " " + good), status: http.StatusUnauthorized, secrets: []string{good}},
		{name: "a bearer with a non-ASCII character", header: legacyHeader("Bearer pat_abcdéfghijk"), status: http.StatusUnauthorized, secrets: []string{"pat_abcdéfghijk"}},
		{name: "two Authorization headers", header: legacyHeader("Bearer "+good, "Bearer "+ts[1].token.Secret), status: http.StatusUnauthorized, secrets: []string{good, ts[1].token.Secret}},
		{name: "access_token in the query", query: "?access_token=" + ts[1].token.Secret, header: legacyHeader("Bearer " + good), status: http.StatusBadRequest, secrets: []string{ts[1].token.Secret}},
		{name: "a token-shaped value under another name", query: "?x=" + ts[1].token.Secret, header: legacyHeader("Bearer " + good), status: http.StatusBadRequest, secrets: []string{ts[1].token.Secret}},
		{name: "apikey in the query, without a header", query: "?APIKEY=k", header: legacyHeader(), status: http.StatusBadRequest},
		{name: "token in the query, short", query: "?token=abc", header: legacyHeader("Bearer " + good), status: http.StatusBadRequest},
		{name: "api_key in the query", query: "?a=1&api_key=" + good, header: legacyHeader("Bearer " + good), status: http.StatusBadRequest},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fake.ResetRequests()
			status, h, body := rawRequest(t, hs.url+tc.query, http.MethodPost, legacyCall, tc.header)
			if status != tc.status {
				t.Fatalf("status %d, want %d: %s", status, tc.status, body)
			}
			sent := fake.Requests()
			if tc.status == http.StatusOK {
				if len(sent) == 0 || sent[0].Token != good {
					t.Fatalf("the caller's token did not reach Gandi: %+v", sent)
				}
				return
			}
			if len(sent) != 0 {
				t.Errorf("a refused request reached Gandi: %+v", sent)
			}
			var problem struct{ Error, Message string }
			if err := json.Unmarshal([]byte(body), &problem); err != nil || problem.Error == "" ||
				!strings.Contains(problem.Message, `"Authorization: Bearer YOUR_PAT"`) {
				t.Errorf("the body does not say what to send (%v): %s", err, body)
			}
			if tc.status == http.StatusUnauthorized && !strings.HasPrefix(h.Get("WWW-Authenticate"), `Bearer realm="gandi-mcp"`) {
				t.Errorf("WWW-Authenticate = %q", h.Get("WWW-Authenticate"))
			}
			for _, secret := range tc.secrets {
				if strings.Contains(body, secret) || strings.Contains(hs.logs.String(), secret) {
					t.Errorf("what was sent is repeated in the answer or the log:\n%s\n%s", body, hs.logs.String())
				}
			}
		})
	}
}

// A plan made through one server is applied through another on the same Gandi: a plan_id
// depends on no replica's memory. Another person's token cannot apply it.
func TestHostedPlanOnOneServerAppliesOnAnother(t *testing.T) {
	for _, protocol := range hostedProtocols {
		t.Run(protocol, func(t *testing.T) {
			fake := ganditest.NewTestServer(t)
			ts := twoTenants(fake)
			fqdn := ts[0].domains[0]
			if err := fake.SetZone(fqdn, dnsRecords()); err != nil {
				t.Fatal(err)
			}
			one, two := startHosted(t, fake, hostedConfig{}), startHosted(t, fake, hostedConfig{})
			args := dnsArgs{FQDN: fqdn, Changes: []map[string]any{change("set", "api", "A", 300, "192.0.2.7")}}
			res, text := callTool(t, hostedClient(t, one.url, ts[0].token.Secret, protocol), "change_dns_records", args)
			var plan tools.ChangeDNSRecordsOutput
			if err := json.Unmarshal(res.RawStructuredContent, &plan); err != nil || res.IsError || plan.PlanID == "" {
				t.Fatalf("plan through the first server: %v %s", err, text)
			}
			args.Apply, args.PlanID = true, plan.PlanID

			// The other organization's person cannot apply it, whichever server they ask.
			res, text = callTool(t, hostedClient(t, two.url, ts[1].token.Secret, protocol), "change_dns_records", args)
			if !res.IsError {
				t.Fatalf("another person's token applied the plan: %s", text)
			}

			res, text = callTool(t, hostedClient(t, two.url, ts[0].token.Secret, protocol), "change_dns_records", args)
			var out tools.ChangeDNSRecordsOutput
			if err := json.Unmarshal(res.RawStructuredContent, &out); err != nil || res.IsError || !out.Applied {
				t.Fatalf("apply through the second server: %v %s", err, text)
			}
			sets, ok := fake.Zone(fqdn)
			if !ok {
				t.Fatalf("no zone %s", fqdn)
			}
			found := false
			for _, s := range sets {
				found = found || s.Name == "api" && s.Type == "A" && len(s.Values) == 1 && s.Values[0] == "192.0.2.7"
			}
			if !found {
				t.Errorf("the zone does not hold the applied change: %+v", sets)
			}
		})
	}
}

// A hosted server reads no token file and no token variable: with both holding a third
// organization's token, callers act with their own, a request without one is refused
// rather than served with the stored one, and nothing is written to the state directory.
func TestHostedReadsNoStoredToken(t *testing.T) {
	fake := ganditest.NewTestServer(t)
	ts := twoTenants(fake)
	stored := fake.AddOrganization(gandi.Organization{Name: "initech"})
	fake.AddDomains(gandi.Domain{FQDN: "initech-stored.com", SharingID: stored.ID})
	storedTok := fake.AddToken(ganditest.Token{Name: "stored-token", Scopes: []string{"domain:view", "domain:tech"},
		Entities: []gandi.Entity{ganditest.OrganizationEntity(stored)}})
	root := t.TempDir()
	config, state := filepath.Join(root, "config"), filepath.Join(root, "state")
	for _, dir := range []string{filepath.Join(config, "gandi"), filepath.Join(config, "gandi", "profiles"), state} {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(config, "gandi", "api_token"), []byte(storedTok.Secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	fqdn := ts[0].domains[0]
	if err := fake.SetZone(fqdn, dnsRecords()); err != nil {
		t.Fatal(err)
	}
	hs := startHosted(t, fake, hostedConfig{env: map[string]string{
		"HOME": root, "XDG_CONFIG_HOME": config, "XDG_STATE_HOME": state,
		"GANDI_API_TOKEN": storedTok.Secret, "GANDI_API_KEY": storedTok.Secret, "GANDI_PROFILE": "initech",
	}})

	c := hostedClient(t, hs.url, ts[0].token.Secret, mcp.LATEST_PROTOCOL_VERSION)
	_, text := callTool(t, c, "verify_token", nil)
	if !strings.Contains(text, ts[0].token.Name) || strings.Contains(text, "stored-token") || strings.Contains(text, config) {
		t.Errorf("verify_token does not describe the caller's own token:\n%s", text)
	}
	_, text = callTool(t, c, "list_domains", map[string]any{"all": true})
	if strings.Contains(text, "initech") {
		t.Errorf("list_domains shows the stored token's domains:\n%s", text)
	}
	args := dnsArgs{FQDN: fqdn, Changes: []map[string]any{change("set", "api", "A", 300, "192.0.2.9")}}
	res, _ := callTool(t, c, "change_dns_records", args)
	var plan tools.ChangeDNSRecordsOutput
	_ = json.Unmarshal(res.RawStructuredContent, &plan)
	args.Apply, args.PlanID = true, plan.PlanID
	if res, text := callTool(t, c, "change_dns_records", args); res.IsError {
		t.Fatalf("apply: %s", text)
	}
	for _, r := range fake.Requests() {
		if r.Token == storedTok.Secret {
			t.Fatalf("the stored token was sent to Gandi: %s %s", r.Method, r.Path)
		}
	}
	if status, _, body := rawRequest(t, hs.url, http.MethodPost, legacyCall, legacyHeader()); status != http.StatusUnauthorized {
		t.Errorf("a request without a token, with a token stored: status %d: %s", status, body)
	}
	for _, name := range []string{"GANDI_API_TOKEN", "GANDI_API_KEY", "GANDI_PROFILE"} {
		if !strings.Contains(hs.logs.String(), name+" is set but a hosted server ignores it") {
			t.Errorf("no warning that %s is ignored:\n%s", name, hs.logs.String())
		}
	}
	if strings.Contains(hs.logs.String(), storedTok.Secret) {
		t.Errorf("the stored token reached the log:\n%s", hs.logs.String())
	}
	entries, err := os.ReadDir(state)
	if err != nil || len(entries) != 0 {
		t.Errorf("the state directory holds %v (%v): a hosted server writes no expiry book or journal", entries, err)
	}
}

// renew_token, which stores the token it is issued, is not offered: neither listed nor callable.
func TestHostedDoesNotOfferRenewToken(t *testing.T) {
	fake := ganditest.NewTestServer(t)
	ts := twoTenants(fake)
	hs := startHosted(t, fake, hostedConfig{})
	for _, protocol := range hostedProtocols {
		c := hostedClient(t, hs.url, ts[0].token.Secret, protocol)
		list, err := c.ListTools(context.Background(), mcp.ListToolsRequest{})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, tool := range list.Tools {
			names = append(names, tool.Name)
		}
		if slices.Contains(names, "renew_token") || !slices.Contains(names, "verify_token") || !slices.Contains(names, "change_dns_records") {
			t.Errorf("%s: tools/list = %v", protocol, names)
		}
		req := mcp.CallToolRequest{}
		req.Params.Name = "renew_token"
		req.Params.Arguments = map[string]any{"dry_run": true}
		if res, err := c.CallTool(context.Background(), req); err == nil && !res.IsError {
			t.Errorf("%s: renew_token was served: %s", protocol, textOf(res))
		}
	}
	if why := hs.srv.Off("renew_token"); !strings.Contains(why, "hosted") {
		t.Errorf("Off(renew_token) = %q", why)
	}
	for _, r := range fake.Requests() {
		if r.Method == http.MethodPost && strings.Contains(r.Path, "access-tokens") {
			t.Errorf("a renewal reached Gandi: %s", r.Path)
		}
	}
}

// Each applied change is one JSON audit line on stderr, with the token's fingerprint and
// name and never the token; the result names the audit log, not a file.
func TestHostedAuditsAppliedChangesOnStderr(t *testing.T) {
	fake := ganditest.NewTestServer(t)
	ts := twoTenants(fake)
	fqdn := ts[1].domains[0]
	if err := fake.SetZone(fqdn, dnsRecords()); err != nil {
		t.Fatal(err)
	}
	hs := startHosted(t, fake, hostedConfig{})
	c := hostedClient(t, hs.url, ts[1].token.Secret, mcp.LATEST_PROTOCOL_VERSION)
	args := dnsArgs{FQDN: fqdn, Changes: []map[string]any{change("set", "api", "A", 300, "192.0.2.8")}}
	res, _ := callTool(t, c, "change_dns_records", args)
	var plan tools.ChangeDNSRecordsOutput
	_ = json.Unmarshal(res.RawStructuredContent, &plan)
	if plan.PlanID == "" {
		t.Fatalf("no plan: %s", textOf(res))
	}
	if strings.Contains(hs.logs.String(), `"audit"`) {
		t.Fatalf("a plan was audited as a change:\n%s", hs.logs.String())
	}
	args.Apply, args.PlanID = true, plan.PlanID
	res, text := callTool(t, c, "change_dns_records", args)
	var out tools.ChangeDNSRecordsOutput
	if err := json.Unmarshal(res.RawStructuredContent, &out); err != nil || !out.Applied || !strings.Contains(out.Journal, "stderr") {
		t.Fatalf("apply: %v %s", err, text)
	}
	var lines []map[string]any
	for _, line := range strings.Split(hs.logs.String(), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) == nil && m["audit"] == "change_applied" {
			lines = append(lines, m)
		}
	}
	if len(lines) != 1 {
		t.Fatalf("%d audit lines, want 1:\n%s", len(lines), hs.logs.String())
	}
	got := lines[0]
	want := map[string]any{"tool": "change_dns_records", "object": fqdn, "plan_id": plan.PlanID, "result": "ok",
		"token_name": ts[1].token.Name, "token_fingerprint": gandi.Fingerprint(ts[1].token.Secret), "environment": "production"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("audit line %s = %v, want %v", k, got[k], v)
		}
	}
	if changes, _ := got["changes"].([]any); len(changes) != 1 {
		t.Errorf("audit line changes = %v", got["changes"])
	}
	if _, err := time.Parse(time.RFC3339, fmt.Sprint(got["time"])); err != nil {
		t.Errorf("audit line time = %v: %v", got["time"], err)
	}
	if strings.Contains(hs.logs.String(), ts[1].token.Secret) {
		t.Errorf("the log holds the token:\n%s", hs.logs.String())
	}
}

// /healthz answers while the process runs and /readyz until shutdown begins, both without
// a token; once ctx ends, /readyz answers 503 for the drain time, a call in flight
// finishes, and ServeHTTP returns nil.
func TestHostedProbesAndShutdown(t *testing.T) {
	fake := ganditest.NewTestServer(t)
	ts := twoTenants(fake)
	inFake := make(chan string, 1)
	hs := startHosted(t, fake, hostedConfig{opts: HTTPOptions{DrainTime: 2 * time.Second}})
	base := strings.TrimSuffix(hs.url, HTTPPath)
	for _, path := range []string{HealthPath, ReadyPath} {
		if status, _, body := rawRequest(t, base+path, http.MethodGet, "", nil); status != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, status, body)
		}
	}
	c := hostedClient(t, hs.url, ts[0].token.Secret, mcp.LATEST_PROTOCOL_VERSION)
	// Still in flight when the drain ends and the listener closes.
	fake.Inject(ganditest.Fault{Path: "/tokeninfo", Delay: 3 * time.Second, Times: 1, Fired: inFake})
	type answer struct {
		res *mcp.CallToolResult
		err error
	}
	answered := make(chan answer, 1)
	go func() {
		req := mcp.CallToolRequest{}
		req.Params.Name = "verify_token"
		res, err := c.CallTool(context.Background(), req)
		answered <- answer{res, err}
	}()
	<-inFake
	stopping := hs.logs.when("answers 503")
	hs.stop()
	<-stopping
	if status, _, body := rawRequest(t, base+ReadyPath, http.MethodGet, "", nil); status != http.StatusServiceUnavailable {
		t.Errorf("GET %s while shutting down: %d %s", ReadyPath, status, body)
	}
	if status, _, _ := rawRequest(t, base+HealthPath, http.MethodGet, "", nil); status != http.StatusOK {
		t.Errorf("GET %s while shutting down: %d", HealthPath, status)
	}
	a := <-answered
	if a.err != nil || a.res.IsError || !strings.Contains(textOf(a.res), ts[0].token.Name) {
		t.Errorf("the call in flight did not finish: %v %v", a.err, a.res)
	}
	if err := <-hs.served; err != nil {
		t.Errorf("ServeHTTP after shutdown = %v, want nil", err)
	}
	hs.served <- nil // for the cleanup
}

// The route table: the probes need no token and say nothing but their state.
func TestHostedRoutes(t *testing.T) {
	mcpCalled := false
	ready := &readiness{}
	mux := hostedRoutes(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { mcpCalled = true }), ready, NewMetrics())
	tests := []struct {
		method, path string
		stopping     bool
		status       int
		body         string
	}{
		{"GET", HealthPath, false, 200, "alive\n"},
		{"GET", ReadyPath, false, 200, "ready\n"},
		{"GET", HealthPath, true, 200, "alive\n"},
		{"GET", ReadyPath, true, 503, "shutting down\n"},
		{"POST", ReadyPath, false, 405, ""},
		{"GET", "/metricsx", false, 404, ""},
		{"GET", MetricsPath, false, 200, ""},
		{"GET", MetricsPath, true, 200, ""},
		{"POST", MetricsPath, false, 405, ""},
	}
	for _, tc := range tests {
		ready.stopping.Store(tc.stopping)
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest(tc.method, tc.path, nil))
		if rec.Code != tc.status || tc.body != "" && rec.Body.String() != tc.body {
			t.Errorf("%s %s (stopping %v): %d %q, want %d %q", tc.method, tc.path, tc.stopping, rec.Code, rec.Body.String(), tc.status, tc.body)
		}
	}
	if mcpCalled {
		t.Error("a probe reached the MCP handler")
	}
	mux.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", HTTPPath, nil))
	if !mcpCalled {
		t.Error("/mcp does not reach the MCP handler")
	}
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest("GET", MetricsPath, nil))
	if !strings.Contains(rec.Body.String(), "gandi_mcp_tool_calls_in_flight") {
		t.Errorf("GET %s does not serve gandi-mcp's metrics: %.200q", MetricsPath, rec.Body.String())
	}
	// Without metrics there is no /metrics.
	rec = httptest.NewRecorder()
	hostedRoutes(http.NotFoundHandler(), ready, nil).ServeHTTP(rec, httptest.NewRequest("GET", MetricsPath, nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("GET %s without metrics: %d, want 404", MetricsPath, rec.Code)
	}
}

// selfSigned writes a self-signed certificate for 127.0.0.1 and its key to dir, and
// returns their paths and a pool trusting it.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "gandi-mcp test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// With --tls-cert and --tls-key the endpoint is HTTPS, and plain HTTP is not answered.
func TestHostedServesTLS(t *testing.T) {
	fake := ganditest.NewTestServer(t)
	ts := twoTenants(fake)
	certFile, keyFile, pool := selfSigned(t, t.TempDir())
	hs := startHosted(t, fake, hostedConfig{opts: HTTPOptions{TLSCert: certFile, TLSKey: keyFile}})
	if !strings.HasPrefix(hs.url, "https://") {
		t.Fatalf("endpoint %s is not https", hs.url)
	}
	tlsClient := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	c := hostedClient(t, hs.url, ts[0].token.Secret, mcp.LATEST_PROTOCOL_VERSION, withTransport(transport.WithHTTPBasicClient(tlsClient)))
	if res, text := callTool(t, c, "verify_token", nil); res.IsError || !strings.Contains(text, ts[0].token.Name) {
		t.Errorf("verify_token over TLS: %s", text)
	}
	plain := "http://" + strings.TrimPrefix(hs.url, "https://")
	status, _, _ := rawRequest(t, plain, http.MethodPost, legacyCall, legacyHeader("Bearer "+ts[0].token.Secret))
	if status == http.StatusOK {
		t.Error("plain HTTP was served beside TLS")
	}
	for _, r := range fake.Requests() {
		if r.Token != ts[0].token.Secret {
			t.Errorf("Gandi got a request with another token: %s", r.Path)
		}
	}
}

// A certificate that cannot be read stops the server before it listens, naming the files.
func TestHostedRefusesAnUnreadableCertificate(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.pem")
	deps, err := DepsFromEnv(Options{Hosted: true, Getenv: func(string) string { return "" }, Stderr: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	err = New(deps).ServeHTTP(context.Background(), "127.0.0.1:0", HTTPOptions{Hosted: true, TLSCert: missing, TLSKey: missing})
	if err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("ServeHTTP with a missing certificate = %v", err)
	}
}

func TestCheckServeOptions(t *testing.T) {
	const cert, key = "/etc/gandi-mcp/cert.pem", "/etc/gandi-mcp/key.pem"
	tests := []struct {
		addr    string
		o       HTTPOptions
		ok      bool
		notLoop bool   // the refusal is ErrNotLoopback (else ErrHostedOptions)
		mention string // part of the message
	}{
		{addr: "127.0.0.1:8080", o: HTTPOptions{}, ok: true},
		{addr: "0.0.0.0:8080", o: HTTPOptions{}, notLoop: true, mention: "every interface"},
		{addr: "127.0.0.1:8080", o: HTTPOptions{TLSCert: cert, TLSKey: key}, mention: "only with --hosted"},
		{addr: "127.0.0.1:8080", o: HTTPOptions{TLSTerminated: true}, mention: "only with --hosted"},
		{addr: "127.0.0.1:8080", o: HTTPOptions{DrainTime: time.Second}, mention: "only with --hosted"},
		{addr: "127.0.0.1:8080", o: HTTPOptions{Hosted: true}, ok: true},
		{addr: "[::1]:8080", o: HTTPOptions{Hosted: true}, ok: true},
		{addr: "localhost:0", o: HTTPOptions{Hosted: true, DrainTime: 5 * time.Second}, ok: true},
		{addr: "0.0.0.0:8080", o: HTTPOptions{Hosted: true}, mention: "--tls-terminated"},
		{addr: ":8080", o: HTTPOptions{Hosted: true}, mention: "every interface"},
		{addr: "10.0.0.5:8080", o: HTTPOptions{Hosted: true}, mention: "in clear"},
		{addr: "0.0.0.0:8080", o: HTTPOptions{Hosted: true, TLSTerminated: true}, ok: true},
		{addr: ":8443", o: HTTPOptions{Hosted: true, TLSCert: cert, TLSKey: key}, ok: true},
		{addr: "127.0.0.1:8443", o: HTTPOptions{Hosted: true, TLSCert: cert, TLSKey: key}, ok: true},
		{addr: ":8443", o: HTTPOptions{Hosted: true, TLSCert: cert}, mention: "--tls-cert needs --tls-key"},
		{addr: ":8443", o: HTTPOptions{Hosted: true, TLSKey: key}, mention: "--tls-key needs --tls-cert"},
		{addr: ":8443", o: HTTPOptions{Hosted: true, TLSCert: cert, TLSKey: key, TLSTerminated: true}, mention: "one or the other"},
		{addr: "127.0.0.1:8080", o: HTTPOptions{Hosted: true, NoAuth: true}, mention: "--http-no-auth does not apply"},
		{addr: "127.0.0.1:8080", o: HTTPOptions{Hosted: true, Secret: "s3cret-s3cret-s3cret-s3cret-s3cret"}, mention: "no bearer secret"},
		{addr: "127.0.0.1:8080", o: HTTPOptions{Hosted: true, DrainTime: -time.Second}, mention: "negative"},
		{addr: "8080", o: HTTPOptions{Hosted: true, TLSTerminated: true}, mention: "HOST:PORT"},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s %+v", tc.addr, tc.o), func(t *testing.T) {
			err := CheckServeOptions(tc.addr, tc.o)
			if tc.ok {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("accepted")
			}
			if tc.mention != "HOST:PORT" && errors.Is(err, ErrNotLoopback) != tc.notLoop || !tc.notLoop && tc.mention != "HOST:PORT" && !errors.Is(err, ErrHostedOptions) {
				t.Errorf("%v: not the error of its kind", err)
			}
			if !strings.Contains(err.Error(), tc.mention) {
				t.Errorf("%q does not mention %q", err, tc.mention)
			}
		})
	}
}

// A hosted server must be built on hosted Deps, or the tools would act with the
// process's own token for every caller; and hosted Deps need hosted serving.
func TestHostedNeedsHostedDeps(t *testing.T) {
	local := &tools.Deps{}
	if err := New(local).ServeHTTP(context.Background(), "127.0.0.1:0", HTTPOptions{Hosted: true}); !errors.Is(err, ErrHostedOptions) {
		t.Errorf("hosted serving of local Deps = %v", err)
	}
	hosted, err := DepsFromEnv(Options{Hosted: true, Getenv: func(string) string { return "" }, Stderr: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	if err := New(hosted).ServeHTTP(context.Background(), "127.0.0.1:0", HTTPOptions{Secret: "s3cret-s3cret-s3cret-s3cret-s3cret"}); !errors.Is(err, ErrHostedOptions) {
		t.Errorf("single-user serving of hosted Deps = %v", err)
	}
	if _, err := DepsFromEnv(Options{Hosted: true, Profile: "acme", Getenv: func(string) string { return "" }}); err == nil {
		t.Error("hosted Deps with a profile were made")
	}
}

// Protocol 2025-11-25 without sessions: initialize answers without an Mcp-Session-Id,
// and later requests need none, on any replica.
func TestHostedInitializeIssuesNoSession(t *testing.T) {
	fake := ganditest.NewTestServer(t)
	ts := twoTenants(fake)
	one, two := startHosted(t, fake, hostedConfig{}), startHosted(t, fake, hostedConfig{})
	init := `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{"elicitation":{}},"clientInfo":{"name":"t","version":"1"}}}`
	auth := http.Header{"Authorization": {"Bearer " + ts[0].token.Secret}}
	status, h, body := rawRequest(t, one.url, http.MethodPost, init, auth)
	if status != http.StatusOK || h.Get("Mcp-Session-Id") != "" || !strings.Contains(body, `"protocolVersion":"2025-11-25"`) {
		t.Fatalf("initialize: %d session %q: %s", status, h.Get("Mcp-Session-Id"), body)
	}
	// The instructions fit a hosted server: no token file to store in, no renew_token.
	if !strings.Contains(body, "hosted gandi-mcp") || strings.Contains(body, "token set") || strings.Contains(body, "renew_token") {
		t.Errorf("the instructions do not fit a hosted server: %s", body)
	}
	status, _, body = rawRequest(t, two.url, http.MethodPost, legacyCall, legacyHeader("Bearer "+ts[0].token.Secret))
	if status != http.StatusOK || !strings.Contains(body, ts[0].token.Name) {
		t.Errorf("tools/call on another server without a session: %d %s", status, body)
	}
}

// A client that can elicit is asked before an apply over 2026-07-28 (an input request,
// answered statelessly: the plan is made on one server and applied, asked and answered
// through another). Over 2025-11-25 a hosted server has no session to send
// elicitation/create on: the apply goes through without asking, the plan_id being the
// safeguard, rather than hanging for an answer that cannot come.
func TestHostedConfirmation(t *testing.T) {
	accept := mcp.ElicitationResponse{Action: mcp.ElicitationResponseActionAccept, Content: map[string]any{"confirm": true}}
	for _, tc := range []struct {
		protocol string
		asked    int
	}{{mcp.ProtocolVersion20260728, 1}, {mcp.ProtocolVersion20251125, 0}} {
		t.Run(tc.protocol, func(t *testing.T) {
			fake := ganditest.NewTestServer(t)
			ts := twoTenants(fake)
			fqdn := ts[0].domains[0]
			if err := fake.SetZone(fqdn, dnsRecords()); err != nil {
				t.Fatal(err)
			}
			one, two := startHosted(t, fake, hostedConfig{}), startHosted(t, fake, hostedConfig{})
			e := &elicitor{response: accept}
			args := dnsArgs{FQDN: fqdn, Changes: []map[string]any{change("set", "api", "A", 300, "192.0.2.10")}}
			res, _ := callTool(t, hostedClient(t, one.url, ts[0].token.Secret, tc.protocol), "change_dns_records", args)
			var plan tools.ChangeDNSRecordsOutput
			_ = json.Unmarshal(res.RawStructuredContent, &plan)
			args.Apply, args.PlanID = true, plan.PlanID
			c := hostedClient(t, two.url, ts[0].token.Secret, tc.protocol, withClientOptions(client.WithElicitationHandler(e)))
			res, text := callTool(t, c, "change_dns_records", args)
			var out tools.ChangeDNSRecordsOutput
			if err := json.Unmarshal(res.RawStructuredContent, &out); err != nil || !out.Applied {
				t.Fatalf("apply: %v %s", err, text)
			}
			if n := len(e.questions()); n != tc.asked {
				t.Errorf("asked %d times, want %d", n, tc.asked)
			}
		})
	}
}

// verify_token's warning for a token about to expire says how to renew it where it is
// kept, not to call renew_token, which a hosted server does not offer.
func TestHostedExpiryWarningSaysWhereToRenew(t *testing.T) {
	fake := ganditest.NewTestServer(t)
	org := fake.AddOrganization(gandi.Organization{Name: "acme"})
	tok := fake.AddToken(ganditest.Token{Name: "short-lived", Scopes: []string{"domain:view"},
		Entities: []gandi.Entity{ganditest.OrganizationEntity(org)}, ExpiresAt: time.Now().Add(3*24*time.Hour + time.Hour)})
	hs := startHosted(t, fake, hostedConfig{})
	res, _ := callTool(t, hostedClient(t, hs.url, tok.Secret, mcp.LATEST_PROTOCOL_VERSION), "verify_token", nil)
	var out tools.VerifyTokenOutput
	if err := json.Unmarshal(res.RawStructuredContent, &out); err != nil {
		t.Fatal(err)
	}
	var msg string
	for _, w := range out.Warnings {
		if w.Code == "expires_soon" {
			msg = w.Message
		}
	}
	for _, want := range []string{"3 day(s)", "cannot renew", "gandi-mcp call renew_token", "gandi-mcp token set", "/organizations/account/pat", "Authorization header"} {
		if !strings.Contains(msg, want) {
			t.Errorf("expires_soon %q does not mention %q", msg, want)
		}
	}
	if strings.Contains(msg, "renew it now with renew_token") {
		t.Errorf("expires_soon %q offers renew_token", msg)
	}
	if out.Source != tools.HeaderOrigin {
		t.Errorf("source = %q, want %q", out.Source, tools.HeaderOrigin)
	}
}

// A refused token's next steps say to put a new one in the client's header, not a token file.
func TestHostedRejectedTokenAdvice(t *testing.T) {
	fake := ganditest.NewTestServer(t)
	hs := startHosted(t, fake, hostedConfig{})
	res, text := callTool(t, hostedClient(t, hs.url, "pat_"+strings.Repeat("0", 32), mcp.LATEST_PROTOCOL_VERSION), "list_domains", nil)
	if !res.IsError || !strings.Contains(text, "Authorization: Bearer NEW_PAT") || strings.Contains(text, "token set") {
		t.Errorf("a refused token's advice:\n%s", text)
	}
}

// The endpoint answers whatever Host a proxy in front keeps, refuses a browser's
// cross-origin request, bounds request bodies as serve --http does, and holds no GET
// stream open (a stateless server has nothing to push on it).
func TestHostedHostOriginAndBodyLimit(t *testing.T) {
	fake := ganditest.NewTestServer(t)
	ts := twoTenants(fake)
	hs := startHosted(t, fake, hostedConfig{limits: func(l *httpLimits) { l.maxBody = 1 << 20 }})
	bearer := "Bearer " + ts[0].token.Secret
	big := `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"verify_token","arguments":{"x":"` + strings.Repeat("a", 1<<20) + `"}}}`
	tests := []struct {
		name   string
		header http.Header
		body   string
		status int
	}{
		{"a public Host", http.Header{"Host": {"mcp.example.com"}, "Authorization": {bearer}, "Mcp-Protocol-Version": {"2025-11-25"}}, legacyCall, http.StatusOK},
		{"a same-origin Origin", http.Header{"Host": {"mcp.example.com"}, "Origin": {"https://mcp.example.com"}, "Authorization": {bearer}, "Mcp-Protocol-Version": {"2025-11-25"}}, legacyCall, http.StatusOK},
		{"a cross-origin Origin", http.Header{"Host": {"mcp.example.com"}, "Origin": {"https://evil.example"}, "Authorization": {bearer}, "Mcp-Protocol-Version": {"2025-11-25"}}, legacyCall, http.StatusForbidden},
		{"a body over the limit", legacyHeader(bearer), big, http.StatusRequestEntityTooLarge},
		{"a GET stream", legacyHeader(bearer), "", http.StatusMethodNotAllowed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			method := http.MethodPost
			if tc.body == "" {
				method = http.MethodGet
			}
			if status, _, body := rawRequest(t, hs.url, method, tc.body, tc.header); status != tc.status {
				t.Errorf("status %d, want %d: %.200s", status, tc.status, body)
			}
		})
	}
}

// Many callers whose tokens Gandi echoes (a PAT named with its own value): each result and
// log is scrubbed of its caller's token, and the process keeps none of them afterwards.
func TestHostedScrubsEachCallersTokenAndKeepsNone(t *testing.T) {
	fake := ganditest.NewTestServer(t)
	org := fake.AddOrganization(gandi.Organization{Name: "acme"})
	hs := startHosted(t, fake, hostedConfig{})
	var wg sync.WaitGroup
	secrets := make([]string, 24) // more than the process's book of secrets holds
	for i := range secrets {
		secret := "pat_" + strings.Repeat(fmt.Sprintf("%02d", i), 16)
		secrets[i] = secret
		fake.AddToken(ganditest.Token{Secret: secret, Name: secret, Scopes: []string{"domain:view"}, Entities: []gandi.Entity{ganditest.OrganizationEntity(org)}})
		c := hostedClient(t, hs.url, secret, mcp.LATEST_PROTOCOL_VERSION)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 3 {
				res, text := callTool(t, c, "verify_token", nil)
				if res.IsError || strings.Contains(text, secret) || !strings.Contains(text, "[redacted]") {
					t.Errorf("verify_token shows its caller's token, or failed:\n%s", text)
				}
			}
		}()
	}
	wg.Wait()
	logs := hs.logs.String()
	for _, secret := range secrets {
		if strings.Contains(logs, secret) {
			t.Errorf("the log holds a caller's token")
		}
		if hs.srv.deps.Redact(secret) != secret {
			t.Errorf("the process keeps a caller's token among its secrets after the call")
		}
	}
}

// A failing call's log line carries the caller's token fingerprint, never the token.
func TestHostedLogsCarryTheFingerprint(t *testing.T) {
	fake := ganditest.NewTestServer(t)
	hs := startHosted(t, fake, hostedConfig{})
	secret := "pat_" + strings.Repeat("7", 32)
	failed := hs.logs.when("tool failed")
	callTool(t, hostedClient(t, hs.url, secret, mcp.LATEST_PROTOCOL_VERSION), "list_domains", nil)
	<-failed
	logs := hs.logs.String()
	if !strings.Contains(logs, "token_fingerprint="+gandi.Fingerprint(secret)) || strings.Contains(logs, secret) {
		t.Errorf("log:\n%s", logs)
	}
}

// A refusal says where the environment's tokens are made: a sandbox server names the
// sandbox's admin, and its refusals, like production's, name the header to send.
func TestHostedRefusalNamesTheEnvironmentsPATPage(t *testing.T) {
	for _, env := range []gandi.Environment{gandi.Production, gandi.Sandbox} {
		ep := gandi.EndpointsFor(env)
		h := refuseQueryTokens(ep, requireCaller(ep, http.NotFoundHandler()))
		for _, target := range []string{"/mcp", "/mcp?access_token=x"} {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("POST", target, nil))
			body := rec.Body.String()
			if !strings.Contains(body, ep.PATPageURL()) || !strings.Contains(body, "Authorization: Bearer YOUR_PAT") {
				t.Errorf("%s %s: %d %s, want the header to send and %s", env, target, rec.Code, body, ep.PATPageURL())
			}
		}
	}
}
