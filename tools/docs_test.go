package tools

import (
	"bufio"
	"bytes"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// repoRoot is the module's root, seen from this package's directory.
const repoRoot = ".."

// markdownFiles are the documents a person or an assistant reads: README.md, SKILL.md,
// BENCHMARKS.md and every docs/*.md, as paths relative to the repository's root.
func markdownFiles(t *testing.T) []string {
	t.Helper()
	docs, err := filepath.Glob(filepath.Join(repoRoot, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) == 0 {
		t.Fatal("no docs/*.md: README links its detailed contracts there")
	}
	files := []string{"README.md", "SKILL.md", "BENCHMARKS.md"}
	for _, d := range docs {
		rel, err := filepath.Rel(repoRoot, d)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, filepath.ToSlash(rel))
	}
	return files
}

func readDoc(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, filepath.FromSlash(name)))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// prose is a Markdown text without its fenced code blocks, which hold no links.
func prose(md string) string {
	var b strings.Builder
	fence := ""
	for line := range strings.Lines(md) {
		trimmed := strings.TrimLeft(line, " ")
		switch {
		case fence == "" && (strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~")):
			fence = trimmed[:3]
		case fence != "" && strings.HasPrefix(trimmed, fence):
			fence = ""
		case fence == "":
			b.WriteString(line)
		}
	}
	return b.String()
}

var (
	codeSpan   = regexp.MustCompile("`[^`\n]*`")
	inlineLink = regexp.MustCompile(`\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)`)
	refLink    = regexp.MustCompile(`(?m)^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$`)
	heading    = regexp.MustCompile(`(?m)^ {0,3}#{1,6}[ \t]+(.+?)[ \t#]*$`)
	hasScheme  = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9+.-]*:`)
)

// links are the targets of a Markdown text's inline and reference links, code left out.
func links(md string) []string {
	text := codeSpan.ReplaceAllString(prose(md), "")
	var out []string
	for _, re := range []*regexp.Regexp{inlineLink, refLink} {
		for _, m := range re.FindAllStringSubmatch(text, -1) {
			out = append(out, m[1])
		}
	}
	return out
}

// slug is the anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens.
func slug(h string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(h) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_':
			b.WriteRune(r)
		case r == ' ':
			b.WriteByte('-')
		}
	}
	return b.String()
}

// anchors are the anchors of a Markdown text's headings, repeated ones numbered as GitHub does.
func anchors(md string) map[string]bool {
	out := map[string]bool{}
	seen := map[string]int{}
	for _, m := range heading.FindAllStringSubmatch(prose(md), -1) {
		s := slug(m[1])
		if n := seen[s]; n > 0 {
			out[s+"-"+strconv.Itoa(n)] = true
		} else {
			out[s] = true
		}
		seen[s]++
	}
	return out
}

func TestSlug(t *testing.T) {
	for _, c := range []struct{ heading, want string }{
		{"The tools", "the-tools"},
		{"`serve --http`: MCP over Streamable HTTP", "serve---http-mcp-over-streamable-http"},
		{"renew_token: the rotation contract", "renew_token-the-rotation-contract"},
		{"Storing it: `gandi-mcp token set`", "storing-it-gandi-mcp-token-set"},
		{"Où est le jeton ?", "où-est-le-jeton-"},
	} {
		if got := slug(c.heading); got != c.want {
			t.Errorf("slug(%q) = %q, want %q", c.heading, got, c.want)
		}
	}
	got := anchors("# A\n```\n# not a heading\n```\n## A\n### B ##\n")
	want := map[string]bool{"a": true, "a-1": true, "b": true}
	if !maps.Equal(got, want) {
		t.Errorf("anchors = %v, want %v", got, want)
	}
}

func TestLinks(t *testing.T) {
	md := "See [a](docs/a.md) and [b](b.md#x \"title\"), `[no](code.md)`, <https://example.com>.\n" +
		"```\n[no](fenced.md)\n```\n[ref]: docs/ref.md\n[c](https://example.com/c)\n"
	got := links(md)
	want := []string{"docs/a.md", "b.md#x", "https://example.com/c", "docs/ref.md"}
	if !slices.Equal(got, want) {
		t.Errorf("links = %q, want %q", got, want)
	}
}

