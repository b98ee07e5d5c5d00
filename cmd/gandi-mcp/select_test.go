package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/gandi-mcp/gandi-mcp/gandi"
	"github.com/gandi-mcp/gandi-mcp/gandi/ganditest"
)

// toolNamesOf reads the names `gandi-mcp tools` prints.
func toolNamesOf(t *testing.T, stdout string) []string {
	t.Helper()
	var defs []struct{ Name string }
	if err := json.Unmarshal([]byte(stdout), &defs); err != nil {
		t.Fatalf("tools output is not JSON: %v\n%s", err, stdout)
	}
	var names []string
	for _, d := range defs {
		names = append(names, d.Name)
	}
	return names
}

// scopeRows reads the tool names of `gandi-mcp scopes`'s table.
func scopeRows(stdout string) []string {
	var names []string
	for _, line := range strings.Split(stdout, "\n")[1:] {
		if line == "" {
			break
		}
		names = append(names, strings.Fields(line)[0])
	}
	return names
}

func TestToolsAndScopesReflectTheSelection(t *testing.T) {
	all := []string{"verify_token", "list_domains", "list_sharing", "get_domain", "check_availability", "set_autorenew", "set_nameservers", "renew_domain", "renew_token", "list_dns_records", "list_dns_snapshots", "change_dns_records", "restore_dns_snapshot"}
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want []string
	}{
		{"default", nil, nil, all},
		{"--read-only", []string{"--read-only"}, nil, []string{"verify_token", "list_domains", "list_sharing", "get_domain", "check_availability", "list_dns_records", "list_dns_snapshots"}},
		{"GANDI_MCP_READ_ONLY=1", nil, map[string]string{"GANDI_MCP_READ_ONLY": "1"}, []string{"verify_token", "list_domains", "list_sharing", "get_domain", "check_availability", "list_dns_records", "list_dns_snapshots"}},
		{"--toolsets dns", []string{"--toolsets", "dns"}, nil, []string{"verify_token", "list_dns_records", "list_dns_snapshots", "change_dns_records", "restore_dns_snapshot"}},
		{"--toolsets=token,domains", []string{"--toolsets=token,domains"}, nil, []string{"verify_token", "list_domains", "list_sharing", "get_domain", "check_availability", "set_autorenew", "set_nameservers", "renew_domain", "renew_token"}},
		{"GANDI_MCP_TOOLSETS=domains", nil, map[string]string{"GANDI_MCP_TOOLSETS": "domains"}, []string{"verify_token", "list_domains", "list_sharing", "get_domain", "check_availability", "set_autorenew", "set_nameservers", "renew_domain"}},
		{"the flag wins over GANDI_MCP_TOOLSETS", []string{"--toolsets", "token"}, map[string]string{"GANDI_MCP_TOOLSETS": "dns"}, []string{"verify_token", "renew_token"}},
		{"--read-only --toolsets token", []string{"--read-only", "--toolsets", "token"}, nil, []string{"verify_token"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, _ := home(t)
			for k, v := range tt.env {
				env[k] = v
			}
			code, stdout, stderr := invocation{env: env}.run(t, append([]string{"tools"}, tt.args...)...)
			if code != exitOK {
				t.Fatalf("tools: exit %d: %s", code, stderr)
			}
			if got := toolNamesOf(t, stdout); !slices.Equal(got, tt.want) {
				t.Errorf("tools lists %v, want %v", got, tt.want)
			}
			code, stdout, stderr = invocation{env: env}.run(t, append([]string{"scopes"}, tt.args...)...)
			if code != exitOK {
				t.Fatalf("scopes: exit %d: %s", code, stderr)
			}
			if got := scopeRows(stdout); !slices.Equal(got, tt.want) {
				t.Errorf("scopes lists %v, want %v", got, tt.want)
			}
		})
	}
}

func TestAnUnknownToolsetIsAStartupError(t *testing.T) {
	for _, args := range [][]string{
		{"serve", "--toolsets", "dns,mail"},
		{"call", "--toolsets", "mail", "verify_token"},
		{"tools", "--toolsets=mail"},
		{"scopes", "--toolsets", "mail"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			env, _ := home(t)
			code, stdout, stderr := invocation{env: env}.run(t, args...)
			if code != exitUsage || stdout != "" {
				t.Errorf("exit %d, stdout %q: want 2 and nothing on stdout", code, stdout)
			}
			for _, w := range []string{`unknown toolset "mail"`, "token, domains, dns"} {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr %q lacks %q", stderr, w)
				}
			}
		})
	}
	env, _ := home(t)
	env["GANDI_MCP_TOOLSETS"] = "dns,nope"
	if code, _, stderr := (invocation{env: env}).run(t, "serve"); code != exitUsage || !strings.Contains(stderr, "GANDI_MCP_TOOLSETS") || !strings.Contains(stderr, `"nope"`) {
		t.Errorf("GANDI_MCP_TOOLSETS=dns,nope: exit %d, stderr %q", code, stderr)
	}
	env["GANDI_MCP_TOOLSETS"] = ""
	env["GANDI_MCP_READ_ONLY"] = "sometimes"
	if code, _, stderr := (invocation{env: env}).run(t, "tools"); code != exitUsage || !strings.Contains(stderr, "GANDI_MCP_READ_ONLY") {
		t.Errorf("GANDI_MCP_READ_ONLY=sometimes: exit %d, stderr %q", code, stderr)
	}
}

