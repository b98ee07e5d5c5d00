package skill

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/gandi-mcp/gandi-mcp/gandi"
	"github.com/gandi-mcp/gandi-mcp/gandi/ganditest"
)

// logMessage is one notifications/message as the client received it.
type logMessage struct {
	Level  mcp.LoggingLevel `json:"level"`
	Logger string           `json:"logger"`
	Data   map[string]any   `json:"data"`
	raw    string
}

func (h *harness) logMessages() []logMessage {
	h.t.Helper()
	var out []logMessage
	for _, n := range h.notifications() {
		if n.Method != string(mcp.MethodNotificationMessage) {
			continue
		}
		raw, err := json.Marshal(n.Params)
		if err != nil {
			h.t.Fatal(err)
		}
		m := logMessage{raw: string(raw)}
		if err := json.Unmarshal(raw, &m); err != nil {
			h.t.Fatalf("notifications/message does not decode: %v\n%s", err, raw)
		}
		out = append(out, m)
	}
	return out
}

func findLog(ms []logMessage, message string) *logMessage {
	for i := range ms {
		if ms[i].Data["message"] == message {
			return &ms[i]
		}
	}
	return nil
}

// TestLogMessagesReachTheClientAtTheirLevel checks that retries and credential
// warnings are sent as notifications/message, filtered by the level the client
// set: with logging/setLevel in the handshake era, per request since 2026-07-28.
func TestLogMessagesReachTheClientAtTheirLevel(t *testing.T) {
	const legacyKey = "AbCdEfGhIjKlMnOpQrStUvWx"
	tests := []struct {
		name     string
		protocol string
		level    mcp.LoggingLevel // "" sets none
		legacy   bool             // authenticate with a legacy API key (a credential warning)
		bogus    bool             // call with an unknown argument (the tool fails)
		tool     string           // the tool called; "" is verify_token
		want     []string         // messages that must arrive, at warning level
		wantNone bool             // no notifications/message at all
	}{
		{name: "warning level gets the retry", protocol: mcp.LATEST_LEGACY_PROTOCOL_VERSION, level: mcp.LoggingLevelWarning, want: []string{"retrying Gandi request"}},
		{name: "debug level gets the retry", protocol: mcp.LATEST_LEGACY_PROTOCOL_VERSION, level: mcp.LoggingLevelDebug, want: []string{"retrying Gandi request"}},
		{name: "error level does not", protocol: mcp.LATEST_LEGACY_PROTOCOL_VERSION, level: mcp.LoggingLevelError, wantNone: true},
		// list_sharing's result does not carry the credential's warnings: the log does.
		{name: "credential warning", protocol: mcp.LATEST_LEGACY_PROTOCOL_VERSION, level: mcp.LoggingLevelWarning, legacy: true, tool: "list_sharing", want: []string{"retrying Gandi request", "legacy"}},
		{name: "a failed call's warning comes before its result", protocol: mcp.LATEST_LEGACY_PROTOCOL_VERSION, level: mcp.LoggingLevelWarning, bogus: true, want: []string{"tool failed"}},
		{name: "per-request warning level gets the retry", protocol: mcp.LATEST_PROTOCOL_VERSION, level: mcp.LoggingLevelWarning, want: []string{"retrying Gandi request"}},
		{name: "per-request error level does not", protocol: mcp.LATEST_PROTOCOL_VERSION, level: mcp.LoggingLevelError, wantNone: true},
		{name: "no level asked, none sent", protocol: mcp.LATEST_PROTOCOL_VERSION, wantNone: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, withProtocol(tc.protocol), withSetup(func(h *harness) {
				org := h.fake.AddOrganization(gandi.Organization{Name: "acme"})
				if tc.legacy {
					h.fake.AddToken(ganditest.Token{Apikey: true, Secret: legacyKey})
					h.env["GANDI_API_KEY"] = legacyKey
				} else {
					tok := h.fake.AddToken(ganditest.Token{Name: "ci", Scopes: []string{"domain:view"},
						Entities: []gandi.Entity{ganditest.OrganizationEntity(org)}})
					h.storeToken(tok.Secret, 0o600)
				}
				// One 503 on the organizations GET, then the retry succeeds.
				h.fake.Inject(ganditest.Fault{Method: "GET", Path: "/v5/organization/organizations", Status: 503, Times: 1})
			}))
			if tc.level != "" {
				req := mcp.SetLevelRequest{}
				req.Params.Level = tc.level
				//lint:ignore SA1019 logging/setLevel is still what clients on the 2025 protocol send
				if err := h.client.SetLevel(context.Background(), req); err != nil {
					t.Fatalf("logging/setLevel %s: %v", tc.level, err)
				}
			}
			if tc.bogus {
				if res := h.call("verify_token", map[string]any{"bogus": 1}, nil); !res.IsError {
					t.Fatalf("verify_token with an unknown argument: %s", textOf(res))
				}
			} else if tc.tool != "" {
				if res := h.call(tc.tool, nil, nil); res.IsError {
					t.Fatalf("%s after one 503: %s", tc.tool, textOf(res))
				}
			} else {
				var out struct {
					Valid bool `json:"valid"`
				}
				if res := h.call("verify_token", nil, &out); res.IsError || !out.Valid {
					t.Fatalf("verify_token after one 503: %s", textOf(res))
				}
			}
			// The server writes a call's notifications before its result, so all are here.
			msgs := h.logMessages()
			if tc.wantNone && len(msgs) != 0 {
				t.Errorf("at level %q got %d log messages, want none: %s", tc.level, len(msgs), msgs[0].raw)
			}
			for _, want := range tc.want {
				var m *logMessage
				for i := range msgs {
					if strings.Contains(msgs[i].Data["message"].(string), want) {
						m = &msgs[i]
						break
					}
				}
				if m == nil {
					t.Errorf("no log message about %q among %d: %+v", want, len(msgs), msgs)
					continue
				}
				if m.Level != mcp.LoggingLevelWarning || m.Logger != Name {
					t.Errorf("%q sent at level %q by %q, want warning by %s", want, m.Level, m.Logger, Name)
				}
			}
			if m := findLog(msgs, "retrying Gandi request"); m != nil {
				if m.Data["status"] != float64(503) || m.Data["path"] != "/v5/organization/organizations" {
					t.Errorf("retry message data = %v, want status 503 and the path", m.Data)
				}
			}
			for _, m := range msgs {
				if strings.Contains(m.raw, legacyKey) {
					t.Fatalf("a log message carries the credential: %s", m.raw)
				}
			}
		})
	}
}

