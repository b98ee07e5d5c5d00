package skill

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gandi-mcp/gandi-mcp/gandi"
	"github.com/gandi-mcp/gandi-mcp/tools"
)

func guardServer(t *testing.T) *Server {
	t.Helper()
	return New(&tools.Deps{Endpoints: gandi.EndpointsFor(gandi.Production)})
}

// TestToolsAreWellFormed registers the real server and fails when any tool
// lacks what MCP clients need to list and call it safely.
func TestToolsAreWellFormed(t *testing.T) {
	s := guardServer(t)
	if len(s.Tools) == 0 {
		t.Fatal("no tools registered")
	}
	for _, tool := range s.Tools {
		def := tool.Definition
		t.Run(def.Name, func(t *testing.T) {
			if len(def.Description) < 40 {
				t.Errorf("description too short to tell an assistant when to call it: %q", def.Description)
			}
			if def.Title == "" {
				t.Error("no title")
			}
			a := def.Annotations
			if a.ReadOnlyHint == nil || a.DestructiveHint == nil || a.IdempotentHint == nil || a.OpenWorldHint == nil {
				t.Errorf("annotation hints must all be set explicitly: %+v", a)
			}
			for kind, raw := range map[string]json.RawMessage{"input": def.RawInputSchema, "output": def.RawOutputSchema} {
				var schema map[string]any
				if err := json.Unmarshal(raw, &schema); err != nil {
					t.Fatalf("%s schema is not JSON: %v", kind, err)
				}
				if schema["type"] != "object" {
					t.Errorf("%s schema root type = %v, want object", kind, schema["type"])
				}
				if bytes.Contains(raw, []byte(`"$ref"`)) || bytes.Contains(raw, []byte(`"$defs"`)) {
					t.Errorf("%s schema uses $ref/$defs, which some clients cannot resolve", kind)
				}
				if _, ok := schema["$schema"]; ok {
					t.Errorf("%s schema names a $schema version; clients pick their own", kind)
				}
			}
			var out struct {
				Properties map[string]any `json:"properties"`
				Required   []string       `json:"required"`
			}
			_ = json.Unmarshal(def.RawOutputSchema, &out)
			if _, ok := out.Properties["troubleshooting"]; !ok {
				t.Error("output schema lacks troubleshooting: clients that validate structuredContent would throw on our errors")
			}
			var in struct {
				Properties map[string]any `json:"properties"`
			}
			_ = json.Unmarshal(def.RawInputSchema, &in)
			_, writes := in.Properties["apply"]
			for _, r := range out.Required {
				// Both are in every result, errors too: a Go bool is never omitted.
				always := (def.Name == "verify_token" && r == "valid") || (writes && r == "applied")
				if !always {
					t.Errorf("output field %q is required, so an error result (troubleshooting only) would not validate", r)
				}
			}
			// The whole definition must serialise: a failure here hangs real clients on tools/list.
			if _, err := json.Marshal(def); err != nil {
				t.Errorf("tool definition does not serialise: %v", err)
			}
		})
	}
}

// TestSchemaSnapshots compares every tool's definition with testdata; run with
// UPDATE_SNAPSHOTS=1 to accept a deliberate change.
func TestSchemaSnapshots(t *testing.T) {
	s := guardServer(t)
	dir := filepath.Join("testdata", "tools")
	update := os.Getenv("UPDATE_SNAPSHOTS") != ""
	seen := map[string]bool{}
	for _, tool := range s.Tools {
		name := tool.Definition.Name + ".json"
		seen[name] = true
		raw, err := json.Marshal(tool.Definition)
		if err != nil {
			t.Fatal(err)
		}
		var pretty bytes.Buffer
		if err := json.Indent(&pretty, raw, "", "  "); err != nil {
			t.Fatal(err)
		}
		pretty.WriteByte('\n')
		path := filepath.Join(dir, name)
		if update {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, pretty.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("no snapshot for %s (run with UPDATE_SNAPSHOTS=1): %v", tool.Definition.Name, err)
		}
		if !bytes.Equal(want, pretty.Bytes()) {
			t.Errorf("%s changed; if that is intended run UPDATE_SNAPSHOTS=1 go test ./skill and review the diff.\ngot:\n%s", path, pretty.String())
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if !seen[e.Name()] && strings.HasSuffix(e.Name(), ".json") {
			t.Errorf("snapshot %s has no tool any more; delete it", e.Name())
		}
	}
}
