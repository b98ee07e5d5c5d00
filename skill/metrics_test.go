package skill

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/gandi-mcp/gandi-mcp/gandi"
	"github.com/gandi-mcp/gandi-mcp/tools"
)

// scrape reads m's exposition: each series ("name{labels}") with its value.
func scrape(t *testing.T, m *Metrics) (text string, series map[string]float64) {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/plain") {
		t.Fatalf("GET /metrics: %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	series = map[string]float64{}
	for line := range strings.SplitSeq(rec.Body.String(), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("exposition line %q: %v", line, err)
		}
		series[line[:i]] = v
	}
	return rec.Body.String(), series
}

// sum adds the values of the series named name whose labels include every one of with.
func sum(series map[string]float64, name string, with ...string) float64 {
	var total float64
	for s, v := range series {
		n, labels, _ := strings.Cut(s, "{")
		if n != name {
			continue
		}
		ok := true
		for _, w := range with {
			ok = ok && strings.Contains(labels, w)
		}
		if ok {
			total += v
		}
	}
	return total
}

func callOver(t *testing.T, c *client.Client, name string, args map[string]any, out any) *mcp.CallToolResult {
	t.Helper()
	req := mcp.CallToolRequest{}
	req.Params.Name, req.Params.Arguments = name, args
	res, err := c.CallTool(context.Background(), req)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if out != nil {
		if err := json.Unmarshal(res.RawStructuredContent, out); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	return res
}

// TestMetrics: after known calls over HTTP, the exposition counts the MCP
// requests by code, the tool calls by tool and diagnosis, every request to
// Gandi by route template with its limiter wait, and no call in flight; and no
// label holds a domain, a record name, an organization, a token or the secret.
func TestMetrics(t *testing.T) {
	m := NewMetrics()
	lim, err := gandi.NewLimiter(gandi.LimiterConfig{PerMinute: 1_000_000})
	if err != nil {
		t.Fatal(err)
	}
	hs := startHTTP(t, httpConfig{deps: func(d *tools.Deps) { d.Metrics, d.Limiter = m, lim }})
	if code, _, _ := hs.request(t, http.MethodPost, `{}`, map[string]string{"Authorization": ""}); code != http.StatusUnauthorized {
		t.Fatalf("without the secret: %d, want 401", code)
	}
	c := hs.client(t, mcp.LATEST_PROTOCOL_VERSION)
	hs.demo.Fake.ResetRequests()

	var list struct {
		Domains []struct{ FQDN string }
	}
	callOver(t, c, "list_domains", map[string]any{"per_page": 3}, &list)
	if len(list.Domains) != 3 {
		t.Fatalf("list_domains gave %d domains, want 3", len(list.Domains))
	}
	names := []string{hs.demo.DNSDomain, "absent-domain-for-metrics.com", "www", "_dmarc"}
	for _, d := range list.Domains {
		names = append(names, d.FQDN)
		if res := callOver(t, c, "get_domain", map[string]any{"fqdn": d.FQDN}, nil); res.IsError {
			t.Fatalf("get_domain %s: %v", d.FQDN, res.Content)
		}
	}
	if res := callOver(t, c, "get_domain", map[string]any{"fqdn": "absent-domain-for-metrics.com"}, nil); !res.IsError {
		t.Fatal("get_domain of an absent domain succeeded")
	}
	for _, name := range []string{"www", "_dmarc"} {
		callOver(t, c, "list_dns_records", map[string]any{"fqdn": hs.demo.DNSDomain, "name": name}, nil)
	}

	text, series := scrape(t, m)
	for _, tc := range []struct {
		name string
		with []string
		want float64
	}{
		{"gandi_mcp_tool_calls_total", []string{`tool="list_domains"`, `diagnosis="ok"`}, 1},
		{"gandi_mcp_tool_calls_total", []string{`tool="get_domain"`, `diagnosis="ok"`}, 3},
		{"gandi_mcp_tool_calls_total", []string{`tool="get_domain"`, `diagnosis="not_found"`}, 1},
		{"gandi_mcp_tool_calls_total", []string{`tool="list_dns_records"`, `diagnosis="ok"`}, 2},
		{"gandi_mcp_tool_calls_in_flight", nil, 0},
		{"gandi_mcp_http_requests_total", []string{`code="401"`}, 1},
		{"gandi_mcp_gandi_request_duration_seconds_count", []string{`route="/v5/domain/domains/{fqdn}"`, `method="GET"`, `code="404"`}, 1},
		{"gandi_mcp_rate_limiter_refusals_total", nil, 0},
	} {
		if got := sum(series, tc.name, tc.with...); got != tc.want {
			t.Errorf("%s%v = %v, want %v", tc.name, tc.with, got, tc.want)
		}
	}
	sent := float64(len(hs.demo.Fake.Requests()))
	if got := sum(series, "gandi_mcp_gandi_request_duration_seconds_count"); got != sent || sent == 0 {
		t.Errorf("%v requests to Gandi counted, the fake saw %v", got, sent)
	}
	if got := sum(series, "gandi_mcp_rate_limiter_wait_seconds_count"); got != sent {
		t.Errorf("%v limiter waits counted, want one per request (%v)", got, sent)
	}
	if got := sum(series, "gandi_mcp_gandi_request_duration_seconds_count", `route="/v5/domain/domains/{fqdn}"`, `code="200"`); got < 3 {
		t.Errorf("%v successful domain reads counted, want the 3 get_domain calls' at least", got)
	}
	if got := sum(series, "gandi_mcp_http_requests_total", `code="200"`); got < 6 {
		t.Errorf("%v MCP requests answered 200, want the 6 calls' at least", got)
	}
	if !strings.Contains(text, "go_goroutines") || !strings.Contains(text, "process_") {
		t.Error("the Go and process collectors are missing")
	}
	secrets := append(names, hs.demo.Good.Secret, hs.demo.Good.Name, hs.secret, hs.demo.Org.Name, hs.demo.Org.ID, hs.demo.Org.Orgname)
	label := regexp.MustCompile(`\{[^}]*\}`)
	labels := strings.Join(label.FindAllString(text, -1), "\n")
	for _, s := range secrets {
		if s != "" && strings.Contains(labels, s) {
			t.Errorf("a label holds %q", s)
		}
	}
	for _, s := range []string{hs.demo.Good.Secret, hs.secret} {
		if strings.Contains(text, s) {
			t.Error("the exposition holds a secret")
		}
	}
}

// TestMetricsCountRefusals: a request gandi-mcp's own limiter refuses is
// counted as a refusal, not as a request to Gandi, and its call as rate_limited.
func TestMetricsCountRefusals(t *testing.T) {
	m := NewMetrics()
	lim, err := gandi.NewLimiter(gandi.LimiterConfig{PerMinute: 1, Burst: 1})
	if err != nil {
		t.Fatal(err)
	}
	hs := startHTTP(t, httpConfig{deps: func(d *tools.Deps) { d.Metrics, d.Limiter = m, lim }})
	c := hs.client(t, mcp.LATEST_PROTOCOL_VERSION)
	hs.demo.Fake.ResetRequests()
	for range 2 {
		callOver(t, c, "get_domain", map[string]any{"fqdn": hs.demo.DNSDomain}, nil)
	}
	_, series := scrape(t, m)
	for _, tc := range []struct {
		name string
		with []string
		want float64
	}{
		{"gandi_mcp_rate_limiter_refusals_total", nil, 1},
		{"gandi_mcp_tool_calls_total", []string{`tool="get_domain"`, `diagnosis="rate_limited"`}, 1},
		{"gandi_mcp_tool_calls_total", []string{`tool="get_domain"`, `diagnosis="ok"`}, 1},
		{"gandi_mcp_gandi_request_duration_seconds_count", nil, 1},
		{"gandi_mcp_rate_limiter_wait_seconds_count", nil, 1},
	} {
		if got := sum(series, tc.name, tc.with...); got != tc.want {
			t.Errorf("%s%v = %v, want %v", tc.name, tc.with, got, tc.want)
		}
	}
	if n := len(hs.demo.Fake.Requests()); n != 1 {
		t.Errorf("%d requests reached Gandi, want 1", n)
	}
}
