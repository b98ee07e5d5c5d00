// Command gandi-mcp is an MCP server (stdio) and a command line for a Gandi
// account, through a Personal Access Token.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/gandi-mcp/gandi-mcp/skill"
)

// memoryLimit is a soft limit for the Go heap: gandi-mcp runs beside an
// assistant for hours, and a whole-portfolio listing should not leave a large
// footprint behind. The resident size is about this plus 11 MB (the binary's
// mapped code and libc): 17 MiB keeps a 10,000-domain listing under 30 MB.
// GOMEMLIMIT overrides it.
const memoryLimit = 17 << 20

// Exit codes.
const (
	exitOK        = 0
	exitToolError = 1
	exitUsage     = 2
)

type command struct {
	name, args, summary string
	run                 func(ctx context.Context, e *env, args []string) int
}

// env is one invocation's streams and environment.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	// stdoutTTY says stdout is a terminal: `call` then writes for a person, not JSON.
	// stdinTTY says a person, not an assistant, is at the other end of `serve`.
	stdoutTTY, stdinTTY bool
}

const serveUsage = "[--sandbox] [--profile NAME] [--demo] [--http 127.0.0.1:PORT [--http-no-auth]] " +
	"[--hosted --http HOST:PORT [--tls-cert FILE --tls-key FILE | --tls-terminated] [--drain-time DURATION]] [--read-only] [--toolsets LIST]"

var commands = []command{
	{"serve", serveUsage, "serve MCP over stdio, or Streamable HTTP at /mcp (the default command)", runServe},
	{"call", "TOOL [JSON] [--json] [--profile NAME] [--demo] [--read-only] [--toolsets LIST]", "run one tool: readable on a terminal, JSON when piped or with --json (exit 1 on a tool error)", runCall},
	{"demo", "", "a guided tour of every tool on a built-in demo account (no token needed)", runDemo},
	{"tools", "[--read-only] [--toolsets LIST]", "list the tools with their descriptions and schemas, as JSON", runTools},
	{"version", "", "print the version", runVersion},
	{"token", "set|path|list [--sandbox] [--profile NAME]", "store a token read from standard input (set [--verify]), show where it is looked for (path), or list every stored token (list [--verify])", runToken},
	{"scopes", "[--read-only] [--toolsets LIST]", "which PAT scope each tool needs, as a table", runScopes},
	{"http-secret", "", "print the bearer secret that clients of serve --http must send (made on first use)", runHTTPSecret},
}

func main() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv,
		stdoutTTY: isTerminal(os.Stdout), stdinTTY: isTerminal(os.Stdin)})
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, e *env) int {
	name := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	} else if isHelp(args) {
		usage(e.stdout)
		return exitOK
	}
	switch {
	case slices.Contains(args, "--version") || slices.Contains(args, "-version"):
		return runVersion(ctx, e, nil)
	case name == "help" && len(args) == 0:
		usage(e.stdout)
		return exitOK
	case name == "help":
		// `gandi-mcp help token set` is `gandi-mcp token set --help`.
		return run(ctx, append(slices.Clone(args), "--help"), e)
	}
	for _, c := range commands {
		if c.name == name {
			return c.run(ctx, e, args)
		}
	}
	fmt.Fprintf(e.stderr, "gandi-mcp: unknown command %s; the commands are: %s\nRun 'gandi-mcp --help' for what each does.\n", echo(name), commandNames())
	return exitUsage
}

// isHelp says whether a command line asks for help before its first positional argument.
func isHelp(args []string) bool {
	for _, a := range args {
		switch {
		case a == "-h" || a == "-help" || a == "--help":
			return true
		case a == "--" || !strings.HasPrefix(a, "-"):
			return false
		}
	}
	return false
}

