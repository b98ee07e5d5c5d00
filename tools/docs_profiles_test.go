package tools

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// serverConfigs returns every MCP client configuration a document shows: each JSON code
// block and each `openclaw mcp set NAME 'JSON'` line, as server name -> args, keyed by the
// configuration's shape ("mcpServers", "servers" or "openclaw").
func serverConfigs(t *testing.T, md string) map[string][]map[string][]string {
	t.Helper()
	configs := map[string][]map[string][]string{}
	type server struct {
		Args []string `json:"args"`
	}
	var block strings.Builder
	fence := ""
	for line := range strings.Lines(md) {
		trimmed := strings.TrimSpace(line)
		switch {
		case fence == "" && strings.HasPrefix(trimmed, "```"):
			fence = strings.TrimPrefix(trimmed, "```")
			block.Reset()
		case fence != "" && trimmed == "```":
			if fence == "json" {
				var doc map[string]map[string]server
				if err := json.Unmarshal([]byte(block.String()), &doc); err != nil {
					t.Errorf("a json block does not parse: %v\n%s", err, block.String())
				}
				for shape, servers := range doc {
					c := map[string][]string{}
					for name, s := range servers {
						c[name] = s.Args
					}
					configs[shape] = append(configs[shape], c)
				}
			}
			fence = ""
		case fence != "":
			block.WriteString(line)
		}
	}
	set := regexp.MustCompile("openclaw mcp set ([a-z-]+) '([^']*)'")
	for _, m := range set.FindAllStringSubmatch(md, -1) {
		var s server
		if err := json.Unmarshal([]byte(m[2]), &s); err != nil {
			t.Errorf("openclaw mcp set %s: %v", m[1], err)
		}
		configs["openclaw"] = append(configs["openclaw"], map[string][]string{m[1]: s.Args})
	}
	return configs
}

// TestDocsRegisterTwoProfiles: for every client configuration README shows, README and SKILL.md
// show how to register the server twice, each name with its own --profile.
func TestDocsRegisterTwoProfiles(t *testing.T) {
	readme := serverConfigs(t, readDoc(t, "README.md"))
	if len(readme) < 3 {
		t.Fatalf("README shows %d configuration shapes, want OpenClaw's, mcpServers and VS Code's servers", len(readme))
	}
	for _, doc := range []string{"README.md", "SKILL.md"} {
		configs := serverConfigs(t, readDoc(t, doc))
		for shape := range readme {
			profiles := map[string]string{} // server name -> profile
			for _, c := range configs[shape] {
				for name, args := range c {
					if i := slices.Index(args, "--profile"); i >= 0 && i+1 < len(args) && args[0] == "serve" {
						profiles[name] = args[i+1]
					}
				}
			}
			distinct := map[string]bool{}
			for name, p := range profiles {
				if !strings.HasSuffix(name, p) {
					t.Errorf("%s: %s server %q serves profile %q: name it after its profile", doc, shape, name, p)
				}
				distinct[p] = true
			}
			if len(distinct) < 2 {
				t.Errorf("%s: no %s configuration registers the server twice with two profiles (found %v)", doc, shape, profiles)
			}
		}
	}
}
