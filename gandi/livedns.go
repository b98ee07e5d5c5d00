package gandi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ErrInvalidArgument is wrapped when a method is called with an argument that
// cannot be sent; no request is made.
var ErrInvalidArgument = errors.New("gandi: invalid argument")

// ErrListTooLong is wrapped when a listing goes on for more than MaxListPages
// pages or MaxListItems items: nothing of it is returned.
var ErrListTooLong = errors.New("gandi: listing too long")

// Bounds of what Records and Snapshots read, each page being bounded by
// Config.MaxBodyBytes too.
const (
	MaxListPages = 100
	MaxListItems = 20000
)

// RecordSet is one LiveDNS record set on the wire: every value of one name
// and type, with their TTL. Name is relative to the zone ("@" is the apex).
type RecordSet struct {
	Name   string   `json:"rrset_name"`
	Type   string   `json:"rrset_type"`
	TTL    int      `json:"rrset_ttl,omitempty"` // 0: not given (Gandi applies 10800)
	Values []string `json:"rrset_values"`
}

// LiveDNSDomain is GET /v5/livedns/domains/{fqdn}: the domain's zone on LiveDNS.
type LiveDNSDomain struct {
	FQDN               string `json:"fqdn"`
	DomainHref         string `json:"domain_href,omitempty"`
	DomainRecordsHref  string `json:"domain_records_href,omitempty"`
	DomainKeysHref     string `json:"domain_keys_href,omitempty"`
	AutomaticSnapshots bool   `json:"automatic_snapshots"`
}

// Snapshot is a LiveDNS snapshot of a zone. ZoneData is only filled by
// Client.Snapshot (one snapshot), not by the list.
type Snapshot struct {
	ID        string      `json:"id"`
	Name      string      `json:"name"`
	CreatedAt time.Time   `json:"created_at"` // zero when Gandi's answer did not say it readably
	Automatic bool        `json:"automatic"`
	Href      string      `json:"snapshot_href,omitempty"`
	ZoneData  []RecordSet `json:"zone_data,omitempty"`
}