func commandNames() string {
	var names []string
	for _, c := range commands {
		names = append(names, c.name)
	}
	return strings.Join(names, ", ")
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "gandi-mcp: a Gandi tool server for AI assistants (MCP over stdio).")
	fmt.Fprintln(w, "\nUsage: gandi-mcp [COMMAND] [FLAGS]")
	for _, c := range commands {
		fmt.Fprintf(w, "  %s\n      %s\n", strings.TrimSpace(c.name+" "+c.args), c.summary)
	}
	fmt.Fprintln(w, "\nFlags: --sandbox (Gandi's sandbox; also GANDI_SANDBOX=1), --profile NAME (the token of one organization; also GANDI_PROFILE), --demo (a built-in fake account, no token needed),")
	fmt.Fprintln(w, "--http HOST:PORT (loopback only; clients send the secret of 'gandi-mcp http-secret'), --hosted (with --http: many callers, each with their own token;")
	fmt.Fprintln(w, "see 'gandi-mcp serve --help'), --read-only (no tool that changes anything),")
	fmt.Fprintln(w, "--toolsets LIST (only these groups of tools: "+strings.Join(skill.ToolsetNames(), ", ")+"), --version, --help.")
	fmt.Fprintln(w, "Environment: GANDI_API_TOKEN, GANDI_API_KEY (deprecated), GANDI_PROFILE, GANDI_SANDBOX, GANDI_API_URL, GANDI_ID_URL, GANDI_MCP_LOG_LEVEL,")
	fmt.Fprintln(w, "GANDI_MCP_CALL_TIMEOUT, GANDI_MCP_READ_ONLY, GANDI_MCP_TOOLSETS.")
	fmt.Fprintln(w, "\nStart with: gandi-mcp demo. Then: gandi-mcp token set --verify. 'gandi-mcp COMMAND --help' tells more.")
}

// flags parses a command's flags anywhere among its arguments and returns the
// positional ones. ok false means the command is over with code: --help was
// answered on stdout (0), or a bad flag was reported with the valid ones (2).
func flags(e *env, fs *flag.FlagSet, args []string) (pos []string, code int, ok bool) {
	fs.SetOutput(io.Discard) // errors are reported below, in our words
	if isHelpAnywhere(args) {
		fs.SetOutput(e.stdout)
		fs.Usage()
		return nil, exitOK, false
	}
	pos, err := parseFlags(fs, args)
	if err != nil {
		fmt.Fprintf(e.stderr, "%s: %v; %s's flags are %s\n", fs.Name(), err, strings.TrimPrefix(fs.Name(), "gandi-mcp "), flagNames(fs))
		return nil, exitUsage, false
	}
	return pos, exitOK, true
}

// parseFlags sets the flags in args, spelt -name or --name, with =value or, but for a
// boolean, the next argument as value, and returns the other arguments, those after
// "--" included. Its errors spell flags --name, as the help does, and never hold a
// value: one may be a token. Go's flag package says "-name" and quotes values.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return append(pos, args[i+1:]...), nil
		}
		if len(a) < 2 || a[0] != '-' {
			pos = append(pos, a)
			continue
		}
		name, value, hasValue := strings.Cut(strings.TrimPrefix(a[1:], "-"), "=")
		if name == "" || name[0] == '-' {
			return nil, errors.New("malformed flag (not repeated): write --NAME or --NAME=VALUE")
		}
		f := fs.Lookup(name)
		if f == nil {
			return nil, fmt.Errorf("unknown flag %s", flagWord(name))
		}
		switch {
		case isBoolFlag(f) && !hasValue:
			value = "true"
		case isBoolFlag(f):
			if _, err := strconv.ParseBool(value); err != nil {
				return nil, fmt.Errorf("--%s is on or off: write --%s, or --%s=false (the value given is not valid)", name, name, name)
			}
		case !hasValue && (i+1 == len(args) || strings.HasPrefix(args[i+1], "-") && len(args[i+1]) > 1):
			arg, _ := flag.UnquoteUsage(f)
			return nil, fmt.Errorf("--%s needs a value: --%s %s", name, name, arg)
		case !hasValue:
			i++
			value = args[i]
		}
		if err := fs.Set(name, value); err != nil {
			return nil, fmt.Errorf("--%s: the value given is not valid (not shown): %s", name, withoutValues(err.Error(), value))
		}
	}
	return pos, nil
}

// isBoolFlag says whether f is set by its name alone, as flag.Bool's flags are.
func isBoolFlag(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// flagWord is --name, unless the name could be a token pasted after a dash.
func flagWord(name string) string {
	if q := echo(name); strings.HasPrefix(q, `"`) {
		return "--" + name
	}
	return "(not repeated: it could be a token)"
}

// withoutValues removes the given flag values from msg: one may be a secret.
func withoutValues(msg string, values ...string) string {
	for _, value := range values {
		if value != "" {
			msg = strings.ReplaceAll(msg, strconv.Quote(value), "(value not shown)")
			msg = strings.ReplaceAll(msg, value, "(value not shown)")
		}
	}
	return msg
}

func isHelpAnywhere(args []string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		if a == "-h" || a == "-help" || a == "--help" {
			return true
		}
	}
	return false
}

