package tools

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gandi-mcp/gandi-mcp/auth"
	"github.com/gandi-mcp/gandi-mcp/gandi"
)

// Bounds of list_domains' input. One call reads at most defaultBounds.pages
// pages of scanPerPage: 100 requests, a tenth of Gandi's 1000 a minute.
const (
	maxPerPage      = 100
	defaultPerPage  = 100
	scanPerPage     = 100
	maxExpiringDays = 3650    // ten years, the longest registration
	maxPage         = 1000000 // far past any portfolio; keeps page x per_page from overflowing
	maxFQDNPattern  = 253     // a domain name's longest length
	maxTLD          = 63      // a label's longest length
	maxSharingID    = 64      // an organization id is a 36-character UUID; leave room
	progressUpdates = 20      // progress notifications one call sends at most, when the total is known
	sortExpiry      = "expires_at"
)

// listBounds bound what one list_domains call reads and returns.
type listBounds struct {
	listed int // domains in one result, a multiple of scanPerPage: bounds what reaches a model's context
	pages  int // pages read for a filter or sort gandi-mcp applies itself
}

var defaultBounds = listBounds{listed: 10000, pages: 100}

// domainView is the scope listing domains needs.
var domainView = []string{"domain:view"}

// sortOrders are the accepted sort_by values; expiry is sorted here, fqdn by Gandi.
var sortOrders = []string{"fqdn", "-fqdn", sortExpiry, "-" + sortExpiry}

// ListDomainsInput selects which domains to list and how.
type ListDomainsInput struct {
	FQDN               string `json:"fqdn,omitempty" jsonschema:"maxLength=253" jsonschema_description:"Only names matching this pattern, where * stands for any run of characters: *.fr, shop-*, example.*. Letters (any script), digits, '-', '.' and '*'."`
	TLD                string `json:"tld,omitempty" jsonschema:"maxLength=63" jsonschema_description:"Only this top-level domain, e.g. fr or com."`
	SharingID          string `json:"sharing_id,omitempty" jsonschema:"maxLength=64" jsonschema_description:"Only the domains of this organization: its sharing_id, as list_sharing gives it."`
	SortBy             string `json:"sort_by,omitempty" jsonschema:"enum=fqdn,enum=-fqdn,enum=expires_at,enum=-expires_at" jsonschema_description:"fqdn or expires_at; a leading - reverses. expires_at reads every page (Gandi cannot sort by date), so it does not take page or per_page. Default: Gandi's order, or soonest expiry first with expiring_within_days."`
	Page               *int   `json:"page,omitempty" jsonschema:"minimum=1,maximum=1000000" jsonschema_description:"The page to read, from 1 (default 1). Not with all, expiring_within_days, autorenew, status, status_absent or sort_by expires_at, which read every page."`
	PerPage            *int   `json:"per_page,omitempty" jsonschema:"minimum=1,maximum=100" jsonschema_description:"Domains per page, 1 to 100 (default 100)."`
	All                bool   `json:"all,omitempty" jsonschema_description:"Read every page, several at once, in order; the result lists at most 10000 domains (100 pages)."`
	ExpiringWithinDays *int   `json:"expiring_within_days,omitempty" jsonschema:"minimum=0,maximum=3650" jsonschema_description:"Only domains whose registry end date is at most this many days (N x 24 hours) from now, boundary included; already expired ones are kept (days_left below 0). Reads every page (up to 10000 domains), soonest first unless sort_by says otherwise."`
	AutoRenew          *bool  `json:"autorenew,omitempty" jsonschema_description:"Only domains whose autorenew is on (true) or off (false); absent: both. Reads every page."`
	Status             string `json:"status,omitempty" jsonschema:"maxLength=64" jsonschema_description:"Only domains that have this EPP status, e.g. clientTransferProhibited (the transfer lock) or clientHold; any case. ok means no other status. Reads every page."`
	StatusAbsent       string `json:"status_absent,omitempty" jsonschema:"maxLength=64" jsonschema_description:"Only domains that do NOT have this EPP status, e.g. clientTransferProhibited for those without transfer lock; any case. Combines with status. Reads every page."`
}

// eppStatuses are the statuses a registry gives a domain: RFC 5731's, then RFC 3915's
// grace periods, which registries report beside them.
var eppStatuses = []string{
	"clientDeleteProhibited", "clientHold", "clientRenewProhibited", "clientTransferProhibited", "clientUpdateProhibited",
	"inactive", "ok",
	"pendingCreate", "pendingDelete", "pendingRenew", "pendingTransfer", "pendingUpdate",
	"serverDeleteProhibited", "serverHold", "serverRenewProhibited", "serverTransferProhibited", "serverUpdateProhibited",
	"addPeriod", "autoRenewPeriod", "renewPeriod", "transferPeriod", "redemptionPeriod", "pendingRestore",
}

