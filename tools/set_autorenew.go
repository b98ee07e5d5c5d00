package tools

import (
	"context"
	"fmt"
	"time"

	"github.com/gandi-mcp/gandi-mcp/gandi"
)

// autorenewWarnDays is how close to its expiry a domain is when turning autorenew off
// deserves a warning: the person may not renew it by hand in time.
const autorenewWarnDays = 60

// SetAutoRenewInput is the domain and the automatic renewal it should have.
type SetAutoRenewInput struct {
	FQDN     string `json:"fqdn" jsonschema:"minLength=1,maxLength=253" jsonschema_description:"The domain, e.g. example.com; a unicode name (café.fr) is accepted and converted."`
	Enabled  *bool  `json:"enabled" jsonschema_description:"true: Gandi renews the domain by itself before it expires; false: it does not."`
	Duration *int   `json:"duration,omitempty" jsonschema:"minimum=1,maximum=9" jsonschema_description:"Years each automatic renewal adds, 1 to 9; omit to keep the domain's current duration (1 when it has none)."`
	WriteArgs
}

func (in *SetAutoRenewInput) validate() error {
	if _, err := parseFQDN(in.FQDN); err != nil {
		return invalidInput(err.Error())
	}
	if in.Enabled == nil {
		return invalidInput(`enabled is missing: give "enabled": true to have Gandi renew the domain by itself, or false to stop it`)
	}
	if d := in.Duration; d != nil && (*d < 1 || *d > gandi.MaxAutoRenewYears) {
		return invalidInput(fmt.Sprintf("duration %d is not a number of years Gandi renews for: give 1 to %d, or leave it out to keep the current duration", *d, gandi.MaxAutoRenewYears))
	}
	return nil
}

// SetAutoRenewOutput is the plan, or what the apply did.
type SetAutoRenewOutput struct {
	FQDN      string           `json:"fqdn,omitempty" jsonschema_description:"The domain, in ASCII."`
	AutoRenew *DomainAutoRenew `json:"autorenew,omitempty" jsonschema_description:"A plan: the autorenew now. After an apply: as Gandi reports it, read back."`
	ExpiresAt *time.Time       `json:"expires_at,omitempty" jsonschema_description:"The registry end date."`
	DaysLeft  *int             `json:"days_left,omitempty" jsonschema_description:"Whole days until expires_at."`
	PlanResult
	Common
}

// autorenewWriteScopes are what changing autorenew needs (our reading of the admin's "See
// and renew domain names"); reading the details needs domain:view.
var autorenewWriteScopes = []string{"domain:renew"}

// settingProfile is a change of one setting that the same call with the old value undoes.
var settingProfile = profile{readOnly: false, destructive: false, idempotent: true, openWorld: true}

// SetAutoRenew is the set_autorenew tool.
func SetAutoRenew(d *Deps) Tool {
	return define[SetAutoRenewInput, SetAutoRenewOutput](d, spec{
		name:  "set_autorenew",
		title: "Turn a domain's autorenew on or off",
		description: "Turns Gandi's automatic renewal of one domain on or off, and sets its duration in years. Without apply it " +
			"only plans: it reads the domain and returns the change (from, to), warnings (turning it off shortly before " +
			"expiry) and a plan_id; nothing changes. Show the plan to the person; once they agree, call again with the " +
			"same arguments, apply=true and the plan_id. The apply reads the setting back. The undo is this tool with " +
			"the old value, given in the plan's notes.",
		profile: settingProfile,
		scopes:  []string{"domain:view", "domain:renew"},
	}, func(ctx context.Context, in SetAutoRenewInput) (*SetAutoRenewOutput, error) {
		return setAutoRenew(ctx, d, in)
	})
}

func setAutoRenew(ctx context.Context, d *Deps, in SetAutoRenewInput) (*SetAutoRenewOutput, error) {
	name, err := parseFQDN(in.FQDN)
	if err != nil {
		return nil, invalidInput(err.Error())
	}
	s, err := d.open(ctx)
	if err != nil {
		return nil, err
	}
	out := &SetAutoRenewOutput{FQDN: name.ascii}
	canonical, w := canonicalArgs(in)
	run := writeRun{tool: "set_autorenew", s: s, scopes: autorenewWriteScopes, args: w, canonical: canonical}
	res, err := runWrite(ctx, d, run, func(ctx context.Context) (*writePlan, error) {
		return planAutoRenew(ctx, d, s, name, in, out)
	})
	if res != nil {
		out.PlanResult = *res
	}
	return out, err
}

