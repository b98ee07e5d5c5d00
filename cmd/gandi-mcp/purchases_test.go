package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gandi-mcp/gandi-mcp/gandi"
	"github.com/gandi-mcp/gandi-mcp/gandi/ganditest"
)

// TestAllowPurchases: a renewal is bought only with --allow-purchases or
// GANDI_MCP_ALLOW_PURCHASES true; otherwise the apply is purchases_disabled and no POST
// without Dry-Run reaches Gandi; a value that is neither on nor off stops start-up.
func TestAllowPurchases(t *testing.T) {
	tests := []struct {
		name   string
		flags  []string
		env    map[string]string
		bought bool
	}{
		{"off by default", nil, nil, false},
		{"--allow-purchases", []string{"--allow-purchases"}, nil, true},
		{"GANDI_MCP_ALLOW_PURCHASES=1", nil, map[string]string{"GANDI_MCP_ALLOW_PURCHASES": "1"}, true},
		{"GANDI_MCP_ALLOW_PURCHASES=true", nil, map[string]string{"GANDI_MCP_ALLOW_PURCHASES": "true"}, true},
		{"GANDI_MCP_ALLOW_PURCHASES=0", nil, map[string]string{"GANDI_MCP_ALLOW_PURCHASES": "0"}, false},
		{"the variable does not turn the flag off", []string{"--allow-purchases"}, map[string]string{"GANDI_MCP_ALLOW_PURCHASES": "false"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, _ := home(t)
			fake := withFake(t, env)
			org := fake.AddOrganization(gandi.Organization{Name: "acme"})
			ends := time.Now().Add(90 * 24 * time.Hour).UTC().Truncate(time.Second)
			fake.AddDomains(gandi.Domain{FQDN: "shop.com", SharingID: org.ID, Dates: gandi.DomainDates{RegistryEndsAt: &ends}})
			tok := fake.AddToken(ganditest.Token{Name: "buyer", Scopes: []string{"domain:view", "domain:renew"}, Entities: []gandi.Entity{ganditest.OrganizationEntity(org)}})
			env["GANDI_API_TOKEN"] = tok.Secret
			for k, v := range tt.env {
				env[k] = v
			}
			code, stdout, stderr := invocation{env: env}.run(t, "call", "renew_domain", `{"fqdn": "shop.com", "years": 1}`, "--json")
			var plan struct {
				PlanID string `json:"plan_id"`
			}
			if code != exitOK || json.Unmarshal([]byte(stdout), &plan) != nil || plan.PlanID == "" {
				t.Fatalf("plan: exit %d\n%s\n%s", code, stdout, stderr)
			}
			args := append([]string{"call"}, tt.flags...)
			args = append(args, "renew_domain", fmt.Sprintf(`{"fqdn": "shop.com", "years": 1, "apply": true, "plan_id": %q}`, plan.PlanID), "--json")
			code, stdout, stderr = invocation{env: env}.run(t, args...)
			posts := 0
			for _, r := range fake.Requests() {
				if r.Method == http.MethodPost && !r.DryRun {
					posts++
				}
			}
			if tt.bought {
				if code != exitOK || len(fake.Renewals()) != 1 || posts != 1 {
					t.Errorf("apply: exit %d, %d renewals, %d POSTs\n%s\n%s", code, len(fake.Renewals()), posts, stdout, stderr)
				}
				return
			}
			if code != exitToolError || !strings.Contains(stdout, `"diagnosis": "purchases_disabled"`) || !strings.Contains(stdout, "--allow-purchases") {
				t.Errorf("apply: exit %d\n%s\n%s", code, stdout, stderr)
			}
			if posts != 0 || len(fake.Renewals()) != 0 {
				t.Errorf("%d POSTs without Dry-Run reached Gandi with purchases off", posts)
			}
		})
	}
	for _, cmd := range []string{"serve", "call"} {
		t.Run("a bad value stops "+cmd, func(t *testing.T) {
			env, _ := home(t)
			withFake(t, env)
			env["GANDI_MCP_ALLOW_PURCHASES"] = "yes please"
			args := []string{cmd}
			if cmd == "call" {
				args = append(args, "verify_token")
			}
			code, stdout, stderr := invocation{env: env}.run(t, args...)
			if code != exitUsage || !strings.Contains(stderr, `GANDI_MCP_ALLOW_PURCHASES="yes please"`) || !strings.Contains(stderr, "1 (or true)") || stdout != "" {
				t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
			}
		})
	}
}
