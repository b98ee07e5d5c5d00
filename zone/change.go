package zone

import (
	"fmt"
	"slices"
	"strings"
)

// The operations of a Change.
const (
	OpSet    = "set"    // the set becomes exactly Values, created if absent
	OpAdd    = "add"    // Values are added to the set, created if absent
	OpRemove = "remove" // Values are removed; the set goes when none is left
	OpDelete = "delete" // the whole set goes
)

// Change is one edit of one record set. TTL 0 keeps the set's TTL (DefaultTTL for a new set).
type Change struct {
	Op     string   `json:"op"`
	Name   string   `json:"name"`
	Type   string   `json:"type"`
	TTL    int      `json:"ttl,omitempty"`
	Values []string `json:"values,omitempty"`
}

// String names the change as errors show it: "set www A".
func (c Change) String() string { return c.Op + " " + c.Name + " " + c.Type }

// Set is the state of one record set on one side of a Diff.
type Set struct {
	TTL    int      `json:"ttl"`
	Values []string `json:"values"`
}

func (s *Set) equal(o *Set) bool {
	if s == nil || o == nil {
		return s == o
	}
	return s.TTL == o.TTL && slices.Equal(s.Values, o.Values)
}

// Diff is what happens to one record set that a list of changes touches. Before and After
// are nil when the set is absent; Changed is false when the set ends as it began.
type Diff struct {
	Name    string `json:"name"`
	Type    string `json:"type"`
	Before  *Set   `json:"before"`
	After   *Set   `json:"after"`
	Summary string `json:"summary"`
	Changed bool   `json:"changed"`
}

// ChangeError is a change that cannot be made: its index in the list, and why.
type ChangeError struct {
	Index  int
	Change Change
	Err    error
}

func (e *ChangeError) Error() string {
	return fmt.Sprintf("changes[%d] (%s): %v", e.Index, e.Change, e.Err)
}

func (e *ChangeError) Unwrap() error { return e.Err }

// Problem is a rule of DNS that a zone breaks at one name.
type Problem struct {
	Name    string `json:"name"`
	Type    string `json:"type"`
	Message string `json:"message"`
}

func (p Problem) Error() string { return p.Message }

// CheckZone returns the rules of DNS that sets break across the zone: a CNAME beside another
// type at the same name, a CNAME at the apex, the same name and type twice. Names are
// relative, as Relative returns them.
func CheckZone(sets []RecordSet) []Problem {
	types := map[string][]string{}
	var problems []Problem
	seen := map[[2]string]bool{}
	for _, s := range sets {
		k := [2]string{s.Name, s.Type}
		if seen[k] {
			problems = append(problems, Problem{s.Name, s.Type, fmt.Sprintf("%s has two %s record sets: a name has one set per type", s.Name, s.Type)})
			continue
		}
		seen[k] = true
		types[s.Name] = append(types[s.Name], s.Type)
	}
	names := make([]string, 0, len(types))
	for n := range types {
		names = append(names, n)
	}
	slices.SortFunc(names, CompareNames)
	for _, n := range names {
		ts := types[n]
		if !slices.Contains(ts, "CNAME") {
			continue
		}
		if n == Apex {
			problems = append(problems, Problem{n, "CNAME", "a CNAME cannot be at the apex (@): use an ALIAS record there instead"})
		}
		others := slices.DeleteFunc(slices.Clone(ts), func(t string) bool { return t == "CNAME" })
		if len(others) > 0 {
			slices.Sort(others)
			problems = append(problems, Problem{n, "CNAME", fmt.Sprintf("%s has a CNAME beside %s: a CNAME must be the only record at its name; delete one or the other", n, strings.Join(others, ", "))})
		}
	}
	return problems
}

// Normalize returns sets read from LiveDNS as Apply compares them: names made relative,
// types upper-case, values normalised as NormalizeValues does, sorted. One rule differs: a
// host name without the trailing dot in a value read is relative to the zone, dotted or not,
// as in a zone file, so that "10 mail.example.com" that LiveDNS holds is shown as the
// "10 mail.example.com.example.com." it serves rather than as what was meant. A set it cannot normalise (LiveDNS holds
// something this package refuses) is kept with its values trimmed and sorted, so that a
// zone read from LiveDNS is never refused as a whole.
func Normalize(zone string, sets []RecordSet) []RecordSet {
	z, err := CanonicalZone(zone)
	if err != nil {
		z = strings.ToLower(strings.TrimSuffix(zone, "."))
	}
	out := make([]RecordSet, 0, len(sets))
	for _, s := range sets {
		n := RecordSet{Name: strings.ToLower(s.Name), Type: strings.ToUpper(s.Type), TTL: s.TTL}
		if rel, err := relative(s.Name, z); err == nil {
			n.Name = rel
		}
		if n.TTL == 0 {
			n.TTL = DefaultTTL
		}
		if vals, err := normalizeValues(origin{zone: z, zoneFile: true}, n.Name, n.Type, s.Values); err == nil {
			n.Values = vals
		} else {
			for _, v := range s.Values {
				n.Values = append(n.Values, strings.TrimSpace(v))
			}
			slices.Sort(n.Values)
			n.Values = slices.Compact(n.Values)
		}
		out = append(out, n)
	}
	Sort(out)
	return out
}

