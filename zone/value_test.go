package zone

import (
	"errors"
	"strings"
	"testing"
)

var (
	hex32 = strings.Repeat("ab", 32)
	hex20 = strings.Repeat("cd", 20)
	hex48 = strings.Repeat("ef", 48)
)

func TestNormalizeValuesGood(t *testing.T) {
	long := strings.Repeat("k", 300)
	tests := []struct {
		rtype, name string
		in          []string
		want        []string
	}{
		{"A", "www", []string{"203.0.113.7"}, []string{"203.0.113.7"}},
		{"a", "www", []string{" 198.51.100.1 ", "203.0.113.7", "198.51.100.1"}, []string{"198.51.100.1", "203.0.113.7"}},
		{"AAAA", "www", []string{"2001:DB8:0:0::7"}, []string{"2001:db8::7"}},
		{"AAAA", "@", []string{"::1", "fe80::1"}, []string{"::1", "fe80::1"}},
		{"CNAME", "www", []string{"webredir.vip.gandi.net."}, []string{"webredir.vip.gandi.net."}},
		{"CNAME", "www", []string{"WebRedir.VIP.gandi.net"}, []string{"webredir.vip.gandi.net."}},
		{"CNAME", "shop", []string{"www"}, []string{"www.example.com."}},
		{"CNAME", "shop", []string{"@"}, []string{"example.com."}},
		{"MX", "@", []string{"10 spool.mail.gandi.net.", "50 fb.mail.gandi.net"}, []string{"10 spool.mail.gandi.net.", "50 fb.mail.gandi.net."}},
		{"MX", "@", []string{"10 mail"}, []string{"10 mail.example.com."}},
		{"MX", "@", []string{"0 ."}, []string{"0 ."}},
		{"TXT", "@", []string{"v=spf1 include:_mailcust.gandi.net ?all"}, []string{`"v=spf1 include:_mailcust.gandi.net ?all"`}},
		{"TXT", "@", []string{`"v=spf1 include:_mailcust.gandi.net ?all"`}, []string{`"v=spf1 include:_mailcust.gandi.net ?all"`}},
		{"TXT", "_dmarc", []string{`v=DMARC1; p=none; rua=mailto:"d"\x`}, []string{`"v=DMARC1; p=none; rua=mailto:\"d\"\\x"`}},
		{"TXT", "s1._domainkey", []string{long}, []string{`"` + long[:255] + `" "` + long[255:] + `"`}},
		{"TXT", "s1._domainkey", []string{`"` + long + `"`}, []string{`"` + long[:255] + `" "` + long[255:] + `"`}},
		{"TXT", "@", []string{`"a" "b"`, "a"}, []string{`"a"`, `"a" "b"`}},
		{"SPF", "@", []string{"v=spf1 -all"}, []string{`"v=spf1 -all"`}},
		{"SRV", "_sip._udp", []string{"10 5 5060 sip.example.com"}, []string{"10 5 5060 sip.example.com."}},
		{"SRV", "_imaps._tcp", []string{"0 1 993 mail.gandi.net.", "0 0 0 ."}, []string{"0 0 0 .", "0 1 993 mail.gandi.net."}},
		{"CAA", "@", []string{"0 issue letsencrypt.org"}, []string{`0 issue "letsencrypt.org"`}},
		{"CAA", "@", []string{`128 IODEF "mailto:security@example.com"`}, []string{`128 iodef "mailto:security@example.com"`}},
		{"TLSA", "_443._tcp", []string{"3 1 1 " + hex32}, []string{"3 1 1 " + strings.ToUpper(hex32)}},
		{"TLSA", "_25._tcp.mail", []string{"2 0 2 " + hex32 + hex32}, []string{"2 0 2 " + strings.ToUpper(hex32+hex32)}},
		{"SSHFP", "host", []string{"4 2 " + hex32}, []string{"4 2 " + strings.ToUpper(hex32)}},
		{"SSHFP", "host", []string{"1 1 " + hex20}, []string{"1 1 " + strings.ToUpper(hex20)}},
		{"DS", "sub", []string{"12345 13 2 " + hex32}, []string{"12345 13 2 " + strings.ToUpper(hex32)}},
		{"DS", "sub", []string{"2371 8 4 " + hex48}, []string{"2371 8 4 " + strings.ToUpper(hex48)}},
		{"CDS", "@", []string{"0 0 0 00"}, []string{"0 0 0 00"}},
		{"NS", "sub", []string{"ns1.gandi.net", "NS2.gandi.net."}, []string{"ns1.gandi.net.", "ns2.gandi.net."}},
		{"NS", "@", []string{"ns-1.example.net."}, []string{"ns-1.example.net."}},
		{"PTR", "7", []string{"host.example.com."}, []string{"host.example.com."}},
		{"PTR", "8", []string{"host"}, []string{"host.example.com."}},
		{"ALIAS", "@", []string{"webredir.vip.gandi.net."}, []string{"webredir.vip.gandi.net."}},
		{"ALIAS", "@", []string{"Shop.Example.net"}, []string{"shop.example.net."}},
		{"HTTPS", "@", []string{"1 . alpn=h2,h3"}, []string{`1 . alpn="h2,h3"`}},
		{"SVCB", "_dns", []string{"1 svc alpn=dot port=853"}, []string{`1 svc.example.com. alpn="dot" port="853"`}},
		{"SVCB", "svc", []string{"0 other.example.net."}, []string{"0 other.example.net."}},
		{"DNAME", "old", []string{"example.net"}, []string{"example.net."}},
		{"KEY", "k", []string{"256 3 13 AwEAAQ=="}, []string{"256 3 13 AwEAAQ=="}},
		{"OPENPGPKEY", "k", []string{"mQINBGRk"}, []string{"mQINBGRk"}},
		{"LOC", "@", []string{"52 22 23.000 N 4 53 32.000 E -2.00m 0.00m 10000m 10m"}, []string{"52 22 23.000 N 04 53 32.000 E -2m 0.00m 10000m 10m"}},
		{"NAPTR", "@", []string{`100 10 "S" "SIP+D2U" "" _sip._udp.example.com.`}, []string{`100 10 "S" "SIP+D2U" "" _sip._udp.example.com.`}},
		{"RP", "@", []string{"admin.example.com. ."}, []string{"admin.example.com. ."}},
		{"SOA", "@", []string{"ns1.gandi.net. hostmaster.gandi.net. 1700000000 10800 3600 604800 10800"}, []string{"ns1.gandi.net. hostmaster.gandi.net. 1700000000 10800 3600 604800 10800"}},
		{"WKS", "@", []string{"192.0.2.1 TCP smtp  http 8080"}, []string{"192.0.2.1 tcp smtp http 8080"}},
		{"WKS", "@", []string{"192.0.2.1 17"}, []string{"192.0.2.1 17"}},
	}
	for _, tt := range tests {
		t.Run(tt.rtype+"/"+strings.Join(tt.in, ","), func(t *testing.T) {
			got, err := NormalizeValues("Example.COM.", tt.name, tt.rtype, tt.in)
			if err != nil {
				t.Fatalf("NormalizeValues(%s %s %q): %v", tt.name, tt.rtype, tt.in, err)
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("NormalizeValues(%s %s %q)\n got %q\nwant %q", tt.name, tt.rtype, tt.in, got, tt.want)
			}
			again, err := NormalizeValues("example.com", tt.name, tt.rtype, got)
			if err != nil || strings.Join(again, "|") != strings.Join(got, "|") {
				t.Errorf("normalising the normalised values again gave %q, %v", again, err)
			}
		})
	}
}

