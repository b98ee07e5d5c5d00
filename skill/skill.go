// Package skill builds the gandi-mcp MCP server as a whole: its name, version,
// instructions, tool set and middleware.
package skill

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"log/slog"
	"runtime/debug"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	gandimcp "github.com/gandi-mcp/gandi-mcp"
	"github.com/gandi-mcp/gandi-mcp/gandi"
	"github.com/gandi-mcp/gandi-mcp/tools"
)

// Name is the server's name as MCP clients see it.
const Name = "gandi-mcp"

// SkillMD is the embedded SKILL.md.
var SkillMD = gandimcp.SkillMD

// version is set at link time (-ldflags -X) by builds without VCS information, such as the Dockerfile's.
var version string

// Version is the version given at link time, else the module's version from build info ("dev" in a source tree).
func Version() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

const instructionsHead = `gandi-mcp works with the person's Gandi account through their Personal Access Token (PAT).`

// toolInstructions are the instructions' line for each tool, given only when the tool is offered.
var toolInstructions = map[string]string{
	"verify_token":         "call it first, and whenever any other tool fails; its troubleshooting says what is wrong and the exact next step.",
	"list_domains":         `for "what expires soon" use expiring_within_days (it reads every page); all=true reads every page; one page otherwise. Relay its notes: they say when the list is partial.`,
	"list_sharing":         "the organizations (sharing_id) the token reaches, its scopes, and domain counts; teams and other tokens are only in the admin page it names.",
	"get_domain":           "one domain's expiry, days left, renewal window, autorenew, name servers (livedns), transfer lock and owner: for \"when does it expire, will it renew itself?\". not_found means the token does not see it: check list_domains.",
	"check_availability":   "whether 1 to 10 names can be registered now, each with its price for the shortest period; say when a price is premium or excludes taxes. It registers nothing.",
	"set_autorenew":        "turns a domain's automatic renewal on or off (and its years); plan first, show from/to and the warnings, apply with the plan_id only when the person agrees.",
	"set_nameservers":      "replaces a domain's name servers (e.g. to move its DNS elsewhere): destructive, a wrong set takes the site and mail down. Plan first; relay every warning (leaving LiveDNS: offer list_dns_records format zone first); apply with the plan_id only when the person agrees.",
	"renew_token":          "when verify_token warns that the token expires soon, or the person asks; call it with dry_run=true first and tell the person what will happen. It stores the new token itself and never shows it.",
	"list_dns_records":     `a domain's DNS records (name, type, ttl, values); narrow with name ("@", "www", "_dmarc") or type ("MX" for mail problems). dns_not_hosted means its DNS is elsewhere: say where, and that the records are edited there.`,
	"list_dns_snapshots":   "a zone's snapshots (restore points), newest first: find the one an earlier change made.",
	"change_dns_records":   "call it without apply to get the plan; show its changes and warnings to the person; only when they agree, call again with the same arguments, apply=true and the plan_id. Tell them the snapshot_id: it undoes the change.",
	"renew_domain":         "a purchase that cannot be undone: plan first, tell the person the price, the years and the expiry after; apply with the plan_id only when they agree. purchases_disabled: say purchases are off and how to turn them on; never retry.",
	"restore_dns_snapshot": "to undo a change, call it with the snapshot_id the change returned; plan, show, apply with the plan_id only when the person agrees, as for change_dns_records.",
}

const instructionsTail = `- Errors carry structuredContent.troubleshooting: diagnosis (a stable code), summary, likely_causes, next_steps, required_scopes. Follow next_steps; relay them to the person in plain words.
- Never ask the person to paste a token into the chat: tokens are stored with "gandi-mcp token set", which reads standard input.`

// hostedInstructionsTail replaces instructionsTail in hosted mode, where each person's
// client sends their own token and nothing is stored on the server.
const hostedInstructionsTail = `- Errors carry structuredContent.troubleshooting: diagnosis (a stable code), summary, likely_causes, next_steps, required_scopes. Follow next_steps; relay them to the person in plain words.
- This is a hosted gandi-mcp: it acts with the token the person's MCP client sends in its Authorization header, and stores none. Never ask the person to paste a token into the chat: a new token goes into their client's configuration.`

