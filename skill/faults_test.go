package skill

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/gandi-mcp/gandi-mcp/gandi"
	"github.com/gandi-mcp/gandi-mcp/gandi/ganditest"
	"github.com/gandi-mcp/gandi-mcp/tools"
)

// Bounds of the fault harness: a short per-request timeout, a small body cap,
// and a per-call deadline far above what any fault may legitimately take.
const (
	faultTimeout = 2 * time.Second
	faultBodyCap = 64 << 10
	callDeadline = 30 * time.Second
)

// credential is the secret a fault harness serves with, and where it is stored.
type credential struct {
	name   string
	secret string
	apikey bool // a legacy key in GANDI_API_KEY; otherwise a PAT in the token file
}

// refuser sends every new connection to a closed loopback port while on, so
// that the endpoints in use point, in effect, at a port nobody listens on.
type refuser struct {
	on     atomic.Bool
	closed string
	tr     *http.Transport
}

func newRefuser(t testing.TB) *refuser {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &refuser{closed: ln.Addr().String()}
	ln.Close()
	var d net.Dialer
	r.tr = http.DefaultTransport.(*http.Transport).Clone()
	// Every request dials: a connection from an earlier case, returned to a pool
	// after set() emptied it, would otherwise bypass the refusal.
	r.tr.DisableKeepAlives = true
	r.tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if r.on.Load() {
			addr = r.closed
		}
		return d.DialContext(ctx, network, addr)
	}
	t.Cleanup(r.tr.CloseIdleConnections)
	return r
}

// set turns refusal on or off; pooled connections are dropped so the next request dials.
func (r *refuser) set(on bool) {
	r.on.Store(on)
	r.tr.CloseIdleConnections()
}

// allScopes are every scope the tools use, so that only the injected fault can fail a call.
var allScopes = []string{"domain:view", "domain:renew", "organization:view"}

// newFaultHarness is a harness whose account works: an organization with a few
// domains and a credential with every scope, and whose requests can be refused.
func newFaultHarness(t testing.TB, cred credential, opts ...harnessOption) (*harness, *refuser) {
	t.Helper()
	ref := newRefuser(t)
	setup := withSetup(func(h *harness) {
		org := h.fake.AddOrganization(gandi.Organization{Name: "acme", Type: "company"})
		h.seeded = h.fake.SeedDomains(org.ID, 5, time.Now())
		// A snapshot, so that every answer is long enough for a trickled body to outlast the timeout.
		if _, err := h.fake.AddSnapshot(h.seeded[0].FQDN, gandi.Snapshot{Name: "before the faults"}); err != nil {
			t.Fatal(err)
		}
		tok := h.fake.AddToken(ganditest.Token{Secret: cred.secret, Name: "evidence", Scopes: allScopes,
			Entities: []gandi.Entity{ganditest.OrganizationEntity(org)}, Apikey: cred.apikey})
		if cred.apikey {
			h.env["GANDI_API_KEY"] = tok.Secret
		} else {
			h.storeToken(tok.Secret, 0o600)
		}
	})
	deps := withDeps(func(d *tools.Deps) {
		d.Timeout = faultTimeout
		d.MaxBodyBytes = faultBodyCap
		d.HTTPClient = &http.Client{Transport: ref.tr}
	})
	return newHarness(t, append([]harnessOption{setup, deps}, opts...)...), ref
}

