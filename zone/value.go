package zone

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/miekg/dns"
)

// ValueError is a record value, or a set of values, that cannot be used: which value,
// why, and what would be valid.
type ValueError struct {
	Type  string // the record type, "MX"
	Value string // the value as given
	// Reason says what is wrong, e.g. "is missing its priority".
	Reason string
	// Valid says what would be valid, with an example.
	Valid string
	// Set is true when the problem is the set as a whole (its count, its name).
	Set bool
}

func (e *ValueError) Error() string {
	s := fmt.Sprintf("%s value %q", e.Type, e.Value)
	if e.Set {
		s = e.Type + " record set"
	}
	if e.Reason != "" {
		s += " " + e.Reason
	}
	if e.Valid != "" {
		s += ": " + e.Valid
	}
	return s
}

// format is the grammar of a type's value, in words, with an example.
type format struct{ syntax, example string }

var formats = map[string]format{
	"A":          {"an IPv4 address", "203.0.113.7"},
	"AAAA":       {"an IPv6 address", "2001:db8::7"},
	"ALIAS":      {`"HOST"`, "webredir.vip.gandi.net."},
	"CAA":        {`"FLAGS TAG VALUE"`, `0 issue "letsencrypt.org"`},
	"CDS":        {`"KEYTAG ALGORITHM DIGESTTYPE HEXDIGEST"`, "12345 13 2 " + strings.Repeat("AB", 32)},
	"CNAME":      {`"HOST"`, "webredir.vip.gandi.net."},
	"DNAME":      {`"HOST"`, "example.net."},
	"DS":         {`"KEYTAG ALGORITHM DIGESTTYPE HEXDIGEST"`, "12345 13 2 " + strings.Repeat("AB", 32)},
	"HTTPS":      {`"PRIORITY TARGET [KEY=VALUE...]"`, "1 . alpn=h2,h3"},
	"KEY":        {`"FLAGS PROTOCOL ALGORITHM BASE64KEY"`, "256 3 13 AwEAAQ=="},
	"LOC":        {`"LAT N|S LON E|W ALTITUDEm [SIZEm HPm VPm]"`, "52 22 23.000 N 4 53 32.000 E -2.00m 1m 10000m 10m"},
	"MX":         {`"PRIORITY HOST"`, "10 mail.example.com."},
	"NAPTR":      {`"ORDER PREFERENCE FLAGS SERVICE REGEXP REPLACEMENT"`, `100 10 "S" "SIP+D2U" "" _sip._udp.example.com.`},
	"NS":         {`"HOST"`, "ns1.gandi.net."},
	"OPENPGPKEY": {`"BASE64KEY"`, "mQINBGRk"},
	"PTR":        {`"HOST"`, "host.example.com."},
	"RP":         {`"MAILBOX-NAME TXT-NAME"`, "admin.example.com. ."},
	"SOA":        {`"MNAME RNAME SERIAL REFRESH RETRY EXPIRE MINIMUM"`, "ns1.gandi.net. hostmaster.gandi.net. 1700000000 10800 3600 604800 10800"},
	"SPF":        {"text, quoted or not", `"v=spf1 include:_mailcust.gandi.net ?all"`},
	"SRV":        {`"PRIORITY WEIGHT PORT TARGET"`, "10 5 5060 sip.example.com."},
	"SSHFP":      {`"ALGORITHM FPTYPE HEXFINGERPRINT"`, "4 2 " + strings.Repeat("ab", 32)},
	"SVCB":       {`"PRIORITY TARGET [KEY=VALUE...]"`, "1 svc.example.com. alpn=h2"},
	"TLSA":       {`"USAGE SELECTOR MATCHINGTYPE HEXDATA"`, "3 1 1 " + strings.Repeat("ab", 32)},
	"TXT":        {"text, quoted or not", `"v=spf1 include:_mailcust.gandi.net ?all"`},
	"WKS":        {`"IPV4ADDRESS PROTOCOL SERVICE..."`, "192.0.2.1 tcp smtp http"},
}

func validFor(rtype string) string {
	f := formats[rtype]
	return fmt.Sprintf("it must be %s, e.g. %q", f.syntax, f.example)
}

// relativeOrigin stands for the zone while miekg/dns parses a value, so that a relative
// host name in it can be told from an absolute one afterwards (.invalid never resolves).
const relativeOrigin = "relative.gandi-mcp.invalid."

