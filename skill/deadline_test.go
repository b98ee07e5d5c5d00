package skill

import (
	"context"
	"encoding/json"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/gandi-mcp/gandi-mcp/auth"
	"github.com/gandi-mcp/gandi-mcp/gandi"
	"github.com/gandi-mcp/gandi-mcp/gandi/ganditest"
	"github.com/gandi-mcp/gandi-mcp/tools"
)

// listenRaw is a ganditest.RawListener closed at cleanup; it returns host:port.
func listenRaw(t *testing.T, serve func(c net.Conn)) string {
	t.Helper()
	addr, stop, err := ganditest.RawListener(serve)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return addr
}

func readSome(c net.Conn) { _, _ = c.Read(make([]byte, 4096)) }

// endpointsAt points both of Gandi's hosts at base.
func endpointsAt(base string) func(*tools.Deps) {
	return func(d *tools.Deps) { d.Endpoints = gandi.Endpoints{Env: gandi.Production, APIURL: base, IDURL: base} }
}

// TestEveryFailureSaysWhichHostAndWhatHappened: a call to a host that cannot
// answer ends within the call's time limit, and its diagnosis names the host
// and what happened, whatever the failure.
func TestEveryFailureSaysWhichHostAndWhatHappened(t *testing.T) {
	tests := []struct {
		name string
		// base returns the endpoint URL, and the host the diagnosis must name.
		base func(t *testing.T, h *harness) string
		// says are the words the summary must hold beside the host.
		says []string
		want tools.Diagnosis
	}{{
		name: "accepts and never answers",
		base: func(t *testing.T, _ *harness) string {
			return "http://" + listenRaw(t, func(c net.Conn) { readSome(c); readSome(c) })
		},
		says: []string{"did not answer within 300ms", "time limit"},
		want: tools.GandiUnavailable,
	}, {
		name: "connection refused",
		base: func(t *testing.T, _ *harness) string {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			ln.Close()
			return "http://" + ln.Addr().String()
		},
		says: []string{"refused"},
		want: tools.GandiUnavailable,
	}, {
		name: "name not resolved",
		base: func(*testing.T, *harness) string { return "https://gandi-mcp-check.invalid" },
		says: []string{"could not be resolved"},
		want: tools.GandiUnavailable,
	}, {
		name: "certificate not trusted",
		base: func(t *testing.T, _ *harness) string {
			srv := httptest.NewUnstartedServer(http.NotFoundHandler())
			srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are expected
			srv.StartTLS()
			t.Cleanup(srv.Close)
			return srv.URL
		},
		says: []string{"TLS", "certificate"},
		want: tools.GandiUnavailable,
	}, {
		name: "connection reset",
		base: func(t *testing.T, _ *harness) string {
			return "http://" + listenRaw(t, func(c net.Conn) {
				readSome(c)
				_ = c.(*net.TCPConn).SetLinger(0) // close sends RST
				c.Close()
			})
		},
		says: []string{"reset the connection"},
		want: tools.GandiUnavailable,
	}, {
		name: "body cut short",
		base: func(_ *testing.T, h *harness) string {
			h.fake.Inject(ganditest.Fault{Truncate: true})
			return h.fake.URL
		},
		says: []string{"cut short"},
		want: tools.BadResponse,
	}, {
		name: "not JSON",
		base: func(_ *testing.T, h *harness) string {
			h.fake.Inject(ganditest.Fault{Status: 200, Body: "<html>maintenance</html>", ContentType: "text/html"})
			return h.fake.URL
		},
		says: []string{"not the JSON expected"},
		want: tools.BadResponse,
	}, {
		name: "too large",
		base: func(_ *testing.T, h *harness) string {
			h.fake.Inject(ganditest.Fault{Oversize: 1 << 20})
			return h.fake.URL
		},
		says: []string{"too large"},
		want: tools.BadResponse,
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var base string
			h := newHarness(t,
				withSetup(func(h *harness) {
					tok := h.fake.AddToken(ganditest.Token{Name: "ci", Scopes: []string{"domain:view"}})
					h.storeToken(tok.Secret, 0o600)
					base = tc.base(t, h)
				}),
				withDeps(func(d *tools.Deps) {
					endpointsAt(base)(d)
					// gandi's defaults (30s per attempt, 4 attempts): only the call's limit can end a hang in time.
					d.Timeout, d.Retry = 0, gandi.RetryPolicy{BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}
					// Short only where the limit is what the case is about: a TLS handshake under -race can take longer.
					d.CallTimeout = 10 * time.Second
					if strings.Contains(strings.Join(tc.says, " "), "within") {
						d.CallTimeout = 300 * time.Millisecond
					}
					d.MaxBodyBytes = 64 << 10
				}))
			res, err := h.callWithin("verify_token", map[string]any{})
			if err != nil {
				t.Fatal(err)
			}
			var out tools.VerifyTokenOutput
			if err := json.Unmarshal(res.RawStructuredContent, &out); err != nil || out.Troubleshooting == nil {
				t.Fatalf("no troubleshooting: %v %s", err, textOf(res))
			}
			tr := out.Troubleshooting
			u, _ := url.Parse(base)
			if tr.Diagnosis != tc.want {
				t.Errorf("diagnosis %s, want %s: %s", tr.Diagnosis, tc.want, tr.Summary)
			}
			host := u.Host
			if tc.name == "name not resolved" {
				host = u.Hostname()
			}
			for _, w := range append([]string{host}, tc.says...) {
				if !strings.Contains(tr.Summary, w) || !strings.Contains(textOf(res), w) {
					t.Errorf("summary %q (and the text) should say %q", tr.Summary, w)
				}
			}
		})
	}
}

