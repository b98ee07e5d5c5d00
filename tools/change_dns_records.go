package tools

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/gandi-mcp/gandi-mcp/gandi"
	"github.com/gandi-mcp/gandi-mcp/zone"
)

// DNSChange is one edit of one record set.
type DNSChange struct {
	Op     string   `json:"op" jsonschema:"enum=set,enum=add,enum=remove,enum=delete" jsonschema_description:"set: the record set becomes exactly values (created if absent). add: values are added (created if absent). remove: those values go (the set goes when none is left). delete: the whole set goes (no values)."`
	Name   string   `json:"name" jsonschema:"minLength=1" jsonschema_description:"Record name relative to the zone: @ for the apex, www, _dmarc; www.example.com. is made relative."`
	Type   string   `json:"type" jsonschema:"minLength=1" jsonschema_description:"Record type: A, AAAA, CNAME, MX, TXT, SRV, CAA, NS, ALIAS, TLSA, SSHFP, DS, ..."`
	TTL    int      `json:"ttl,omitempty" jsonschema:"minimum=300,maximum=2592000" jsonschema_description:"Seconds, 300 to 2592000, for set and add; omit to keep the set's TTL (10800 for a new set)."`
	Values []string `json:"values,omitempty" jsonschema_description:"Record data as in a zone file: 203.0.113.7; 10 mail.example.com.; \"v=spf1 include:_mailcust.gandi.net ~all\"; 0 issue \"letsencrypt.org\"."`
}

// maxDNSChanges bounds one call's changes: more is a zone replacement, not an edit.
const maxDNSChanges = 100

// ChangeDNSRecordsInput is the zone and the changes to make to it.
type ChangeDNSRecordsInput struct {
	FQDN       string      `json:"fqdn" jsonschema:"minLength=1" jsonschema_description:"The domain whose zone changes, e.g. example.com (a unicode name is converted)."`
	Changes    []DNSChange `json:"changes" jsonschema:"minItems=1,maxItems=100" jsonschema_description:"1 to 100 changes, made in order."`
	NoSnapshot bool        `json:"no_snapshot,omitempty" jsonschema_description:"Apply without taking a restore point (no snapshot to undo with). Only when the person accepts it, e.g. after restore_point_failed."`
	WriteArgs
}

func (in *ChangeDNSRecordsInput) validate() error {
	dom, err := parseFQDN(in.FQDN)
	if err != nil {
		return invalidInput(err.Error())
	}
	z := dom.ascii
	switch {
	case len(in.Changes) == 0:
		return invalidInput(`changes is empty: give 1 to 100 changes such as {"op": "set", "name": "www", "type": "A", "values": ["203.0.113.7"]}`)
	case len(in.Changes) > maxDNSChanges:
		return invalidInput(fmt.Sprintf("changes has %d items; at most %d are made in one call: split them", len(in.Changes), maxDNSChanges))
	}
	if err := zone.Check(z, in.zoneChanges()); err != nil {
		return invalidInput(err.Error())
	}
	return nil
}

func (in *ChangeDNSRecordsInput) zoneChanges() []zone.Change {
	out := make([]zone.Change, len(in.Changes))
	for i, c := range in.Changes {
		out[i] = zone.Change(c)
	}
	return out
}

// ChangeDNSRecordsOutput is the plan, or what the apply did.
type ChangeDNSRecordsOutput struct {
	FQDN string `json:"fqdn,omitempty" jsonschema_description:"The zone, in ASCII."`
	PlanResult
	Common
}

// dnsWriteScopes are what changing records needs; reading may work with domain:view.
var dnsWriteScopes = []string{"domain:tech"}

// ChangeDNSRecords is the change_dns_records tool.
func ChangeDNSRecords(d *Deps) Tool {
	return define[ChangeDNSRecordsInput, ChangeDNSRecordsOutput](d, spec{
		name:  "change_dns_records",
		title: "Change DNS records",
		description: "Changes record sets of a zone on Gandi's LiveDNS. Without apply it only plans: it reads the zone and " +
			"returns each record set touched (before, after, a summary), warnings and a plan_id; nothing changes. Show " +
			"the plan and its warnings to the person; once they agree, call again with the same arguments, apply=true " +
			"and the plan_id. The apply takes a restore point first (a LiveDNS snapshot; snapshot_id in the result, " +
			"for restore), writes only the record sets of the plan, and reads them back. If the zone changed since " +
			"the plan, it is stale_plan: plan again.",
		profile: recordsProfile,
		scopes:  dnsWriteScopes,
	}, func(ctx context.Context, in ChangeDNSRecordsInput) (*ChangeDNSRecordsOutput, error) {
		return changeDNSRecords(ctx, d, in)
	})
}

