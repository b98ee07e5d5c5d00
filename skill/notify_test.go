package skill

import (
	"context"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/gandi-mcp/gandi-mcp/gandi/ganditest"
)

// TestLogNotificationsFollowTheRequestedLevel: a client on the current
// protocol declares its log level per request; logs reach it at that level,
// and not at all when it declares none. Not parallel: mcp-go's stdio session
// state is one per process.
func TestLogNotificationsFollowTheRequestedLevel(t *testing.T) {
	tests := []struct {
		name  string
		level mcp.LoggingLevel // "" sets none
		want  bool
	}{
		{"debug", mcp.LoggingLevelDebug, true},
		{"warning", mcp.LoggingLevelWarning, true},
		{"error hides warnings", mcp.LoggingLevelError, false},
		{"none asked", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, _ := newFaultHarness(t, credential{name: "pat", secret: "pat_notify0123456789abcdef0123456789"})
			if tc.level != "" {
				if err := h.client.SetLevel(context.Background(), mcp.SetLevelRequest{Params: mcp.SetLevelParams{Level: tc.level}}); err != nil {
					t.Fatal(err)
				}
			}
			h.fake.Inject(ganditest.Fault{Status: 500}) // logs "tool failed" at warning
			if res, err := h.callWithin("verify_token", map[string]any{}); err != nil || !res.IsError {
				t.Fatalf("verify_token under a 500: %v, %+v", err, res)
			}
			got := false
			for _, n := range h.notifications() {
				if n.Method == string(mcp.MethodNotificationMessage) && n.Params.AdditionalFields["level"] == string(mcp.LoggingLevelWarning) {
					got = true
				}
			}
			if got != tc.want {
				t.Errorf("warning log notified = %v, want %v; notifications: %+v", got, tc.want, h.notifications())
			}
		})
	}
}
