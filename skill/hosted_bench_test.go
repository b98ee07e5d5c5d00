package skill

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/gandi-mcp/gandi-mcp/gandi"
	"github.com/gandi-mcp/gandi-mcp/gandi/ganditest"
	"github.com/gandi-mcp/gandi-mcp/tools"
)

// BenchmarkHostedAuth is what a hosted server adds to every request before mcp-go sees
// it: the query check, the bearer's shape, and the request's credential and redactor.
func BenchmarkHostedAuth(b *testing.B) {
	h := refuseQueryTokens(gandi.EndpointsFor(gandi.Production), requireCaller(gandi.EndpointsFor(gandi.Production), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if tools.CallerFingerprint(r.Context()) == "" {
			b.Fatal("no caller")
		}
	})))
	req := httptest.NewRequest(http.MethodPost, HTTPPath, nil)
	req.Header.Set("Authorization", "Bearer pat_"+strings.Repeat("ab", 16))
	w := httptest.NewRecorder()
	for b.Loop() {
		h.ServeHTTP(w, req)
	}
}

// BenchmarkHostedVerifyToken is one verify_token through a hosted server, over loopback
// HTTP, on a fake without latency: the whole cost of a hosted call but Gandi's own time.
func BenchmarkHostedVerifyToken(b *testing.B) {
	fake := ganditest.NewServer()
	b.Cleanup(fake.Close)
	org := fake.AddOrganization(gandi.Organization{Name: "acme"})
	tok := fake.AddToken(ganditest.Token{Name: "bench", Scopes: []string{"organization:view"}, Entities: []gandi.Entity{ganditest.OrganizationEntity(org)}})
	hs := startHosted(b, fake, hostedConfig{})
	c := hostedClient(b, hs.url, tok.Secret, mcp.LATEST_PROTOCOL_VERSION)
	req := mcp.CallToolRequest{}
	req.Params.Name = "verify_token"
	for b.Loop() {
		res, err := c.CallTool(b.Context(), req)
		if err != nil || res.IsError {
			b.Fatalf("verify_token: %v", err)
		}
	}
}

// BenchmarkHostedListDomains is one list_domains {"all": true} through a hosted server,
// over loopback HTTP, on a fake without latency (3 domains, one Gandi request): the call
// of deploy's BenchmarkHostedBalancer without haproxy and Gandi's own time.
func BenchmarkHostedListDomains(b *testing.B) {
	fake := ganditest.NewServer()
	b.Cleanup(fake.Close)
	org := fake.AddOrganization(gandi.Organization{Name: "acme", Type: "company"})
	fake.SeedDomains(org.ID, 3, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	tok := fake.AddToken(ganditest.Token{Name: "bench", Scopes: []string{"organization:view", "domain:view"}, Entities: []gandi.Entity{ganditest.OrganizationEntity(org)}})
	hs := startHosted(b, fake, hostedConfig{})
	c := hostedClient(b, hs.url, tok.Secret, mcp.LATEST_PROTOCOL_VERSION)
	req := mcp.CallToolRequest{}
	req.Params.Name = "list_domains"
	req.Params.Arguments = map[string]any{"all": true}
	for b.Loop() {
		res, err := c.CallTool(b.Context(), req)
		if err != nil || res.IsError {
			b.Fatalf("list_domains: %v %v", err, res)
		}
	}
}
