package skill

import (
	"context"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/gandi-mcp/gandi-mcp/gandi/ganditest"
)

// A retry is logged at warning level; a client that asked for warnings per
// request (protocol 2026-07-28) gets it, before the result; one that did not ask gets nothing.
func TestRetriesReachTheClientAsLogMessages(t *testing.T) {
	for _, tc := range []struct {
		level mcp.LoggingLevel
		want  bool
	}{{mcp.LoggingLevelDebug, true}, {mcp.LoggingLevelWarning, true}, {mcp.LoggingLevelError, false}, {"", false}} {
		t.Run(string(tc.level), func(t *testing.T) {
			h := newHarness(t, withSetup(func(h *harness) {
				tok := h.fake.AddToken(ganditest.Token{Name: "t", Scopes: []string{"domain:view"}})
				h.storeToken(tok.Secret, 0o600)
				h.fake.Inject(ganditest.Fault{Path: "/tokeninfo", Status: 503, Times: 1})
			}))
			req := mcp.CallToolRequest{}
			req.Params.Name = "verify_token"
			if tc.level != "" {
				req.Params.Meta = &mcp.Meta{}
				req.Params.Meta.SetLogLevel(tc.level)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			res, err := h.client.CallTool(ctx, req)
			if err != nil || res.IsError {
				t.Fatalf("call: %v %v", err, res)
			}
			var got []map[string]any
			for _, n := range h.notifications() {
				if n.Method == string(mcp.MethodNotificationMessage) {
					got = append(got, n.Params.AdditionalFields)
				}
			}
			if !tc.want {
				if len(got) != 0 {
					t.Errorf("client asked for %q and got %v", tc.level, got)
				}
				return
			}
			if len(got) == 0 {
				t.Fatal("no log message for the retry arrived before the result")
			}
			if got[0]["level"] != "warning" {
				t.Errorf("retry logged at %v, want warning: %v", got[0]["level"], got[0])
			}
		})
	}
}
