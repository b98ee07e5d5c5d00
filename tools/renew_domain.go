package tools

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/gandi-mcp/gandi-mcp/gandi"
)

// maxRenewYears bounds a renewal, as Gandi's reference does.
const maxRenewYears = 9

// RenewDomainInput is the domain to renew and for how long.
type RenewDomainInput struct {
	FQDN  string `json:"fqdn" jsonschema:"minLength=1,maxLength=253" jsonschema_description:"The domain to renew, e.g. example.com; a unicode name (café.fr) is accepted and converted."`
	Years int    `json:"years" jsonschema:"minimum=1,maximum=9" jsonschema_description:"Years to add to its registration, 1 to 9, among those Gandi allows for it now (the plan lists them)."`
	WriteArgs
}

func (in *RenewDomainInput) validate() error {
	var bad []string
	if _, err := parseFQDN(in.FQDN); err != nil {
		bad = append(bad, err.Error())
	}
	if in.Years < 1 || in.Years > maxRenewYears {
		bad = append(bad, fmt.Sprintf("years is %d: give the years to renew for, 1 to %d", in.Years, maxRenewYears))
	}
	if len(bad) > 0 {
		return invalidInput(strings.Join(bad, "; "))
	}
	return nil
}

// RenewDomainOutput is the renewal planned, or what the apply bought.
type RenewDomainOutput struct {
	FQDN string `json:"fqdn,omitempty" jsonschema_description:"The domain, in ASCII."`
	// Renewable is a pointer so that it is absent when the terms could not be read.
	Renewable    *bool         `json:"renewable,omitempty" jsonschema_description:"Whether Gandi allows renewing it now (in its renewal period and not prohibited)."`
	AllowedYears []int         `json:"allowed_years,omitempty" jsonschema_description:"The durations, in years, Gandi allows for a renewal now."`
	RenewFrom    *time.Time    `json:"renew_from,omitempty" jsonschema_description:"When its renewal period begins, when Gandi says."`
	RenewUntil   *time.Time    `json:"renew_until,omitempty" jsonschema_description:"When its renewal period ends, when Gandi says."`
	Price        *RenewalPrice `json:"price,omitempty" jsonschema_description:"What the renewal costs, when Gandi gives a price."`
	ExpiresAt    *time.Time    `json:"expires_at,omitempty" jsonschema_description:"The expiry Gandi reports now; after an apply, read back from Gandi after the renewal."`
	ExpiresAfter *time.Time    `json:"expires_after_renewal,omitempty" jsonschema_description:"The expiry the renewal leads to: expires_at before it plus years."`
	OperationID  string        `json:"operation_id,omitempty" jsonschema_description:"After an apply: the id of the operation Gandi opened for the renewal."`
	PlanResult
	Common
}

// RenewalPrice is the price of one renewal.
type RenewalPrice struct {
	Amount        float64 `json:"amount" jsonschema_description:"The whole renewal's price: per_year times years."`
	PerYear       float64 `json:"per_year"`
	Currency      string  `json:"currency,omitempty"`
	Years         int     `json:"years"`
	TaxesIncluded bool    `json:"taxes_included" jsonschema_description:"True when the amounts include taxes (Gandi's price after taxes)."`
}

func (p *RenewalPrice) words() string {
	taxes := "before taxes"
	if p.TaxesIncluded {
		taxes = "taxes included"
	}
	return strings.TrimSpace(strconv.FormatFloat(p.Amount, 'f', 2, 64)+" "+p.Currency) + " (" + taxes + ")"
}

// renewScopes are what buying a renewal needs; the plan's reads need domain:view.
var renewScopes = []string{"domain:renew"}

// renewProfile is a purchase: it changes something and cannot be undone, but
// destroys nothing, and a second call buys again.
var renewProfile = profile{readOnly: false, destructive: false, idempotent: false, openWorld: true}

