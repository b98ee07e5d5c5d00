package tools

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gandi-mcp/gandi-mcp/zone"
)

type fakeWriteInput struct {
	Object string `json:"object"`
	Value  int    `json:"value,omitempty"`
	WriteArgs
}

func TestPlanIDBindsToolArgumentsStateAndToken(t *testing.T) {
	args := func(in fakeWriteInput) []byte {
		raw, _ := canonicalArgs(in)
		return raw
	}
	key := planKey("pat_first-token-secret")
	base := planID(key, "change_x", args(fakeWriteInput{Object: "a", Value: 1}), "state1")
	if !strings.HasPrefix(base, "p1.") || len(base) != len("p1.")+16+1+22 {
		t.Fatalf("plan id %q is not p1.<16>.<22>", base)
	}
	if strings.Contains(base, "first-token") {
		t.Fatalf("plan id %q reveals the token", base)
	}
	for _, c := range []struct {
		name string
		id   string
		want planMismatch
	}{
		{"same plan, apply and plan_id set", planID(key, "change_x", args(fakeWriteInput{Object: "a", Value: 1, WriteArgs: WriteArgs{Apply: true, PlanID: "x"}}), "state1"), planMatches},
		{"other arguments", planID(key, "change_x", args(fakeWriteInput{Object: "a", Value: 2}), "state1"), planOfOtherArgs},
		{"other tool", planID(key, "change_y", args(fakeWriteInput{Object: "a", Value: 1}), "state1"), planOfOtherArgs},
		{"other token", planID(planKey("pat_second-token-secret"), "change_x", args(fakeWriteInput{Object: "a", Value: 1}), "state1"), planOfOtherArgs},
		{"state moved", planID(key, "change_x", args(fakeWriteInput{Object: "a", Value: 1}), "state2"), planStale},
		{"malformed", "p1.nonsense", planOfOtherArgs},
		{"empty", "", planOfOtherArgs},
		{"other version", "p2." + strings.TrimPrefix(base, "p1."), planOfOtherArgs},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := comparePlan(c.id, base); got != c.want {
				t.Errorf("comparePlan(%q, %q) = %v, want %v", c.id, base, got, c.want)
			}
		})
	}
}

func TestCanonicalArgsClearsOnlyTheWriteArguments(t *testing.T) {
	in := fakeWriteInput{Object: "a", Value: 3, WriteArgs: WriteArgs{Apply: true, PlanID: "p1.x.y"}}
	raw, w := canonicalArgs(in)
	if w.PlanID != "p1.x.y" || !w.Apply {
		t.Errorf("write arguments read as %+v", w)
	}
	if got := string(raw); got != `{"object":"a","value":3}` {
		t.Errorf("canonical arguments %s", got)
	}
	if !in.Apply || in.PlanID == "" {
		t.Error("canonicalArgs changed its caller's input")
	}
}

func TestFileJournal(t *testing.T) {
	t.Run("creates the file 0600 in a directory 0700 and appends lines", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "state", "gandi-mcp", "journal.jsonl")
		for i := range 2 {
			w, err := fileJournal{path}.Open()
			if err != nil {
				t.Fatal(err)
			}
			e := JournalEntry{Time: time.Unix(int64(i), 0).UTC(), Tool: "change_dns_records", Object: "example.com", PlanID: "p1.a.b",
				Changes: []PlannedChange{{Name: "www", Type: "TXT", After: &zone.Set{TTL: 300, Values: []string{`"pat_supersecret-value"`}}}},
				Result:  "ok", secrets: []string{"pat_supersecret-value"}}
			if err := w.Append(e); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n")
		if len(lines) != 2 {
			t.Fatalf("want 2 lines, got %q", raw)
		}
		var e map[string]any
		if err := json.Unmarshal([]byte(lines[1]), &e); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"time", "tool", "object", "environment", "plan_id", "changes", "result"} {
			if _, ok := e[k]; !ok {
				t.Errorf("journal line lacks %q: %s", k, lines[1])
			}
		}
		if strings.Contains(string(raw), "supersecret") {
			t.Errorf("journal holds the secret: %s", raw)
		}
		if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
			t.Errorf("journal mode %v, want 0600", fi.Mode().Perm())
		}
		if fi, _ := os.Stat(filepath.Dir(path)); fi.Mode().Perm() != 0o700 {
			t.Errorf("journal directory mode %v, want 0700", fi.Mode().Perm())
		}
	})
	t.Run("tightens a journal others can read", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "journal.jsonl")
		if err := os.WriteFile(path, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		w, err := fileJournal{path}.Open()
		if err != nil {
			t.Fatal(err)
		}
		_ = w.Close()
		if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
			t.Errorf("journal mode %v, want 0600", fi.Mode().Perm())
		}
	})
	for _, c := range []struct {
		name  string
		setup func(t *testing.T) string
	}{
		{"no path", func(t *testing.T) string { return "" }},
		{"a directory", func(t *testing.T) string { return t.TempDir() }},
		{"a link", func(t *testing.T) string {
			dir := t.TempDir()
			target := filepath.Join(dir, "elsewhere")
			if err := os.WriteFile(target, nil, 0o600); err != nil {
				t.Fatal(err)
			}
			link := filepath.Join(dir, "journal.jsonl")
			if err := os.Symlink(target, link); err != nil {
				t.Skip(err)
			}
			return link
		}},
		{"a directory that cannot be made", func(t *testing.T) string {
			file := filepath.Join(t.TempDir(), "file")
			if err := os.WriteFile(file, nil, 0o600); err != nil {
				t.Fatal(err)
			}
			return filepath.Join(file, "gandi-mcp", "journal.jsonl")
		}},
	} {
		t.Run("refuses "+c.name, func(t *testing.T) {
			_, err := fileJournal{c.setup(t)}.Open()
			var je *JournalError
			if !errors.As(err, &je) {
				t.Fatalf("Open = %v, want a *JournalError", err)
			}
			if f := journalTrouble(err); f.T.Diagnosis != JournalUnavailable {
				t.Errorf("diagnosis %s", f.T.Diagnosis)
			}
		})
	}
}

func TestConfirmedNeedsTrue(t *testing.T) {
	for _, c := range []struct {
		content any
		want    bool
	}{
		{map[string]any{"confirm": true}, true},
		{map[string]any{"confirm": false}, false},
		{map[string]any{"confirm": "yes"}, false},
		{map[string]any{}, false},
		{nil, false},
	} {
		if got := confirmed(c.content); got != c.want {
			t.Errorf("confirmed(%v) = %v, want %v", c.content, got, c.want)
		}
	}
}
