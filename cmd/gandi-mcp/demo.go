package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/gandi-mcp/gandi-mcp/skill"
)

// runDemo is a guided tour of every tool over the built-in demo account.
func runDemo(ctx context.Context, e *env, args []string) int {
	fs, _ := newFlagSet("demo", "")
	if _, ok := flags(e, fs, args); !ok {
		return exitUsage
	}
	d, err := skill.StartDemo()
	if err != nil {
		fmt.Fprintln(e.stderr, "gandi-mcp demo:", err)
		return exitToolError
	}
	defer d.Close()
	srv := skill.New(d.Deps(e.stderr, slog.LevelError))
	fmt.Fprintln(e.stdout, "gandi-mcp demo: every answer below comes from a built-in fake Gandi account, not yours.")
	steps := []struct {
		title, tool, args string
		token             string
	}{
		{"verify_token with a valid token", "verify_token", "", d.Good.Secret},
		{"verify_token with an expired token", "verify_token", "", d.Expired.Secret},
	}
	for _, s := range steps {
		if err := d.UseToken(s.token); err != nil {
			fmt.Fprintln(e.stderr, "gandi-mcp demo:", err)
			return exitToolError
		}
		fmt.Fprintf(e.stdout, "\n== %s\n", s.title)
		res, err := srv.Call(ctx, s.tool, []byte(s.args))
		if err != nil {
			fmt.Fprintln(e.stderr, "gandi-mcp demo:", err)
			return exitToolError
		}
		fmt.Fprintln(e.stdout, resultText(res))
	}
	return exitOK
}
