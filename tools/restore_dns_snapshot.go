package tools

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gandi-mcp/gandi-mcp/gandi"
	"github.com/gandi-mcp/gandi-mcp/zone"
)

// RestoreDNSSnapshotInput is the zone and the snapshot to bring it back to.
type RestoreDNSSnapshotInput struct {
	FQDN       string `json:"fqdn" jsonschema:"minLength=1" jsonschema_description:"The domain whose zone is restored, e.g. example.com (a unicode name is converted)."`
	SnapshotID string `json:"snapshot_id" jsonschema:"minLength=1" jsonschema_description:"The id of the LiveDNS snapshot to restore: the snapshot_id a change returned (to undo it), or one that list_dns_snapshots lists."`
	WriteArgs
}

func (in *RestoreDNSSnapshotInput) validate() error {
	if _, err := parseFQDN(in.FQDN); err != nil {
		return invalidInput(err.Error())
	}
	if !isSnapshotID(in.SnapshotID) {
		return invalidInput(fmt.Sprintf("snapshot_id %q is not a snapshot id: LiveDNS snapshot ids are UUIDs such as 3f2b8c1e-4d5a-4b6c-9e7f-0a1b2c3d4e5f "+
			"(the snapshot_id a change returned, or an id from list_dns_snapshots), not a snapshot's name", clip(in.SnapshotID)))
	}
	return nil
}

// isSnapshotID says whether id has the shape of a LiveDNS snapshot id, a UUID.
func isSnapshotID(id string) bool {
	if len(id) != 36 {
		return false
	}
	for i, r := range id {
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if r != '-' {
				return false
			}
		case !strings.ContainsRune("0123456789abcdefABCDEF", r):
			return false
		}
	}
	return true
}

// RestoredSnapshot is the snapshot a restore brings the zone back to.
type RestoredSnapshot struct {
	ID        string `json:"id"`
	Name      string `json:"name,omitempty"`
	CreatedAt string `json:"created_at,omitempty" jsonschema_description:"When Gandi took it (RFC 3339)."`
	Automatic bool   `json:"automatic" jsonschema_description:"Taken by LiveDNS itself rather than on request."`
}

// RestoreDNSSnapshotOutput is the plan of the restore, or what its apply did.
type RestoreDNSSnapshotOutput struct {
	FQDN     string            `json:"fqdn,omitempty" jsonschema_description:"The zone, in ASCII."`
	Restores *RestoredSnapshot `json:"restores,omitempty" jsonschema_description:"The snapshot the zone is brought back to. snapshot_id, after an apply, is another one: the zone as it was just before the restore, to undo it."`
	PlanResult
	Common
}

// RestoreDNSSnapshot is the restore_dns_snapshot tool.
func RestoreDNSSnapshot(d *Deps) Tool {
	return define[RestoreDNSSnapshotInput, RestoreDNSSnapshotOutput](d, spec{
		name:  "restore_dns_snapshot",
		title: "Restore a DNS snapshot",
		description: "Brings a LiveDNS zone back to a snapshot: to undo a change, give the snapshot_id that change returned. " +
			"Without apply it only plans: it reads the zone and the snapshot and returns each record set that would " +
			"change (before = now, after = the snapshot), warnings and a plan_id; nothing changes. Show the plan to the " +
			"person; once they agree, call again with the same arguments, apply=true and the plan_id. The apply first " +
			"takes a snapshot of the zone as it is (snapshot_id in the result: restore it to undo the restore), then " +
			"replaces the whole zone with the snapshot's records. If the zone changed since the plan, it is stale_plan.",
		profile: recordsProfile,
		scopes:  dnsWriteScopes,
	}, func(ctx context.Context, in RestoreDNSSnapshotInput) (*RestoreDNSSnapshotOutput, error) {
		return restoreDNSSnapshot(ctx, d, in)
	})
}

func restoreDNSSnapshot(ctx context.Context, d *Deps, in RestoreDNSSnapshotInput) (*RestoreDNSSnapshotOutput, error) {
	dom, err := parseFQDN(in.FQDN)
	if err != nil {
		return nil, invalidInput(err.Error())
	}
	z := dom.ascii
	s, err := d.open(ctx)
	if err != nil {
		return nil, err
	}
	in.SnapshotID = strings.ToLower(in.SnapshotID)
	canonical, w := canonicalArgs(in)
	run := writeRun{tool: "restore_dns_snapshot", s: s, scopes: dnsWriteScopes, args: w, canonical: canonical}
	out := &RestoreDNSSnapshotOutput{FQDN: z}
	res, err := runWrite(ctx, d, run, func(ctx context.Context) (*writePlan, error) {
		p, snap, err := planRestore(ctx, s, z, in.SnapshotID)
		if snap != nil {
			out.Restores = snap
		}
		return p, err
	})
	if res != nil {
		out.PlanResult = *res
	}
	return out, err
}

