package ganditest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gandi-mcp/gandi-mcp/gandi"
)

// The renewal routes:
//
//   - GET /v5/domain/domains/{fqdn}/renew: the renewal terms (in_renew_period,
//     durations, minimum, maximum, prohibited, begins_at, ends_at); needs domain:view.
//     The period runs from renew_begins_at (open when unset) to hold_ends_at (else
//     registry_ends_at); the durations are 1 year up to what keeps the expiry within
//     ten years of now; clientRenewProhibited or serverRenewProhibited in the status
//     (or SetRenewTerms) prohibits it.
//   - POST /v5/domain/domains/{fqdn}/renew {"duration": N}: needs domain:renew. With
//     `Dry-Run: 1` it only checks: 200 {"status": "success"} or {"status": "error",
//     "errors": [...]}. Without, a renewal the terms allow moves registry_ends_at (and
//     the hold and delete dates) N years on and answers 202 {"message", "operation": {"id",
//     "href"}} with a Location header; one they do not allow is a 400.
//   - GET /v5/domain/check?name=FQDN&processes=renew: the renewal price of RenewPrices.
//
// 404 for a domain the token cannot see, on every route.

// RenewPrices are the fake's yearly renewal prices before taxes, in EUR, by TLD.
var RenewPrices = map[string]float64{"com": 15.00, "net": 17.00, "org": 16.00, "fr": 10.00}

// maxRegistrationYears is how far ahead of now a registry lets an expiry be.
const maxRegistrationYears = 10

// RenewTerms overrides what the fake computes of a domain's renewal terms.
type RenewTerms struct {
	Prohibited  bool  // renewal refused (as clientRenewProhibited)
	OutOfPeriod bool  // not in its renewal period
	Durations   []int // the allowed durations; nil keeps the computed ones
}

// DomainRenewal is a renewal the fake made (not a dry run).
type DomainRenewal struct {
	FQDN        string
	Years       int
	OperationID string
	EndsAt      time.Time // registry_ends_at after it
}

// renewals is the fake's renewal state.
type renewals struct {
	overrides map[string]RenewTerms // by lower-case fqdn
	done      []DomainRenewal
}

// SetRenewTerms overrides the renewal terms of a stored domain.
func (s *Server) SetRenewTerms(fqdn string, t RenewTerms) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.domainIndex(fqdn); err != nil {
		return err
	}
	if s.renewals.overrides == nil {
		s.renewals.overrides = map[string]RenewTerms{}
	}
	t.Durations = slices.Clone(t.Durations)
	s.renewals.overrides[strings.ToLower(fqdn)] = t
	return nil
}

// Renewals returns the renewals made (bought, not dry runs), in order.
func (s *Server) Renewals() []DomainRenewal {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.renewals.done)
}

// RegistryEndsAt returns a stored domain's registry_ends_at.
func (s *Server) RegistryEndsAt(fqdn string) (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i, err := s.domainIndex(fqdn)
	if err != nil || s.domains[i].Dates.RegistryEndsAt == nil {
		return time.Time{}, false
	}
	return *s.domains[i].Dates.RegistryEndsAt, true
}

