package skill

import (
	"encoding/json"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/gandi-mcp/gandi-mcp/gandi"
	"github.com/gandi-mcp/gandi-mcp/gandi/ganditest"
	"github.com/gandi-mcp/gandi-mcp/tools"
	"github.com/gandi-mcp/gandi-mcp/zone"
)

type restoreArgs struct {
	FQDN       string `json:"fqdn"`
	SnapshotID string `json:"snapshot_id"`
	Apply      bool   `json:"apply,omitempty"`
	PlanID     string `json:"plan_id,omitempty"`
}

// restoreDNS calls restore_dns_snapshot, checked for secrets.
func (h *harness) restoreDNS(t *testing.T, a *dnsAccount, args restoreArgs) (*mcp.CallToolResult, tools.RestoreDNSSnapshotOutput) {
	t.Helper()
	return callChecked[tools.RestoreDNSSnapshotOutput](t, h, a, "restore_dns_snapshot", args)
}

// planAndRestore plans the restore of id, then applies that plan.
func (h *harness) planAndRestore(t *testing.T, a *dnsAccount, id string) (tools.RestoreDNSSnapshotOutput, *mcp.CallToolResult, tools.RestoreDNSSnapshotOutput) {
	t.Helper()
	args := restoreArgs{FQDN: dnsZone, SnapshotID: id}
	res, plan := h.restoreDNS(t, a, args)
	if res.IsError || plan.Applied || plan.PlanID == "" {
		t.Fatalf("restore plan: %s", textOf(res))
	}
	args.Apply, args.PlanID = true, plan.PlanID
	res, out := h.restoreDNS(t, a, args)
	return plan, res, out
}

func wantRestoreDiagnosis(t *testing.T, res *mcp.CallToolResult, out tools.RestoreDNSSnapshotOutput, want tools.Diagnosis) {
	t.Helper()
	if !res.IsError || out.Troubleshooting == nil || out.Troubleshooting.Diagnosis != want {
		t.Fatalf("want %s, got isError=%v: %s", want, res.IsError, textOf(res))
	}
}

// zoneText is the fake's zone of example.com, normalised, one line per set.
func zoneText(t *testing.T, h *harness) string {
	t.Helper()
	sets, ok := h.fake.Zone(dnsZone)
	if !ok {
		t.Fatal("example.com is not on LiveDNS")
	}
	return setsText(sets)
}

func setsText(sets []gandi.RecordSet) string {
	return zone.Text(dnsZone, zone.Normalize(dnsZone, zone.FromLiveDNS(liveSets(sets))))
}

// editedZone is what the change in TestRestoreDNSSnapshotUndo makes of dnsRecords.
var undoChange = dnsArgs{FQDN: dnsZone, Changes: []map[string]any{
	change("set", "mail", "A", 600, "203.0.113.26"),
	change("delete", "old", "TXT", 0),
	change("add", "@", "TXT", 0, "google-site-verification=abc123"),
	change("set", "api", "A", 0, "203.0.113.40"),
}}

