package skill

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gandi-mcp/gandi-mcp/gandi"
	"github.com/gandi-mcp/gandi-mcp/gandi/ganditest"
	"github.com/gandi-mcp/gandi-mcp/tools"
)

// profilePath is the token file of profile in the harness's config home.
func (h *harness) profilePath(profile string) string {
	return filepath.Join(h.config, "gandi", "profiles", profile, "api_token")
}

// inProfile makes the server use profile, and moves the stored token into its file.
func inProfile(profile string) harnessOption {
	return withSetup(func(h *harness) {
		h.deps.Auth.Profile = profile
		if _, err := os.Stat(h.tokenPath()); err != nil {
			return
		}
		if err := os.MkdirAll(filepath.Dir(h.profilePath(profile)), 0o700); err != nil {
			h.t.Fatal(err)
		}
		if err := os.Rename(h.tokenPath(), h.profilePath(profile)); err != nil {
			h.t.Fatal(err)
		}
	})
}

func warning(out tools.VerifyTokenOutput, code string) string {
	for _, w := range out.Warnings {
		if w.Code == code {
			return w.Message
		}
	}
	return ""
}

func TestVerifyTokenNamesTheProfile(t *testing.T) {
	tests := []struct {
		name        string
		fromEnv     bool // GANDI_API_TOKEN holds the token
		profileFile bool // the profile has a token file
		revoked     bool
		noToken     bool
		check       func(t *testing.T, h *harness, out tools.VerifyTokenOutput)
	}{{
		name: "the profile's file", profileFile: true,
		check: func(t *testing.T, h *harness, out tools.VerifyTokenOutput) {
			if !out.Valid || out.Profile != "acme" || out.Source != h.profilePath("acme") || warning(out, "profile_hidden") != "" {
				t.Errorf("valid %t profile %q source %q warnings %v", out.Valid, out.Profile, out.Source, out.Warnings)
			}
		},
	}, {
		name: "the variable hides the profile's file", fromEnv: true, profileFile: true,
		check: func(t *testing.T, h *harness, out tools.VerifyTokenOutput) {
			w := warning(out, "profile_hidden")
			if !out.Valid || out.Profile != "" || out.Source != "GANDI_API_TOKEN" || !strings.Contains(w, h.profilePath("acme")) ||
				!strings.Contains(w, "unset GANDI_API_TOKEN") {
				t.Errorf("valid %t profile %q source %q warning %q", out.Valid, out.Profile, out.Source, w)
			}
		},
	}, {
		name: "the variable and a profile without a file", fromEnv: true,
		check: func(t *testing.T, h *harness, out tools.VerifyTokenOutput) {
			if w := warning(out, "profile_hidden"); !strings.Contains(w, "token set --profile acme") {
				t.Errorf("warning %q", w)
			}
		},
	}, {
		name: "a refused token in the profile", profileFile: true, revoked: true,
		check: func(t *testing.T, h *harness, out tools.VerifyTokenOutput) {
			if out.Valid || out.Troubleshooting == nil || out.Troubleshooting.Token == nil ||
				out.Troubleshooting.Token.Profile != "acme" || out.Troubleshooting.Token.Source != h.profilePath("acme") {
				t.Errorf("valid %t troubleshooting %+v", out.Valid, out.Troubleshooting)
			}
		},
	}, {
		name: "no token in the profile", noToken: true,
		check: func(t *testing.T, h *harness, out tools.VerifyTokenOutput) {
			tr := out.Troubleshooting
			if out.Valid || tr == nil || tr.Diagnosis != tools.NoToken || tr.Token == nil || tr.Token.Profile != "acme" ||
				!strings.Contains(strings.Join(tr.NextSteps, " "), "token set --profile acme") ||
				!strings.Contains(strings.Join(tr.LikelyCauses, " "), h.profilePath("acme")) {
				t.Errorf("troubleshooting %+v", tr)
			}
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var tok ganditest.Token
			h := newHarness(t, withSetup(func(h *harness) {
				org := h.fake.AddOrganization(gandi.Organization{Name: "acme", Type: "company"})
				tok = h.fake.AddToken(ganditest.Token{Name: "acme-bot", Scopes: viewScopes, Entities: []gandi.Entity{ganditest.OrganizationEntity(org)}})
				if tt.revoked {
					h.fake.Revoke(tok.Secret)
				}
				if tt.fromEnv {
					h.env["GANDI_API_TOKEN"] = tok.Secret
				}
				if tt.profileFile {
					h.storeToken(tok.Secret, 0o600)
				} else if !tt.fromEnv && !tt.noToken {
					t.Fatal("bad case")
				}
			}), inProfile("acme"))
			var out tools.VerifyTokenOutput
			res := h.call("verify_token", map[string]any{}, &out)
			tt.check(t, h, out)
			if f, ok := leaks(string(res.RawStructuredContent)+textOf(res)+h.stderr.String(), []string{tok.Secret}); ok {
				t.Errorf("a piece of the token is shown: %q", f)
			}
		})
	}
}

