package tools

import (
	"context"
	"fmt"
	"strings"

	"github.com/gandi-mcp/gandi-mcp/gandi"
)

const (
	maxCheckedNames = 10 // names one check_availability call asks about
	// maxConcurrentChecks bounds the requests in flight at once: /check takes one name a
	// request, so every name of a call goes at once and a call waits one round trip, not three.
	maxConcurrentChecks = maxCheckedNames
)

// CheckAvailabilityInput is the names to check and, optionally, the currency of their prices.
type CheckAvailabilityInput struct {
	Names    []string `json:"names" jsonschema:"minItems=1,maxItems=10" jsonschema_description:"1 to 10 domain names, e.g. my-shop.fr; unicode names (café.fr) are accepted and converted."`
	Currency string   `json:"currency,omitempty" jsonschema:"minLength=3,maxLength=3" jsonschema_description:"ISO 4217 code of the prices, e.g. EUR or USD; default: the account's."`
}

// checkQuery is check_availability's input once checked.
type checkQuery struct {
	names    []dnsDomain
	currency string
}

func (in CheckAvailabilityInput) query() (checkQuery, error) {
	var bad []string
	q := checkQuery{currency: strings.ToUpper(in.Currency)}
	switch n := len(in.Names); {
	case n == 0:
		bad = append(bad, "names is empty: give 1 to 10 domain names such as \"my-shop.fr\"")
	case n > maxCheckedNames:
		bad = append(bad, fmt.Sprintf("names has %d names: give at most %d a call", n, maxCheckedNames))
	}
	seen := map[string]int{}
	for i, raw := range in.Names {
		d, err := parseDomainName(fmt.Sprintf("names[%d]", i), raw)
		if err != nil {
			bad = append(bad, err.Error())
			continue
		}
		if j, dup := seen[d.ascii]; dup {
			bad = append(bad, fmt.Sprintf("names[%d] %q is names[%d] again: give each name once", i, clip(raw), j))
			continue
		}
		seen[d.ascii] = i
		q.names = append(q.names, d)
	}
	if in.Currency != "" && (len(in.Currency) != 3 || strings.IndexFunc(in.Currency, func(r rune) bool {
		return (r < 'a' || r > 'z') && (r < 'A' || r > 'Z')
	}) >= 0) {
		bad = append(bad, fmt.Sprintf("currency %q is not a currency code: give three letters such as EUR or USD", clip(in.Currency)))
	}
	if len(bad) > 0 {
		return checkQuery{}, invalidInput(strings.Join(bad, "; "))
	}
	return q, nil
}

func (in CheckAvailabilityInput) validate() error {
	_, err := in.query()
	return err
}

// CheckAvailabilityOutput is each name's answer, in the order asked.
type CheckAvailabilityOutput struct {
	Results []NameAvailability `json:"results,omitempty" jsonschema_description:"One per name, in the order asked."`
	Common
}

// NameAvailability is whether one name can be registered, and its price.
type NameAvailability struct {
	Name        string `json:"name" jsonschema_description:"The name as Gandi checked it (punycode for a unicode name)."`
	NameUnicode string `json:"name_unicode,omitempty" jsonschema_description:"The name in unicode, only when it differs from name."`
	Available   bool   `json:"available" jsonschema_description:"True only when Gandi says it can be registered now (status available)."`
	Status      string `json:"status" jsonschema_description:"Gandi's status as given: available, unavailable, pending, error, unavailable_premium, available_reserved..."`
	Price       *Price `json:"price,omitempty" jsonschema_description:"The registration price for the shortest period, when Gandi gives one."`
	Premium     bool   `json:"premium,omitempty" jsonschema_description:"True when Gandi prices it as a premium name."`
}

// Price is a registration price for a period.
type Price struct {
	Amount        float64 `json:"amount"`
	Currency      string  `json:"currency,omitempty"`
	PeriodYears   int     `json:"period_years" jsonschema_description:"The period the amount pays for, in years."`
	TaxesIncluded bool    `json:"taxes_included" jsonschema_description:"True when amount includes taxes (Gandi's price after taxes)."`
}

// CheckAvailability is the check_availability tool.
func CheckAvailability(d *Deps) Tool {
	return define[CheckAvailabilityInput, CheckAvailabilityOutput](d, spec{
		name:  "check_availability",
		title: "Check whether domain names are free, and their price",
		description: "Asks Gandi, for 1 to 10 domain names, whether each can be registered now and at what price: per name, in the " +
			"order asked, available, Gandi's status, the registration price for the shortest period (amount, currency, years, " +
			"taxes included or not) and a premium flag. For 'is my-shop.fr free, and what does it cost?'. Read-only: it registers nothing.",
		profile: readProfile,
	}, func(ctx context.Context, in CheckAvailabilityInput) (*CheckAvailabilityOutput, error) {
		return checkAvailability(ctx, d, in)
	})
}

func checkAvailability(ctx context.Context, d *Deps, in CheckAvailabilityInput) (*CheckAvailabilityOutput, error) {
	q, err := in.query()
	if err != nil {
		return nil, err
	}
	s, err := d.open(ctx)
	if err != nil {
		return nil, err
	}
	out := &CheckAvailabilityOutput{Results: make([]NameAvailability, len(q.names))}
	err = parallel(ctx, len(q.names), maxConcurrentChecks, func(ctx context.Context, i int) error {
		n := q.names[i]
		a, err := s.client.Check(ctx, gandi.CheckQuery{Name: n.ascii, Currency: q.currency})
		if err != nil {
			return fmt.Errorf("check %s: %w", n.ascii, err)
		}
		out.Results[i] = availabilityOf(n, a)
		return nil
	})
	if err != nil {
		return nil, s.fail(ctx, err, nil, "")
	}
	return out, nil
}

// availabilityOf reads Gandi's answer for name: its product for name (the first when none
// names it) and, of its prices, the one for the shortest period in years.
func availabilityOf(name dnsDomain, a *gandi.Availability) NameAvailability {
	r := NameAvailability{Name: name.ascii, NameUnicode: name.unicode, Status: "unknown"}
	var p *gandi.AvailabilityProduct
	for i := range a.Products {
		if strings.EqualFold(strings.TrimSuffix(a.Products[i].Name, "."), name.ascii) {
			p = &a.Products[i]
			break
		}
	}
	if p == nil && len(a.Products) > 0 {
		p = &a.Products[0]
	}
	if p == nil {
		return r
	}
	if p.Status != "" {
		r.Status = p.Status
	}
	r.Available = p.Status == "available"
	var best *gandi.AvailabilityPrice
	for i := range p.Prices {
		c := &p.Prices[i]
		if (c.DurationUnit != "" && c.DurationUnit != "y") || (c.PriceAfterTaxes == nil && c.PriceBeforeTaxes == nil) {
			continue
		}
		if best == nil || c.MinDuration < best.MinDuration {
			best = c
		}
	}
	if best != nil {
		r.Price = &Price{Currency: a.Currency, PeriodYears: max(1, best.MinDuration)}
		if best.PriceAfterTaxes != nil {
			r.Price.Amount, r.Price.TaxesIncluded = *best.PriceAfterTaxes, true
		} else {
			r.Price.Amount = *best.PriceBeforeTaxes
		}
		r.Premium = best.Type == "premium"
	}
	if strings.Contains(p.Status, "premium") {
		r.Premium = true
	}
	return r
}