// args are arguments with which tool does its work on the fault harness's account:
// none for most tools; a plan (apply false, so nothing changes) for a write tool.
func (h *harness) args(tool string) map[string]any {
	h.t.Helper()
	switch tool {
	case "change_dns_records":
		return map[string]any{"fqdn": h.liveDNSDomain(), "changes": []map[string]any{
			{"op": "add", "name": "gandi-mcp-test", "type": "TXT", "values": []string{"sample"}}}}
	case "renew_domain":
		return map[string]any{"fqdn": h.liveDNSDomain(), "years": 1}
	case "list_dns_records", "list_dns_snapshots", "get_domain":
		return map[string]any{"fqdn": h.liveDNSDomain()}
	case "set_autorenew":
		return map[string]any{"fqdn": h.liveDNSDomain(), "enabled": true, "duration": 2}
	case "set_nameservers":
		return map[string]any{"fqdn": h.liveDNSDomain(), "nameservers": []string{"ns1.dns-host.example", "ns2.dns-host.example"}}
	case "check_availability":
		return map[string]any{"names": []string{"gandi-mcp-test.fr", h.liveDNSDomain()}}
	case "restore_dns_snapshot":
		// One snapshot for every call, so that calling it does not change what list_dns_snapshots answers.
		fqdn := h.liveDNSDomain()
		if snaps := h.fake.Snapshots(fqdn); len(snaps) > 0 {
			return map[string]any{"fqdn": fqdn, "snapshot_id": snaps[0].ID}
		}
		snap, err := h.fake.AddSnapshot(fqdn, gandi.Snapshot{Name: "test"})
		if err != nil {
			h.t.Fatal(err)
		}
		return map[string]any{"fqdn": fqdn, "snapshot_id": snap.ID}
	}
	if len(requiredArgs()[tool]) > 0 {
		h.t.Fatalf("%s requires %v, which the harness cannot give", tool, requiredArgs()[tool])
	}
	return map[string]any{}
}

// liveDNSDomain is a seeded domain of the harness's account whose DNS is on LiveDNS.
func (h *harness) liveDNSDomain() string {
	h.t.Helper()
	for _, d := range h.seeded {
		if d.Nameserver.Current == "livedns" {
			return d.FQDN
		}
	}
	h.t.Fatal("no seeded domain is on LiveDNS")
	return ""
}

// faultCase is one way Gandi, or the way to it, misbehaves, and the diagnoses that make sense for it.
type faultCase struct {
	name   string
	fault  ganditest.Fault
	refuse bool // connections refused instead of a fault in the fake
	want   []tools.Diagnosis
	check  func(t *testing.T, tr *tools.Troubleshooting)
}

// authDiagnoses are what a 401 or 403 may sensibly become, from the plainest to the most specific.
var authDiagnoses = []tools.Diagnosis{tools.TokenRejected, tools.TokenExpired, tools.WrongScheme, tools.LegacyKeyRejected,
	tools.WrongEnvironment, tools.MissingScope, tools.ResourceNotInScope, tools.AccessDenied}

const validationBody = `{"status": "error", "errors": [{"location": "querystring", "name": "per_page", "description": "must be between 1 and 1000"}]}`

const gatewayPage = `<html><head><title>502 Bad Gateway</title><style>body { width: 35em; }</style></head>
<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>`

