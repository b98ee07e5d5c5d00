package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/gandi-mcp/gandi-mcp/gandi"
	"github.com/gandi-mcp/gandi-mcp/gandi/ganditest"
	"github.com/gandi-mcp/gandi-mcp/skill"
)

// demoStep is one stop of the tour: a tool call an assistant would make.
type demoStep struct {
	title, why string
	tool, args string
	// token picks the demo token the step uses; nil keeps the current one.
	token func(d *skill.Demo) string
	// trouble says the step shows a problem on purpose.
	trouble bool
	// after names a tool whose step must have run for this one to make sense.
	after string
	// id names the step's result, for the arguments of later steps.
	id string
	// argsFrom, when set, makes the arguments (instead of args) from the demo account and
	// the results of earlier steps, by id: a plan's plan_id, an apply's snapshot_id.
	argsFrom func(d *skill.Demo, earlier demoResults) (string, error)
}

// demoResults are the structured results of the steps run so far, by step id.
type demoResults map[string]json.RawMessage

// field is the string field key of the result of step id.
func (r demoResults) field(id, key string) (string, error) {
	var out map[string]any
	if err := json.Unmarshal(r[id], &out); err != nil {
		return "", fmt.Errorf("step %s has no result: %w", id, err)
	}
	v, _ := out[key].(string)
	if v == "" {
		return "", fmt.Errorf("step %s's result has no %s", id, key)
	}
	return v, nil
}

// demoTXT is the record the tour adds, as a site verification asks for.
const demoTXT = "google-site-verification=demo-3f9c1a7e"

// demoChange is the arguments of the tour's DNS change; planID set, its apply.
func demoChange(d *skill.Demo, planID string) (string, error) {
	type change struct {
		Op     string   `json:"op"`
		Name   string   `json:"name"`
		Type   string   `json:"type"`
		Values []string `json:"values"`
	}
	raw, err := json.Marshal(struct {
		FQDN    string   `json:"fqdn"`
		Changes []change `json:"changes"`
		Apply   bool     `json:"apply,omitempty"`
		PlanID  string   `json:"plan_id,omitempty"`
	}{d.DNSDomain, []change{{"add", "@", "TXT", []string{demoTXT}}}, planID != "", planID})
	return string(raw), err
}

// demoAvailability is the names the tour checks: one free, one taken, one premium.
var demoAvailability = []string{"my-shop.fr", ganditest.TakenNames[0], ganditest.PremiumName}

// demoRenewYears is the tour's renewal: "renew it for two years".
const demoRenewYears = 2

// demoRenewal is the arguments of the tour's renewal; planID set, its apply.
func demoRenewal(d *skill.Demo, planID string) (string, error) {
	raw, err := json.Marshal(struct {
		FQDN   string `json:"fqdn"`
		Years  int    `json:"years"`
		Apply  bool   `json:"apply,omitempty"`
		PlanID string `json:"plan_id,omitempty"`
	}{d.RenewDomain, demoRenewYears, planID != "", planID})
	return string(raw), err
}

// demoRestore is the arguments of the tour's undo of the change; planID set, its apply.
func demoRestore(d *skill.Demo, earlier demoResults, planID string) (string, error) {
	id, err := earlier.field("dns-apply", "snapshot_id")
	if err != nil {
		return "", err
	}
	raw, err := json.Marshal(struct {
		FQDN       string `json:"fqdn"`
		SnapshotID string `json:"snapshot_id"`
		Apply      bool   `json:"apply,omitempty"`
		PlanID     string `json:"plan_id,omitempty"`
	}{d.DNSDomain, id, planID != "", planID})
	return string(raw), err
}

