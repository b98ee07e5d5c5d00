package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gandi-mcp/gandi-mcp/gandi"
	"github.com/gandi-mcp/gandi-mcp/gandi/ganditest"
	"github.com/gandi-mcp/gandi-mcp/skill"
)

// invocation is one gandi-mcp command line with its own environment.
type invocation struct {
	env   map[string]string
	stdin string
	tty   bool // stdout is a terminal
}

// home returns an environment whose config and home directories are fresh temp dirs.
func home(t *testing.T) (env map[string]string, config string) {
	t.Helper()
	root := t.TempDir()
	config = filepath.Join(root, "config")
	return map[string]string{"HOME": filepath.Join(root, "home"), "XDG_CONFIG_HOME": config}, config
}

// withFake points the environment at a fresh ganditest fake (http on loopback is allowed).
func withFake(t *testing.T, env map[string]string) *ganditest.Server {
	t.Helper()
	fake := ganditest.NewTestServer(t)
	env["GANDI_API_URL"] = fake.URL
	env["GANDI_ID_URL"] = fake.URL
	return fake
}

func (in invocation) run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	// A real pipe, as a shell gives `... | gandi-mcp token set`.
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		io.WriteString(w, in.stdin)
		w.Close()
	}()
	defer r.Close()
	var out, errOut bytes.Buffer
	e := &env{stdin: r, stdout: &out, stderr: &errOut, getenv: func(k string) string { return in.env[k] }, stdoutTTY: in.tty}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	code = run(ctx, args, e)
	return code, out.String(), errOut.String()
}

func mode(t *testing.T, path string) os.FileMode {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return info.Mode().Perm()
}

const secret = "pat_0123456789SECRETabcdef0123456789"

func TestTokenSetWritesPrivately(t *testing.T) {
	tests := []struct {
		name string
		args []string
		file string // under the config home
	}{
		{"production", []string{"token", "set"}, "gandi/api_token"},
		{"sandbox", []string{"token", "set", "--sandbox"}, "gandi/sandbox/api_token"},
		{"sandbox from the environment", []string{"token", "set"}, "gandi/sandbox/api_token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, config := home(t)
			if strings.Contains(tt.name, "environment") {
				env["GANDI_SANDBOX"] = "1"
			}
			code, stdout, stderr := invocation{env: env, stdin: secret + "\n"}.run(t, tt.args...)
			if code != exitOK {
				t.Fatalf("exit %d; stderr: %s", code, stderr)
			}
			path := filepath.Join(config, tt.file)
			data, err := os.ReadFile(path)
			if err != nil || string(data) != secret+"\n" {
				t.Fatalf("token file %s = %q, %v", path, data, err)
			}
			if m := mode(t, path); m != 0o600 {
				t.Errorf("token file mode %04o, want 0600", m)
			}
			for dir := filepath.Dir(path); dir != config; dir = filepath.Dir(dir) {
				if m := mode(t, dir); m != 0o700 {
					t.Errorf("directory %s mode %04o, want 0700", dir, m)
				}
			}
			if !strings.Contains(stdout, path) || !strings.Contains(stdout, "0600") {
				t.Errorf("stdout does not say where the token went: %q", stdout)
			}
			if strings.Contains(stdout+stderr, "SECRET") {
				t.Errorf("the token was echoed:\n%s\n%s", stdout, stderr)
			}
		})
	}
}

func TestTokenSetRefusesBadShapes(t *testing.T) {
	tests := []struct{ name, input, reason string }{
		{"nothing", "", "empty"},
		{"two lines", secret + "\n" + secret + "\n", "several lines"},
		{"a space inside", "pat_0123SECRET 456789abcdef", "white space"},
		{"too short", "SECRET\n", "shorter than"},
		{"a pasted sentence", "my token is pat_SECRET0123456789\n", "white space"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, config := home(t)
			code, stdout, stderr := invocation{env: env, stdin: tt.input}.run(t, "token", "set")
			if code != exitToolError {
				t.Errorf("exit %d, want %d", code, exitToolError)
			}
			if !strings.Contains(stderr, "nothing was stored") || !strings.Contains(stderr, tt.reason) || !strings.Contains(stderr, "standard input") {
				t.Errorf("stderr = %q; want nothing stored, because %q", stderr, tt.reason)
			}
			if strings.Contains(stdout+stderr, "SECRET") {
				t.Errorf("the refused input was echoed:\n%s\n%s", stdout, stderr)
			}
			if _, err := os.Stat(filepath.Join(config, "gandi")); !os.IsNotExist(err) {
				t.Errorf("something was written under %s: %v", config, err)
			}
		})
	}
}

