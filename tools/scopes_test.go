package tools

import (
	"os"
	"strings"
	"testing"
)

// TestREADMEScopesTable keeps README's scopes table and the tools' scopes in step.
func TestREADMEScopesTable(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, tool := range All(&Deps{}) {
		cell := "none"
		if len(tool.Scopes) > 0 {
			cell = "`" + strings.Join(tool.Scopes, "`, `") + "`"
		}
		row := "| `" + tool.Definition.Name + "` | " + cell + " |"
		if !strings.Contains(string(readme), row) {
			t.Errorf("README's scopes table lacks the row %s", row)
		}
	}
}
