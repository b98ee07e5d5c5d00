package skill

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/gandi-mcp/gandi-mcp/auth"
	"github.com/gandi-mcp/gandi-mcp/gandi"
	"github.com/gandi-mcp/gandi-mcp/gandi/ganditest"
	"github.com/gandi-mcp/gandi-mcp/tools"
)

const renewPath = "/v5/organization/access-tokens"

// renewHarness starts a harness whose account holds one PAT, "ci-bot", with ten days
// left, stored in the XDG token file or, when fromEnv, in GANDI_API_TOKEN. The client
// asks for every MCP log message, so that tests can search them for secrets.
func renewHarness(t *testing.T, fromEnv bool, opts ...harnessOption) (*harness, ganditest.Token) {
	t.Helper()
	var old ganditest.Token
	setup := withSetup(func(h *harness) {
		org := h.fake.AddOrganization(gandi.Organization{Name: "acme", Type: "company"})
		old = h.fake.AddToken(ganditest.Token{Name: "ci-bot", Scopes: []string{"domain:view", "organization:view"},
			Entities: []gandi.Entity{ganditest.OrganizationEntity(org)}, ExpiresAt: time.Now().Add(10 * 24 * time.Hour)})
		if fromEnv {
			h.env["GANDI_API_TOKEN"] = old.Secret
		} else {
			h.storeToken(old.Secret, 0o600)
		}
	})
	h := newHarness(t, append([]harnessOption{setup}, opts...)...)
	req := mcp.SetLevelRequest{}
	req.Params.Level = mcp.LoggingLevelDebug
	//lint:ignore SA1019 logging/setLevel is still what clients on the 2025 protocol send
	if err := h.client.SetLevel(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	return h, old
}

func (h *harness) tokenPath() string { return filepath.Join(h.config, "gandi", "api_token") }

// posts returns the renewal requests the fake received.
func posts(h *harness) []ganditest.Request {
	var out []ganditest.Request
	for _, r := range h.fake.Requests() {
		if r.Method == "POST" && r.Path == renewPath {
			out = append(out, r)
		}
	}
	return out
}

// issued returns the token the renewal created; it fails unless exactly one was.
func issued(t *testing.T, h *harness, old ganditest.Token) ganditest.Token {
	t.Helper()
	var fresh []ganditest.Token
	for _, tok := range h.fake.Tokens() {
		if tok.Secret != old.Secret {
			fresh = append(fresh, tok)
		}
	}
	if len(fresh) != 1 {
		t.Fatalf("Gandi issued %d tokens, want 1", len(fresh))
	}
	return fresh[0]
}

// stored returns a token file's content (trimmed) and mode; "" when there is no file.
func stored(t *testing.T, path string) (string, os.FileMode) {
	t.Helper()
	info, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return "", 0
	}
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(data)), info.Mode().Perm()
}

// wantStored fails unless path holds secret with mode 0600.
func wantStored(t *testing.T, path, secret, what string) {
	t.Helper()
	got, mode := stored(t, path)
	if got != secret {
		t.Errorf("%s: %s does not hold the expected token (empty: %v)", what, path, got == "")
	}
	if got != "" && mode != 0o600 {
		t.Errorf("%s: %s has mode %04o, want 0600", what, path, mode)
	}
}

// noTempFiles fails when WriteToken left a temporary file in dir.
func noTempFiles(t *testing.T, dir string) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file %s left in %s", e.Name(), dir)
		}
	}
}

// noSecrets searches every output a person or a client could see: results (text and
// structured), the stderr log and every MCP notification.
func noSecrets(t *testing.T, h *harness, secrets []string, results ...*mcp.CallToolResult) {
	t.Helper()
	var seen []string
	for _, res := range results {
		if res == nil {
			continue
		}
		raw, _ := json.Marshal(res)
		seen = append(seen, "result: "+string(raw)+textOf(res)+string(res.RawStructuredContent))
	}
	seen = append(seen, "stderr: "+h.stderr.String())
	notes, _ := json.Marshal(h.notifications())
	seen = append(seen, "notifications: "+string(notes))
	for _, s := range seen {
		for i, secret := range secrets {
			if secret != "" && strings.Contains(s, secret) {
				t.Errorf("secret #%d appears in %.20s...", i, s)
			}
		}
	}
}

func renewCall(h *harness, args map[string]any) (*mcp.CallToolResult, tools.RenewTokenOutput) {
	h.t.Helper()
	var out tools.RenewTokenOutput
	res := h.call("renew_token", args, &out)
	return res, out
}

func diagnosisOf(out tools.RenewTokenOutput) tools.Diagnosis {
	if out.Troubleshooting == nil {
		return ""
	}
	return out.Troubleshooting.Diagnosis
}