const readOnlyInstructions = `- This server is read-only: the tools that change anything are not offered. If the person wants a change, say it is made with gandi-mcp run without --read-only (and GANDI_MCP_READ_ONLY unset).`

const purchasesOffInstructions = `- Purchases are off on this server: renew_domain plans (with the price) but its apply is refused (purchases_disabled). Tell the person before they agree to a price: purchases are turned on by restarting gandi-mcp with --allow-purchases.`

// instructionsFor is the server's instructions, naming only the tools it offers;
// purchases says whether an apply may buy, hosted whether each caller brings their token.
func instructionsFor(offered []tools.Tool, sel Selection, purchases, hosted bool) string {
	var b strings.Builder
	b.WriteString(instructionsHead)
	buys := false
	for _, t := range offered {
		if line, ok := toolInstructions[t.Definition.Name]; ok {
			b.WriteString("\n- " + t.Definition.Name + ": " + line)
		}
		buys = buys || t.Definition.Name == "renew_domain"
	}
	if sel.ReadOnly {
		b.WriteString("\n" + readOnlyInstructions)
	}
	if buys && !purchases {
		b.WriteString("\n" + purchasesOffInstructions)
	}
	if hosted {
		b.WriteString("\n" + hostedInstructionsTail)
	} else {
		b.WriteString("\n" + instructionsTail)
	}
	return b.String()
}

const demoInstructions = `DEMO MODE: this server answers from a built-in fake Gandi account, not the person's real account. Say so whenever you report its results.
`

// Server is the MCP server with the tools it offers.
type Server struct {
	MCP   *server.MCPServer
	Tools []tools.Tool
	// off holds, by name, why each tool the selection leaves out is off and how to have it.
	off   map[string]string
	deps  *tools.Deps
	notes *notifier
	log   *slog.Logger // stderr only, for the transport's own events
	// limits bound the HTTP endpoint's clients (tests shorten them).
	limits httpLimits
}

// New builds the server around deps with every tool. deps.Logger, deps.Flush and deps.Rotations are set here when nil.
func New(deps *tools.Deps) *Server {
	s, _ := NewSelected(deps, Selection{}) // every tool: nothing to refuse
	return s
}

// NewSelected builds the server around deps with the tools sel picks; an unknown toolset
// is an error.
func NewSelected(deps *tools.Deps, sel Selection) (*Server, error) {
	if err := sel.check(); err != nil {
		return nil, err
	}
	var list []tools.Tool
	off := map[string]string{}
	for _, t := range tools.All(deps) {
		why := sel.off(t)
		if deps.Hosted && t.NeedsLocalStorage() {
			why = t.Definition.Name + " is not offered by a hosted gandi-mcp: it needs the token file of the person's own machine. " +
				"Run it there (gandi-mcp call " + t.Definition.Name + "), or use Gandi's admin."
		}
		if why != "" {
			off[t.Definition.Name] = why
			continue
		}
		list = append(list, t)
	}
	n := &notifier{}
	base := deps.Logger
	if base == nil {
		base = slog.New(slog.DiscardHandler)
	}
	deps.Logger = slog.New(&mcpLogHandler{next: base.Handler(), notes: n, redact: deps.RedactContext})
	deps.Notify = n.send
	deps.Flush = n.flush
	if deps.Rotations == nil {
		deps.Rotations = &tools.Rotations{}
	}
	instr := instructionsFor(list, sel, deps.AllowPurchases, deps.Hosted)
	if deps.Demo {
		instr = demoInstructions + instr
	}
	hooks := &server.Hooks{}
	hooks.AddOnRequestInitialization(checkEnvelope)
	s := server.NewMCPServer(Name, Version(),
		server.WithHooks(hooks),
		server.WithInstructions(instr),
		server.WithToolCapabilities(false),
		server.WithLogging(),
		// Write tools ask the person to confirm, when the client can (tools/confirm.go).
		server.WithElicitation(),
		server.WithToolHandlerMiddleware(recoverTool(deps)),
		server.WithToolHandlerMiddleware(perCall),
	)
	for _, t := range list {
		s.AddTool(t.Definition, t.Handler)
	}
	return &Server{MCP: s, Tools: list, off: off, deps: deps, notes: n, log: base, limits: defaultHTTPLimits()}, nil
}

