package zone

import "slices"

// Between returns one Diff per record set that differs from one zone to another, from
// before to after (both as Normalize returns them), sorted by name then type: a set only in
// before goes (After nil), a set only in after comes (Before nil), and sets equal in both
// are left out. It is what restoring a snapshot changes, for Warnings to judge.
func Between(before, after []RecordSet) []Diff {
	type pair struct{ before, after *RecordSet }
	byKey := map[[2]string]*pair{}
	var keys [][2]string
	at := func(s RecordSet) *pair {
		k := [2]string{s.Name, s.Type}
		p := byKey[k]
		if p == nil {
			p = &pair{}
			byKey[k] = p
			keys = append(keys, k)
		}
		return p
	}
	for i := range before {
		at(before[i]).before = &before[i]
	}
	for i := range after {
		at(after[i]).after = &after[i]
	}
	slices.SortFunc(keys, func(a, b [2]string) int {
		return Compare(RecordSet{Name: a[0], Type: a[1]}, RecordSet{Name: b[0], Type: b[1]})
	})
	var out []Diff
	for _, k := range keys {
		p := byKey[k]
		d := Diff{Name: k[0], Type: k[1]}
		if p.before != nil {
			d.Before = &Set{TTL: p.before.TTL, Values: slices.Clone(p.before.Values)}
		}
		if p.after != nil {
			d.After = &Set{TTL: p.after.TTL, Values: slices.Clone(p.after.Values)}
		}
		if d.Before.equal(d.After) {
			continue
		}
		d.Changed = true
		d.Summary = summary(d)
		out = append(out, d)
	}
	return out
}
