package skill

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/gandi-mcp/gandi-mcp/tools"
)

// Readable renders a tool result for a person at a terminal: what went wrong and what
// to do first when something did, then the facts, with lists of records as tables of at
// most maxRows rows (0: no limit). Assistants get the JSON; this is for people.
func Readable(tool string, res *mcp.CallToolResult, maxRows int) string {
	raw := res.RawStructuredContent
	if len(raw) == 0 && res.StructuredContent != nil {
		raw, _ = json.Marshal(res.StructuredContent)
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return resultText(res)
	}
	var b strings.Builder
	var common tools.Common
	_ = json.Unmarshal(raw, &common)
	if common.Demo {
		b.WriteString("DEMO ACCOUNT (built-in fake, not your Gandi account).\n")
	}
	if tool == "verify_token" {
		var out tools.VerifyTokenOutput
		if json.Unmarshal(raw, &out) == nil {
			return b.String() + DescribeToken(&out)
		}
	}
	if common.Troubleshooting != nil {
		writeTrouble(&b, common.Troubleshooting)
	}
	root, err := parseOrdered(raw)
	if err != nil || !root.isObj {
		return resultText(res)
	}
	writeObject(&b, root, "", maxRows)
	return strings.TrimRight(b.String(), "\n")
}

// DescribeToken says in words what verify_token found.
func DescribeToken(out *tools.VerifyTokenOutput) string {
	var b strings.Builder
	env := out.Environment
	if env == "" {
		env = "production"
	}
	switch {
	case out.Valid && out.Kind == "api_key":
		fmt.Fprintf(&b, "Gandi (%s) accepts the legacy API key.\n", env)
	case out.Valid:
		fmt.Fprintf(&b, "Gandi (%s) accepts the token%s.\n", env, quotedName(out.Name))
	case out.Troubleshooting != nil && out.Troubleshooting.Status == 0 && out.Name == "":
		// No request was made (no token, an unreadable file): the trouble says it all.
	default:
		fmt.Fprintf(&b, "Gandi (%s) does not accept the token%s.\n", env, quotedName(out.Name))
	}
	field := func(label, value string) {
		if value != "" {
			fmt.Fprintf(&b, "  %-15s %s\n", label+":", value)
		}
	}
	if out.ExpiresAt != nil {
		when := out.ExpiresAt.UTC().Format("2006-01-02")
		if out.DaysLeft != nil {
			when += " (" + daysPhrase(*out.DaysLeft) + ")"
		}
		field("expires", when)
	}
	if out.Name != "" || out.Valid {
		scopes := strings.Join(out.Scopes, ", ")
		if out.Kind == "pat" && scopes == "" {
			scopes = "none"
		}
		field("scopes", scopes)
	}
	if r := out.Resources; r != nil {
		if r.WholeOrganization {
			field("resources", "the whole organization")
		} else {
			var names []string
			for _, e := range r.Entities {
				names = append(names, strings.TrimSpace(e.Type+" "+firstNonEmpty(e.Name, e.ID)))
			}
			field("resources", strings.Join(names, ", "))
		}
	}
	field("read from", out.Source)
	for i, o := range out.Organizations {
		heading := ""
		if i == 0 {
			heading = "organizations:"
		}
		name := o.Name
		if o.Orgname != "" && o.Orgname != o.Name {
			name += " (" + o.Orgname + ")"
		}
		fmt.Fprintf(&b, "  %-15s %s, sharing_id %s\n", heading, name, o.ID)
	}
	if len(out.Warnings) > 0 {
		b.WriteString("Warnings:\n")
		for _, w := range out.Warnings {
			fmt.Fprintf(&b, "  - %s\n", w.Message)
		}
	}
	if out.Troubleshooting != nil {
		writeTrouble(&b, out.Troubleshooting)
	}
	return strings.TrimRight(b.String(), "\n")
}