func TestRenewTokenReplacesTheFile(t *testing.T) {
	tests := []struct {
		name     string
		args     map[string]any
		wantName string
		wantDays int // the fake keeps the current lifetime (ten days) unless expires_at is given
		wantBody map[string]string
	}{
		{name: "defaults keep name and lifetime", wantName: "ci-bot", wantDays: 9, wantBody: map[string]string{}},
		{name: "new name and expiry", args: map[string]any{"name": "ci-bot 2026", "expires_at": time.Now().Add(90*24*time.Hour + time.Hour).UTC().Format(time.RFC3339)},
			wantName: "ci-bot 2026", wantDays: 90, wantBody: map[string]string{"name": "ci-bot 2026"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, old := renewHarness(t, false)
			path := h.tokenPath()
			res, out := renewCall(h, tc.args)
			if res.IsError || out.Renewed == nil || !*out.Renewed {
				t.Fatalf("renewal failed: %s", textOf(res))
			}
			fresh := issued(t, h, old)
			wantStored(t, path, fresh.Secret, "after renewal")
			noTempFiles(t, filepath.Dir(path))
			if info, err := os.Stat(filepath.Dir(path)); err != nil || info.Mode().Perm() != 0o700 {
				t.Errorf("token directory mode: %v %v", info.Mode(), err)
			}

			if out.ID != fresh.ID || out.Name != tc.wantName || fresh.Name != tc.wantName {
				t.Errorf("id %q name %q, want %q %q", out.ID, out.Name, fresh.ID, tc.wantName)
			}
			if out.StoredAt != path || out.Source != path || out.PreviousName != "ci-bot" {
				t.Errorf("stored_at %q source %q previous_name %q", out.StoredAt, out.Source, out.PreviousName)
			}
			if out.ExpiresAt == nil || !out.ExpiresAt.Equal(fresh.ExpiresAt) || out.DaysLeft == nil || *out.DaysLeft != tc.wantDays {
				t.Errorf("expires_at %v days_left %v, want %v and %d", out.ExpiresAt, out.DaysLeft, fresh.ExpiresAt, tc.wantDays)
			}
			if out.PreviousExpiresAt == nil || out.PreviousExpiresAt.Sub(old.ExpiresAt).Abs() > 2*time.Second {
				t.Errorf("previous_expires_at %v, want %v", out.PreviousExpiresAt, old.ExpiresAt)
			}
			if !slices.Equal(out.Scopes, old.Scopes) || out.Resources == nil || !out.Resources.WholeOrganization {
				t.Errorf("scopes %v resources %+v", out.Scopes, out.Resources)
			}
			if !containsAny(out.NextSteps, "verify_token") || !containsAny(out.NextSteps, "admin.gandi.net") {
				t.Errorf("next steps = %v", out.NextSteps)
			}

			// The current token was checked, renewed with itself, and the new one checked.
			var seq []string
			for _, r := range h.fake.Requests() {
				who := "other"
				switch r.Token {
				case old.Secret:
					who = "old"
				case fresh.Secret:
					who = "new"
				}
				seq = append(seq, r.Method+" "+r.Path+" "+who)
			}
			want := []string{"GET /tokeninfo old", "POST " + renewPath + " old", "GET /tokeninfo new"}
			if !slices.Equal(seq, want) {
				t.Errorf("requests = %v, want %v", seq, want)
			}
			var body map[string]string
			if err := json.Unmarshal(posts(h)[0].Body, &body); err != nil {
				t.Fatal(err)
			}
			if tc.wantBody["name"] != body["name"] || (tc.args["expires_at"] == nil) != (body["expires_at"] == "") {
				t.Errorf("POST body = %v", body)
			}

			// The next call uses the new token.
			h.fake.ResetRequests()
			var v tools.VerifyTokenOutput
			h.call("verify_token", nil, &v)
			if !v.Valid || v.Name != tc.wantName {
				t.Errorf("verify_token after renewal: valid %v name %q", v.Valid, v.Name)
			}
			for _, r := range h.fake.Requests() {
				if r.Token != fresh.Secret {
					t.Errorf("%s %s sent the previous token after the renewal", r.Method, r.Path)
				}
			}

			if !strings.Contains(h.stderr.String(), fresh.ID) {
				t.Errorf("stderr %q does not log the renewal: the secret search below would prove little", h.stderr.String())
			}
			noSecrets(t, h, []string{old.Secret, fresh.Secret}, res)
		})
	}
}

func TestRenewTokenFromTheEnvironment(t *testing.T) {
	tests := []struct {
		name string
		file string // what the XDG token file holds first: "", "same" or "other"
		want tools.Diagnosis
	}{
		{name: "no token file yet"},
		{name: "token file holds the same token", file: "same"},
		{name: "token file holds another token", file: "other", want: tools.TokenStoreFailed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, old := renewHarness(t, true)
			path := h.tokenPath()
			before := ""
			switch tc.file {
			case "same":
				before = old.Secret
			case "other":
				before = "pat_ffffffffffffffffffffffffffffffff"
			}
			if before != "" {
				h.storeToken(before, 0o600)
			}
			res, out := renewCall(h, nil)
			if tc.want != "" {
				if !res.IsError || diagnosisOf(out) != tc.want {
					t.Fatalf("want %s, got %s", tc.want, textOf(res))
				}
				if len(h.fake.Requests()) != 0 {
					t.Errorf("%d requests made; nothing should be asked of Gandi", len(h.fake.Requests()))
				}
				wantStored(t, path, before, "refused")
				if !strings.Contains(out.Troubleshooting.Summary, path) || !containsAny(out.Troubleshooting.NextSteps, "GANDI_API_TOKEN") {
					t.Errorf("troubleshooting = %+v", out.Troubleshooting)
				}
				noSecrets(t, h, []string{old.Secret, before}, res)
				return
			}
			if res.IsError {
				t.Fatalf("renewal failed: %s", textOf(res))
			}
			fresh := issued(t, h, old)
			wantStored(t, path, fresh.Secret, "after renewal")
			if p := posts(h); len(p) != 1 || p[0].Token != old.Secret {
				t.Errorf("renewal requests = %d, want one made with the token from GANDI_API_TOKEN", len(p))
			}
			if out.Source != "GANDI_API_TOKEN" || out.StoredAt != path {
				t.Errorf("source %q stored_at %q, want GANDI_API_TOKEN and %s", out.Source, out.StoredAt, path)
			}
			if !containsAny(out.NextSteps, `export GANDI_API_TOKEN="$(cat '`+path+`')"`) || !containsAny(out.NextSteps, "CI secret") {
				t.Errorf("next steps do not say how to update the variable: %v", out.NextSteps)
			}
			noSecrets(t, h, []string{old.Secret, fresh.Secret}, res)
		})
	}
}