// TestRestoreDNSSnapshotUndo: a change's snapshot_id undoes it. The restore's plan is the
// difference between the zone and the snapshot; its apply takes a snapshot first, then
// writes the whole zone in one PUT; and the restore's own snapshot_id undoes the restore.
func TestRestoreDNSSnapshotUndo(t *testing.T) {
	h, a := newDNSHarness(t, allDNSScopes)
	original := zoneText(t, h)
	_, res, changed := h.planAndApply(t, a, undoChange)
	if res.IsError || changed.SnapshotID == "" {
		t.Fatalf("change: %s", textOf(res))
	}
	edited := zoneText(t, h)
	if edited == original {
		t.Fatal("the change changed nothing")
	}

	h.fake.ResetRequests()
	res, plan := h.restoreDNS(t, a, restoreArgs{FQDN: dnsZone, SnapshotID: changed.SnapshotID})
	if res.IsError || plan.Applied || plan.PlanID == "" {
		t.Fatalf("restore plan: %s", textOf(res))
	}
	if w := h.writes(); len(w) != 0 {
		t.Fatalf("the plan wrote: %v", requestLines(w))
	}
	if got := requestLines(h.fake.Requests()); len(got) != 2 || !slices.Contains(got, "GET /v5/livedns/domains/example.com/records") ||
		!slices.Contains(got, "GET /v5/livedns/domains/example.com/snapshots/"+changed.SnapshotID) {
		t.Errorf("the plan made %v: want one read of the zone and one of the snapshot", got)
	}
	got := map[string]string{}
	for _, c := range plan.Changes {
		got[c.Name+" "+c.Type] = showSet(c.Before) + " -> " + showSet(c.After)
		if c.Summary == "" {
			t.Errorf("%s %s has no summary", c.Name, c.Type)
		}
	}
	want := map[string]string{
		"mail A":  "600 [203.0.113.26] -> 10800 [203.0.113.25]",
		"old TXT": `absent -> 3600 ["one" "two"]`,
		"@ TXT":   `10800 ["google-site-verification=abc123" "v=spf1 include:_mailcust.gandi.net ~all"] -> 10800 ["v=spf1 include:_mailcust.gandi.net ~all"]`,
		"api A":   "10800 [203.0.113.40] -> absent",
	}
	if len(got) != len(want) {
		t.Errorf("plan changes %v, want %v", got, want)
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("plan %s: %s, want %s", k, got[k], w)
		}
	}
	if plan.Restores == nil || plan.Restores.ID != changed.SnapshotID || !strings.HasPrefix(plan.Restores.Name, "gandi-mcp: before ") || plan.Restores.CreatedAt == "" {
		t.Errorf("restores %+v", plan.Restores)
	}

	h.fake.ResetRequests()
	res, out := h.restoreDNS(t, a, restoreArgs{FQDN: dnsZone, SnapshotID: changed.SnapshotID, Apply: true, PlanID: plan.PlanID})
	if res.IsError || !out.Applied {
		t.Fatalf("restore: %s", textOf(res))
	}
	w := h.writes()
	if lines := requestLines(w); !slices.Equal(lines, []string{"POST /v5/livedns/domains/example.com/snapshots", "PUT /v5/livedns/domains/example.com/records"}) {
		t.Fatalf("writes %v: want the restore point, then one PUT of the zone", lines)
	}
	var name struct{ Name string }
	_ = json.Unmarshal(w[0].Body, &name)
	if want := "gandi-mcp: before restoring " + strings.ReplaceAll(plan.Restores.Name, "→", "->"); name.Name != want && name.Name != "gandi-mcp: before restoring "+changed.SnapshotID {
		t.Errorf("restore point named %q, want %q or the snapshot's id", name.Name, want)
	}
	var body struct {
		Items []gandi.RecordSet `json:"items"`
	}
	if err := json.Unmarshal(w[1].Body, &body); err != nil || setsText(body.Items) != original {
		t.Errorf("PUT items (%v):\n%s\nwant the snapshot's:\n%s", err, setsText(body.Items), original)
	}
	if now := zoneText(t, h); now != original {
		t.Errorf("after the restore the zone is\n%s\nwant\n%s", now, original)
	}
	for _, c := range out.Changes {
		if c.Status != "applied" {
			t.Errorf("%s %s status %q, want applied", c.Name, c.Type, c.Status)
		}
	}
	if out.SnapshotID == "" || out.SnapshotID == changed.SnapshotID || out.Journal == "" {
		t.Fatalf("snapshot_id %q (restored %q), journal %q", out.SnapshotID, changed.SnapshotID, out.Journal)
	}
	if snaps := h.fake.Snapshots(dnsZone); len(snaps) == 0 || snaps[0].ID != out.SnapshotID || setsText(snaps[0].ZoneData) != edited {
		t.Errorf("the restore point is not the zone as it was before the restore: %+v", snaps)
	}
	raw, err := os.ReadFile(h.deps.JournalFile)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	var e tools.JournalEntry
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &e); err != nil || e.Tool != "restore_dns_snapshot" || e.SnapshotID != out.SnapshotID || e.Result != "ok" {
		t.Errorf("journal's last line %s (%v)", lines[len(lines)-1], err)
	}

	// Undo the restore with the snapshot it returned.
	_, res, again := h.planAndRestore(t, a, out.SnapshotID)
	if res.IsError || !again.Applied {
		t.Fatalf("undo of the restore: %s", textOf(res))
	}
	if now := zoneText(t, h); now != edited {
		t.Errorf("after undoing the restore the zone is\n%s\nwant\n%s", now, edited)
	}
}

