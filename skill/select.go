package skill

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/gandi-mcp/gandi-mcp/tools"
)

// Selection says which tools a server offers: those of the toolsets picked (all when
// Toolsets is empty) and, in read-only mode, only those that change nothing. A tool left out
// is neither listed nor callable.
type Selection struct {
	Toolsets []string // names of tools.Toolsets; empty means all
	ReadOnly bool
}

// AllToolsets is the --toolsets value that picks every toolset.
const AllToolsets = "all"

// SelectionFromEnv reads the selection from the flags' values and the environment: read-only
// when --read-only is given or GANDI_MCP_READ_ONLY is true; the toolsets of --toolsets, or
// else of GANDI_MCP_TOOLSETS (comma-separated), all when neither is set.
func SelectionFromEnv(readOnly bool, toolsets string, getenv func(string) string) (Selection, error) {
	ro, err := envSwitch(readOnly, getenv, "GANDI_MCP_READ_ONLY", "offer only the tools that change nothing", "offer all")
	if err != nil {
		return Selection{}, err
	}
	sel := Selection{ReadOnly: ro}
	source := "--toolsets"
	if toolsets == "" {
		toolsets, source = getenv("GANDI_MCP_TOOLSETS"), "GANDI_MCP_TOOLSETS"
	}
	if strings.TrimSpace(toolsets) != "" {
		names, err := ParseToolsets(toolsets)
		if err != nil {
			return Selection{}, fmt.Errorf("%s: %w", source, err)
		}
		sel.Toolsets = names
	}
	return sel, nil
}

// ParseToolsets reads a comma-separated list of toolset names, any case ("dns,domains");
// "all" picks every toolset, and so does an empty result.
func ParseToolsets(list string) ([]string, error) {
	var names []string
	for _, item := range strings.Split(list, ",") {
		name := strings.ToLower(strings.TrimSpace(item))
		switch {
		case name == "":
			continue
		case name == AllToolsets:
			return nil, nil
		case !slices.Contains(ToolsetNames(), name):
			return nil, fmt.Errorf("unknown toolset %s: the toolsets are %s (or %s)", echoWord(name), strings.Join(ToolsetNames(), ", "), AllToolsets)
		case !slices.Contains(names, name):
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("no toolset named: give one or more of %s, comma-separated (or %s)", strings.Join(ToolsetNames(), ", "), AllToolsets)
	}
	return names, nil
}

// ToolsetNames are the names --toolsets takes, in order.
func ToolsetNames() []string {
	var names []string
	for _, ts := range tools.Toolsets {
		names = append(names, ts.Name)
	}
	return names
}

// echoWord quotes a mistyped name back only when it cannot be a secret pasted in the wrong place.
func echoWord(w string) string {
	if len(w) <= 20 && !strings.HasPrefix(w, "pat_") && strings.Trim(w, "abcdefghijklmnopqrstuvwxyz_-") == "" {
		return strconv.Quote(w)
	}
	return "(not repeated: it could be a token)"
}

// check refuses a selection naming a toolset that does not exist.
func (sel Selection) check() error {
	for _, n := range sel.Toolsets {
		if !slices.Contains(ToolsetNames(), n) {
			return fmt.Errorf("unknown toolset %s: the toolsets are %s", echoWord(n), strings.Join(ToolsetNames(), ", "))
		}
	}
	return nil
}

// off says why sel leaves t out, and how to have it; "" when t is offered.
func (sel Selection) off(t tools.Tool) string {
	name := t.Definition.Name
	if sel.ReadOnly && t.Writes() {
		return name + " is off in read-only mode (--read-only or GANDI_MCP_READ_ONLY): it changes things at Gandi. " +
			"To use it, run gandi-mcp without --read-only and with GANDI_MCP_READ_ONLY unset."
	}
	if name == tools.AlwaysOn || len(sel.Toolsets) == 0 || slices.Contains(sel.Toolsets, t.Toolset) {
		return ""
	}
	return fmt.Sprintf("%s is off: its toolset %s is not among those picked (%s, from --toolsets or GANDI_MCP_TOOLSETS). "+
		"To use it, add %s to the list, or drop the setting for all toolsets.", name, t.Toolset, strings.Join(sel.Toolsets, ","), t.Toolset)
}