func TestRenewTokenUnwritable(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, h *harness)
		says  string
	}{{
		// Root ignores permission bits: a path under a regular file cannot be written by anyone.
		name: "config home under a regular file",
		setup: func(t *testing.T, h *harness) {
			blocker := filepath.Join(t.TempDir(), "blocker")
			if err := os.WriteFile(blocker, []byte("x"), 0o600); err != nil {
				t.Fatal(err)
			}
			h.deps.Auth.ConfigHome = filepath.Join(blocker, "config")
		},
		says: "is not a directory",
	}, {
		name: "a directory where the token file goes",
		setup: func(t *testing.T, h *harness) {
			if err := os.MkdirAll(filepath.Join(h.config, "gandi", "api_token"), 0o700); err != nil {
				t.Fatal(err)
			}
		},
		says: "it is a directory",
	}}
	for _, tc := range tests {
		for _, dry := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s dry_run=%v", tc.name, dry), func(t *testing.T) {
				h, old := renewHarness(t, true, withSetup(func(h *harness) { tc.setup(t, h) }))
				res, out := renewCall(h, map[string]any{"dry_run": dry})
				tr := out.Troubleshooting
				if tr == nil || tr.Diagnosis != tools.TokenStoreFailed || !strings.Contains(tr.Summary, tc.says) {
					t.Fatalf("troubleshooting = %+v, want token_store_failed saying %q", tr, tc.says)
				}
				if len(posts(h)) != 0 {
					t.Errorf("%d renewal requests; none may be made when the token cannot be stored", len(posts(h)))
				}
				if dry {
					// A dry run answers (not an error), says the place is not writable, and still reports the current token.
					if res.IsError || out.Writable == nil || *out.Writable || out.PreviousExpiresAt == nil || !out.DryRun {
						t.Errorf("dry run: isError %v writable %v previous_expires_at %v", res.IsError, out.Writable, out.PreviousExpiresAt)
					}
				} else {
					if !res.IsError || len(h.fake.Requests()) != 0 {
						t.Errorf("isError %v, %d requests: want an error before any request", res.IsError, len(h.fake.Requests()))
					}
					if !strings.Contains(textOf(res), tc.says) || !containsAny(tr.NextSteps, "dry_run") {
						t.Errorf("text %q next steps %v", textOf(res), tr.NextSteps)
					}
				}
				noSecrets(t, h, []string{old.Secret}, res)
			})
		}
	}
}