// RenewDomain is the renew_domain tool.
func RenewDomain(d *Deps) Tool {
	return define[RenewDomainInput, RenewDomainOutput](d, spec{
		name:  "renew_domain",
		title: "Renew a domain (a purchase)",
		description: "Renews a domain for 1 to 9 years: a purchase, charged to the account, that cannot be undone. Without apply it only " +
			"plans: it reads the renewal terms, has Gandi check the renewal (Dry-Run, nothing bought), and returns whether it is " +
			"possible now, the allowed years, the price, the expiry before and after, and a plan_id. Show the price to the person; " +
			"only once they agree, call again with the same arguments, apply=true and the plan_id. Purchases are off unless the " +
			"server runs with --allow-purchases: an apply is then purchases_disabled.",
		profile: renewProfile,
		scopes:  []string{"domain:view", "domain:renew"},
	}, func(ctx context.Context, in RenewDomainInput) (*RenewDomainOutput, error) {
		return renewDomain(ctx, d, in)
	})
}

func renewDomain(ctx context.Context, d *Deps, in RenewDomainInput) (*RenewDomainOutput, error) {
	name, err := parseFQDN(in.FQDN)
	if err != nil {
		return nil, invalidInput(err.Error())
	}
	out := &RenewDomainOutput{FQDN: name.ascii}
	// Decided before any request: with purchases off, nothing but a plan reaches Gandi.
	if in.Apply && !d.AllowPurchases {
		return out, purchasesDisabled(name.ascii)
	}
	s, err := d.open(ctx)
	if err != nil {
		return out, err
	}
	canonical, w := canonicalArgs(in)
	run := writeRun{tool: "renew_domain", s: s, scopes: renewScopes, args: w, canonical: canonical}
	res, err := runWrite(ctx, d, run, func(ctx context.Context) (*writePlan, error) {
		return planRenewal(ctx, s, name, in.Years, out)
	})
	if res != nil {
		out.PlanResult = *res
	}
	return out, err
}

// planRenewal reads the domain's expiry, its renewal terms and price, and has Gandi
// check the renewal with Dry-Run; it fills out with what it read.
func planRenewal(ctx context.Context, s *session, name dnsDomain, years int, out *RenewDomainOutput) (*writePlan, error) {
	z := name.ascii
	det, err := s.client.DomainDetails(ctx, z)
	if err != nil {
		return nil, s.domainFail(ctx, err, name)
	}
	terms, err := s.client.RenewTerms(ctx, z)
	if err != nil {
		return nil, s.domainFail(ctx, err, name)
	}
	expires := det.Dates.RegistryEndsAt
	renewable := terms.InRenewPeriod && !terms.Prohibited
	out.Renewable, out.AllowedYears, out.ExpiresAt = &renewable, allowedYears(terms), expires
	out.RenewFrom, out.RenewUntil = terms.BeginsAt, terms.EndsAt
	if expires != nil {
		after := expires.AddDate(years, 0, 0)
		out.ExpiresAfter = &after
	}
	if !renewable {
		return nil, notRenewable(z, terms)
	}
	if !terms.Allows(years) {
		return nil, invalidInput(fmt.Sprintf("years %d is not a renewal Gandi allows for %s now: it allows %s", years, z, yearsWords(out.AllowedYears)))
	}
	check, err := s.client.RenewDryRun(ctx, z, years)
	if err != nil {
		return nil, s.fail(ctx, err, renewScopes, z)
	}
	if !check.OK() {
		return nil, dryRunRefused(z, years, check)
	}
	var warnings, notes []string
	if check.Warning != "" {
		warnings = append(warnings, "Gandi warns: "+check.Warning)
	}
	if a, err := s.client.RenewalPrice(ctx, gandi.RenewalPriceQuery{Name: z}); err != nil {
		s.d.logger().WarnContext(ctx, "renewal price not read", "fqdn", z, "error", err.Error())
		warnings = append(warnings, "Gandi's renewal price could not be read: check it in Gandi's admin before agreeing.")
	} else if out.Price = renewalPrice(a, z, years); out.Price == nil {
		warnings = append(warnings, "Gandi gave no renewal price for "+z+": check it in Gandi's admin before agreeing.")
	}
	from, to := "expires on a date Gandi does not give", fmt.Sprintf("that expiry plus %d year(s)", years)
	if expires != nil {
		from, to = "expires "+day(*expires), "expires "+day(*out.ExpiresAfter)
	}
	cost := "at a price Gandi did not give"
	if out.Price != nil {
		cost = "for " + out.Price.words()
	}
	summary := fmt.Sprintf("Renew %s for %d year(s) %s: %s → %s.", z, years, cost, strings.TrimPrefix(from, "expires "), strings.TrimPrefix(to, "expires "))
	notes = append(notes, "A renewal is a purchase: once applied it cannot be undone.")
	state, err := json.Marshal(struct {
		Expires *time.Time
		Terms   *gandi.RenewTerms
		Price   *RenewalPrice
	}{expires, terms, out.Price})
	if err != nil {
		return nil, fmt.Errorf("renew_domain: encode the plan's state: %w", err)
	}
	return &writePlan{
		object:   z,
		state:    string(state),
		changes:  []PlannedChange{{Name: "renewal", From: []string{from}, To: []string{to}, Summary: summary}},
		warnings: warnings,
		notes:    notes,
		confirm:  summary + " This is a purchase, charged to the account; it cannot be undone.",
		apply: func(ctx context.Context) ([]string, error) {
			return applyRenewal(ctx, s, name, years, out)
		},
		operation: func() string { return out.OperationID },
	}, nil
}

