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
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/gandi-mcp/gandi-mcp/gandi"
	"github.com/gandi-mcp/gandi-mcp/gandi/ganditest"
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
					res, err := h.callWithin(tool, h.args(tool))
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
		// Every token file under gandi/ holds a token: the default one, the sandbox's, a profile's.
		if path == tokenFile || filepath.Base(path) == "api_token" && strings.HasPrefix(path, filepath.Join(h.config, "gandi")+string(filepath.Separator)) {
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

// hideEveryOther encodes every second character of s with enc, so that no fixed
// escaped form of s matches what an upstream sends.
func hideEveryOther(s string, enc func(c byte) string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if i%2 == 1 {
			b.WriteString(enc(s[i]))
		} else {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

var (
	escapeSeq = regexp.MustCompile(`\\u([0-9a-fA-F]{4})|%([0-9a-fA-F]{2})`)
	entitySeq = regexp.MustCompile(`&#(x?)([0-9a-fA-F]+);`)
)

// uncover decodes, layer after layer, what an encoding could hide: \uXXXX, %XX and
// numeric entities, the test's own decoder (not the one under test).
func uncover(s string) string {
	for range 4 {
		s = escapeSeq.ReplaceAllStringFunc(s, func(m string) string {
			v, _ := strconv.ParseUint(strings.TrimLeft(m, `\u%`), 16, 32)
			return string(rune(v))
		})
		s = entitySeq.ReplaceAllStringFunc(s, func(m string) string {
			sub := entitySeq.FindStringSubmatch(m)
			base := 10
			if sub[1] == "x" {
				base = 16
			}
			v, _ := strconv.ParseUint(sub[2], base, 32)
			return string(rune(v))
		})
		s = html.UnescapeString(s)
	}
	return s
}

// TestEchoedSecretsAreScrubbed has the fake echo a secret the process holds in fields
// that have nothing to do with secrets (a token's name, an organization's name, a
// domain's tag and owner, a renewal's name) or hidden under encodings in an error, and
// runs every tool: no result, log or notification may repeat the secret, in any form,
// and every structured content stays valid JSON.
func TestEchoedSecretsAreScrubbed(t *testing.T) {
	secret := secretPAT.secret
	renewed := `pat_R3newed+/=&<>"\ZYXWVUTSRQPONMLK`
	entity := func(c byte) string { return "&#" + strconv.Itoa(int(c)) + ";" }
	percent := func(c byte) string { return "%" + strings.ToUpper(strconv.FormatUint(uint64(c), 16)) }
	backslash := func(c byte) string { return `\\u00` + strconv.FormatUint(uint64(c), 16) }
	errorBody := func(enc func(byte) string) string {
		hidden := hideEveryOther(secret, enc)
		if enc(0) == backslash(0) {
			return `{"code": 403, "message": "bad token ` + hidden + `", "object": "` + hidden + `", "cause": "Forbidden"}`
		}
		js, _ := json.Marshal(map[string]any{"code": 403, "message": "bad token " + hidden, "cause": hidden, "object": "x"})
		return string(js)
	}
	tests := []struct {
		name    string
		account func(h *harness) // builds the account; the token in use is secret
		failing bool             // every request fails, so no expiry book is written
	}{
		{name: "token named after itself", account: func(h *harness) { echoAccount(h, secret, "acme", nil) }},
		{name: "organization named after the token", account: func(h *harness) { echoAccount(h, "ci-bot", secret, nil) }},
		{name: "domain tagged and owned by the token", account: func(h *harness) {
			echoAccount(h, "ci-bot", "acme", func(d *gandi.Domain) { d.Tags = []string{"prod", secret}; d.Owner = secret })
		}},
		{name: "entity-encoded in an error", failing: true, account: func(h *harness) {
			echoAccount(h, "ci-bot", "acme", nil)
			h.fake.Inject(ganditest.Fault{Status: 403, Body: errorBody(entity)})
		}},
		{name: "URL-encoded in an error", failing: true, account: func(h *harness) {
			echoAccount(h, "ci-bot", "acme", nil)
			h.fake.Inject(ganditest.Fault{Status: 403, Body: errorBody(percent)})
		}},
		{name: "JSON-escaped twice in an error", failing: true, account: func(h *harness) {
			echoAccount(h, "ci-bot", "acme", nil)
			h.fake.Inject(ganditest.Fault{Status: 403, Body: errorBody(backslash)})
		}},
		{name: "base64 in an error", failing: true, account: func(h *harness) {
			echoAccount(h, "ci-bot", "acme", nil)
			js, _ := json.Marshal(map[string]any{"code": 401, "message": "bad credential Basic " + base64.StdEncoding.EncodeToString([]byte(secret))})
			h.fake.Inject(ganditest.Fault{Status: 401, Body: string(js)})
		}},
		{name: "renewed token named after itself", account: func(h *harness) {
			org := echoAccount(h, "ci-bot", "acme", nil)
			fresh := h.fake.AddToken(ganditest.Token{Secret: renewed, Name: renewed, Scopes: allScopes,
				Entities: []gandi.Entity{ganditest.OrganizationEntity(org)}})
			body, _ := json.Marshal(map[string]any{"access_token": renewed, "id": fresh.ID, "name": renewed,
				"expires_at": fresh.ExpiresAt.Format(time.RFC3339), "scopes": allScopes, "entities": fresh.Entities})
			h.fake.Inject(ganditest.Fault{Method: "POST", Path: renewPath, Status: 201, Body: string(body)})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, withSetup(tt.account), withSetup(func(h *harness) {
				h.deps.ExpiryFile = filepath.Join(filepath.Dir(h.config), "state", "expiry.json")
			}))
			//lint:ignore SA1019 logging/setLevel is still what clients on the 2025 protocol send
			if err := h.client.SetLevel(context.Background(), mcp.SetLevelRequest{Params: mcp.SetLevelParams{Level: mcp.LoggingLevelDebug}}); err != nil {
				t.Fatal(err)
			}
			var produced []string
			calls := []struct {
				tool string
				args map[string]any
			}{{"verify_token", nil}, {"list_domains", nil}, {"list_sharing", nil},
				{"renew_token", map[string]any{"dry_run": true}}, {"renew_token", nil}}
			for _, c := range calls {
				res, err := h.callWithin(c.tool, c.args)
				if err != nil {
					t.Fatalf("%s: %v", c.tool, err)
				}
				if !json.Valid(res.RawStructuredContent) {
					t.Errorf("%s: structured content is not valid JSON:\n%s", c.tool, res.RawStructuredContent)
				}
				produced = append(produced, c.tool+" text: "+textOf(res), c.tool+" structured: "+string(res.RawStructuredContent))
			}
			notes, _ := json.Marshal(h.notifications())
			produced = append(produced, "stderr: "+h.stderr.String(), "notifications: "+string(notes))
			if !strings.Contains(strings.Join(produced, ""), "[redacted]") {
				t.Errorf("nothing was redacted: did the fake echo the secret at all?\n%s", strings.Join(produced, "\n"))
			}
			for _, p := range produced {
				for _, view := range []string{p, uncover(p)} {
					if piece, ok := leaks(view, []string{secret, renewed}); ok {
						t.Errorf("a piece of a secret (%q) got out:\n%s", piece, p)
						break
					}
				}
			}
			if _, err := os.Stat(h.deps.ExpiryFile); err != nil && !tt.failing {
				t.Errorf("no expiry book written: the scan of files would prove nothing: %v", err)
			}
			h.scanFiles(t, []string{secret, renewed}, func(where, text string) {
				if piece, ok := leaks(text, []string{secret, renewed}); ok {
					t.Errorf("%s holds a piece of a secret (%q):\n%s", where, piece, text)
				}
			})
		})
	}
}

// echoAccount adds an organization, three domains (edited by domain when set) and the
// PAT secretPAT named tokenName, stored in the token file; it returns the organization.
func echoAccount(h *harness, tokenName, orgName string, domain func(*gandi.Domain)) gandi.Organization {
	org := h.fake.AddOrganization(gandi.Organization{Name: orgName, Type: "company"})
	h.fake.SeedDomains(org.ID, 3, time.Now())
	if domain != nil {
		var ds []gandi.Domain
		for i := range 2 {
			end := time.Now().Add(time.Duration(i+5) * 24 * time.Hour)
			d := gandi.Domain{FQDN: "echo" + strconv.Itoa(i) + ".example", SharingID: org.ID, SharingSpace: &gandi.SharingSpace{ID: org.ID, Name: orgName},
				Dates: gandi.DomainDates{RegistryEndsAt: &end}}
			domain(&d)
			ds = append(ds, d)
		}
		h.fake.AddDomains(ds...)
	}
	tok := h.fake.AddToken(ganditest.Token{Secret: secretPAT.secret, Name: tokenName, Scopes: allScopes,
		Entities: []gandi.Entity{ganditest.OrganizationEntity(org)}, ExpiresAt: time.Now().Add(10 * 24 * time.Hour)})
	h.storeToken(tok.Secret, 0o600)
	return org
}
