package tools

import (
	"regexp"
	"strings"
	"testing"

	"github.com/gandi-mcp/gandi-mcp/auth"
	"github.com/gandi-mcp/gandi-mcp/gandi"
)

// TestScopeAdviceNamesTheDeclaredScopes: every text that tells a person which scopes
// to give a new PAT names exactly the scopes the tools declare, as `gandi-mcp scopes`
// shows them, and which tool needs each.
func TestScopeAdviceNamesTheDeclaredScopes(t *testing.T) {
	declaredBy := map[string][]string{}
	for _, tool := range All(&Deps{}) {
		for _, s := range tool.Scopes {
			declaredBy[s] = append(declaredBy[s], tool.Definition.Name)
		}
	}
	ep := gandi.EndpointsFor(gandi.Production)
	legacy := auth.NewCredential(auth.KindAPIKey, auth.SourceEnv, auth.EnvAPIKey, "0123456789abcdefABCDEF01")
	tests := []struct {
		name  string
		steps []string
	}{
		{"no_token", credentialTrouble(&auth.NotFoundError{Looked: []string{"x"}}, ep, []string{"x"}, "").NextSteps},
		{"legacy key renewal", legacyKeyRenewal(legacy, ep).NextSteps},
	}
	scopeWord := regexp.MustCompile(`\b[a-z]+:[a-z]+\b`)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := strings.Join(tt.steps, "\n")
			named := map[string]bool{}
			for _, s := range scopeWord.FindAllString(text, -1) {
				named[s] = true
				if declaredBy[s] == nil {
					t.Errorf("recommends %s, which no tool declares:\n%s", s, text)
				}
			}
			for s, tools := range declaredBy {
				if !named[s] {
					t.Errorf("does not name %s, which %v need:\n%s", s, tools, text)
				}
				for _, tool := range tools {
					if !strings.Contains(text, tool) {
						t.Errorf("does not say that %s needs %s:\n%s", tool, s, text)
					}
				}
			}
		})
	}
}