// eppStatus is name spelled as the RFCs spell it, whatever its case; false when no such status exists.
func eppStatus(name string) (string, bool) {
	for _, s := range eppStatuses {
		if strings.EqualFold(s, strings.TrimSpace(name)) {
			return s, true
		}
	}
	return "", false
}

// domainFilter is what list_domains keeps that Gandi's list cannot filter on itself.
type domainFilter struct {
	autoRenew       *bool
	status, without string // EPP statuses, normalised; "" for none
}

func (in ListDomainsInput) filter() domainFilter {
	f := domainFilter{autoRenew: in.AutoRenew}
	f.status, _ = eppStatus(in.Status)
	f.without, _ = eppStatus(in.StatusAbsent)
	return f
}

func (f domainFilter) any() bool { return f.autoRenew != nil || f.status != "" || f.without != "" }

func (f domainFilter) keeps(d *DomainSummary) bool {
	return (f.autoRenew == nil || d.AutoRenew == *f.autoRenew) &&
		(f.status == "" || hasStatus(d.Status, f.status)) &&
		(f.without == "" || !hasStatus(d.Status, f.without))
}

// hasStatus says whether statuses hold want; ok is also the status of a domain listed
// with none, since RFC 5731 gives ok exactly when no other status is set.
func hasStatus(statuses []string, want string) bool {
	if want == "ok" {
		return !slices.ContainsFunc(statuses, func(s string) bool { return !strings.EqualFold(s, "ok") })
	}
	return slices.ContainsFunc(statuses, func(s string) bool { return strings.EqualFold(s, want) })
}

// keep filters ds in place, keeping the domains f keeps.
func (f domainFilter) keep(ds []DomainSummary) []DomainSummary {
	out := ds[:0]
	for i := range ds {
		if f.keeps(&ds[i]) {
			out = append(out, ds[i])
		}
	}
	return out
}

// scans says the call reads every page rather than one.
func (in ListDomainsInput) scans() bool {
	return in.All || in.ExpiringWithinDays != nil || byExpiry(in.SortBy) || in.filter().any()
}

func byExpiry(sortBy string) bool { return strings.TrimPrefix(sortBy, "-") == sortExpiry }

func (in ListDomainsInput) validate() error {
	var bad []string
	if p := in.PerPage; p != nil && (*p < 1 || *p > maxPerPage) {
		bad = append(bad, fmt.Sprintf("per_page must be between 1 and %d, not %d (all=true reads every page)", maxPerPage, *p))
	}
	if p := in.Page; p != nil && (*p < 1 || *p > maxPage) {
		bad = append(bad, fmt.Sprintf("page must be between 1 and %d, not %d", maxPage, *p))
	}
	if n := in.ExpiringWithinDays; n != nil && (*n < 0 || *n > maxExpiringDays) {
		bad = append(bad, fmt.Sprintf("expiring_within_days must be between 0 and %d (ten years), not %d", maxExpiringDays, *n))
	}
	if in.SortBy != "" && !slices.Contains(sortOrders, in.SortBy) {
		bad = append(bad, fmt.Sprintf("sort_by must be one of %s, not %q", strings.Join(sortOrders, ", "), clip(in.SortBy)))
	}
	if r, ok := badRune(in.FQDN, ".-*"); ok {
		bad = append(bad, fmt.Sprintf("fqdn may hold only letters, digits, '-', '.' and '*' (e.g. *.fr, shop-*), but %q has %q", clip(in.FQDN), r))
	} else if utf8.RuneCountInString(in.FQDN) > maxFQDNPattern {
		bad = append(bad, fmt.Sprintf("fqdn must be at most %d characters", maxFQDNPattern))
	}
	tld := strings.TrimPrefix(in.TLD, ".")
	if r, ok := badRune(tld, "-"); ok || utf8.RuneCountInString(tld) > maxTLD {
		why := fmt.Sprintf("at most %d characters", maxTLD)
		if ok {
			why = fmt.Sprintf("not %q", r)
		}
		bad = append(bad, fmt.Sprintf("tld must be a top-level domain like fr or com: letters, digits and '-', %s", why))
	}
	if !validSharingID(in.SharingID) {
		bad = append(bad, fmt.Sprintf("sharing_id must be an organization id (hex digits and '-', as list_sharing gives it), not %q", clip(in.SharingID)))
	}
	bad = append(bad, statusProblems(in.Status, in.StatusAbsent)...)
	if in.Page != nil || in.PerPage != nil {
		switch {
		case in.All:
			bad = append(bad, "all reads every page 100 at a time, so it takes neither page nor per_page: drop them, or drop all to read one page")
		case in.ExpiringWithinDays != nil:
			bad = append(bad, "expiring_within_days reads every page and returns every match, so it takes neither page nor per_page: drop them")
		case byExpiry(in.SortBy):
			bad = append(bad, "sort_by "+in.SortBy+" reads every page (Gandi cannot sort by date), so it takes neither page nor per_page: drop them, or sort by fqdn")
		case in.AutoRenew != nil || in.Status != "" || in.StatusAbsent != "":
			bad = append(bad, "autorenew, status and status_absent are applied over every page (Gandi cannot filter on them) and every match is returned, so they take neither page nor per_page: drop them")
		}
	}
	if len(bad) == 0 {
		return nil
	}
	return invalidInput(strings.Join(bad, "; "))
}

