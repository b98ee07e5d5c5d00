package gandi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// DomainDetails is GET /v5/domain/domains/{fqdn}: one domain as its own page describes it.
// Fields Gandi may leave out are zero; autorenew is read whether Gandi sends an object or a bare boolean.
type DomainDetails struct {
	ID           string             `json:"id"`
	FQDN         string             `json:"fqdn"`
	FQDNUnicode  string             `json:"fqdn_unicode"`
	TLD          string             `json:"tld"`
	Status       []string           `json:"status"`
	Nameservers  []string           `json:"nameservers"`
	Nameserver   *Nameserver        `json:"nameserver,omitempty"` // not in the reference's details; used when present
	Services     []string           `json:"services"`
	Tags         []string           `json:"tags"`
	CanTLDLock   bool               `json:"can_tld_lock"`
	SharingSpace *SharingSpace      `json:"sharing_space,omitempty"`
	SharingID    string             `json:"sharing_id,omitempty"`
	AutoRenew    DomainAutoRenew    `json:"autorenew"`
	Dates        DomainDetailsDates `json:"dates"`
	Contacts     DomainContacts     `json:"contacts"`
}

// DomainAutoRenew is a domain's automatic renewal: whether it is on and for how many years.
type DomainAutoRenew struct {
	Enabled  bool        `json:"enabled"`
	Duration int         `json:"duration,omitempty"`
	Dates    []time.Time `json:"dates,omitempty"`
	OrgID    string      `json:"org_id,omitempty"`
}

// UnmarshalJSON accepts Gandi's object, a bare boolean (as the list's items carry), or null.
func (a *DomainAutoRenew) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*a = DomainAutoRenew{}
		return nil
	case bytes.Equal(b, []byte("true")), bytes.Equal(b, []byte("false")):
		*a = DomainAutoRenew{Enabled: b[0] == 't'}
		return nil
	}
	var raw struct {
		Enabled  bool            `json:"enabled"`
		Duration json.Number     `json:"duration"`
		Dates    json.RawMessage `json:"dates"`
		OrgID    string          `json:"org_id"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return fmt.Errorf("autorenew: %w", err)
	}
	*a = DomainAutoRenew{Enabled: raw.Enabled, OrgID: raw.OrgID}
	if n, err := raw.Duration.Int64(); err == nil && n > 0 && n < 100 {
		a.Duration = int(n)
	}
	// Dates are informative only: a shape we do not know is dropped rather than failing the domain.
	_ = json.Unmarshal(raw.Dates, &a.Dates)
	return nil
}

// DomainDetailsDates are the lifecycle dates of a domain's details; absent ones are nil.
type DomainDetailsDates struct {
	DomainDates
	RenewEndsAt         *time.Time `json:"renew_ends_at,omitempty"`
	PendingDeleteEndsAt *time.Time `json:"pending_delete_ends_at,omitempty"`
}

// DomainContacts are the domain's contacts; only the owner is read.
type DomainContacts struct {
	Owner *DomainContact `json:"owner,omitempty"`
}

// DomainContact is the part of a contact that names it.
type DomainContact struct {
	Type    json.RawMessage `json:"type,omitempty"` // a number or a word, depending on the API's age
	OrgName string          `json:"orgname,omitempty"`
	Given   string          `json:"given,omitempty"`
	Family  string          `json:"family,omitempty"`
	Email   string          `json:"email,omitempty"`
}

// DomainDetails fetches one domain (GET /v5/domain/domains/{fqdn}).
func (c *Client) DomainDetails(ctx context.Context, fqdn string) (*DomainDetails, error) {
	u, err := c.segmentsURL(domainDomains, fqdn)
	if err != nil {
		return nil, err
	}
	var d DomainDetails
	if _, err := c.do(ctx, request{method: http.MethodGet, url: u, out: &d}); err != nil {
		return nil, err
	}
	if d.Status == nil {
		d.Status = []string{}
	}
	if d.Nameservers == nil {
		d.Nameservers = []string{}
	}
	if d.Tags == nil {
		d.Tags = []string{}
	}
	return &d, nil
}

// Availability is GET /v5/domain/check's answer for one name.
type Availability struct {
	Currency string                `json:"currency"`
	Grid     string                `json:"grid,omitempty"`
	Products []AvailabilityProduct `json:"products"`
}

// AvailabilityProduct is one name's status and prices for one process (create, renew...).
type AvailabilityProduct struct {
	Name    string              `json:"name"`
	Status  string              `json:"status"`
	Process string              `json:"process,omitempty"`
	Prices  []AvailabilityPrice `json:"prices"`
}

// AvailabilityPrice is a price for a range of durations. PriceAfterTaxes is nil when Gandi omits it.
type AvailabilityPrice struct {
	DurationUnit     string   `json:"duration_unit"`
	MinDuration      int      `json:"min_duration"`
	MaxDuration      int      `json:"max_duration"`
	PriceBeforeTaxes *float64 `json:"price_before_taxes,omitempty"`
	PriceAfterTaxes  *float64 `json:"price_after_taxes,omitempty"`
	Discount         bool     `json:"discount"`
	Type             string   `json:"type,omitempty"` // e.g. premium
}

// CheckQuery asks about one name; an empty Currency lets Gandi pick the account's.
type CheckQuery struct {
	Name     string
	Currency string
}

// Check asks whether a name can be registered and at what price (GET /v5/domain/check).
func (c *Client) Check(ctx context.Context, q CheckQuery) (*Availability, error) {
	return c.check(ctx, q.Name, q.Currency, "")
}

// check is GET /v5/domain/check for one name; process, when set, asks the price of
// that process (renew) instead of a registration's.
func (c *Client) check(ctx context.Context, name, currency, process string) (*Availability, error) {
	if name == "" {
		return nil, fmt.Errorf("%w: empty name: give a domain name such as \"example.com\"", ErrInvalidArgument)
	}
	v := url.Values{"name": {name}}
	set(v, "processes", process)
	set(v, "currency", currency)
	u, err := c.apiURL("/v5/domain/check", v)
	if err != nil {
		return nil, err
	}
	var a Availability
	if _, err := c.do(ctx, request{method: http.MethodGet, url: u, out: &a}); err != nil {
		return nil, err
	}
	return &a, nil
}
