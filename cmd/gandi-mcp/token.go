package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"

	"github.com/gandi-mcp/gandi-mcp/auth"
	"github.com/gandi-mcp/gandi-mcp/gandi"
	"github.com/gandi-mcp/gandi-mcp/skill"
)

// tokenCommands are the subcommands of `gandi-mcp token`.
var tokenCommands = []struct {
	name string
	run  func(ctx context.Context, e *env, args []string) int
}{
	{"set", runTokenSet},
	{"path", runTokenPath},
	{"list", runTokenList},
}

func runToken(ctx context.Context, e *env, args []string) int {
	var names []string
	for _, c := range tokenCommands {
		names = append(names, c.name)
	}
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		if isHelp(args) {
			fmt.Fprintf(e.stdout, "Usage: gandi-mcp token set|path|list [FLAGS]\n\n%s\n", about["token"])
			return exitOK
		}
		fmt.Fprintf(e.stderr, "gandi-mcp token: give a token command: %s\n", strings.Join(names, ", "))
		return exitUsage
	}
	for _, c := range tokenCommands {
		if c.name == args[0] {
			return c.run(ctx, e, args[1:])
		}
	}
	fmt.Fprintf(e.stderr, "gandi-mcp token: unknown token command %s; the token commands are: %s\n", echo(args[0]), strings.Join(names, ", "))
	return exitUsage
}

// options are a command's skill options; quiet commands log only errors unless asked.
func options(e *env, sandbox bool, profile string, fallback slog.Level) (skill.Options, error) {
	level, ok := skill.ParseLevel(e.getenv("GANDI_MCP_LOG_LEVEL"))
	switch {
	case !ok && e.getenv("GANDI_MCP_LOG_LEVEL") != "":
		return skill.Options{}, fmt.Errorf("GANDI_MCP_LOG_LEVEL=%q is not a level: use debug, info, warn or error", e.getenv("GANDI_MCP_LOG_LEVEL"))
	case !ok:
		level = fallback
	}
	return skill.Options{Sandbox: sandbox, Profile: profile, Getenv: e.getenv, Stderr: e.stderr, LogLevel: level}, nil
}

func runTokenSet(ctx context.Context, e *env, args []string) int {
	fs, sandbox := newFlagSet("token set", "[--sandbox] [--profile NAME] [--verify]  (the token comes on standard input)")
	profile := profileFlag(fs)
	verify := fs.Bool("verify", false, "ask Gandi about the token first, and store it only if Gandi accepts it")
	if code, ok := flagsOnly(e, fs, args, "; the token is read from standard input, never from the command line (it would stay in your shell history). Run it, paste the token, press Enter."); !ok {
		return code
	}
	o, err := options(e, *sandbox, *profile, slog.LevelError)
	if err != nil {
		fmt.Fprintln(e.stderr, "gandi-mcp token set:", err)
		return exitUsage
	}
	if err := skill.CheckProfileName(o); err != nil {
		fmt.Fprintln(e.stderr, "gandi-mcp token set: nothing was read:", err)
		return exitUsage
	}
	flags := sandboxFlag(*sandbox) + profileFlagText(skill.SelectedProfile(o))
	token, err := auth.ReadToken(ctx, e.stdin, e.stderr, "Paste your Gandi Personal Access Token (it will not be shown), then press Enter: ")
	if err != nil {
		fmt.Fprintln(e.stderr, "gandi-mcp token set: nothing was stored:", err)
		return exitToolError
	}
	ts, err := skill.SetToken(ctx, o, token, *verify)
	if err != nil {
		fmt.Fprintln(e.stderr, "gandi-mcp token set: nothing was stored:", err)
		return exitToolError
	}
	if ts.Check != nil {
		fmt.Fprintln(e.stdout, skill.DescribeToken(ts.Check))
	}
	if !ts.Stored && ts.Unchecked {
		fmt.Fprintf(e.stderr, "gandi-mcp token set: nothing was stored, since Gandi could not check the token; %s is unchanged.\n"+
			"To store it without checking, run `gandi-mcp token set%s` (without --verify) and paste it again;\n"+
			"`gandi-mcp call verify_token%s` checks it once Gandi answers.\n", ts.Path, flags, flags)
		return exitToolError
	}
	if !ts.Stored {
		fmt.Fprintf(e.stderr, "gandi-mcp token set: nothing was stored; %s is unchanged.\n", ts.Path)
		return exitToolError
	}
	if ts.Profile != "" {
		fmt.Fprintf(e.stdout, "Stored the %s token of profile %s in %s (mode 0600).\n", ts.Environment, ts.Profile, ts.Path)
	} else {
		fmt.Fprintf(e.stdout, "Stored the %s token in %s (mode 0600).\n", ts.Environment, ts.Path)
	}
	if r := ts.Replaced; r != nil {
		fmt.Fprintln(e.stdout, replacedText(r, *sandbox))
	}
	if ts.Shadowed != "" {
		fmt.Fprintf(e.stderr, "Note: %s is set in this environment. Wherever it is set it wins over the file: unset it there (and in the assistant's configuration) so that the stored token is used.\n", ts.Shadowed)
	}
	if ts.Check == nil {
		fmt.Fprintf(e.stdout, "Check it with: gandi-mcp call verify_token%s\n", flags)
	}
	return exitOK
}