// faultCases are the faults of issue 7; every one applies to every path of the fake.
func faultCases() []faultCase {
	status := func(want int) func(t *testing.T, tr *tools.Troubleshooting) {
		return func(t *testing.T, tr *tools.Troubleshooting) {
			if tr.Status != want {
				t.Errorf("status = %d, want %d", tr.Status, want)
			}
		}
	}
	retryable := func(wantStatus int) func(t *testing.T, tr *tools.Troubleshooting) {
		return func(t *testing.T, tr *tools.Troubleshooting) {
			status(wantStatus)(t, tr)
			if !tr.Retryable {
				t.Error("retryable = false for a passing fault")
			}
		}
	}
	unavailable := []tools.Diagnosis{tools.GandiUnavailable}
	unreadable := []tools.Diagnosis{tools.BadResponse}
	return []faultCase{{
		name:  "400 validation errors",
		fault: ganditest.Fault{Status: 400, Body: validationBody},
		want:  []tools.Diagnosis{tools.RequestRejected},
		check: func(t *testing.T, tr *tools.Troubleshooting) {
			status(400)(t, tr)
			if tr.GandiError == nil || len(tr.GandiError.Errors) != 1 || tr.GandiError.Errors[0].Name != "per_page" {
				t.Errorf("gandi_error = %+v, want the per_page validation error", tr.GandiError)
			}
		},
	}, {
		name: "401", fault: ganditest.Fault{Status: 401}, want: authDiagnoses, check: status(401),
	}, {
		name: "403", fault: ganditest.Fault{Status: 403}, want: authDiagnoses, check: status(403),
	}, {
		name: "404", fault: ganditest.Fault{Status: 404}, want: []tools.Diagnosis{tools.NotFound}, check: status(404),
	}, {
		name:  "429 with Retry-After",
		fault: ganditest.Fault{Status: 429, Header: http.Header{"Retry-After": {"7"}}},
		want:  []tools.Diagnosis{tools.RateLimited},
		check: func(t *testing.T, tr *tools.Troubleshooting) {
			retryable(429)(t, tr)
			if tr.RetryAfterSeconds != 7 {
				t.Errorf("retry_after_seconds = %d, want 7", tr.RetryAfterSeconds)
			}
		},
	}, {
		name:  "429 without Retry-After",
		fault: ganditest.Fault{Status: 429},
		want:  []tools.Diagnosis{tools.RateLimited},
		check: func(t *testing.T, tr *tools.Troubleshooting) {
			retryable(429)(t, tr)
			if tr.RetryAfterSeconds != 0 {
				t.Errorf("retry_after_seconds = %d, want none", tr.RetryAfterSeconds)
			}
		},
	}, {
		name: "500", fault: ganditest.Fault{Status: 500}, want: unavailable, check: retryable(500),
	}, {
		name:  "502 with an HTML page",
		fault: ganditest.Fault{Status: 502, Body: gatewayPage, ContentType: "text/html"},
		want:  unavailable,
		check: func(t *testing.T, tr *tools.Troubleshooting) {
			retryable(502)(t, tr)
			if tr.GandiError == nil || !strings.Contains(tr.GandiError.Excerpt, "502 Bad Gateway") || strings.ContainsAny(tr.GandiError.Excerpt, "<>{") {
				t.Errorf("gandi_error = %+v, want a plain-text excerpt of the page", tr.GandiError)
			}
		},
	}, {
		name: "503", fault: ganditest.Fault{Status: 503}, want: unavailable, check: retryable(503),
	}, {
		name: "timeout", fault: ganditest.Fault{Hang: true}, want: unavailable, check: retryable(0),
	}, {
		name: "connection refused", refuse: true, want: unavailable, check: retryable(0),
	}, {
		name:  "truncated JSON",
		fault: ganditest.Fault{Status: 200, Body: `{"pat_name": "evidence", "scope": ["domain:vi`},
		want:  unreadable, check: status(0),
	}, {
		name: "connection cut mid-body", fault: ganditest.Fault{Truncate: true}, want: unreadable, check: status(0),
	}, {
		name: "body over the cap", fault: ganditest.Fault{Oversize: 4 * faultBodyCap}, want: unreadable, check: status(0),
	}, {
		name:  "body trickling past the timeout",
		fault: ganditest.Fault{Trickle: 100 * time.Millisecond},
		want:  unavailable, check: retryable(0),
	}}
}

// callWithin calls a tool with a deadline far above the server's own timeouts:
// reaching it means the call hung. Safe to call from any goroutine.
func (h *harness) callWithin(name string, args any) (*mcp.CallToolResult, error) {
	ctx, cancel := context.WithTimeout(context.Background(), callDeadline)
	defer cancel()
	req := mcp.CallToolRequest{}
	req.Params.Name = name
	req.Params.Arguments = args
	res, err := h.client.CallTool(ctx, req)
	if ctx.Err() != nil {
		return nil, fmt.Errorf("%s: no answer within %s: the call hung", name, callDeadline)
	}
	return res, err
}

// inject applies fc to the harness; clear undoes it.
func (h *harness) inject(ref *refuser, fc faultCase) {
	if fc.refuse {
		ref.set(true)
		return
	}
	h.fake.Inject(fc.fault)
}

func (h *harness) clear(ref *refuser) {
	ref.set(false)
	h.fake.ClearFaults()
}

// troubleshootingOf decodes a result's structured content and returns its troubleshooting, if any.
func troubleshootingOf(t *testing.T, res *mcp.CallToolResult) (map[string]json.RawMessage, *tools.Troubleshooting) {
	t.Helper()
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(res.RawStructuredContent, &fields); err != nil {
		t.Fatalf("structured content is not a JSON object: %v\n%s", err, res.RawStructuredContent)
	}
	raw, ok := fields["troubleshooting"]
	if !ok {
		return fields, nil
	}
	var tr tools.Troubleshooting
	if err := json.Unmarshal(raw, &tr); err != nil {
		t.Fatalf("troubleshooting does not decode: %v\n%s", err, raw)
	}
	return fields, &tr
}