// Off says why the named tool is not offered and how to have it: "" when it is offered or
// is no tool of gandi-mcp's.
func (s *Server) Off(name string) string { return s.off[name] }

// recoverTool turns a panic inside a tool into an isError result with
// troubleshooting, so that one bad call never takes the session down.
func recoverTool(deps *tools.Deps) server.ToolHandlerMiddleware {
	return func(next server.ToolHandlerFunc) server.ToolHandlerFunc {
		return func(ctx context.Context, req mcp.CallToolRequest) (res *mcp.CallToolResult, err error) {
			defer func() {
				if r := recover(); r != nil {
					deps.Logger.ErrorContext(ctx, "tool panicked", "tool", req.Params.Name, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
					t := tools.Troubleshooting{Diagnosis: tools.Internal,
						Summary:   "gandi-mcp failed unexpectedly while running " + req.Params.Name + ".",
						NextSteps: []string{"Call the tool again; if it repeats, report it with gandi-mcp's stderr log."}}
					raw, _ := json.Marshal(map[string]any{"troubleshooting": t})
					res = &mcp.CallToolResult{Content: []mcp.Content{mcp.NewTextContent(t.Summary)},
						StructuredContent: json.RawMessage(raw), IsError: true}
					err = nil
				}
			}()
			return next(ctx, req)
		}
	}
}

// ServeStdio serves MCP over in and out until in ends or ctx is cancelled.
// out belongs to the protocol: logs go to errLog (stderr).
func (s *Server) ServeStdio(ctx context.Context, in io.Reader, out io.Writer, errLog io.Writer) error {
	w := s.notes.wrap(out)
	stdio := server.NewStdioServer(s.MCP)
	stdio.SetErrorLogger(log.New(errLog, "gandi-mcp: ", log.LstdFlags))
	return stdio.Listen(ctx, in, w)
}

// Call runs one tool through the server (middleware and all) without a client session.
func (s *Server) Call(ctx context.Context, name string, args json.RawMessage) (*mcp.CallToolResult, error) {
	if len(strings.TrimSpace(string(args))) == 0 {
		args = json.RawMessage("{}")
	}
	req, err := json.Marshal(map[string]any{
		"jsonrpc": "2.0", "id": 1, "method": "tools/call",
		"params": map[string]any{"name": name, "arguments": args},
	})
	if err != nil {
		return nil, err
	}
	resp := s.MCP.HandleMessage(ctx, req)
	raw, err := json.Marshal(resp)
	if err != nil {
		return nil, err
	}
	var env struct {
		Result *json.RawMessage `json:"result"`
		Error  *struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		return nil, err
	}
	if env.Error != nil {
		return nil, fmt.Errorf("%s (code %d)", env.Error.Message, env.Error.Code)
	}
	if env.Result == nil {
		return nil, fmt.Errorf("no result for tool %s", name)
	}
	return mcp.ParseCallToolResult(env.Result)
}

// Tool returns the named tool, or nil.
func (s *Server) Tool(name string) *tools.Tool {
	for i := range s.Tools {
		if s.Tools[i].Definition.Name == name {
			return &s.Tools[i]
		}
	}
	return nil
}

// ToolScope is a tool and the PAT scopes it needs.
type ToolScope struct {
	Tool, Title string
	Scopes      []string // none when empty
}

// ToolScopes lists every tool sel offers with the scopes it needs, in the server's order.
func ToolScopes(sel Selection) ([]ToolScope, error) {
	s, err := NewSelected(&tools.Deps{Endpoints: gandi.EndpointsFor(gandi.Production)}, sel)
	if err != nil {
		return nil, err
	}
	var out []ToolScope
	for _, t := range s.Tools {
		out = append(out, ToolScope{Tool: t.Definition.Name, Title: t.Definition.Title, Scopes: t.Scopes})
	}
	return out, nil
}
