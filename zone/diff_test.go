package zone

import (
	"slices"
	"testing"
)

func TestBetween(t *testing.T) {
	now := []RecordSet{
		{Name: "@", Type: "A", TTL: 300, Values: []string{"203.0.113.7"}},
		{Name: "@", Type: "MX", TTL: 10800, Values: []string{"10 mail.example.com."}},
		{Name: "new", Type: "TXT", TTL: 10800, Values: []string{`"added since"`}},
		{Name: "www", Type: "CNAME", TTL: 10800, Values: []string{"example.com."}},
	}
	snap := []RecordSet{
		{Name: "@", Type: "A", TTL: 1800, Values: []string{"203.0.113.1"}},
		{Name: "@", Type: "MX", TTL: 10800, Values: []string{"10 mail.example.com."}},
		{Name: "old", Type: "A", TTL: 10800, Values: []string{"203.0.113.9"}},
		{Name: "www", Type: "CNAME", TTL: 3600, Values: []string{"example.com."}},
	}
	tests := []struct {
		name          string
		before, after []RecordSet
		want          []string // name type: summary
	}{
		{"every kind of difference", now, snap, []string{
			"@ A: @ A: 203.0.113.7 → 203.0.113.1, ttl 300 → 1800",
			"new TXT: delete TXT new (1 value)",
			"old A: add A old: 203.0.113.9",
			"www CNAME: www CNAME: ttl 10800 → 3600",
		}},
		{"the other way", snap, now, []string{
			"@ A: @ A: 203.0.113.1 → 203.0.113.7, ttl 1800 → 300",
			"new TXT: add TXT new: \"added since\"",
			"old A: delete A old (1 value)",
			"www CNAME: www CNAME: ttl 3600 → 10800",
		}},
		{"equal zones", now, slices.Clone(now), nil},
		{"from nothing", nil, now[:1], []string{"@ A: add A @: 203.0.113.7"}},
		{"to nothing", now[:1], nil, []string{"@ A: delete A @ (1 value)"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, d := range Between(tc.before, tc.after) {
				if !d.Changed {
					t.Errorf("%s %s: Changed false in a difference", d.Name, d.Type)
				}
				got = append(got, d.Name+" "+d.Type+": "+d.Summary)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("Between =\n%q\nwant\n%q", got, tc.want)
			}
		})
	}
	t.Run("before and after are the sets' own", func(t *testing.T) {
		ds := Between(now, snap)
		if ds[0].Before.TTL != 300 || ds[0].After.TTL != 1800 || ds[1].After != nil || ds[2].Before != nil {
			t.Errorf("diffs %+v", ds)
		}
	})
}