func TestCallOfAToolThatIsOff(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		says []string
	}{
		{"renew_token with --read-only", []string{"call", "--read-only", "renew_token", `{"dry_run": true}`}, nil,
			[]string{"renew_token is off in read-only mode", "without --read-only"}},
		{"renew_token with GANDI_MCP_READ_ONLY", []string{"call", "renew_token"}, map[string]string{"GANDI_MCP_READ_ONLY": "1"},
			[]string{"renew_token is off in read-only mode", "GANDI_MCP_READ_ONLY unset"}},
		{"list_domains with --toolsets dns", []string{"call", "--toolsets", "dns", "list_domains"}, nil,
			[]string{"list_domains is off", "toolset domains", "add domains"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, _ := home(t)
			fake := withFake(t, env)
			for k, v := range tt.env {
				env[k] = v
			}
			code, stdout, stderr := invocation{env: env}.run(t, tt.args...)
			if code != exitUsage || stdout != "" {
				t.Errorf("exit %d, stdout %q: want 2 and nothing on stdout", code, stdout)
			}
			for _, w := range tt.says {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr %q lacks %q", stderr, w)
				}
			}
			if n := len(fake.Requests()); n != 0 {
				t.Errorf("%d requests made", n)
			}
		})
	}
}

func TestCallListDNSRecordsInReadOnlyMode(t *testing.T) {
	env, _ := home(t)
	fake := withFake(t, env)
	org := fake.AddOrganization(gandi.Organization{Name: "acme"})
	fake.AddDomains(gandi.Domain{FQDN: "example.org", SharingID: org.ID, Nameserver: gandi.Nameserver{Current: "livedns"}})
	if err := fake.SetZone("example.org", []gandi.RecordSet{{Name: "@", Type: "MX", TTL: 300, Values: []string{"10 mx.example.net."}}}); err != nil {
		t.Fatal(err)
	}
	tok := fake.AddToken(ganditest.Token{Name: "dns", Scopes: []string{"domain:view"}, Entities: []gandi.Entity{ganditest.OrganizationEntity(org)}})
	if code, _, stderr := (invocation{env: env, stdin: tok.Secret + "\n"}).run(t, "token", "set"); code != exitOK {
		t.Fatalf("token set: %d %s", code, stderr)
	}
	code, stdout, stderr := invocation{env: env}.run(t, "call", "--read-only", "--toolsets", "dns", "list_dns_records", `{"fqdn": "example.org", "type": "mx"}`, "--json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var out struct {
		Records []struct {
			Name, Type string
			Values     []string
		}
	}
	if err := json.Unmarshal([]byte(stdout), &out); err != nil || len(out.Records) != 1 || out.Records[0].Values[0] != "10 mx.example.net." {
		t.Errorf("records %+v (%v):\n%s", out.Records, err, stdout)
	}
}

// TestStdioSelectionFromTheEnvironment drives the real binary: GANDI_MCP_READ_ONLY and
// GANDI_MCP_TOOLSETS, or the flags, shape tools/list, and what is not listed cannot be called.
func TestStdioSelectionFromTheEnvironment(t *testing.T) {
	tests := []struct {
		name string
		env  []string
		args []string
		want []string // sorted, as mcp-go lists them
	}{
		{"GANDI_MCP_READ_ONLY=1", []string{"GANDI_MCP_READ_ONLY=1"}, nil,
			[]string{"check_availability", "get_domain", "list_dns_records", "list_dns_snapshots", "list_domains", "list_sharing", "verify_token"}},
		{"GANDI_MCP_TOOLSETS=dns", []string{"GANDI_MCP_TOOLSETS=dns"}, nil,
			[]string{"change_dns_records", "list_dns_records", "list_dns_snapshots", "restore_dns_snapshot", "verify_token"}},
		{"--read-only --toolsets token", nil, []string{"--read-only", "--toolsets", "token"}, []string{"verify_token"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := client.NewStdioMCPClientWithOptions(bin, append(binEnv(t), tt.env...), append([]string{"serve", "--demo"}, tt.args...))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			init := initialize(t, c)
			list, err := c.ListTools(t.Context(), mcp.ListToolsRequest{})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, tool := range list.Tools {
				got = append(got, tool.Name)
			}
			slices.Sort(got)
			if !slices.Equal(got, tt.want) {
				t.Errorf("tools/list = %v, want %v", got, tt.want)
			}
			if strings.Contains(init.Instructions, "renew_token") {
				t.Errorf("the instructions name renew_token, which is off:\n%s", init.Instructions)
			}
			req := mcp.CallToolRequest{}
			req.Params.Name = "renew_token"
			req.Params.Arguments = map[string]any{"dry_run": true}
			if res, err := c.CallTool(t.Context(), req); err == nil && !res.IsError {
				t.Errorf("renew_token is off but answered: %v", res.Content)
			}
		})
	}
}