// flagNames lists a command's flags as --name, in the order its usage line shows
// them, then the others alphabetically, then --help.
func flagNames(fs *flag.FlagSet) string {
	var usage bytes.Buffer
	out := fs.Output()
	fs.SetOutput(&usage)
	fs.Usage()
	fs.SetOutput(out)
	line, _, _ := strings.Cut(usage.String(), "\n")
	at := func(name string) int {
		for _, word := range strings.Fields(line) {
			if strings.Trim(word, "[]") == "--"+name {
				return strings.Index(line, word)
			}
		}
		return len(line)
	}
	var names []string
	fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	sort.SliceStable(names, func(i, j int) bool { return at(names[i]) < at(names[j]) })
	for i, n := range names {
		names[i] = "--" + n
	}
	return strings.Join(append(names, "--help"), ", ")
}

// about is each command's --help text, after its usage line.
var about = map[string]string{
	"serve": "Serves MCP over standard input and output: this is what an assistant runs.\nLogs go to standard error.\n\n" +
		"With --http, serves Streamable HTTP at http://HOST:PORT/mcp instead, on a loopback address only. Any local\n" +
		"user can reach such an address, so every request must carry \"Authorization: Bearer SECRET\", where SECRET is\n" +
		"what 'gandi-mcp http-secret' prints; --http-no-auth drops that, for local testing only. On SIGTERM or Ctrl-C,\n" +
		"calls in flight get 5 s to finish, and a token renewal in flight up to 30 s to store its new token.\n\n" +
		"With --hosted --http HOST:PORT, serves many people at once, statelessly (any replica answers any request):\n" +
		"each request carries its caller's own Gandi token as \"Authorization: Bearer PAT\", used for that request\n" +
		"only. No token file or variable is read, renew_token is not offered, and each applied change is a JSON\n" +
		"audit line on standard error. GET /healthz and /readyz answer without a token (/readyz 503 once shutting\n" +
		"down). A non-loopback address needs --tls-cert FILE --tls-key FILE, or --tls-terminated when TLS ends at\n" +
		"a proxy in front. On SIGTERM, /readyz answers 503 for --drain-time, then calls in flight get 5 s to finish.",
	"http-secret": "Prints the bearer secret of 'gandi-mcp serve --http', making it on first use: 32 random bytes\n" +
		"(base64url), kept in a file of mode 0600 in gandi-mcp's configuration directory. Put it in your MCP\n" +
		"client's configuration of this server as the header \"Authorization: Bearer SECRET\". It stays the same\n" +
		"across restarts; to change it, delete the file (its path is printed on standard error).",
	"call": "Runs one tool, as an assistant would, and prints its result: for a person on a terminal,\n" +
		"as JSON when piped or with --json. JSON arguments are an object, e.g. '{\"all\": true}'.\nExit status: 0 ok, 1 the tool reported an error, 2 bad usage.",
	"demo": "A guided tour of every tool on a built-in demo account: a fake Gandi inside this process.\nNo token is needed and your Gandi account is never contacted. It takes no --sandbox:\n" +
		"the demo account is neither production nor sandbox.",
	"tools":   "Lists the tools with their descriptions and input and output schemas, as JSON.",
	"version": "Prints the version.",
	"token": "  token set [--sandbox] [--profile NAME] [--verify]   store a token read from standard input\n" +
		"  token path [--sandbox] [--profile NAME]            show where the token is looked for, and which one is used\n" +
		"  token list [--verify]                              list every stored token, default and profiles, both environments",
	"token set": "Reads a Personal Access Token from standard input (not shown as you type or paste it,\n" +
		"so it never lands in your shell history or on screen) and stores it in the token file,\n" +
		"mode 0600, in a directory created only for you (0700). With --verify, Gandi checks it first, and a\n" +
		"token Gandi does not accept is not stored.\n\n" +
		"  gandi-mcp token set --verify            (then paste the token and press Enter)\n" +
		"  pass show gandi | head -n 1 | gandi-mcp token set   (from a password manager)",
	"token path": "Shows every place gandi-mcp looks for a credential, in order, what is there (never\nits value), which one is used, and where `token set` writes.",
	"token list": "Lists every stored token, the default one and each profile's, in both environments: its profile,\n" +
		"its file, and its name, expiry, days left and organizations as Gandi last described it to gandi-mcp\n" +
		"(never its value). Nothing is sent to Gandi unless --verify, which checks each token now and reports\n" +
		"any refused or expiring within 7 days (exit 1 then).",
	"scopes": "Shows which Personal Access Token scope each tool needs. Create the token with the\nscopes of the tools you want an assistant to use, and no more.",
}

