package zone

import (
	"fmt"
	"strings"
	"testing"
)

func TestWarnings(t *testing.T) {
	dkim := RecordSet{Name: "gm1._domainkey", Type: "TXT", TTL: 10800, Values: []string{`"v=DKIM1; k=rsa; p=MIGf"`}}
	tests := []struct {
		name    string
		current []RecordSet
		changes []Change
		want    []string
	}{
		{"adding an address is fine", nil, []Change{{Op: "set", Name: "new", Type: "A", Values: []string{"192.0.2.1"}}}, nil},
		{"adding an MX is fine", nil, []Change{{Op: "add", Name: "@", Type: "MX", Values: []string{"20 mx2.example.net."}}}, nil},
		{"no change, no warning", nil, []Change{{Op: "set", Name: "@", Type: "MX", Values: []string{"10 spool.mail.gandi.net.", "50 fb.mail.gandi.net."}}}, nil},
		{"MX removed", nil, []Change{{Op: "delete", Name: "@", Type: "MX"}},
			[]string{"This removes or replaces MX records at @: mail for it may bounce or go to other servers."}},
		{"MX replaced", nil, []Change{{Op: "set", Name: "@", Type: "MX", Values: []string{"10 mx.example.net."}}},
			[]string{"This removes or replaces MX records at @: mail for it may bounce or go to other servers."}},
		{"NS at the apex", nil, []Change{{Op: "add", Name: "@", Type: "NS", Values: []string{"ns1.example.net."}}},
			[]string{"This changes the NS records at the apex (@), which say which servers answer for the whole zone."}},
		{"NS of a delegation is not the apex", nil, []Change{{Op: "set", Name: "sub", Type: "NS", Values: []string{"ns1.example.net."}}}, nil},
		{"SPF changed", nil, []Change{
			{Op: "remove", Name: "@", Type: "TXT", Values: []string{"v=spf1 include:_mailcust.gandi.net ?all"}},
			{Op: "add", Name: "@", Type: "TXT", Values: []string{"v=spf1 include:_spf.google.com ~all"}},
		}, []string{"This changes or removes the SPF record at @: mail from the domain may be rejected if it is wrong."}},
		{"another TXT beside the SPF is fine", nil, []Change{{Op: "remove", Name: "@", Type: "TXT", Values: []string{"google-site-verification=abc"}}}, nil},
		{"a second SPF", nil, []Change{{Op: "add", Name: "@", Type: "TXT", Values: []string{"v=spf1 include:_spf.google.com ~all"}}},
			[]string{"@ would have 2 SPF records: receivers treat that as an error; merge them into one."}},
		{"SPF at another name", []RecordSet{{Name: "news", Type: "TXT", TTL: 300, Values: []string{`"v=spf1 -all"`}}},
			[]Change{{Op: "delete", Name: "news", Type: "TXT"}},
			[]string{"This changes or removes the SPF record at news: mail from the domain may be rejected if it is wrong."}},
		{"DMARC removed", nil, []Change{{Op: "delete", Name: "_dmarc", Type: "TXT"}},
			[]string{"This changes or removes the DMARC record at _dmarc: mail from the domain may be rejected if it is wrong."}},
		{"DMARC created is fine", []RecordSet{}, []Change{{Op: "set", Name: "_dmarc", Type: "TXT", Values: []string{"v=DMARC1; p=none"}}}, nil},
		{"DKIM changed", []RecordSet{dkim}, []Change{{Op: "set", Name: "gm1._domainkey", Type: "TXT", Values: []string{"v=DKIM1; k=rsa; p=NEW"}}},
			[]string{"This changes or removes the DKIM record at gm1._domainkey: mail from the domain may be rejected if it is wrong."}},
		{"CNAME replaces", nil, []Change{
			{Op: "delete", Name: "www", Type: "A"},
			{Op: "set", Name: "www", Type: "CNAME", Values: []string{"webredir.vip.gandi.net."}},
		}, []string{"The CNAME at www replaces its A records."}},
		{"wildcard CNAME", nil, []Change{{Op: "set", Name: "*", Type: "CNAME", Values: []string{"www"}}},
			[]string{"The CNAME at * answers for every name under it that has no record of its own."}},
		{"TTL on many sets", bigZone(20), ttlChanges(10), []string{"This changes the TTL of 10 record sets."}},
		{"TTL on a few sets", bigZone(20), ttlChanges(9), nil},
		{"the apex loses its address", nil, []Change{{Op: "delete", Name: "@", Type: "A"}},
			[]string{"@ loses its last address record (A, AAAA, CNAME or ALIAS): it will no longer resolve."}},
		{"the apex keeps an address", nil, []Change{
			{Op: "delete", Name: "@", Type: "A"},
			{Op: "set", Name: "@", Type: "ALIAS", Values: []string{"webredir.vip.gandi.net."}},
		}, nil},
		{"www loses its address", nil, []Change{{Op: "delete", Name: "www", Type: "A"}},
			[]string{"www loses its last address record (A, AAAA, CNAME or ALIAS): it will no longer resolve."}},
		{"a name other records point to", []RecordSet{
			{Name: "mx", Type: "A", TTL: 300, Values: []string{"192.0.2.25"}},
			{Name: "@", Type: "MX", TTL: 300, Values: []string{"10 mx.example.com."}},
		}, []Change{{Op: "delete", Name: "mx", Type: "A"}},
			[]string{"mx loses its last address record (A, AAAA, CNAME or ALIAS): it will no longer resolve."}},
		{"a lone name nobody points to", []RecordSet{{Name: "old", Type: "A", TTL: 300, Values: []string{"192.0.2.25"}}},
			[]Change{{Op: "delete", Name: "old", Type: "A"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cur := tt.current
			if cur == nil {
				cur = demo()
			}
			after, diffs, err := Apply("example.com", cur, tt.changes)
			if err != nil {
				t.Fatalf("Apply: %v", err)
			}
			got := Warnings("example.com", diffs, Normalize("example.com", cur), after)
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("Warnings\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

// A CNAME beside other records (which Apply refuses, but a restored zone may hold) shadows them.
func TestWarningsShadow(t *testing.T) {
	after := []RecordSet{{Name: "x", Type: "CNAME", TTL: 300, Values: []string{"y.example.net."}}, {Name: "x", Type: "TXT", TTL: 300, Values: []string{`"a"`}}}
	diffs := []Diff{{Name: "x", Type: "CNAME", After: &Set{TTL: 300, Values: []string{"y.example.net."}}, Changed: true}}
	got := Warnings("example.com", diffs, nil, after)
	want := "The CNAME at x shadows its TXT records: resolvers will not see them."
	if len(got) != 1 || got[0] != want {
		t.Errorf("Warnings = %q, want %q", got, want)
	}
}

// ttlChanges sets a TTL of 300 on the first n A, AAAA and TXT sets of bigZone.
func ttlChanges(n int) []Change {
	var cs []Change
	for _, s := range bigZone(100) {
		if len(cs) == n {
			break
		}
		if s.Type != "CNAME" {
			cs = append(cs, Change{Op: "set", Name: s.Name, Type: s.Type, TTL: 300, Values: s.Values})
		}
	}
	if len(cs) != n {
		panic(fmt.Sprintf("ttlChanges(%d): only %d", n, len(cs)))
	}
	return cs
}