func TestRenewTokenRefused(t *testing.T) {
	tests := []struct {
		name       string
		setup      func(h *harness, old ganditest.Token)
		want       tools.Diagnosis
		wantStatus int
		wantPosts  int
		says       string // in the text content
	}{{
		name:  "revoked token: 401 on /tokeninfo",
		setup: func(h *harness, old ganditest.Token) { h.fake.Revoke(old.Secret) },
		want:  tools.TokenRejected, wantStatus: 401,
	}, {
		name: "unknown token: 403 on /tokeninfo",
		setup: func(h *harness, old ganditest.Token) {
			h.fake.SetUnknownTokenStatus(403)
			h.storeToken("pat_0000000000000000000000000000000000", 0o600)
		},
		want: tools.TokenRejected, wantStatus: 403,
	}, {
		name: "renewal refused with 403",
		setup: func(h *harness, old ganditest.Token) {
			h.fake.Inject(ganditest.Fault{Method: "POST", Path: renewPath, Status: 403})
		},
		want: tools.AccessDenied, wantStatus: 403, wantPosts: 1, says: "refused to renew",
	}, {
		name: "renewal refused with 401",
		setup: func(h *harness, old ganditest.Token) {
			h.fake.Inject(ganditest.Fault{Method: "POST", Path: renewPath, Status: 401})
		},
		want: tools.AccessDenied, wantStatus: 401, wantPosts: 1, says: "refused to renew",
	}, {
		name: "server error is never retried",
		setup: func(h *harness, old ganditest.Token) {
			h.fake.Inject(ganditest.Fault{Method: "POST", Path: renewPath, Status: 503})
		},
		want: tools.GandiUnavailable, wantStatus: 503, wantPosts: 1,
	}, {
		name: "answer lost: a token may have been issued",
		setup: func(h *harness, old ganditest.Token) {
			h.fake.Inject(ganditest.Fault{Method: "POST", Path: renewPath, CloseConn: true})
		},
		want: tools.GandiUnavailable, wantPosts: 1, says: "may have issued",
	}, {
		name: "answer without a token",
		setup: func(h *harness, old ganditest.Token) {
			h.fake.Inject(ganditest.Fault{Method: "POST", Path: renewPath, Status: 201, Body: `{"id":"x","name":"ci-bot"}`})
		},
		want: tools.BadResponse, wantStatus: 0, wantPosts: 1, says: "may have issued",
	}, {
		name: "expires_at refused by Gandi",
		setup: func(h *harness, old ganditest.Token) {
			h.fake.Inject(ganditest.Fault{Method: "POST", Path: renewPath, Status: 400,
				Body: `{"status":"error","errors":[{"location":"body","name":"expires_at","description":"too far"}]}`})
		},
		want: tools.RequestRejected, wantStatus: 400, wantPosts: 1, says: "expires_at",
	}, {
		name: "legacy API key: nothing sent",
		setup: func(h *harness, old ganditest.Token) {
			_ = os.Remove(h.tokenPath())
			h.env["GANDI_API_KEY"] = h.fake.AddToken(ganditest.Token{Apikey: true}).Secret
		},
		want: tools.LegacyKeyRejected, says: "Personal Access Token",
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, old := renewHarness(t, false)
			tc.setup(h, old)
			before, _ := stored(t, h.tokenPath())
			res, out := renewCall(h, nil)
			if !res.IsError || diagnosisOf(out) != tc.want || out.Troubleshooting.Status != tc.wantStatus {
				t.Fatalf("isError %v troubleshooting %+v, want %s with status %d", res.IsError, out.Troubleshooting, tc.want, tc.wantStatus)
			}
			if n := len(posts(h)); n != tc.wantPosts {
				t.Errorf("%d renewal requests, want %d", n, tc.wantPosts)
			}
			if tc.want == tools.LegacyKeyRejected && len(h.fake.Requests()) != 0 {
				t.Errorf("a legacy key must not be sent anywhere: %d requests", len(h.fake.Requests()))
			}
			if !strings.Contains(textOf(res), tc.says) {
				t.Errorf("text does not say %q: %s", tc.says, textOf(res))
			}
			if len(out.Troubleshooting.NextSteps) == 0 {
				t.Error("no next steps")
			}
			wantStored(t, h.tokenPath(), before, "after a refusal")
			if _, err := os.Stat(h.tokenPath() + ".new"); err == nil {
				t.Error("a .new file was written although no token was issued")
			}
			noSecrets(t, h, []string{old.Secret, before}, res)
		})
	}
}

func TestRenewTokenUnverifiedKeepsBoth(t *testing.T) {
	for _, earlier := range []bool{false, true} {
		t.Run(fmt.Sprintf("earlier .new present=%v", earlier), func(t *testing.T) {
			h, old := renewHarness(t, false)
			path := h.tokenPath()
			if earlier {
				// An earlier .new may be the only copy of another token: it must survive.
				if err := auth.WriteToken(path+".new", "pat_earlier000000000000000000000000"); err != nil {
					t.Fatal(err)
				}
			}
			// The first /tokeninfo (the current token) passes; the new token's check fails.
			h.fake.Inject(ganditest.Fault{Path: "/tokeninfo", Skip: 1, Times: 1, Status: 401})
			res, out := renewCall(h, nil)
			if !res.IsError || diagnosisOf(out) != tools.RenewedTokenInvalid {
				t.Fatalf("want renewed_token_unverified, got %s", textOf(res))
			}
			fresh := issued(t, h, old)
			spare := path + ".new"
			if earlier {
				spare = path + ".new-" + fresh.ID
				wantStored(t, path+".new", "pat_earlier000000000000000000000000", "earlier .new")
			}
			wantStored(t, path, old.Secret, "token file after a failed check")
			wantStored(t, spare, fresh.Secret, "spare file")
			if out.Renewed == nil || !*out.Renewed || out.ID != fresh.ID || out.StoredAt != spare {
				t.Errorf("renewed %v id %q stored_at %q, want true %q %q", out.Renewed, out.ID, out.StoredAt, fresh.ID, spare)
			}
			if !strings.Contains(textOf(res), spare) || !strings.Contains(textOf(res), fresh.ID) || !containsAny(out.Troubleshooting.NextSteps, "mv ") {
				t.Errorf("text should name the spare file, the token id and the mv: %s", textOf(res))
			}
			// The previous token is still the one in use.
			var v tools.VerifyTokenOutput
			h.call("verify_token", nil, &v)
			if !v.Valid || h.fake.Requests()[len(h.fake.Requests())-1].Token != old.Secret {
				t.Errorf("verify_token after a failed check: valid %v", v.Valid)
			}
			noSecrets(t, h, []string{old.Secret, fresh.Secret}, res)
		})
	}
}