// commandHelp writes a command's usage, what it does and its flags.
func commandHelp(w io.Writer, fs *flag.FlagSet, positional string) {
	name := strings.TrimPrefix(fs.Name(), "gandi-mcp ")
	fmt.Fprintf(w, "Usage: %s %s\n", fs.Name(), positional)
	if text := about[name]; text != "" {
		fmt.Fprintf(w, "\n%s\n", text)
	}
	fmt.Fprintln(w, "\nFlags:")
	fs.VisitAll(func(f *flag.Flag) {
		// UnquoteUsage names a flag's value ("HOST:PORT", "string"); "" for a bool.
		arg, text := flag.UnquoteUsage(f)
		fmt.Fprintf(w, "  --%-18s %s\n", strings.TrimSpace(f.Name+" "+arg), text)
	})
	fmt.Fprintf(w, "  --%-18s %s\n", "help", "show this help")
}

// echo quotes a mistyped word back only when it cannot be a secret: a token
// pasted in the wrong place must not end up in a terminal's scrollback or a log.
func echo(word string) string {
	if len(word) <= 20 && !strings.HasPrefix(word, "pat_") && strings.Trim(word, "abcdefghijklmnopqrstuvwxyz_-") == "" {
		return strconv.Quote(word)
	}
	return "(not repeated: it could be a token)"
}

// flagsOnly parses a command that takes flags and no argument. A stray
// argument is never repeated back: it may well be a token.
func flagsOnly(e *env, fs *flag.FlagSet, args []string, hint string) (int, bool) {
	pos, code, ok := flags(e, fs, args)
	if !ok {
		return code, false
	}
	if len(pos) > 0 {
		fmt.Fprintf(e.stderr, "%s: takes no arguments%s\n", fs.Name(), hint)
		return exitUsage, false
	}
	return exitOK, true
}

// profileFlag gives fs --profile.
func profileFlag(fs *flag.FlagSet) *string {
	return fs.String("profile", "", "use the token of profile `NAME`, one per organization (also GANDI_PROFILE; default: no profile)")
}

func newFlagSet(name, positional string) (*flag.FlagSet, *bool) {
	fs := flag.NewFlagSet("gandi-mcp "+name, flag.ContinueOnError)
	sandbox := fs.Bool("sandbox", false, "use Gandi's sandbox environment (also GANDI_SANDBOX=1)")
	fs.Usage = func() { commandHelp(fs.Output(), fs, positional) }
	return fs, sandbox
}

// logLevel is GANDI_MCP_LOG_LEVEL's level, info when unset.
func logLevel(e *env) (slog.Level, error) {
	level, ok := skill.ParseLevel(e.getenv("GANDI_MCP_LOG_LEVEL"))
	if !ok && e.getenv("GANDI_MCP_LOG_LEVEL") != "" {
		return level, fmt.Errorf("GANDI_MCP_LOG_LEVEL=%q is not a level: use debug, info, warn or error", e.getenv("GANDI_MCP_LOG_LEVEL"))
	}
	return level, nil
}

// selectFlags gives fs --read-only and --toolsets; the function returned reads the
// selection they and the environment make.
func selectFlags(fs *flag.FlagSet) func(e *env) (skill.Selection, error) {
	readOnly := fs.Bool("read-only", false, "offer only the tools that change nothing (also GANDI_MCP_READ_ONLY=1)")
	toolsets := fs.String("toolsets", "", "offer only these toolsets, a comma-separated `LIST` of "+
		strings.Join(skill.ToolsetNames(), ", ")+" (also GANDI_MCP_TOOLSETS; default all; verify_token is always on)")
	return func(e *env) (skill.Selection, error) { return skill.SelectionFromEnv(*readOnly, *toolsets, e.getenv) }
}