// TestCredentialWarningsAreSaidOnce: a credential's warning (here a legacy key's) reaches
// the client once per call: in the result when the tool's result carries it, whether
// the call succeeds or fails, else as a log message.
func TestCredentialWarningsAreSaidOnce(t *testing.T) {
	const legacyKey = "AbCdEfGhIjKlMnOpQrStUvWx"
	tests := []struct {
		tool     string
		inResult bool
	}{
		{tool: "verify_token", inResult: true},
		{tool: "renew_token", inResult: true}, // refused: a legacy key cannot be renewed
		{tool: "list_sharing"},
		{tool: "list_domains"},
	}
	for _, tt := range tests {
		t.Run(tt.tool, func(t *testing.T) {
			h := newHarness(t, withProtocol(mcp.LATEST_LEGACY_PROTOCOL_VERSION), withSetup(func(h *harness) {
				h.fake.AddOrganization(gandi.Organization{Name: "acme"})
				h.fake.AddToken(ganditest.Token{Apikey: true, Secret: legacyKey})
				h.env["GANDI_API_KEY"] = legacyKey
			}))
			req := mcp.SetLevelRequest{}
			req.Params.Level = mcp.LoggingLevelWarning
			//lint:ignore SA1019 logging/setLevel is still what clients on the 2025 protocol send
			if err := h.client.SetLevel(context.Background(), req); err != nil {
				t.Fatal(err)
			}
			var out struct {
				Warnings []struct{ Code string } `json:"warnings"`
			}
			h.call(tt.tool, nil, &out)
			inResult := 0
			for _, w := range out.Warnings {
				if w.Code == "legacy_key" {
					inResult++
				}
			}
			logged := 0
			for _, m := range h.logMessages() {
				if strings.Contains(m.Data["message"].(string), "legacy API key") {
					logged++
				}
			}
			if inResult+logged != 1 || (inResult == 1) != tt.inResult {
				t.Errorf("the legacy key's warning is in the result %d times and logged %d times; want once, in the result: %t", inResult, logged, tt.inResult)
			}
		})
	}
}
