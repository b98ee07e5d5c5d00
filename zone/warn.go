package zone

import (
	"fmt"
	"slices"
	"strings"
)

// ManyTTL is the number of record sets whose TTL a plan may change before it is warned of.
const ManyTTL = 10

// addressTypes are the types that give a name an address.
var addressTypes = []string{"A", "AAAA", "ALIAS", "CNAME"}

// Warnings returns one short sentence for each thing in diffs (as Apply returns them, from
// before to after, in zone) that people regret: removing or replacing MX records, changing
// NS at the apex, changing or removing SPF, DMARC or DKIM records, a CNAME that replaces or
// shadows other records or is a wildcard, a TTL change on ManyTTL record sets or more, and a
// name that loses its last address while it still matters (the apex, www, a name with other
// records, or one that other records point to). Diffs that change nothing are ignored.
func Warnings(zone string, diffs []Diff, before, after []RecordSet) []string {
	var out []string
	add := func(format string, a ...any) {
		if w := fmt.Sprintf(format, a...); !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	ttls := 0
	for _, d := range diffs {
		if !d.Changed {
			continue
		}
		var bv, av []string
		if d.Before != nil {
			bv = d.Before.Values
		}
		if d.After != nil {
			av = d.After.Values
		}
		if d.Before != nil && d.After != nil && d.Before.TTL != d.After.TTL {
			ttls++
		}
		switch d.Type {
		case "MX":
			if lost(bv, av) {
				add("This removes or replaces MX records at %s: mail for it may bounce or go to other servers.", d.Name)
			}
		case "NS":
			if d.Name == Apex {
				add("This changes the NS records at the apex (@), which say which servers answer for the whole zone.")
			}
		case "TXT", "SPF":
			for _, kind := range []string{"SPF", "DMARC", "DKIM"} {
				match := func(v string) bool { return mailAuth(d.Name, d.Type, v) == kind }
				if lost(slices.DeleteFunc(slices.Clone(bv), func(v string) bool { return !match(v) }), av) {
					add("This changes or removes the %s record at %s: mail from the domain may be rejected if it is wrong.", kind, d.Name)
				}
				if n := countFunc(av, func(v string) bool { return kind == "SPF" && match(v) }); n > 1 {
					add("%s would have %d SPF records: receivers treat that as an error; merge them into one.", d.Name, n)
				}
			}
		case "CNAME":
			if d.After == nil {
				break
			}
			if others := otherTypes(after, d.Name); len(others) > 0 {
				add("The CNAME at %s shadows its %s records: resolvers will not see them.", d.Name, strings.Join(others, ", "))
			} else if others := otherTypes(before, d.Name); len(others) > 0 {
				add("The CNAME at %s replaces its %s records.", d.Name, strings.Join(others, ", "))
			}
			if d.Name == "*" || strings.HasPrefix(d.Name, "*.") {
				add("The CNAME at %s answers for every name under it that has no record of its own.", d.Name)
			}
		}
	}
	if ttls >= ManyTTL {
		add("This changes the TTL of %d record sets.", ttls)
	}
	for _, d := range diffs {
		if !d.Changed || !slices.Contains(addressTypes, d.Type) {
			continue
		}
		if hasType(before, d.Name, addressTypes) && !hasType(after, d.Name, addressTypes) &&
			(d.Name == Apex || d.Name == "www" || len(otherTypes(after, d.Name)) > 0 || pointedTo(after, Fqdn(d.Name, zone))) {
			add("%s loses its last address record (A, AAAA, CNAME or ALIAS): it will no longer resolve.", d.Name)
		}
	}
	return out
}

// lost reports whether a value of before is not in after.
func lost(before, after []string) bool {
	for _, v := range before {
		if !slices.Contains(after, v) {
			return true
		}
	}
	return false
}

func countFunc(vals []string, f func(string) bool) int {
	n := 0
	for _, v := range vals {
		if f(v) {
			n++
		}
	}
	return n
}

// mailAuth says which mail authentication record a TXT or SPF value at name is: "SPF",
// "DMARC", "DKIM" or "".
func mailAuth(name, rtype, value string) string {
	v := strings.ToLower(strings.TrimLeft(value, `" `))
	switch {
	case rtype == "SPF" || strings.HasPrefix(v, "v=spf1"):
		return "SPF"
	case name == "_dmarc" || strings.HasPrefix(name, "_dmarc."):
		return "DMARC"
	case name == "_domainkey" || strings.HasSuffix(name, "._domainkey") || strings.Contains(name, "._domainkey."):
		return "DKIM"
	}
	return ""
}

// otherTypes returns the types at name in sets other than CNAME, sorted.
func otherTypes(sets []RecordSet, name string) []string {
	var ts []string
	for _, s := range sets {
		if s.Name == name && s.Type != "CNAME" {
			ts = append(ts, s.Type)
		}
	}
	slices.Sort(ts)
	return ts
}

func hasType(sets []RecordSet, name string, types []string) bool {
	return slices.ContainsFunc(sets, func(s RecordSet) bool { return s.Name == name && slices.Contains(types, s.Type) })
}

// pointedTo reports whether a value in sets names the host fqdn (a CNAME, MX, SRV target).
func pointedTo(sets []RecordSet, fqdn string) bool {
	for _, s := range sets {
		for _, v := range s.Values {
			if slices.Contains(strings.Fields(strings.ToLower(v)), fqdn) {
				return true
			}
		}
	}
	return false
}