// statusProblems says what is wrong with list_domains' status and status_absent.
func statusProblems(status, absent string) []string {
	var bad []string
	for _, a := range []struct{ name, value string }{{"status", status}, {"status_absent", absent}} {
		if a.value == "" {
			continue
		}
		if _, ok := eppStatus(a.value); ok {
			continue
		}
		if rest, neg := strings.CutPrefix(strings.TrimSpace(a.value), "!"); neg && a.name == "status" {
			if s, ok := eppStatus(rest); ok {
				bad = append(bad, fmt.Sprintf("status %q: for domains without a status, give status_absent %q", clip(a.value), s))
				continue
			}
		}
		msg := fmt.Sprintf("%s %q is not an EPP status: give one of %s (any case)", a.name, clip(a.value), strings.Join(eppStatuses, ", "))
		switch {
		case !strings.HasPrefix(strings.TrimSpace(a.value), "!"):
		case a.name == "status":
			msg += ", without '!': a status that must be absent goes in status_absent"
		default:
			msg += ", without '!': status_absent already means absent"
		}
		bad = append(bad, msg)
	}
	s, okS := eppStatus(status)
	w, okW := eppStatus(absent)
	if okS && okW && s == w {
		bad = append(bad, fmt.Sprintf("status and status_absent both name %s, so nothing could match: give one of them", s))
	}
	return bad
}

// badRune returns the first rune of s that is not a letter, mark, digit or one of extra.
func badRune(s, extra string) (rune, bool) {
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsMark(r) && !unicode.IsDigit(r) && !strings.ContainsRune(extra, r) {
			return r, true
		}
	}
	return 0, false
}

func validSharingID(s string) bool {
	if len(s) > maxSharingID {
		return false
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f' || r >= 'A' && r <= 'F' || r == '-') {
			return false
		}
	}
	return true
}

// ListDomainsOutput is one page of domains, or every page read at once.
type ListDomainsOutput struct {
	Domains    []DomainSummary `json:"domains,omitempty"`
	SharingID  string          `json:"sharing_id,omitempty" jsonschema_description:"When every listed domain belongs to the same organization, its id, said once here rather than on each domain."`
	Owner      string          `json:"owner,omitempty" jsonschema_description:"When every listed domain has the same owner, that owner, said once here rather than on each domain."`
	Count      int             `json:"count,omitempty" jsonschema_description:"How many domains this result lists."`
	TotalCount *int            `json:"total_count,omitempty" jsonschema_description:"How many domains the token sees that match fqdn, tld and sharing_id, as Gandi counts them; absent when Gandi does not say."`
	Matching   *int            `json:"matching,omitempty" jsonschema_description:"With expiring_within_days, autorenew, status or status_absent: how many of the domains read match them all."`
	ExpiringBy *time.Time      `json:"expiring_by,omitempty" jsonschema_description:"With expiring_within_days: now plus N x 24 hours; domains whose registry end date is at or before it are kept."`
	Scanned    int             `json:"scanned,omitempty" jsonschema_description:"When every page is read: how many domains were read."`
	Page       int             `json:"page,omitempty"`
	PerPage    int             `json:"per_page,omitempty"`
	NextPage   int             `json:"next_page,omitempty" jsonschema_description:"The page to ask for next; absent on the last page."`
	Truncated  bool            `json:"truncated,omitempty" jsonschema_description:"True when the result does not cover every matching domain; notes say why and how to narrow."`
	Notes      []string        `json:"notes,omitempty" jsonschema_description:"What the list does not show, and why."`
	Common
}

// DomainSummary is what a person acts on about a domain; empty fields are left out.
type DomainSummary struct {
	FQDN        string     `json:"fqdn"`
	FQDNUnicode string     `json:"fqdn_unicode,omitempty" jsonschema_description:"The name in Unicode, only when it differs from fqdn."`
	TLD         string     `json:"tld,omitempty"`
	Status      []string   `json:"status,omitempty" jsonschema_description:"Registry statuses, e.g. clientTransferProhibited."`
	ExpiresAt   *time.Time `json:"expires_at,omitempty" jsonschema_description:"The registry end date (dates.registry_ends_at)."`
	DaysLeft    *int       `json:"days_left,omitempty" jsonschema_description:"Whole days until expires_at, rounded down; negative once past."`
	AutoRenew   bool       `json:"autorenew,omitempty" jsonschema_description:"True when Gandi renews it automatically; absent means off."`
	Nameserver  string     `json:"nameserver,omitempty" jsonschema_description:"Who serves its DNS: livedns, abc or other."`
	SharingID   string     `json:"sharing_id,omitempty" jsonschema_description:"The organization it belongs to; absent when the result's sharing_id names it for every domain."`
	Owner       string     `json:"owner,omitempty" jsonschema_description:"The Gandi user who owns it; absent when the result's owner names it for every domain."`
	Tags        []string   `json:"tags,omitempty"`
	ID          string     `json:"id,omitempty" jsonschema_description:"Gandi's id of the domain."`
}

