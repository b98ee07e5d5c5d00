package zone

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Text renders sets as RFC 1035 zone text: "$ORIGIN zone." then one "name ttl IN TYPE value"
// line per value, sorted by name (apex first) then type, values in their stored order.
func Text(zone string, sets []RecordSet) string {
	z := strings.TrimSuffix(zone, ".")
	if c, err := CanonicalZone(zone); err == nil {
		z = c
	}
	sorted := slices.Clone(sets)
	Sort(sorted)
	var b strings.Builder
	fmt.Fprintf(&b, "$ORIGIN %s.\n", z)
	for _, s := range sorted {
		for _, v := range s.Values {
			fmt.Fprintf(&b, "%s %d IN %s %s\n", s.Name, s.TTL, s.Type, v)
		}
	}
	return b.String()
}

// Digest returns a hex SHA-256 of sets in a canonical form: names lowercased, types
// upper-cased, values trimmed, deduplicated and sorted, sets sorted. Two lists of the same
// record sets have the same digest whatever their order, and any change of a name, type,
// TTL or value changes it: a plan keeps the digest of what it read, and an apply that reads
// another one knows the zone changed since (a stale plan).
func Digest(sets []RecordSet) string {
	canon := make([]RecordSet, 0, len(sets))
	for _, s := range sets {
		c := RecordSet{Name: strings.ToLower(s.Name), Type: strings.ToUpper(s.Type), TTL: s.TTL, Values: make([]string, 0, len(s.Values))}
		for _, v := range s.Values {
			c.Values = append(c.Values, strings.TrimSpace(v))
		}
		slices.Sort(c.Values)
		c.Values = slices.Compact(c.Values)
		canon = append(canon, c)
	}
	slices.SortStableFunc(canon, func(a, b RecordSet) int {
		if c := Compare(a, b); c != 0 {
			return c
		}
		if a.TTL != b.TTL {
			return a.TTL - b.TTL
		}
		return slices.Compare(a.Values, b.Values)
	})
	// JSON quotes every string, so no value can run into the next.
	data, _ := json.Marshal(canon) // a []RecordSet always marshals
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}
