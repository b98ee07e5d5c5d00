package tools

import (
	"slices"
	"strings"
	"testing"
)

// TestREADMEScopesTable keeps README's table of the tools and the tools' scopes in step: one row
// per registered tool, in order, whose second cell is its scopes.
func TestREADMEScopesTable(t *testing.T) {
	codes, rows := codeRows(section(t, readDoc(t, "README.md"), "The tools"))
	var names []string
	for _, tool := range All(&Deps{}) {
		names = append(names, tool.Definition.Name)
		cell := "none"
		if len(tool.Scopes) > 0 {
			cell = "`" + strings.Join(tool.Scopes, "`, `") + "`"
		}
		prefix := "| `" + tool.Definition.Name + "` | " + cell + " |"
		switch got, ok := rows[tool.Definition.Name]; {
		case !ok:
			t.Errorf("README's tools table lacks %s: want a row starting\n\t%s", tool.Definition.Name, prefix)
		case !strings.HasPrefix(got, prefix):
			t.Errorf("README's tools table has\n\t%s\nwant a row starting\n\t%s", got, prefix)
		}
	}
	if !slices.Equal(codes, names) {
		t.Errorf("README's tools table lists %v; the server registers %v", codes, names)
	}
}