// NormalizeValues checks every value of a record set of type rtype at the relative name
// (as Relative returns it) in zone, and returns them in the form DNS will hold: each
// parsed and rendered by miekg/dns's grammar for the type, without duplicates, sorted.
//
// Host names in values (CNAME, MX, NS, SRV and other targets) follow one rule: a name
// with the trailing dot is absolute; a name with a dot inside but none at the end is made
// absolute by adding it ("mail.example.com" becomes "mail.example.com.", never
// "mail.example.com.example.com."); a single label is relative to the zone ("www" becomes
// "www.example.com."); "@" is the zone itself. Host names are lowercased.
//
// TXT and SPF values that start and end with a double quote are taken as DNS strings as
// they are; any other value is text that is quoted for you, its quotes and backslashes
// escaped, and split in strings of at most 255 bytes.
//
// A and AAAA take addresses of their own family only; an IPv4-mapped IPv6 address
// (::ffff:203.0.113.7) is refused in AAAA, since it is always an A record mistyped. WKS,
// which miekg/dns does not know, is checked here: an IPv4 address, a protocol (tcp, udp
// or a number) and services (names or port numbers). ALIAS, Gandi's own type, is one host
// name, as CNAME, but allowed at the apex.
func NormalizeValues(zone, name, rtype string, values []string) ([]string, error) {
	z, err := CanonicalZone(zone)
	if err != nil {
		return nil, err
	}
	return normalizeValues(origin{zone: z}, name, rtype, values)
}

func normalizeValues(o origin, name, rtype string, values []string) ([]string, error) {
	t := strings.ToUpper(rtype)
	if _, ok := formats[t]; !ok {
		return nil, &ValueError{Type: rtype, Set: true, Reason: "is not a type LiveDNS serves", Valid: "use one of " + strings.Join(Types, " ")}
	}
	out := make([]string, 0, len(values))
	for _, v := range values {
		n, err := normalizeValue(o, t, v)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	slices.Sort(out)
	out = slices.Compact(out)
	if err := setRules(name, t, out); err != nil {
		return nil, err
	}
	return out, nil
}

// setRules checks what holds for a record set as a whole: its count of values and the
// names its type may have.
func setRules(name, t string, values []string) error {
	if len(values) == 0 {
		return &ValueError{Type: t, Set: true, Reason: "has no values", Valid: "give at least one value; " + validFor(t)}
	}
	switch t {
	case "CNAME", "DNAME", "ALIAS", "SOA":
		if len(values) > 1 {
			return &ValueError{Type: t, Set: true, Reason: fmt.Sprintf("at %s has %d values", name, len(values)), Valid: fmt.Sprintf("a %s record set has exactly one value, e.g. %q", t, formats[t].example)}
		}
	}
	switch {
	case t == "CNAME" && name == Apex:
		return &ValueError{Type: t, Set: true, Reason: "cannot be at the apex (@): the apex has SOA and NS records, which a CNAME would shadow", Valid: "use an ALIAS record at @ instead, e.g. \"webredir.vip.gandi.net.\""}
	case t == "SOA" && name != Apex:
		return &ValueError{Type: t, Set: true, Reason: fmt.Sprintf("cannot be at %q", name), Valid: "the SOA record is only at the apex (@)"}
	}
	return nil
}

// normalizeValue checks and normalises one value of type t.
func normalizeValue(o origin, t, raw string) (string, error) {
	n, err := normalizeOne(o, t, raw)
	if err == nil && len(n) > MaxValueLen {
		return "", &ValueError{Type: t, Value: raw[:40] + "...", Reason: fmt.Sprintf("is %d characters long once quoted; the most is %d", len(n), MaxValueLen), Valid: "shorten it"}
	}
	return n, err
}

func normalizeOne(o origin, t, raw string) (string, error) {
	v := strings.TrimSpace(raw)
	bad := func(reason string) error { return &ValueError{Type: t, Value: raw, Reason: reason, Valid: validFor(t)} }
	if v == "" {
		return "", bad("is empty")
	}
	if len(v) > MaxValueLen {
		return "", &ValueError{Type: t, Value: raw[:40] + "...", Reason: fmt.Sprintf("is %d characters long; the most is %d", len(v), MaxValueLen)}
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < 0x20 || c > 0x7e {
			return "", &ValueError{Type: t, Value: raw, Reason: fmt.Sprintf("has the byte 0x%02x at %d", c, i), Valid: `values are printable ASCII: write other bytes as \DDD escapes inside a quoted TXT string`}
		}
	}
	switch t {
	case "A", "AAAA":
		return address(t, raw, v)
	case "TXT", "SPF":
		return text(o, t, raw, v)
	case "WKS":
		return wks(raw, v)
	case "ALIAS":
		// ALIAS is not a DNS type: its value is one host name, which is CNAME's grammar.
		n, err := grammar(o, "CNAME", raw, v)
		var ve *ValueError
		if errors.As(err, &ve) {
			ve.Type, ve.Valid = t, validFor(t)
		}
		return n, err
	}
	return grammar(o, t, raw, v)
}

func address(t, raw, v string) (string, error) {
	a, err := netip.ParseAddr(v)
	bad := func(reason string) error { return &ValueError{Type: t, Value: raw, Reason: reason, Valid: validFor(t)} }
	switch {
	case err != nil:
		return "", bad("is not an IP address")
	case a.Zone() != "":
		return "", bad("has a zone (%" + a.Zone() + "), which DNS cannot hold")
	case t == "A" && a.Is6():
		return "", &ValueError{Type: t, Value: raw, Reason: "is an IPv6 address", Valid: "put it in an AAAA record; an A record is an IPv4 address, e.g. \"203.0.113.7\""}
	case t == "AAAA" && a.Is4():
		return "", &ValueError{Type: t, Value: raw, Reason: "is an IPv4 address", Valid: "put it in an A record; an AAAA record is an IPv6 address, e.g. \"2001:db8::7\""}
	case t == "AAAA" && a.Is4In6():
		return "", &ValueError{Type: t, Value: raw, Reason: "is an IPv4-mapped IPv6 address", Valid: fmt.Sprintf("put %s in an A record instead", a.Unmap())}
	}
	return a.String(), nil
}

func text(o origin, t, raw, v string) (string, error) {
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		n, err := grammar(o, t, raw, v)
		if err != nil {
			return "", &ValueError{Type: t, Value: raw, Reason: "is not a valid sequence of quoted strings", Valid: `escape inner quotes and backslashes as \" and \\, or give the text without the outer quotes and it is quoted for you`}
		}
		return n, nil
	}
	var b strings.Builder
	for len(v) > 0 {
		chunk := v[:min(len(v), 255)]
		v = v[len(chunk):]
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteByte('"')
		for i := 0; i < len(chunk); i++ {
			if chunk[i] == '"' || chunk[i] == '\\' {
				b.WriteByte('\\')
			}
			b.WriteByte(chunk[i])
		}
		b.WriteByte('"')
	}
	return grammar(o, t, raw, b.String())
}

