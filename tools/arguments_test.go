package tools

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
)

// TestInvalidArgumentsEchoLittle: an argument's name or value of any size is
// echoed in a few dozen characters, not whole.
func TestInvalidArgumentsEchoLittle(t *testing.T) {
	long := strings.Repeat("a", 5000)
	tests := []struct {
		name string
		args string
		into any
	}{
		{"unknown name", `{"` + long + `": 1}`, &struct{}{}},
		{"number too large", `{"n": 1` + strings.Repeat("0", 5000) + `}`, &struct {
			N int `json:"n"`
		}{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := mcp.CallToolRequest{}
			req.Params.Arguments = json.RawMessage(tc.args)
			var f *Failure
			if err := decodeArguments(req, tc.into); !errors.As(err, &f) || f.T.Diagnosis != InvalidInput {
				t.Fatalf("decodeArguments = %v, want invalid_input", err)
			}
			if len(f.T.Summary) > 300 || !strings.Contains(f.T.Summary, "…") {
				t.Errorf("summary of %d bytes, want a clipped echo: %.200s", len(f.T.Summary), f.T.Summary)
			}
		})
	}
}
