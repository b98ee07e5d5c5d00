package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gandi-mcp/gandi-mcp/gandi"
	"github.com/gandi-mcp/gandi-mcp/gandi/ganditest"
)

// storeProfileToken writes token as profile's token file ("" is the default file).
func storeProfileToken(t *testing.T, config string, sandbox bool, profile, token string) string {
	t.Helper()
	dir := filepath.Join(config, "gandi")
	if sandbox {
		dir = filepath.Join(dir, "sandbox")
	}
	if profile != "" {
		dir = filepath.Join(dir, "profiles", profile)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "api_token")
	if err := os.WriteFile(path, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestProfileSelection(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		profile string // whose file must be used; "" the default one
	}{
		{name: "no profile", args: []string{"call", "verify_token", "--json"}, profile: ""},
		{name: "flag", args: []string{"call", "verify_token", "--json", "--profile", "acme"}, profile: "acme"},
		{name: "flag=", args: []string{"call", "--profile=perso", "verify_token", "--json"}, profile: "perso"},
		{name: "variable", args: []string{"call", "verify_token", "--json"}, env: map[string]string{"GANDI_PROFILE": "acme"}, profile: "acme"},
		{name: "flag wins over variable", args: []string{"call", "verify_token", "--json", "--profile", "perso"},
			env: map[string]string{"GANDI_PROFILE": "acme"}, profile: "perso"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, config := home(t)
			fake := withFake(t, env)
			for k, v := range tt.env {
				env[k] = v
			}
			paths := map[string]string{}
			for _, p := range []string{"", "acme", "perso"} {
				tok := fake.AddToken(ganditest.Token{Name: "token-of-" + p, Scopes: []string{"domain:view"}})
				paths[p] = storeProfileToken(t, config, false, p, tok.Secret)
			}
			code, stdout, stderr := invocation{env: env}.run(t, tt.args...)
			if code != exitOK {
				t.Fatalf("exit %d: %s%s", code, stdout, stderr)
			}
			var out struct{ Source, Name string }
			if err := json.Unmarshal([]byte(stdout), &out); err != nil {
				t.Fatal(err)
			}
			if out.Source != paths[tt.profile] || out.Name != "token-of-"+tt.profile {
				t.Errorf("used %s (%s), want %s", out.Source, out.Name, paths[tt.profile])
			}
		})
	}
}

func TestTokenPathOfAProfile(t *testing.T) {
	for _, sandbox := range []bool{false, true} {
		env, config := home(t)
		storeProfileToken(t, config, sandbox, "acme", secret)
		args := []string{"token", "path", "--profile", "acme"}
		want := filepath.Join(config, "gandi", "profiles", "acme", "api_token")
		if sandbox {
			args = append(args, "--sandbox")
			want = filepath.Join(config, "gandi", "sandbox", "profiles", "acme", "api_token")
		}
		code, stdout, stderr := invocation{env: env}.run(t, args...)
		if code != exitOK {
			t.Fatalf("sandbox %t: exit %d: %s", sandbox, code, stderr)
		}
		for _, w := range []string{"token of profile acme", "file " + want, "In use: ", want, "--profile acme writes to " + want} {
			if !strings.Contains(stdout, w) {
				t.Errorf("sandbox %t: %q missing from:\n%s", sandbox, w, stdout)
			}
		}
		if strings.Contains(stdout, "SECRET") {
			t.Errorf("the token was shown:\n%s", stdout)
		}
	}
}

func TestUnknownProfile(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want []string
	}{
		{name: "serve", args: []string{"serve", "--profile", "acme"}, want: []string{`"acme"`, "perso, work", "token set --profile acme"}},
		{name: "serve by variable", args: []string{"serve"}, env: map[string]string{"GANDI_PROFILE": "acme"}, want: []string{`"acme"`, "perso, work"}},
		{name: "call", args: []string{"call", "verify_token", "--profile", "acme"}, want: []string{`"acme"`, "perso, work"}},
		{name: "token path", args: []string{"token", "path", "--profile", "acme"}, want: []string{`"acme"`, "perso, work"}},
		{name: "other environment", args: []string{"call", "verify_token", "--sandbox", "--profile", "perso"},
			want: []string{"no sandbox profile", `"perso"`, "there are none yet", "token set --sandbox --profile perso"}},
		{name: "bad name", args: []string{"call", "verify_token", "--profile", "Acme"}, want: []string{`"Acme"`, "lower-case letters"}},
		{name: "bad name in token set", args: []string{"token", "set", "--profile", "../acme"}, want: []string{"nothing was read", "not valid"}},
		{name: "with the demo", args: []string{"call", "verify_token", "--demo", "--profile", "perso"}, want: []string{"--demo and --profile exclude each other"}},
		{name: "a token as a name", args: []string{"serve", "--profile", secret}, want: []string{"not repeated"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, config := home(t)
			fake := withFake(t, env)
			for k, v := range tt.env {
				env[k] = v
			}
			storeProfileToken(t, config, false, "perso", secret)
			storeProfileToken(t, config, false, "work", secret)
			code, stdout, stderr := invocation{env: env, stdin: secret}.run(t, tt.args...)
			if code != exitUsage {
				t.Fatalf("exit %d, want %d: %s%s", code, exitUsage, stdout, stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("%q missing from: %s", w, stderr)
				}
			}
			if stdout != "" || strings.Contains(stderr, "SECRET") {
				t.Errorf("stdout %q, stderr %q", stdout, stderr)
			}
			if n := len(fake.Requests()); n != 0 {
				t.Errorf("%d requests were made", n)
			}
		})
	}
}

