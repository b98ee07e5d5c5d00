// Command gandi-mcp is an MCP server (stdio) and a command line for a Gandi
// account, through a Personal Access Token.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"slices"
	"sort"
	"strings"
	"syscall"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/gandi-mcp/gandi-mcp/skill"
)

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
}

var commands = []command{
	{"serve", "[--sandbox] [--demo] [--http 127.0.0.1:PORT]", "serve MCP over stdio, or Streamable HTTP at /mcp (the default command)", runServe},
	{"call", "TOOL [JSON] [--sandbox] [--demo]", "run one tool and print its structured result as JSON (exit 1 on a tool error)", runCall},
	{"demo", "", "a guided tour of every tool on a built-in demo account (no token needed)", runDemo},
	{"tools", "", "list the tools with their descriptions and schemas, as JSON", runTools},
	{"version", "", "print the version", runVersion},
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv})
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, e *env) int {
	name := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	switch {
	case slices.Contains(args, "--version") || slices.Contains(args, "-version"):
		return runVersion(ctx, e, nil)
	case name == "help" || (name == "serve" && (slices.Contains(args, "--help") || slices.Contains(args, "-h"))):
		usage(e.stdout)
		return exitOK
	}
	for _, c := range commands {
		if c.name == name {
			return c.run(ctx, e, args)
		}
	}
	fmt.Fprintf(e.stderr, "gandi-mcp: unknown command %q; the commands are: %s\n", name, commandNames())
	return exitUsage
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
	fmt.Fprintln(w, "\nFlags: --sandbox (Gandi's sandbox; also GANDI_SANDBOX=1), --demo (a built-in fake account, no token needed),")
	fmt.Fprintln(w, "--http HOST:PORT (loopback only), --version, --help.")
	fmt.Fprintln(w, "Environment: GANDI_API_TOKEN, GANDI_API_KEY (deprecated), GANDI_SANDBOX, GANDI_API_URL, GANDI_ID_URL, GANDI_MCP_LOG_LEVEL.")
}

// flags parses a command's flags anywhere among its arguments and returns the
// positional ones; a bad flag prints what is valid.
func flags(e *env, fs *flag.FlagSet, args []string) ([]string, bool) {
	fs.SetOutput(e.stderr)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, false
			}
			return nil, false
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, true
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func newFlagSet(name, positional string) (*flag.FlagSet, *bool) {
	fs := flag.NewFlagSet("gandi-mcp "+name, flag.ContinueOnError)
	sandbox := fs.Bool("sandbox", false, "use Gandi's sandbox environment (also GANDI_SANDBOX=1)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: gandi-mcp %s %s\n", name, positional)
		fs.PrintDefaults()
	}
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

func build(e *env, sandbox bool) (*skill.Server, error) {
	level, err := logLevel(e)
	if err != nil {
		return nil, err
	}
	deps, err := skill.DepsFromEnv(skill.Options{Sandbox: sandbox, Getenv: e.getenv, Stderr: e.stderr, LogLevel: level})
	if err != nil {
		return nil, err
	}
	return skill.New(deps), nil
}

// buildDemo builds the server on the demo account when demo is set; done releases it.
func buildDemo(e *env, sandbox, demo bool) (srv *skill.Server, done func(), err error) {
	if !demo {
		srv, err = build(e, sandbox)
		return srv, func() {}, err
	}
	if sandbox {
		return nil, nil, errors.New("--demo and --sandbox exclude each other: the demo account is neither production nor sandbox")
	}
	level, err := logLevel(e)
	if err != nil {
		return nil, nil, err
	}
	d, err := skill.StartDemo()
	if err != nil {
		return nil, nil, err
	}
	return skill.New(d.Deps(e.stderr, level)), d.Close, nil
}

