package gandi

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// DomainDates are a domain's lifecycle dates; absent ones are nil.
type DomainDates struct {
	CreatedAt         *time.Time `json:"created_at,omitempty"`
	RegistryCreatedAt *time.Time `json:"registry_created_at,omitempty"`
	RegistryEndsAt    *time.Time `json:"registry_ends_at,omitempty"`
	UpdatedAt         *time.Time `json:"updated_at,omitempty"`
	RenewBeginsAt     *time.Time `json:"renew_begins_at,omitempty"`
	HoldBeginsAt      *time.Time `json:"hold_begins_at,omitempty"`
	HoldEndsAt        *time.Time `json:"hold_ends_at,omitempty"`
	DeletesAt         *time.Time `json:"deletes_at,omitempty"`
}

// Nameserver says who serves the domain's DNS: abc, livedns or other.
type Nameserver struct {
	Current string `json:"current"`
}

// SharingSpace is the organization a domain belongs to, as shown on the domain.
type SharingSpace struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
	Type string `json:"type,omitempty"`
}

// Domain is one item of GET /v5/domain/domains.
type Domain struct {
	ID           string        `json:"id"`
	FQDN         string        `json:"fqdn"`
	FQDNUnicode  string        `json:"fqdn_unicode"`
	TLD          string        `json:"tld"`
	Status       []string      `json:"status"`
	AutoRenew    bool          `json:"autorenew"`
	Tags         []string      `json:"tags"`
	Dates        DomainDates   `json:"dates"`
	Nameserver   Nameserver    `json:"nameserver"`
	Owner        string        `json:"owner"`
	OrgaOwner    string        `json:"orga_owner"`
	DomainOwner  string        `json:"domain_owner"`
	SharingID    string        `json:"sharing_id"`
	Href         string        `json:"href"`
	SharingSpace *SharingSpace `json:"sharing_space,omitempty"`
}

// DomainsQuery selects a page of domains; zero fields are not sent.
type DomainsQuery struct {
	Page       int    // from 1
	PerPage    int    // page size; at most 1000 domains of a page are kept
	FQDN       string // pattern with *, e.g. "example.*", "*.fr"
	TLD        string
	SortBy     string // fqdn, -fqdn, ...
	SharingID  string // organization id
	Nameserver string // abc, livedns or other
	ResellerID string // sent as resellee_id
}

func (q DomainsQuery) values() url.Values {
	v := url.Values{}
	if q.Page > 0 {
		v.Set("page", strconv.Itoa(q.Page))
	}
	if q.PerPage > 0 {
		v.Set("per_page", strconv.Itoa(q.PerPage))
	}
	set(v, "fqdn", q.FQDN)
	set(v, "tld", q.TLD)
	set(v, "sort_by", q.SortBy)
	set(v, "sharing_id", q.SharingID)
	set(v, "nameserver", q.Nameserver)
	set(v, "resellee_id", q.ResellerID)
	return v
}

// DomainPage is one page of domains and what the headers say about the rest.
type DomainPage struct {
	Domains []Domain
	Page    int // the page asked for, 1 when not given
	PerPage int // the per_page asked for, 0 when the server's default applied
	// TotalCount is the Total-Count header, -1 when missing or unparsable.
	TotalCount int
	// FilteredCount is the Filtered-Count header, -1 when missing or unparsable.
	FilteredCount int
	// NextURL and LastURL come from the Link header, "" when absent; pass
	// NextURL to DomainsURL for the next page.
	NextURL, LastURL string
	// Dropped counts the domains past PerPage (or past 1000) that the server
	// sent on this page: they were not kept.
	Dropped int
}

const domainsPath = "/v5/domain/domains"

// Domains lists one page of the domains the token can see (GET /v5/domain/domains).
func (c *Client) Domains(ctx context.Context, q DomainsQuery) (*DomainPage, error) {
	u, err := c.apiURL(domainsPath, q.values())
	if err != nil {
		return nil, err
	}
	return c.domains(ctx, u)
}