// writeText writes list_domains' text content: the result's facts as "name: value"
// lines, then the domains as a tab-separated table. A listing goes into a model's
// context, and its JSON repeats every field name on every domain.
func (o *ListDomainsOutput) writeText(b *strings.Builder) {
	b.Grow(512 + 140*len(o.Domains)) // one allocation: a domain takes about 115 bytes
	var scratch [64]byte
	line := func(name, value string) {
		b.WriteString(name)
		b.WriteString(": ")
		writeCell(b, value)
		b.WriteByte('\n')
	}
	num := func(name string, n int) { line(name, strconv.Itoa(n)) }
	num("count", o.Count)
	if o.TotalCount != nil {
		num("total_count", *o.TotalCount)
	}
	if o.Matching != nil {
		num("matching", *o.Matching)
	}
	if o.ExpiringBy != nil {
		line("expiring_by", o.ExpiringBy.Format(time.RFC3339))
	}
	if o.Scanned > 0 {
		num("scanned", o.Scanned)
	}
	if o.Page > 0 {
		num("page", o.Page)
		num("per_page", o.PerPage)
	}
	if o.NextPage > 0 {
		num("next_page", o.NextPage)
	}
	if o.Truncated {
		line("truncated", "true")
	}
	if o.SharingID != "" {
		line("sharing_id", o.SharingID+" (every listed domain's organization)")
	}
	if o.Owner != "" {
		line("owner", o.Owner+" (every listed domain's owner)")
	}
	for _, n := range o.Notes {
		line("note", n)
	}
	if len(o.Domains) == 0 {
		b.WriteString("domains: none")
		return
	}
	var cols []domainColumn
	for _, c := range domainColumns {
		for i := range o.Domains {
			if c.always || len(c.cell(scratch[:0], &o.Domains[i])) > 0 {
				cols = append(cols, c)
				break
			}
		}
	}
	b.WriteString("domains, tab-separated (status and tags comma-separated; an empty cell is an absent field):\n")
	for i, c := range cols {
		if i > 0 {
			b.WriteByte('\t')
		}
		b.WriteString(c.name)
	}
	for i := range o.Domains {
		b.WriteByte('\n')
		for j, c := range cols {
			if j > 0 {
				b.WriteByte('\t')
			}
			b.Write(c.cell(scratch[:0], &o.Domains[i]))
		}
	}
}

// domainColumn is one column of list_domains' table: a DomainSummary field,
// left out when no listed domain has it (unless always).
type domainColumn struct {
	name   string
	always bool
	cell   func(b []byte, d *DomainSummary) []byte
}

// domainColumns are DomainSummary's fields, in its JSON order.
var domainColumns = []domainColumn{
	{"fqdn", true, func(b []byte, d *DomainSummary) []byte { return appendCell(b, d.FQDN) }},
	{"fqdn_unicode", false, func(b []byte, d *DomainSummary) []byte { return appendCell(b, d.FQDNUnicode) }},
	{"tld", false, func(b []byte, d *DomainSummary) []byte { return appendCell(b, d.TLD) }},
	{"status", false, func(b []byte, d *DomainSummary) []byte { return appendList(b, d.Status) }},
	{"expires_at", false, func(b []byte, d *DomainSummary) []byte {
		if d.ExpiresAt == nil {
			return b
		}
		return d.ExpiresAt.AppendFormat(b, time.RFC3339)
	}},
	{"days_left", false, func(b []byte, d *DomainSummary) []byte {
		if d.DaysLeft == nil {
			return b
		}
		return strconv.AppendInt(b, int64(*d.DaysLeft), 10)
	}},
	{"autorenew", true, func(b []byte, d *DomainSummary) []byte { return strconv.AppendBool(b, d.AutoRenew) }},
	{"nameserver", false, func(b []byte, d *DomainSummary) []byte { return appendCell(b, d.Nameserver) }},
	{"sharing_id", false, func(b []byte, d *DomainSummary) []byte { return appendCell(b, d.SharingID) }},
	{"owner", false, func(b []byte, d *DomainSummary) []byte { return appendCell(b, d.Owner) }},
	{"tags", false, func(b []byte, d *DomainSummary) []byte { return appendList(b, d.Tags) }},
	{"id", false, func(b []byte, d *DomainSummary) []byte { return appendCell(b, d.ID) }},
}

// appendCell appends s with tabs and line breaks made spaces, so that it stays one cell.
func appendCell(b []byte, s string) []byte {
	if !strings.ContainsAny(s, "\t\n\r") {
		return append(b, s...)
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\t', '\n', '\r':
			b = append(b, ' ')
		default:
			b = append(b, c)
		}
	}
	return b
}

