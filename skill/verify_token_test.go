package skill

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gandi-mcp/gandi-mcp/gandi"
	"github.com/gandi-mcp/gandi-mcp/gandi/ganditest"
	"github.com/gandi-mcp/gandi-mcp/tools"
)

func TestVerifyToken(t *testing.T) {
	org := gandi.Organization{Name: "acme", Type: "company"}
	tests := []struct {
		name  string
		setup func(h *harness, org gandi.Organization)
		check func(t *testing.T, h *harness, out tools.VerifyTokenOutput)
		// wantValid and wantDiagnosis are what every case asserts.
		wantValid     bool
		wantDiagnosis tools.Diagnosis
	}{{
		name: "good token from the XDG file",
		setup: func(h *harness, org gandi.Organization) {
			tok := h.fake.AddToken(ganditest.Token{Name: "ci-bot", Scopes: []string{"domain:view", "organization:view"},
				Entities: []gandi.Entity{{ID: org.ID, Name: org.Name, Type: "organization"}}, ExpiresAt: time.Now().Add(40 * 24 * time.Hour)})
			h.storeToken(tok.Secret, 0o600)
		},
		wantValid: true,
		check: func(t *testing.T, h *harness, out tools.VerifyTokenOutput) {
			if out.Name != "ci-bot" || out.Kind != "pat" || out.Scheme != "Bearer" || out.Environment != "production" {
				t.Errorf("identity = %q %q %q %q", out.Name, out.Kind, out.Scheme, out.Environment)
			}
			if !strings.HasSuffix(out.Source, "gandi/api_token") {
				t.Errorf("source = %q, want the token file", out.Source)
			}
			if out.DaysLeft == nil || *out.DaysLeft != 39 && *out.DaysLeft != 40 {
				t.Errorf("days_left = %v, want 39 or 40", out.DaysLeft)
			}
			if out.Resources == nil || !out.Resources.WholeOrganization {
				t.Errorf("resources = %+v, want the whole organization", out.Resources)
			}
			if len(out.Organizations) != 1 || out.Organizations[0].Name != "acme" {
				t.Errorf("organizations = %+v", out.Organizations)
			}
			if len(out.Warnings) != 0 {
				t.Errorf("unexpected warnings %+v", out.Warnings)
			}
			// verify_token makes exactly /tokeninfo and one cheap API call, in either order (they run together).
			var paths []string
			for _, r := range h.fake.Requests() {
				paths = append(paths, r.Path)
			}
			slices.Sort(paths)
			if !slices.Equal(paths, []string{"/tokeninfo", "/v5/organization/organizations"}) {
				t.Errorf("requests = %v", paths)
			}
		},
	}, {
		name: "expiring in three days warns to renew",
		setup: func(h *harness, org gandi.Organization) {
			tok := h.fake.AddToken(ganditest.Token{Name: "soon", Scopes: []string{"domain:view"}, ExpiresAt: time.Now().Add(3*24*time.Hour + time.Hour)})
			h.storeToken(tok.Secret, 0o600)
		},
		wantValid: true,
		check: func(t *testing.T, h *harness, out tools.VerifyTokenOutput) {
			if !hasWarning(out, "expires_soon", "renew_token") {
				t.Errorf("warnings = %+v, want expires_soon naming renew_token", out.Warnings)
			}
		},
	}, {
		name: "expired token answered 401",
		setup: func(h *harness, org gandi.Organization) {
			tok := h.fake.AddToken(ganditest.Token{Name: "old", Scopes: []string{"domain:view"}, ExpiresAt: time.Now().Add(-time.Hour)})
			h.storeToken(tok.Secret, 0o600)
		},
		wantDiagnosis: tools.TokenRejected,
		check: func(t *testing.T, h *harness, out tools.VerifyTokenOutput) {
			tr := out.Troubleshooting
			if tr.Status != 401 || !strings.Contains(tr.LikelyCauses[0], "expired") {
				t.Errorf("status %d, first cause %q: want 401 and expiry first", tr.Status, tr.LikelyCauses[0])
			}
			if !containsAny(tr.NextSteps, "https://admin.gandi.net/organizations/account/pat") {
				t.Errorf("next steps do not name the production PAT page: %v", tr.NextSteps)
			}
		},
	}, {
		name: "unknown token answered 403",
		setup: func(h *harness, org gandi.Organization) {
			h.fake.SetUnknownTokenStatus(403)
			h.storeToken("pat_0000000000000000000000000000000000", 0o600)
		},
		wantDiagnosis: tools.TokenRejected,
		check: func(t *testing.T, h *harness, out tools.VerifyTokenOutput) {
			if out.Troubleshooting.Status != 403 || !strings.Contains(out.Troubleshooting.LikelyCauses[0], "unknown") {
				t.Errorf("troubleshooting = %+v", out.Troubleshooting)
			}
		},
	}, {
		name: "token with no scopes is valid but says so",
		setup: func(h *harness, org gandi.Organization) {
			tok := h.fake.AddToken(ganditest.Token{Name: "bare", Entities: []gandi.Entity{{ID: org.ID, Type: "organization"}}})
			h.storeToken(tok.Secret, 0o600)
		},
		wantValid: true,
		check: func(t *testing.T, h *harness, out tools.VerifyTokenOutput) {
			if len(out.Scopes) != 0 || !hasWarning(out, "no_scopes", "domain:view") {
				t.Errorf("scopes %v warnings %+v: want none and a no_scopes warning", out.Scopes, out.Warnings)
			}
		},
	}, {
		name: "tokeninfo without expires_in: expiry unknown, not expired",
		setup: func(h *harness, org gandi.Organization) {
			tok := h.fake.AddToken(ganditest.Token{Name: "quiet", Scopes: []string{"domain:view"}})
			h.storeToken(tok.Secret, 0o600)
			h.fake.Inject(ganditest.Fault{Path: "/tokeninfo", Status: 200, ContentType: "application/json",
				Body: `{"pat_name": "quiet", "scope": ["domain:view"], "entities": []}`})
		},
		wantValid: true,
		check: func(t *testing.T, h *harness, out tools.VerifyTokenOutput) {
			if out.ExpiresAt != nil || out.DaysLeft != nil || !hasWarning(out, "expiry_unknown", "admin.gandi.net") || hasWarning(out, "expires_soon", "") {
				t.Errorf("expires_at %v days_left %v warnings %+v: want no expiry and an expiry_unknown warning", out.ExpiresAt, out.DaysLeft, out.Warnings)
			}
		},
	}, {
		name: "organizations refused (403) to a valid token: still valid, with a warning",
		setup: func(h *harness, org gandi.Organization) {
			tok := h.fake.AddToken(ganditest.Token{Name: "narrow", Scopes: []string{"domain:view"}})
			h.storeToken(tok.Secret, 0o600)
			h.fake.Inject(ganditest.Fault{Path: "/v5/organization/organizations", Status: 403})
		},
		wantValid: true,
		check: func(t *testing.T, h *harness, out tools.VerifyTokenOutput) {
			if out.Name != "narrow" || !hasWarning(out, "organizations_hidden", "organization:view") {
				t.Errorf("name %q warnings %+v: want the token described and an organizations_hidden warning naming organization:view", out.Name, out.Warnings)
			}
		},
	}, {
		name:          "no credential anywhere",
		setup:         func(h *harness, org gandi.Organization) {},
		wantDiagnosis: tools.NoToken,
		check: func(t *testing.T, h *harness, out tools.VerifyTokenOutput) {
			tr := out.Troubleshooting
			if tr.Status != 0 || len(h.fake.Requests()) != 0 {
				t.Errorf("status %d, %d requests: nothing should be sent", tr.Status, len(h.fake.Requests()))
			}
			for _, place := range []string{"GANDI_API_TOKEN", h.config, "GANDI_API_KEY"} {
				if !containsAny(tr.LikelyCauses, place) {
					t.Errorf("likely causes do not name %s: %v", place, tr.LikelyCauses)
				}
			}
			if !containsAny(tr.NextSteps, "gandi-mcp token set") || !containsAny(tr.NextSteps, "admin.gandi.net/organizations/account/pat") {
				t.Errorf("next steps = %v", tr.NextSteps)
			}
		},
	}, {
		name: "legacy key works with a migration warning",
		setup: func(h *harness, org gandi.Organization) {
			key := h.fake.AddToken(ganditest.Token{Apikey: true, Secret: "AbCdEfGhIjKlMnOpQrStUvWx"})
			h.env["GANDI_API_KEY"] = key.Secret
		},
		wantValid: true,
		check: func(t *testing.T, h *harness, out tools.VerifyTokenOutput) {
			if out.Kind != "api_key" || out.Scheme != "Apikey" || out.Source != "GANDI_API_KEY" {
				t.Errorf("kind %q scheme %q source %q", out.Kind, out.Scheme, out.Source)
			}
			if !hasWarning(out, "legacy_key", "") {
				t.Errorf("warnings = %+v, want legacy_key", out.Warnings)
			}
			for _, r := range h.fake.Requests() {
				if r.Path == "/tokeninfo" {
					t.Error("/tokeninfo does not know API keys and must not be asked")
				}
			}
		},
	}, {
		name: "legacy key refused",
		setup: func(h *harness, org gandi.Organization) {
			h.env["GANDI_API_KEY"] = "ZZZZZZZZZZZZZZZZZZZZZZZZ"
		},
		wantDiagnosis: tools.LegacyKeyRejected,
	}, {
		name: "PAT stored in GANDI_API_KEY is the wrong scheme",
		setup: func(h *harness, org gandi.Organization) {
			tok := h.fake.AddToken(ganditest.Token{Name: "misplaced", Scopes: []string{"domain:view"}})
			h.env["GANDI_API_KEY"] = tok.Secret
		},
		wantDiagnosis: tools.WrongScheme,
	}, {
		name: "readable by others: works, with the exact chmod",
		setup: func(h *harness, org gandi.Organization) {
			tok := h.fake.AddToken(ganditest.Token{Name: "loose", Scopes: []string{"domain:view"}})
			h.storeToken(tok.Secret, 0o644)
		},
		wantValid: true,
		check: func(t *testing.T, h *harness, out tools.VerifyTokenOutput) {
			if !hasWarning(out, "insecure_token_file", "chmod 600 "+out.Source) {
				t.Errorf("warnings = %+v, want the exact chmod for %s", out.Warnings, out.Source)
			}
		},
	}, {
		name: "writable by others: refused before any request",
		setup: func(h *harness, org gandi.Organization) {
			tok := h.fake.AddToken(ganditest.Token{Name: "open", Scopes: []string{"domain:view"}})
			h.storeToken(tok.Secret, 0o666)
		},
		wantDiagnosis: tools.InsecureTokenFile,
		check: func(t *testing.T, h *harness, out tools.VerifyTokenOutput) {
			if len(h.fake.Requests()) != 0 || !containsAny(out.Troubleshooting.NextSteps, "chmod 600 ") {
				t.Errorf("requests %d, next steps %v", len(h.fake.Requests()), out.Troubleshooting.NextSteps)
			}
		},
	}, {
		name: "sandbox token used against production",
		setup: func(h *harness, org gandi.Organization) {
			sandbox := ganditest.NewServer()
			h.t.Cleanup(sandbox.Close)
			tok := sandbox.AddToken(ganditest.Token{Name: "sbx", Scopes: []string{"domain:view"}})
			other := sandbox.Endpoints(gandi.Sandbox)
			h.deps.Other = &other
			h.storeToken(tok.Secret, 0o600)
		},
		wantDiagnosis: tools.WrongEnvironment,
		check: func(t *testing.T, h *harness, out tools.VerifyTokenOutput) {
			// The token is in the production file: --sandbox alone would find none there.
			if !containsAny(out.Troubleshooting.NextSteps, "gandi-mcp token set --sandbox < "+out.Source) {
				t.Errorf("next steps = %v, want the token moved to the sandbox file", out.Troubleshooting.NextSteps)
			}
		},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, withSetup(func(h *harness) {
				tc.setup(h, h.fake.AddOrganization(org))
			}))
			var out tools.VerifyTokenOutput
			res := h.call("verify_token", nil, &out)
			if res.IsError {
				t.Fatalf("verify_token answers with a result, not an error: %s", textOf(res))
			}
			if out.Valid != tc.wantValid {
				t.Fatalf("valid = %v, want %v; %+v", out.Valid, tc.wantValid, out.Troubleshooting)
			}
			if tc.wantValid && out.Troubleshooting != nil {
				t.Errorf("valid token with troubleshooting %+v", out.Troubleshooting)
			}
			if !tc.wantValid {
				if out.Troubleshooting == nil || out.Troubleshooting.Diagnosis != tc.wantDiagnosis {
					t.Fatalf("troubleshooting = %+v, want diagnosis %s", out.Troubleshooting, tc.wantDiagnosis)
				}
				if len(out.Troubleshooting.NextSteps) == 0 || out.Troubleshooting.Summary == "" {
					t.Errorf("troubleshooting without summary or next steps: %+v", out.Troubleshooting)
				}
				if !strings.Contains(textOf(res), out.Troubleshooting.Summary) {
					t.Errorf("text content does not sum the problem up: %s", textOf(res))
				}
			}
			if tc.check != nil {
				tc.check(t, h, out)
			}
		})
	}
}