// quotedName is " \"name\"", or nothing when the name is unknown.
func quotedName(name string) string {
	if name == "" {
		return ""
	}
	return fmt.Sprintf(" %q", name)
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func daysPhrase(days int) string {
	switch {
	case days < 0:
		return "expired"
	case days == 0:
		return "today"
	case days == 1:
		return "in 1 day"
	}
	return fmt.Sprintf("in %d days", days)
}

// writeTrouble writes troubleshooting the way a person reads it: the problem, then what to do.
func writeTrouble(w io.Writer, t *tools.Troubleshooting) {
	fmt.Fprintf(w, "Problem [%s]: %s\n", t.Diagnosis, t.Summary)
	if len(t.LikelyCauses) > 0 {
		fmt.Fprintln(w, "Likely causes:")
		for _, c := range t.LikelyCauses {
			fmt.Fprintf(w, "  - %s\n", c)
		}
	}
	if len(t.RequiredScopes) > 0 {
		fmt.Fprintf(w, "Scopes needed: %s\n", strings.Join(t.RequiredScopes, ", "))
	}
	if len(t.NextSteps) > 0 {
		fmt.Fprintln(w, "What to do:")
		for i, s := range t.NextSteps {
			fmt.Fprintf(w, "  %d. %s\n", i+1, s)
		}
	}
	if t.Retryable {
		fmt.Fprintln(w, "Calling again may succeed.")
	}
}

// resultText is the text content of a tool result.
func resultText(res *mcp.CallToolResult) string {
	var b strings.Builder
	for _, c := range res.Content {
		if tc, ok := mcp.AsTextContent(c); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String()
}

// jsonNode is a JSON value that keeps its object keys in order, as the tool wrote them.
type jsonNode struct {
	isObj, isArr bool
	keys         []string    // an object's keys
	vals         []*jsonNode // an object's values or an array's items
	scalar       any         // string, json.Number, bool or nil
}

func parseOrdered(raw []byte) (*jsonNode, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	return parseNode(dec)
}

func parseNode(dec *json.Decoder) (*jsonNode, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	d, ok := tok.(json.Delim)
	if !ok {
		return &jsonNode{scalar: tok}, nil
	}
	n := &jsonNode{isObj: d == '{', isArr: d == '['}
	for dec.More() {
		if n.isObj {
			k, err := dec.Token()
			if err != nil {
				return nil, err
			}
			n.keys = append(n.keys, fmt.Sprint(k))
		}
		v, err := parseNode(dec)
		if err != nil {
			return nil, err
		}
		n.vals = append(n.vals, v)
	}
	_, err = dec.Token() // the closing delimiter
	return n, err
}

func (n *jsonNode) empty() bool {
	switch {
	case n.isObj, n.isArr:
		return len(n.vals) == 0
	case n.scalar == nil:
		return true
	}
	s, ok := n.scalar.(string)
	return ok && s == ""
}

func (n *jsonNode) isScalar() bool { return !n.isObj && !n.isArr }

// scalarList says whether n is an array of scalars.
func (n *jsonNode) scalarList() bool {
	if !n.isArr {
		return false
	}
	for _, v := range n.vals {
		if !v.isScalar() {
			return false
		}
	}
	return true
}

// skipped keys: troubleshooting is written first, demo is said once by whoever shows it.
var skipped = map[string]bool{"troubleshooting": true, "demo": true}

// tableColumns are the columns worth a person's screen, for lists that have many fields.
var tableColumns = map[string][]string{
	"domains": {"fqdn", "fqdn_unicode", "expires_at", "days_left", "autorenew", "status", "sharing_id"},
}

// ordered are the lists whose items are steps to take in turn: they are numbered.
var ordered = map[string]bool{"next_steps": true}

// inline says whether a list of scalars reads well on one line, joined by commas:
// words (scopes, tags, statuses) or a single item; sentences each get their own line.
func inline(n *jsonNode) bool {
	if len(n.vals) <= 1 {
		return true
	}
	for _, v := range n.vals {
		if s, ok := v.scalar.(string); ok && strings.ContainsAny(s, " \t\n") {
			return false
		}
	}
	return true
}

func label(key string) string { return strings.ReplaceAll(key, "_", " ") }

func writeObject(b *strings.Builder, n *jsonNode, indent string, maxRows int) {
	for i, key := range n.keys {
		v := n.vals[i]
		if skipped[key] || v.empty() {
			continue
		}
		switch {
		case v.isScalar():
			fmt.Fprintf(b, "%s%s: %s\n", indent, label(key), scalarText(v.scalar, false))
		case v.scalarList() && inline(v):
			fmt.Fprintf(b, "%s%s: %s\n", indent, label(key), listText(v, false))
		case v.scalarList():
			fmt.Fprintf(b, "%s%s:\n", indent, label(key))
			for j, item := range v.vals {
				mark := "-"
				if ordered[key] {
					mark = fmt.Sprintf("%d.", j+1)
				}
				fmt.Fprintf(b, "%s  %s %s\n", indent, mark, scalarText(item.scalar, false))
			}
		case v.isArr && tabular(v):
			fmt.Fprintf(b, "%s%s (%d):\n", indent, label(key), len(v.vals))
			writeTable(b, key, v, indent+"  ", maxRows)
		case v.isArr:
			fmt.Fprintf(b, "%s%s:\n", indent, label(key))
			for j, item := range v.vals {
				if maxRows > 0 && j == maxRows {
					fmt.Fprintf(b, "%s  … and %d more\n", indent, len(v.vals)-j)
					break
				}
				if item.isScalar() {
					fmt.Fprintf(b, "%s  - %s\n", indent, scalarText(item.scalar, false))
					continue
				}
				var sub strings.Builder
				writeObject(&sub, item, "", maxRows)
				lines := strings.Split(strings.TrimRight(sub.String(), "\n"), "\n")
				for k, line := range lines {
					mark := "    "
					if k == 0 {
						mark = "  - "
					}
					fmt.Fprintf(b, "%s%s%s\n", indent, mark, line)
				}
			}
		default:
			fmt.Fprintf(b, "%s%s:\n", indent, label(key))
			writeObject(b, v, indent+"  ", maxRows)
		}
	}
}

// tabular says whether an array holds records whose fields fit in table cells.
func tabular(n *jsonNode) bool {
	for _, item := range n.vals {
		if !item.isObj {
			return false
		}
		for _, v := range item.vals {
			if !v.isScalar() && !v.scalarList() {
				return false
			}
		}
	}
	return true
}

func writeTable(b *strings.Builder, key string, n *jsonNode, indent string, maxRows int) {
	var cols []string
	seen := map[string]bool{}
	for _, item := range n.vals {
		for i, k := range item.keys {
			if !seen[k] && !item.vals[i].empty() {
				seen[k] = true
				cols = append(cols, k)
			}
		}
	}
	if want, ok := tableColumns[key]; ok {
		var kept []string
		for _, c := range want {
			if seen[c] {
				kept = append(kept, c)
			}
		}
		if len(kept) > 0 {
			cols = kept
		}
	}
	rows := n.vals
	if maxRows > 0 && len(rows) > maxRows {
		rows = rows[:maxRows]
	}
	cells := [][]string{make([]string, len(cols))}
	for j, c := range cols {
		cells[0][j] = strings.ToUpper(label(c))
	}
	for _, item := range rows {
		row := make([]string, len(cols))
		for i, k := range item.keys {
			for j, c := range cols {
				if c == k {
					row[j] = cellText(item.vals[i])
				}
			}
		}
		cells = append(cells, row)
	}
	width := make([]int, len(cols))
	for _, row := range cells {
		for j, c := range row {
			width[j] = max(width[j], utf8.RuneCountInString(c))
		}
	}
	for _, row := range cells {
		var line strings.Builder
		for j, c := range row {
			line.WriteString(c)
			if j < len(row)-1 {
				line.WriteString(strings.Repeat(" ", width[j]-utf8.RuneCountInString(c)+2))
			}
		}
		fmt.Fprintf(b, "%s%s\n", indent, strings.TrimRight(line.String(), " "))
	}
	if len(rows) < len(n.vals) {
		fmt.Fprintf(b, "%s… and %d more\n", indent, len(n.vals)-len(rows))
	}
}

const maxCell = 40

func cellText(n *jsonNode) string {
	var s string
	if n.isArr {
		s = listText(n, true)
	} else {
		s = scalarText(n.scalar, true)
	}
	if utf8.RuneCountInString(s) > maxCell {
		s = string([]rune(s)[:maxCell-1]) + "…"
	}
	return s
}

func listText(n *jsonNode, short bool) string {
	var parts []string
	for _, v := range n.vals {
		parts = append(parts, scalarText(v.scalar, short))
	}
	return strings.Join(parts, ", ")
}

// scalarText writes a value for a person: yes/no, dates without seconds (short: the day only).
func scalarText(v any, short bool) string {
	switch v := v.(type) {
	case bool:
		if v {
			return "yes"
		}
		return "no"
	case string:
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			if short {
				return t.UTC().Format("2006-01-02")
			}
			return t.UTC().Format("2006-01-02 15:04 UTC")
		}
		return v
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}
