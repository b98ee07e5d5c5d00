package skill

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
)

func structured(raw string, isError bool) *mcp.CallToolResult {
	return &mcp.CallToolResult{RawStructuredContent: json.RawMessage(raw), IsError: isError}
}

func TestReadable(t *testing.T) {
	var rows []string
	for i := 1; i <= 12; i++ {
		rows = append(rows, fmt.Sprintf(`{"id": "x%d", "fqdn": "d%02d.example.com", "tags": ["a", "b"], "expires_at": "2027-01-0%dT10:00:00Z", "days_left": %d, "autorenew": %t}`, i, i, i%9+1, 40+i, i%2 == 0))
	}
	domains := `{"demo": true, "domains": [` + strings.Join(rows, ",") + `], "total_count": 300, "next_page": 2}`
	tests := []struct {
		name, tool, raw string
		isError         bool
		maxRows         int
		want            []string // in this order
		not             []string
	}{{
		name: "records become a table, in the tool's field order, capped",
		tool: "list_domains", raw: domains, maxRows: 10,
		want: []string{"domains (12):", "FQDN", "EXPIRES AT", "DAYS LEFT", "AUTORENEW", "d01.example.com", "2027-01-02", "41", "no",
			"d10.example.com", "… and 2 more", "total count: 300", "next page: 2"},
		not: []string{"d11.example.com", "demo", "x1", "10:00"},
	}, {
		name: "no cap",
		tool: "list_domains", raw: domains,
		want: []string{"d12.example.com", "total count: 300"},
		not:  []string{"more"},
	}, {
		name: "troubleshooting comes first, as steps",
		tool: "list_domains", isError: true,
		raw:  `{"troubleshooting": {"status": 403, "diagnosis": "missing_scope", "summary": "The token lacks domain:view.", "next_steps": ["Create a PAT with domain:view.", "Store it."], "required_scopes": ["domain:view"], "retryable": false}}`,
		want: []string{"Problem [missing_scope]: The token lacks domain:view.", "Scopes needed: domain:view", "What to do:", "1. Create a PAT with domain:view.", "2. Store it."},
		not:  []string{"status", "retryable"},
	}, {
		name: "nested objects and lists of scalars",
		tool: "list_sharing",
		raw:  `{"token": {"name": "ci", "scopes": ["domain:view", "organization:view"], "expires_at": "2027-02-03T04:05:06Z"}, "notes": ["Teams have no API."]}`,
		want: []string{"token:", "  name: ci", "  scopes: domain:view, organization:view", "  expires at: 2027-02-03 04:05 UTC", "notes: Teams have no API."},
	}, {
		name: "steps stand on their own lines, in order; other sentences are bulleted",
		tool: "renew_token",
		raw:  `{"renewed": true, "tags": ["prod", "client-x"], "next_steps": ["Call verify_token, then list_domains.", "Delete the previous token, once unused."], "notes": ["One, two.", "Three."]}`,
		want: []string{"tags: prod, client-x\n", "next steps:\n", "  1. Call verify_token, then list_domains.\n", "  2. Delete the previous token, once unused.\n",
			"notes:\n", "  - One, two.\n", "  - Three."},
		not: []string{"list_domains., Delete"},
	}, {
		name: "verify_token in words",
		tool: "verify_token",
		raw:  `{"valid": true, "environment": "sandbox", "kind": "pat", "name": "ci-bot", "scopes": ["domain:view"], "resources": {"whole_organization": true}, "expires_at": "2027-01-01T00:00:00Z", "days_left": 3, "source": "/h/.config/gandi/sandbox/api_token", "organizations": [{"sharing_id": "o-1", "name": "acme"}], "warnings": [{"code": "expires_soon", "message": "Renew it now."}]}`,
		want: []string{`Gandi (sandbox) accepts the token "ci-bot".`, "expires:", "2027-01-01 (in 3 days)", "scopes:", "domain:view", "the whole organization",
			"/h/.config/gandi/sandbox/api_token", "acme, sharing_id o-1", "Warnings:", "Renew it now."},
	}, {
		name: "verify_token without a token",
		tool: "verify_token",
		raw:  `{"valid": false, "environment": "production", "troubleshooting": {"status": 0, "diagnosis": "no_token", "summary": "No Gandi token was found.", "next_steps": ["Run gandi-mcp token set."], "retryable": false}}`,
		want: []string{"Problem [no_token]: No Gandi token was found.", "1. Run gandi-mcp token set."},
		not:  []string{"accept"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Readable(tt.tool, structured(tt.raw, tt.isError), tt.maxRows)
			rest := got
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("missing %q (or out of order) in:\n%s", w, got)
				}
				rest = rest[i+len(w):]
			}
			for _, n := range tt.not {
				if strings.Contains(got, n) {
					t.Errorf("shows %q:\n%s", n, got)
				}
			}
		})
	}
}
