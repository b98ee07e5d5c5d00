package skill

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"html"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/gandi-mcp/gandi-mcp/tools"
)

// Known secrets: the PAT holds every character an escaping could change.
var (
	secretPAT    = credential{name: "pat", secret: `pat_S3cr+t/Tok=en&Val<ue>"q\b0123456789abcdef`}
	secretAPIKey = credential{name: "api_key", secret: "LeGaCyKeY0123456789AbCdE", apikey: true}
)

// leakWindow is the length of the shortest piece of a secret that counts as a leak.
const leakWindow = 12

// secretForms returns s as written and as escaped for a URL, a JSON or Go
// string, HTML and base64: every way a careless print could carry it.
func secretForms(s string) []string {
	js, _ := json.Marshal(s)
	var plain bytes.Buffer
	enc := json.NewEncoder(&plain)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	quoted := strconv.Quote(s)
	forms := []string{s, url.QueryEscape(s), url.PathEscape(s), string(js[1 : len(js)-1]),
		strings.TrimSpace(plain.String())[1 : len(strings.TrimSpace(plain.String()))-1],
		quoted[1 : len(quoted)-1], html.EscapeString(s), base64.StdEncoding.EncodeToString([]byte(s))}
	return forms
}

// leaks returns the first piece of a secret found in text, in any form: the
// whole form, or any leakWindow-long piece of it.
func leaks(text string, secrets []string) (string, bool) {
	for _, s := range secrets {
		for _, f := range secretForms(s) {
			if strings.Contains(text, f) {
				return f, true
			}
			for i := 0; i+leakWindow <= len(f); i++ {
				if w := f[i : i+leakWindow]; strings.Contains(text, w) {
					return w, true
				}
			}
		}
	}
	return "", false
}

// credentialPath is a change to the credential that leads a call down another path.
type credentialPath struct {
	name  string
	apply func(t *testing.T, h *harness, c credential)
	only  string // "pat" or "api_key" when it applies to one kind only
}

// credentialPaths run after the faults; the last one revokes the token.
var credentialPaths = []credentialPath{{
	name: "token file readable by others", only: "pat",
	apply: func(t *testing.T, h *harness, c credential) { h.storeToken(c.secret, 0o644) },
}, {
	name: "token file writable by others", only: "pat",
	apply: func(t *testing.T, h *harness, c credential) { h.storeToken(c.secret, 0o666) },
}, {
	name: "malformed token file", only: "pat",
	apply: func(t *testing.T, h *harness, c credential) { h.storeToken(c.secret[:14]+" "+c.secret[14:], 0o600) },
}, {
	name: "malformed key", only: "api_key",
	apply: func(t *testing.T, h *harness, c credential) {
		h.env["GANDI_API_KEY"] = c.secret[:12] + "\t" + c.secret[12:]
	},
}, {
	name: "back to the good credential",
	apply: func(t *testing.T, h *harness, c credential) {
		if c.apikey {
			h.env["GANDI_API_KEY"] = c.secret
		} else {
			h.storeToken(c.secret, 0o600)
		}
	},
}, {
	name:  "revoked",
	apply: func(t *testing.T, h *harness, c credential) { h.fake.Revoke(c.secret) },
}}