// TestRenewTokenFailureAtEachStep fails each step of the rotation in turn and checks
// that the token file holds the old or the new token at every step, and at the end.
func TestRenewTokenFailureAtEachStep(t *testing.T) {
	fail := errors.New("injected failure")
	tests := []struct {
		failAt    []string
		err       error
		want      tools.Diagnosis // "" for success
		wantFile  string          // "old" or "new"
		wantSpare bool            // the new token kept in api_token.new
		wantPosts int
	}{
		{failAt: []string{"check_writable"}, err: fail, want: tools.TokenStoreFailed, wantFile: "old"},
		{failAt: []string{"lock"}, err: fail, want: tools.TokenStoreFailed, wantFile: "old"},
		{failAt: []string{"lock"}, err: auth.ErrLocked, want: tools.RenewalInProgress, wantFile: "old"},
		{failAt: []string{"tokeninfo"}, err: &gandi.Error{Method: "GET", Path: "/tokeninfo", Status: 503}, want: tools.GandiUnavailable, wantFile: "old"},
		{failAt: []string{"reserve"}, err: &os.PathError{Op: "write", Path: "api_token.tmp", Err: syscall.ENOSPC}, want: tools.TokenStoreFailed, wantFile: "old"},
		{failAt: []string{"renew"}, err: &gandi.TransportError{Method: "POST", Path: renewPath, Err: fail}, want: tools.GandiUnavailable, wantFile: "old"},
		{failAt: []string{"check_new"}, err: fail, want: tools.RenewedTokenInvalid, wantFile: "old", wantSpare: true, wantPosts: 1},
		{failAt: []string{"store"}, err: fail, want: tools.TokenStoreFailed, wantFile: "old", wantSpare: true, wantPosts: 1},
		{failAt: []string{"store", "store_new"}, err: fail, want: tools.TokenStoreFailed, wantFile: "old", wantPosts: 1},
		{failAt: []string{"check_new", "store_new"}, err: fail, want: tools.TokenStoreFailed, wantFile: "old", wantPosts: 1},
		{failAt: []string{"store_new"}, err: fail, wantFile: "new", wantPosts: 1}, // never reached on success
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.failAt, "+")+" "+tc.err.Error(), func(t *testing.T) {
			var path, oldSecret string // set before the call; read by the hook during it
			var mu sync.Mutex
			var steps, problems []string
			h, old := renewHarness(t, false, withDeps(func(d *tools.Deps) {
				d.BeforeRenewStep = func(ctx context.Context, step string) error {
					got, mode := stored(t, path)
					mu.Lock()
					defer mu.Unlock()
					steps = append(steps, step)
					if got != oldSecret || mode != 0o600 {
						problems = append(problems, step)
					}
					if slices.Contains(tc.failAt, step) {
						return tc.err
					}
					return nil
				}
			}))
			path, oldSecret = h.tokenPath(), old.Secret
			res, out := renewCall(h, nil)
			if problems != nil {
				t.Errorf("the token file did not hold the old token, mode 0600, before steps %v", problems)
			}
			if got := diagnosisOf(out); got != tc.want || res.IsError != (tc.want != "") {
				t.Fatalf("diagnosis %q isError %v, want %q; steps %v; %s", got, res.IsError, tc.want, steps, textOf(res))
			}
			if n := len(posts(h)); n != tc.wantPosts {
				t.Errorf("%d renewal requests, want %d", n, tc.wantPosts)
			}
			secrets := []string{old.Secret}
			want := old.Secret
			if tc.wantPosts == 1 {
				fresh := issued(t, h, old)
				secrets = append(secrets, fresh.Secret)
				if tc.wantFile == "new" {
					want = fresh.Secret
				}
				spare, _ := stored(t, path+".new")
				if tc.wantSpare {
					wantStored(t, path+".new", fresh.Secret, "spare")
				} else if spare != "" {
					t.Error("unexpected .new file")
				}
				if tc.want == tools.TokenStoreFailed && !tc.wantSpare {
					// Stored nowhere: the result must name the token so that it can be deleted.
					for _, s := range []string{fresh.ID, `"ci-bot"`, "admin.gandi.net", "lost"} {
						if !strings.Contains(textOf(res), s) {
							t.Errorf("text does not say %q: %s", s, textOf(res))
						}
					}
					if out.Renewed == nil || !*out.Renewed || out.ID != fresh.ID || out.StoredAt != "" {
						t.Errorf("renewed %v id %q stored_at %q", out.Renewed, out.ID, out.StoredAt)
					}
					// The loss is logged at error level, which reaches the client as an MCP log message.
					notes, _ := json.Marshal(h.notifications())
					if !strings.Contains(string(notes), "notifications/message") || !strings.Contains(string(notes), fresh.ID) {
						t.Errorf("no MCP log message names the lost token: %s", notes)
					}
				}
			}
			wantStored(t, path, want, "at the end")
			noTempFiles(t, filepath.Dir(path))
			noSecrets(t, h, secrets, res)
		})
	}
}

