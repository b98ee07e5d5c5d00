package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
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
		name: "a link to nothing",
		args: []string{"token", "path"},
		setup: func(env map[string]string, config string) {
			os.MkdirAll(filepath.Join(config, "gandi"), 0o700)
			os.Symlink(filepath.Join(config, "vault", "gandi"), filepath.Join(config, "gandi", "api_token"))
		},
		want: []string{"2. file {config}/gandi/api_token", "a symbolic link to {config}/vault/gandi, which does not exist", "3. file",
			"In use: nothing:", "symbolic link to {config}/vault/gandi, which does not exist"},
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
		for i, ts := range mustToolScopes(t, skill.Selection{}) {
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
		{[]string{"token", "set", "--bogus"}, []string{"gandi-mcp token set: unknown flag --bogus; token set's flags are --sandbox, --profile, --verify, --help"}},
		{[]string{"token", "path", "-x"}, []string{"unknown flag --x; token path's flags are --sandbox, --profile, --help"}},
		{[]string{"call", "verify_token", "--nope=" + secret}, []string{"unknown flag --nope;", "--json", "--sandbox", "--help"}},
		{[]string{"demo", "--fast"}, []string{"unknown flag --fast; demo's flags are --help"}},
		{[]string{"scopes", "--all"}, []string{"unknown flag --all; scopes's flags are --sandbox, --read-only, --toolsets, --help"}},
		{[]string{"--bogus"}, []string{"unknown flag --bogus; serve's flags are --sandbox, --profile, --demo, --http, --http-no-auth, --hosted, --tls-cert, --tls-key, --tls-terminated, --drain-time, --read-only, --toolsets, --help"}},
		{[]string{"serve", "--frobnicate"}, []string{"gandi-mcp serve: unknown flag --frobnicate; serve's flags are --sandbox, --profile, --demo, --http, --http-no-auth, --hosted, --tls-cert, --tls-key, --tls-terminated, --drain-time, --read-only, --toolsets, --help"}},
		{[]string{"serve", secret}, []string{"takes no arguments", "gandi-mcp --help"}},
		{[]string{"version", "--short"}, []string{"unknown flag --short; version's flags are --help"}},
		{[]string{"call", "nosuchtool"}, []string{`unknown tool "nosuchtool"`, "verify_token"}},
		// Go's flag package would say "invalid boolean value ... for -sandbox" and "flag needs an argument: -http".
		{[]string{"call", "verify_token", "--sandbox=maybe" + secret}, []string{"--sandbox is on or off: write --sandbox, or --sandbox=false", "call's flags are"}},
		{[]string{"call", "verify_token", "-json=" + secret}, []string{"--json is on or off"}},
		{[]string{"serve", "--http"}, []string{"--http needs a value: --http HOST:PORT; serve's flags are"}},
		{[]string{"serve", "--http", "--demo"}, []string{"--http needs a value: --http HOST:PORT"}},
		{[]string{"serve", "---http=" + secret}, []string{"malformed flag", "serve's flags are"}},
		{[]string{"call", "verify_token", "-" + secret}, []string{"unknown flag (not repeated: it could be a token)"}},
		{[]string{"demo", "--sandbox"}, []string{"--sandbox does not apply", "neither production nor sandbox", "gandi-mcp call --sandbox"}},
		{[]string{"demo", "-sandbox=true"}, []string{"--sandbox does not apply"}},
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
		for _, word := range strings.Fields(stderr) {
			if strings.HasPrefix(word, "-") && !strings.HasPrefix(word, "--") {
				t.Errorf("%v: a flag is spelt %s, not --name: %q", tt.args, word, stderr)
			}
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
		{[]string{"demo", "--help"}, []string{"Usage: gandi-mcp demo", "fake Gandi", "takes no --sandbox"}},
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
	for _, ts := range mustToolScopes(t, skill.Selection{}) {
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

// demoStep returns what the demo printed for the step that calls tool with args.
func demoStepText(t *testing.T, stdout, tool, args string) string {
	t.Helper()
	call := "tool call: " + strings.TrimSpace(tool+" "+args) + "\n"
	i := strings.Index(stdout, call)
	if i < 0 {
		t.Fatalf("the demo has no step %q:\n%s", call, stdout)
	}
	rest := stdout[i+len(call):]
	if j := strings.Index(rest, "\n== "); j >= 0 {
		rest = rest[:j]
	}
	return rest
}

// The tour must show what each step claims, whatever the date it runs at.
func TestDemoStepsShowWhatTheyClaim(t *testing.T) {
	env, _ := home(t)
	code, stdout, stderr := invocation{env: env}.run(t, "demo")
	if code != exitOK {
		t.Fatalf("exit %d; stderr: %s\n%s", code, stderr, stdout)
	}
	t.Run("expiring within 30 days shows days ahead", func(t *testing.T) {
		text := demoStepText(t, stdout, "list_domains", `{"expiring_within_days": 30}`)
		ahead := 0
		for _, line := range strings.Split(text, "\n") {
			f := strings.Fields(line)
			if len(f) < 3 || !strings.Contains(f[0], ".") {
				continue
			}
			days, err := strconv.Atoi(f[2])
			if err != nil {
				t.Fatalf("row %q: days left %q is not a number", line, f[2])
			}
			if days > 30 {
				t.Errorf("row %q: expires after the 30 days asked", line)
			}
			if days >= 0 {
				ahead++
			}
		}
		if ahead < demoRows/2 {
			t.Errorf("%d of the rows shown expire in the days ahead, want most of them:\n%s", ahead, text)
		}
	})
	t.Run("a renewal moves the expiry forward", func(t *testing.T) {
		var steps []demoStep
		for _, s := range demoSteps {
			if s.tool == "renew_token" && !strings.Contains(s.args, "dry_run") {
				steps = append(steps, s)
			}
		}
		if len(steps) != 1 {
			t.Fatalf("%d renewal steps in the tour, want 1", len(steps))
		}
		text := demoStepText(t, stdout, steps[0].tool, steps[0].args)
		field := func(label string) time.Time {
			for _, line := range strings.Split(text, "\n") {
				if v, ok := strings.CutPrefix(strings.TrimSpace(line), label+": "); ok {
					at, err := time.Parse("2006-01-02 15:04 MST", v)
					if err != nil {
						t.Fatalf("%s: %v", label, err)
					}
					return at
				}
			}
			t.Fatalf("the renewal does not say %q:\n%s", label, text)
			return time.Time{}
		}
		now, before := field("expires at"), field("previous expires at")
		if now.Sub(before) < 24*time.Hour {
			t.Errorf("the renewed token expires %v, the previous one %v: want days later", now, before)
		}
	})
}

// demoStepTitled returns what the demo printed for its step titled title: the tool call
// line (its arguments) and the result.
func demoStepTitled(t *testing.T, stdout, title string) (call, text string) {
	t.Helper()
	i := strings.Index(stdout, "  "+title+": ")
	if i < 0 {
		t.Fatalf("the demo has no step %q:\n%s", title, stdout)
	}
	rest := stdout[i:]
	if j := strings.Index(rest, "\n== "); j >= 0 {
		rest = rest[:j]
	}
	k := strings.Index(rest, "tool call: ")
	if k < 0 {
		t.Fatalf("step %q makes no call:\n%s", title, rest)
	}
	call, text, _ = strings.Cut(rest[k+len("tool call: "):], "\n")
	return call, text
}

// resultField is the value of the first "label: value" line of a step's text.
func resultField(text, label string) string {
	for _, line := range strings.Split(text, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), label+": "); ok {
			return v
		}
	}
	return ""
}

// The DNS steps show a plan, its apply with the plan_id the plan returned and a restore
// point, and the undo of the change with the snapshot_id the apply returned.
func TestDemoDNSPlanApplyUndo(t *testing.T) {
	env, _ := home(t)
	code, stdout, stderr := invocation{env: env}.run(t, "demo")
	if code != exitOK {
		t.Fatalf("exit %d; stderr: %s\n%s", code, stderr, stdout)
	}
	call, plan := demoStepTitled(t, stdout, "A DNS change, planned")
	planID := resultField(plan, "plan id")
	if !strings.HasPrefix(call, "change_dns_records ") || strings.Contains(call, `"apply"`) || resultField(plan, "applied") != "no" ||
		!strings.HasPrefix(planID, "p1.") || !strings.Contains(plan, demoTXT) {
		t.Errorf("the plan step does not show a plan of adding %s:\n%s\n%s", demoTXT, call, plan)
	}
	call, applied := demoStepTitled(t, stdout, "The change, applied")
	snapshot := resultField(applied, "snapshot id")
	if !strings.Contains(call, `"apply":true`) || !strings.Contains(call, `"plan_id":"`+planID+`"`) || resultField(applied, "applied") != "yes" ||
		resultField(applied, "status") != "applied" || len(snapshot) != 36 {
		t.Errorf("the apply step does not apply the plan %s with a restore point:\n%s\n%s", planID, call, applied)
	}
	call, undoPlan := demoStepTitled(t, stdout, "Undo, planned")
	if !strings.HasPrefix(call, "restore_dns_snapshot ") || !strings.Contains(call, `"snapshot_id":"`+snapshot+`"`) ||
		resultField(undoPlan, "applied") != "no" || !strings.Contains(undoPlan, demoTXT) {
		t.Errorf("the undo is not planned from the change's snapshot %s, taking the TXT value out:\n%s\n%s", snapshot, call, undoPlan)
	}
	call, undone := demoStepTitled(t, stdout, "Undo, applied")
	if s := resultField(undone, "snapshot id"); !strings.Contains(call, `"plan_id":"`+resultField(undoPlan, "plan id")+`"`) ||
		resultField(undone, "applied") != "yes" || resultField(undone, "status") != "applied" || len(s) != 36 || s == snapshot {
		t.Errorf("the undo is not applied with its own restore point:\n%s\n%s", call, undone)
	}
	_, after := demoStepTitled(t, stdout, "After the undo")
	if !strings.Contains(after, "already equals the snapshot") {
		t.Errorf("after the undo the zone is not as it was:\n%s", after)
	}
}

// The demo's help must not offer a flag the demo refuses.
func TestDemoHelpOffersOnlyWhatItHonours(t *testing.T) {
	env, _ := home(t)
	_, stdout, _ := invocation{env: env}.run(t, "demo", "--help")
	if strings.Contains(stdout, "\n  --sandbox") {
		t.Errorf("demo --help offers --sandbox:\n%s", stdout)
	}
}

// A token file only its owner should read is worth one warning, wherever it is read.
func TestLooseTokenFileWarnedOnce(t *testing.T) {
	tests := []struct {
		name  string
		tty   bool
		args  []string
		fault *ganditest.Fault
	}{
		{name: "verify_token on a terminal", tty: true, args: []string{"call", "verify_token"}},
		{name: "verify_token as JSON", args: []string{"call", "verify_token"}},
		{name: "verify_token, Gandi refusing the request", tty: true, args: []string{"call", "verify_token"}, fault: &ganditest.Fault{Path: "/tokeninfo", Status: 400}},
		{name: "list_domains on a terminal", tty: true, args: []string{"call", "list_domains"}},
		{name: "token path", args: []string{"token", "path"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, config := home(t)
			fake := withFake(t, env)
			org := fake.AddOrganization(gandi.Organization{Name: "acme"})
			tok := fake.AddToken(ganditest.Token{Name: "ci-bot", Scopes: []string{"domain:view"}, Entities: []gandi.Entity{ganditest.OrganizationEntity(org)}})
			if tt.fault != nil {
				fake.Inject(*tt.fault)
			}
			path := filepath.Join(config, "gandi", "api_token")
			os.MkdirAll(filepath.Dir(path), 0o700)
			os.WriteFile(path, []byte(tok.Secret+"\n"), 0o600)
			os.Chmod(path, 0o644)
			_, stdout, stderr := invocation{env: env, tty: tt.tty}.run(t, tt.args...)
			if n := strings.Count(stdout+stderr, "readable by other users"); n != 1 {
				t.Errorf("the warning is said %d times, want once:\nstdout:\n%s\nstderr:\n%s", n, stdout, stderr)
			}
		})
	}
}

// token set on a link to nothing names the target and stores nothing.
func TestTokenSetOnABrokenLink(t *testing.T) {
	env, config := home(t)
	path := filepath.Join(config, "gandi", "api_token")
	target := filepath.Join(config, "vault", "gandi")
	os.MkdirAll(filepath.Dir(path), 0o700)
	if err := os.Symlink(target, path); err != nil {
		t.Skip(err)
	}
	code, _, stderr := invocation{env: env, stdin: secret + "\n"}.run(t, "token", "set")
	if code != exitToolError || !strings.Contains(stderr, "nothing was stored") || !strings.Contains(stderr, "symbolic link to "+target+", which does not exist") {
		t.Errorf("exit %d, stderr %q; want nothing stored, naming the link's target", code, stderr)
	}
}

// token set says when it replaces a stored token, naming it when Gandi described it earlier.
func TestTokenSetSaysWhatItReplaced(t *testing.T) {
	const other = "pat_0ther0123456789abcdef0123456789ab"
	expires := time.Now().Add(20*24*time.Hour + time.Hour)
	tests := []struct {
		name    string
		before  func(t *testing.T, env map[string]string, path string, fake *ganditest.Server)
		want    []string
		notWant string
	}{
		{name: "nothing there", notWant: "It replaced"},
		{name: "a token Gandi described", before: func(t *testing.T, env map[string]string, path string, fake *ganditest.Server) {
			fake.AddToken(ganditest.Token{Secret: other, Name: "old-laptop", Scopes: []string{"domain:view"}, ExpiresAt: expires})
			// verify_token on the stored token is how gandi-mcp learns its name and expiry.
			if code, _, stderr := (invocation{env: env, stdin: other + "\n"}).run(t, "token", "set", "--verify"); code != exitOK {
				t.Fatalf("storing the first token: exit %d: %s", code, stderr)
			}
		}, want: []string{`It replaced the token "old-laptop" stored there before, valid until ` + expires.UTC().Format("2006-01-02"), "https://admin.gandi.net/organizations/account/pat"}},
		{name: "a token never described", before: func(t *testing.T, env map[string]string, path string, fake *ganditest.Server) {
			os.MkdirAll(filepath.Dir(path), 0o700)
			os.WriteFile(path, []byte(other+"\n"), 0o600)
		}, want: []string{"It replaced the token stored there before", "name and expiry are unknown"}},
		{name: "the same token", before: func(t *testing.T, env map[string]string, path string, fake *ganditest.Server) {
			os.MkdirAll(filepath.Dir(path), 0o700)
			os.WriteFile(path, []byte(secret+"\n"), 0o600)
		}, want: []string{"That very token was already stored there"}},
		{name: "not a token", before: func(t *testing.T, env map[string]string, path string, fake *ganditest.Server) {
			os.MkdirAll(filepath.Dir(path), 0o700)
			os.WriteFile(path, []byte("two\nlines\n"), 0o600)
		}, want: []string{"It replaced what the file held before, which was not a token"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, config := home(t)
			fake := withFake(t, env)
			path := filepath.Join(config, "gandi", "api_token")
			if tt.before != nil {
				tt.before(t, env, path, fake)
			}
			code, stdout, stderr := invocation{env: env, stdin: secret + "\n"}.run(t, "token", "set")
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stdout, w) {
					t.Errorf("stdout lacks %q:\n%s", w, stdout)
				}
			}
			if tt.notWant != "" && strings.Contains(stdout, tt.notWant) {
				t.Errorf("stdout says %q:\n%s", tt.notWant, stdout)
			}
			if data, _ := os.ReadFile(path); string(data) != secret+"\n" {
				t.Errorf("token file = %q, want the new token", data)
			}
			if strings.Contains(stdout+stderr, "SECRET") || strings.Contains(stdout+stderr, "0ther") {
				t.Errorf("a token was shown:\n%s\n%s", stdout, stderr)
			}
		})
	}
}

