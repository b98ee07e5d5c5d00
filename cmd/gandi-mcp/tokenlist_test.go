package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gandi-mcp/gandi-mcp/gandi"
	"github.com/gandi-mcp/gandi-mcp/gandi/ganditest"
	"github.com/gandi-mcp/gandi-mcp/tools"
)

// rowOf returns the table row of environment and profile, failing when there is none.
func rowOf(t *testing.T, stdout, environment, profile string) string {
	t.Helper()
	for _, line := range strings.Split(stdout, "\n") {
		f := strings.Fields(line)
		if len(f) > 2 && f[0] == environment && f[1] == profile {
			return line
		}
	}
	t.Fatalf("no row for %s %s in:\n%s", environment, profile, stdout)
	return ""
}

func TestTokenList(t *testing.T) {
	env, config := home(t)
	env["XDG_STATE_HOME"] = filepath.Join(t.TempDir(), "state")
	fake := withFake(t, env)
	org := fake.AddOrganization(gandi.Organization{Name: "Acme", Type: "company"})
	scopes := []string{"domain:view", "organization:view"}
	whole := []gandi.Entity{ganditest.OrganizationEntity(org)}
	def := fake.AddToken(ganditest.Token{Name: "laptop", Scopes: scopes, Entities: whole})
	soon := fake.AddToken(ganditest.Token{Name: "soon-gone", Scopes: scopes, Entities: whole, ExpiresAt: time.Now().Add(3*24*time.Hour + time.Hour)})
	old := fake.AddToken(ganditest.Token{Name: "old", Scopes: scopes, ExpiresAt: time.Now().Add(-48 * time.Hour)})
	test := fake.AddToken(ganditest.Token{Name: "sandbox-bot", Scopes: scopes, Entities: whole})
	storeProfileToken(t, config, false, "", def.Secret)
	storeProfileToken(t, config, false, "perso", soon.Secret)
	oldPath := storeProfileToken(t, config, false, "old", old.Secret)
	emptyPath := storeProfileToken(t, config, false, "empty", "x")
	if err := os.Remove(emptyPath); err != nil {
		t.Fatal(err)
	}
	storeProfileToken(t, config, true, "test", test.Secret)
	secrets := []string{def.Secret, soon.Secret, old.Secret, test.Secret}
	// What gandi-mcp was told before: the default token verified once, the old one seen
	// before it expired.
	if code, stdout, stderr := (invocation{env: env}).run(t, "call", "verify_token", "--json"); code != exitOK {
		t.Fatalf("verify_token: %d %s%s", code, stdout, stderr)
	}
	tools.RememberExpiry(filepath.Join(env["XDG_STATE_HOME"], "gandi-mcp", "expiry.json"), old.Secret, "old", old.ExpiresAt, time.Now())
	// The variables select nothing here: every file is listed.
	env["GANDI_API_TOKEN"], env["GANDI_PROFILE"], env["GANDI_SANDBOX"] = "pat_fromTheVARIABLE0123456789", "perso", "1"
	secrets = append(secrets, env["GANDI_API_TOKEN"])

	t.Run("without --verify", func(t *testing.T) {
		fake.ResetRequests()
		code, stdout, stderr := invocation{env: env}.run(t, "token", "list")
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		if n := len(fake.Requests()); n != 0 {
			t.Errorf("%d requests were made", n)
		}
		wantRow(t, rowOf(t, stdout, "production", "(default)"), "laptop", time.Now().Add(30*24*time.Hour).UTC().Format("2006-01-02"), "Acme",
			filepath.Join(config, "gandi", "api_token"))
		wantRow(t, rowOf(t, stdout, "production", "perso"), "unknown", filepath.Join(config, "gandi", "profiles", "perso", "api_token"))
		wantRow(t, rowOf(t, stdout, "production", "old"), "old", "expired", oldPath)
		wantRow(t, rowOf(t, stdout, "production", "empty"), emptyPath+" (no token)")
		wantRow(t, rowOf(t, stdout, "sandbox", "test"), "unknown", filepath.Join(config, "gandi", "sandbox", "profiles", "test", "api_token"))
		wantRow(t, rowOf(t, stdout, "sandbox", "(default)"), "(no token)")
		if !strings.Contains(stdout, "production old: the token expired on") || strings.Contains(stdout, "GANDI SAYS") {
			t.Errorf("the expired token is not reported, or Gandi's verdict is shown:\n%s", stdout)
		}
		noSecretIn(t, stdout+stderr, secrets)
	})

	t.Run("with --verify", func(t *testing.T) {
		fake.ResetRequests()
		code, stdout, stderr := invocation{env: env}.run(t, "token", "list", "--verify")
		if code != exitToolError {
			t.Fatalf("exit %d, want %d (a token is refused): %s%s", code, exitToolError, stdout, stderr)
		}
		if len(fake.Requests()) == 0 {
			t.Error("Gandi was not asked")
		}
		wantRow(t, rowOf(t, stdout, "production", "(default)"), "laptop", "Acme", "accepted")
		wantRow(t, rowOf(t, stdout, "production", "perso"), "soon-gone", "3", "Acme", "accepted")
		wantRow(t, rowOf(t, stdout, "production", "old"), "refused (token_expired)")
		wantRow(t, rowOf(t, stdout, "production", "empty"), "(no token)")
		wantRow(t, rowOf(t, stdout, "sandbox", "test"), "sandbox-bot", "accepted")
		for _, w := range []string{"2 token(s) need attention", "production perso: the token expires in 3 day(s)", "renew_token --profile perso",
			"production old: refused (token_expired)"} {
			if !strings.Contains(stdout, w) {
				t.Errorf("%q missing from:\n%s", w, stdout)
			}
		}
		noSecretIn(t, stdout+stderr, secrets)
	})
}

// wantRow fails unless row holds each of want, in order.
func wantRow(t *testing.T, row string, want ...string) {
	t.Helper()
	rest := row
	for _, w := range want {
		i := strings.Index(rest, w)
		if i < 0 {
			t.Errorf("%q missing (or out of order) in row %q", w, row)
			return
		}
		rest = rest[i+len(w):]
	}
}

func noSecretIn(t *testing.T, text string, secrets []string) {
	t.Helper()
	const window = 12 // the shortest piece of a token that counts as shown
	for i, s := range secrets {
		for j := 0; j+window <= len(s); j++ {
			if strings.Contains(text, s[j:j+window]) {
				t.Errorf("a piece of secret #%d appears in the output", i)
				break
			}
		}
	}
}