func TestTokenSetNeverTakesTheTokenAsAnArgument(t *testing.T) {
	env, _ := home(t)
	for _, args := range [][]string{{"token", "set", secret}, {"token", "set", "--verify=" + secret},
		// The easy slips: a forgotten "set", a token given as the command or as a tool's name.
		{"token", secret}, {secret}, {"call", secret}, {"serve", "--http", secret}, {"tools", secret}} {
		code, stdout, stderr := invocation{env: env}.run(t, args...)
		if code != exitUsage {
			t.Errorf("%v: exit %d, want %d", args[:2], code, exitUsage)
		}
		if strings.Contains(stdout+stderr, "SECRET") {
			t.Errorf("the argument was repeated:\n%s", stderr)
		}
	}
}

func TestTokenSetVerify(t *testing.T) {
	future := time.Now().Add(40*24*time.Hour + time.Hour)
	tests := []struct {
		name      string
		known     bool   // the fake knows the token
		old       string // a token file already there
		envToken  bool   // GANDI_API_TOKEN holds another token
		wantCode  int
		wantOut   []string
		wantErr   []string
		wantStore bool
	}{
		{name: "accepted", known: true, wantCode: exitOK, wantStore: true,
			wantOut: []string{`accepts the token "ci-bot"`, "in 40 days", "domain:view, organization:view", "acme", "Stored the production token"}},
		{name: "refused, nothing there", wantCode: exitToolError,
			wantOut: []string{"does not accept the token", "token_rejected", "from standard input"},
			wantErr: []string{"nothing was stored"}},
		{name: "refused, the old token stays", old: "pat_theoldtoken0123456789", wantCode: exitToolError,
			wantErr: []string{"nothing was stored", "is unchanged"}},
		{name: "the variable wins over the file", known: true, envToken: true, wantCode: exitOK, wantStore: true,
			wantErr: []string{"GANDI_API_TOKEN is set", "wins over the file"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, config := home(t)
			fake := withFake(t, env)
			org := fake.AddOrganization(gandi.Organization{Name: "acme"})
			if tt.known {
				fake.AddToken(ganditest.Token{Secret: secret, Name: "ci-bot", Scopes: []string{"domain:view", "organization:view"},
					Entities: []gandi.Entity{ganditest.OrganizationEntity(org)}, ExpiresAt: future})
			}
			if tt.envToken {
				other := fake.AddToken(ganditest.Token{Name: "from-env"})
				env["GANDI_API_TOKEN"] = other.Secret
			}
			path := filepath.Join(config, "gandi", "api_token")
			if tt.old != "" {
				os.MkdirAll(filepath.Dir(path), 0o700)
				os.WriteFile(path, []byte(tt.old+"\n"), 0o600)
			}
			code, stdout, stderr := invocation{env: env, stdin: secret + "\n"}.run(t, "token", "set", "--verify")
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d; stderr: %s", code, tt.wantCode, stderr)
			}
			for _, w := range tt.wantOut {
				if !strings.Contains(stdout, w) {
					t.Errorf("stdout lacks %q:\n%s", w, stdout)
				}
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
			if strings.Contains(stdout+stderr, "SECRET") {
				t.Errorf("the token was shown:\n%s\n%s", stdout, stderr)
			}
			// Gandi was asked about the piped token, never the variable's.
			// verify_token sends /tokeninfo and the organizations listing together, in either order.
			reqs := fake.Requests()
			if !slices.ContainsFunc(reqs, func(r ganditest.Request) bool { return r.Path == "/tokeninfo" }) {
				t.Fatalf("requests = %+v, want /tokeninfo among them", reqs)
			}
			for _, r := range reqs {
				if r.Token != secret {
					t.Errorf("%s %s was sent another token than the one read", r.Method, r.Path)
				}
			}
			data, err := os.ReadFile(path)
			switch {
			case tt.wantStore && string(data) != secret+"\n":
				t.Errorf("token file = %q, %v; want the new token", data, err)
			case !tt.wantStore && tt.old != "" && string(data) != tt.old+"\n":
				t.Errorf("token file = %q; want the old token kept", data)
			case !tt.wantStore && tt.old == "" && err == nil:
				t.Errorf("a refused token was stored")
			}
		})
	}
}