func wks(raw, v string) (string, error) {
	bad := func(reason string) error {
		return &ValueError{Type: "WKS", Value: raw, Reason: reason, Valid: validFor("WKS")}
	}
	f := strings.Fields(strings.ToLower(v))
	if len(f) < 2 {
		return "", bad("is missing its protocol")
	}
	if a, err := netip.ParseAddr(f[0]); err != nil || !a.Is4() {
		return "", bad(fmt.Sprintf("starts with %q, which is not an IPv4 address", f[0]))
	}
	if p := f[1]; p != "tcp" && p != "udp" {
		if n, err := strconv.Atoi(p); err != nil || n < 0 || n > 255 {
			return "", bad(fmt.Sprintf("has the protocol %q: use tcp, udp or a protocol number 0-255", p))
		}
	}
	for _, s := range f[2:] {
		if n, err := strconv.Atoi(s); err == nil {
			if n < 0 || n > 65535 {
				return "", bad(fmt.Sprintf("has the port %d: ports are 0-65535", n))
			}
			continue
		}
		if checkLabels(s, false) != nil || strings.Contains(s, ".") {
			return "", bad(fmt.Sprintf("has the service %q: use a service name (smtp) or a port number", s))
		}
	}
	return strings.Join(f, " "), nil
}

// grammar parses v as the data of a record of type t with miekg/dns and renders it back.
func grammar(o origin, t, raw, v string) (string, error) {
	bad := func(reason string) error { return &ValueError{Type: t, Value: raw, Reason: reason, Valid: validFor(t)} }
	if i := unquotedIndex(v, ";"); i >= 0 {
		// The zone grammar would drop everything after it as a comment.
		return "", bad(fmt.Sprintf("has ';' at %d outside quotes", i))
	}
	// $INCLUDE stays off (the default), and values are one line: nothing is read but v.
	zp := dns.NewZoneParser(strings.NewReader("@ 300 IN "+t+" "+v+"\n"), relativeOrigin, "")
	rr, _ := zp.Next()
	if err := zp.Err(); err != nil {
		return "", bad(parseReason(err))
	}
	if rr == nil {
		return "", bad("is empty")
	}
	if got := dns.TypeToString[rr.Header().Rrtype]; got != t {
		return "", bad("is the data of a " + got + " record")
	}
	if reason := fixHosts(reflect.ValueOf(rr).Elem(), o); reason != "" {
		return "", bad(reason)
	}
	if reason := check(rr); reason != "" {
		return "", bad(reason)
	}
	return strings.TrimPrefix(rr.String(), rr.Header().String()), nil
}

// parseReason turns miekg/dns's parse error into the middle of a sentence.
func parseReason(err error) string {
	s := strings.TrimPrefix(err.Error(), "dns: ")
	if i := strings.Index(s, " at line: "); i >= 0 {
		s = s[:i]
	}
	return "does not parse (" + s + ")"
}

