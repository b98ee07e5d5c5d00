package tools

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/gandi-mcp/gandi-mcp/gandi"
	"github.com/gandi-mcp/gandi-mcp/zone"
)

// The one plan / approve / apply protocol that every tool that changes something goes
// through. A write tool embeds WriteArgs in its input and PlanResult in its output, and
// its handler calls runWrite with a plan function: the plan reads what the change
// touches (GET requests only) and says what it would change and how to apply it. The
// protocol does the rest: the plan_id, the stale check, the person's confirmation,
// the journal, the restore point, the apply and the result. In a tool's run function:
//
//	s, err := d.open(ctx)
//	canonical, w := canonicalArgs(in) // in embeds WriteArgs
//	res, err := runWrite(ctx, d, writeRun{tool: name, s: s, scopes: scopes, args: w, canonical: canonical},
//		func(ctx context.Context) (*writePlan, error) {
//			// read (GET only), then return object, state, changes, warnings, confirm,
//			// restorePoint (optional) and apply
//		})
//	out := &MyOutput{}
//	if res != nil {
//		out.PlanResult = *res
//	}
//	return out, err
//
// The plan function runs on every call, the apply's too (and again when the client
// comes back with the person's answer), so the stale check always compares with what
// Gandi holds just before the first write.

// WriteArgs is embedded in the input of every tool that changes something.
type WriteArgs struct {
	Apply  bool   `json:"apply,omitempty" jsonschema_description:"false (the default): only plan; nothing changes at Gandi, and the result holds the changes and a plan_id. true: make the changes of the plan whose plan_id is given."`
	PlanID string `json:"plan_id,omitempty" jsonschema_description:"With apply=true: the plan_id of a plan made with the same arguments; show that plan to the person and apply only once they agree."`
}

func (w *WriteArgs) write() *WriteArgs { return w }

// PlannedChange is one object a write tool changes (for DNS: one record set), before
// and after, with a one-line summary. After an apply, Status says what became of it.
type PlannedChange struct {
	Name   string    `json:"name" jsonschema_description:"The record name (relative: @ is the apex) or the setting changed."`
	Type   string    `json:"type,omitempty" jsonschema_description:"The record type."`
	Before *zone.Set `json:"before,omitempty" jsonschema:"nullable" jsonschema_description:"A record set: what there is now; null when absent."`
	After  *zone.Set `json:"after,omitempty" jsonschema:"nullable" jsonschema_description:"A record set: what there will be; null when it goes."`
	// From and To are a setting's value (autorenew, name servers, expiry) before and
	// after, as short words, for changes that are not record sets.
	From    []string `json:"from,omitempty" jsonschema_description:"A setting (not a record set): its value now."`
	To      []string `json:"to,omitempty" jsonschema_description:"A setting (not a record set): its value after the change."`
	Summary string   `json:"summary"`
	Status  string   `json:"status,omitempty" jsonschema:"enum=applied,enum=unchanged,enum=mismatch,enum=failed,enum=not_attempted" jsonschema_description:"After an apply: applied (written and read back as planned), unchanged (nothing to write), mismatch (written, but Gandi now holds something else), failed (Gandi refused the write), not_attempted (the apply stopped before it)."`
}

// The statuses of an applied PlannedChange.
const (
	statusApplied      = "applied"
	statusUnchanged    = "unchanged"
	statusMismatch     = "mismatch"
	statusFailed       = "failed"
	statusNotAttempted = "not_attempted"
)

// PlanResult is embedded in the output of every tool that changes something.
type PlanResult struct {
	Applied    bool            `json:"applied" jsonschema_description:"Whether changes were made at Gandi. false for a plan."`
	PlanID     string          `json:"plan_id,omitempty" jsonschema_description:"A plan: pass it back with apply=true and the same arguments to make these changes. It holds no secret."`
	Changes    []PlannedChange `json:"changes,omitempty" jsonschema_description:"Each object touched, before and after."`
	Warnings   []string        `json:"warnings,omitempty" jsonschema_description:"What people often regret in such a change: tell the person before applying."`
	SnapshotID string          `json:"snapshot_id,omitempty" jsonschema_description:"The restore point taken before the first write: the id of a LiveDNS snapshot of the zone as it was."`
	Journal    string          `json:"journal,omitempty" jsonschema_description:"The journal file the applied change was recorded in."`
	Notes      []string        `json:"notes,omitempty"`
}