// replacedText says what a stored token replaced, naming it when Gandi described it earlier.
func replacedText(r *skill.ReplacedToken, sandbox bool) string {
	switch {
	case r.Same:
		return "That very token was already stored there: nothing else changed."
	case r.NotAToken:
		return "It replaced what the file held before, which was not a token gandi-mcp could use."
	}
	what := "the token stored there before"
	if r.Name != "" {
		what = fmt.Sprintf("the token %q stored there before", r.Name)
	}
	if r.ExpiresAt == nil {
		return "It replaced " + what + " (gandi-mcp never saw Gandi describe it, so its name and expiry are unknown)."
	}
	env := gandi.Production
	if sandbox {
		env = gandi.Sandbox
	}
	return fmt.Sprintf("It replaced %s, valid until %s: it may work until then; delete it at %s once nothing else uses it.",
		what, r.ExpiresAt.UTC().Format("2006-01-02"), gandi.EndpointsFor(env).PATPageURL())
}

// profileFlagText is " --profile NAME" for a command line to repeat, "" without a profile.
func profileFlagText(profile string) string {
	if profile != "" {
		return " --profile " + profile
	}
	return ""
}

func sandboxFlag(on bool) string {
	if on {
		return " --sandbox"
	}
	return ""
}

func runTokenPath(ctx context.Context, e *env, args []string) int {
	fs, sandbox := newFlagSet("token path", "[--sandbox] [--profile NAME]")
	profile := profileFlag(fs)
	if code, ok := flagsOnly(e, fs, args, ""); !ok {
		return code
	}
	o, err := options(e, *sandbox, *profile, slog.LevelError)
	if err != nil {
		fmt.Fprintln(e.stderr, "gandi-mcp token path:", err)
		return exitUsage
	}
	tp, err := skill.LocateToken(o)
	if err != nil {
		fmt.Fprintln(e.stderr, "gandi-mcp token path:", err)
		return exitUsage
	}
	what := tp.Environment + " token"
	if tp.Profile != "" {
		what = tp.Environment + " token of profile " + tp.Profile
	}
	fmt.Fprintf(e.stdout, "gandi-mcp looks for the %s here, in this order; the first one present is used:\n", what)
	width := 0
	for _, p := range tp.Places {
		width = max(width, len(p.What))
	}
	for i, p := range tp.Places {
		fmt.Fprintf(e.stdout, "  %d. %-*s  %s\n", i+1, width, p.What, p.State)
	}
	if tp.InUse != "" {
		fmt.Fprintf(e.stdout, "In use: %s\n", tp.InUse)
	} else {
		fmt.Fprintf(e.stdout, "In use: nothing: %s\n", tp.Problem)
	}
	for _, w := range tp.Warnings {
		fmt.Fprintf(e.stdout, "Warning: %s\n", w.Message)
	}
	if tp.WritePath != "" {
		fmt.Fprintf(e.stdout, "gandi-mcp token set%s%s writes to %s\n", sandboxFlag(*sandbox), profileFlagText(tp.Profile), tp.WritePath)
	}
	return exitOK
}

