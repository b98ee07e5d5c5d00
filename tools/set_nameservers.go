package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"slices"
	"strings"

	"github.com/gandi-mcp/gandi-mcp/zone"
)

// The number of name servers a domain may be given; fewer than two distinct ones is
// warned about, not refused, since a registry may take one.
const (
	minNameservers = 2
	maxNameservers = 13
)

// SetNameserversInput is the domain and the name servers it should have at the registry.
type SetNameserversInput struct {
	FQDN        string   `json:"fqdn" jsonschema:"minLength=1,maxLength=253" jsonschema_description:"The domain, e.g. example.com; a unicode name (café.fr) is accepted and converted."`
	Nameservers []string `json:"nameservers" jsonschema:"minItems=2,maxItems=13" jsonschema_description:"2 to 13 host names, e.g. [\"ns1.example.net\", \"ns2.example.net\"]; the whole new set, in place of the current one. Case and a trailing dot do not matter."`
	WriteArgs
}

func (in *SetNameserversInput) validate() error {
	if _, err := parseFQDN(in.FQDN); err != nil {
		return invalidInput(err.Error())
	}
	_, err := in.hosts()
	return err
}

// hosts is the new set: each name checked, lower-case, without its trailing dot, once.
func (in *SetNameserversInput) hosts() ([]string, error) {
	if n := len(in.Nameservers); n < minNameservers || n > maxNameservers {
		return nil, invalidInput(fmt.Sprintf(`nameservers has %d host names: give %d to %d, the whole new set, such as ["ns1.example.net", "ns2.example.net"]`, n, minNameservers, maxNameservers))
	}
	var out []string
	for i, raw := range in.Nameservers {
		h, err := parseNameserver(raw)
		if err != nil {
			return nil, invalidInput(fmt.Sprintf("nameservers[%d] %q %s: give a name server's host name such as \"ns1.example.net\"", i, clip(raw), err.Error()))
		}
		if !slices.Contains(out, h) {
			out = append(out, h)
		}
	}
	return out, nil
}

// parseNameserver reads one name server's host name; its error says why it is not one.
func parseNameserver(raw string) (string, error) {
	trimmed := strings.TrimSuffix(raw, ".")
	switch {
	case strings.TrimSpace(raw) == "":
		return "", fmt.Errorf("is empty")
	case strings.TrimSpace(raw) != raw:
		return "", fmt.Errorf("has spaces around it")
	case net.ParseIP(trimmed) != nil:
		return "", fmt.Errorf("is an IP address, not a host name (a name server inside the domain gets its address from glue records at the registry)")
	}
	h, err := zone.CanonicalZone(raw)
	if err != nil {
		return "", fmt.Errorf("cannot be a host name")
	}
	labels := strings.Split(h, ".")
	switch {
	case len(labels) < 2:
		return "", fmt.Errorf("is not a full host name (it has no domain)")
	case strings.ContainsAny(h, "_*"):
		return "", fmt.Errorf("cannot be a host name: '_' and '*' are not allowed in one")
	case strings.Trim(labels[len(labels)-1], "0123456789") == "":
		return "", fmt.Errorf("cannot be a host name: its last label is a number")
	}
	return h, nil
}

// SetNameserversOutput is the plan, or what the apply did.
type SetNameserversOutput struct {
	FQDN        string   `json:"fqdn,omitempty" jsonschema_description:"The domain, in ASCII."`
	Nameservers []string `json:"nameservers,omitempty" jsonschema_description:"A plan: the name servers now. After an apply: as Gandi reports them, read back."`
	PlanResult
	Common
}

// nameserverWriteScopes are what changing name servers needs, a technical setting; reading
// them works with it too.
var nameserverWriteScopes = []string{"domain:tech"}

// nameserversProfile replaces a setting whose wrong value takes a site down: destructive,
// but the same call twice is the same change.
var nameserversProfile = profile{readOnly: false, destructive: true, idempotent: true, openWorld: true}

// SetNameservers is the set_nameservers tool.
func SetNameservers(d *Deps) Tool {
	return define[SetNameserversInput, SetNameserversOutput](d, spec{
		name:  "set_nameservers",
		title: "Set a domain's name servers",
		description: "Replaces the name servers of one domain at the registry (e.g. to move its DNS to another host, or back to " +
			"LiveDNS). Destructive: a wrong set takes the domain's site and mail down. Without apply it only plans: it reads " +
			"the current set and returns the change (from, to), warnings (leaving LiveDNS, with how many record sets stop " +
			"being served; a name server inside the domain needing glue; fewer than two distinct names) and a plan_id; " +
			"nothing changes. Show the plan to the person; once they agree, call again with the same arguments, apply=true " +
			"and the plan_id. The undo is this tool with the old set, given in the plan's notes.",
		profile: nameserversProfile,
		scopes:  nameserverWriteScopes,
	}, func(ctx context.Context, in SetNameserversInput) (*SetNameserversOutput, error) {
		return setNameservers(ctx, d, in)
	})
}

func setNameservers(ctx context.Context, d *Deps, in SetNameserversInput) (*SetNameserversOutput, error) {
	name, err := parseFQDN(in.FQDN)
	if err != nil {
		return nil, invalidInput(err.Error())
	}
	hosts, err := in.hosts()
	if err != nil {
		return nil, err
	}
	s, err := d.open(ctx)
	if err != nil {
		return nil, err
	}
	out := &SetNameserversOutput{FQDN: name.ascii}
	canonical, w := canonicalArgs(in)
	run := writeRun{tool: "set_nameservers", s: s, scopes: nameserverWriteScopes, args: w, canonical: canonical}
	res, err := runWrite(ctx, d, run, func(ctx context.Context) (*writePlan, error) {
		return planNameservers(ctx, d, s, name, hosts, out)
	})
	if res != nil {
		out.PlanResult = *res
	}
	return out, err
}