var demoSteps = []demoStep{
	{
		title: "Check the token", tool: "verify_token",
		why:   "An assistant calls verify_token first: is the token good, what may it do, when does it expire?",
		token: func(d *skill.Demo) string { return d.Good.Secret },
	},
	{
		title: "An expired token", tool: "verify_token", trouble: true,
		why:   "When something is wrong, every tool says what, with a stable diagnosis code, and what to do.",
		token: func(d *skill.Demo) string { return d.Expired.Secret },
	},
	{
		title: "What expires in the next 30 days", tool: "list_domains", args: `{"expiring_within_days": 30}`,
		why:   "The question people ask most.",
		token: func(d *skill.Demo) string { return d.Good.Secret },
	},
	{
		title: "The whole portfolio", tool: "list_domains", args: `{"all": true}`,
		why: "Every page, fetched concurrently within Gandi's rate limit (the first rows are shown here).",
	},
	{
		title: "Who can act where", tool: "list_sharing",
		why: "The organizations the token reaches, its own grant, and what only Gandi's admin can show.",
	},
	{
		title: "Is a name free, and at what price", tool: "check_availability",
		why:  "\"Is my-shop.fr free, and what does it cost?\" One free name, one taken, one premium: each with Gandi's status and price.",
		args: `{"names": ["` + strings.Join(demoAvailability, `", "`) + `"]}`,
	},
	{
		title: "A domain renewal, planned", tool: "renew_domain", id: "renew-plan",
		why: "\"Renew it for two years.\" A renewal is a purchase: the plan reads Gandi's terms, has Gandi check it " +
			"(Dry-Run, nothing bought) and shows the price and the expiry before and after.",
		argsFrom: func(d *skill.Demo, _ demoResults) (string, error) { return demoRenewal(d, "") },
	},
	{
		title: "The renewal, refused: purchases are off", tool: "renew_domain", trouble: true,
		why: "Even with the plan_id, nothing is bought: purchases are off unless gandi-mcp is started with " +
			"--allow-purchases. The refusal comes before any request to Gandi.",
		argsFrom: func(d *skill.Demo, earlier demoResults) (string, error) {
			id, err := earlier.field("renew-plan", "plan_id")
			if err != nil {
				return "", err
			}
			return demoRenewal(d, id)
		},
	},
	{
		title: "Renewal, dry run", tool: "renew_token", args: `{"dry_run": true}`,
		why: "What a renewal would do, without doing it.",
	},
	{
		title: "Renewal", tool: "renew_token", args: `{"name": "demo-token-renewed"}`,
		why: "Gandi issues a new token; gandi-mcp checks it and swaps it into the token file atomically. The secret is never shown.",
	},
	{
		title: "After the renewal", tool: "verify_token", after: "renew_token",
		why: "The token file now holds the new token.",
	},
	{
		title: "A DNS change, planned", tool: "change_dns_records", id: "dns-plan",
		why: "\"Add the TXT record Google asks for.\" Without apply nothing changes: the plan shows each record set " +
			"before and after, warnings, and a plan_id. The assistant shows it to the person and asks.",
		argsFrom: func(d *skill.Demo, _ demoResults) (string, error) { return demoChange(d, "") },
	},
	{
		title: "The change, applied", tool: "change_dns_records", id: "dns-apply",
		why: "The person agreed: the same arguments, apply=true and the plan's plan_id (a client that can ask also " +
			"has the person confirm). A snapshot of the zone is taken first: its snapshot_id undoes the change.",
		argsFrom: func(d *skill.Demo, earlier demoResults) (string, error) {
			id, err := earlier.field("dns-plan", "plan_id")
			if err != nil {
				return "", err
			}
			return demoChange(d, id)
		},
	},
	{
		title: "Undo, planned", tool: "restore_dns_snapshot", id: "undo-plan", after: "change_dns_records",
		why: "\"Undo what you just did\": restore the snapshot the change returned. The plan is the difference " +
			"between the zone now (before) and the snapshot (after): the TXT value goes.",
		argsFrom: func(d *skill.Demo, earlier demoResults) (string, error) { return demoRestore(d, earlier, "") },
	},
	{
		title: "Undo, applied", tool: "restore_dns_snapshot", id: "undo-apply", after: "change_dns_records",
		why: "The restore takes a snapshot of the zone first (so the undo can be undone), then puts the snapshot's " +
			"records back in one write.",
		argsFrom: func(d *skill.Demo, earlier demoResults) (string, error) {
			id, err := earlier.field("undo-plan", "plan_id")
			if err != nil {
				return "", err
			}
			return demoRestore(d, earlier, id)
		},
	},
	{
		title: "After the undo", tool: "restore_dns_snapshot", id: "undo-check", after: "restore_dns_snapshot",
		why:      "Planning the same restore again: the zone already equals the snapshot, the TXT value is gone.",
		argsFrom: func(d *skill.Demo, earlier demoResults) (string, error) { return demoRestore(d, earlier, "") },
	},
}

// demoRows bounds the rows of each table in the tour.
const demoRows = 10