// applyRenewal buys the renewal, then reads the expiry back.
func applyRenewal(ctx context.Context, s *session, name dnsDomain, years int, out *RenewDomainOutput) ([]string, error) {
	z := name.ascii
	planned := out.ExpiresAfter
	r, err := s.client.Renew(ctx, z, years)
	var te *gandi.TransportError
	lost := errors.As(err, &te)
	if err != nil && !lost {
		return []string{statusFailed}, err
	}
	if r != nil {
		out.OperationID = r.OperationID
	}
	det, rerr := s.client.DomainDetails(ctx, z)
	if rerr != nil {
		s.d.logger().WarnContext(ctx, "expiry not read back after the renewal", "fqdn", z, "error", rerr.Error())
		out.Notes = append(out.Notes, "The expiry could not be read back after the renewal: check it with get_domain.")
	} else {
		out.ExpiresAt = det.Dates.RegistryEndsAt
	}
	moved := out.ExpiresAt != nil && planned != nil && out.ExpiresAt.Equal(*planned)
	if lost {
		if moved {
			return []string{statusApplied}, nil // the answer was lost, the renewal was made
		}
		// Whether it was bought is unknown: no status, and a diagnosis that says so.
		return []string{""}, &Failure{T: Troubleshooting{
			Diagnosis: GandiUnavailable,
			Summary:   "Gandi's answer to the renewal of " + z + " was lost (" + te.Error() + "): it may or may not have been bought.",
			NextSteps: []string{"Do not apply again now: in a few minutes, call get_domain and compare expires_at with the plan's expires_after_renewal.",
				"Plan again only if the expiry has not moved."},
		}}
	}
	if !moved && rerr == nil {
		out.Notes = append(out.Notes, "Gandi accepted the renewal; the expiry it reports has not reached the planned date yet (renewals are processed in the background): check get_domain in a few minutes.")
	}
	return []string{statusApplied}, nil
}

func allowedYears(t *gandi.RenewTerms) []int {
	if len(t.Durations) > 0 {
		return t.Durations
	}
	var out []int
	for y := max(1, t.Minimum); t.Maximum > 0 && y <= min(t.Maximum, maxRenewYears); y++ {
		out = append(out, y)
	}
	return out
}