// DomainsURL fetches the page at a Link URL from a previous DomainPage,
// asking for page and perPage (each when positive) whatever the link says: a
// link can neither make a page larger than asked nor send the reader back. It
// refuses a URL that is not the domains route on the API host, so a link can
// never send the token elsewhere; that error wraps ErrBadResponse.
func (c *Client) DomainsURL(ctx context.Context, next string, page, perPage int) (*DomainPage, error) {
	base, err := url.Parse(strings.TrimRight(c.endpoints.APIURL, "/") + "/")
	if err != nil {
		return nil, fmt.Errorf("gandi: bad API URL: %w", err)
	}
	ref, err := url.Parse(next)
	if err != nil {
		return nil, fmt.Errorf("gandi: GET %s: %w: the Link header's next page is not a URL", domainsPath, ErrBadResponse)
	}
	u := base.ResolveReference(ref)
	if !strings.EqualFold(u.Scheme, base.Scheme) || !strings.EqualFold(u.Host, base.Host) {
		return nil, fmt.Errorf("gandi: GET %s: %w: the Link header's next page is on %s, not the API host %s: not followed, so the token was not sent there",
			domainsPath, ErrBadResponse, clipBytes(strings.ToLower(u.Scheme+"://"+u.Host), maxErrorName), base.Scheme+"://"+base.Host)
	}
	if want := strings.TrimRight(base.Path, "/") + domainsPath; u.Path != want {
		return nil, fmt.Errorf("gandi: GET %s: %w: the Link header's next page is %q, not %q: not followed",
			domainsPath, ErrBadResponse, clipBytes(u.Path, maxErrorName), want)
	}
	u.User, u.Fragment = nil, ""
	q := u.Query()
	if page > 0 {
		q.Set("page", strconv.Itoa(page))
	}
	if perPage > 0 {
		q.Set("per_page", strconv.Itoa(perPage))
	}
	u.RawQuery = q.Encode()
	return c.domains(ctx, u)
}

func (c *Client) domains(ctx context.Context, u *url.URL) (*DomainPage, error) {
	q := u.Query()
	perPage := atoiOr(q.Get("per_page"), 0)
	keep := maxPageItems
	if perPage > 0 {
		keep = min(perPage, maxPageItems)
	}
	ds := boundedList[Domain]{max: keep}
	h, err := c.do(ctx, request{method: http.MethodGet, url: u, out: &ds})
	if err != nil {
		return nil, err
	}
	if ds.items == nil {
		ds.items = []Domain{}
	}
	p := &DomainPage{
		Domains:       ds.items,
		Dropped:       ds.dropped,
		Page:          atoiOr(q.Get("page"), 1),
		PerPage:       perPage,
		TotalCount:    atoiOr(h.Get("Total-Count"), -1),
		FilteredCount: atoiOr(h.Get("Filtered-Count"), -1),
	}
	links := ParseLinks(h.Values("Link"))
	p.NextURL, p.LastURL = links["next"], links["last"]
	return p, nil
}

// maxPageItems is the most domains kept of one page: all of a page asked
// without per_page (Gandi's default is 100), and a bound on a per_page asked.
const maxPageItems = 1000

func atoiOr(s string, def int) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 0 {
		return def
	}
	return n
}

// ParseLinks reads RFC 8288 Link header values into a map from each rel to
// its URL; the first link wins for a rel.
func ParseLinks(values []string) map[string]string {
	links := map[string]string{}
	for _, v := range values {
		for v != "" {
			start := strings.IndexByte(v, '<')
			if start < 0 {
				break
			}
			end := strings.IndexByte(v[start:], '>')
			if end < 0 {
				break
			}
			target := v[start+1 : start+end]
			v = v[start+end+1:]
			params := v
			if i := strings.IndexByte(v, '<'); i >= 0 {
				params = v[:i]
			}
			v = v[len(params):]
			for _, p := range strings.Split(params, ";") {
				k, val, ok := strings.Cut(strings.TrimSpace(p), "=")
				if !ok || !strings.EqualFold(strings.TrimSpace(k), "rel") {
					continue
				}
				val = strings.Trim(strings.TrimSpace(strings.TrimRight(strings.TrimSpace(val), ",")), `"`)
				for _, rel := range strings.Fields(strings.ToLower(val)) {
					if _, seen := links[rel]; !seen {
						links[rel] = target
					}
				}
			}
		}
	}
	return links
}
