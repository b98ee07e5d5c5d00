package skill

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gandi-mcp/gandi-mcp/gandi"
	"github.com/gandi-mcp/gandi-mcp/gandi/ganditest"
)

// TestListTokensVerifiesAFewAtATime: --verify checks tokens side by side, never more than
// verifyConcurrency at once (each check is two requests: /tokeninfo and the organizations).
func TestListTokensVerifiesAFewAtATime(t *testing.T) {
	fake := ganditest.NewTestServer(t)
	fake.SetLatency(20 * time.Millisecond)
	root := t.TempDir()
	env := map[string]string{"HOME": filepath.Join(root, "home"), "XDG_CONFIG_HOME": filepath.Join(root, "config"),
		"XDG_STATE_HOME": filepath.Join(root, "state"), "GANDI_API_URL": fake.URL, "GANDI_ID_URL": fake.URL}
	org := fake.AddOrganization(gandi.Organization{Name: "acme"})
	const n = 3 * verifyConcurrency
	var secrets []string
	for i := range n {
		tok := fake.AddToken(ganditest.Token{Name: fmt.Sprint("t", i), Scopes: viewScopes, Entities: []gandi.Entity{ganditest.OrganizationEntity(org)}})
		dir := filepath.Join(env["XDG_CONFIG_HOME"], "gandi", "profiles", fmt.Sprint("p", i))
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "api_token"), []byte(tok.Secret), 0o600); err != nil {
			t.Fatal(err)
		}
		secrets = append(secrets, tok.Secret)
	}
	var stderr syncBuffer
	list, err := ListTokens(context.Background(), Options{Getenv: func(k string) string { return env[k] }, Stderr: &stderr}, true)
	if err != nil {
		t.Fatal(err)
	}
	accepted := 0
	for _, st := range list {
		if st.Accepted && len(st.Organizations) == 1 && st.Organizations[0] == "acme" && strings.HasPrefix(st.Name, "t") {
			accepted++
		}
		for _, s := range secrets {
			if strings.Contains(fmt.Sprintf("%+v", st), s) {
				t.Errorf("a token is in %+v", st)
			}
		}
	}
	if accepted != n {
		t.Errorf("%d tokens accepted, want %d: %+v", accepted, n, list)
	}
	if m := fake.MaxInFlight(); m > 2*verifyConcurrency || m <= 2 {
		t.Errorf("%d requests at once, want more than one token's two and at most %d", m, 2*verifyConcurrency)
	}
}