// routeRenew answers /v5/domain/domains/{fqdn}/renew; ok is false for any other path.
func (s *Server) routeRenew(r *http.Request, t Token, body []byte) (reply, bool) {
	segs, err := segments(r.URL.EscapedPath())
	if err != nil || len(segs) != 5 || segs[0] != "v5" || segs[1] != "domain" || segs[2] != "domains" || segs[4] != "renew" {
		return reply{}, false
	}
	switch r.Method {
	case http.MethodGet:
		if !hasScope(t, "domain:view") {
			return errorReply(http.StatusForbidden), true
		}
	case http.MethodPost:
		if !hasScope(t, "domain:renew") {
			return errorReply(http.StatusForbidden), true
		}
	default:
		return notAllowed("GET, POST"), true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	i, ok := s.visibleDomain(t, segs[3])
	if !ok {
		return errorReply(http.StatusNotFound), true
	}
	terms := s.renewTerms(i, time.Now())
	if r.Method == http.MethodGet {
		return jsonReply(http.StatusOK, terms), true
	}
	dryRun := r.Header.Get("Dry-Run") == "1"
	problems := renewProblems(terms, body)
	switch {
	case dryRun && len(problems) > 0:
		return jsonReply(http.StatusOK, map[string]any{"status": "error", "errors": problems}), true
	case dryRun:
		return jsonReply(http.StatusOK, map[string]any{"status": "success"}), true
	case len(problems) > 0:
		return jsonReply(http.StatusBadRequest, map[string]any{"status": "error", "errors": problems}), true
	}
	var in struct{ Duration int }
	_ = json.Unmarshal(body, &in) // renewProblems read it already
	d := &s.domains[i]
	ends := time.Now().UTC().Truncate(time.Second)
	if d.Dates.RegistryEndsAt != nil {
		ends = *d.Dates.RegistryEndsAt
	}
	// renew_begins_at stays: the period, once open, stays open (as for most TLDs).
	for _, p := range []**time.Time{&d.Dates.HoldBeginsAt, &d.Dates.HoldEndsAt, &d.Dates.DeletesAt} {
		if *p != nil {
			v := (*p).AddDate(in.Duration, 0, 0)
			*p = &v
		}
	}
	ends = ends.AddDate(in.Duration, 0, 0)
	d.Dates.RegistryEndsAt = &ends
	op := newUUID()
	s.renewals.done = append(s.renewals.done, DomainRenewal{FQDN: d.FQDN, Years: in.Duration, OperationID: op, EndsAt: ends})
	href := s.URL + "/v5/domain/operations/" + op
	rep := jsonReply(http.StatusAccepted, map[string]any{
		"message":   "The renewal of " + d.FQDN + " is being processed.",
		"operation": map[string]any{"id": op, "href": href},
	})
	rep.header.Set("Location", href)
	return rep, true
}

// renewTerms is GET .../renew's answer for s.domains[i]. Call with s.mu held.
func (s *Server) renewTerms(i int, now time.Time) map[string]any {
	d := s.domains[i]
	begins := d.Dates.RenewBeginsAt
	ends := d.Dates.HoldEndsAt
	if ends == nil {
		ends = d.Dates.RegistryEndsAt
	}
	inPeriod := (begins == nil || !now.Before(*begins)) && (ends == nil || now.Before(*ends))
	prohibited := slices.Contains(d.Status, "clientRenewProhibited") || slices.Contains(d.Status, "serverRenewProhibited")
	left := 0
	if e := d.Dates.RegistryEndsAt; e != nil && e.After(now) {
		left = int(e.Sub(now).Hours()/(24*365.25)) + 1 // a year begun counts whole
	}
	var durations []int
	for y := 1; y <= 9 && left+y <= maxRegistrationYears; y++ {
		durations = append(durations, y)
	}
	if o, ok := s.renewals.overrides[strings.ToLower(d.FQDN)]; ok {
		prohibited = prohibited || o.Prohibited
		inPeriod = inPeriod && !o.OutOfPeriod
		if o.Durations != nil {
			durations = slices.Clone(o.Durations)
		}
	}
	if durations == nil {
		durations = []int{}
	}
	out := map[string]any{"in_renew_period": inPeriod, "durations": durations, "prohibited": prohibited}
	if len(durations) > 0 {
		out["minimum"], out["maximum"] = slices.Min(durations), slices.Max(durations)
	}
	if begins != nil {
		out["begins_at"] = begins.UTC().Format(time.RFC3339)
	}
	if ends != nil {
		out["ends_at"] = ends.UTC().Format(time.RFC3339)
	}
	return out
}

// renewProblems are the errors a renewal of body would meet under terms.
func renewProblems(terms map[string]any, body []byte) []gandi.FieldError {
	var in struct {
		Duration json.RawMessage `json:"duration"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return []gandi.FieldError{{Location: "body", Name: "body", Description: "is not a JSON object"}}
	}
	n, err := strconv.Atoi(string(bytes.TrimSpace(in.Duration)))
	if err != nil {
		return []gandi.FieldError{{Location: "body", Name: "duration", Description: "is required: an integer from 1 to 9"}}
	}
	var out []gandi.FieldError
	if terms["prohibited"] == true {
		out = append(out, gandi.FieldError{Location: "path", Name: "domain", Description: "renewal is prohibited for this domain"})
	}
	if terms["in_renew_period"] != true {
		out = append(out, gandi.FieldError{Location: "path", Name: "domain", Description: "is not in its renewal period"})
	}
	durations, _ := terms["durations"].([]int)
	if !slices.Contains(durations, n) {
		allowed := make([]string, len(durations))
		for i, d := range durations {
			allowed[i] = strconv.Itoa(d)
		}
		out = append(out, gandi.FieldError{Location: "body", Name: "duration",
			Description: fmt.Sprintf("%d is not allowed: must be one of [%s]", n, strings.Join(allowed, ", "))})
	}
	return out
}

// renewCheck is GET /v5/domain/check?processes=renew for one name: the renewal
// price of a stored domain, "error" for another name.
func (s *Server) renewCheck(name, currency string, rate float64) reply {
	product := map[string]any{"name": name, "process": "renew", "taxes": []any{}}
	tld := name[strings.LastIndexByte(name, '.')+1:]
	price, priced := RenewPrices[tld]
	s.mu.Lock()
	_, err := s.domainIndex(name)
	s.mu.Unlock()
	if err != nil || !priced {
		product["status"] = "error"
		return jsonReply(http.StatusOK, map[string]any{"currency": currency, "grid": "A", "products": []any{product}})
	}
	before := round2(price * rate)
	product["status"] = "unavailable" // registered: it can be renewed, not created
	product["prices"] = []any{map[string]any{"duration_unit": "y", "min_duration": 1, "max_duration": 9,
		"price_before_taxes": before, "price_after_taxes": round2(before * (1 + CheckTaxRate)), "discount": false}}
	product["taxes"] = []any{map[string]any{"type": "service", "rate": CheckTaxRate * 100, "name": "vat"}}
	return jsonReply(http.StatusOK, map[string]any{"currency": currency, "grid": "A", "products": []any{product}})
}
