package gandi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"
)

// RenewTerms is GET /v5/domain/domains/{fqdn}/renew: whether and for how long a
// domain can be renewed now. Absent times are nil.
type RenewTerms struct {
	InRenewPeriod bool       `json:"in_renew_period"`
	Durations     []int      `json:"durations"`
	Minimum       int        `json:"minimum"`
	Maximum       int        `json:"maximum"`
	Prohibited    bool       `json:"prohibited"`
	BeginsAt      *time.Time `json:"begins_at,omitempty"`
	EndsAt        *time.Time `json:"ends_at,omitempty"`
}

// Allows says whether the terms allow a renewal of years: the listed durations when
// Gandi lists them, else the minimum to maximum range.
func (t *RenewTerms) Allows(years int) bool {
	if len(t.Durations) > 0 {
		for _, d := range t.Durations {
			if d == years {
				return true
			}
		}
		return false
	}
	return (t.Minimum == 0 || years >= t.Minimum) && (t.Maximum == 0 || years <= t.Maximum)
}

// RenewTerms reads a domain's renewal terms (GET /v5/domain/domains/{fqdn}/renew).
func (c *Client) RenewTerms(ctx context.Context, fqdn string) (*RenewTerms, error) {
	u, err := c.segmentsURL(domainDomains, fqdn, "renew")
	if err != nil {
		return nil, err
	}
	var t RenewTerms
	if _, err := c.do(ctx, request{method: http.MethodGet, url: u, out: &t}); err != nil {
		return nil, err
	}
	if t.Durations == nil {
		t.Durations = []int{}
	}
	return &t, nil
}

// DryRunResult is Gandi's answer to a request sent with `Dry-Run: 1`: whether it
// would be accepted, and the problems when not. Nothing is done either way.
type DryRunResult struct {
	Status  string       `json:"status"` // success or error
	Errors  []FieldError `json:"errors,omitempty"`
	Warning string       `json:"-"` // the Warning header, when Gandi sends one
}

// OK says whether Gandi would accept the request.
func (r *DryRunResult) OK() bool { return r.Status != "error" && len(r.Errors) == 0 }

// maxRenewYears bounds a renewal's duration, as Gandi's reference does.
const maxRenewYears = 9

func renewBody(years int) (any, error) {
	if years < 1 || years > maxRenewYears {
		return nil, fmt.Errorf("%w: duration %d: give 1 to %d years", ErrInvalidArgument, years, maxRenewYears)
	}
	return struct {
		Duration int `json:"duration"`
	}{years}, nil
}

// RenewDryRun asks Gandi whether renewing fqdn for years would be accepted
// (POST .../renew with `Dry-Run: 1`): nothing is bought. A refusal Gandi states
// as a 400 is returned as a DryRunResult with its errors, not as an error.
func (c *Client) RenewDryRun(ctx context.Context, fqdn string, years int) (*DryRunResult, error) {
	u, err := c.segmentsURL(domainDomains, fqdn, "renew")
	if err != nil {
		return nil, err
	}
	body, err := renewBody(years)
	if err != nil {
		return nil, err
	}
	var out DryRunResult
	h, err := c.do(ctx, request{method: http.MethodPost, url: u, body: body, out: &out, header: http.Header{"Dry-Run": {"1"}}})
	var ge *Error
	if errors.As(err, &ge) && ge.Status == http.StatusBadRequest && len(ge.Errors) > 0 {
		return &DryRunResult{Status: "error", Errors: ge.Errors, Warning: h.Get("Warning")}, nil
	}
	if err != nil {
		return nil, err
	}
	out.Warning = h.Get("Warning")
	return &out, nil
}

// Renewal is Gandi's answer to a renewal it accepted (202): its message and the
// id of the operation that carries it out, when Gandi gives one.
type Renewal struct {
	Message     string
	OperationID string
}

// Renew buys the renewal of fqdn for years (POST .../renew). Never retried: a
// second attempt could buy twice.
func (c *Client) Renew(ctx context.Context, fqdn string, years int) (*Renewal, error) {
	u, err := c.segmentsURL(domainDomains, fqdn, "renew")
	if err != nil {
		return nil, err
	}
	body, err := renewBody(years)
	if err != nil {
		return nil, err
	}
	var raw []byte
	h, err := c.do(ctx, request{method: http.MethodPost, url: u, body: body, raw: &raw})
	if err != nil {
		return nil, err
	}
	return renewalOf(raw, h.Get("Location")), nil
}

// renewalOf reads the operation from whatever shape the answer has: an "operation"
// that is an id, an object with an id or an href, an "operation_id" or "id" field,
// or else the Location header's last segment. The purchase is made whatever it says.
func renewalOf(raw []byte, location string) *Renewal {
	var body struct {
		Message     string          `json:"message"`
		Operation   json.RawMessage `json:"operation"`
		OperationID json.RawMessage `json:"operation_id"`
		ID          json.RawMessage `json:"id"`
	}
	_ = json.Unmarshal(raw, &body) // an unreadable body leaves the Location header
	r := &Renewal{Message: body.Message}
	var op struct {
		ID   json.RawMessage `json:"id"`
		Href string          `json:"href"`
	}
	if json.Unmarshal(body.Operation, &op) == nil && op.ID == nil && op.Href != "" {
		r.OperationID = lastSegment(op.Href)
	}
	for _, v := range []json.RawMessage{op.ID, body.Operation, body.OperationID, body.ID} {
		if r.OperationID != "" {
			break
		}
		r.OperationID = idText(v)
	}
	if r.OperationID == "" && location != "" {
		r.OperationID = lastSegment(location)
	}
	return r
}

// idText is a JSON string or number as text; "" for anything else.
func idText(v json.RawMessage) string {
	var s string
	if json.Unmarshal(v, &s) == nil {
		return strings.TrimSpace(s)
	}
	var n json.Number
	if json.Unmarshal(v, &n) == nil {
		return n.String()
	}
	return ""
}

func lastSegment(ref string) string {
	u, err := url.Parse(ref)
	if err != nil || u.Path == "" {
		return ""
	}
	base := path.Base(strings.TrimRight(u.Path, "/"))
	if base == "." || base == "/" {
		return ""
	}
	return base
}

// RenewalPriceQuery asks the price of renewing one domain; an empty Currency lets Gandi pick the account's.
type RenewalPriceQuery struct {
	Name     string
	Currency string
}

// RenewalPrice asks Gandi the price of renewing a domain
// (GET /v5/domain/check?name=FQDN&processes=renew).
func (c *Client) RenewalPrice(ctx context.Context, q RenewalPriceQuery) (*Availability, error) {
	return c.check(ctx, q.Name, q.Currency, "renew")
}