// writePlan is what a write tool's plan function returns: what it read and what it
// would write. Only apply and restorePoint may change anything, and runWrite calls
// them only after every check has passed.
type writePlan struct {
	// object names what is changed, for the journal and the messages (an fqdn).
	object string
	// state is a digest of what the plan read and the apply will change: an apply
	// whose plan reads another state is stale.
	state string
	// changes are what the plan would do, in order; those whose Before equals After
	// are shown but not written.
	changes  []PlannedChange
	warnings []string
	notes    []string
	// confirm is the one-line question put to the person, e.g. "Change 2 record sets
	// of example.com: ...".
	confirm string
	// restorePoint, when set, is called before the first write and returns the id of
	// what undoes the change (a snapshot); its failure stops the apply.
	restorePoint func(ctx context.Context) (string, error)
	// restoreTrouble explains a restorePoint failure.
	restoreTrouble func(ctx context.Context, err error) Troubleshooting
	// apply makes the changes and returns the status of each (indexes of changes).
	// An error stops the call: the statuses say what was done before it.
	apply func(ctx context.Context) ([]string, error)
	// operation, when set, is called after apply: the id of the operation Gandi opened
	// for the write (a renewal), for the journal.
	operation func() string
}

// writeRun is what a tool tells runWrite besides its plan.
type writeRun struct {
	tool string
	s    *session
	// scopes are those the writes need, to diagnose a refusal.
	scopes []string
	args   WriteArgs
	// canonical is the decoded input with apply and plan_id cleared.
	canonical []byte
}

// canonicalArgs is the JSON of in without apply and plan_id: the arguments a plan
// is bound to. Struct fields marshal in declaration order, so it is canonical.
func canonicalArgs[In any, PI interface {
	*In
	write() *WriteArgs
}](in In) ([]byte, WriteArgs) {
	w := *PI(&in).write()
	*PI(&in).write() = WriteArgs{}
	raw, err := json.Marshal(in)
	if err != nil {
		// Inputs are decoded from JSON: they always encode again.
		panic(fmt.Sprintf("tools: encode %T: %v", in, err))
	}
	return raw, w
}

// planKey is the HMAC key of plan ids: bound to the token, revealing nothing of it.
func planKey(secret string) []byte {
	k := sha256.Sum256([]byte("gandi-mcp plan v1\x00" + secret))
	return k[:]
}

func mac(key []byte, parts ...string) string {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(strings.Join(parts, "\x00")))
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil))
}

// planID is "p1." + a MAC of (tool, arguments) + "." + a MAC of (tool, arguments,
// state): the apply recomputes both from what it reads, so no server keeps plans.
func planID(key []byte, tool string, args []byte, state string) string {
	return "p1." + mac(key, "args", tool, string(args))[:16] + "." + mac(key, "state", tool, string(args), state)[:22]
}

// planMismatch says how a given plan_id relates to the one just computed.
type planMismatch int

const (
	planMatches planMismatch = iota
	planOfOtherArgs
	planStale
)

func comparePlan(given, want string) planMismatch {
	g := strings.Split(given, ".")
	w := strings.Split(want, ".")
	switch {
	case len(g) != 3 || g[0] != w[0] || !hmac.Equal([]byte(g[1]), []byte(w[1])):
		return planOfOtherArgs
	case !hmac.Equal([]byte(g[2]), []byte(w[2])):
		return planStale
	}
	return planMatches
}