// unquotedIndex returns the index of the first byte of set in s outside double quotes, or -1.
func unquotedIndex(s, set string) int {
	quoted := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\':
			i++
		case c == '"':
			quoted = !quoted
		case !quoted && strings.IndexByte(set, c) >= 0:
			return i
		}
	}
	return -1
}

// fixHosts applies the host name rule of NormalizeValues to every domain-name field of
// the record data in v, found by miekg/dns's own struct tags, and checks their labels. It
// returns "" when every host name is fine.
func fixHosts(v reflect.Value, o origin) string {
	for i := 0; i < v.NumField(); i++ {
		f, sf := v.Field(i), v.Type().Field(i)
		if sf.Anonymous && f.Kind() == reflect.Struct && sf.Type != reflect.TypeOf(dns.RR_Header{}) {
			if reason := fixHosts(f, o); reason != "" {
				return reason
			}
			continue
		}
		if tag := sf.Tag.Get("dns"); tag != "domain-name" && tag != "cdomain-name" {
			continue
		}
		var hosts []reflect.Value
		switch f.Kind() {
		case reflect.String:
			hosts = append(hosts, f)
		case reflect.Slice:
			for j := 0; j < f.Len(); j++ {
				hosts = append(hosts, f.Index(j))
			}
		}
		for _, h := range hosts {
			a := o.absolute(h.String())
			if a != "." {
				if err := checkLabels(strings.TrimSuffix(a, "."), false); err != nil {
					return fmt.Sprintf("has the host name %q, where %v", a, err)
				}
			}
			h.SetString(a)
		}
	}
	return ""
}

// origin is how host names in values are made absolute: in zone, by the rule of
// NormalizeValues, or, for values read from LiveDNS (zoneFile), by the zone file's rule
// that every name without the trailing dot is relative to the zone.
type origin struct {
	zone     string
	zoneFile bool
}

func (o origin) absolute(host string) string {
	h := strings.ToLower(host)
	switch {
	case h == relativeOrigin:
		return o.zone + "."
	case strings.HasSuffix(h, "."+relativeOrigin):
		rel := strings.TrimSuffix(h, "."+relativeOrigin)
		if strings.Contains(rel, ".") && !o.zoneFile {
			return rel + "."
		}
		return rel + "." + o.zone + "."
	}
	return h
}

// digestLen is the digest length in bytes by DS/CDS digest type (RFC 4509, 6605).
var digestLen = map[uint8]int{1: 20, 2: 32, 4: 48}

// check is what miekg/dns's grammar leaves unchecked: hex and base64 fields, and their
// length where the type fixes it. It returns "" when rr is fine.
func check(rr dns.RR) string {
	hexLen := func(what, h string, want int) string {
		b, err := hex.DecodeString(h)
		switch {
		case err != nil:
			return fmt.Sprintf("has a %s that is not hexadecimal", what)
		case want > 0 && len(b) != want:
			return fmt.Sprintf("has a %s of %d bytes; its type needs %d (%d hex digits)", what, len(b), want, 2*want)
		}
		return ""
	}
	b64 := func(k string) string {
		if _, err := base64.StdEncoding.DecodeString(k); err != nil {
			return "has a key that is not base64"
		}
		return ""
	}
	switch r := rr.(type) {
	case *dns.SSHFP:
		r.FingerPrint = strings.ToUpper(r.FingerPrint)
		return hexLen("fingerprint", r.FingerPrint, map[uint8]int{1: 20, 2: 32}[r.Type])
	case *dns.TLSA:
		r.Certificate = strings.ToUpper(r.Certificate) // hex digits compare the same in either case
		return hexLen("certificate data", r.Certificate, map[uint8]int{1: 32, 2: 64}[r.MatchingType])
	case *dns.DS:
		r.Digest = strings.ToUpper(r.Digest)
		return hexLen("digest", r.Digest, digestLen[r.DigestType])
	case *dns.CDS:
		if r.DigestType == 0 && r.Algorithm == 0 && r.KeyTag == 0 {
			return "" // "0 0 0 00" asks the parent to remove the DS (RFC 8078)
		}
		r.Digest = strings.ToUpper(r.Digest)
		return hexLen("digest", r.Digest, digestLen[r.DigestType])
	case *dns.KEY:
		return b64(r.PublicKey)
	case *dns.OPENPGPKEY:
		return b64(r.PublicKey)
	case *dns.CAA:
		r.Tag = strings.ToLower(r.Tag) // tags are case-insensitive (RFC 8659)
		if r.Tag == "" || checkLabels(r.Tag, false) != nil || strings.ContainsAny(r.Tag, "-_") {
			return fmt.Sprintf("has the tag %q: use issue, issuewild or iodef", r.Tag)
		}
	}
	return ""
}