func changeDNSRecords(ctx context.Context, d *Deps, in ChangeDNSRecordsInput) (*ChangeDNSRecordsOutput, error) {
	dom, err := parseFQDN(in.FQDN)
	if err != nil {
		return nil, invalidInput(err.Error())
	}
	z := dom.ascii
	s, err := d.open(ctx)
	if err != nil {
		return nil, err
	}
	changes := in.zoneChanges()
	canonical, w := canonicalArgs(in)
	run := writeRun{tool: "change_dns_records", s: s, scopes: dnsWriteScopes, args: w, canonical: canonical}
	res, err := runWrite(ctx, d, run, func(ctx context.Context) (*writePlan, error) {
		return planDNSChanges(ctx, d, s, z, changes, in.NoSnapshot)
	})
	out := &ChangeDNSRecordsOutput{FQDN: z}
	if res != nil {
		out.PlanResult = *res
	}
	return out, err
}

// planDNSChanges reads the zone once and plans changes in it.
func planDNSChanges(ctx context.Context, d *Deps, s *session, z string, changes []zone.Change, noSnapshot bool) (*writePlan, error) {
	wire, err := s.client.Records(ctx, z)
	if err != nil {
		return nil, s.dnsFail(ctx, err, z)
	}
	current := zone.FromLiveDNS(liveDNSSets(wire))
	before := zone.Normalize(z, current)
	after, diffs, err := zone.Apply(z, current, changes)
	if err != nil {
		return nil, invalidInput(err.Error())
	}
	// The digest is of the touched sets only: an edit elsewhere in the zone meanwhile is
	// kept by the apply (it writes only these sets), so it does not make the plan stale.
	var touched []zone.RecordSet
	planned := make([]PlannedChange, len(diffs))
	var summaries []string
	for i, df := range diffs {
		if j := zone.Find(before, df.Name, df.Type); j >= 0 {
			touched = append(touched, before[j])
		}
		planned[i] = PlannedChange{Name: df.Name, Type: df.Type, Before: df.Before, After: df.After, Summary: df.Summary}
		if df.Changed {
			summaries = append(summaries, df.Summary)
		}
	}
	p := &writePlan{
		object:   z,
		state:    zone.Digest(touched),
		changes:  planned,
		warnings: zone.Warnings(z, diffs, before, after),
		confirm:  confirmMessage(z, summaries, !noSnapshot),
		apply: func(ctx context.Context) ([]string, error) {
			return writeRecordSets(ctx, d, s, z, planned)
		},
	}
	if !noSnapshot {
		name := snapshotName(summaries)
		p.restorePoint = func(ctx context.Context) (string, error) { return s.client.CreateSnapshot(ctx, z, name) }
		p.restoreTrouble = func(ctx context.Context, err error) Troubleshooting {
			return s.restoreTrouble(ctx, err, z, "Or, if the person accepts a change without a restore point, plan and apply again with no_snapshot=true.")
		}
	} else {
		p.notes = append(p.notes, "no_snapshot: no restore point is taken before the change.")
	}
	return p, nil
}

func liveDNSSets(in []gandi.RecordSet) []zone.LiveDNS {
	out := make([]zone.LiveDNS, len(in))
	for i, r := range in {
		out[i] = zone.LiveDNS{Name: r.Name, Type: r.Type, TTL: r.TTL, Values: r.Values}
	}
	return out
}

// summaryLimit bounds the summaries a confirmation or a snapshot's name lists.
const summaryLimit = 3

func listSummaries(summaries []string) string {
	shown := summaries[:min(len(summaries), summaryLimit)]
	s := strings.Join(shown, "; ")
	if n := len(summaries) - len(shown); n > 0 {
		s += fmt.Sprintf("; and %d more", n)
	}
	return s
}

// confirmMessage is the one question put to the person.
func confirmMessage(z string, summaries []string, restorePoint bool) string {
	m := fmt.Sprintf("Change %d record set(s) of %s: %s.", len(summaries), z, listSummaries(summaries))
	if restorePoint {
		m += " A snapshot of the zone is taken first, to undo it."
	} else {
		m += " No snapshot is taken first."
	}
	return m
}

// maxSnapshotName keeps a snapshot's name readable in Gandi's admin.
const maxSnapshotName = 120

// snapshotName is "gandi-mcp: before <summary>", in ASCII, for a person to recognise.
func snapshotName(summaries []string) string {
	name := "gandi-mcp: before " + strings.ReplaceAll(listSummaries(summaries), "→", "->")
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e {
			return '?'
		}
		return r
	}, name)
	if len(name) > maxSnapshotName {
		name = name[:maxSnapshotName-3] + "..."
	}
	return name
}

// writeConcurrency is the writes one apply makes at once when Deps.MaxConcurrentWrites
// is zero: a few, so a large change is quick without crowding Gandi.
const writeConcurrency = 4