func appendList(b []byte, items []string) []byte {
	for i, s := range items {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendCell(b, s)
	}
	return b
}

func writeCell(b *strings.Builder, s string) {
	if strings.ContainsAny(s, "\t\n\r") {
		s = string(appendCell(nil, s))
	}
	b.WriteString(s)
}

// ListDomains is the list_domains tool.
func ListDomains(d *Deps) Tool {
	return define[ListDomainsInput, ListDomainsOutput](d, spec{
		name:  "list_domains",
		title: "List Gandi domains",
		description: "Lists the domains the Gandi token can see, with what a person acts on: expiry date and days left, " +
			"autorenew, status, nameserver (livedns, abc or other), organization (sharing_id), owner, tags. " +
			"One page by default (page, per_page up to 100); all=true reads every page. " +
			"For 'what expires soon', use expiring_within_days=N: it reads every page and keeps the domains whose registry " +
			"end date is at most N days from now (already expired ones too), soonest first. sort_by expires_at also reads every page. " +
			"autorenew (true or false), status and status_absent (an EPP status such as clientTransferProhibited that must be present, " +
			"or absent) also read every page and keep only the matches, combined with the other filters: 'what expires this year " +
			"without autorenew' is expiring_within_days=365 with autorenew=false; matching counts them. " +
			"A result reads and lists at most 10000 domains (100 pages); notes say when that limit was hit. " +
			"fqdn (a pattern with *, e.g. *.fr), tld and sharing_id (from list_sharing) narrow the list. " +
			"Needs the domain:view scope; a token limited to some products sees only those.",
		profile: readProfile,
		scopes:  domainView,
	}, func(ctx context.Context, in ListDomainsInput) (*ListDomainsOutput, error) {
		return listDomains(ctx, d, in)
	})
}

func listDomains(ctx context.Context, d *Deps, in ListDomainsInput) (*ListDomainsOutput, error) {
	s, err := d.open(ctx)
	if err != nil {
		return nil, err
	}
	q := gandi.DomainsQuery{FQDN: in.FQDN, TLD: strings.TrimPrefix(in.TLD, "."), SharingID: in.SharingID}
	var out *ListDomainsOutput
	if in.scans() {
		out, err = scanDomains(ctx, d, s.client, q, in, defaultBounds)
	} else {
		out, err = pageOfDomains(ctx, d, s.client, q, in)
	}
	if err != nil {
		target := ""
		if in.SharingID != "" {
			target = "organization " + in.SharingID
		}
		return nil, s.fail(ctx, err, domainView, target)
	}
	out.Count = len(out.Domains)
	out.SharingID = hoist(out.Domains, func(d *DomainSummary) *string { return &d.SharingID })
	out.Owner = hoist(out.Domains, func(d *DomainSummary) *string { return &d.Owner })
	if out.Count == 0 {
		s.noteRestricted(ctx, &out.Notes)
	}
	return out, nil
}

// pageOfDomains reads the one page asked for, in Gandi's order.
func pageOfDomains(ctx context.Context, d *Deps, c *gandi.Client, q gandi.DomainsQuery, in ListDomainsInput) (*ListDomainsOutput, error) {
	q.Page, q.PerPage, q.SortBy = 1, defaultPerPage, in.SortBy
	if in.Page != nil {
		q.Page = *in.Page
	}
	if in.PerPage != nil {
		q.PerPage = *in.PerPage
	}
	p, err := c.Domains(ctx, q)
	if err != nil {
		return nil, err
	}
	now := d.now()
	out := &ListDomainsOutput{Page: q.Page, PerPage: q.PerPage}
	for _, dom := range p.Domains {
		out.Domains = append(out.Domains, summarize(dom, now))
	}
	total := matchCount(p)
	if total >= 0 {
		out.TotalCount = &total
	}
	if p.NextURL != "" || (total >= 0 && q.Page*q.PerPage < total) {
		out.NextPage = q.Page + 1
	}
	if n := len(p.Domains); n >= q.PerPage && headerless(p) {
		out.NextPage = q.Page + 1
		out.Notes = append(out.Notes, fmt.Sprintf("Gandi sent neither Total-Count nor Link with this full page, so there may be more: ask page=%d.", q.Page+1))
	}
	if p.Dropped > 0 {
		out.Truncated = true
		out.Notes = append(out.Notes, droppedNote(p.Dropped, 1, q.PerPage))
	}
	if len(p.Domains) == 0 && q.Page > 1 && total > 0 {
		out.Notes = append(out.Notes, fmt.Sprintf("Page %d is past the end: the %d domains fill %d page(s) of %d.",
			q.Page, total, ceilDiv(total, q.PerPage), q.PerPage))
	}
	return out, nil
}