// TestRenewTokenConcurrent runs two renewals at once on one session: the second starts
// while the first holds the lock, so only one may ask Gandi. The second waits, then finds
// the token file replaced and sends nothing: renewing the old token again would be stale.
func TestRenewTokenConcurrent(t *testing.T) {
	firstInRenew := make(chan struct{})
	secondLocking := make(chan struct{})
	var locks, renewals atomic.Int32
	h, old := renewHarness(t, false, withDeps(func(d *tools.Deps) {
		d.BeforeRenewStep = func(ctx context.Context, step string) error {
			switch step {
			case "lock":
				if locks.Add(1) == 2 {
					close(secondLocking)
				}
			case "renew":
				if renewals.Add(1) > 1 {
					return nil // a second renewal: counted below as a second POST
				}
				close(firstInRenew)
				select {
				case <-secondLocking:
				case <-time.After(10 * time.Second):
					return errors.New("the second renewal never reached the lock")
				}
			}
			return nil
		}
	}))
	call := func() (*mcp.CallToolResult, tools.RenewTokenOutput, error) {
		req := mcp.CallToolRequest{}
		req.Params.Name = "renew_token"
		res, err := h.client.CallTool(context.Background(), req)
		var out tools.RenewTokenOutput
		if err == nil {
			err = json.Unmarshal(res.RawStructuredContent, &out)
		}
		return res, out, err
	}
	type answer struct {
		res *mcp.CallToolResult
		out tools.RenewTokenOutput
		err error
	}
	first := make(chan answer, 1)
	go func() {
		res, out, err := call()
		first <- answer{res, out, err}
	}()
	<-firstInRenew
	res2, out2, err := call()
	a := <-first
	if err != nil || a.err != nil {
		t.Fatal(err, a.err)
	}
	if a.res.IsError || a.out.Renewed == nil || !*a.out.Renewed {
		t.Fatalf("first renewal: %s", textOf(a.res))
	}
	if !res2.IsError || diagnosisOf(out2) != tools.RenewalInProgress || !strings.Contains(out2.Troubleshooting.Summary, "replaced") {
		t.Fatalf("second renewal: %s", textOf(res2))
	}
	if n := len(posts(h)); n != 1 {
		t.Errorf("%d renewal requests, want exactly 1", n)
	}
	fresh := issued(t, h, old)
	wantStored(t, h.tokenPath(), fresh.Secret, "after both")
	noSecrets(t, h, []string{old.Secret, fresh.Secret}, a.res, res2)
}

// TestRenewTokenLockedElsewhere holds the lock as another process would: the renewal
// waits its bounded time, then reports it, having sent nothing.
func TestRenewTokenLockedElsewhere(t *testing.T) {
	h, old := renewHarness(t, false, withDeps(func(d *tools.Deps) { d.RenewLockWait = 20 * time.Millisecond }))
	unlock, err := auth.TryLock(h.tokenPath())
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	res, out := renewCall(h, nil)
	if !res.IsError || diagnosisOf(out) != tools.RenewalInProgress || !out.Troubleshooting.Retryable {
		t.Fatalf("want a retryable renewal_in_progress, got %s", textOf(res))
	}
	if len(h.fake.Requests()) != 0 {
		t.Errorf("%d requests made while another renewal held the lock", len(h.fake.Requests()))
	}
	// A dry run does not wait: it says a renewal is running and still reports the token.
	res, out = renewCall(h, map[string]any{"dry_run": true})
	if res.IsError || diagnosisOf(out) != tools.RenewalInProgress || out.PreviousExpiresAt == nil {
		t.Errorf("dry run while locked: %s", textOf(res))
	}
	wantStored(t, h.tokenPath(), old.Secret, "while locked")
}