func runScopes(ctx context.Context, e *env, args []string) int {
	fs, sandbox := newFlagSet("scopes", "[--sandbox] [--read-only] [--toolsets LIST]")
	selection := selectFlags(fs)
	if code, ok := flagsOnly(e, fs, args, ""); !ok {
		return code
	}
	sel, err := selection(e)
	if err != nil {
		fmt.Fprintln(e.stderr, "gandi-mcp scopes:", err)
		return exitUsage
	}
	list, err := skill.ToolScopes(sel)
	if err != nil {
		fmt.Fprintln(e.stderr, "gandi-mcp scopes:", err)
		return exitUsage
	}
	rows := [][]string{{"TOOL", "SCOPES NEEDED", "WHAT IT DOES"}}
	var all []string
	for _, t := range list {
		scopes := strings.Join(t.Scopes, ", ")
		if scopes == "" {
			scopes = "none"
		}
		for _, s := range t.Scopes {
			if !slices.Contains(all, s) {
				all = append(all, s)
			}
		}
		rows = append(rows, []string{t.Tool, scopes, t.Title})
	}
	w0, w1 := 0, 0
	for _, r := range rows {
		w0, w1 = max(w0, len(r[0])), max(w1, len(r[1]))
	}
	for _, r := range rows {
		fmt.Fprintf(e.stdout, "%-*s  %-*s  %s\n", w0, r[0], w1, r[1], r[2])
	}
	page := gandi.EndpointsFor(gandi.Production).PATPageURL()
	if *sandbox {
		page = gandi.EndpointsFor(gandi.Sandbox).PATPageURL()
	}
	fmt.Fprintln(e.stdout)
	if len(all) > 0 {
		fmt.Fprintf(e.stdout, "Every tool: %s.\n", strings.Join(all, ", "))
	}
	fmt.Fprintf(e.stdout, "Create the token at %s with the scopes of the tools you use, and no more.\n", page)
	return exitOK
}

