package skill

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/gandi-mcp/gandi-mcp/tools"
)

// exactArgumentCases are arguments that encoding/json alone would read as something
// else than what they say: what a person approves must be what runs. (Invalid JSON
// cannot travel in a JSON-RPC message: `call` refuses it itself, see cmd's tests.)
var exactArgumentCases = []struct {
	name, tool, args string
	says             []string
}{
	{"miscased twin", "renew_token", `{"dry_run":true,"Dry_Run":false}`,
		[]string{`unknown argument \"Dry_Run\" (argument names are case-sensitive: did you mean \"dry_run\"?)`, "the arguments of renew_token are: name, expires_at, dry_run"}},
	{"duplicate, last false", "renew_token", `{"dry_run":true,"dry_run":false}`,
		[]string{`argument \"dry_run\" is given twice`, "the arguments of renew_token are: name, expires_at, dry_run"}},
	{"miscased alone", "renew_token", `{"DRY_RUN":true}`, []string{`did you mean \"dry_run\"?`}},
	{"Unicode case fold", "list_domains", `{"ſort_by":"fqdn"}`, []string{`did you mean \"sort_by\"?`, "the arguments of list_domains are: fqdn, tld"}},
	{"duplicate page", "list_domains", `{"page":1,"per_page":10,"page":2}`, []string{`argument \"page\" is given twice`}},
	{"not an object", "list_domains", `[{"all":true}]`, []string{"must be a JSON object, not an array", "the arguments of list_domains are: fqdn"}},
}

// TestArgumentsAreReadExactlyOverMCP: over a real MCP session, on both protocol
// generations, such arguments are refused as invalid_input and nothing reaches Gandi.
func TestArgumentsAreReadExactlyOverMCP(t *testing.T) {
	for _, protocol := range []string{mcp.LATEST_LEGACY_PROTOCOL_VERSION, mcp.LATEST_PROTOCOL_VERSION} {
		for _, tc := range exactArgumentCases {
			t.Run(protocol+"/"+tc.name, func(t *testing.T) {
				h, old := renewHarness(t, false, withProtocol(protocol))
				before, _ := stored(t, h.tokenPath())
				var out struct{ Troubleshooting *tools.Troubleshooting }
				res := h.call(tc.tool, json.RawMessage(tc.args), &out)
				if !res.IsError || out.Troubleshooting == nil || out.Troubleshooting.Diagnosis != tools.InvalidInput {
					t.Fatalf("isError %v troubleshooting %+v, want invalid_input", res.IsError, out.Troubleshooting)
				}
				text, _ := json.Marshal(textOf(res))
				for _, s := range tc.says {
					if !strings.Contains(string(text), s) {
						t.Errorf("text %s does not say %s", text, s)
					}
				}
				if rs := h.fake.Requests(); len(rs) != 0 {
					t.Errorf("%d requests reached Gandi, first %s %s", len(rs), rs[0].Method, rs[0].Path)
				}
				if len(h.fake.Tokens()) != 1 {
					t.Error("a token was issued")
				}
				wantStored(t, h.tokenPath(), before, "after refused arguments")
				noSecrets(t, h, []string{old.Secret}, res)
			})
		}
	}
}

// TestArgumentsAreReadExactlyOverHTTP: the Streamable HTTP transport reads the same bytes.
func TestArgumentsAreReadExactlyOverHTTP(t *testing.T) {
	hs := startHTTP(t)
	c := hs.client(t, mcp.LATEST_PROTOCOL_VERSION)
	req := mcp.CallToolRequest{}
	req.Params.Name = "renew_token"
	req.Params.Arguments = json.RawMessage(`{"dry_run":true,"Dry_Run":false}`)
	hs.demo.Fake.ResetRequests()
	res, err := c.CallTool(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	var out struct{ Troubleshooting *tools.Troubleshooting }
	if err := json.Unmarshal(res.RawStructuredContent, &out); err != nil || out.Troubleshooting == nil || out.Troubleshooting.Diagnosis != tools.InvalidInput {
		t.Fatalf("renew_token over HTTP = %s (%v), want invalid_input", res.RawStructuredContent, err)
	}
	if rs := hs.demo.Fake.Requests(); len(rs) != 0 {
		t.Errorf("%d requests reached Gandi, first %s %s", len(rs), rs[0].Method, rs[0].Path)
	}
}
