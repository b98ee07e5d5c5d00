// Package zone is DNS as data: record sets, per-type validation of their values on
// github.com/miekg/dns, the difference between two zones, warnings about changes people
// regret, and zone text. It is pure: no I/O, no HTTP, no MCP.
//
// Names are relative to the zone ("@" is the apex, "www", "_dmarc", "*"), lowercase and
// ASCII. Values are stored in the normalised form that NormalizeValues returns, so that
// what a plan shows is what DNS will hold.
package zone

import (
	"slices"
	"strings"
)

// Apex is the name of the zone's own record sets.
const Apex = "@"

// TTL bounds and default, as LiveDNS enforces them.
const (
	MinTTL     = 300
	MaxTTL     = 2592000
	DefaultTTL = 10800
)

// MaxValueLen is the longest value LiveDNS stores, in characters.
const MaxValueLen = 16384

// Types lists every record type LiveDNS serves, in alphabetical order.
var Types = []string{
	"A", "AAAA", "ALIAS", "CAA", "CDS", "CNAME", "DNAME", "DS", "HTTPS", "KEY", "LOC", "MX",
	"NAPTR", "NS", "OPENPGPKEY", "PTR", "RP", "SOA", "SPF", "SRV", "SSHFP", "SVCB", "TLSA",
	"TXT", "WKS",
}

// RecordSet is every value of one name and type, with their common TTL.
type RecordSet struct {
	Name   string   `json:"name"`
	Type   string   `json:"type"`
	TTL    int      `json:"ttl"`
	Values []string `json:"values"`
}

// LiveDNS is a record set in the JSON shape of Gandi's LiveDNS API
// (GET/POST /v5/livedns/domains/{fqdn}/records).
type LiveDNS struct {
	Name   string   `json:"rrset_name"`
	Type   string   `json:"rrset_type"`
	TTL    int      `json:"rrset_ttl,omitempty"`
	Values []string `json:"rrset_values"`
	Href   string   `json:"rrset_href,omitempty"`
}

// FromLiveDNS converts LiveDNS record sets as they are, without validation; a missing TTL
// becomes DefaultTTL, which is what LiveDNS applies.
func FromLiveDNS(in []LiveDNS) []RecordSet {
	out := make([]RecordSet, 0, len(in))
	for _, r := range in {
		ttl := r.TTL
		if ttl == 0 {
			ttl = DefaultTTL
		}
		out = append(out, RecordSet{Name: r.Name, Type: strings.ToUpper(r.Type), TTL: ttl, Values: slices.Clone(r.Values)})
	}
	return out
}

// ToLiveDNS converts record sets to the LiveDNS JSON shape.
func ToLiveDNS(in []RecordSet) []LiveDNS {
	out := make([]LiveDNS, 0, len(in))
	for _, s := range in {
		out = append(out, LiveDNS{Name: s.Name, Type: s.Type, TTL: s.TTL, Values: slices.Clone(s.Values)})
	}
	return out
}

// CompareNames orders relative names: the apex first, then alphabetically.
func CompareNames(a, b string) int {
	switch {
	case a == b:
		return 0
	case a == Apex:
		return -1
	case b == Apex:
		return 1
	}
	return strings.Compare(a, b)
}

// Compare orders record sets by name (apex first, then alphabetically), then by type.
func Compare(a, b RecordSet) int {
	if c := CompareNames(a.Name, b.Name); c != 0 {
		return c
	}
	return strings.Compare(a.Type, b.Type)
}

// Sort sorts record sets in place by name, apex first, then by type.
func Sort(sets []RecordSet) {
	slices.SortFunc(sets, Compare)
}

// Find returns the index of the set of name and type in sets, or -1.
func Find(sets []RecordSet, name, rtype string) int {
	return slices.IndexFunc(sets, func(s RecordSet) bool { return s.Name == name && s.Type == rtype })
}