func runTokenList(ctx context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("gandi-mcp token list", flag.ContinueOnError)
	fs.Usage = func() { commandHelp(fs.Output(), fs, "[--verify]") }
	verify := fs.Bool("verify", false, "ask Gandi about each token now (a few at a time), and report any refused or expiring within 7 days")
	if code, ok := flagsOnly(e, fs, args, ""); !ok {
		return code
	}
	o, err := options(e, false, "", slog.LevelError)
	if err != nil {
		fmt.Fprintln(e.stderr, "gandi-mcp token list:", err)
		return exitUsage
	}
	list, err := skill.ListTokens(ctx, o, *verify)
	if err != nil {
		fmt.Fprintln(e.stderr, "gandi-mcp token list:", err)
		return exitToolError
	}
	rows := [][]string{{"ENVIRONMENT", "PROFILE", "NAME", "EXPIRES", "DAYS LEFT", "ORGANIZATION", "FILE"}}
	if *verify {
		rows[0] = slices.Insert(rows[0], 6, "GANDI SAYS")
	}
	var problems []string
	for _, t := range list {
		profile, name, expires, days, orgs, file := t.Profile, "unknown", "unknown", "unknown", "unknown", t.Path
		if profile == "" {
			profile = "(default)"
		}
		if t.Name != "" {
			name = t.Name
		}
		if t.ExpiresAt != nil {
			expires, days = t.ExpiresAt.UTC().Format("2006-01-02"), strconv.Itoa(*t.DaysLeft)
			if *t.DaysLeft < 0 {
				days = "expired"
			}
		}
		if len(t.Organizations) > 0 {
			orgs = strings.Join(t.Organizations, ", ")
		}
		switch {
		case t.Missing:
			name, expires, days, orgs, file = "-", "-", "-", "-", file+" (no token)"
		case t.Problem != "":
			name, expires, days, orgs, file = "-", "-", "-", "-", file+" (cannot be used)"
			problems = append(problems, fmt.Sprintf("%s %s: %s", t.Environment, profile, t.Problem))
		}
		row := []string{t.Environment, profile, name, expires, days, orgs, file}
		if *verify {
			verdict := "-"
			if t.Checked {
				verdict = t.Verdict
				if i := strings.Index(verdict, ":"); i > 0 {
					verdict = verdict[:i] // the whole reason is in the problems below
				}
			}
			row = slices.Insert(row, 6, verdict)
		}
		rows = append(rows, row)
		switch {
		case !t.Alert || t.Missing || t.Problem != "":
		case t.Checked && !t.Accepted && strings.HasPrefix(t.Verdict, "refused"):
			problems = append(problems, fmt.Sprintf("%s %s: %s Create a new token at %s and store it with `gandi-mcp token set%s%s`.",
				t.Environment, profile, t.Verdict, patPage(t.Environment), sandboxFlag(t.Environment == string(gandi.Sandbox)), profileFlagText(t.Profile)))
		case t.Checked && !t.Accepted:
			problems = append(problems, fmt.Sprintf("%s %s: %s", t.Environment, profile, t.Verdict))
		case t.DaysLeft != nil && *t.DaysLeft < 0:
			problems = append(problems, fmt.Sprintf("%s %s: the token expired on %s; create a new one at %s and store it with `gandi-mcp token set%s%s`",
				t.Environment, profile, expires, patPage(t.Environment), sandboxFlag(t.Environment == string(gandi.Sandbox)), profileFlagText(t.Profile)))
		case t.DaysLeft != nil:
			problems = append(problems, fmt.Sprintf("%s %s: the token expires in %d day(s), on %s; renew it with `gandi-mcp call renew_token%s%s`",
				t.Environment, profile, *t.DaysLeft, expires, sandboxFlag(t.Environment == string(gandi.Sandbox)), profileFlagText(t.Profile)))
		}
	}
	widths := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], len(c))
		}
	}
	for _, r := range rows {
		var b strings.Builder
		for i, c := range r {
			if i == len(r)-1 {
				b.WriteString(c)
				break
			}
			fmt.Fprintf(&b, "%-*s  ", widths[i], c)
		}
		fmt.Fprintln(e.stdout, b.String())
	}
	fmt.Fprintln(e.stdout)
	if *verify {
		fmt.Fprintln(e.stdout, "Names, expiries and organizations are what Gandi said just now (unknown: Gandi was not asked or did not say).")
	} else {
		fmt.Fprintln(e.stdout, "Names, expiries and organizations are as Gandi last described each token to gandi-mcp; nothing was sent to Gandi. --verify asks it now.")
	}
	if len(problems) > 0 {
		fmt.Fprintf(e.stdout, "\n%d token(s) need attention:\n", len(problems))
		for _, p := range problems {
			fmt.Fprintf(e.stdout, "  - %s\n", p)
		}
		if *verify {
			return exitToolError
		}
	}
	return exitOK
}

// patPage is the admin page where the environment's tokens are made.
func patPage(environment string) string {
	if environment == string(gandi.Sandbox) {
		return gandi.EndpointsFor(gandi.Sandbox).PATPageURL()
	}
	return gandi.EndpointsFor(gandi.Production).PATPageURL()
}
