package skill

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/gandi-mcp/gandi-mcp/tools"
)

// skillFrontmatter is SKILL.md's frontmatter, as OpenClaw reads it.
type skillFrontmatter struct {
	Name, Description, Homepage string
	Metadata                    skillMetadata
}

type skillMetadata struct {
	OpenClaw struct {
		Emoji    string `json:"emoji"`
		Requires struct {
			Bins []string `json:"bins"`
		} `json:"requires"`
		PrimaryEnv string `json:"primaryEnv"`
		Install    []struct {
			ID     string   `json:"id"`
			Kind   string   `json:"kind"`
			Module string   `json:"module"`
			Bins   []string `json:"bins"`
			Label  string   `json:"label"`
		} `json:"install"`
	} `json:"openclaw"`
}

// yamlIndicators may not start a YAML plain scalar.
const yamlIndicators = "-?:,[]{}#&*!|>'\"%@`"

// parseSkillMD reads SKILL.md's frontmatter strictly, for the subset OpenClaw's embedded
// parser supports: one "key: value" per line, plain scalars, and metadata as a single-line
// JSON object. Anything else (another key, a repeated key, a continuation line, a value a
// YAML parser would read differently, an unknown metadata field) is an error.
func parseSkillMD(text string) (*skillFrontmatter, string, error) {
	rest, ok := strings.CutPrefix(text, "---\n")
	if !ok {
		return nil, "", fmt.Errorf("SKILL.md must start with a --- line")
	}
	head, body, ok := strings.Cut(rest, "\n---\n")
	if !ok {
		return nil, "", fmt.Errorf("the frontmatter has no closing --- line")
	}
	var fm skillFrontmatter
	seen := map[string]bool{}
	for i, line := range strings.Split(head, "\n") {
		key, value, ok := strings.Cut(line, ": ")
		if !ok || key == "" || strings.TrimSpace(key) != key || strings.TrimSpace(value) != value || value == "" {
			return nil, "", fmt.Errorf("frontmatter line %d %q is not a single-line `key: value`", i+2, line)
		}
		if seen[key] {
			return nil, "", fmt.Errorf("frontmatter key %q appears twice", key)
		}
		seen[key] = true
		if key == "metadata" {
			dec := json.NewDecoder(strings.NewReader(value))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&fm.Metadata); err != nil {
				return nil, "", fmt.Errorf("metadata is not the expected single-line JSON object: %v", err)
			}
			if dec.More() {
				return nil, "", fmt.Errorf("metadata has something after its JSON object")
			}
			continue
		}
		if strings.ContainsAny(value[:1], yamlIndicators) || strings.Contains(value, ": ") ||
			strings.Contains(value, " #") || strings.HasSuffix(value, ":") || strings.Contains(value, "\t") {
			return nil, "", fmt.Errorf("frontmatter %s: %q is not a plain YAML scalar (no leading indicator, no \": \", no \" #\")", key, value)
		}
		switch key {
		case "name":
			fm.Name = value
		case "description":
			fm.Description = value
		case "homepage":
			fm.Homepage = value
		default:
			return nil, "", fmt.Errorf("unexpected frontmatter key %q", key)
		}
	}
	for _, k := range []string{"name", "description", "homepage", "metadata"} {
		if !seen[k] {
			return nil, "", fmt.Errorf("frontmatter lacks %q", k)
		}
	}
	return &fm, body, nil
}

var toolEntry = regexp.MustCompile("^- `([a-z_]+)`: ")

// skillTools returns the tool names of the body's "## Tools" section, one "- `name`: ..."
// entry each; any other top-level list item there is an error.
func skillTools(body string) ([]string, error) {
	_, section, ok := strings.Cut(body, "\n## Tools\n")
	if !ok {
		return nil, fmt.Errorf("no \"## Tools\" section")
	}
	if end := strings.Index(section, "\n## "); end >= 0 {
		section = section[:end]
	}
	var names []string
	for _, line := range strings.Split(section, "\n") {
		if !strings.HasPrefix(line, "- ") {
			continue
		}
		m := toolEntry.FindStringSubmatch(line)
		if m == nil {
			return nil, fmt.Errorf("the Tools section has a list item that is not \"- `tool`: what it does\": %q", line)
		}
		if slices.Contains(names, m[1]) {
			return nil, fmt.Errorf("tool %s is listed twice", m[1])
		}
		names = append(names, m[1])
	}
	return names, nil
}