func yearsWords(ys []int) string {
	if len(ys) == 0 {
		return "no duration"
	}
	words := make([]string, len(ys))
	for i, y := range ys {
		words[i] = strconv.Itoa(y)
	}
	return strings.Join(words, ", ") + " year(s)"
}

func day(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// renewalPrice reads Gandi's renewal price of years for z: the yearly price of the
// range that holds years (after taxes when given), times years; nil when none.
func renewalPrice(a *gandi.Availability, z string, years int) *RenewalPrice {
	var p *gandi.AvailabilityProduct
	for i := range a.Products {
		c := &a.Products[i]
		if strings.EqualFold(strings.TrimSuffix(c.Name, "."), z) && (c.Process == "" || c.Process == "renew") {
			p = c
			break
		}
	}
	if p == nil {
		return nil
	}
	for _, c := range p.Prices {
		if (c.DurationUnit != "" && c.DurationUnit != "y") || years < c.MinDuration || (c.MaxDuration > 0 && years > c.MaxDuration) {
			continue
		}
		out := &RenewalPrice{Currency: a.Currency, Years: years}
		switch {
		case c.PriceAfterTaxes != nil:
			out.PerYear, out.TaxesIncluded = *c.PriceAfterTaxes, true
		case c.PriceBeforeTaxes != nil:
			out.PerYear = *c.PriceBeforeTaxes
		default:
			continue
		}
		out.Amount = math.Round(out.PerYear*float64(years)*100) / 100
		return out
	}
	return nil
}

// notRenewable explains terms that allow no renewal now; nothing was bought.
func notRenewable(z string, t *gandi.RenewTerms) *Failure {
	var why []string
	if t.Prohibited {
		why = append(why, "its renewal is prohibited (a renew lock such as clientRenewProhibited, or the registry's)")
	}
	if !t.InRenewPeriod {
		period := "it is outside its renewal period"
		switch {
		case t.BeginsAt != nil && t.EndsAt != nil:
			period += " (" + day(*t.BeginsAt) + " to " + day(*t.EndsAt) + ")"
		case t.BeginsAt != nil:
			period += " (from " + day(*t.BeginsAt) + ")"
		}
		why = append(why, period)
	}
	return &Failure{T: Troubleshooting{
		Diagnosis: RequestRejected,
		Summary:   z + " cannot be renewed now: " + strings.Join(why, "; ") + ". Nothing was bought.",
		NextSteps: []string{"Tell the person; get_domain shows its renewal window and status.", "A prohibited renewal is lifted in Gandi's admin or by the registry."},
	}}
}

// dryRunRefused is Gandi's refusal of the renewal in its Dry-Run check; nothing was bought.
func dryRunRefused(z string, years int, r *gandi.DryRunResult) *Failure {
	return &Failure{T: Troubleshooting{
		Diagnosis:  RequestRejected,
		Summary:    fmt.Sprintf("Gandi would refuse renewing %s for %d year(s)%s. Nothing was bought.", z, years, fieldSummary(r.Errors)),
		NextSteps:  []string{"Read gandi_error.errors; correct years or tell the person why it cannot be renewed."},
		GandiError: &GandiError{Errors: r.Errors},
	}}
}

// purchasesDisabled refuses an apply of a purchase on a server started without them.
func purchasesDisabled(z string) *Failure {
	return &Failure{T: Troubleshooting{
		Diagnosis: PurchasesDisabled,
		Summary:   "Purchases are off on this server, so the renewal of " + z + " was not bought; nothing was sent to Gandi. Plans still work.",
		NextSteps: []string{
			"Tell the person: to allow purchases, restart gandi-mcp with --allow-purchases (or GANDI_MCP_ALLOW_PURCHASES=1 in its environment).",
			"Then plan again and apply with the new plan's plan_id once the person agrees to the price.",
		},
	}}
}
