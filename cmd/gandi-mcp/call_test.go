package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gandi-mcp/gandi-mcp/gandi/ganditest"
)

// TestCallSaysPlainlyWhatIsWrongWithTheArguments: arguments that are not one JSON
// object are a usage error in the tool's own words (never Go's decoder wording), and
// names that are not exactly the tool's are refused by the tool, as over MCP; in
// both cases nothing reaches Gandi.
func TestCallSaysPlainlyWhatIsWrongWithTheArguments(t *testing.T) {
	env, config := home(t)
	fake := withFake(t, env)
	tok := fake.AddToken(ganditest.Token{Name: "ci-bot", Scopes: []string{"domain:view"}})
	if err := os.MkdirAll(filepath.Join(config, "gandi"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(config, "gandi", "api_token"), []byte(tok.Secret), 0o600); err != nil {
		t.Fatal(err)
	}
	listDomains := "the arguments of list_domains are: fqdn, tld, sharing_id, sort_by, page, per_page, all, expiring_within_days"
	tests := []struct {
		name, tool, args string
		code             int
		stderr           []string // usage errors
		summary          []string // the tool's invalid_input, on stdout
	}{
		{"array", "list_domains", `[{"all": true}]`, exitUsage,
			[]string{"gandi-mcp call: the arguments must be a JSON object, not an array; " + listDomains}, nil},
		{"string", "list_domains", `"all"`, exitUsage, []string{"must be a JSON object, not a string; " + listDomains}, nil},
		{"number", "renew_token", `30`, exitUsage, []string{"must be a JSON object, not a number; the arguments of renew_token are: name, expires_at, dry_run"}, nil},
		{"no arguments to take", "verify_token", `[]`, exitUsage, []string{"not an array; verify_token takes no arguments"}, nil},
		{"syntax", "list_domains", `{"all": tru}`, exitUsage, []string{"gandi-mcp call: the arguments are not valid JSON: ", "at byte 12"}, nil},
		{"cut short", "list_domains", `{"all": true`, exitUsage, []string{"the arguments are not valid JSON: they end at byte 12"}, nil},
		{"trailing data", "renew_token", `{"dry_run": true} {"dry_run": false}`, exitUsage, []string{"the arguments are not valid JSON: after the object, more data starts at byte 19"}, nil},
		{"single quotes", "list_domains", `{'all': true}`, exitUsage, []string{"the arguments are not valid JSON: ", "at byte 2"}, nil},
		{"miscased twin", "renew_token", `{"dry_run":true,"Dry_Run":false}`, exitToolError, nil,
			[]string{`unknown argument "Dry_Run" (argument names are case-sensitive: did you mean "dry_run"?); the arguments of renew_token are: name, expires_at, dry_run`}},
		{"duplicate", "list_domains", `{"per_page":5,"per_page":50}`, exitToolError, nil, []string{`argument "per_page" is given twice`, listDomains}},
		{"unknown", "list_domains", `{"limit":5}`, exitToolError, nil, []string{`unknown argument "limit"; ` + listDomains}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fake.ResetRequests()
			code, stdout, stderr := invocation{env: env}.run(t, "call", tc.tool, tc.args)
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stderr %s; stdout %s", code, tc.code, stderr, stdout)
			}
			for _, w := range tc.stderr {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr %q does not say %q", stderr, w)
				}
			}
			for _, raw := range []string{"json: ", "Go value", "interface {}", "unmarshal"} {
				if strings.Contains(stderr+stdout, raw) {
					t.Errorf("Go's decoder wording %q in %s%s", raw, stderr, stdout)
				}
			}
			if tc.summary != nil {
				var out struct {
					Troubleshooting struct{ Diagnosis, Summary string }
				}
				if err := json.Unmarshal([]byte(stdout), &out); err != nil || out.Troubleshooting.Diagnosis != "invalid_input" {
					t.Fatalf("stdout %s (%v), want invalid_input", stdout, err)
				}
				for _, w := range tc.summary {
					if !strings.Contains(out.Troubleshooting.Summary, w) {
						t.Errorf("summary %q does not say %q", out.Troubleshooting.Summary, w)
					}
				}
			}
			if rs := fake.Requests(); len(rs) != 0 {
				t.Errorf("%d requests reached Gandi, first %s %s", len(rs), rs[0].Method, rs[0].Path)
			}
		})
	}
}

// TestCallTakesBlankArgumentsAsNone: white space of any kind, or null, is no
// arguments, never a JSON error (the tool is called with {}).
func TestCallTakesBlankArgumentsAsNone(t *testing.T) {
	env, _ := home(t)
	for _, args := range []string{"", " \t", "\v", "\v null\n"} {
		code, stdout, stderr := invocation{env: env}.run(t, "call", "verify_token", args)
		if code != exitToolError || !strings.Contains(stdout, `"diagnosis": "no_token"`) {
			t.Errorf("call verify_token %q: exit %d, stdout %s, stderr %s; want the tool's no_token", args, code, stdout, stderr)
		}
	}
}