func TestTokenSetUnwritablePlace(t *testing.T) {
	env, _ := home(t)
	fake := withFake(t, env)
	// Root ignores permission bits: a regular file where a directory must be is refused by anyone.
	blocker := filepath.Join(t.TempDir(), "not-a-dir")
	os.WriteFile(blocker, nil, 0o600)
	env["XDG_CONFIG_HOME"] = filepath.Join(blocker, "config")
	code, _, stderr := invocation{env: env, stdin: secret + "\n"}.run(t, "token", "set", "--verify")
	if code != exitToolError || !strings.Contains(stderr, "nothing was stored") || !strings.Contains(stderr, "not a directory") {
		t.Errorf("exit %d, stderr %q; want nothing stored, saying why", code, stderr)
	}
	if n := len(fake.Requests()); n != 0 {
		t.Errorf("%d requests made for a token that could not be stored", n)
	}
}

func TestTokenPath(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		setup    func(env map[string]string, config string)
		want     []string
		wantCode int
	}{{
		name: "nothing stored",
		args: []string{"token", "path"},
		want: []string{"production token", "1. environment variable GANDI_API_TOKEN", "not set", "2. file {config}/gandi/api_token", "missing",
			"In use: nothing: no Gandi credential found", "token set writes to {config}/gandi/api_token"},
	}, {
		name: "a token file",
		args: []string{"token", "path"},
		setup: func(env map[string]string, config string) {
			os.MkdirAll(filepath.Join(config, "gandi"), 0o700)
			os.WriteFile(filepath.Join(config, "gandi", "api_token"), []byte(secret), 0o600)
		},
		want: []string{"file {config}/gandi/api_token", "file, mode 0600", "In use: PAT from {config}/gandi/api_token"},
	}, {
		name:  "the variable wins",
		args:  []string{"token", "path"},
		setup: func(env map[string]string, config string) { env["GANDI_API_TOKEN"] = secret },
		want:  []string{"GANDI_API_TOKEN", "set", "In use: PAT from GANDI_API_TOKEN"},
	}, {
		name: "sandbox",
		args: []string{"token", "path", "--sandbox"},
		want: []string{"sandbox token", "{config}/gandi/sandbox/api_token", "token set --sandbox writes to {config}/gandi/sandbox/api_token"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, config := home(t)
			if tt.setup != nil {
				tt.setup(env, config)
			}
			code, stdout, stderr := invocation{env: env}.run(t, tt.args...)
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			rest := stdout
			for _, w := range tt.want {
				w = strings.ReplaceAll(w, "{config}", config)
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("missing %q (or out of order) in:\n%s", w, stdout)
				}
				rest = rest[i+len(w):]
			}
			if strings.Contains(stdout, "SECRET") {
				t.Errorf("the token's value was shown:\n%s", stdout)
			}
		})
	}
}

func TestScopes(t *testing.T) {
	env, _ := home(t)
	for _, sandbox := range []bool{false, true} {
		args := []string{"scopes"}
		page := "https://admin.gandi.net/organizations/account/pat"
		if sandbox {
			args = append(args, "--sandbox")
			page = "https://admin.sandbox.gandi.net/organizations/account/pat"
		}
		code, stdout, _ := invocation{env: env}.run(t, args...)
		if code != exitOK {
			t.Fatalf("exit %d", code)
		}
		lines := strings.Split(stdout, "\n")
		if !strings.HasPrefix(lines[0], "TOOL") || !strings.Contains(lines[0], "SCOPES NEEDED") {
			t.Errorf("header = %q", lines[0])
		}
		for i, ts := range skill.ToolScopes() {
			want := strings.Join(ts.Scopes, ", ")
			if want == "" {
				want = "none"
			}
			fields := strings.Fields(lines[i+1])
			if len(fields) < 2 || fields[0] != ts.Tool || !strings.HasPrefix(strings.Join(fields[1:], " "), want) {
				t.Errorf("row %d = %q; want %s needing %s", i+1, lines[i+1], ts.Tool, want)
			}
		}
		if !strings.Contains(stdout, page) {
			t.Errorf("the PAT page %s is not named:\n%s", page, stdout)
		}
	}
}