// planRestore reads the zone and the snapshot, once each and at the same time, and plans
// replacing the one with the other.
func planRestore(ctx context.Context, s *session, z, id string) (*writePlan, *RestoredSnapshot, error) {
	type snapRead struct {
		snap *gandi.Snapshot
		err  error
	}
	got := make(chan snapRead, 1)
	go func() {
		snap, err := s.client.Snapshot(ctx, z, id)
		got <- snapRead{snap, err}
	}()
	wire, err := s.client.Records(ctx, z)
	sr := <-got
	if err != nil {
		return nil, nil, s.dnsFail(ctx, err, z)
	}
	if sr.err != nil {
		return nil, nil, s.snapshotFail(ctx, sr.err, z, id)
	}
	snap := sr.snap
	info := &RestoredSnapshot{ID: snap.ID, Name: snap.Name, Automatic: snap.Automatic}
	if info.ID == "" {
		info.ID = id
	}
	if !snap.CreatedAt.IsZero() {
		info.CreatedAt = snap.CreatedAt.UTC().Format(time.RFC3339)
	}

	now := zone.FromLiveDNS(liveDNSSets(wire))
	before := zone.Normalize(z, now)
	after := zone.Normalize(z, zone.FromLiveDNS(liveDNSSets(snap.ZoneData)))
	diffs := zone.Between(before, after)
	planned := make([]PlannedChange, len(diffs))
	summaries := make([]string, len(diffs))
	for i, df := range diffs {
		planned[i] = PlannedChange{Name: df.Name, Type: df.Type, Before: df.Before, After: df.After, Summary: df.Summary}
		summaries[i] = df.Summary
	}
	label := snapshotLabel(info)
	p := &writePlan{
		object: z,
		// The whole zone: the apply replaces all of it, so any edit since the plan would be lost.
		state:    zone.Digest(now) + "\x00" + id,
		changes:  planned,
		warnings: zone.Warnings(z, diffs, before, after),
		confirm: fmt.Sprintf("Restore the zone of %s to snapshot %s: %d record set(s) change: %s. A snapshot of the zone as it is is taken first, to undo it.",
			z, label, len(summaries), listSummaries(summaries)),
		restorePoint: func(ctx context.Context) (string, error) {
			return s.client.CreateSnapshot(ctx, z, restorePointName(info))
		},
		restoreTrouble: func(ctx context.Context, err error) Troubleshooting {
			return s.restoreTrouble(ctx, err, z, "")
		},
		apply: func(ctx context.Context) ([]string, error) {
			return replaceZone(ctx, s, z, snap.ZoneData, planned)
		},
	}
	if len(diffs) == 0 {
		p.notes = append(p.notes, "The zone already equals the snapshot: nothing to restore.")
	} else {
		p.notes = append(p.notes, "The apply replaces the whole zone with the snapshot's records, after taking a snapshot of it as it is.")
	}
	return p, info, nil
}

// snapshotLabel names a snapshot for a person: its name in quotes and its id, or its id.
func snapshotLabel(s *RestoredSnapshot) string {
	if s.Name == "" {
		return s.ID
	}
	return `"` + s.Name + `" (` + s.ID + ")"
}

// restorePointName is "gandi-mcp: before restoring <name>", or <id> when the snapshot has
// no name or a name too long to keep whole, in ASCII.
func restorePointName(s *RestoredSnapshot) string {
	const prefix = "gandi-mcp: before restoring "
	name := prefix + s.ID
	if s.Name != "" && len(prefix)+len(s.Name) <= maxSnapshotName {
		name = prefix + s.Name
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e {
			return '?'
		}
		return r
	}, name)
}

// replaceZone writes the snapshot's records as they are stored (one PUT of the whole zone),
// then reads the zone back and marks each planned change.
func replaceZone(ctx context.Context, s *session, z string, sets []gandi.RecordSet, planned []PlannedChange) ([]string, error) {
	statuses := make([]string, len(planned))
	err := s.client.ReplaceZone(ctx, z, sets)
	status := statusApplied
	if err != nil {
		status = statusFailed
	}
	for i := range statuses {
		statuses[i] = status
	}
	readBack(ctx, s, z, planned, statuses)
	return statuses, err
}

// snapshotFail diagnoses a snapshot that could not be read: an unknown id is not_found.
func (s *session) snapshotFail(ctx context.Context, err error, z, id string) error {
	var ge *gandi.Error
	f := s.fail(ctx, err, dnsWriteScopes, z)
	var ff *Failure
	if !errors.As(err, &ge) || ge.Status != http.StatusNotFound || !errors.As(f, &ff) {
		return f
	}
	ff.T.Summary = "The zone of " + z + " has no snapshot " + id + " at Gandi, so nothing was changed."
	ff.T.LikelyCauses = []string{"A mistyped id, or the id of another zone's snapshot.", "The snapshot was deleted (LiveDNS keeps a limited number)."}
	ff.T.NextSteps = []string{"Call list_dns_snapshots with fqdn " + z + ": it lists the zone's snapshots with their ids, newest first."}
	return ff
}