// TestDocsLinksResolve: every relative link in the docs names a file of the repository that
// exists, and an anchor that one of its headings makes; links between the project's own files
// are relative, so that they work in a checkout, on GitHub and in a fork alike.
func TestDocsLinksResolve(t *testing.T) {
	for _, name := range markdownFiles(t) {
		md := readDoc(t, name)
		for _, target := range links(md) {
			if hasScheme.MatchString(target) {
				if u, err := url.Parse(target); err == nil && u.Host == "github.com" && strings.HasPrefix(u.Path, "/gandi-mcp/gandi-mcp/") {
					t.Errorf("%s: link %s points at this repository by URL; make it relative", name, target)
				}
				continue
			}
			path, frag, _ := strings.Cut(target, "#")
			dest := name
			if path != "" {
				if strings.HasPrefix(path, "/") {
					t.Errorf("%s: link %s is absolute; make it relative to %s", name, target, filepath.Dir(name))
					continue
				}
				unescaped, err := url.PathUnescape(path)
				if err != nil {
					t.Errorf("%s: link %s: %v", name, target, err)
					continue
				}
				dest = filepath.ToSlash(filepath.Join(filepath.Dir(name), unescaped))
				if dest == ".." || strings.HasPrefix(dest, "../") {
					t.Errorf("%s: link %s leaves the repository", name, target)
					continue
				}
				if _, err := os.Stat(filepath.Join(repoRoot, filepath.FromSlash(dest))); err != nil {
					t.Errorf("%s: link %s: %s does not exist", name, target, dest)
					continue
				}
			}
			if frag == "" {
				continue
			}
			if !strings.HasSuffix(dest, ".md") {
				t.Errorf("%s: link %s has an anchor into %s, which is not Markdown", name, target, dest)
				continue
			}
			if !anchors(readDoc(t, dest))[frag] {
				t.Errorf("%s: link %s: %s has no heading whose anchor is #%s", name, target, dest, frag)
			}
		}
	}
}

// TestREADMELinksEveryDoc: a file in docs/ that README does not link is one nobody finds.
func TestREADMELinksEveryDoc(t *testing.T) {
	linked := map[string]bool{}
	for _, target := range links(readDoc(t, "README.md")) {
		path, _, _ := strings.Cut(target, "#")
		linked[filepath.ToSlash(filepath.Clean(path))] = true
	}
	for _, name := range markdownFiles(t) {
		if strings.HasPrefix(name, "docs/") && !linked[name] {
			t.Errorf("README.md does not link %s", name)
		}
	}
}

// TestREADMEOpensWithTheCommands: the first thing README shows is the demo and the test command,
// each alone on its line in an sh block.
func TestREADMEOpensWithTheCommands(t *testing.T) {
	sc := bufio.NewScanner(strings.NewReader(readDoc(t, "README.md")))
	var lines []string
	for sc.Scan() && len(lines) < 6 {
		if l := strings.TrimSpace(sc.Text()); l != "" {
			lines = append(lines, l)
		}
	}
	want := []string{"# gandi-mcp", "```sh", "go run ./cmd/gandi-mcp demo", "go test -race ./...", "```"}
	if len(lines) < len(want) || !slices.Equal(lines[:len(want)], want) {
		t.Errorf("README.md opens with %q, want %q", lines, want)
	}
}

// TestDocsStateGoModsGoVersion: every "Go 1.N[.P]" the docs mention is go.mod's go version,
// so that a person does not install a Go that cannot build the module.
func TestDocsStateGoModsGoVersion(t *testing.T) {
	mod, err := os.ReadFile(filepath.Join(repoRoot, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	var want string
	for line := range bytes.Lines(mod) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(string(line)), "go "); ok {
			want = strings.TrimSpace(v)
		}
	}
	if want == "" {
		t.Fatal("go.mod has no go line")
	}
	mention := regexp.MustCompile(`\bGo (\d+\.\d+(?:\.\d+)?)`)
	for _, name := range markdownFiles(t) {
		for _, m := range mention.FindAllStringSubmatch(readDoc(t, name), -1) {
			if m[1] != want {
				t.Errorf("%s says %q; go.mod needs Go %s", name, m[0], want)
			}
		}
	}
	if !strings.Contains(readDoc(t, "README.md"), "Go "+want+" or later") {
		t.Errorf("README.md does not say which Go it needs: want %q", "Go "+want+" or later")
	}
}

// TestSectionsTheCodeCitesExist: a program's output that sends a person to a section of a
// document ("see \"Register with an assistant\" in README.md") names a heading it has.
func TestSectionsTheCodeCitesExist(t *testing.T) {
	cite := regexp.MustCompile(`\\"([^"\\]+)\\" in ((?:docs/)?[A-Za-z_]+\.md)`)
	err := filepath.WalkDir(repoRoot, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && strings.HasPrefix(d.Name(), ".") && path != repoRoot {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range cite.FindAllStringSubmatch(string(src), -1) {
			if !anchors(readDoc(t, m[2]))[slug(m[1])] {
				t.Errorf("%s sends the reader to %q in %s, which has no such heading", path, m[1], m[2])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