// runWrite is the protocol: plan; without apply, return the plan; with apply, check
// the plan_id and that nothing changed since, ask the person, check the journal, take
// the restore point, apply, journal the result, and return it.
func runWrite(ctx context.Context, d *Deps, r writeRun, plan func(ctx context.Context) (*writePlan, error)) (*PlanResult, error) {
	p, err := plan(ctx)
	if err != nil {
		return nil, err
	}
	key := planKey(r.s.cred.Secret())
	id := planID(key, r.tool, r.canonical, p.state)
	out := &PlanResult{PlanID: id, Changes: p.changes, Warnings: p.warnings, Notes: p.notes}
	if out.Changes == nil {
		out.Changes = []PlannedChange{}
	}
	if !r.args.Apply {
		if r.args.PlanID != "" {
			out.Notes = append(out.Notes, "plan_id is only read with apply=true: this is a plan, nothing was changed.")
		}
		return out, nil
	}
	out.PlanID = ""
	switch {
	case r.args.PlanID == "":
		return out, invalidInput("apply=true needs the plan_id of a plan of these arguments: call " + r.tool + " without apply first, show the plan to the person, then apply with its plan_id")
	case comparePlan(r.args.PlanID, id) == planOfOtherArgs:
		return out, invalidInput("plan_id is not the plan of these arguments (or of this token): plan again without apply, with the arguments you mean to apply")
	case comparePlan(r.args.PlanID, id) == planStale:
		return out, stalePlan(p.object, r.tool)
	}
	if !anyChange(p.changes) {
		out.Notes = append(out.Notes, "Nothing to change: Gandi already holds what the plan asks for.")
		for i := range out.Changes {
			out.Changes[i].Status = statusUnchanged
		}
		return out, nil
	}
	j, err := d.journal().Open()
	if err != nil {
		return out, journalTrouble(err)
	}
	defer j.Close()
	if err := confirm(ctx, key, id, p.confirm); err != nil {
		return out, err
	}
	if p.restorePoint != nil {
		sid, err := p.restorePoint(ctx)
		if err != nil {
			if p.restoreTrouble != nil {
				return out, &Failure{T: p.restoreTrouble(ctx, err)}
			}
			return out, err
		}
		out.SnapshotID = sid
	}
	name := make(chan string, 1)
	go func() { name <- r.s.tokenName(ctx) }()
	statuses, applyErr := p.apply(ctx)
	out.Applied = true
	for i := range out.Changes {
		if i < len(statuses) && statuses[i] != "" {
			out.Changes[i].Status = statuses[i]
		}
	}
	entry := JournalEntry{
		Time: d.now().UTC(), Tool: r.tool, Object: p.object, Environment: string(d.Endpoints.Env),
		TokenName: <-name, TokenFingerprint: gandi.Fingerprint(r.s.cred.Secret()), TokenSource: r.s.cred.Origin, Profile: r.s.cred.Profile, PlanID: r.args.PlanID, SnapshotID: out.SnapshotID,
		Changes: out.Changes, Result: outcome(out.Changes, applyErr),
		secrets: []string{r.s.cred.Secret()},
	}
	if p.operation != nil {
		entry.Operation = p.operation()
	}
	if err := j.Append(entry); err != nil {
		d.logger().ErrorContext(ctx, "journal not written", "tool", r.tool, "object", p.object, "error", err.Error())
		out.Notes = append(out.Notes, "The change was made but the journal could not be written: "+err.Error())
	} else {
		out.Journal = j.Where()
	}
	if m := mismatched(out.Changes); len(m) > 0 && applyErr == nil {
		out.Warnings = append(out.Warnings, "Read back after the write, Gandi holds something else than planned for: "+strings.Join(m, ", ")+". Someone may have changed it at the same time; read it again (list_dns_records, get_domain) to see.")
	}
	if applyErr != nil {
		return out, partial(out, r.s.fail(ctx, applyErr, r.scopes, p.object))
	}
	return out, nil
}