func runServe(ctx context.Context, e *env, args []string) int {
	fs, sandbox := newFlagSet("serve", "[--sandbox] [--demo] [--http 127.0.0.1:PORT]")
	demo := fs.Bool("demo", false, "answer from a built-in fake Gandi account (no token needed; every result says so)")
	httpAddr := fs.String("http", "", "serve Streamable HTTP at http://`HOST:PORT`/mcp instead of stdio (loopback addresses only)")
	pos, ok := flags(e, fs, args)
	if !ok {
		return exitUsage
	}
	if len(pos) > 0 {
		fmt.Fprintf(e.stderr, "gandi-mcp serve: unexpected argument %q\n", pos[0])
		return exitUsage
	}
	if *httpAddr != "" {
		if err := skill.CheckHTTPAddr(*httpAddr); err != nil {
			fmt.Fprintln(e.stderr, "gandi-mcp serve:", err)
			return exitUsage
		}
	}
	srv, done, err := buildDemo(e, *sandbox, *demo)
	if err != nil {
		fmt.Fprintln(e.stderr, "gandi-mcp:", err)
		return exitUsage
	}
	defer done()
	if *demo {
		fmt.Fprintln(e.stderr, "gandi-mcp: demo mode: answering from a built-in fake Gandi account, not yours")
	}
	if *httpAddr != "" {
		if err := srv.ServeHTTP(ctx, *httpAddr, nil); err != nil {
			fmt.Fprintln(e.stderr, "gandi-mcp serve:", err)
			return exitToolError
		}
		return exitOK
	}
	if err := srv.ServeStdio(ctx, e.stdin, e.stdout, e.stderr); err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintln(e.stderr, "gandi-mcp:", err)
		return exitToolError
	}
	return exitOK
}

func runCall(ctx context.Context, e *env, args []string) int {
	fs, sandbox := newFlagSet("call", "TOOL [JSON]")
	demo := fs.Bool("demo", false, "answer from a built-in fake Gandi account (no token needed)")
	pos, ok := flags(e, fs, args)
	if !ok {
		return exitUsage
	}
	srv, done, err := buildDemo(e, *sandbox, *demo)
	if err != nil {
		fmt.Fprintln(e.stderr, "gandi-mcp:", err)
		return exitUsage
	}
	defer done()
	if len(pos) == 0 || len(pos) > 2 {
		fmt.Fprintf(e.stderr, "gandi-mcp call: give a tool name and optional JSON arguments; the tools are: %s\n", toolNames(srv))
		return exitUsage
	}
	if srv.Tool(pos[0]) == nil {
		fmt.Fprintf(e.stderr, "gandi-mcp call: unknown tool %q; the tools are: %s\n", pos[0], toolNames(srv))
		return exitUsage
	}
	var raw json.RawMessage
	if len(pos) == 2 {
		raw = json.RawMessage(pos[1])
		var obj map[string]any
		if err := json.Unmarshal(raw, &obj); err != nil {
			fmt.Fprintf(e.stderr, "gandi-mcp call: the arguments must be a JSON object, e.g. '{\"all\": true}': %v\n", err)
			return exitUsage
		}
	}
	res, err := srv.Call(ctx, pos[0], raw)
	if err != nil {
		fmt.Fprintln(e.stderr, "gandi-mcp call:", err)
		return exitToolError
	}
	out := res.RawStructuredContent
	if len(out) == 0 {
		out, _ = json.Marshal(res.StructuredContent)
	}
	var pretty strings.Builder
	enc := json.NewEncoder(&pretty)
	enc.SetIndent("", "  ")
	var v any
	if json.Unmarshal(out, &v) == nil {
		_ = enc.Encode(v)
		fmt.Fprint(e.stdout, pretty.String())
	} else {
		fmt.Fprintln(e.stdout, string(out))
	}
	if res.IsError {
		return exitToolError
	}
	return exitOK
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
	fs, sandbox := newFlagSet("tools", "")
	if _, ok := flags(e, fs, args); !ok {
		return exitUsage
	}
	srv, err := build(e, *sandbox)
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

func runVersion(_ context.Context, e *env, _ []string) int {
	fmt.Fprintln(e.stdout, skill.Name, skill.Version())
	return exitOK
}

// resultText is the text content of a tool result.
func resultText(res *mcp.CallToolResult) string {
	var b strings.Builder
	for _, c := range res.Content {
		if tc, ok := mcp.AsTextContent(c); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String()
}