// TestSecretsNeverLeak runs every tool down every path (success, each fault,
// each credential problem) with known secrets and MCP logging at debug, then
// scans all the server produced: results, stderr, log notifications and the
// files it left. No secret may appear, whole, escaped, or in part.
func TestSecretsNeverLeak(t *testing.T) {
	for _, cred := range []credential{secretPAT, secretAPIKey} {
		for _, tool := range toolNames(t) {
			// Not parallel: mcp-go keeps one stdio session per process, so parallel
			// sessions could take each other's log notifications.
			t.Run(cred.name+"/"+tool, func(t *testing.T) {
				h, ref := newFaultHarness(t, cred, withDeps(func(d *tools.Deps) { d.Timeout = 300 * time.Millisecond }))
				ctx := context.Background()
				//lint:ignore SA1019 logging/setLevel is still what clients on the 2025 protocol send
				if err := h.client.SetLevel(ctx, mcp.SetLevelRequest{Params: mcp.SetLevelParams{Level: mcp.LoggingLevelDebug}}); err != nil {
					t.Fatal(err)
				}
				var produced []string
				call := func(path string) {
					res, err := h.callWithin(tool, map[string]any{})
					if err != nil {
						t.Fatalf("%s: protocol error: %v", path, err)
					}
					all, _ := json.Marshal(res)
					produced = append(produced, textOf(res), string(res.RawStructuredContent), string(all))
				}
				call("success")
				for _, fc := range faultCases() {
					h.inject(ref, fc)
					call(fc.name)
					h.clear(ref)
				}
				for _, p := range credentialPaths {
					if p.only != "" && p.only != cred.name {
						continue
					}
					p.apply(t, h, cred)
					call(p.name)
				}

				secrets := []string{cred.secret}
				for _, tok := range h.fake.Tokens() {
					secrets = append(secrets, tok.Secret) // renewed tokens too
				}
				check := func(where, text string) {
					if piece, ok := leaks(text, secrets); ok {
						t.Errorf("%s holds a piece of a secret (%q):\n%s", where, piece, text)
					}
				}
				for i, p := range produced {
					check("result "+strconv.Itoa(i/3), p)
				}
				log := h.stderr.String()
				if !strings.Contains(log, "tool failed") {
					t.Errorf("stderr lacks the failures it should log; is it captured?\n%s", log)
				}
				check("stderr", log)
				notes := h.notifications()
				logged := 0
				for _, n := range notes {
					raw, _ := json.Marshal(n)
					if n.Method == string(mcp.MethodNotificationMessage) {
						logged++
					}
					check("notification "+n.Method, string(raw))
				}
				if logged == 0 {
					t.Error("no MCP log notification at debug level: the scan would prove nothing")
				}
				h.scanFiles(t, secrets, check)
			})
		}
	}
}

// scanFiles checks every file under the harness's directories except token
// files: the token file itself, or a sibling named api_token.* holding
// exactly one known token with mode 0600.
func (h *harness) scanFiles(t *testing.T, secrets []string, check func(where, text string)) {
	t.Helper()
	tokenFile := filepath.Join(h.config, "gandi", "api_token")
	isToken := func(path string, data []byte, mode fs.FileMode) bool {
		if path == tokenFile {
			return true
		}
		content := strings.TrimSpace(string(data))
		if filepath.Dir(path) != filepath.Dir(tokenFile) || !strings.HasPrefix(filepath.Base(path), "api_token.") || mode.Perm() != 0o600 {
			return false
		}
		for _, s := range secrets {
			if content == s {
				t.Logf("token file by another name: %s", path)
				return true
			}
		}
		return false
	}
	err := filepath.WalkDir(filepath.Dir(h.config), func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if !isToken(path, data, info.Mode()) {
			check("file "+path, string(data))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestLeakDetector proves the scan finds what it looks for.
func TestLeakDetector(t *testing.T) {
	s := secretPAT.secret
	js, _ := json.Marshal(map[string]string{"x": s})
	tests := []struct {
		name, text string
		leak       bool
	}{
		{"whole", "token " + s, true},
		{"a twelve-byte piece", "…" + s[10:22] + "…", true},
		{"URL-escaped", "GET /x?t=" + url.QueryEscape(s), true},
		{"JSON-escaped", string(js), true},
		{"HTML-escaped", html.EscapeString(s), true},
		{"an eleven-byte piece", s[:11], false},
		{"redacted", "token [redacted]", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, got := leaks(tc.text, []string{s}); got != tc.leak {
				t.Errorf("leaks(%q) = %v, want %v", tc.text, got, tc.leak)
			}
		})
	}
}