// UnmarshalJSON reads created_at leniently: its exact format is not documented.
func (s *Snapshot) UnmarshalJSON(b []byte) error {
	type plain Snapshot
	var v struct {
		plain
		CreatedAt json.RawMessage `json:"created_at"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*s = Snapshot(v.plain)
	var when string
	if json.Unmarshal(v.CreatedAt, &when) == nil {
		s.CreatedAt = parseLenientTime(when)
	}
	return nil
}

// DomainLiveDNS is GET /v5/domain/domains/{fqdn}/livedns: who serves the
// domain's DNS and where its nameservers point.
type DomainLiveDNS struct {
	Current             string   `json:"current"` // livedns, classic, premium_dns or other
	Nameservers         []string `json:"nameservers"`
	DNSSECAvailable     bool     `json:"dnssec_available"`
	LiveDNSSECAvailable bool     `json:"livednssec_available"`
}

const (
	liveDNSDomains = "/v5/livedns/domains/"
	domainDomains  = "/v5/domain/domains/"
)

// checkSegment refuses what would change a route once put in a URL path, even
// escaped ("." and ".." are resolved by servers and proxies).
func checkSegment(what, s string) error {
	reason := ""
	switch {
	case s == "":
		reason = "is empty"
	case s == "." || s == "..":
		reason = "is a relative path"
	case strings.ContainsAny(s, `/\`):
		reason = "contains a slash"
	case strings.ContainsFunc(s, func(r rune) bool { return r < ' ' || r == 0x7f }):
		reason = "contains control characters"
	default:
		return nil
	}
	return fmt.Errorf("%w: %s %q %s: give one %s such as %s", ErrInvalidArgument, what, s, reason, what, map[string]string{
		"fqdn": `"example.com"`, "record name": `"www" or "@"`, "record type": `"A" or "TXT"`, "snapshot id": "an id from Snapshots",
	}[what])
}

// liveDNSURL is {api}/v5/livedns/domains/{fqdn} followed by escaped segments.
func (c *Client) liveDNSURL(fqdn string, segs ...string) (*url.URL, error) {
	return c.segmentsURL(liveDNSDomains, fqdn, segs...)
}

func (c *Client) segmentsURL(base, fqdn string, segs ...string) (*url.URL, error) {
	if err := checkSegment("fqdn", fqdn); err != nil {
		return nil, err
	}
	p := base + url.PathEscape(fqdn)
	for _, s := range segs {
		p += "/" + url.PathEscape(s)
	}
	return c.apiURL(p, nil)
}

// recordSetURL is the URL of one record set, after checking name and type.
func (c *Client) recordSetURL(fqdn, name, rtype string) (*url.URL, error) {
	if err := checkSegment("record name", name); err != nil {
		return nil, err
	}
	if err := checkSegment("record type", rtype); err != nil {
		return nil, err
	}
	return c.liveDNSURL(fqdn, "records", name, rtype)
}

// LiveDNSDomain reads the domain's zone on LiveDNS (GET /v5/livedns/domains/{fqdn}).
// A 404 *Error means the domain's DNS is not on LiveDNS or the token cannot see it.
func (c *Client) LiveDNSDomain(ctx context.Context, fqdn string) (*LiveDNSDomain, error) {
	u, err := c.liveDNSURL(fqdn)
	if err != nil {
		return nil, err
	}
	var d LiveDNSDomain
	if _, err := c.do(ctx, request{method: http.MethodGet, url: u, out: &d}); err != nil {
		return nil, err
	}
	return &d, nil
}

// Records reads every record set of the zone (GET .../records), following the
// pages when Gandi paginates, up to MaxListPages.
func (c *Client) Records(ctx context.Context, fqdn string) ([]RecordSet, error) {
	u, err := c.liveDNSURL(fqdn, "records")
	if err != nil {
		return nil, err
	}
	return listAll[RecordSet](ctx, c, u)
}

// RecordSet reads the record set of name and type (GET .../records/{name}/{type});
// a 404 *Error when there is none.
func (c *Client) RecordSet(ctx context.Context, fqdn, name, rtype string) (*RecordSet, error) {
	u, err := c.recordSetURL(fqdn, name, rtype)
	if err != nil {
		return nil, err
	}
	var rs RecordSet
	if _, err := c.do(ctx, request{method: http.MethodGet, url: u, out: &rs}); err != nil {
		return nil, err
	}
	return &rs, nil
}

// ZoneText reads the zone file as Gandi renders it (GET .../records with
// Accept: text/plain), bounded by Config.MaxBodyBytes.
func (c *Client) ZoneText(ctx context.Context, fqdn string) (string, error) {
	u, err := c.liveDNSURL(fqdn, "records")
	if err != nil {
		return "", err
	}
	var text []byte
	h, err := c.do(ctx, request{method: http.MethodGet, url: u, accept: "text/plain", raw: &text})
	if err != nil {
		return "", err
	}
	if mt, _, _ := mime.ParseMediaType(h.Get("Content-Type")); mt == "application/json" {
		return "", fmt.Errorf("gandi: GET %s: %w: asked for text/plain, got JSON", c.relativePath(u), ErrBadResponse)
	}
	return string(text), nil
}

// PutRecordSet creates or replaces the record set of name and type with
// values (PUT .../records/{name}/{type}); ttl 0 leaves it to Gandi. Never retried.
func (c *Client) PutRecordSet(ctx context.Context, fqdn, name, rtype string, ttl int, values []string) error {
	u, err := c.recordSetURL(fqdn, name, rtype)
	if err != nil {
		return err
	}
	if ttl < 0 {
		return fmt.Errorf("%w: ttl %d is negative: give seconds (300 to 2592000) or 0 for Gandi's default", ErrInvalidArgument, ttl)
	}
	if len(values) == 0 {
		return fmt.Errorf("%w: record set %s %s has no values: give at least one, or use DeleteRecordSet", ErrInvalidArgument, name, rtype)
	}
	body := struct {
		Values []string `json:"rrset_values"`
		TTL    int      `json:"rrset_ttl,omitempty"`
	}{values, ttl}
	_, err = c.do(ctx, request{method: http.MethodPut, url: u, body: body})
	return err
}

// DeleteRecordSet removes the record set of name and type
// (DELETE .../records/{name}/{type}); a 404 *Error when there is none. Never retried.
func (c *Client) DeleteRecordSet(ctx context.Context, fqdn, name, rtype string) error {
	u, err := c.recordSetURL(fqdn, name, rtype)
	if err != nil {
		return err
	}
	_, err = c.do(ctx, request{method: http.MethodDelete, url: u})
	return err
}

// ReplaceZone replaces every record of the zone with sets (PUT .../records
// {"items": sets}). Never retried.
func (c *Client) ReplaceZone(ctx context.Context, fqdn string, sets []RecordSet) error {
	u, err := c.liveDNSURL(fqdn, "records")
	if err != nil {
		return err
	}
	items := make([]RecordSet, 0, len(sets))
	for i, s := range sets {
		if s.Name == "" || s.Type == "" || len(s.Values) == 0 || s.TTL < 0 {
			return fmt.Errorf("%w: record set %d (%q %q) needs a name, a type, values and a TTL of 0 or more", ErrInvalidArgument, i, s.Name, s.Type)
		}
		items = append(items, s)
	}
	_, err = c.do(ctx, request{method: http.MethodPut, url: u, body: struct {
		Items []RecordSet `json:"items"`
	}{items}})
	return err
}

// Snapshots lists the zone's snapshots, newest first, without their records
// (GET .../snapshots, every page up to MaxListPages).
func (c *Client) Snapshots(ctx context.Context, fqdn string) ([]Snapshot, error) {
	u, err := c.liveDNSURL(fqdn, "snapshots")
	if err != nil {
		return nil, err
	}
	snaps, err := listAll[Snapshot](ctx, c, u)
	if err != nil {
		return nil, err
	}
	// Stable: snapshots made within one second keep Gandi's order.
	slices.SortStableFunc(snaps, func(a, b Snapshot) int { return b.CreatedAt.Compare(a.CreatedAt) })
	return snaps, nil
}

// Snapshot reads one snapshot with its records in ZoneData (GET .../snapshots/{id}).
func (c *Client) Snapshot(ctx context.Context, fqdn, id string) (*Snapshot, error) {
	if err := checkSegment("snapshot id", id); err != nil {
		return nil, err
	}
	u, err := c.liveDNSURL(fqdn, "snapshots", id)
	if err != nil {
		return nil, err
	}
	var s Snapshot
	if _, err := c.do(ctx, request{method: http.MethodGet, url: u, out: &s}); err != nil {
		return nil, err
	}
	if s.ZoneData == nil {
		s.ZoneData = []RecordSet{}
	}
	return &s, nil
}

// CreateSnapshot takes a snapshot of the zone named name ("" lets Gandi name
// it) and returns its id (POST .../snapshots). Never retried.
func (c *Client) CreateSnapshot(ctx context.Context, fqdn, name string) (string, error) {
	u, err := c.liveDNSURL(fqdn, "snapshots")
	if err != nil {
		return "", err
	}
	var out struct {
		ID string `json:"id"`
	}
	h, err := c.do(ctx, request{method: http.MethodPost, url: u, body: struct {
		Name string `json:"name,omitempty"`
	}{name}, out: &out})
	if err != nil {
		return "", err
	}
	if out.ID == "" {
		// The Location header names the new snapshot too.
		if loc, lerr := url.Parse(h.Get("Location")); lerr == nil && strings.Contains(loc.Path, "/snapshots/") {
			out.ID = path.Base(loc.Path)
		}
	}
	if out.ID == "" {
		return "", fmt.Errorf("gandi: POST %s: %w: no snapshot id in the answer", c.relativePath(u), ErrBadResponse)
	}
	return out.ID, nil
}

// DomainLiveDNS says who serves the domain's DNS and its nameservers
// (GET /v5/domain/domains/{fqdn}/livedns), for a domain not on LiveDNS.
func (c *Client) DomainLiveDNS(ctx context.Context, fqdn string) (*DomainLiveDNS, error) {
	u, err := c.segmentsURL(domainDomains, fqdn, "livedns")
	if err != nil {
		return nil, err
	}
	var d DomainLiveDNS
	if _, err := c.do(ctx, request{method: http.MethodGet, url: u, out: &d}); err != nil {
		return nil, err
	}
	if d.Nameservers == nil {
		d.Nameservers = []string{}
	}
	return &d, nil
}

// DomainNameservers lists the domain's nameservers at the registry
// (GET /v5/domain/domains/{fqdn}/nameservers).
func (c *Client) DomainNameservers(ctx context.Context, fqdn string) ([]string, error) {
	u, err := c.segmentsURL(domainDomains, fqdn, "nameservers")
	if err != nil {
		return nil, err
	}
	ns := []string{}
	if _, err := c.do(ctx, request{method: http.MethodGet, url: u, out: &ns}); err != nil {
		return nil, err
	}
	return ns, nil
}

// listAll reads a LiveDNS collection page after page: by its Link rel="next"
// when Gandi gives one, else by page number while Total-Count says more.
func listAll[T any](ctx context.Context, c *Client, u *url.URL) ([]T, error) {
	all := []T{}
	perPage := 0
	for page := 1; ; page++ {
		// Bounded while decoding, so that a huge answer cannot grow memory past the bound.
		items := boundedList[T]{max: MaxListItems - len(all)}
		h, err := c.do(ctx, request{method: http.MethodGet, url: u, out: &items})
		if err != nil {
			return nil, err
		}
		if items.dropped > 0 {
			return nil, fmt.Errorf("gandi: GET %s: %w: more than %d items", c.relativePath(u), ErrListTooLong, MaxListItems)
		}
		all = append(all, items.items...)
		if page == 1 {
			perPage = len(items.items)
		}
		next := ParseLinks(h.Values("Link"))["next"]
		total := atoiOr(h.Get("Total-Count"), -1)
		if len(items.items) == 0 || (next == "" && total <= len(all)) {
			return all, nil
		}
		if page >= MaxListPages {
			return nil, fmt.Errorf("gandi: GET %s: %w: more than %d pages", c.relativePath(u), ErrListTooLong, MaxListPages)
		}
		if next == "" {
			nu := *u
			q := nu.Query()
			q.Set("page", strconv.Itoa(page+1))
			q.Set("per_page", strconv.Itoa(perPage))
			nu.RawQuery = q.Encode()
			u = &nu
			continue
		}
		if u, err = c.sameRoute(u, next); err != nil {
			return nil, err
		}
	}
}

// sameRoute resolves a page link and refuses one that leaves u's origin or
// path, so that a link can never send the token elsewhere; the error wraps
// ErrBadResponse.
func (c *Client) sameRoute(u *url.URL, link string) (*url.URL, error) {
	path := c.relativePath(u)
	ref, err := url.Parse(link)
	if err != nil {
		return nil, fmt.Errorf("gandi: GET %s: %w: the Link header's next page is not a URL", path, ErrBadResponse)
	}
	n := u.ResolveReference(ref)
	if !strings.EqualFold(n.Scheme, u.Scheme) || !strings.EqualFold(n.Host, u.Host) {
		return nil, fmt.Errorf("gandi: GET %s: %w: the Link header's next page is on %s, not the API host %s: not followed, so the token was not sent there",
			path, ErrBadResponse, clipBytes(strings.ToLower(n.Scheme+"://"+n.Host), maxErrorName), u.Scheme+"://"+u.Host)
	}
	if n.EscapedPath() != u.EscapedPath() {
		return nil, fmt.Errorf("gandi: GET %s: %w: the Link header's next page is %q, not this route: not followed",
			path, ErrBadResponse, clipBytes(n.Path, maxErrorName))
	}
	n.User, n.Fragment = nil, ""
	return n, nil
}