// writeRecordSets writes each changed set of planned (PUT, or DELETE for a set that
// goes), a few at once; after a failure no new write starts, and those in flight finish.
// Then it reads the zone back once and marks what does not hold what was planned.
func writeRecordSets(ctx context.Context, d *Deps, s *session, z string, planned []PlannedChange) ([]string, error) {
	statuses := make([]string, len(planned))
	var todo []int
	for i, c := range planned {
		if sameSet(c.Before, c.After) {
			statuses[i] = statusUnchanged
			continue
		}
		statuses[i] = statusNotAttempted
		todo = append(todo, i)
	}
	limit := d.MaxConcurrentWrites
	if limit <= 0 {
		limit = writeConcurrency
	}
	var (
		mu    sync.Mutex
		first error
		wg    sync.WaitGroup
	)
	sem := make(chan struct{}, limit)
	for _, i := range todo {
		sem <- struct{}{}
		mu.Lock()
		stop := first != nil || ctx.Err() != nil
		mu.Unlock()
		if stop {
			<-sem
			break
		}
		wg.Go(func() {
			defer func() { <-sem }()
			c := planned[i]
			var err error
			if c.After == nil {
				err = s.client.DeleteRecordSet(ctx, z, c.Name, c.Type)
				var ge *gandi.Error
				if errors.As(err, &ge) && ge.Status == http.StatusNotFound {
					err = nil // gone already, as planned
				}
			} else {
				err = s.client.PutRecordSet(ctx, z, c.Name, c.Type, c.After.TTL, c.After.Values)
			}
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				statuses[i] = statusFailed
				if first == nil {
					first = err
				}
				return
			}
			statuses[i] = statusApplied
		})
	}
	wg.Wait()
	if first == nil && ctx.Err() != nil {
		first = ctx.Err()
	}
	readBack(ctx, s, z, planned, statuses)
	return statuses, first
}

// readBack reads the zone once and marks applied sets that do not hold what was planned,
// and failed ones that do (a write whose answer was lost may still have been made).
func readBack(ctx context.Context, s *session, z string, planned []PlannedChange, statuses []string) {
	if !slices.Contains(statuses, statusApplied) && !slices.Contains(statuses, statusFailed) {
		return
	}
	wire, err := s.client.Records(ctx, z)
	if err != nil {
		s.d.logger().WarnContext(ctx, "records not read back after the write", "fqdn", z, "error", err.Error())
		return
	}
	now := zone.Normalize(z, zone.FromLiveDNS(liveDNSSets(wire)))
	for i, c := range planned {
		if statuses[i] != statusApplied && statuses[i] != statusFailed {
			continue
		}
		var got *zone.Set
		if j := zone.Find(now, c.Name, c.Type); j >= 0 {
			got = &zone.Set{TTL: now[j].TTL, Values: now[j].Values}
		}
		switch {
		case statuses[i] == statusApplied && !sameSet(got, c.After):
			statuses[i] = statusMismatch
		case statuses[i] == statusFailed && sameSet(got, c.After) && !sameSet(got, c.Before):
			statuses[i] = statusApplied
		}
	}
}

// dnsFail diagnoses a failed LiveDNS request of a write tool on the zone z, as
// the read tools do (dns_not_hosted, not_found, a 403 from what writing needs).
func (s *session) dnsFail(ctx context.Context, err error, z string) error {
	return s.liveDNSFail(ctx, err, dnsDomain{ascii: z}, true)
}

// restoreTrouble explains a snapshot that could not be taken: nothing was changed.
// alternative, when not empty, is the last next step: what to do without one.
func (s *session) restoreTrouble(ctx context.Context, err error, z, alternative string) Troubleshooting {
	var f *Failure
	if !errors.As(s.fail(ctx, err, dnsWriteScopes, z), &f) {
		f = &Failure{T: diagnose(err, situation{ep: s.d.Endpoints})}
	}
	t := f.T
	cause := t.Summary
	switch t.Diagnosis {
	case MissingScope, ResourceNotInScope, AccessDenied, TokenRejected, TokenExpired, WrongScheme, LegacyKeyRejected, WrongEnvironment:
		// The writes would be refused the same way: no_snapshot would not help.
		t.Summary = "Nothing was changed: the restore point (a LiveDNS snapshot of " + z + ") was refused. " + cause
		return t
	}
	t.Diagnosis = RestorePointFailed
	t.Summary = "The restore point (a LiveDNS snapshot of " + z + ") could not be taken, so nothing was changed."
	t.LikelyCauses = append([]string{cause}, t.LikelyCauses...)
	if alternative != "" {
		t.NextSteps = append(t.NextSteps, alternative)
	}
	return t
}