// normalHosts is Gandi's list of name servers as a set: lower-case, no trailing dot, each once.
func normalHosts(in []string) []string {
	out := []string{}
	for _, h := range in {
		h = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(h), "."))
		if h != "" && !slices.Contains(out, h) {
			out = append(out, h)
		}
	}
	return out
}

// sameHosts says whether a and b hold the same names, whatever their order.
func sameHosts(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}

// allLiveDNS says whether every host is one of LiveDNS's name servers.
func allLiveDNS(hosts []string) bool {
	return len(hosts) > 0 && !slices.ContainsFunc(hosts, func(h string) bool { return !liveDNSHost.MatchString(h) })
}

// planNameservers reads the current set (and, when the domain leaves LiveDNS, its zone) and
// plans the new set.
func planNameservers(ctx context.Context, d *Deps, s *session, name dnsDomain, hosts []string, out *SetNameserversOutput) (*writePlan, error) {
	z := name.ascii
	raw, err := s.client.DomainNameservers(ctx, z)
	if err != nil {
		return nil, s.domainFail(ctx, err, name)
	}
	cur := normalHosts(raw)
	out.Nameservers = cur
	to := hosts
	if sameHosts(cur, hosts) {
		to = cur // the order of name servers means nothing: the same set is no change
	}
	fromWord, toWord := strings.Join(cur, ", "), strings.Join(to, ", ")
	if fromWord == "" {
		fromWord = "none"
	}
	change := PlannedChange{Name: "nameservers", From: cur, To: to, Summary: fmt.Sprintf("name servers of %s: %s → %s", z, fromWord, toWord)}
	if slices.Equal(cur, to) {
		change.Summary = fmt.Sprintf("name servers of %s stay %s", z, fromWord)
	}
	sorted := slices.Clone(cur)
	slices.Sort(sorted)
	p := &writePlan{
		object:  z,
		state:   "nameservers " + strings.Join(sorted, " "),
		changes: []PlannedChange{change},
		confirm: fmt.Sprintf("Replace the name servers of %s: %s → %s. A wrong set takes its site and mail down.", z, fromWord, toWord),
		notes: []string{
			"Destructive: a wrong set of name servers takes " + z + "'s site and its mail down until it is put right, and resolvers may keep the change for up to two days.",
			fmt.Sprintf("To undo: set_nameservers with fqdn %s and nameservers %s (the set now).", z, jsonList(cur)),
		},
	}
	if !slices.Equal(cur, to) {
		p.warnings = nameserverWarnings(ctx, s, z, cur, to)
	}
	p.apply = func(ctx context.Context) ([]string, error) {
		write := func(ctx context.Context) error { return s.client.SetNameservers(ctx, z, to) }
		holds := func(ctx context.Context) (bool, error) {
			back, err := s.client.DomainNameservers(ctx, z)
			if err != nil {
				return false, err
			}
			out.Nameservers = normalHosts(back)
			return sameHosts(out.Nameservers, to), nil
		}
		return writeSetting(ctx, d, "name servers", z, write, holds)
	}
	return p, nil
}

// nameserverWarnings are what people regret in a change of name servers from cur to next.
func nameserverWarnings(ctx context.Context, s *session, z string, cur, next []string) []string {
	var out []string
	if allLiveDNS(cur) && !allLiveDNS(next) {
		take := " Take the zone text first with list_dns_records (format zone), to create the records at the new DNS host before applying."
		if sets, err := s.client.Records(ctx, z); err == nil {
			out = append(out, fmt.Sprintf("%s leaves LiveDNS: its %d record set(s) there stop being served once the new name servers answer, "+
				"so its site and mail depend on the new DNS host holding the same records.%s", z, len(sets), take))
		} else {
			out = append(out, fmt.Sprintf("%s leaves LiveDNS, whose records then stop being served; its LiveDNS zone could not be read (%s), "+
				"so how many record sets it holds is not known.%s", z, s.d.Redact(err.Error()), take))
		}
	}
	var inside []string
	for _, h := range next {
		if h == z || strings.HasSuffix(h, "."+z) {
			inside = append(inside, h)
		}
	}
	if len(inside) > 0 {
		out = append(out, fmt.Sprintf("%s inside %s itself: such a name server needs glue records (its IP addresses) at the registry, "+
			"or nobody can reach it to resolve %s. Check the glue records in Gandi's admin before applying.", strings.Join(inside, ", ")+isAre(len(inside)), z, z))
	}
	if len(next) < minNameservers {
		out = append(out, fmt.Sprintf("The new set has %d distinct name server (%s, after lower-casing and removing trailing dots): "+
			"with one, its outage takes %s down; use at least two, on separate networks.", len(next), strings.Join(next, ", "), z))
	}
	return out
}

// jsonList is hosts as a JSON array, the way the undo's argument is written.
func jsonList(hosts []string) string {
	raw, _ := json.Marshal(hosts) // strings always encode
	return string(raw)
}

func isAre(n int) string {
	if n == 1 {
		return " is"
	}
	return " are"
}