// TestRestoreDNSSnapshotPlanID: an apply needs the plan_id of a plan of the same snapshot,
// of the zone as it is, anywhere in it: the restore replaces all of it.
func TestRestoreDNSSnapshotPlanID(t *testing.T) {
	tests := []struct {
		name string
		// planID returns the plan_id to apply the restore of snap with.
		planID func(t *testing.T, h *harness, a *dnsAccount, snap, other string) string
		want   tools.Diagnosis
	}{
		{"no plan_id", func(*testing.T, *harness, *dnsAccount, string, string) string { return "" }, tools.InvalidInput},
		{"a malformed plan_id", func(*testing.T, *harness, *dnsAccount, string, string) string { return "p1.x" }, tools.InvalidInput},
		{"the plan of another snapshot", func(t *testing.T, h *harness, a *dnsAccount, _, other string) string {
			_, p := h.restoreDNS(t, a, restoreArgs{FQDN: dnsZone, SnapshotID: other})
			return p.PlanID
		}, tools.InvalidInput},
		{"the plan of change_dns_records", func(t *testing.T, h *harness, a *dnsAccount, _, _ string) string {
			_, p := h.changeDNS(t, a, dnsArgs{FQDN: dnsZone, Changes: []map[string]any{change("set", "mail", "A", 0, "203.0.113.26")}})
			return p.PlanID
		}, tools.InvalidInput},
		{"a set the restore touches edited since", func(t *testing.T, h *harness, a *dnsAccount, snap, _ string) string {
			_, p := h.restoreDNS(t, a, restoreArgs{FQDN: dnsZone, SnapshotID: snap})
			if err := h.fake.SetRecordSet(dnsZone, gandi.RecordSet{Name: "mail", Type: "A", TTL: 10800, Values: []string{"203.0.113.99"}}); err != nil {
				t.Fatal(err)
			}
			return p.PlanID
		}, tools.StalePlan},
		{"a set the restore does not touch edited since", func(t *testing.T, h *harness, a *dnsAccount, snap, _ string) string {
			_, p := h.restoreDNS(t, a, restoreArgs{FQDN: dnsZone, SnapshotID: snap})
			if err := h.fake.SetRecordSet(dnsZone, gandi.RecordSet{Name: "late", Type: "TXT", TTL: 10800, Values: []string{`"added meanwhile"`}}); err != nil {
				t.Fatal(err)
			}
			return p.PlanID
		}, tools.StalePlan},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, a := newDNSHarness(t, allDNSScopes)
			snap, err := h.fake.AddSnapshot(dnsZone, gandi.Snapshot{Name: "yesterday", ZoneData: []gandi.RecordSet{
				{Name: "@", Type: "A", TTL: 10800, Values: []string{"203.0.113.1"}},
				{Name: "mail", Type: "A", TTL: 10800, Values: []string{"203.0.113.5"}},
			}})
			if err != nil {
				t.Fatal(err)
			}
			other, err := h.fake.AddSnapshot(dnsZone, gandi.Snapshot{Name: "other"})
			if err != nil {
				t.Fatal(err)
			}
			args := restoreArgs{FQDN: dnsZone, SnapshotID: snap.ID, Apply: true}
			args.PlanID = tc.planID(t, h, a, snap.ID, other.ID)
			before := zoneText(t, h)
			h.fake.ResetRequests()
			res, out := h.restoreDNS(t, a, args)
			wantRestoreDiagnosis(t, res, out, tc.want)
			if out.Applied {
				t.Error("applied: true")
			}
			if w := h.writes(); len(w) != 0 {
				t.Errorf("writes: %v", requestLines(w))
			}
			if zoneText(t, h) != before {
				t.Error("the zone changed")
			}
		})
	}
}

