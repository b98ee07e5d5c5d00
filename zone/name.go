package zone

import (
	"fmt"
	"strings"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"
)

// NameError is a record name or zone name that cannot be used, with why.
type NameError struct {
	Name   string
	Zone   string
	Reason string
}

func (e *NameError) Error() string {
	return fmt.Sprintf("name %q: %s", e.Name, e.Reason)
}

// CanonicalZone returns zone as LiveDNS names it: lowercase, ASCII (a unicode name is
// converted to punycode), without the trailing dot.
func CanonicalZone(zone string) (string, error) {
	z := strings.TrimSuffix(zone, ".")
	if z == "" {
		return "", &NameError{Name: zone, Reason: `the zone is empty: give a domain name such as "example.com"`}
	}
	z, err := toASCII(z)
	if err != nil {
		return "", &NameError{Name: zone, Reason: err.Error()}
	}
	if err := checkLabels(z, false); err != nil {
		return "", &NameError{Name: zone, Reason: err.Error()}
	}
	if len(z) > 253 {
		return "", &NameError{Name: zone, Reason: fmt.Sprintf("the zone name is %d characters long; the most is 253", len(z))}
	}
	return z, nil
}

// Relative returns name relative to zone, lowercase and ASCII: "@" for the apex.
//
// It accepts "@", a relative name ("www", "_dmarc", "google._domainkey", "*"), and a name
// under the zone with or without the trailing dot ("www.example.com." or "www.example.com"
// in example.com become "www"; "example.com." becomes "@"). An empty name is refused rather
// than taken for the apex, so that a forgotten name never touches the apex: write "@".
// A name ending with a dot outside the zone is refused; so is a dotted name without the
// trailing dot that ends in a public suffix other than the zone's ("www.other.org"), since
// that is almost always a name of another zone (for the record "www.other.org.example.com",
// write it in full with the trailing dot). Unicode labels are converted to punycode.
// Labels are letters, digits, '-' and '_' (for _dmarc, _domainkey), 1 to 63 characters;
// '*' is allowed as the whole leftmost label (a wildcard); the whole name is at most 253.
func Relative(name, zone string) (string, error) {
	z, err := CanonicalZone(zone)
	if err != nil {
		return "", err
	}
	return relative(name, z)
}

// relative is Relative in the canonical zone z.
func relative(name, z string) (string, error) {
	bad := func(reason string) error { return &NameError{Name: name, Zone: z, Reason: reason} }
	switch name {
	case "":
		return "", bad(fmt.Sprintf("the name is empty: use %q for the apex of %s, or a name such as \"www\"", Apex, z))
	case Apex:
		return Apex, nil
	}
	absolute := strings.HasSuffix(name, ".")
	n := strings.TrimSuffix(name, ".")
	if n == "" {
		return "", bad(fmt.Sprintf("%s is not in the zone %s", name, z))
	}
	n, err := toASCII(n)
	if err != nil {
		return "", bad(err.Error())
	}
	var rel string
	switch {
	case n == z:
		return Apex, nil
	case strings.HasSuffix(n, "."+z):
		rel = strings.TrimSuffix(n, "."+z)
	case absolute:
		return "", bad(fmt.Sprintf("%s is not in the zone %s: use a name relative to it (\"www\", \"@\") or one that ends in %s.", name, z, z))
	case strings.Contains(n, ".") && icannSuffix(n):
		return "", bad(fmt.Sprintf("%s looks like a name outside the zone %s: use a name relative to it (\"www\"), or write %s.%s. if you mean that name inside the zone", name, z, n, z))
	default:
		rel = n
	}
	if err := checkLabels(rel, true); err != nil {
		return "", bad(err.Error())
	}
	if l := len(rel) + 1 + len(z); l > 253 {
		return "", bad(fmt.Sprintf("the full name %s.%s is %d characters long; the most is 253", rel, z, l))
	}
	return rel, nil
}

// Fqdn returns the absolute name, with the trailing dot, of a relative name in zone.
func Fqdn(rel, zone string) string {
	if rel == Apex {
		return zone + "."
	}
	return rel + "." + zone + "."
}

func icannSuffix(n string) bool {
	_, icann := publicsuffix.PublicSuffix(n)
	return icann
}

// toASCII lowercases n and converts its unicode labels to punycode; ASCII labels, among
// them "_dmarc" and "*", are left to checkLabels since IDNA's rules refuse them.
func toASCII(n string) (string, error) {
	labels := strings.Split(n, ".")
	for i, l := range labels {
		if isASCII(l) {
			labels[i] = strings.ToLower(l)
			continue
		}
		a, err := idna.Lookup.ToASCII(l)
		if err != nil {
			return "", fmt.Errorf("the label %q is not a valid international name: %v", l, err)
		}
		labels[i] = a
	}
	return strings.Join(labels, "."), nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// checkLabels checks each label of a lowercase ASCII name; wildcard allows "*" as the
// whole leftmost label.
func checkLabels(n string, wildcard bool) error {
	for i, l := range strings.Split(n, ".") {
		switch {
		case l == "":
			return fmt.Errorf("it has an empty label (two dots in a row, or a leading dot)")
		case l == "*":
			if !wildcard || i != 0 {
				return fmt.Errorf(`"*" is only allowed as the whole leftmost label, as in "*" or "*.dev"`)
			}
			continue
		case len(l) > 63:
			return fmt.Errorf("the label %q is %d characters long; the most is 63", l, len(l))
		case l[0] == '-' || l[len(l)-1] == '-':
			return fmt.Errorf("the label %q starts or ends with '-'", l)
		}
		for j := 0; j < len(l); j++ {
			c := l[j]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return fmt.Errorf("the label %q has the character %q: use letters, digits, '-' and '_'", l, c)
			}
		}
	}
	return nil
}
