package zone

import (
	"slices"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

func TestText(t *testing.T) {
	sets := Normalize("example.com", demo())
	got := Text("Example.com.", sets)
	want := `$ORIGIN example.com.
@ 10800 IN A 198.51.100.1
@ 10800 IN MX 10 spool.mail.gandi.net.
@ 10800 IN MX 50 fb.mail.gandi.net.
@ 10800 IN NS ns-1.gandi.net.
@ 10800 IN NS ns-2.gandi.net.
@ 10800 IN TXT "google-site-verification=abc"
@ 10800 IN TXT "v=spf1 include:_mailcust.gandi.net ?all"
_dmarc 10800 IN TXT "v=DMARC1; p=none"
shop 10800 IN CNAME shops.myshopify.com.
www 10800 IN A 198.51.100.1
`
	if got != want {
		t.Errorf("Text\n got %s\nwant %s", got, want)
	}
}

// The zone text parses back, with every type's example, to the same records.
func TestTextParses(t *testing.T) {
	var sets []RecordSet
	for _, rtype := range Types {
		if rtype == "ALIAS" || rtype == "WKS" {
			continue // not types miekg/dns reads
		}
		name := "h-" + strings.ToLower(rtype)
		if rtype == "SOA" {
			name = Apex
		}
		vals, err := NormalizeValues("example.com", name, rtype, []string{formats[rtype].example})
		if err != nil {
			t.Fatal(err)
		}
		sets = append(sets, RecordSet{Name: name, Type: rtype, TTL: 300, Values: vals})
	}
	text := Text("example.com", sets)
	zp := dns.NewZoneParser(strings.NewReader(text), "", "")
	n := 0
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		n++
		h := rr.Header()
		name := strings.TrimSuffix(strings.TrimSuffix(h.Name, "example.com."), ".")
		if name == "" {
			name = Apex
		}
		i := Find(sets, name, dns.TypeToString[h.Rrtype])
		if i < 0 || h.Ttl != 300 || strings.TrimPrefix(rr.String(), h.String()) != sets[i].Values[0] {
			t.Errorf("line %q does not match a set", rr)
		}
	}
	if err := zp.Err(); err != nil || n != len(sets) {
		t.Errorf("parsed %d records of %d: %v\n%s", n, len(sets), err, text)
	}
}

func TestDigest(t *testing.T) {
	base := Digest(demo())
	if len(base) != 64 {
		t.Fatalf("Digest = %q, want 64 hex digits", base)
	}
	reversed := demo()
	slices.Reverse(reversed)
	for i := range reversed {
		slices.Reverse(reversed[i].Values)
	}
	same := map[string][]RecordSet{
		"reversed sets and values": reversed,
		"case of names and types":  mutate(func(s []RecordSet) { s[0].Name, s[0].Type = "WWW", "a" }),
		"spaces and duplicates":    mutate(func(s []RecordSet) { s[0].Values = []string{" 198.51.100.1", "198.51.100.1 "} }),
	}
	for name, sets := range same {
		if got := Digest(sets); got != base {
			t.Errorf("%s: digest %s, want %s", name, got, base)
		}
	}
	changed := map[string][]RecordSet{
		"a value":            mutate(func(s []RecordSet) { s[0].Values[0] = "198.51.100.2" }),
		"a ttl":              mutate(func(s []RecordSet) { s[0].TTL = 300 }),
		"a name":             mutate(func(s []RecordSet) { s[0].Name = "ww" }),
		"a type":             mutate(func(s []RecordSet) { s[1].Type = "AAAA" }),
		"a value added":      mutate(func(s []RecordSet) { s[0].Values = append(s[0].Values, "192.0.2.1") }),
		"a set removed":      demo()[1:],
		"values run on":      mutate(func(s []RecordSet) { s[2].Values = []string{`50 fb.mail.gandi.net.","10 spool.mail.gandi.net.`} }),
		"a value moved sets": mutate(func(s []RecordSet) { s[4].Values, s[3].Values = append(s[4].Values, s[3].Values[1]), s[3].Values[:1] }),
	}
	seen := map[string]string{base: "base"}
	for name, sets := range changed {
		got := Digest(sets)
		if other, dup := seen[got]; dup {
			t.Errorf("%s: digest is the same as %s", name, other)
		}
		seen[got] = name
	}
}

func mutate(f func([]RecordSet)) []RecordSet {
	s := demo()
	f(s)
	return s
}

func TestSort(t *testing.T) {
	sets := []RecordSet{{Name: "www", Type: "A"}, {Name: "_dmarc", Type: "TXT"}, {Name: "@", Type: "TXT"}, {Name: "*", Type: "A"}, {Name: "@", Type: "A"}, {Name: "api", Type: "AAAA"}, {Name: "api", Type: "A"}}
	Sort(sets)
	var got []string
	for _, s := range sets {
		got = append(got, s.Name+" "+s.Type)
	}
	if want := "@ A|@ TXT|* A|_dmarc TXT|api A|api AAAA|www A"; strings.Join(got, "|") != want {
		t.Errorf("Sort = %q, want %q", strings.Join(got, "|"), want)
	}
}
