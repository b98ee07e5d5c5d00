package ganditest

import (
	"math"
	"net/http"
	"strings"
	"time"
)

// The domain routes besides the list:
//
//   - GET /v5/domain/domains/{fqdn}: the details of a stored domain, built from it
//     (autorenew with its duration, one year unless set, the /nameservers hosts, the renewal window from
//     renew_begins_at to hold_ends_at, the owner contact from its organization); needs
//     domain:view; 404 for a name the token cannot see or the fake does not hold.
//   - GET /v5/domain/check?name=...&currency=...: any valid token (no scope). Priced
//     TLDs are those of CheckPrices; PremiumName is available at a premium price; a
//     stored domain (whoever sees it) and the names of TakenNames are "unavailable";
//     another TLD is "error". currency is EUR (the default), USD or GBP.

// CheckPrices are the fake's yearly registration prices before taxes, in EUR, by TLD.
var CheckPrices = map[string]float64{"com": 13.00, "net": 15.00, "org": 14.00, "fr": 8.00}

// PremiumName is the one name the fake sells at a premium price.
const PremiumName = "vip.com"

// PremiumPrice is PremiumName's yearly price before taxes, in EUR.
const PremiumPrice = 2400.00

// TakenNames are names registered elsewhere: check says "unavailable".
var TakenNames = []string{"example.com", "example.net", "example.org", "gandi.net", "google.com"}

// CheckTaxRate is the VAT the fake adds to a price.
const CheckTaxRate = 0.20

var checkCurrencies = map[string]float64{"EUR": 1, "USD": 1.10, "GBP": 0.85}

// routeDomain answers a domain's details and the availability check; ok is false for any other path.
func (s *Server) routeDomain(r *http.Request, t Token) (reply, bool) {
	if r.URL.Path == "/v5/domain/check" {
		if r.Method != http.MethodGet {
			return notAllowed(http.MethodGet), true
		}
		return s.check(r), true
	}
	segs, err := segments(r.URL.EscapedPath())
	if err != nil || len(segs) != 4 || segs[0] != "v5" || segs[1] != "domain" || segs[2] != "domains" || segs[3] == "" {
		return reply{}, false
	}
	if r.Method != http.MethodGet {
		return notAllowed(http.MethodGet), true
	}
	if !hasScope(t, "domain:view") {
		return errorReply(http.StatusForbidden), true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	i, ok := s.visibleDomain(t, segs[3])
	if !ok {
		return errorReply(http.StatusNotFound), true
	}
	return jsonReply(http.StatusOK, s.details(i)), true
}

// details is what GET /v5/domain/domains/{fqdn} says of s.domains[i]. Call with s.mu held.
func (s *Server) details(i int) map[string]any {
	d := s.domains[i]
	_, hosts := s.nameservers(i)
	autorenew := map[string]any{"enabled": d.AutoRenew, "org_id": d.SharingID}
	if d.AutoRenew || s.autorenewYears[strings.ToLower(d.FQDN)] > 0 {
		autorenew["duration"] = s.autoRenewYears(i)
	}
	dates := map[string]any{}
	put := func(k string, t *time.Time) {
		if t != nil {
			dates[k] = t.UTC().Format(time.RFC3339)
		}
	}
	put("created_at", d.Dates.CreatedAt)
	put("registry_created_at", d.Dates.RegistryCreatedAt)
	put("registry_ends_at", d.Dates.RegistryEndsAt)
	put("updated_at", d.Dates.UpdatedAt)
	put("hold_begins_at", d.Dates.HoldBeginsAt)
	put("hold_ends_at", d.Dates.HoldEndsAt)
	put("deletes_at", d.Dates.DeletesAt)
	if d.Dates.RenewBeginsAt != nil {
		put("renew_begins_at", d.Dates.RenewBeginsAt)
		end := d.Dates.HoldEndsAt
		if end == nil {
			end = d.Dates.RegistryEndsAt
		}
		put("renew_ends_at", end)
	}
	space := map[string]any{"id": d.SharingID, "type": "organization"}
	owner := map[string]any{"type": "individual", "orgname": d.DomainOwner}
	for _, o := range s.orgs {
		if o.ID != d.SharingID {
			continue
		}
		space["name"] = o.Name
		switch {
		case o.Orgname != "":
			owner = map[string]any{"type": "company", "orgname": o.Orgname, "email": o.Email}
		case o.Firstname != "" || o.Lastname != "":
			owner = map[string]any{"type": "individual", "given": o.Firstname, "family": o.Lastname, "email": o.Email}
		}
	}
	return map[string]any{
		"id": d.ID, "fqdn": d.FQDN, "fqdn_unicode": d.FQDNUnicode, "tld": d.TLD,
		"status": nonNil(d.Status), "nameservers": nonNil(hosts), "services": []string{"gandidns"},
		"tags": nonNil(d.Tags), "can_tld_lock": false, "sharing_space": space,
		"autorenew": autorenew, "dates": dates,
		"contacts": map[string]any{"owner": owner, "admin": owner, "bill": owner, "tech": owner},
		"href":     d.Href,
	}
}

// check serves GET /v5/domain/check for one name.
func (s *Server) check(r *http.Request) reply {
	q := r.URL.Query()
	name := strings.ToLower(strings.TrimSuffix(q.Get("name"), "."))
	if name == "" {
		return validationReply("querystring", "name", "is required")
	}
	currency := strings.ToUpper(q.Get("currency"))
	if currency == "" {
		currency = "EUR"
	}
	rate, ok := checkCurrencies[currency]
	if !ok {
		return validationReply("querystring", "currency", "must be one of EUR, USD, GBP")
	}
	if q.Get("processes") == "renew" {
		return s.renewCheck(name, currency, rate)
	}
	product := map[string]any{"name": name, "process": "create", "taxes": []any{}}
	tld := name[strings.LastIndexByte(name, '.')+1:]
	price, priced := CheckPrices[tld]
	s.mu.Lock()
	stored := false
	for _, d := range s.domains {
		if strings.EqualFold(d.FQDN, name) {
			stored = true
		}
	}
	s.mu.Unlock()
	kind := ""
	switch {
	case !priced || !strings.Contains(name, "."):
		product["status"] = "error"
	case stored || containsFold(TakenNames, name):
		product["status"] = "unavailable"
	case name == PremiumName:
		product["status"] = "available"
		price, kind = PremiumPrice, "premium"
	default:
		product["status"] = "available"
	}
	if product["status"] == "available" {
		before := round2(price * rate)
		p := map[string]any{"duration_unit": "y", "min_duration": 1, "max_duration": 10,
			"price_before_taxes": before, "price_after_taxes": round2(before * (1 + CheckTaxRate)), "discount": false}
		if kind != "" {
			p["type"] = kind
		}
		product["prices"] = []any{p}
		product["taxes"] = []any{map[string]any{"type": "service", "rate": CheckTaxRate * 100, "name": "vat"}}
	}
	return jsonReply(http.StatusOK, map[string]any{"currency": currency, "grid": "A", "products": []any{product}})
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }
