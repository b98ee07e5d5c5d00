package zone

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// demo is a small zone as LiveDNS answers it, with values in their raw forms.
func demo() []RecordSet {
	return []RecordSet{
		{Name: "www", Type: "A", TTL: 10800, Values: []string{"198.51.100.1"}},
		{Name: "@", Type: "A", TTL: 10800, Values: []string{"198.51.100.1"}},
		{Name: "@", Type: "MX", TTL: 10800, Values: []string{"50 fb.mail.gandi.net.", "10 spool.mail.gandi.net."}},
		{Name: "@", Type: "TXT", TTL: 10800, Values: []string{`"v=spf1 include:_mailcust.gandi.net ?all"`, `"google-site-verification=abc"`}},
		{Name: "_dmarc", Type: "TXT", TTL: 10800, Values: []string{`"v=DMARC1; p=none"`}},
		{Name: "shop", Type: "CNAME", TTL: 10800, Values: []string{"shops.myshopify.com."}},
		{Name: "@", Type: "NS", TTL: 10800, Values: []string{"ns-1.gandi.net.", "ns-2.gandi.net."}},
	}
}

func TestApplyOps(t *testing.T) {
	tests := []struct {
		name    string
		changes []Change
		want    []string // summaries of the diffs, in order
		check   func(t *testing.T, after []RecordSet)
	}{
		{
			name:    "set replaces",
			changes: []Change{{Op: "set", Name: "www", Type: "A", Values: []string{"203.0.113.7"}}},
			want:    []string{"www A: 198.51.100.1 → 203.0.113.7"},
			check: func(t *testing.T, after []RecordSet) {
				wantSet(t, after, "www", "A", 10800, "203.0.113.7")
			},
		},
		{
			name:    "set creates, with its ttl",
			changes: []Change{{Op: "set", Name: "blog.example.com.", Type: "cname", TTL: 300, Values: []string{"example.github.io"}}},
			want:    []string{"add CNAME blog: example.github.io."},
			check: func(t *testing.T, after []RecordSet) {
				wantSet(t, after, "blog", "CNAME", 300, "example.github.io.")
			},
		},
		{
			name:    "add to a set keeps its ttl",
			changes: []Change{{Op: "add", Name: "@", Type: "MX", Values: []string{"20 backup.example.net"}}},
			want:    []string{"@ MX: +20 backup.example.net."},
			check: func(t *testing.T, after []RecordSet) {
				wantSet(t, after, "@", "MX", 10800, "10 spool.mail.gandi.net.", "20 backup.example.net.", "50 fb.mail.gandi.net.")
			},
		},
		{
			name:    "add creates with the default ttl",
			changes: []Change{{Op: "add", Name: "_acme-challenge", Type: "TXT", Values: []string{"token-1"}}},
			want:    []string{`add TXT _acme-challenge: "token-1"`},
			check: func(t *testing.T, after []RecordSet) {
				wantSet(t, after, "_acme-challenge", "TXT", DefaultTTL, `"token-1"`)
			},
		},
		{
			name:    "remove one value",
			changes: []Change{{Op: "remove", Name: "@", Type: "TXT", Values: []string{"google-site-verification=abc"}}},
			want:    []string{`@ TXT: -"google-site-verification=abc"`},
			check: func(t *testing.T, after []RecordSet) {
				wantSet(t, after, "@", "TXT", 10800, `"v=spf1 include:_mailcust.gandi.net ?all"`)
			},
		},
		{
			name:    "remove the last value removes the set",
			changes: []Change{{Op: "remove", Name: "_dmarc", Type: "TXT", Values: []string{`"v=DMARC1; p=none"`}}},
			want:    []string{"delete TXT _dmarc (1 value)"},
			check: func(t *testing.T, after []RecordSet) {
				if Find(after, "_dmarc", "TXT") >= 0 {
					t.Error("the _dmarc TXT set is still there")
				}
			},
		},
		{
			name:    "delete",
			changes: []Change{{Op: "delete", Name: "@", Type: "MX"}},
			want:    []string{"delete MX @ (2 values)"},
			check: func(t *testing.T, after []RecordSet) {
				if Find(after, "@", "MX") >= 0 || len(after) != len(demo())-1 {
					t.Errorf("after = %v", after)
				}
			},
		},
		{
			name:    "ttl only",
			changes: []Change{{Op: "set", Name: "www", Type: "A", TTL: 300, Values: []string{"198.51.100.1"}}},
			want:    []string{"www A: ttl 10800 → 300"},
		},
		{
			name:    "no-op: same values in another spelling",
			changes: []Change{{Op: "set", Name: "@", Type: "MX", Values: []string{"10 SPOOL.mail.gandi.net", "50 fb.mail.gandi.net."}}},
			want:    []string{"@ MX: no change"},
		},
		{
			name: "a set that ends as it began is no change",
			changes: []Change{
				{Op: "add", Name: "www", Type: "A", Values: []string{"203.0.113.7"}},
				{Op: "remove", Name: "www", Type: "A", Values: []string{"203.0.113.7"}},
			},
			want: []string{"www A: no change"},
		},
		{
			name: "delete then set again at the same name",
			changes: []Change{
				{Op: "delete", Name: "www", Type: "A"},
				{Op: "set", Name: "www", Type: "CNAME", Values: []string{"webredir.vip.gandi.net."}},
			},
			want: []string{"delete A www (1 value)", "add CNAME www: webredir.vip.gandi.net."},
		},
		{
			name: "sorted by name, apex first, then type",
			changes: []Change{
				{Op: "set", Name: "zz", Type: "A", Values: []string{"192.0.2.1"}},
				{Op: "set", Name: "@", Type: "AAAA", Values: []string{"2001:db8::1"}},
				{Op: "set", Name: "@", Type: "A", Values: []string{"192.0.2.2"}},
				{Op: "set", Name: "api", Type: "A", Values: []string{"192.0.2.3"}},
			},
			want: []string{"@ A: 198.51.100.1 → 192.0.2.2", "add AAAA @: 2001:db8::1", "add A api: 192.0.2.3", "add A zz: 192.0.2.1"},
			check: func(t *testing.T, after []RecordSet) {
				var got []string
				for _, s := range after {
					got = append(got, s.Name+" "+s.Type)
				}
				want := "@ A|@ AAAA|@ MX|@ NS|@ TXT|_dmarc TXT|api A|shop CNAME|www A|zz A"
				if strings.Join(got, "|") != want {
					t.Errorf("after in order %q, want %q", strings.Join(got, "|"), want)
				}
			},
		},
		{
			name: "several values",
			changes: []Change{
				{Op: "add", Name: "@", Type: "TXT", Values: []string{"a"}},
				{Op: "remove", Name: "@", Type: "TXT", Values: []string{"google-site-verification=abc"}},
				{Op: "set", Name: "x", Type: "A", Values: []string{"192.0.2.1", "192.0.2.2"}},
				{Op: "set", Name: "x", Type: "A", Values: []string{"192.0.2.2", "192.0.2.3"}},
			},
			want: []string{`@ TXT: +"a", -"google-site-verification=abc"`, "add A x: 192.0.2.2, 192.0.2.3"},
		},
		{
			name:    "long values are counted",
			changes: []Change{{Op: "add", Name: "@", Type: "TXT", Values: []string{strings.Repeat("x", 90)}}},
			want:    []string{"@ TXT: +1 value"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := demo()
			after, diffs, err := Apply("example.com", before, tt.changes)
			if err != nil {
				t.Fatalf("Apply: %v", err)
			}
			var got []string
			for _, d := range diffs {
				got = append(got, d.Summary)
				if d.Changed == (d.Summary == d.Name+" "+d.Type+": no change") {
					t.Errorf("diff %q: Changed = %v", d.Summary, d.Changed)
				}
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("summaries\n got %q\nwant %q", got, tt.want)
			}
			if tt.check != nil {
				tt.check(t, after)
			}
			if Digest(before) != Digest(demo()) {
				t.Error("Apply changed its input")
			}
		})
	}
}