func TestTokenSetInAProfile(t *testing.T) {
	for _, sandbox := range []bool{false, true} {
		env, config := home(t)
		def := storeProfileToken(t, config, sandbox, "", secret)
		args := []string{"token", "set", "--profile", "acme"}
		dir := filepath.Join(config, "gandi", "profiles", "acme")
		if sandbox {
			args = append(args, "--sandbox")
			dir = filepath.Join(config, "gandi", "sandbox", "profiles", "acme")
		}
		const other = "pat_9876543210OTHERfedcba9876543210"
		code, stdout, stderr := invocation{env: env, stdin: other + "\n"}.run(t, args...)
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		got, err := os.ReadFile(filepath.Join(dir, "api_token"))
		if err != nil || strings.TrimSpace(string(got)) != other {
			t.Fatalf("profile file: %q %v", got, err)
		}
		if m := mode(t, filepath.Join(dir, "api_token")); m != 0o600 {
			t.Errorf("mode %04o", m)
		}
		if m := mode(t, dir); m != 0o700 {
			t.Errorf("directory mode %04o", m)
		}
		if d, _ := os.ReadFile(def); strings.TrimSpace(string(d)) != secret {
			t.Errorf("the default file changed: %q", d)
		}
		if !strings.Contains(stdout, "of profile acme in "+dir) || !strings.Contains(stdout, "--profile acme") {
			t.Errorf("stdout does not name the profile:\n%s", stdout)
		}
		if strings.Contains(stdout+stderr, "OTHER") {
			t.Errorf("the token was shown: %s%s", stdout, stderr)
		}
	}
}

// Two servers, registered side by side with a profile each, on two accounts.
func TestTwoProfilesSideBySide(t *testing.T) {
	env, config := home(t)
	type account struct {
		profile string
		fake    *ganditest.Server
		env     map[string]string
		domain  string
	}
	var accounts []*account
	for _, p := range []string{"acme", "perso"} {
		a := &account{profile: p, env: map[string]string{}}
		for k, v := range env {
			a.env[k] = v
		}
		a.fake = withFake(t, a.env)
		org := a.fake.AddOrganization(gandi.Organization{Name: p, Type: "company"})
		a.domain = a.fake.SeedDomains(org.ID, 1, time.Now())[0].FQDN
		tok := a.fake.AddToken(ganditest.Token{Name: p, Scopes: []string{"domain:view", "organization:view"},
			Entities: []gandi.Entity{ganditest.OrganizationEntity(org)}})
		storeProfileToken(t, config, false, p, tok.Secret)
		accounts = append(accounts, a)
	}
	type result struct {
		code           int
		stdout, stderr string
	}
	results := make([]chan result, len(accounts))
	for i, a := range accounts {
		results[i] = make(chan result, 1)
		go func() {
			code, stdout, stderr := invocation{env: a.env}.run(t, "call", "list_domains", "--json", "--profile", a.profile)
			results[i] <- result{code, stdout, stderr}
		}()
	}
	for i, a := range accounts {
		r := <-results[i]
		if r.code != exitOK {
			t.Fatalf("%s: exit %d: %s%s", a.profile, r.code, r.stdout, r.stderr)
		}
		var out struct {
			Domains []struct{ FQDN string }
		}
		if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
			t.Fatal(err)
		}
		if len(out.Domains) != 1 || out.Domains[0].FQDN != a.domain {
			t.Errorf("%s sees %+v, want only %s", a.profile, out.Domains, a.domain)
		}
	}
}