// TestRenewTokenInAProfile: the renewed token goes to the profile's file, from the file
// or from the variable, and the default file is left as it was.
func TestRenewTokenInAProfile(t *testing.T) {
	for _, fromEnv := range []bool{false, true} {
		t.Run("from env "+map[bool]string{false: "no", true: "yes"}[fromEnv], func(t *testing.T) {
			const other = "pat_defaultFILEtoken0123456789abcd"
			h, old := renewHarness(t, fromEnv, inProfile("acme"), withSetup(func(h *harness) {
				if err := os.MkdirAll(filepath.Dir(h.tokenPath()), 0o700); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(h.tokenPath(), []byte(other+"\n"), 0o600); err != nil {
					t.Fatal(err)
				}
			}))
			res, out := renewCall(h, nil)
			if res.IsError || out.Renewed == nil || !*out.Renewed {
				t.Fatalf("renewal failed: %s", textOf(res))
			}
			fresh := issued(t, h, old)
			wantStored(t, h.profilePath("acme"), fresh.Secret, "the profile's file")
			wantStored(t, h.tokenPath(), other, "the default file")
			if out.StoredAt != h.profilePath("acme") || out.Profile != "acme" {
				t.Errorf("stored_at %q profile %q", out.StoredAt, out.Profile)
			}
			noSecrets(t, h, []string{old.Secret, fresh.Secret, other}, res)
		})
	}
}

func TestJournalNamesTheProfile(t *testing.T) {
	for _, profile := range []string{"", "acme"} {
		var opts []harnessOption
		if profile != "" {
			opts = append(opts, inProfile(profile))
		}
		h, a := newDNSHarness(t, allDNSScopes, opts...)
		args := dnsArgs{FQDN: dnsZone, Changes: []map[string]any{change("set", "mail", "A", 0, "203.0.113.26")}}
		_, res, _ := h.planAndApply(t, a, args)
		if res.IsError {
			t.Fatalf("apply: %s", textOf(res))
		}
		raw, err := os.ReadFile(h.deps.JournalFile)
		if err != nil {
			t.Fatal(err)
		}
		var e tools.JournalEntry
		if err := json.Unmarshal(raw, &e); err != nil {
			t.Fatal(err)
		}
		wantSource := h.tokenPath()
		if profile != "" {
			wantSource = h.profilePath(profile)
		}
		if e.Profile != profile || e.TokenSource != wantSource {
			t.Errorf("journal profile %q source %q, want %q %q", e.Profile, e.TokenSource, profile, wantSource)
		}
		if profile == "" && strings.Contains(string(raw), `"profile"`) {
			t.Errorf("a line without a profile names one: %s", raw)
		}
		h.scanFiles(t, []string{a.token.Secret}, func(where, text string) {
			if f, ok := leaks(text, []string{a.token.Secret}); ok {
				t.Errorf("%s holds a piece of the token: %q", where, f)
			}
		})
	}
}
