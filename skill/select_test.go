package skill

import (
	"slices"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/gandi-mcp/gandi-mcp/gandi"
	"github.com/gandi-mcp/gandi-mcp/tools"
)

func TestSelectionFromEnv(t *testing.T) {
	tests := []struct {
		name     string
		readOnly bool   // --read-only
		toolsets string // --toolsets
		env      map[string]string
		want     Selection
		err      []string // what the error says; nil for none
	}{
		{name: "nothing set: every tool", want: Selection{}},
		{name: "--read-only", readOnly: true, want: Selection{ReadOnly: true}},
		{name: "GANDI_MCP_READ_ONLY=1", env: map[string]string{"GANDI_MCP_READ_ONLY": "1"}, want: Selection{ReadOnly: true}},
		{name: "GANDI_MCP_READ_ONLY=true", env: map[string]string{"GANDI_MCP_READ_ONLY": "true"}, want: Selection{ReadOnly: true}},
		{name: "GANDI_MCP_READ_ONLY=0", env: map[string]string{"GANDI_MCP_READ_ONLY": "0"}, want: Selection{}},
		{name: "the variable cannot turn the flag off", readOnly: true, env: map[string]string{"GANDI_MCP_READ_ONLY": "false"}, want: Selection{ReadOnly: true}},
		{name: "GANDI_MCP_READ_ONLY=maybe", env: map[string]string{"GANDI_MCP_READ_ONLY": "maybe"}, err: []string{"GANDI_MCP_READ_ONLY", `"maybe"`, "1 (or true)"}},
		{name: "--toolsets", toolsets: "dns,domains", want: Selection{Toolsets: []string{"dns", "domains"}}},
		{name: "spaces, case and repeats", toolsets: " DNS , dns,token ", want: Selection{Toolsets: []string{"dns", "token"}}},
		{name: "all", toolsets: "all", want: Selection{}},
		{name: "GANDI_MCP_TOOLSETS", env: map[string]string{"GANDI_MCP_TOOLSETS": "token"}, want: Selection{Toolsets: []string{"token"}}},
		{name: "the flag wins over the variable", toolsets: "dns", env: map[string]string{"GANDI_MCP_TOOLSETS": "token"}, want: Selection{Toolsets: []string{"dns"}}},
		{name: "an unknown toolset", toolsets: "dns,mail", err: []string{"--toolsets", `unknown toolset "mail"`, "token, domains, dns"}},
		{name: "an unknown toolset in the variable", env: map[string]string{"GANDI_MCP_TOOLSETS": "repos"}, err: []string{"GANDI_MCP_TOOLSETS", `"repos"`, "token, domains, dns"}},
		{name: "a token pasted as a toolset is not echoed", toolsets: "pat_0123456789abcdef", err: []string{"not repeated"}},
		{name: "commas only", toolsets: ",,", err: []string{"no toolset named", "token, domains, dns"}},
		{name: "both", readOnly: true, toolsets: "domains", want: Selection{ReadOnly: true, Toolsets: []string{"domains"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := SelectionFromEnv(tt.readOnly, tt.toolsets, func(k string) string { return tt.env[k] })
			if tt.err != nil {
				if err == nil {
					t.Fatalf("got %+v, want an error", got)
				}
				for _, w := range tt.err {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q lacks %q", err, w)
					}
				}
				if strings.Contains(err.Error(), "pat_0123") {
					t.Errorf("error %q repeats what may be a token", err)
				}
				return
			}
			if err != nil || got.ReadOnly != tt.want.ReadOnly || !slices.Equal(got.Toolsets, tt.want.Toolsets) {
				t.Errorf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

// TestEveryToolHasAToolset: a tool outside every toolset could not be picked.
func TestEveryToolHasAToolset(t *testing.T) {
	for _, tool := range tools.All(&tools.Deps{}) {
		if !slices.Contains(ToolsetNames(), tool.Toolset) {
			t.Errorf("%s is in toolset %q, not one of %v", tool.Definition.Name, tool.Toolset, ToolsetNames())
		}
	}
}

func TestSelectionOverASession(t *testing.T) {
	all := []string{"verify_token", "list_domains", "list_sharing", "get_domain", "check_availability", "set_autorenew", "set_nameservers", "renew_domain", "renew_token", "list_dns_records", "list_dns_snapshots", "change_dns_records", "restore_dns_snapshot"}
	tests := []struct {
		name string
		sel  Selection
		want []string
	}{
		{"default: every tool", Selection{}, all},
		{"read-only", Selection{ReadOnly: true}, []string{"verify_token", "list_domains", "list_sharing", "get_domain", "check_availability", "list_dns_records", "list_dns_snapshots"}},
		{"dns", Selection{Toolsets: []string{"dns"}}, []string{"verify_token", "list_dns_records", "list_dns_snapshots", "change_dns_records", "restore_dns_snapshot"}},
		{"domains", Selection{Toolsets: []string{"domains"}}, []string{"verify_token", "list_domains", "list_sharing", "get_domain", "check_availability", "set_autorenew", "set_nameservers", "renew_domain"}},
		{"token", Selection{Toolsets: []string{"token"}}, []string{"verify_token", "renew_token"}},
		{"token, read-only", Selection{Toolsets: []string{"token"}, ReadOnly: true}, []string{"verify_token"}},
		{"dns and domains, read-only", Selection{Toolsets: []string{"dns", "domains"}, ReadOnly: true}, []string{"verify_token", "list_domains", "list_sharing", "get_domain", "check_availability", "list_dns_records", "list_dns_snapshots"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, withSelection(tt.sel), withDNSAccount([]string{"domain:view"}))
			got := offered(t, h)
			slices.Sort(got) // mcp-go lists tools by name
			if want := slices.Sorted(slices.Values(tt.want)); !slices.Equal(got, want) {
				t.Fatalf("tools/list = %v, want %v", got, tt.want)
			}
			for _, name := range all {
				mentioned := strings.Contains(h.init.Instructions, "- "+name+":")
				if mentioned != slices.Contains(tt.want, name) {
					t.Errorf("instructions mention %s: %t, offered %t:\n%s", name, mentioned, !mentioned, h.init.Instructions)
				}
			}
			if ro := strings.Contains(h.init.Instructions, "read-only"); ro != tt.sel.ReadOnly {
				t.Errorf("instructions say read-only: %t, want %t", ro, tt.sel.ReadOnly)
			}
			for _, name := range all {
				if slices.Contains(tt.want, name) {
					continue
				}
				// Not offered means not callable either.
				req := mcp.CallToolRequest{}
				req.Params.Name = name
				req.Params.Arguments = map[string]any{"fqdn": readZone}
				if res, err := h.client.CallTool(t.Context(), req); err == nil && !res.IsError {
					t.Errorf("%s is not listed but answered: %s", name, textOf(res))
				}
			}
			h.fake.ResetRequests()
			if slices.Contains(tt.want, "list_dns_records") {
				var out tools.ListDNSRecordsOutput
				if res := h.call("list_dns_records", map[string]any{"fqdn": readZone}, &out); res.IsError || out.Count == 0 {
					t.Errorf("list_dns_records offered but failing: %s", textOf(res))
				}
			}
			for _, r := range h.fake.Requests() {
				if r.Method != "GET" {
					t.Errorf("a %s %s was made", r.Method, r.Path)
				}
			}
		})
	}
}

func TestNewSelectedRefusesAnUnknownToolset(t *testing.T) {
	_, err := NewSelected(&tools.Deps{Endpoints: gandi.EndpointsFor(gandi.Production)}, Selection{Toolsets: []string{"dns", "mail"}})
	if err == nil || !strings.Contains(err.Error(), `"mail"`) || !strings.Contains(err.Error(), "token, domains, dns") {
		t.Errorf("err = %v, want the unknown toolset named and the valid ones listed", err)
	}
}

func TestOffSaysHowToTurnAToolOn(t *testing.T) {
	deps := &tools.Deps{Endpoints: gandi.EndpointsFor(gandi.Production)}
	ro, err := NewSelected(deps, Selection{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if why := ro.Off("renew_token"); !strings.Contains(why, "read-only mode") || !strings.Contains(why, "without --read-only") || !strings.Contains(why, "GANDI_MCP_READ_ONLY") {
		t.Errorf("read-only: Off(renew_token) = %q", why)
	}
	if why := ro.Off("list_domains"); why != "" {
		t.Errorf("Off(list_domains) = %q for an offered tool", why)
	}
	dns, err := NewSelected(&tools.Deps{Endpoints: gandi.EndpointsFor(gandi.Production)}, Selection{Toolsets: []string{"dns"}})
	if err != nil {
		t.Fatal(err)
	}
	if why := dns.Off("list_domains"); !strings.Contains(why, "toolset domains") || !strings.Contains(why, "add domains") {
		t.Errorf("toolsets dns: Off(list_domains) = %q", why)
	}
	if dns.Tool("verify_token") == nil {
		t.Error("verify_token is not offered with --toolsets dns")
	}
}