// TestRestoreDNSSnapshotConfirmation: a client that can elicit is asked once, before
// anything is written; declining or cancelling changes nothing.
func TestRestoreDNSSnapshotConfirmation(t *testing.T) {
	tests := []struct {
		name     string
		response mcp.ElicitationResponse
		applied  bool
	}{
		{"accepted", mcp.ElicitationResponse{Action: mcp.ElicitationResponseActionAccept, Content: map[string]any{"confirm": true}}, true},
		{"declined", mcp.ElicitationResponse{Action: mcp.ElicitationResponseActionDecline}, false},
		{"cancelled", mcp.ElicitationResponse{Action: mcp.ElicitationResponseActionCancel}, false},
	}
	for _, protocol := range []string{mcp.ProtocolVersion20251125, mcp.ProtocolVersion20260728} {
		for _, tc := range tests {
			t.Run(protocol+" "+tc.name, func(t *testing.T) {
				e := &elicitor{response: tc.response}
				h, a := newDNSHarness(t, allDNSScopes, withProtocol(protocol), withClient(client.WithElicitationHandler(e)))
				snap, err := h.fake.AddSnapshot(dnsZone, gandi.Snapshot{Name: "last week", ZoneData: []gandi.RecordSet{
					{Name: "@", Type: "A", TTL: 10800, Values: []string{"203.0.113.1"}},
				}})
				if err != nil {
					t.Fatal(err)
				}
				e.onAsk = func() {
					if w := h.writes(); len(w) != 0 {
						t.Errorf("written before the person answered: %v", requestLines(w))
					}
				}
				before := zoneText(t, h)
				_, res, out := h.planAndRestore(t, a, snap.ID)
				q := e.questions()
				if len(q) != 1 {
					t.Fatalf("asked %d times, want once", len(q))
				}
				if m := q[0].Message; !strings.Contains(m, "last week") || !strings.Contains(m, "delete MX @") || !strings.Contains(m, "snapshot") {
					t.Errorf("message %q does not say what the restore changes", m)
				}
				if !tc.applied {
					wantRestoreDiagnosis(t, res, out, tools.Declined)
					if w := h.writes(); len(w) != 0 {
						t.Errorf("writes: %v", requestLines(w))
					}
					if zoneText(t, h) != before {
						t.Error("the zone changed")
					}
					return
				}
				if res.IsError || !out.Applied {
					t.Fatalf("restore: %s", textOf(res))
				}
				if got, want := zoneText(t, h), setsText(snap.ZoneData); got != want {
					t.Errorf("zone\n%s\nwant\n%s", got, want)
				}
				if snaps := h.fake.Snapshots(dnsZone); len(snaps) < 2 || snaps[0].ID != out.SnapshotID || snaps[0].Name != "gandi-mcp: before restoring last week" {
					t.Errorf("restore point %+v, want the newest snapshot named after the one restored", snaps[0])
				}
			})
		}
	}
}