// TestTheCallLimitIsNamedInTheNextSteps: a call cut by its time limit says how to raise it.
func TestTheCallLimitIsNamedInTheNextSteps(t *testing.T) {
	addr := listenRaw(t, func(c net.Conn) { readSome(c); readSome(c) })
	h := newHarness(t, withSetup(func(h *harness) {
		tok := h.fake.AddToken(ganditest.Token{Name: "ci"})
		h.storeToken(tok.Secret, 0o600)
	}), withDeps(endpointsAt("http://"+addr)), withDeps(func(d *tools.Deps) { d.Timeout, d.CallTimeout = 0, 300*time.Millisecond }))
	res, err := h.callWithin("list_domains", map[string]any{})
	if err != nil {
		t.Fatal(err)
	}
	if !res.IsError || !strings.Contains(textOf(res), "GANDI_MCP_CALL_TIMEOUT") || !strings.Contains(textOf(res), addr) {
		t.Errorf("result: %s", textOf(res))
	}
}

// TestEndpointPathsNeverShow: a path in GANDI_API_URL or GANDI_ID_URL (a
// proxy's, which may carry a key) is in no result, log line or retry log.
func TestEndpointPathsNeverShow(t *testing.T) {
	const secret = "s3cret-prefix"
	tests := []struct {
		name  string
		serve func(c net.Conn)
	}{
		{"refused", nil},
		{"reset", func(c net.Conn) { readSome(c); _ = c.(*net.TCPConn).SetLinger(0); c.Close() }},
		{"never answers", func(c net.Conn) { readSome(c); readSome(c) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var addr string
			if tc.serve == nil {
				ln, err := net.Listen("tcp", "127.0.0.1:0")
				if err != nil {
					t.Fatal(err)
				}
				addr = ln.Addr().String()
				ln.Close()
			} else {
				addr = listenRaw(t, tc.serve)
			}
			h := newHarness(t, withSetup(func(h *harness) {
				tok := h.fake.AddToken(ganditest.Token{Name: "ci"})
				h.storeToken(tok.Secret, 0o600)
			}), withDeps(endpointsAt("http://"+addr+"/"+secret)), withDeps(func(d *tools.Deps) {
				d.CallTimeout = 500 * time.Millisecond
				d.Retry = gandi.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}
			}))
			for _, tool := range []string{"verify_token", "list_domains", "list_sharing"} {
				res, err := h.callWithin(tool, map[string]any{})
				if err != nil {
					t.Fatal(err)
				}
				if text := textOf(res) + string(res.RawStructuredContent); strings.Contains(text, secret) || !strings.Contains(text, addr) {
					t.Errorf("%s: the result shows the endpoint's path, or not its host: %s", tool, text)
				}
			}
			if log := h.stderr.String(); strings.Contains(log, secret) {
				t.Errorf("the log shows the endpoint's path:\n%s", log)
			}
		})
	}
}

