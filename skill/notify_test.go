package skill

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
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
				//lint:ignore SA1019 logging/setLevel is still what clients on the 2025 protocol send
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

// TestFlushLetsTheLastNotificationSettle checks that a result trails the last
// notification by settle, and that a call without notifications does not wait.
func TestFlushLetsTheLastNotificationSettle(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name    string
		stdio   bool
		last    time.Time // the last notification; zero for none
		elapsed time.Duration
		want    []time.Duration // the waits flush asks for after flushWait's
	}{
		{name: "stdio, just written", stdio: true, last: t0, elapsed: 10 * time.Millisecond, want: []time.Duration{settle - 10*time.Millisecond}},
		{name: "HTTP, just sent", last: t0, elapsed: 0, want: []time.Duration{settle}},
		{name: "stdio, long written", stdio: true, last: t0, elapsed: settle, want: nil},
		{name: "no notification", stdio: true, elapsed: 0, want: nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var waits []time.Duration
			n := &notifier{stdio: tc.stdio, sent: 1, written: 1, last: tc.last, changed: make(chan struct{}),
				now: func() time.Time { return t0.Add(tc.elapsed) },
				deadline: func(d time.Duration) <-chan time.Time {
					if d != flushWait {
						waits = append(waits, d)
					}
					ch := make(chan time.Time, 1)
					ch <- t0
					return ch
				}}
			n.flush(context.Background())
			if !slices.Equal(waits, tc.want) {
				t.Errorf("flush waited %v, want %v", waits, tc.want)
			}
		})
	}
}

// The log handler scrubs the secrets from what goes to stderr, whatever attribute holds
// them: the message, a string, an error, a group, an attribute added with With.
func TestLogHandlerRedactsSecrets(t *testing.T) {
	const secret = "pat_L0g+Secret/9876543210"
	redact := func(_ context.Context, s string) string { return strings.ReplaceAll(s, secret, "[redacted]") }
	var stderr bytes.Buffer
	base := slog.NewTextHandler(&stderr, &slog.HandlerOptions{Level: slog.LevelDebug})
	log := slog.New(&mcpLogHandler{next: base, notes: &notifier{}, redact: redact}).With("held", secret)
	log.Info("token "+secret+" refused", "name", secret, "err", fmt.Errorf("gandi said %s", secret),
		slog.Group("token", "name", secret, "n", 3), "count", 7)
	out := stderr.String()
	if strings.Contains(out, secret) || strings.Count(out, "[redacted]") != 5 || !strings.Contains(out, "count=7") || !strings.Contains(out, "token.n=3") {
		t.Errorf("stderr:\n%s", out)
	}
}