// autorenewIs says whether a holds the setting enabled for years (the years of an
// autorenew that is off do not count).
func autorenewIs(a gandi.DomainAutoRenew, enabled bool, years int) bool {
	return a.Enabled == enabled && (!enabled || max(a.Duration, 1) == years)
}

// autorenewWords is a setting's value in short words: "off", "on, 1 year", "on, 3 years".
func autorenewWords(enabled bool, years int) []string {
	if !enabled {
		return []string{"off"}
	}
	return []string{fmt.Sprintf("on, %s", yearsWord(years))}
}

func yearsWord(n int) string {
	if n == 1 {
		return "1 year"
	}
	return fmt.Sprintf("%d years", n)
}

// planAutoRenew reads the domain's details once and plans the change of its autorenew.
func planAutoRenew(ctx context.Context, d *Deps, s *session, name dnsDomain, in SetAutoRenewInput, out *SetAutoRenewOutput) (*writePlan, error) {
	det, err := s.client.DomainDetails(ctx, name.ascii)
	if err != nil {
		return nil, s.domainFail(ctx, err, name)
	}
	now := d.now()
	cur := det.AutoRenew
	out.AutoRenew = &DomainAutoRenew{Enabled: cur.Enabled, Duration: cur.Duration}
	if e := det.Dates.RegistryEndsAt; e != nil {
		days := daysLeft(now, *e)
		out.ExpiresAt, out.DaysLeft = e, &days
	}
	enabled := *in.Enabled
	// The duration kept when none is given: Gandi's own, else one year.
	years := max(cur.Duration, 1)
	if in.Duration != nil {
		years = *in.Duration
	}
	from := autorenewWords(cur.Enabled, max(cur.Duration, 1))
	to := autorenewWords(enabled, years)
	change := PlannedChange{Name: "autorenew", From: from, To: to,
		Summary: fmt.Sprintf("autorenew of %s: %s → %s", name.ascii, from[0], to[0])}
	if autorenewIs(cur, enabled, years) {
		change.Summary = fmt.Sprintf("autorenew of %s stays %s", name.ascii, from[0])
	}
	p := &writePlan{
		object:  name.ascii,
		state:   fmt.Sprintf("autorenew %t %d", cur.Enabled, cur.Duration),
		changes: []PlannedChange{change},
		confirm: fmt.Sprintf("Turn autorenew of %s %s (now %s).", name.ascii, to[0], from[0]),
	}
	undo := fmt.Sprintf("To undo: set_autorenew with fqdn %s and enabled=%t", name.ascii, cur.Enabled)
	if cur.Enabled {
		undo += fmt.Sprintf(", duration=%d", max(cur.Duration, 1))
	}
	p.notes = append(p.notes, undo+" (its value now).")
	if cur.Enabled && !enabled && out.DaysLeft != nil && *out.DaysLeft <= autorenewWarnDays {
		verb, when := "expires", "in "+daysWord(*out.DaysLeft)
		if *out.DaysLeft < 0 {
			verb, when = "expired", daysWord(-*out.DaysLeft)+" ago"
		}
		p.warnings = append(p.warnings, fmt.Sprintf("%s %s on %s (%s): with autorenew off, Gandi will not renew it; "+
			"unless someone renews it by hand in time, it lapses and can be lost.", name.ascii, verb, day(*out.ExpiresAt), when))
	}
	body := gandi.AutoRenewChange{Enabled: enabled}
	if enabled || in.Duration != nil {
		body.Duration = years
	}
	p.apply = func(ctx context.Context) ([]string, error) {
		write := func(ctx context.Context) error { return s.client.SetAutoRenew(ctx, name.ascii, body) }
		holds := func(ctx context.Context) (bool, error) {
			back, err := s.client.DomainDetails(ctx, name.ascii)
			if err != nil {
				return false, err
			}
			out.AutoRenew = &DomainAutoRenew{Enabled: back.AutoRenew.Enabled, Duration: back.AutoRenew.Duration}
			return autorenewIs(back.AutoRenew, enabled, years), nil
		}
		return writeSetting(ctx, d, "autorenew", name.ascii, write, holds)
	}
	return p, nil
}

func daysWord(n int) string {
	if n == 1 {
		return "1 day"
	}
	return fmt.Sprintf("%d days", n)
}
