package skill

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/gandi-mcp/gandi-mcp/gandi"
	"github.com/gandi-mcp/gandi-mcp/gandi/ganditest"
	"github.com/gandi-mcp/gandi-mcp/tools"
)

// BenchmarkVerifyTokenOverhead compares, on one fake, a verify_token over an
// MCP stdio session with the same HTTP requests made by a plain net/http
// client: /tokeninfo alone (what issue 7 names), and /tokeninfo plus the
// organizations list, which is what verify_token asks. The difference in
// ns/op is gandi-mcp's overhead per call.
func BenchmarkVerifyTokenOverhead(b *testing.B) {
	var tok ganditest.Token
	h := newHarness(b, withSetup(func(h *harness) {
		org := h.fake.AddOrganization(gandi.Organization{Name: "acme", Type: "company"})
		tok = h.fake.AddToken(ganditest.Token{Name: "bench", Scopes: []string{"domain:view", "organization:view"},
			Entities: []gandi.Entity{ganditest.OrganizationEntity(org)}})
		h.storeToken(tok.Secret, 0o600)
	}))
	b.Run("mcp_verify_token", func(b *testing.B) {
		for b.Loop() {
			res, err := h.callWithin("verify_token", map[string]any{})
			if err != nil {
				b.Fatal(err)
			}
			var out tools.VerifyTokenOutput
			if err := json.Unmarshal(res.RawStructuredContent, &out); err != nil || res.IsError || !out.Valid {
				b.Fatalf("verify_token: %v %s", err, textOf(res))
			}
		}
	})
	hc := &http.Client{}
	get := func(b *testing.B, path string) {
		req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, h.fake.URL+path, nil)
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+tok.Secret)
		resp, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK || len(body) == 0 {
			b.Fatalf("GET %s: %d %v", path, resp.StatusCode, err)
		}
	}
	b.Run("http_tokeninfo", func(b *testing.B) {
		for b.Loop() {
			get(b, "/tokeninfo")
		}
	})
	b.Run("http_tokeninfo_and_organizations", func(b *testing.B) {
		for b.Loop() {
			get(b, "/tokeninfo")
			get(b, "/v5/organization/organizations")
		}
	})
}