func hasWarning(out tools.VerifyTokenOutput, code, mentions string) bool {
	for _, w := range out.Warnings {
		if w.Code == code && strings.Contains(w.Message, mentions) {
			return true
		}
	}
	return false
}

func containsAny(list []string, sub string) bool {
	for _, s := range list {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// A 401 says the same for an expired token and an unknown one; having seen the
// token's expiry earlier, verify_token says which it is.
func TestVerifyTokenRemembersExpiry(t *testing.T) {
	var clock atomic.Int64
	clock.Store(time.Now().UnixNano())
	var secret string
	h := newHarness(t, withSetup(func(h *harness) {
		tok := h.fake.AddToken(ganditest.Token{Name: "short", Scopes: []string{"domain:view"}, ExpiresAt: time.Now().Add(2 * time.Hour)})
		secret = tok.Secret
		h.storeToken(secret, 0o600)
		h.deps.ExpiryFile = filepath.Join(t.TempDir(), "state", "expiry.json")
		h.deps.Now = func() time.Time { return time.Unix(0, clock.Load()) }
	}))
	var out tools.VerifyTokenOutput
	h.call("verify_token", nil, &out)
	if !out.Valid {
		t.Fatalf("first call: %+v", out.Troubleshooting)
	}
	book, err := os.ReadFile(h.deps.ExpiryFile)
	if err != nil || strings.Contains(string(book), secret[4:16]) {
		t.Fatalf("expiry book unreadable or holding the token: %v %s", err, book)
	}

	// Later: the token has expired, and Gandi now refuses it.
	clock.Add(int64(3 * time.Hour))
	h.fake.Revoke(secret)
	out = tools.VerifyTokenOutput{}
	h.call("verify_token", nil, &out)
	tr := out.Troubleshooting
	if out.Valid || tr == nil || tr.Diagnosis != tools.TokenExpired {
		t.Fatalf("after expiry: valid %v, troubleshooting %+v; want token_expired", out.Valid, tr)
	}
	if tr.Token == nil || tr.Token.ExpiresAt == nil || !containsAny(tr.NextSteps, "create a new PAT") && !containsAny(tr.NextSteps, "Create a new PAT") {
		t.Errorf("troubleshooting should give the expiry and say to create a new PAT: %+v", tr)
	}

	// A token never seen before stays "rejected": the book only speaks of what it saw.
	h.storeToken("pat_1111111111111111111111111111111111", 0o600)
	out = tools.VerifyTokenOutput{}
	h.call("verify_token", nil, &out)
	if out.Troubleshooting == nil || out.Troubleshooting.Diagnosis != tools.TokenRejected {
		t.Errorf("unknown token: %+v, want token_rejected", out.Troubleshooting)
	}
}