// scanDomains reads every page (within the bounds), then filters, sorts and caps.
func scanDomains(ctx context.Context, d *Deps, c *gandi.Client, q gandi.DomainsQuery, in ListDomainsInput, b listBounds) (*ListDomainsOutput, error) {
	filter := in.filter()
	everything := in.ExpiringWithinDays != nil || byExpiry(in.SortBy) || filter.any()
	limit := b.pages
	if !everything {
		limit = min(limit, ceilDiv(b.listed, scanPerPage)) // Gandi's order: pages past the output cap are not needed
	}
	if !byExpiry(in.SortBy) {
		q.SortBy = in.SortBy
	}
	now := d.now()
	sc, err := readPages(ctx, d, c, q, limit, now)
	if err != nil {
		return nil, err
	}
	doms := dedupe(sc.domains)
	out := &ListDomainsOutput{Scanned: len(doms)}
	switch {
	case sc.total >= 0:
		out.TotalCount = &sc.total
	case sc.complete:
		n := len(doms)
		out.TotalCount = &n
	}
	if sc.complete && sc.total >= 0 && len(doms) != sc.total {
		out.Notes = append(out.Notes, fmt.Sprintf("Gandi counted %d domains but %d were read: the list changed while it was read, or the count is wrong. Call again for a consistent view.", sc.total, len(doms)))
	}
	if sc.dropped > 0 {
		out.Truncated = true
		out.Notes = append(out.Notes, droppedNote(sc.dropped, sc.droppedPages, scanPerPage))
	}
	out.Notes = append(out.Notes, sc.notes...)
	if !sc.complete {
		out.Truncated = true
		first := fmt.Sprintf("Only the first %d domains", len(doms))
		if sc.total >= 0 {
			first = fmt.Sprintf("Only the first %d of %d domains", len(doms), sc.total)
		}
		if everything {
			out.Notes = append(out.Notes, fmt.Sprintf("%s were read (at most %d pages of %d a call), so the filter and sort cover only those. Narrow with fqdn, tld or sharing_id to cover the rest.",
				first, b.pages, scanPerPage))
		} else {
			out.Notes = append(out.Notes, fmt.Sprintf("%s are listed (at most %d a call). Narrow with fqdn, tld or sharing_id, or read on with page=%d and per_page=%d.",
				first, b.listed, sc.pages+1, scanPerPage))
		}
	}
	sortBy := in.SortBy
	if filter.any() {
		doms = filter.keep(doms)
		n := len(doms)
		out.Matching = &n
	}
	if in.ExpiringWithinDays != nil {
		// Registry dates are whole seconds, so a cut-off truncated to the second keeps the same domains.
		cutoff := now.Add(time.Duration(*in.ExpiringWithinDays) * 24 * time.Hour).UTC().Truncate(time.Second)
		var undated int
		doms, undated = expiringBy(doms, cutoff)
		n := len(doms)
		out.ExpiringBy, out.Matching = &cutoff, &n
		if undated > 0 {
			out.Notes = append(out.Notes, fmt.Sprintf("%d domain(s) have no registry end date and were left out.", undated))
		}
		if sortBy == "" {
			sortBy = sortExpiry
		}
	}
	if byExpiry(sortBy) {
		sortByExpiry(doms, strings.HasPrefix(sortBy, "-"))
	}
	if len(doms) > b.listed {
		out.Notes = append(out.Notes, fmt.Sprintf("%d domains match; the first %d are listed (at most %d a call). Narrow with fqdn, tld, sharing_id, autorenew, status or a smaller expiring_within_days.",
			len(doms), b.listed, b.listed))
		doms = doms[:b.listed]
		out.Truncated = true
	}
	out.Domains = doms
	return out, nil
}

// scan is what readPages read, each domain summarised as it arrived: a whole
// portfolio is held in memory, so it is held in its compact form.
type scan struct {
	domains      []DomainSummary
	total        int      // Gandi's count of matching domains, -1 when it did not say
	pages        int      // pages read
	complete     bool     // every page was read
	dropped      int      // domains past per_page that pages held, dropped
	droppedPages int      // pages that held more domains than asked
	notes        []string // what else the answers showed that the result must say
}

// add appends the summaries of p's domains and counts what p dropped.
func (sc *scan) add(p *gandi.DomainPage, now time.Time) {
	sc.domains = summarizeAll(sc.domains, p.Domains, now)
	if p.Dropped > 0 {
		sc.dropped += p.Dropped
		sc.droppedPages++
	}
}

