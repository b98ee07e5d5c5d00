package tools

// Toolset is a group of tools that `--toolsets` picks, in the manner of github-mcp-server.
type Toolset struct {
	Name  string
	Tools []string // the names of its tools, those to come included
}

// AlwaysOn is the tool offered whatever the toolsets: every diagnosis starts there.
const AlwaysOn = "verify_token"

// Toolsets are the groups of tools, in the order they are listed. A tool belongs to one.
var Toolsets = []Toolset{
	{"token", []string{"verify_token", "renew_token"}},
	{"domains", []string{"list_domains", "list_sharing", "get_domain", "check_availability", "set_autorenew", "set_nameservers", "renew_domain"}},
	{"dns", []string{"list_dns_records", "list_dns_snapshots", "change_dns_records", "restore_dns_snapshot"}},
}

// toolsetOf is the name of the toolset that lists tool; "" for none.
func toolsetOf(tool string) string {
	for _, ts := range Toolsets {
		for _, t := range ts.Tools {
			if t == tool {
				return ts.Name
			}
		}
	}
	return ""
}

// Writes says whether the tool changes anything (its annotations say it is not read-only):
// `--read-only` leaves such tools out.
func (t Tool) Writes() bool {
	ro := t.Definition.Annotations.ReadOnlyHint
	return ro == nil || !*ro
}