// TestRestoreDNSSnapshotRefusals: what cannot be restored says why, and changes nothing.
func TestRestoreDNSSnapshotRefusals(t *testing.T) {
	t.Run("ids that are not snapshot ids, before any request", func(t *testing.T) {
		h, a := newDNSHarness(t, allDNSScopes)
		for _, id := range []string{"latest", "../records", "gandi-mcp: before mail A", "3f2b8c1e-4d5a-4b6c-9e7f-0a1b2c3d4e5", "3f2b8c1e/4d5a-4b6c-9e7f-0a1b2c3d4e5f", "3f2b8c1e-4d5a-4b6c-9e7f-0a1b2c3d4e5g"} {
			h.fake.ResetRequests()
			res, out := h.restoreDNS(t, a, restoreArgs{FQDN: dnsZone, SnapshotID: id})
			wantRestoreDiagnosis(t, res, out, tools.InvalidInput)
			if s := out.Troubleshooting.Summary; !strings.Contains(s, "snapshot_id") || !strings.Contains(s, "UUID") || !strings.Contains(s, "list_dns_snapshots") {
				t.Errorf("%q: summary %q does not say what an id is", id, s)
			}
			if rs := h.fake.Requests(); len(rs) != 0 {
				t.Errorf("%q: requests were made: %v", id, requestLines(rs))
			}
		}
	})
	t.Run("an unknown snapshot", func(t *testing.T) {
		h, a := newDNSHarness(t, allDNSScopes)
		res, out := h.restoreDNS(t, a, restoreArgs{FQDN: dnsZone, SnapshotID: "3f2b8c1e-4d5a-4b6c-9e7f-0a1b2c3d4e5f"})
		wantRestoreDiagnosis(t, res, out, tools.NotFound)
		if s := strings.Join(out.Troubleshooting.NextSteps, " "); !strings.Contains(s, "list_dns_snapshots") {
			t.Errorf("next steps %q do not name list_dns_snapshots", s)
		}
		if !strings.Contains(out.Troubleshooting.Summary, "3f2b8c1e-4d5a-4b6c-9e7f-0a1b2c3d4e5f") {
			t.Errorf("summary %q does not name the snapshot", out.Troubleshooting.Summary)
		}
	})
	t.Run("a domain whose DNS is elsewhere", func(t *testing.T) {
		h, a := newDNSHarness(t, allDNSScopes)
		res, out := h.restoreDNS(t, a, restoreArgs{FQDN: "elsewhere.example", SnapshotID: "3f2b8c1e-4d5a-4b6c-9e7f-0a1b2c3d4e5f"})
		wantRestoreDiagnosis(t, res, out, tools.DNSNotHosted)
	})
	t.Run("restore_point_failed writes nothing", func(t *testing.T) {
		h, a := newDNSHarness(t, allDNSScopes)
		snap, err := h.fake.AddSnapshot(dnsZone, gandi.Snapshot{Name: "before", ZoneData: dnsRecords()[:2]})
		if err != nil {
			t.Fatal(err)
		}
		h.fake.Inject(ganditest.Fault{Method: http.MethodPost, Path: "/v5/livedns/domains/example.com/snapshots", Status: http.StatusInternalServerError})
		before := zoneText(t, h)
		_, res, out := h.planAndRestore(t, a, snap.ID)
		wantRestoreDiagnosis(t, res, out, tools.RestorePointFailed)
		for _, r := range h.writes() {
			if r.Method != http.MethodPost {
				t.Errorf("written without a restore point: %s %s", r.Method, r.Path)
			}
		}
		if zoneText(t, h) != before {
			t.Error("the zone changed")
		}
		if strings.Contains(textOf(res), "no_snapshot") {
			t.Errorf("the diagnosis offers no_snapshot, which restore_dns_snapshot does not take: %s", textOf(res))
		}
	})
	t.Run("Gandi refuses the zone's PUT", func(t *testing.T) {
		h, a := newDNSHarness(t, allDNSScopes)
		snap, err := h.fake.AddSnapshot(dnsZone, gandi.Snapshot{Name: "before", ZoneData: dnsRecords()[:2]})
		if err != nil {
			t.Fatal(err)
		}
		h.fake.Inject(ganditest.Fault{Method: http.MethodPut, Path: "/v5/livedns/domains/example.com/records", Status: http.StatusInternalServerError})
		before := zoneText(t, h)
		_, res, out := h.planAndRestore(t, a, snap.ID)
		wantRestoreDiagnosis(t, res, out, tools.GandiUnavailable)
		if zoneText(t, h) != before {
			t.Error("the zone changed")
		}
		if out.SnapshotID == "" || !strings.HasPrefix(out.Troubleshooting.Summary, "No write succeeded") {
			t.Errorf("snapshot_id %q, summary %q: want the restore point and that nothing was written", out.SnapshotID, out.Troubleshooting.Summary)
		}
		for _, c := range out.Changes {
			if c.Status != "failed" {
				t.Errorf("%s %s status %q, want failed", c.Name, c.Type, c.Status)
			}
		}
	})
	t.Run("a token that may only read", func(t *testing.T) {
		h, a := newDNSHarness(t, []string{"domain:view"})
		snap, err := h.fake.AddSnapshot(dnsZone, gandi.Snapshot{ZoneData: dnsRecords()[:2]})
		if err != nil {
			t.Fatal(err)
		}
		_, res, out := h.planAndRestore(t, a, snap.ID)
		wantRestoreDiagnosis(t, res, out, tools.MissingScope)
		for _, r := range h.writes() {
			if r.Method == http.MethodPut {
				t.Errorf("written after the refused snapshot: %s %s", r.Method, r.Path)
			}
		}
	})
	t.Run("nothing to restore", func(t *testing.T) {
		h, a := newDNSHarness(t, allDNSScopes)
		snap, err := h.fake.AddSnapshot(dnsZone, gandi.Snapshot{Name: "now"}) // the zone as it is
		if err != nil {
			t.Fatal(err)
		}
		h.fake.ResetRequests()
		plan, res, out := h.planAndRestore(t, a, snap.ID)
		if len(plan.Changes) != 0 || !slices.ContainsFunc(plan.Notes, func(n string) bool { return strings.Contains(n, "already equals the snapshot") }) {
			t.Errorf("plan changes %+v notes %q", plan.Changes, plan.Notes)
		}
		if res.IsError || out.Applied {
			t.Errorf("apply: applied %v: %s", out.Applied, textOf(res))
		}
		if w := h.writes(); len(w) != 0 {
			t.Errorf("writes: %v", requestLines(w))
		}
	})
}