func build(e *env, sandbox bool, profile string, sel skill.Selection) (*skill.Server, error) {
	level, err := logLevel(e)
	if err != nil {
		return nil, err
	}
	deps, err := skill.DepsFromEnv(skill.Options{Sandbox: sandbox, Profile: profile, Getenv: e.getenv, Stderr: e.stderr, LogLevel: level})
	if err != nil {
		return nil, err
	}
	return skill.NewSelected(deps, sel)
}

// buildDemo builds the server on the demo account when demo is set; done releases it.
// buildHosted builds a hosted server: each request's own token, no token file or variable.
func buildHosted(e *env, sandbox bool, sel skill.Selection) (*skill.Server, error) {
	level, err := logLevel(e)
	if err != nil {
		return nil, err
	}
	deps, err := skill.DepsFromEnv(skill.Options{Sandbox: sandbox, Getenv: e.getenv, Stderr: e.stderr, LogLevel: level, Hosted: true})
	if err != nil {
		return nil, err
	}
	return skill.NewSelected(deps, sel)
}

func buildDemo(e *env, sandbox bool, profile string, demo bool, sel skill.Selection) (srv *skill.Server, done func(), err error) {
	if !demo {
		srv, err = build(e, sandbox, profile, sel)
		return srv, func() {}, err
	}
	if sandbox {
		return nil, nil, errors.New("--demo and --sandbox exclude each other: the demo account is neither production nor sandbox")
	}
	if profile != "" {
		return nil, nil, errors.New("--demo and --profile exclude each other: the demo account has one built-in token and no profiles")
	}
	level, err := logLevel(e)
	if err != nil {
		return nil, nil, err
	}
	d, err := skill.StartDemo()
	if err != nil {
		return nil, nil, err
	}
	if srv, err = skill.NewSelected(d.Deps(e.stderr, level), sel); err != nil {
		d.Close()
		return nil, nil, err
	}
	return srv, d.Close, nil
}