// requiredArgs is each tool's required arguments, by tool name.
var requiredArgs = sync.OnceValue(func() map[string][]string {
	out := map[string][]string{}
	for _, tool := range New(&tools.Deps{Endpoints: gandi.EndpointsFor(gandi.Production)}).Tools {
		var schema struct{ Required []string }
		_ = json.Unmarshal(tool.Definition.RawInputSchema, &schema)
		out[tool.Definition.Name] = schema.Required
	}
	return out
})

// toolNames lists every registered tool, so that tools added later are covered too.
func toolNames(t testing.TB) []string {
	t.Helper()
	var names []string
	for _, tool := range New(&tools.Deps{Endpoints: gandi.EndpointsFor(gandi.Production)}).Tools {
		names = append(names, tool.Definition.Name)
	}
	if len(names) == 0 {
		t.Fatal("no tools registered")
	}
	return names
}

// assertWorks calls verify_token and fails unless the credential is valid again.
func (h *harness) assertWorks(t *testing.T) {
	t.Helper()
	res, err := h.callWithin("verify_token", map[string]any{})
	if err != nil {
		t.Fatalf("verify_token after the fault: protocol error: %v", err)
	}
	var out tools.VerifyTokenOutput
	if err := json.Unmarshal(res.RawStructuredContent, &out); err != nil {
		t.Fatalf("verify_token after the fault: %v", err)
	}
	if res.IsError || !out.Valid || out.Troubleshooting != nil {
		t.Fatalf("verify_token after the fault: valid %v, troubleshooting %+v; the session did not recover", out.Valid, out.Troubleshooting)
	}
}

// TestFaults runs every tool through every fault of issue 7 on one session per
// tool: each call ends, by the timeout, with troubleshooting whose diagnosis
// fits the fault, and the session works again once the fault is gone.
func TestFaults(t *testing.T) {
	pat := credential{name: "pat", secret: "pat_faults0123456789abcdef0123456789"}
	for _, tool := range toolNames(t) {
		t.Run(tool, func(t *testing.T) {
			t.Parallel()
			h, ref := newFaultHarness(t, pat)
			h.assertWorks(t)
			for _, fc := range faultCases() {
				t.Run(fc.name, func(t *testing.T) {
					before := len(h.fake.Requests())
					h.inject(ref, fc)
					res, err := h.callWithin(tool, h.args(tool))
					h.clear(ref)
					if err != nil {
						t.Fatalf("protocol error instead of a result: %v", err)
					}
					fields, tr := troubleshootingOf(t, res)
					if tr == nil {
						t.Fatalf("no troubleshooting (isError %v): %s", res.IsError, textOf(res))
					}
					if !slices.Contains(fc.want, tr.Diagnosis) {
						t.Errorf("diagnosis = %s, want one of %v; summary: %s", tr.Diagnosis, fc.want, tr.Summary)
					}
					if tr.Summary == "" || len(tr.NextSteps) == 0 || !strings.Contains(textOf(res), tr.Summary) {
						t.Errorf("troubleshooting without summary or next steps, or not in the text: %+v\ntext: %s", tr, textOf(res))
					}
					if valid, ok := fields["valid"]; ok && string(valid) != "false" {
						t.Errorf("valid = %s under a fault", valid)
					}
					if !res.IsError && !slices.Contains(authDiagnoses, tr.Diagnosis) {
						t.Errorf("%s came as an answer; only a refused credential may, anything else is a tool error (isError)", tr.Diagnosis)
					}
					if fc.check != nil {
						fc.check(t, tr)
					}
					reached := len(h.fake.Requests()) > before
					if reached == fc.refuse {
						t.Errorf("requests reaching the fake: %v; want %v", reached, !fc.refuse)
					}
					h.assertWorks(t)
				})
			}
			if log := h.stderr.String(); strings.Contains(log, "panic") {
				t.Errorf("a panic was logged:\n%s", log)
			}
		})
	}
}