// readPages reads up to limit pages of scanPerPage domains, in order. With
// Gandi's count it fetches pages 2.. concurrently (Deps.MaxConcurrentPages at
// once), stopping at the first short page whatever the count says; without
// it, it reads on one page at a time.
func readPages(ctx context.Context, d *Deps, c *gandi.Client, q gandi.DomainsQuery, limit int, now time.Time) (*scan, error) {
	q.Page, q.PerPage = 1, scanPerPage
	first, err := c.Domains(ctx, q)
	if err != nil {
		return nil, err
	}
	sc := &scan{total: matchCount(first), pages: 1}
	sc.add(first, now)
	if sc.total < 0 {
		return readInOrder(ctx, d, c, q, first, limit, sc, now)
	}
	size := scanPerPage
	if n := len(first.Domains); n > 0 && n < size && n < sc.total {
		size = n // Gandi serves smaller pages than asked: count pages its way
	}
	pages := limit + 1 // a count past what one call reads, however large
	if sc.total <= limit*size {
		pages = max(1, ceilDiv(sc.total, size))
	}
	if len(first.Domains) == 0 {
		pages = 1 // an empty first page ends the list, whatever the count says
	}
	planned := min(pages, limit)
	prog := newPageProgress(ctx, d, planned)
	prog.step()
	rest := make([][]DomainSummary, planned-1)
	var mu sync.Mutex
	end := planned + 1 // the first page found short: the pages after it are not asked for
	read := 0
	err = parallel(ctx, planned-1, d.concurrency(), func(ctx context.Context, i int) error {
		page := i + 2
		mu.Lock()
		skip := page > end
		mu.Unlock()
		if skip {
			return nil
		}
		pq := q
		pq.Page = page
		p, err := c.Domains(ctx, pq)
		if err != nil {
			return err
		}
		rest[i] = summarizeAll(nil, p.Domains, now)
		mu.Lock()
		read++
		if len(p.Domains) < size {
			end = min(end, page)
		}
		if p.Dropped > 0 {
			sc.dropped += p.Dropped
			sc.droppedPages++
		}
		mu.Unlock()
		prog.step()
		return nil
	})
	if err != nil {
		return nil, err
	}
	sc.domains = slices.Grow(sc.domains, len(rest)*size)
	for _, r := range rest {
		sc.domains = append(sc.domains, r...)
	}
	sc.pages += read
	sc.complete = planned == pages || end <= planned
	return sc, nil
}

// readInOrder reads the pages after first one at a time: through the Link
// header's rel="next" when there is one, and by page number after a full page
// that has neither Total-Count nor Link, which may not be the last. Either
// way it asks for the next page number and scanPerPage, whatever a Link says,
// and stops at an empty page, a short page without a next link, or limit.
func readInOrder(ctx context.Context, d *Deps, c *gandi.Client, q gandi.DomainsQuery, first *gandi.DomainPage, limit int, sc *scan, now time.Time) (*scan, error) {
	prog := newPageProgress(ctx, d, 0)
	prog.step()
	var byNumber, relinked bool
	for p := first; ; {
		full := len(p.Domains) >= scanPerPage
		if len(p.Domains) == 0 || (p.NextURL == "" && !(full && headerless(p))) {
			sc.complete = true
			break
		}
		if sc.pages >= limit {
			break
		}
		page := sc.pages + 1
		var err error
		if p.NextURL != "" {
			if lp := linkPage(p.NextURL); lp > 0 && lp != page && !relinked {
				relinked = true
				sc.notes = append(sc.notes, fmt.Sprintf("Gandi's Link header pointed to page %d after page %d; pages were read in order instead.", lp, page-1))
			}
			p, err = c.DomainsURL(ctx, p.NextURL, page, scanPerPage)
		} else {
			byNumber = true
			pq := q
			pq.Page = page
			p, err = c.Domains(ctx, pq)
		}
		if err != nil {
			return nil, err
		}
		sc.pages++
		prog.step()
		sc.add(p, now)
	}
	if byNumber {
		sc.notes = append(sc.notes, "Gandi sent neither Total-Count nor Link with full pages, so pages were read until one came back short.")
	}
	return sc, nil
}

// headerless says that p came with neither Total-Count (nor Filtered-Count)
// nor a Link header: nothing says whether it is the last page.
func headerless(p *gandi.DomainPage) bool {
	return matchCount(p) < 0 && p.NextURL == "" && p.LastURL == ""
}

// linkPage is the page number a Link URL asks for, 0 when it names none.
func linkPage(link string) int {
	u, err := url.Parse(link)
	if err != nil {
		return 0
	}
	n, err := strconv.Atoi(u.Query().Get("page"))
	if err != nil || n < 1 {
		return 0
	}
	return n
}

// droppedNote says that pages held more domains than asked, and those were dropped.
func droppedNote(dropped, pages, perPage int) string {
	return fmt.Sprintf("Gandi sent more domains than the %d a page asked for, on %d page(s): the %d beyond were dropped, so the list may miss some. Call again; narrow with fqdn, tld or sharing_id if it repeats.",
		perPage, pages, dropped)
}

// pageProgress reports pages read to a client that asked for progress, at most
// progressUpdates times when the total is known, always in increasing order.
type pageProgress struct {
	ctx         context.Context
	d           *Deps
	mu          sync.Mutex
	done, total int
	every       int
}

func newPageProgress(ctx context.Context, d *Deps, total int) *pageProgress {
	return &pageProgress{ctx: ctx, d: d, total: total, every: max(1, ceilDiv(total, progressUpdates))}
}