// TestRestoreDNSSnapshotReadBack: a zone that reads back otherwise than the snapshot is reported.
func TestRestoreDNSSnapshotReadBack(t *testing.T) {
	h, a := newDNSHarness(t, allDNSScopes)
	snap, err := h.fake.AddSnapshot(dnsZone, gandi.Snapshot{ZoneData: []gandi.RecordSet{{Name: "mail", Type: "A", TTL: 10800, Values: []string{"203.0.113.5"}}}})
	if err != nil {
		t.Fatal(err)
	}
	// The third read of the zone is the read-back, after the plan's and the apply's.
	h.fake.Inject(ganditest.Fault{Method: http.MethodGet, Path: "/v5/livedns/domains/example.com/records", Skip: 2, Times: 1,
		Rewrite: func(_ *http.Request, _ http.Header, body []byte) []byte {
			return []byte(strings.ReplaceAll(string(body), "203.0.113.5", "203.0.113.6"))
		}})
	_, res, out := h.planAndRestore(t, a, snap.ID)
	if res.IsError || !out.Applied {
		t.Fatalf("restore: %s", textOf(res))
	}
	for _, c := range out.Changes {
		want := "applied"
		if c.Name == "mail" {
			want = "mismatch"
		}
		if c.Status != want {
			t.Errorf("%s %s status %q, want %s", c.Name, c.Type, c.Status, want)
		}
	}
}