// TestVerifyTokenSendsItsRequestsTogether: /tokeninfo and the organizations
// listing are both in flight at once, so a call costs one round trip.
func TestVerifyTokenSendsItsRequestsTogether(t *testing.T) {
	h := newHarness(t, withSetup(func(h *harness) {
		tok := h.fake.AddToken(ganditest.Token{Name: "ci", Scopes: []string{"organization:view"}})
		h.storeToken(tok.Secret, 0o600)
		// Both held: if the requests were sequential, the second would never come.
		h.fake.Inject(ganditest.Fault{Path: "/tokeninfo", Hang: true})
		h.fake.Inject(ganditest.Fault{Path: "/v5/organization/organizations", Hang: true})
	}), withDeps(func(d *tools.Deps) { d.Timeout, d.CallTimeout = time.Minute, time.Minute }))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	called := make(chan error, 1)
	go func() {
		req := mcp.CallToolRequest{}
		req.Params.Name = "verify_token"
		_, err := h.client.CallTool(ctx, req)
		called <- err
	}()
	wait, stop := context.WithTimeout(context.Background(), 10*time.Second)
	defer stop()
	if err := h.fake.WaitRequests(wait, 2); err != nil {
		t.Fatalf("the second request never came while the first was held: %v (requests %d)", err, len(h.fake.Requests()))
	}
	if n := h.fake.MaxInFlight(); n != 2 {
		t.Errorf("MaxInFlight = %d, want 2", n)
	}
	cancel()
	<-called
}

// TestRenewTokenDeadline: the requests before the renewal respect the call's
// limit; once Gandi is asked for a new token, the limit no longer cuts the
// rotation, so an issued token is always stored.
func TestRenewTokenDeadline(t *testing.T) {
	t.Run("a hung /tokeninfo ends the call before any renewal", func(t *testing.T) {
		h, old := renewHarness(t, false, withDeps(func(d *tools.Deps) { d.Timeout, d.CallTimeout = 0, 300*time.Millisecond }))
		h.fake.Inject(ganditest.Fault{Path: "/tokeninfo", Hang: true})
		res, err := h.callWithin("renew_token", map[string]any{})
		if err != nil {
			t.Fatal(err)
		}
		var out tools.RenewTokenOutput
		if err := json.Unmarshal(res.RawStructuredContent, &out); err != nil || out.Troubleshooting == nil ||
			out.Troubleshooting.Diagnosis != tools.GandiUnavailable || !strings.Contains(out.Troubleshooting.Summary, "did not answer within") {
			t.Fatalf("result: %v %s", err, textOf(res))
		}
		if n := len(posts(h)); n != 0 {
			t.Errorf("%d renewal requests after the limit passed, want none", n)
		}
		if b, err := os.ReadFile(h.tokenPath()); err != nil || strings.TrimSpace(string(b)) != old.Secret {
			t.Errorf("token file changed: %v", err)
		}
	})
	t.Run("a lock held past the limit is a renewal in progress", func(t *testing.T) {
		h, old := renewHarness(t, false, withDeps(func(d *tools.Deps) { d.CallTimeout, d.RenewLockWait = 300*time.Millisecond, time.Minute }))
		unlock, err := auth.TryLock(h.tokenPath())
		if err != nil {
			t.Fatal(err)
		}
		defer unlock()
		res, err := h.callWithin("renew_token", map[string]any{})
		if err != nil {
			t.Fatal(err)
		}
		var out tools.RenewTokenOutput
		if err := json.Unmarshal(res.RawStructuredContent, &out); err != nil || out.Troubleshooting == nil ||
			out.Troubleshooting.Diagnosis != tools.RenewalInProgress || !strings.Contains(out.Troubleshooting.Summary, "time limit") {
			t.Fatalf("result: %v %s", err, textOf(res))
		}
		if len(posts(h)) != 0 {
			t.Error("a renewal was asked for while another held the lock")
		}
		wantStored(t, h.tokenPath(), old.Secret, "while locked")
	})
	t.Run("a slow renewal outlasting the limit is stored", func(t *testing.T) {
		h, old := renewHarness(t, false, withDeps(func(d *tools.Deps) { d.CallTimeout = 300 * time.Millisecond }))
		h.fake.Inject(ganditest.Fault{Method: "POST", Path: renewPath, Delay: 600 * time.Millisecond})
		res, err := h.callWithin("renew_token", map[string]any{})
		if err != nil {
			t.Fatal(err)
		}
		if res.IsError {
			t.Fatalf("renewal cut by the call's limit: %s", textOf(res))
		}
		b, err := os.ReadFile(h.tokenPath())
		if err != nil || strings.TrimSpace(string(b)) == old.Secret || len(posts(h)) != 1 {
			t.Errorf("the issued token was not stored (err %v, posts %d)", err, len(posts(h)))
		}
	})
}
