package tools

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

// section is the text of a Markdown document's "## title" section, up to the next heading of
// that level.
func section(t *testing.T, md, title string) string {
	t.Helper()
	_, rest, ok := strings.Cut(md, "\n## "+title+"\n")
	if !ok {
		t.Fatalf("no section %q", "## "+title)
	}
	body, _, _ := strings.Cut(rest, "\n## ")
	return body
}

var tableRow = regexp.MustCompile("(?m)^\\| `([a-z_]+)` \\|.*$")

// codeRows are the rows of a text's tables whose first cell is a code, by that code, in order.
func codeRows(text string) (codes []string, rows map[string]string) {
	rows = map[string]string{}
	for _, m := range tableRow.FindAllStringSubmatch(text, -1) {
		codes = append(codes, m[1])
		rows[m[1]] = m[0]
	}
	return codes, rows
}

// TestDocsDocumentEveryDiagnosis keeps the diagnosis tables and the codes in step: README's
// (what to do) and docs/troubleshooting.md's (what it means and what to do) list every code, in
// order, with the words of Diagnoses, and no code that does not exist.
func TestDocsDocumentEveryDiagnosis(t *testing.T) {
	var want []string
	for _, d := range Diagnoses {
		if slices.Contains(want, string(d.Code)) {
			t.Errorf("diagnosis %s listed twice", d.Code)
		}
		want = append(want, string(d.Code))
	}
	for _, c := range []struct {
		file, section string
		row           func(code Diagnosis, meaning, action string) string
	}{
		{"README.md", "When something goes wrong", func(code Diagnosis, _, action string) string {
			return "| `" + string(code) + "` | " + action + " |"
		}},
		{"docs/troubleshooting.md", "The diagnosis codes", func(code Diagnosis, meaning, action string) string {
			return "| `" + string(code) + "` | " + meaning + " | " + action + " |"
		}},
	} {
		codes, rows := codeRows(section(t, readDoc(t, c.file), c.section))
		if !slices.Equal(codes, want) {
			t.Errorf("%s's diagnosis table lists %v; the codes are %v", c.file, codes, want)
		}
		for _, d := range Diagnoses {
			row := c.row(d.Code, d.Meaning, d.Action)
			switch got, ok := rows[string(d.Code)]; {
			case !ok:
				t.Errorf("%s's diagnosis table lacks %s: want the row\n\t%s", c.file, d.Code, row)
			case got != row:
				t.Errorf("%s's diagnosis table has\n\t%s\nwant\n\t%s", c.file, got, row)
			}
		}
	}
}