func wantSet(t *testing.T, sets []RecordSet, name, rtype string, ttl int, values ...string) {
	t.Helper()
	i := Find(sets, name, rtype)
	if i < 0 {
		t.Fatalf("no %s %s set in %v", name, rtype, sets)
	}
	if s := sets[i]; s.TTL != ttl || strings.Join(s.Values, "|") != strings.Join(values, "|") {
		t.Errorf("%s %s = ttl %d %q, want ttl %d %q", name, rtype, s.TTL, s.Values, ttl, values)
	}
}

func TestApplyDiffBeforeAfter(t *testing.T) {
	_, diffs, err := Apply("example.com", demo(), []Change{
		{Op: "set", Name: "new", Type: "A", Values: []string{"192.0.2.1"}},
		{Op: "delete", Name: "shop", Type: "CNAME"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(diffs) != 2 {
		t.Fatalf("diffs = %+v", diffs)
	}
	if d := diffs[0]; d.Name != "new" || d.Before != nil || d.After == nil || d.After.TTL != DefaultTTL {
		t.Errorf("diff of a new set = %+v", d)
	}
	if d := diffs[1]; d.Name != "shop" || d.After != nil || d.Before == nil || d.Before.Values[0] != "shops.myshopify.com." {
		t.Errorf("diff of a deleted set = %+v", d)
	}
}

func TestApplyRefuses(t *testing.T) {
	tests := []struct {
		name    string
		changes []Change
		index   int
		says    string
	}{
		{"unknown op", []Change{{Op: "replace", Name: "www", Type: "A", Values: []string{"192.0.2.1"}}}, 0, `op "replace" is not one of set, add, remove, delete`},
		{"bad value names its index", []Change{
			{Op: "set", Name: "www", Type: "A", Values: []string{"192.0.2.1"}},
			{Op: "set", Name: "@", Type: "MX", Values: []string{"mail.example.com"}},
		}, 1, `changes[1] (set @ MX): MX value "mail.example.com" does not parse`},
		{"bad value says what is valid", []Change{{Op: "add", Name: "@", Type: "MX", Values: []string{"mail.example.com"}}}, 0, `e.g. "10 mail.example.com."`},
		{"name of another zone", []Change{{Op: "delete", Name: "www.other.org.", Type: "A"}}, 0, "www.other.org. is not in the zone example.com"},
		{"unknown type", []Change{{Op: "set", Name: "www", Type: "MB", Values: []string{"x"}}}, 0, "is not a type LiveDNS serves"},
		{"ttl too low", []Change{{Op: "set", Name: "www", Type: "A", TTL: 60, Values: []string{"192.0.2.1"}}}, 0, "ttl 60 is out of range: LiveDNS takes 300 to 2592000"},
		{"ttl too high", []Change{{Op: "add", Name: "www", Type: "A", TTL: 2592001, Values: []string{"192.0.2.1"}}}, 0, "out of range"},
		{"ttl on delete", []Change{{Op: "delete", Name: "www", Type: "A", TTL: 300}}, 0, "ttl is only for set and add"},
		{"values on delete", []Change{{Op: "delete", Name: "www", Type: "A", Values: []string{"198.51.100.1"}}}, 0, "delete takes no values"},
		{"set without values", []Change{{Op: "set", Name: "www", Type: "A"}}, 0, "use delete"},
		{"remove without values", []Change{{Op: "remove", Name: "www", Type: "A"}}, 0, "remove needs at least one value"},
		{"remove a value not there", []Change{{Op: "remove", Name: "www", Type: "A", Values: []string{"192.0.2.9"}}}, 0, "has no value 192.0.2.9; its values are 198.51.100.1"},
		{"remove from a set not there", []Change{{Op: "remove", Name: "nope", Type: "A", Values: []string{"192.0.2.9"}}}, 0, "there is no A record set at nope"},
		{"delete a set not there", []Change{{Op: "delete", Name: "www", Type: "AAAA"}}, 0, "there is no AAAA record set at www to delete"},
		{"cname at apex", []Change{{Op: "set", Name: "example.com.", Type: "CNAME", Values: []string{"x.example.net."}}}, 0, "cannot be at the apex"},
		{"cname beside another type", []Change{{Op: "set", Name: "www", Type: "CNAME", Values: []string{"x.example.net."}}}, 0, "www has a CNAME beside A"},
		{"another type beside a cname", []Change{
			{Op: "set", Name: "www", Type: "A", Values: []string{"192.0.2.1"}},
			{Op: "add", Name: "shop", Type: "TXT", Values: []string{"hello"}},
		}, 1, "shop has a CNAME beside TXT"},
		{"a second cname value", []Change{{Op: "add", Name: "shop", Type: "CNAME", Values: []string{"other.example.net."}}}, 0, "CNAME record set at shop has 2 values"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			after, diffs, err := Apply("example.com", demo(), tt.changes)
			var ce *ChangeError
			if !errors.As(err, &ce) {
				t.Fatalf("Apply = %v, %v, %v; want a *ChangeError", after, diffs, err)
			}
			if ce.Index != tt.index {
				t.Errorf("error %q: index %d, want %d", err, ce.Index, tt.index)
			}
			if !strings.Contains(err.Error(), tt.says) {
				t.Errorf("error %q does not say %q", err, tt.says)
			}
			if after != nil || diffs != nil {
				t.Errorf("a refused Apply returned %v, %v", after, diffs)
			}
		})
	}
}

// A problem the zone already has, away from the changes, does not block them.
func TestApplyIgnoresProblemsElsewhere(t *testing.T) {
	cur := append(demo(), RecordSet{Name: "shop", Type: "TXT", TTL: 300, Values: []string{`"x"`}})
	if p := CheckZone(Normalize("example.com", cur)); len(p) != 1 {
		t.Fatalf("CheckZone = %v, want one problem", p)
	}
	if _, _, err := Apply("example.com", cur, []Change{{Op: "set", Name: "www", Type: "A", Values: []string{"192.0.2.1"}}}); err != nil {
		t.Errorf("Apply: %v", err)
	}
}

func TestCheckZone(t *testing.T) {
	tests := []struct {
		name string
		sets []RecordSet
		want []string
	}{
		{"fine", demo(), nil},
		{"cname beside", []RecordSet{{Name: "a", Type: "CNAME"}, {Name: "a", Type: "MX"}, {Name: "a", Type: "A"}}, []string{"a CNAME: a has a CNAME beside A, MX: a CNAME must be the only record at its name; delete one or the other"}},
		{"cname at apex", []RecordSet{{Name: "@", Type: "CNAME"}}, []string{"@ CNAME: a CNAME cannot be at the apex (@): use an ALIAS record there instead"}},
		{"twice", []RecordSet{{Name: "a", Type: "A"}, {Name: "a", Type: "A"}}, []string{"a A: a has two A record sets: a name has one set per type"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, p := range CheckZone(tt.sets) {
				got = append(got, p.Name+" "+p.Type+": "+p.Message)
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("CheckZone\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestNormalizeKeepsWhatItCannotParse(t *testing.T) {
	got := Normalize("example.com", []RecordSet{
		{Name: "WWW.example.com.", Type: "a", Values: []string{" 198.51.100.1"}},
		{Name: "odd", Type: "MX", TTL: 300, Values: []string{"not an mx ", "also not"}},
	})
	wantSet(t, got, "www", "A", DefaultTTL, "198.51.100.1")
	wantSet(t, got, "odd", "MX", 300, "also not", "not an mx")
}

func TestLiveDNSRoundTrip(t *testing.T) {
	in := []LiveDNS{{Name: "www", Type: "a", Values: []string{"192.0.2.1"}, Href: "https://api.gandi.net/v5/livedns/domains/example.com/records/www/A"}}
	sets := FromLiveDNS(in)
	if s := sets[0]; s.Type != "A" || s.TTL != DefaultTTL || s.Values[0] != "192.0.2.1" {
		t.Errorf("FromLiveDNS = %+v", sets)
	}
	out := ToLiveDNS(sets)
	if o := out[0]; o.Name != "www" || o.Type != "A" || o.TTL != DefaultTTL || o.Values[0] != "192.0.2.1" {
		t.Errorf("ToLiveDNS = %+v", out)
	}
	in[0].Values[0] = "changed"
	if sets[0].Values[0] != "192.0.2.1" {
		t.Error("FromLiveDNS shares its values with its input")
	}
}

// bigZone is a zone of n record sets of one value each.
func bigZone(n int) []RecordSet {
	sets := make([]RecordSet, 0, n)
	for i := range n {
		switch i % 4 {
		case 0:
			sets = append(sets, RecordSet{Name: fmt.Sprintf("h%d", i), Type: "A", TTL: 10800, Values: []string{fmt.Sprintf("10.0.%d.%d", i/256, i%256)}})
		case 1:
			sets = append(sets, RecordSet{Name: fmt.Sprintf("h%d", i), Type: "AAAA", TTL: 10800, Values: []string{fmt.Sprintf("2001:db8::%x", i)}})
		case 2:
			sets = append(sets, RecordSet{Name: fmt.Sprintf("h%d", i), Type: "TXT", TTL: 10800, Values: []string{fmt.Sprintf(`"token %d"`, i)}})
		default:
			sets = append(sets, RecordSet{Name: fmt.Sprintf("c%d", i), Type: "CNAME", TTL: 10800, Values: []string{fmt.Sprintf("h%d.example.com.", i-3)}})
		}
	}
	return sets
}

func BenchmarkApply50On1000(b *testing.B) {
	cur := bigZone(1000)
	changes := make([]Change, 0, 50)
	for i := range 50 {
		changes = append(changes, Change{Op: "set", Name: fmt.Sprintf("h%d", i*4), Type: "A", Values: []string{fmt.Sprintf("192.0.2.%d", i)}})
	}
	for b.Loop() {
		if _, _, err := Apply("example.com", cur, changes); err != nil {
			b.Fatal(err)
		}
	}
}

// A host name read without the trailing dot is relative, as in the zone file LiveDNS
// serves; the same name given in a change is made absolute. A plan shows the difference.
func TestNormalizeReadHostsAsZoneFile(t *testing.T) {
	cur := []RecordSet{
		{Name: "@", Type: "MX", TTL: 300, Values: []string{"10 mail.example.com"}},
		{Name: "www", Type: "CNAME", TTL: 300, Values: []string{"web"}},
		{Name: "api", Type: "CNAME", TTL: 300, Values: []string{"lb.example.net."}},
	}
	got := Normalize("example.com", cur)
	wantSet(t, got, "@", "MX", 300, "10 mail.example.com.example.com.")
	wantSet(t, got, "www", "CNAME", 300, "web.example.com.")
	wantSet(t, got, "api", "CNAME", 300, "lb.example.net.")
	_, diffs, err := Apply("example.com", cur, []Change{
		{Op: "set", Name: "@", Type: "MX", Values: []string{"10 mail.example.com"}},
		{Op: "set", Name: "www", Type: "CNAME", Values: []string{"web"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	var sums []string
	for _, d := range diffs {
		sums = append(sums, d.Summary)
	}
	want := "@ MX: 10 mail.example.com.example.com. → 10 mail.example.com.|www CNAME: no change"
	if strings.Join(sums, "|") != want {
		t.Errorf("summaries %q, want %q", strings.Join(sums, "|"), want)
	}
}

// TestCheck: every change is checked without the zone, as Apply checks it first; what
// needs the zone (a value to remove that is not there) is left to Apply.
func TestCheck(t *testing.T) {
	tests := []struct {
		name    string
		changes []Change
		index   int // of the refused change; -1 when all pass
	}{
		{"all good", []Change{{Op: OpSet, Name: "www", Type: "A", Values: []string{"203.0.113.7"}}, {Op: OpDelete, Name: "old", Type: "TXT"}}, -1},
		{"removing what may not be there is for Apply", []Change{{Op: OpRemove, Name: "nowhere", Type: "A", Values: []string{"203.0.113.7"}}}, -1},
		{"a bad address second", []Change{{Op: OpSet, Name: "a", Type: "A", Values: []string{"203.0.113.7"}}, {Op: OpAdd, Name: "b", Type: "A", Values: []string{"203.0.113"}}}, 1},
		{"a CNAME at the apex", []Change{{Op: OpSet, Name: "@", Type: "CNAME", Values: []string{"x.example.net."}}}, 0},
		{"a TTL out of range", []Change{{Op: OpSet, Name: "a", Type: "A", TTL: 299, Values: []string{"203.0.113.7"}}}, 0},
		{"a name of another zone", []Change{{Op: OpSet, Name: "www.other.org.", Type: "A", Values: []string{"203.0.113.7"}}}, 0},
		{"an unknown op", []Change{{Op: "replace", Name: "a", Type: "A", Values: []string{"203.0.113.7"}}}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Check("example.com", tc.changes)
			var ce *ChangeError
			switch {
			case tc.index < 0 && err != nil:
				t.Errorf("Check = %v, want nil", err)
			case tc.index >= 0 && (!errors.As(err, &ce) || ce.Index != tc.index):
				t.Errorf("Check = %v, want a *ChangeError at %d", err, tc.index)
			}
		})
	}
	var ne *NameError
	if err := Check("exa mple.com", nil); !errors.As(err, &ne) {
		t.Errorf("Check of a bad zone = %v, want a *NameError", err)
	}
}