// partial says, in the diagnosis of a failed apply, what was written before it failed:
// a client that shows only text must not take a half-made change for none.
func partial(out *PlanResult, err error) error {
	var f *Failure
	if !errors.As(err, &f) {
		return err
	}
	done, total := 0, 0
	for _, c := range out.Changes {
		switch c.Status {
		case statusApplied, statusMismatch:
			done++
			total++
		case statusFailed, statusNotAttempted:
			total++
		}
	}
	if done == 0 {
		// A change with no status is one whose fate is unknown (its answer was lost): the diagnosis says so.
		if total > 0 {
			f.T.Summary = "No write succeeded: " + f.T.Summary
		}
		return f
	}
	undo := ""
	if out.SnapshotID != "" {
		undo = " (snapshot " + out.SnapshotID + " holds what was there before)"
	}
	f.T.Summary = fmt.Sprintf("Only part of the change was made: %d of %d written%s, then: %s", done, total, undo, f.T.Summary)
	f.T.NextSteps = append([]string{"Tell the person what was written and what was not (each change's status); plan again for the rest, or restore the snapshot."}, f.T.NextSteps...)
	return f
}

// writeSetting makes the one write of a setting's change, then reads the setting back
// once (a write whose answer was lost may still have been made) and says what became
// of it: applied, mismatch (written, but Gandi holds something else) or failed.
// what names the setting in the log when it cannot be read back.
func writeSetting(ctx context.Context, d *Deps, what, object string, write func(context.Context) error, holds func(context.Context) (bool, error)) ([]string, error) {
	werr := write(ctx)
	status := statusApplied
	if werr != nil {
		status = statusFailed
	}
	if ok, err := holds(ctx); err == nil {
		switch {
		case status == statusApplied && !ok:
			status = statusMismatch
		case status == statusFailed && ok:
			status = statusApplied
		}
	} else {
		d.logger().WarnContext(ctx, what+" not read back after the write", "fqdn", object, "error", err.Error())
	}
	if status == statusFailed {
		return []string{status}, werr
	}
	return []string{status}, nil
}

func anyChange(cs []PlannedChange) bool {
	for _, c := range cs {
		if !sameSet(c.Before, c.After) || !slices.Equal(c.From, c.To) {
			return true
		}
	}
	return false
}

func sameSet(a, b *zone.Set) bool {
	if a == nil || b == nil {
		return a == b
	}
	if a.TTL != b.TTL || len(a.Values) != len(b.Values) {
		return false
	}
	for i := range a.Values {
		if a.Values[i] != b.Values[i] {
			return false
		}
	}
	return true
}

// outcome is the journal's word for an apply: ok, partial or failed.
func outcome(cs []PlannedChange, err error) string {
	done := 0
	for _, c := range cs {
		if c.Status == statusApplied || c.Status == statusMismatch {
			done++
		}
	}
	switch {
	case err == nil && len(mismatched(cs)) == 0:
		return "ok"
	case done == 0:
		return "failed"
	}
	return "partial"
}

func mismatched(cs []PlannedChange) []string {
	var out []string
	for _, c := range cs {
		if c.Status == statusMismatch {
			out = append(out, strings.TrimSpace(c.Name+" "+c.Type))
		}
	}
	return out
}

func stalePlan(object, tool string) *Failure {
	return &Failure{T: Troubleshooting{
		Diagnosis: StalePlan,
		Summary:   "What the plan read of " + object + " has changed at Gandi since it was made, so nothing was changed.",
		LikelyCauses: []string{
			"Someone or something else edited it in between (another person, a tool, an automatic update).",
		},
		NextSteps: []string{"Call " + tool + " again without apply to get a new plan, show it to the person, then apply with its plan_id."},
	}}
}

// tokenName is the PAT's name for the journal, from /tokeninfo; "" when it cannot be had.
func (s *session) tokenName(ctx context.Context) string {
	info, err := s.tokenInfo(ctx)
	if err != nil || info == nil {
		return ""
	}
	return info.PATName
}