func TestUnknownCommandsAndFlagsNameTheValidOnes(t *testing.T) {
	env, _ := home(t)
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"bogus"}, []string{`unknown command "bogus"`, "serve, call, demo, tools, version, token, scopes"}},
		{[]string{"token"}, []string{"give a token command: set, path"}},
		{[]string{"token", "bogus"}, []string{`unknown token command "bogus"`, "set, path"}},
		{[]string{"token", "set", "--bogus"}, []string{"unknown flag -bogus", "--sandbox, --verify, --help"}},
		{[]string{"token", "path", "-x"}, []string{"unknown flag -x", "--sandbox, --help"}},
		{[]string{"call", "verify_token", "--nope=" + secret}, []string{"unknown flag -nope", "--json, --sandbox, --help"}},
		{[]string{"demo", "--fast"}, []string{"unknown flag -fast", "--sandbox, --help"}},
		{[]string{"scopes", "--all"}, []string{"unknown flag -all", "--sandbox, --help"}},
		{[]string{"--bogus"}, []string{"unknown flag -bogus", "--sandbox, --help"}},
		{[]string{"serve", secret}, []string{"takes no arguments", "gandi-mcp --help"}},
		{[]string{"version", "--short"}, []string{"unknown flag -short", "--help"}},
		{[]string{"call", "nosuchtool"}, []string{`unknown tool "nosuchtool"`, "verify_token"}},
		{[]string{"call", "verify_token", "--sandbox=maybe"}, []string{"invalid boolean value", "--json, --sandbox, --help"}},
	}
	for _, tt := range tests {
		code, stdout, stderr := invocation{env: env}.run(t, tt.args...)
		if code != exitUsage {
			t.Errorf("%v: exit %d, want %d", tt.args, code, exitUsage)
		}
		if stdout != "" {
			t.Errorf("%v: wrote to stdout: %q", tt.args, stdout)
		}
		for _, w := range tt.want {
			if !strings.Contains(stderr, w) {
				t.Errorf("%v: stderr lacks %q: %q", tt.args, w, stderr)
			}
		}
		if strings.Contains(stderr, "SECRET") {
			t.Errorf("%v: a flag's value was repeated: %q", tt.args, stderr)
		}
	}
}

func TestEveryCommandHasHelp(t *testing.T) {
	env, _ := home(t)
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"--help"}, []string{"Usage: gandi-mcp [COMMAND]", "serve", "call", "demo", "token", "scopes"}},
		{[]string{"help"}, []string{"Usage: gandi-mcp [COMMAND]"}},
		{[]string{"serve", "--help"}, []string{"Usage: gandi-mcp serve", "--sandbox"}},
		{[]string{"call", "-h"}, []string{"Usage: gandi-mcp call TOOL [JSON]", "--json", "for a person on a terminal"}},
		{[]string{"demo", "--help"}, []string{"Usage: gandi-mcp demo", "fake Gandi"}},
		{[]string{"tools", "--help"}, []string{"Usage: gandi-mcp tools"}},
		{[]string{"scopes", "--help"}, []string{"Usage: gandi-mcp scopes", "scope"}},
		{[]string{"token", "--help"}, []string{"token set", "token path"}},
		{[]string{"token", "set", "--help"}, []string{"Usage: gandi-mcp token set", "--verify", "--sandbox", "not shown"}},
		{[]string{"help", "token", "path"}, []string{"Usage: gandi-mcp token path"}},
		{[]string{"version", "--help"}, []string{"Usage: gandi-mcp version", "Prints the version"}},
	}
	for _, tt := range tests {
		code, stdout, stderr := invocation{env: env, stdin: secret}.run(t, tt.args...)
		if code != exitOK || stderr != "" {
			t.Errorf("%v: exit %d, stderr %q", tt.args, code, stderr)
		}
		for _, w := range tt.want {
			if !strings.Contains(stdout, w) {
				t.Errorf("%v: help lacks %q:\n%s", tt.args, w, stdout)
			}
		}
	}
}

