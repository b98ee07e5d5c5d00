package skill

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
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

func startHosted(t *testing.T, fake *ganditest.Server, cfg hostedConfig) *hostedServer {
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

// hostedClient is an MCP client of url sending token as its bearer, initialized with protocol.
func hostedClient(t *testing.T, url, token, protocol string, opts ...transport.StreamableHTTPCOption) *client.Client {
	t.Helper()
	opts = append(opts, transport.WithHTTPHeaders(map[string]string{"Authorization": "Bearer " + token}))
	c, err := client.NewStreamableHttpClient(url, opts...)
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