// Apply makes changes, in order, to the record sets current of zone, and returns the zone
// after them, and one Diff per record set touched, sorted by name then type.
//
// Every change is checked first: its op, its name (Relative), its type, its TTL (0, or
// MinTTL to MaxTTL) and every value (NormalizeValues); the first bad one is returned as a
// *ChangeError that names its index. Then the changes are made: removing a value the set
// does not hold, or deleting a set that does not exist, is refused too, with what is there.
// Last, every set touched must keep the rules of its type and of the zone (CheckZone).
// Values are compared once normalised, so "mail.example.com" and "MAIL.example.com."
// are the same value, and a set that ends as it began is a Diff with Changed false.
func Apply(zone string, current []RecordSet, changes []Change) ([]RecordSet, []Diff, error) {
	z, err := CanonicalZone(zone)
	if err != nil {
		return nil, nil, err
	}
	checked := make([]Change, len(changes))
	for i, c := range changes {
		n, err := checkChange(z, c)
		if err != nil {
			return nil, nil, &ChangeError{Index: i, Change: c, Err: err}
		}
		checked[i] = n
	}

	before := Normalize(z, current)
	byKey := make(map[[2]string]*RecordSet, len(before))
	for i := range before {
		byKey[[2]string{before[i].Name, before[i].Type}] = &before[i]
	}
	after := map[[2]string]*RecordSet{}
	touched := map[[2]string]int{} // key -> index of the last change that touched it
	for i, c := range checked {
		k := [2]string{c.Name, c.Type}
		cur := after[k]
		if _, seen := touched[k]; !seen && byKey[k] != nil {
			b := *byKey[k]
			cur = &b
		}
		next, err := applyOne(cur, c)
		if err != nil {
			return nil, nil, &ChangeError{Index: i, Change: changes[i], Err: err}
		}
		touched[k] = i
		if next == nil {
			delete(after, k)
		} else {
			after[k] = next
		}
	}

	var out []RecordSet
	for _, s := range before {
		k := [2]string{s.Name, s.Type}
		if _, ok := touched[k]; !ok {
			out = append(out, s)
		}
	}
	for _, s := range after {
		out = append(out, *s)
	}
	Sort(out)

	for i, c := range checked {
		k := [2]string{c.Name, c.Type}
		if s := after[k]; s != nil && touched[k] == i {
			if err := setRules(s.Name, s.Type, s.Values); err != nil {
				return nil, nil, &ChangeError{Index: i, Change: changes[i], Err: err}
			}
		}
	}
	touchedNames := map[string]int{}
	for k, i := range touched {
		touchedNames[k[0]] = max(touchedNames[k[0]], i)
	}
	for _, p := range CheckZone(out) {
		if i, ok := touchedNames[p.Name]; ok {
			return nil, nil, &ChangeError{Index: i, Change: changes[i], Err: p}
		}
	}

	diffs := make([]Diff, 0, len(touched))
	for k := range touched {
		d := Diff{Name: k[0], Type: k[1]}
		if b := byKey[k]; b != nil {
			d.Before = &Set{TTL: b.TTL, Values: slices.Clone(b.Values)}
		}
		if a := after[k]; a != nil {
			d.After = &Set{TTL: a.TTL, Values: slices.Clone(a.Values)}
		}
		d.Changed = !d.Before.equal(d.After)
		d.Summary = summary(d)
		diffs = append(diffs, d)
	}
	slices.SortFunc(diffs, func(a, b Diff) int {
		return Compare(RecordSet{Name: a.Name, Type: a.Type}, RecordSet{Name: b.Name, Type: b.Type})
	})
	return out, diffs, nil
}

// checkChange checks c and returns it with its name, type and values normalised.
func checkChange(zone string, c Change) (Change, error) {
	switch c.Op {
	case OpSet, OpAdd, OpRemove, OpDelete:
	default:
		return c, fmt.Errorf("op %q is not one of set, add, remove, delete", c.Op)
	}
	name, err := relative(c.Name, zone)
	if err != nil {
		return c, err
	}
	t := strings.ToUpper(c.Type)
	if _, ok := formats[t]; !ok {
		return c, &ValueError{Type: c.Type, Set: true, Reason: "is not a type LiveDNS serves", Valid: "use one of " + strings.Join(Types, " ")}
	}
	n := Change{Op: c.Op, Name: name, Type: t, TTL: c.TTL}
	switch {
	case c.TTL != 0 && (c.Op == OpRemove || c.Op == OpDelete):
		return c, fmt.Errorf("ttl is only for set and add; %s takes none", c.Op)
	case c.TTL != 0 && (c.TTL < MinTTL || c.TTL > MaxTTL):
		return c, fmt.Errorf("ttl %d is out of range: LiveDNS takes %d to %d seconds (10800 is 3 hours)", c.TTL, MinTTL, MaxTTL)
	case c.Op == OpDelete && len(c.Values) > 0:
		return c, fmt.Errorf("delete takes no values (it removes the whole %s set at %s); to remove some values, use remove", t, name)
	case c.Op != OpDelete && len(c.Values) == 0:
		if c.Op == OpSet {
			return c, fmt.Errorf("set needs at least one value; to remove the whole %s set at %s, use delete", t, name)
		}
		return c, fmt.Errorf("%s needs at least one value; %s", c.Op, validFor(t))
	}
	for _, v := range c.Values {
		nv, err := normalizeValue(origin{zone: zone}, t, v)
		if err != nil {
			return c, err
		}
		n.Values = append(n.Values, nv)
	}
	slices.Sort(n.Values)
	n.Values = slices.Compact(n.Values)
	if c.Op == OpSet {
		// The set as a whole is known now: say so before anything else is computed.
		if err := setRules(name, t, n.Values); err != nil {
			return c, err
		}
	}
	return n, nil
}