// Two configurations whose token paths link to one file share one lock: while a renewal
// through the other path holds it, this one asks Gandi for nothing.
func TestRenewTokenLockedThroughALink(t *testing.T) {
	var real string
	h, _ := renewHarness(t, false, withDeps(func(d *tools.Deps) { d.RenewLockWait = 20 * time.Millisecond }),
		withSetup(func(h *harness) {
			real = filepath.Join(filepath.Dir(h.config), "dotfiles", "api_token")
			if err := os.MkdirAll(filepath.Dir(real), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(h.tokenPath(), real); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(real, h.tokenPath()); err != nil {
				t.Skip("symbolic links:", err)
			}
		}))
	other := filepath.Join(h.home, "other-config", "api_token")
	if err := os.MkdirAll(filepath.Dir(other), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(real, other); err != nil {
		t.Fatal(err)
	}
	unlock, err := auth.TryLock(other)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	res, out := renewCall(h, nil)
	if diagnosisOf(out) != tools.RenewalInProgress || len(posts(h)) != 0 {
		t.Fatalf("want renewal_in_progress and no renewal request, got %d requests: %s", len(posts(h)), textOf(res))
	}
}

// TestRenewTokenCancelledAfterTheRequest cancels the call while Gandi is issuing the
// token: the rotation goes on, and the new token is stored all the same.
func TestRenewTokenCancelledAfterTheRequest(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	h, old := renewHarness(t, false, withDeps(func(d *tools.Deps) {
		d.BeforeRenewStep = func(hctx context.Context, step string) error {
			if step == "renew" {
				cancel()
				<-hctx.Done() // the cancellation reached the server's handler
			}
			return nil
		}
	}))
	req := mcp.CallToolRequest{}
	req.Params.Name = "renew_token"
	if _, err := h.client.CallTool(ctx, req); err == nil {
		t.Fatal("the call was cancelled but answered")
	}
	// The rotation holds the lock until its end: taking it waits for the rotation.
	unlock, err := auth.Lock(context.Background(), h.tokenPath())
	if err != nil {
		t.Fatal(err)
	}
	unlock()
	fresh := issued(t, h, old)
	wantStored(t, h.tokenPath(), fresh.Secret, "after a cancelled call")
}

func TestRenewTokenDryRun(t *testing.T) {
	for _, fromEnv := range []bool{false, true} {
		t.Run(fmt.Sprintf("from env=%v", fromEnv), func(t *testing.T) {
			h, old := renewHarness(t, fromEnv)
			path := h.tokenPath()
			before, _ := stored(t, path)
			expires := time.Now().Add(30 * 24 * time.Hour).UTC().Truncate(time.Second)
			res, out := renewCall(h, map[string]any{"dry_run": true, "name": "next", "expires_at": expires.Format(time.RFC3339)})
			if res.IsError || out.Troubleshooting != nil {
				t.Fatalf("dry run: %s", textOf(res))
			}
			for _, r := range h.fake.Requests() {
				if r.Method != "GET" || r.Path != "/tokeninfo" {
					t.Errorf("a dry run sent %s %s", r.Method, r.Path)
				}
			}
			if len(h.fake.Tokens()) != 1 {
				t.Error("a dry run issued a token")
			}
			wantStored(t, path, before, "after a dry run")
			if _, err := os.Stat(auth.LockPath(path)); err == nil {
				t.Error("a dry run created the lock file")
			}
			if out.Renewed == nil || *out.Renewed || !out.DryRun || out.WouldStoreAt != path || out.Writable == nil || !*out.Writable {
				t.Errorf("renewed %v dry_run %v would_store_at %q writable %v", out.Renewed, out.DryRun, out.WouldStoreAt, out.Writable)
			}
			if out.PreviousName != "ci-bot" || out.PreviousExpiresAt == nil || out.Name != "next" || out.StoredAt != "" {
				t.Errorf("previous %q %v name %q stored_at %q", out.PreviousName, out.PreviousExpiresAt, out.Name, out.StoredAt)
			}
			ws := out.WouldSend
			if ws == nil || ws.Method != "POST" || ws.URL != h.fake.URL+renewPath || ws.Name != "next" || ws.ExpiresAt == nil || !ws.ExpiresAt.Equal(expires) {
				t.Errorf("would_send = %+v", ws)
			}
			if fromEnv != containsAny(out.NextSteps, "GANDI_API_TOKEN") {
				t.Errorf("next steps = %v", out.NextSteps)
			}
			noSecrets(t, h, []string{old.Secret}, res)
		})
	}
}

func TestRenewTokenInvalidInput(t *testing.T) {
	now := time.Now().UTC()
	allowed := "7, 30, 60, 90 days or 1 year"
	tests := []struct {
		name string
		args func(old ganditest.Token) map[string]any
		says string
	}{
		{"expiry in the past", func(ganditest.Token) map[string]any {
			return map[string]any{"expires_at": now.Add(-time.Hour).Format(time.RFC3339)}
		}, allowed},
		{"expiry within a day", func(ganditest.Token) map[string]any {
			return map[string]any{"expires_at": now.Add(time.Hour).Format(time.RFC3339)}
		}, "less than a day"},
		{"expiry beyond a year", func(ganditest.Token) map[string]any {
			return map[string]any{"expires_at": now.AddDate(1, 0, 2).Format(time.RFC3339)}
		}, "more than one year ahead"},
		{"expiry beyond a year, in a dry run", func(ganditest.Token) map[string]any {
			return map[string]any{"dry_run": true, "expires_at": now.AddDate(2, 0, 0).Format(time.RFC3339)}
		}, allowed},
		{"date without time", func(ganditest.Token) map[string]any { return map[string]any{"expires_at": "2030-01-01"} }, "2026-12-31T00:00:00Z"},
		{"expiry of the wrong type", func(ganditest.Token) map[string]any { return map[string]any{"expires_at": 30} }, "string"},
		{"blank name", func(ganditest.Token) map[string]any { return map[string]any{"name": "   "} }, "omit it"},
		{"name too long", func(ganditest.Token) map[string]any { return map[string]any{"name": strings.Repeat("n", 129)} }, "at most 128"},
		{"name with a line break", func(ganditest.Token) map[string]any { return map[string]any{"name": "a\nb"} }, "line break"},
		{"name that looks like a token", func(ganditest.Token) map[string]any {
			return map[string]any{"name": "pat_0123456789abcdef0123456789abcdef"}
		}, "never a secret"},
		{"name holding the token itself", func(old ganditest.Token) map[string]any {
			return map[string]any{"name": "my " + old.Secret}
		}, "never a secret"},
		{"unknown argument", func(ganditest.Token) map[string]any { return map[string]any{"ttl": 30} }, "ttl"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, old := renewHarness(t, false)
			res, out := renewCall(h, tc.args(old))
			if !res.IsError || diagnosisOf(out) != tools.InvalidInput || !strings.Contains(textOf(res), tc.says) {
				t.Fatalf("want invalid_input saying %q, got %s", tc.says, textOf(res))
			}
			if len(h.fake.Requests()) != 0 {
				t.Errorf("%d requests made for invalid input", len(h.fake.Requests()))
			}
			wantStored(t, h.tokenPath(), old.Secret, "after invalid input")
			noSecrets(t, h, []string{old.Secret}, res)
		})
	}
	t.Run("one year ahead, to the minute, is allowed", func(t *testing.T) {
		h, old := renewHarness(t, false)
		exp := time.Now().AddDate(1, 0, 0).Add(-time.Minute).UTC().Truncate(time.Second)
		res, out := renewCall(h, map[string]any{"expires_at": exp.Format(time.RFC3339)})
		if res.IsError || out.ExpiresAt == nil || !out.ExpiresAt.Equal(exp) {
			t.Fatalf("expires_at %v: %s", out.ExpiresAt, textOf(res))
		}
		wantStored(t, h.tokenPath(), issued(t, h, old).Secret, "after renewal")
	})
}

// reserved lists the room a renewal reserved in dir: hidden files, with their sizes.
func reserved(t *testing.T, dir string) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if info, err := e.Info(); err == nil && strings.HasPrefix(e.Name(), ".") {
			out[e.Name()] = info.Size()
		}
	}
	return out
}

