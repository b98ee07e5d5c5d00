package deploy

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/gandi-mcp/gandi-mcp/gandi"
	"github.com/gandi-mcp/gandi-mcp/gandi/ganditest"
)

// TestBalancer runs three replicas of the image's serve --hosted behind
// haproxy (round robin, no stickiness, health check on the Deployment's
// readiness path) against one fake Gandi holding many organizations, and
// drives it as a deployment is driven: many callers with their own tokens at
// once, a plan made on one replica and applied on another, and a replica
// stopped in the middle of the load.
func TestBalancer(t *testing.T) {
	haproxy := haproxyPath(t)
	_, dep := readDeployment(t)
	fake := ganditest.NewTestServer(t)
	callers := seedCallers(fake, "client", 16, 6)
	// A token in GANDI_API_TOKEN, of an organization of its own: a hosted server never uses it.
	decoy := seedCallers(fake, "decoy", 1, 2)[0]
	everyone := append(slices.Clone(callers), decoy)
	args := append(serveArgs(t), dep.container.Args...) // as Kubernetes runs it: ENTRYPOINT, then args
	var rs []*replica
	for i := range 3 {
		rs = append(rs, startReplica(t, fmt.Sprintf("r%d", i), args, append(replicaEnv(t, fake, decoy.token.Secret, 100000), dep.goMemLimit(t))))
	}

	t.Run("probes", func(t *testing.T) {
		for _, r := range rs {
			for _, path := range []string{dep.live, dep.ready} {
				res, err := http.Get("http://" + r.addr + path)
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					t.Errorf("%s GET %s (the Deployment's probe): %s, want 200 without a token", r.name, path, res.Status)
				}
			}
		}
	})

	lb := startBalancer(t, haproxy, dep.ready, rs)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	t.Run("no token through the balancer", func(t *testing.T) {
		body := `{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{}}`
		for _, auth := range []string{"", "Bearer short", "Bearer pat_caf\u00e9_not_ascii", "Basic " + decoy.token.Secret} {
			req, _ := http.NewRequest(http.MethodPost, lb.url, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Accept", "application/json, text/event-stream")
			if auth != "" {
				req.Header.Set("Authorization", auth)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(res.Header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("Authorization %q: %s, WWW-Authenticate %q, want 401 with a Bearer challenge through haproxy: %s",
					redactAll(auth, callers, decoy), res.Status, res.Header.Get("WWW-Authenticate"), b)
			}
		}
	})

	t.Run("a token in the query string through the balancer", func(t *testing.T) {
		fake.ResetRequests()
		leaked := callers[2].token.Secret
		body := `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"verify_token","arguments":{}}}`
		req, _ := http.NewRequest(http.MethodPost, lb.url+"?access_token="+leaked, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		req.Header.Set("Authorization", "Bearer "+callers[3].token.Secret)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusBadRequest {
			t.Errorf("a token in the URL: %s, want 400 (refused, not used): %s", res.Status, redactAll(string(b), callers, decoy))
		}
		if strings.Contains(string(b), leaked) {
			t.Error("the refusal repeats the token of the URL")
		}
		for _, r := range fake.Requests() {
			if r.Token == leaked || r.Token == callers[3].token.Secret {
				t.Errorf("the refused request reached Gandi: %s %s", r.Method, r.Path)
			}
		}
	})

	t.Run("a plan made on one replica is applied on another", func(t *testing.T) {
		owner, other := callers[0], callers[1]
		fqdn := owner.domains[0] // SeedDomains' first domain is on LiveDNS
		for i, route := range []struct{ plan, apply string }{
			{rs[0].url, rs[1].url}, // directly, replica to replica
			{rs[2].url, lb.url},    // then applied through the balancer
		} {
			value := fmt.Sprintf("planned-%d", i)
			change := map[string]any{"fqdn": fqdn, "changes": []map[string]any{
				{"op": "add", "name": "lb-test", "type": "TXT", "values": []string{value}}}}
			planned := mustCall(t, ctx, route.plan, owner.token.Secret, "change_dns_records", change)
			var plan struct {
				PlanID string `json:"plan_id"`
			}
			if err := json.Unmarshal(planned.RawStructuredContent, &plan); err != nil || plan.PlanID == "" {
				t.Fatalf("plan on %s: no plan_id (%v): %s", route.plan, err, resultText(planned))
			}
			change["apply"], change["plan_id"] = true, plan.PlanID

			// Another caller's token does not apply it, through any replica.
			refused := mustCall(t, ctx, lb.url, other.token.Secret, "change_dns_records", change)
			if !refused.IsError {
				t.Fatalf("caller %s applied caller %s's plan: %s", other.org.Name, owner.org.Name, resultText(refused))
			}
			if txtValues(t, fake, fqdn, "lb-test", value) {
				t.Fatalf("%s's zone changed by another caller's apply", fqdn)
			}

			applied := mustCall(t, ctx, route.apply, owner.token.Secret, "change_dns_records", change)
			if applied.IsError {
				t.Fatalf("plan made on %s, applied on %s: %s", route.plan, route.apply, resultText(applied))
			}
			if !txtValues(t, fake, fqdn, "lb-test", value) {
				t.Errorf("applied on %s, but the fake's zone of %s has no TXT lb-test %q", route.apply, fqdn, value)
			}
		}
	})

	t.Run("many callers, and a replica stopped in the middle", func(t *testing.T) {
		const before, after = 12, 6 // calls per caller before the stop is seen, and after
		var (
			done      atomic.Int64
			halfway   = make(chan struct{})
			closeHalf sync.Once
			down      = make(chan struct{})
			wg        sync.WaitGroup
			mu        sync.Mutex
			failures  []string
		)
		fail := func(format string, a ...any) {
			mu.Lock()
			defer mu.Unlock()
			failures = append(failures, fmt.Sprintf(format, a...))
		}
		for i, c := range callers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				cl, err := connect(ctx, lb.url, c.token.Secret)
				if err != nil {
					fail("%s: %v", c.org.Name, err)
					return
				}
				defer cl.Close()
				for n := range before + after {
					if n == before {
						select { // the second batch starts once haproxy has taken the stopped replica out
						case <-down:
						case <-ctx.Done():
							return
						}
					}
					if err := checkIsolation(ctx, cl, c, everyone, (i+n)%2 == 0); err != nil {
						fail("%s, call %d: %v", c.org.Name, n+1, err)
					}
					if done.Add(1) >= int64(len(callers)*before/2) {
						closeHalf.Do(func() { close(halfway) })
					}
				}
			}()
		}

		select {
		case <-halfway:
		case <-ctx.Done():
			t.Fatal("the load did not reach half of its first batch")
		}
		stopped := rs[1]
		stopped.stop(t)
		m, err := lb.log.wait(ctx, nil, regexp.MustCompile(`Server replicas/`+stopped.name+` is DOWN, reason: [^,]*(, code: \d+)?`))
		close(down)
		if err != nil {
			t.Errorf("haproxy's health check did not take %s out: %v", stopped.name, err)
		} else if m[1] != ", code: 503" {
			// A refused connection would mean the replica stopped accepting before it left the pool.
			t.Errorf("haproxy: %s; want it taken out on /readyz's 503 while it still serves (--drain-time)", m[0])
		}
		wg.Wait()
		mu.Lock()
		defer mu.Unlock()
		for _, f := range failures {
			t.Error(f)
		}
		if got, want := done.Load(), int64(len(callers)*(before+after)); got != want {
			t.Errorf("%d calls answered, want %d", got, want)
		}
		// haproxy's request log: every replica answered calls, the stopped one too, before it left.
		for _, r := range rs {
			served := regexp.MustCompile(` replicas/`+r.name+` \S+ 200 `).FindAllStringIndex(lb.log.String(), -1)
			if len(served) < len(callers) {
				t.Errorf("haproxy sent %s %d requests answered 200: round robin should spread %d callers over every replica", r.name, len(served), len(callers))
			}
		}
		<-stopped.exited
		if stopped.err != nil {
			t.Errorf("%s after SIGTERM: %v, want exit 0 once its calls in flight are done:\n%s", stopped.name, stopped.err, stopped.log)
		}
	})

	t.Run("no token in a log, and no other credential used", func(t *testing.T) {
		for _, r := range rs {
			log := r.log.String()
			for _, c := range everyone {
				if strings.Contains(log, c.token.Secret) {
					t.Errorf("%s's stderr carries %s's token", r.name, c.org.Name)
				}
			}
		}
		for _, req := range fake.Requests() {
			if req.Token == decoy.token.Secret {
				t.Fatalf("a replica called Gandi (%s %s) with GANDI_API_TOKEN's token: hosted mode must use only the caller's", req.Method, req.Path)
			}
		}
	})
}