// runDemo is a guided tour of every tool over the built-in demo account.
func runDemo(ctx context.Context, e *env, args []string) int {
	// No --sandbox: the demo account is a fake inside this process, neither production nor sandbox.
	fs := flag.NewFlagSet("gandi-mcp demo", flag.ContinueOnError)
	fs.Usage = func() { commandHelp(fs.Output(), fs, "") }
	if slices.ContainsFunc(args, isSandboxFlag) && !isHelpAnywhere(args) {
		fmt.Fprintln(e.stderr, "gandi-mcp demo: --sandbox does not apply: the demo account is a fake built into gandi-mcp, neither production nor sandbox.\n"+
			"To try Gandi's sandbox instead: gandi-mcp token set --sandbox --verify, then gandi-mcp call --sandbox verify_token.")
		return exitUsage
	}
	if code, ok := flagsOnly(e, fs, args, ""); !ok {
		return code
	}
	d, err := skill.StartDemo()
	if err != nil {
		fmt.Fprintln(e.stderr, "gandi-mcp demo:", err)
		return exitToolError
	}
	defer d.Close()
	srv := skill.New(d.Deps(e.stderr, slog.LevelError))
	w := e.stdout
	fmt.Fprintln(w, "gandi-mcp demo: a guided tour of every tool, on a DEMO account.")
	fmt.Fprintf(w, "Every answer below comes from a fake Gandi built into this program (%d domains in one\n", skill.DemoDomains)
	fmt.Fprintln(w, "organization). Your Gandi account is never contacted and no token of yours is used.")

	failed := false
	ran := map[string]bool{}
	earlier := demoResults{}
	for i, s := range demoSteps {
		fmt.Fprintf(w, "\n== %d/%d  %s: %s\n", i+1, len(demoSteps), s.title, s.tool)
		if srv.Tool(s.tool) == nil || (s.after != "" && !ran[s.after]) {
			missing := s.tool
			if srv.Tool(s.tool) != nil {
				missing = s.after
			}
			fmt.Fprintf(w, "   (skipped: %s is not in this build yet)\n", missing)
			continue
		}
		fmt.Fprintln(w, s.why)
		if s.token != nil {
			if err := d.UseToken(s.token(d)); err != nil {
				fmt.Fprintln(e.stderr, "gandi-mcp demo:", err)
				return exitToolError
			}
		}
		args := s.args
		if s.argsFrom != nil {
			if args, err = s.argsFrom(d, earlier); err != nil {
				fmt.Fprintln(e.stderr, "gandi-mcp demo:", err)
				return exitToolError
			}
		}
		call := s.tool
		if args != "" {
			call += " " + args
		}
		fmt.Fprintf(w, "tool call: %s\n\n", call)
		res, err := srv.Call(ctx, s.tool, json.RawMessage(args))
		if err != nil {
			fmt.Fprintln(e.stderr, "gandi-mcp demo:", err)
			return exitToolError
		}
		ran[s.tool] = true
		if s.id != "" {
			earlier[s.id] = res.RawStructuredContent
		}
		writeIndented(w, skill.Readable(s.tool, res, demoRows))
		if troubled(res) != s.trouble {
			failed = true
			fmt.Fprintln(w, "!! This step did not go as the tour expects: please report it.")
		}
	}

	fmt.Fprintln(w, "\nThat was the demo: no real account was touched.")
	fmt.Fprintln(w, "With your own account:")
	fmt.Fprintf(w, "  1. Create a Personal Access Token at %s\n", gandi.EndpointsFor(gandi.Production).PATPageURL())
	fmt.Fprintln(w, "     (`gandi-mcp scopes` says which scopes each tool needs).")
	fmt.Fprintln(w, "  2. Run `gandi-mcp token set --verify` and paste it there: it is not shown, and it never")
	fmt.Fprintln(w, "     goes into a chat with an assistant.")
	fmt.Fprintln(w, "  3. Register gandi-mcp with your assistant: see \"Register with an assistant\" in README.md.")
	if failed {
		return exitToolError
	}
	return exitOK
}

// isSandboxFlag says whether a is --sandbox, in any of the spellings flags accepts.
func isSandboxFlag(a string) bool {
	name, _, _ := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-"), "=")
	return strings.HasPrefix(a, "-") && name == "sandbox"
}

// troubled says whether a result reports a problem.
func troubled(res *mcp.CallToolResult) bool {
	var out struct {
		Troubleshooting json.RawMessage `json:"troubleshooting"`
	}
	_ = json.Unmarshal(res.RawStructuredContent, &out)
	return res.IsError || len(out.Troubleshooting) > 0
}

func writeIndented(w io.Writer, text string) {
	for _, line := range strings.Split(text, "\n") {
		fmt.Fprintf(w, "   %s\n", line)
	}
}