// Before it asks Gandi, a renewal reserves the room for the new token (the temporary file
// and the spare, 4 KiB each, flushed); when that fails, as on a full disk, nothing is
// sent. Once done, whatever the way, no reserved file is left and no .new file holds
// anything but a token.
func TestRenewTokenReservesRoomBeforeAsking(t *testing.T) {
	full := &os.PathError{Op: "write", Path: "api_token.tmp", Err: syscall.ENOSPC}
	tests := []struct {
		name      string
		failAt    string
		err       error
		want      tools.Diagnosis
		wantPosts int
		wantSpare bool
	}{
		{name: "disk full", failAt: "reserve", err: full, want: tools.TokenStoreFailed},
		{name: "renewed and stored", wantPosts: 1},
		{name: "Gandi refuses", failAt: "renew", err: &gandi.Error{Method: "POST", Path: renewPath, Status: 500}, want: tools.GandiUnavailable},
		{name: "new token fails its check", failAt: "check_new", err: errors.New("injected"), want: tools.RenewedTokenInvalid, wantPosts: 1, wantSpare: true},
		{name: "token file cannot be replaced", failAt: "store", err: errors.New("injected"), want: tools.TokenStoreFailed, wantPosts: 1, wantSpare: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var dir string
			var atRenew map[string]int64
			h, old := renewHarness(t, false, withDeps(func(d *tools.Deps) {
				d.BeforeRenewStep = func(ctx context.Context, step string) error {
					if step == "renew" {
						atRenew = reserved(t, dir)
					}
					if step == tc.failAt {
						return tc.err
					}
					return nil
				}
			}))
			dir = filepath.Dir(h.tokenPath())
			res, out := renewCall(h, nil)
			if got := diagnosisOf(out); got != tc.want {
				t.Fatalf("diagnosis %q, want %q: %s", got, tc.want, textOf(res))
			}
			if n := len(posts(h)); n != tc.wantPosts {
				t.Errorf("%d renewal requests, want %d", n, tc.wantPosts)
			}
			if tc.failAt != "reserve" {
				sizes := slices.Sorted(maps.Values(atRenew))
				if !slices.Equal(sizes, []int64{auth.ReserveSize, auth.ReserveSize}) {
					t.Errorf("reserved before the request: %v, want two files of %d bytes", atRenew, auth.ReserveSize)
				}
			} else {
				for _, want := range []string{"not asked", "full", "renew_token again"} {
					if !strings.Contains(textOf(res), want) {
						t.Errorf("the result does not say %q: %s", want, textOf(res))
					}
				}
			}
			if left := reserved(t, dir); len(left) != 0 {
				t.Errorf("reserved files left: %v", left)
			}
			want := old.Secret
			if tc.want == "" {
				want = issued(t, h, old).Secret
			}
			wantStored(t, h.tokenPath(), want, "the token file")
			spare, _ := stored(t, h.tokenPath()+".new")
			switch {
			case tc.wantSpare:
				wantStored(t, h.tokenPath()+".new", issued(t, h, old).Secret, "the spare")
			case spare != "":
				t.Errorf("api_token.new left holding %d bytes", len(spare))
			}
			if _, err := os.Lstat(h.tokenPath() + ".new"); !tc.wantSpare && err == nil {
				t.Error("api_token.new left behind")
			}
		})
	}
}

// A renewed token of 4096 characters (the longest accepted) is stored, then used.
func TestRenewTokenStoresALongToken(t *testing.T) {
	long := ("pat_" + strings.Repeat("Lk3-m9_Qz", 500))[:4096]
	h, old := renewHarness(t, false)
	fresh := h.fake.AddToken(ganditest.Token{Secret: long, Name: "ci-bot", Scopes: old.Scopes, Entities: old.Entities})
	body, _ := json.Marshal(map[string]any{"access_token": long, "id": fresh.ID, "name": "ci-bot",
		"expires_at": fresh.ExpiresAt.Format(time.RFC3339), "scopes": old.Scopes, "entities": old.Entities})
	h.fake.Inject(ganditest.Fault{Method: "POST", Path: renewPath, Status: 201, Body: string(body)})
	res, out := renewCall(h, nil)
	if out.Troubleshooting != nil || out.StoredAt != h.tokenPath() {
		t.Fatalf("renewal: %s", textOf(res))
	}
	wantStored(t, h.tokenPath(), long, "after the renewal")
	var v tools.VerifyTokenOutput
	if res := h.call("verify_token", nil, &v); res.IsError || !v.Valid {
		t.Errorf("verify_token with the long token: %s", textOf(res))
	}
	noSecrets(t, h, []string{old.Secret, long}, res)
}