// applyOne returns cur after the checked change c; nil when the set is absent.
func applyOne(cur *RecordSet, c Change) (*RecordSet, error) {
	ttl := func() int {
		switch {
		case c.TTL != 0:
			return c.TTL
		case cur != nil:
			return cur.TTL
		}
		return DefaultTTL
	}
	switch c.Op {
	case OpSet:
		return &RecordSet{Name: c.Name, Type: c.Type, TTL: ttl(), Values: c.Values}, nil
	case OpAdd:
		var vals []string
		if cur != nil {
			vals = slices.Clone(cur.Values)
		}
		vals = append(vals, c.Values...)
		slices.Sort(vals)
		return &RecordSet{Name: c.Name, Type: c.Type, TTL: ttl(), Values: slices.Compact(vals)}, nil
	case OpDelete:
		if cur == nil {
			return nil, fmt.Errorf("there is no %s record set at %s to delete", c.Type, c.Name)
		}
		return nil, nil
	}
	if cur == nil {
		return nil, fmt.Errorf("there is no %s record set at %s to remove values from", c.Type, c.Name)
	}
	vals := slices.Clone(cur.Values)
	for _, v := range c.Values {
		i := slices.Index(vals, v)
		if i < 0 {
			return nil, fmt.Errorf("the %s set at %s has no value %s; its values are %s", c.Type, c.Name, v, strings.Join(cur.Values, ", "))
		}
		vals = slices.Delete(vals, i, i+1)
	}
	if len(vals) == 0 {
		return nil, nil
	}
	return &RecordSet{Name: c.Name, Type: c.Type, TTL: cur.TTL, Values: vals}, nil
}

// summaryWidth is the longest list of values a summary shows; longer ones are counted.
const summaryWidth = 80

func summary(d Diff) string {
	switch {
	case !d.Changed:
		return fmt.Sprintf("%s %s: no change", d.Name, d.Type)
	case d.Before == nil:
		return fmt.Sprintf("add %s %s: %s", d.Type, d.Name, showValues(d.After.Values))
	case d.After == nil:
		return fmt.Sprintf("delete %s %s (%s)", d.Type, d.Name, count(len(d.Before.Values)))
	}
	var parts []string
	if !slices.Equal(d.Before.Values, d.After.Values) {
		b, a := strings.Join(d.Before.Values, ", "), strings.Join(d.After.Values, ", ")
		if len(a)+len(b) <= summaryWidth {
			parts = append(parts, b+" → "+a)
		} else {
			parts = append(parts, delta(d.Before.Values, d.After.Values))
		}
	}
	if d.Before.TTL != d.After.TTL {
		parts = append(parts, fmt.Sprintf("ttl %d → %d", d.Before.TTL, d.After.TTL))
	}
	return fmt.Sprintf("%s %s: %s", d.Name, d.Type, strings.Join(parts, ", "))
}

// delta shows the values added and removed, or their counts when that is too long.
func delta(before, after []string) string {
	var shown []string
	var added, removed int
	for _, v := range after {
		if !slices.Contains(before, v) {
			shown = append(shown, "+"+v)
			added++
		}
	}
	for _, v := range before {
		if !slices.Contains(after, v) {
			shown = append(shown, "-"+v)
			removed++
		}
	}
	if s := strings.Join(shown, ", "); len(s) <= summaryWidth {
		return s
	}
	var counts []string
	if added > 0 {
		counts = append(counts, "+"+count(added))
	}
	if removed > 0 {
		counts = append(counts, "-"+count(removed))
	}
	return strings.Join(counts, ", ")
}

func showValues(v []string) string {
	if s := strings.Join(v, ", "); len(s) <= summaryWidth {
		return s
	}
	return count(len(v))
}

func count(n int) string {
	if n == 1 {
		return "1 value"
	}
	return fmt.Sprintf("%d values", n)
}

// Check checks every change as Apply does before it reads the zone: its op, name, type,
// TTL and values, and the rules of a set that set gives in full. It needs no zone, so
// that bad input is refused before any request; the first bad change is a *ChangeError.
func Check(zone string, changes []Change) error {
	z, err := CanonicalZone(zone)
	if err != nil {
		return err
	}
	for i, c := range changes {
		if _, err := checkChange(z, c); err != nil {
			return &ChangeError{Index: i, Change: c, Err: err}
		}
	}
	return nil
}