func TestCallIsReadableOnATerminalAndJSONOtherwise(t *testing.T) {
	env, config := home(t)
	fake := withFake(t, env)
	tok := fake.AddToken(ganditest.Token{Name: "ci-bot", Scopes: []string{"domain:view"}})
	os.MkdirAll(filepath.Join(config, "gandi"), 0o700)
	os.WriteFile(filepath.Join(config, "gandi", "api_token"), []byte(tok.Secret), 0o600)
	tests := []struct {
		name     string
		tty      bool
		args     []string
		wantJSON bool
	}{
		{"piped", false, nil, true},
		{"terminal", true, nil, false},
		{"terminal with --json", true, []string{"--json"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := invocation{env: env, tty: tt.tty}.run(t, append([]string{"call", "verify_token"}, tt.args...)...)
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			var out struct {
				Valid bool   `json:"valid"`
				Name  string `json:"name"`
			}
			err := json.Unmarshal([]byte(stdout), &out)
			if tt.wantJSON {
				if err != nil || !out.Valid || out.Name != "ci-bot" {
					t.Errorf("want JSON of a valid ci-bot token, got %v:\n%s", err, stdout)
				}
				return
			}
			if err == nil || !strings.Contains(stdout, `accepts the token "ci-bot"`) || strings.Contains(stdout, "{") {
				t.Errorf("want words for a person, got:\n%s", stdout)
			}
		})
	}
}

func TestDemo(t *testing.T) {
	env, _ := home(t)
	// A token of the person's own must never be used by the demo.
	env["GANDI_API_TOKEN"] = secret
	code, stdout, stderr := invocation{env: env}.run(t, "demo")
	if code != exitOK {
		t.Fatalf("exit %d; stderr: %s\n%s", code, stderr, stdout)
	}
	for _, w := range []string{"DEMO account", "never contacted", "gandi-mcp token set --verify"} {
		if !strings.Contains(stdout, w) {
			t.Errorf("the demo does not say %q", w)
		}
	}
	registered := map[string]bool{}
	for _, ts := range skill.ToolScopes() {
		registered[ts.Tool] = true
	}
	for _, s := range demoSteps {
		ran := strings.Contains(stdout, "tool call: "+s.tool)
		skipped := strings.Contains(stdout, "(skipped: "+s.tool+" is not in this build yet)")
		if registered[s.tool] && (!ran || skipped) || !registered[s.tool] && (ran || !skipped) {
			t.Errorf("%s: registered %t, ran %t, skipped %t", s.tool, registered[s.tool], ran, skipped)
		}
	}
	if strings.Contains(stdout, "!!") {
		t.Errorf("a step went wrong:\n%s", stdout)
	}
	if strings.Contains(stdout+stderr, "pat_") {
		t.Errorf("a token was shown:\n%s", stdout)
	}
}

// A refused or missing token is a result, not a tool error, for verify_token;
// for a script running `gandi-mcp call verify_token && ...` it must still fail.
func TestCallExitsOneWhenTheResultReportsAProblem(t *testing.T) {
	env, _ := home(t)
	code, stdout, _ := invocation{env: env}.run(t, "call", "verify_token", "--json")
	if code != exitToolError || !strings.Contains(stdout, `"diagnosis": "no_token"`) {
		t.Errorf("exit %d, stdout %s: want 1 and no_token", code, stdout)
	}
}

// TestCallTimeoutSetting: GANDI_MCP_CALL_TIMEOUT takes a duration or seconds
// within 1s..10m; anything else stops the command before any request, naming
// the variable and what is valid.
func TestCallTimeoutSetting(t *testing.T) {
	tests := []struct {
		value string
		ok    bool
	}{
		{"", true}, {"40s", true}, {"2m", true}, {"40", true}, {"1.5", true}, {" 10m ", true},
		{"abc", false}, {"0", false}, {"500ms", false}, {"11m", false}, {"-5s", false}, {"1e300", false}, {"NaN", false}, {"40 s", false},
	}
	for _, tc := range tests {
		t.Run(tc.value, func(t *testing.T) {
			env, _ := home(t)
			fake := withFake(t, env)
			tok := fake.AddToken(ganditest.Token{Name: "ci"})
			env["GANDI_API_TOKEN"] = tok.Secret
			env["GANDI_MCP_CALL_TIMEOUT"] = tc.value
			code, stdout, stderr := invocation{env: env}.run(t, "call", "verify_token", "--json")
			if tc.ok {
				if code != 0 || !strings.Contains(stdout, `"valid": true`) {
					t.Errorf("exit %d, stdout %s, stderr %s: want a valid token", code, stdout, stderr)
				}
				return
			}
			if code == 0 || !strings.Contains(stderr, "GANDI_MCP_CALL_TIMEOUT") || !strings.Contains(stderr, "40s") || !strings.Contains(stderr, "10m") {
				t.Errorf("exit %d, stderr %q: want a startup error naming the variable and the valid forms", code, stderr)
			}
			if n := len(fake.Requests()); n != 0 {
				t.Errorf("%d requests made with a bad setting", n)
			}
		})
	}
}