func (p *pageProgress) step() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done++
	if p.done%p.every != 0 && p.done != p.total {
		return
	}
	msg := fmt.Sprintf("Read %d page(s) of domains", p.done)
	if p.total > 0 {
		msg = fmt.Sprintf("Read %d of %d pages of domains", p.done, p.total)
	}
	p.d.progress(p.ctx, p.done, p.total, msg)
}

// matchCount is how many domains match the query: Filtered-Count when Gandi
// sent it (a filtered list), else Total-Count; -1 when neither was sent.
func matchCount(p *gandi.DomainPage) int {
	if p.FilteredCount >= 0 {
		return p.FilteredCount
	}
	return p.TotalCount
}

// ceilDiv is a/b rounded up, for a >= 0 and b > 0, without overflow for any a.
func ceilDiv(a, b int) int {
	if a%b != 0 {
		return a/b + 1
	}
	return a / b
}

// dedupe drops a domain seen on an earlier page, which happens when the list
// shifts while pages are read. It filters ds in place: a copy, grown by
// appends, took 20 ms of a 10,000-domain listing.
func dedupe(ds []DomainSummary) []DomainSummary {
	seen := make(map[string]bool, len(ds))
	out := ds[:0]
	for _, d := range ds {
		key := d.ID
		if key == "" {
			key = "fqdn:" + d.FQDN
		}
		if !seen[key] {
			seen[key] = true
			out = append(out, d)
		}
	}
	return out
}

// expiringBy keeps the domains whose registry end date is at or before cutoff,
// and counts those without one.
func expiringBy(ds []DomainSummary, cutoff time.Time) (kept []DomainSummary, undated int) {
	for _, d := range ds {
		switch end := d.ExpiresAt; {
		case end == nil:
			undated++
		case !end.After(cutoff):
			kept = append(kept, d)
		}
	}
	return kept, undated
}

// sortByExpiry orders by registry end date (undated last either way), then by name.
func sortByExpiry(ds []DomainSummary, desc bool) {
	slices.SortStableFunc(ds, func(a, b DomainSummary) int {
		ea, eb := a.ExpiresAt, b.ExpiresAt
		switch {
		case ea == nil && eb == nil:
		case ea == nil:
			return 1
		case eb == nil:
			return -1
		default:
			if c := ea.Compare(*eb); c != 0 {
				if desc {
					return -c
				}
				return c
			}
		}
		return strings.Compare(a.FQDN, b.FQDN)
	})
}

// summarizeAll appends the summaries of ds to into.
func summarizeAll(into []DomainSummary, ds []gandi.Domain, now time.Time) []DomainSummary {
	into = slices.Grow(into, len(ds))
	for _, d := range ds {
		into = append(into, summarize(d, now))
	}
	return into
}

// summarize keeps what a person acts on, leaving empty fields out.
func summarize(d gandi.Domain, now time.Time) DomainSummary {
	s := DomainSummary{
		FQDN:       d.FQDN,
		TLD:        d.TLD,
		Status:     d.Status,
		AutoRenew:  d.AutoRenew,
		Nameserver: d.Nameserver.Current,
		SharingID:  d.SharingID,
		Owner:      d.Owner,
		Tags:       d.Tags,
		ID:         d.ID,
	}
	if d.FQDNUnicode != "" && d.FQDNUnicode != d.FQDN {
		s.FQDNUnicode = d.FQDNUnicode
	}
	if s.SharingID == "" && d.SharingSpace != nil {
		s.SharingID = d.SharingSpace.ID
	}
	if end := d.Dates.RegistryEndsAt; end != nil {
		t := end.UTC()
		days := daysLeft(now, t)
		s.ExpiresAt, s.DaysLeft = &t, &days
	}
	return s
}

// hoist clears one field of every domain and returns its value when they all
// share one (the common case), so that it is said once rather than on each domain.
func hoist(ds []DomainSummary, field func(*DomainSummary) *string) string {
	if len(ds) == 0 || *field(&ds[0]) == "" {
		return ""
	}
	v := *field(&ds[0])
	for i := range ds {
		if *field(&ds[i]) != v {
			return ""
		}
	}
	for i := range ds {
		*field(&ds[i]) = ""
	}
	return v
}

// noteRestricted adds a note when the token covers listed products rather than
// a whole organization, so an empty or short list is not read as the account's.
func (s *session) noteRestricted(ctx context.Context, notes *[]string) {
	if s.cred.Kind != auth.KindPAT {
		return
	}
	info, err := s.tokenInfo(ctx)
	if err != nil || wholeOrganization(info.Entities) {
		return
	}
	*notes = append(*notes, fmt.Sprintf("The token %s is limited to %d listed product(s) rather than a whole organization, so this list covers only what it can see. A PAT for the whole organization with domain:view lists every domain.",
		quoted(info.PATName), len(info.Entities)))
}