// checkIsolation makes one call as c through cl and checks that it answers
// with c's organization only: list_domains lists exactly c's domains,
// verify_token names c's token, and nothing of another caller is in the result.
func checkIsolation(ctx context.Context, cl *client.Client, c caller, all []caller, list bool) error {
	tool, args := "verify_token", map[string]any{}
	if list {
		tool, args = "list_domains", map[string]any{"all": true}
	}
	res, err := callTool(ctx, cl, tool, args)
	if err != nil {
		return err
	}
	return checkAnswer(res, c, all, list)
}

// checkAnswer is checkIsolation's judgment of res, the answer to c's call: apart, so that
// the bench times the call alone.
func checkAnswer(res *mcp.CallToolResult, c caller, all []caller, list bool) error {
	tool := "verify_token"
	if list {
		tool = "list_domains"
	}
	if res.IsError {
		return fmt.Errorf("%s: %s", tool, resultText(res))
	}
	raw := string(res.RawStructuredContent) + resultText(res)
	for _, o := range all {
		if strings.Contains(raw, o.token.Secret) {
			return fmt.Errorf("%s's result carries a token (%s's)", tool, o.org.Name)
		}
		if o.org.ID == c.org.ID {
			continue
		}
		if strings.Contains(raw, o.org.ID) || strings.Contains(raw, o.token.Name) || strings.Contains(raw, o.domains[0]) {
			return fmt.Errorf("%s's result carries %s's data", tool, o.org.Name)
		}
	}
	if !list {
		var v struct {
			Valid bool   `json:"valid"`
			Name  string `json:"name"`
		}
		if err := json.Unmarshal(res.RawStructuredContent, &v); err != nil {
			return err
		}
		if !v.Valid || v.Name != c.token.Name {
			return fmt.Errorf("verify_token: valid=%v name %q, want the caller's own token %q", v.Valid, v.Name, c.token.Name)
		}
		return nil
	}
	got, err := listedDomains(res)
	if err != nil {
		return err
	}
	if !slices.Equal(got, c.domains) {
		return fmt.Errorf("list_domains: %d domains %v, want the organization's own %d", len(got), got, len(c.domains))
	}
	return nil
}

// mustCall opens a client of url as token, makes one call and closes it.
func mustCall(t *testing.T, ctx context.Context, url, token, tool string, args map[string]any) *mcp.CallToolResult {
	t.Helper()
	cl, err := connect(ctx, url, token)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	res, err := callTool(ctx, cl, tool, args)
	if err != nil {
		t.Fatalf("%s on %s: %v", tool, url, err)
	}
	return res
}

// txtValues says whether fqdn's zone on the fake has a TXT set name holding value.
func txtValues(t *testing.T, fake *ganditest.Server, fqdn, name, value string) bool {
	t.Helper()
	sets, ok := fake.Zone(fqdn)
	if !ok {
		t.Fatalf("the fake has no zone for %s", fqdn)
	}
	return slices.ContainsFunc(sets, func(rs gandi.RecordSet) bool {
		return rs.Name == name && rs.Type == "TXT" && slices.ContainsFunc(rs.Values, func(v string) bool { return strings.Contains(v, value) })
	})
}

// redactAll replaces every known token in s, for a failure message.
func redactAll(s string, callers []caller, decoy caller) string {
	for _, c := range append(slices.Clone(callers), decoy) {
		s = strings.ReplaceAll(s, c.token.Secret, "[token]")
	}
	return s
}
