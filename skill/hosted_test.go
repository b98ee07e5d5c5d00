package skill

import (
	"context"
	"strings"
	"sync"
	"testing"

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
