package tools

import (
	"context"
	"encoding/json"
	"net"
	"slices"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/gandi-mcp/gandi-mcp/auth"
	"github.com/gandi-mcp/gandi-mcp/gandi"
)

// maxInvalidText bounds what an invalid_input result may say: arguments of any
// size get an answer of a few lines.
const maxInvalidText = 1024

// FuzzDecodeArguments calls every tool's handler with fuzzed arguments, as raw
// JSON and as mcp-go decodes them. No credential is configured and Gandi is a
// closed port, so the only sensible answers are invalid_input (before
// anything else) or no_token. Properties: no panic, no Go error, a structured
// result whose troubleshooting says one of those, an empty object never
// refused by a tool that requires no argument, and an invalid_input answer of
// bounded size.
func FuzzDecodeArguments(f *testing.F) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		f.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()
	dir := f.TempDir()
	d := &Deps{
		Endpoints: gandi.Endpoints{Env: gandi.Production, APIURL: closed, IDURL: closed},
		Auth:      auth.Options{Getenv: func(string) string { return "" }, ConfigHome: dir, Home: dir},
		Retry:     gandi.RetryPolicy{MaxAttempts: 1},
	}
	all := All(d)
	f.Fuzz(func(t *testing.T, args []byte) {
		var decoded any
		forms := []any{json.RawMessage(args)}
		if json.Unmarshal(args, &decoded) == nil {
			forms = append(forms, decoded)
		}
		for _, tool := range all {
			for _, a := range forms {
				req := mcp.CallToolRequest{}
				req.Params.Name = tool.Definition.Name
				req.Params.Arguments = a
				res, err := tool.Handler(context.Background(), req)
				if err != nil || res == nil {
					t.Fatalf("%s(%q): Go error %v, result %v", tool.Definition.Name, args, err, res)
				}
				raw, ok := res.StructuredContent.(json.RawMessage)
				if !ok {
					t.Fatalf("%s(%q): structured content is %T, not JSON", tool.Definition.Name, args, res.StructuredContent)
				}
				var out struct{ Troubleshooting *Troubleshooting }
				if err := json.Unmarshal(raw, &out); err != nil || out.Troubleshooting == nil {
					t.Fatalf("%s(%q): no troubleshooting (%v): %s", tool.Definition.Name, args, err, raw)
				}
				diag := out.Troubleshooting.Diagnosis
				if !slices.Contains([]Diagnosis{InvalidInput, NoToken}, diag) {
					t.Fatalf("%s(%q): diagnosis %s, want invalid_input or no_token", tool.Definition.Name, args, diag)
				}
				// White space alone is no arguments; around {} or null only JSON's white space is (\v{} is not JSON).
				blank, value := strings.TrimSpace(string(args)) == "", strings.Trim(string(args), " \t\r\n")
				if empty := blank || value == "{}" || value == "null"; diag == InvalidInput && empty && !requiresArguments(tool) {
					t.Errorf("%s(%q): empty arguments refused: %s", tool.Definition.Name, args, out.Troubleshooting.Summary)
				}
				if diag == InvalidInput {
					text := res.Content[0].(mcp.TextContent).Text
					if len(text) > maxInvalidText {
						t.Errorf("%s: invalid_input text is %d bytes for %d bytes of arguments, over %d", tool.Definition.Name, len(text), len(args), maxInvalidText)
					}
					if !res.IsError {
						t.Errorf("%s(%q): invalid_input is not isError", tool.Definition.Name, args)
					}
				}
			}
		}
	})
}

// requiresArguments says whether a tool's input schema names required arguments:
// such a tool refuses empty arguments, as it should.
func requiresArguments(tool Tool) bool {
	var schema struct{ Required []string }
	_ = json.Unmarshal(tool.Definition.RawInputSchema, &schema)
	return len(schema.Required) > 0
}