func TestSkillMDFrontmatter(t *testing.T) {
	fm, _, err := parseSkillMD(SkillMD)
	if err != nil {
		t.Fatal(err)
	}
	if fm.Name != "gandi" || !strings.HasPrefix(fm.Homepage, "https://") || len(fm.Description) < 80 {
		t.Errorf("name %q, homepage %q, description %q", fm.Name, fm.Homepage, fm.Description)
	}
	oc := fm.Metadata.OpenClaw
	if oc.Emoji == "" {
		t.Error("metadata.openclaw.emoji is empty")
	}
	if !slices.Equal(oc.Requires.Bins, []string{"gandi-mcp"}) {
		t.Errorf("requires.bins = %v, want [gandi-mcp]", oc.Requires.Bins)
	}
	if oc.PrimaryEnv != "GANDI_API_TOKEN" {
		t.Errorf("primaryEnv = %q", oc.PrimaryEnv)
	}
	if len(oc.Install) != 1 {
		t.Fatalf("install = %+v, want the one go install spec", oc.Install)
	}
	in := oc.Install[0]
	if in.ID != "go" || in.Kind != "go" || in.Module != "github.com/gandi-mcp/gandi-mcp/cmd/gandi-mcp@latest" ||
		!slices.Equal(in.Bins, []string{"gandi-mcp"}) || in.Label == "" {
		t.Errorf("install spec = %+v", in)
	}
}

// TestSkillMDToolsAreTheRegisteredOnes keeps SKILL.md's Tools section and the server in step.
func TestSkillMDToolsAreTheRegisteredOnes(t *testing.T) {
	_, body, err := parseSkillMD(SkillMD)
	if err != nil {
		t.Fatal(err)
	}
	named, err := skillTools(body)
	if err != nil {
		t.Fatal(err)
	}
	var registered []string
	for _, tool := range guardServer(t).Tools {
		registered = append(registered, tool.Definition.Name)
	}
	slices.Sort(named)
	slices.Sort(registered)
	if !slices.Equal(named, registered) {
		t.Errorf("SKILL.md's Tools section names %v; the server registers %v", named, registered)
	}
}

// TestSkillMDSaysWhatToDoForEveryDiagnosis: an assistant reading SKILL.md finds each code.
func TestSkillMDSaysWhatToDoForEveryDiagnosis(t *testing.T) {
	for _, d := range tools.Diagnoses {
		if !strings.Contains(SkillMD, "- `"+string(d.Code)+"`: ") {
			t.Errorf("SKILL.md does not say what to do for %s", d.Code)
		}
	}
	if !strings.Contains(SkillMD, "Never ask the person to paste a token into the chat") {
		t.Error("SKILL.md lost the rule that a token is never asked for in the chat")
	}
}

// TestParseSkillMDIsStrict: the parser refuses what OpenClaw's would not read as meant.
func TestParseSkillMDIsStrict(t *testing.T) {
	good := "---\nname: gandi\ndescription: Work with Gandi.\nhomepage: https://example.com\n" +
		`metadata: {"openclaw": {"emoji": "x", "requires": {"bins": ["gandi-mcp"]}}}` + "\n---\n\n## Tools\n- `verify_token`: checks.\n"
	if _, body, err := parseSkillMD(good); err != nil {
		t.Fatalf("the good example does not parse: %v", err)
	} else if names, err := skillTools(body); err != nil || !slices.Equal(names, []string{"verify_token"}) {
		t.Fatalf("skillTools = %v, %v", names, err)
	}
	tests := []struct{ name, from, to string }{
		{"no opening line", "---\nname", "name"},
		{"no closing line", "\n---\n\n##", "\n\n##"},
		{"unknown key", "homepage:", "website:"},
		{"repeated key", "homepage: https://example.com\n", "homepage: https://example.com\nname: again\n"},
		{"continuation line", "description: Work with Gandi.\n", "description: Work with\n  Gandi.\n"},
		{"colon in a plain scalar", "Work with Gandi.", "Work with Gandi: domains."},
		{"comment in a plain scalar", "Work with Gandi.", "Work with Gandi #1."},
		{"quoted scalar", "Work with Gandi.", `"Work with Gandi."`},
		{"multi-line metadata", `metadata: {"openclaw"`, "metadata:\n  {\"openclaw\""},
		{"metadata not JSON", `{"openclaw": {"emoji": "x",`, `{openclaw: {emoji: x,`},
		{"unknown metadata field", `"requires": {"bins"`, `"requires": {"env": ["GANDI_API_TOKEN"], "bins"`},
		{"missing metadata", `metadata: {"openclaw": {"emoji": "x", "requires": {"bins": ["gandi-mcp"]}}}` + "\n", ""},
		{"tool entry without backticks", "- `verify_token`: checks.", "- verify_token: checks."},
		{"tool listed twice", "- `verify_token`: checks.\n", "- `verify_token`: checks.\n- `verify_token`: again.\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bad := strings.Replace(good, tt.from, tt.to, 1)
			if bad == good {
				t.Fatalf("the case changes nothing")
			}
			_, body, err := parseSkillMD(bad)
			if err == nil {
				_, err = skillTools(body)
			}
			if err == nil {
				t.Errorf("accepted:\n%s", bad)
			}
		})
	}
}

// TestSkillMDIsEmbedded: the skill package serves the file at the root, not a copy.
func TestSkillMDIsEmbedded(t *testing.T) {
	if !bytes.HasPrefix([]byte(SkillMD), []byte("---\nname: gandi\n")) {
		t.Errorf("SkillMD starts %q", SkillMD[:min(len(SkillMD), 40)])
	}
}