func runServe(ctx context.Context, e *env, args []string) int {
	fs, sandbox := newFlagSet("serve", serveUsage)
	profile := profileFlag(fs)
	demo := fs.Bool("demo", false, "answer from a built-in fake Gandi account (no token needed; every result says so)")
	httpAddr := fs.String("http", "", "serve Streamable HTTP at http://`HOST:PORT`/mcp instead of stdio (loopback addresses only, but with --hosted)")
	noAuth := fs.Bool("http-no-auth", false, "with --http, serve without the bearer secret: any local user could act with your token (local testing only)")
	hosted := fs.Bool("hosted", false, "with --http, serve many callers: each request carries its caller's own token as \"Authorization: Bearer PAT\"; no token file is read")
	tlsCert := fs.String("tls-cert", "", "with --hosted, serve HTTPS with the certificate (PEM, chain after it) in `FILE`")
	tlsKey := fs.String("tls-key", "", "with --hosted and --tls-cert, the certificate's private key (PEM) in `FILE`")
	tlsTerminated := fs.Bool("tls-terminated", false, "with --hosted, TLS ends at a proxy or load balancer in front: a non-loopback --http is then served in plain HTTP")
	drain := fs.Duration("drain-time", 0, "with --hosted, on SIGTERM /readyz answers 503 for this `DURATION` (e.g. 5s) before requests stop being accepted (default 0: at once)")
	selection := selectFlags(fs)
	if code, ok := flagsOnly(e, fs, args, "; 'gandi-mcp --help' lists the commands"); !ok {
		return code
	}
	sel, err := selection(e)
	if err != nil {
		fmt.Fprintln(e.stderr, "gandi-mcp serve:", err)
		return exitUsage
	}
	httpOpts := skill.HTTPOptions{NoAuth: *noAuth, Hosted: *hosted, TLSCert: *tlsCert, TLSKey: *tlsKey, TLSTerminated: *tlsTerminated, DrainTime: *drain}
	tlsGiven := *tlsCert != "" || *tlsKey != "" || *tlsTerminated || *drain != 0
	switch {
	case *hosted && *httpAddr == "":
		fmt.Fprintln(e.stderr, "gandi-mcp serve: --hosted serves Streamable HTTP: add --http HOST:PORT (e.g. --http 0.0.0.0:8080 --tls-terminated behind a load balancer)")
		return exitUsage
	case *hosted && *demo:
		fmt.Fprintln(e.stderr, "gandi-mcp serve: --hosted and --demo exclude each other: a hosted server acts with each caller's own Gandi token, the demo with its built-in one")
		return exitUsage
	case *hosted && *profile != "":
		fmt.Fprintln(e.stderr, "gandi-mcp serve: --hosted and --profile exclude each other: a hosted server reads no token file; each caller sends their own token")
		return exitUsage
	case *httpAddr == "" && tlsGiven:
		fmt.Fprintln(e.stderr, "gandi-mcp serve: --tls-cert, --tls-key, --tls-terminated and --drain-time apply only with --hosted --http HOST:PORT")
		return exitUsage
	case *httpAddr == "" && *noAuth:
		fmt.Fprintln(e.stderr, "gandi-mcp serve: --http-no-auth only applies with --http 127.0.0.1:PORT")
		return exitUsage
	case *httpAddr == "":
	case skill.CheckServeOptions(*httpAddr, httpOpts) != nil:
		fmt.Fprintln(e.stderr, "gandi-mcp serve:", skill.CheckServeOptions(*httpAddr, httpOpts))
		return exitUsage
	case *hosted:
	case *noAuth:
		fmt.Fprintln(e.stderr, "gandi-mcp: warning: --http-no-auth: any user of this machine can reach the HTTP endpoint and act with your Gandi token; use it for local testing only")
	default:
		secret, path, err := skill.HTTPSecret(e.getenv)
		if err != nil {
			fmt.Fprintln(e.stderr, "gandi-mcp serve:", err)
			return exitUsage
		}
		httpOpts.Secret = secret
		fmt.Fprintf(e.stderr, "gandi-mcp: requests must carry \"Authorization: Bearer SECRET\" with the secret kept in %s ('gandi-mcp http-secret' prints it)\n", path)
	}
	var srv *skill.Server
	done := func() {}
	if *hosted {
		srv, err = buildHosted(e, *sandbox, sel)
	} else {
		srv, done, err = buildDemo(e, *sandbox, *profile, *demo, sel)
	}
	if err != nil {
		fmt.Fprintln(e.stderr, "gandi-mcp:", err)
		return exitUsage
	}
	defer done()
	if *demo {
		fmt.Fprintln(e.stderr, "gandi-mcp: demo mode: answering from a built-in fake Gandi account, not yours")
	}
	if *httpAddr != "" {
		if err := srv.ServeHTTP(ctx, *httpAddr, httpOpts); err != nil {
			fmt.Fprintln(e.stderr, "gandi-mcp serve:", err)
			return exitToolError
		}
		return exitOK
	}
	if e.stdinTTY {
		fmt.Fprintln(e.stderr, "gandi-mcp serves MCP on standard input and output, for an assistant to run; it is waiting for one now.\n"+
			"To try it yourself: gandi-mcp demo. All commands: gandi-mcp --help. Ctrl-C to stop.")
	}
	if err := srv.ServeStdio(ctx, e.stdin, e.stdout, e.stderr); err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintln(e.stderr, "gandi-mcp:", err)
		return exitToolError
	}
	return exitOK
}

func runCall(ctx context.Context, e *env, args []string) int {
	fs, sandbox := newFlagSet("call", "TOOL [JSON] [--json] [--profile NAME] [--demo] [--sandbox] [--read-only] [--toolsets LIST]")
	profile := profileFlag(fs)
	asJSON := fs.Bool("json", false, "print the structured result as JSON, also on a terminal")
	demo := fs.Bool("demo", false, "answer from a built-in fake Gandi account (no token needed)")
	selection := selectFlags(fs)
	pos, code, ok := flags(e, fs, args)
	if !ok {
		return code
	}
	sel, err := selection(e)
	if err != nil {
		fmt.Fprintln(e.stderr, "gandi-mcp call:", err)
		return exitUsage
	}
	srv, done, err := buildDemo(e, *sandbox, *profile, *demo, sel)
	if err != nil {
		fmt.Fprintln(e.stderr, "gandi-mcp:", err)
		return exitUsage
	}
	defer done()
	if len(pos) == 0 || len(pos) > 2 {
		fmt.Fprintf(e.stderr, "gandi-mcp call: give a tool name and optional JSON arguments; the tools are: %s\n", toolNames(srv))
		return exitUsage
	}
	tool := srv.Tool(pos[0])
	if tool == nil && srv.Off(pos[0]) != "" {
		fmt.Fprintf(e.stderr, "gandi-mcp call: %s\n", srv.Off(pos[0]))
		return exitUsage
	}
	if tool == nil {
		fmt.Fprintf(e.stderr, "gandi-mcp call: unknown tool %s; the tools are: %s\n", echo(pos[0]), toolNames(srv))
		return exitUsage
	}
	var raw json.RawMessage
	if len(pos) == 2 {
		// What cannot travel in a JSON-RPC message is refused here, in the tool's own words;
		// the tool checks the rest (names, types, values) as it does for any MCP client.
		var err error
		if raw, err = tool.CheckArguments([]byte(pos[1])); err != nil {
			fmt.Fprintf(e.stderr, "gandi-mcp call: %v\n", err)
			return exitUsage
		}
	}
	res, err := srv.Call(ctx, pos[0], raw)
	if err != nil {
		fmt.Fprintln(e.stderr, "gandi-mcp call:", err)
		return exitToolError
	}
	if e.stdoutTTY && !*asJSON {
		fmt.Fprintln(e.stdout, skill.Readable(pos[0], res, 0))
	} else {
		writeJSON(e.stdout, res)
	}
	if res.IsError || hasTroubleshooting(res) {
		// verify_token answers a refused token as a result, not an error; a script still wants to know.
		return exitToolError
	}
	return exitOK
}