// When Gandi cannot be asked, --verify stores nothing and says how to store without asking.
func TestTokenSetVerifyWithoutGandi(t *testing.T) {
	tests := []struct {
		name  string
		fault ganditest.Fault
	}{
		{"connection closed", ganditest.Fault{Path: "/tokeninfo", CloseConn: true}},
		{"server error", ganditest.Fault{Path: "/tokeninfo", Status: 503}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, config := home(t)
			fake := withFake(t, env)
			fake.AddToken(ganditest.Token{Secret: secret, Name: "ci-bot"})
			fake.Inject(tt.fault)
			code, _, stderr := invocation{env: env, stdin: secret + "\n"}.run(t, "token", "set", "--verify")
			if code != exitToolError {
				t.Errorf("exit %d, want %d", code, exitToolError)
			}
			for _, w := range []string{"nothing was stored", "Gandi could not check the token", "gandi-mcp token set` (without --verify)"} {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
			if _, err := os.Stat(filepath.Join(config, "gandi", "api_token")); err == nil {
				t.Error("a token Gandi could not check was stored")
			}
		})
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

func mustToolScopes(t *testing.T, sel skill.Selection) []skill.ToolScope {
	t.Helper()
	list, err := skill.ToolScopes(sel)
	if err != nil {
		t.Fatal(err)
	}
	return list
}