func TestNormalizeValuesBad(t *testing.T) {
	tests := []struct {
		rtype, name string
		in          []string
		says        string // part of the refusal
		set         bool   // the set as a whole is refused, not one value
	}{
		{"A", "www", []string{"203.0.113.256"}, "is not an IP address", false},
		{"A", "www", []string{"2001:db8::7"}, "put it in an AAAA record", false},
		{"A", "www", []string{"www.example.com"}, `e.g. "203.0.113.7"`, false},
		{"A", "www", []string{"203.0.113.7", "010.0.0.1"}, "is not an IP address", false},
		{"AAAA", "www", []string{"203.0.113.7"}, "put it in an A record", false},
		{"AAAA", "www", []string{"::ffff:203.0.113.7"}, "put 203.0.113.7 in an A record", false},
		{"AAAA", "www", []string{"fe80::1%eth0"}, "has a zone", false},
		{"AAAA", "www", []string{"2001:db8::g"}, "is not an IP address", false},
		{"CNAME", "@", []string{"webredir.vip.gandi.net."}, "use an ALIAS record at @", true},
		{"CNAME", "www", []string{"a.example.net.", "b.example.net."}, "has 2 values", true},
		{"CNAME", "www", []string{"a b"}, "does not parse", false},
		{"CNAME", "www", []string{"bad..name"}, "does not parse", false},
		{"MX", "@", []string{"mail.example.com"}, `it must be "PRIORITY HOST", e.g. "10 mail.example.com."`, false},
		{"MX", "@", []string{"10"}, "does not parse", false},
		{"MX", "@", []string{"70000 mail.example.com."}, "does not parse", false},
		{"MX", "@", []string{"10 mail.example.com. ; backup"}, "';' at", false},
		{"TXT", "@", []string{`"unterminated" "`}, "is not a valid sequence of quoted strings", false},
		{"TXT", "@", []string{"caf\u00e9"}, "printable ASCII", false},
		{"TXT", "@", []string{"a\nb"}, "has the byte 0x0a", false},
		{"TXT", "@", []string{strings.Repeat("x", MaxValueLen+1)}, "the most is 16384", false},
		{"TXT", "@", []string{strings.Repeat(`"`, 16000)}, "once quoted", false},
		{"TXT", "@", []string{"  "}, "is empty", false},
		{"SRV", "_sip._udp", []string{"10 5 sip.example.com."}, `"PRIORITY WEIGHT PORT TARGET"`, false},
		{"SRV", "_sip._udp", []string{"10 5 70000 sip.example.com."}, "does not parse", false},
		{"CAA", "@", []string{"issue letsencrypt.org"}, `"FLAGS TAG VALUE"`, false},
		{"CAA", "@", []string{"0 is-sue letsencrypt.org"}, "has the tag", false},
		{"CAA", "@", []string{"300 issue letsencrypt.org"}, "does not parse", false},
		{"TLSA", "_443._tcp", []string{"3 1 1 abcd"}, "of 2 bytes; its type needs 32", false},
		{"TLSA", "_443._tcp", []string{"3 1 1 " + strings.Repeat("zz", 32)}, "not hexadecimal", false},
		{"TLSA", "_443._tcp", []string{"3 1 " + hex32}, "does not parse", false},
		{"SSHFP", "host", []string{"4 2 " + hex20}, "of 20 bytes; its type needs 32", false},
		{"SSHFP", "host", []string{"4 2 xyz"}, "not hexadecimal", false},
		{"SSHFP", "host", []string{"4 " + hex32}, "does not parse", false},
		{"DS", "sub", []string{"12345 13 2 " + hex20}, "its type needs 32", false},
		{"DS", "sub", []string{"12345 13 " + hex32}, "does not parse", false},
		{"DS", "sub", []string{"12345 13 1 nothex"}, "not hexadecimal", false},
		{"CDS", "@", []string{"12345 13 2 ab"}, "its type needs 32", false},
		{"NS", "sub", []string{"10 ns1.gandi.net."}, "does not parse", false},
		{"NS", "sub", []string{"ns1..gandi.net"}, "does not parse", false},
		{"PTR", "7", []string{"host example"}, "does not parse", false},
		{"PTR", "7", []string{"a@b"}, "has the character '@'", false},
		{"ALIAS", "@", []string{"a.example.net.", "b.example.net."}, "has 2 values", true},
		{"ALIAS", "@", []string{"not a host"}, `ALIAS value "not a host" does not parse`, false},
		{"HTTPS", "@", []string{"1 . port=https"}, "does not parse", false},
		{"HTTPS", "@", []string{". alpn=h2"}, `"PRIORITY TARGET [KEY=VALUE...]"`, false},
		{"SVCB", "_dns", []string{"1 svc bogus=x"}, "does not parse", false},
		{"SVCB", "_dns", []string{"x svc"}, "does not parse", false},
		{"KEY", "k", []string{"256 3 13 !!!"}, "not base64", false},
		{"OPENPGPKEY", "k", []string{"%%%"}, "", false},
		{"LOC", "@", []string{"91 0 0 N 0 0 0 E 0m"}, "does not parse", false},
		{"SOA", "www", []string{"ns1.gandi.net. hostmaster.gandi.net. 1 2 3 4 5"}, "only at the apex", true},
		{"WKS", "@", []string{"2001:db8::1 tcp smtp"}, "not an IPv4 address", false},
		{"WKS", "@", []string{"192.0.2.1 sctp"}, "has the protocol", false},
		{"WKS", "@", []string{"192.0.2.1 tcp 70000"}, "ports are 0-65535", false},
		{"WKS", "@", []string{"192.0.2.1"}, "missing its protocol", false},
		{"A", "www", nil, "has no values", true},
		{"MD", "www", []string{"x"}, "is not a type LiveDNS serves", true},
	}
	for _, tt := range tests {
		t.Run(tt.rtype+"/"+strings.Join(tt.in, ","), func(t *testing.T) {
			got, err := NormalizeValues("example.com", tt.name, tt.rtype, tt.in)
			var ve *ValueError
			if !errors.As(err, &ve) {
				t.Fatalf("NormalizeValues(%s %s %q) = %q, %v; want a *ValueError", tt.name, tt.rtype, tt.in, got, err)
			}
			if !strings.Contains(err.Error(), tt.says) {
				t.Errorf("error %q does not say %q", err, tt.says)
			}
			if ve.Set != tt.set {
				t.Errorf("error %q: Set = %v, want %v", err, ve.Set, tt.set)
			}
			if !tt.set && !strings.Contains(err.Error(), "e.g.") && !strings.Contains(err.Error(), "put ") && !strings.Contains(err.Error(), "escape") && !strings.Contains(err.Error(), "printable ASCII") && !strings.Contains(err.Error(), "the most is") {
				t.Errorf("error %q does not say what would be valid", err)
			}
			if !tt.set && len(tt.in) > 0 && !strings.Contains(err.Error(), "value") {
				t.Errorf("error %q does not name the value", err)
			}
		})
	}
}

// Every type LiveDNS serves has a grammar and an example that passes it.
func TestEveryTypeExample(t *testing.T) {
	for _, rtype := range Types {
		name := "host"
		if rtype == "SOA" {
			name = Apex
		}
		if _, err := NormalizeValues("example.com", name, rtype, []string{formats[rtype].example}); err != nil {
			t.Errorf("the example of %s is refused: %v", rtype, err)
		}
	}
	if len(formats) != len(Types) {
		t.Errorf("%d formats for %d types", len(formats), len(Types))
	}
}