// hasTroubleshooting says whether a result reports a problem.
func hasTroubleshooting(res *mcp.CallToolResult) bool {
	var c struct {
		Troubleshooting json.RawMessage `json:"troubleshooting"`
	}
	return json.Unmarshal(res.RawStructuredContent, &c) == nil && len(c.Troubleshooting) > 0 && string(c.Troubleshooting) != "null"
}

// writeJSON writes a result's structured content, indented, for programs and
// pipes, in the order the tool's output schema declares its fields.
func writeJSON(w io.Writer, res *mcp.CallToolResult) {
	out := res.RawStructuredContent
	if len(out) == 0 {
		out, _ = json.Marshal(res.StructuredContent)
	}
	var pretty bytes.Buffer
	if json.Indent(&pretty, out, "", "  ") != nil {
		fmt.Fprintln(w, string(out))
		return
	}
	pretty.WriteByte('\n')
	_, _ = pretty.WriteTo(w)
}

// isTerminal says whether f is a character device, as a terminal is.
func isTerminal(f *os.File) bool {
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

func toolNames(srv *skill.Server) string {
	var names []string
	for _, t := range srv.Tools {
		names = append(names, t.Definition.Name)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

func runTools(ctx context.Context, e *env, args []string) int {
	fs, sandbox := newFlagSet("tools", "[--read-only] [--toolsets LIST]")
	selection := selectFlags(fs)
	if code, ok := flagsOnly(e, fs, args, ""); !ok {
		return code
	}
	sel, err := selection(e)
	if err != nil {
		fmt.Fprintln(e.stderr, "gandi-mcp tools:", err)
		return exitUsage
	}
	srv, err := build(e, *sandbox, "", sel)
	if err != nil {
		fmt.Fprintln(e.stderr, "gandi-mcp:", err)
		return exitUsage
	}
	var defs []any
	for _, t := range srv.Tools {
		defs = append(defs, t.Definition)
	}
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(defs); err != nil {
		fmt.Fprintln(e.stderr, "gandi-mcp tools:", err)
		return exitToolError
	}
	return exitOK
}

func runVersion(_ context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("gandi-mcp version", flag.ContinueOnError)
	fs.Usage = func() { commandHelp(fs.Output(), fs, "") }
	if _, code, ok := flags(e, fs, args); !ok {
		return code
	}
	fmt.Fprintln(e.stdout, skill.Name, skill.Version())
	return exitOK
}

func runHTTPSecret(_ context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("gandi-mcp http-secret", flag.ContinueOnError)
	fs.Usage = func() { commandHelp(fs.Output(), fs, "") }
	if code, ok := flagsOnly(e, fs, args, ""); !ok {
		return code
	}
	secret, path, err := skill.HTTPSecret(e.getenv)
	if err != nil {
		fmt.Fprintln(e.stderr, "gandi-mcp http-secret:", err)
		return exitToolError
	}
	fmt.Fprintln(e.stdout, secret)
	fmt.Fprintf(e.stderr, "gandi-mcp: the secret above is kept in %s; clients of 'gandi-mcp serve --http' send it as the header \"Authorization: Bearer SECRET\"\n", path)
	return exitOK
}
