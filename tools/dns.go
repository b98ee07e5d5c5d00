package tools

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"golang.org/x/net/idna"

	"github.com/gandi-mcp/gandi-mcp/gandi"
	"github.com/gandi-mcp/gandi-mcp/zone"
)

// What the DNS tools share: the fqdn argument, and the diagnosis of LiveDNS's refusals.

// Scopes of the LiveDNS routes: reading works with either, writing needs domain:tech.
var (
	dnsRead  = []string{"domain:view"}
	dnsWrite = []string{"domain:tech"}
)

const docsLiveDNS = "https://api.gandi.net/docs/livedns/"

// dnsDomain is a domain name given to a DNS tool, as LiveDNS names it.
type dnsDomain struct {
	ascii   string // lowercase, punycode, no trailing dot
	unicode string // the same name in unicode; "" when it is ascii
}

// parseFQDN reads a DNS tool's fqdn argument: a domain name (not a top-level domain, not a
// host name with '_' or '*'), unicode accepted and converted to punycode.
func parseFQDN(raw string) (dnsDomain, error) { return parseDomainName("fqdn", raw) }

// parseDomainName reads a domain name given as the argument arg (named in its errors).
func parseDomainName(arg, raw string) (dnsDomain, error) {
	const want = `give a domain name such as "example.com" (a unicode name such as "café.fr" is accepted)`
	bad := func(why string) (dnsDomain, error) {
		return dnsDomain{}, fmt.Errorf("%s %q %s: %s", arg, clip(raw), why, want)
	}
	if strings.TrimSpace(raw) == "" {
		return bad("is empty")
	}
	if strings.TrimSpace(raw) != raw {
		return bad("has spaces around it")
	}
	z, err := zone.CanonicalZone(raw)
	if err != nil {
		var ne *zone.NameError
		if errors.As(err, &ne) {
			return bad("cannot be a domain name: " + ne.Reason)
		}
		return bad("cannot be a domain name")
	}
	if !strings.Contains(z, ".") {
		return bad("is a top-level domain, not a domain")
	}
	if strings.ContainsAny(z, "_*") {
		return bad("cannot be a domain name: '_' and '*' belong to record names (use the name argument)")
	}
	d := dnsDomain{ascii: z}
	if u, err := idna.ToUnicode(z); err == nil && u != z {
		d.unicode = u
	}
	return d, nil
}

// liveDNSFail diagnoses a failed LiveDNS request on fqdn. A 404 is told apart: a domain whose DNS
// is elsewhere (dns_not_hosted, naming its nameservers), or one the token does not see
// (not_found). A 403 is diagnosed from the route's needs: writing needs domain:tech,
// reading domain:view or domain:tech.
func (s *session) liveDNSFail(ctx context.Context, err error, d dnsDomain, write bool) error {
	var ge *gandi.Error
	switch {
	case errors.Is(err, gandi.ErrListTooLong):
		return &Failure{T: Troubleshooting{
			Diagnosis:   BadResponse,
			Summary:     fmt.Sprintf("The zone of %s is longer than gandi-mcp reads in one call (more than %d record sets or %d pages).", d.ascii, gandi.MaxListItems, gandi.MaxListPages),
			NextSteps:   []string{"Ask for the zone file instead (list_dns_records with format zone): it comes in one answer."},
			Environment: string(s.d.Endpoints.Env),
		}}
	case errors.As(err, &ge) && ge.Status == http.StatusForbidden:
		return s.dnsForbidden(ctx, err, write)
	case errors.As(err, &ge) && ge.Status == http.StatusNotFound:
		return s.dnsNotFound(ctx, err, d)
	}
	return s.fail(ctx, err, nil, d.ascii)
}

// dnsForbidden diagnoses a 403 of LiveDNS with the scopes the route needs: for a read, the
// token's own domain:tech counts as well as domain:view.
func (s *session) dnsForbidden(ctx context.Context, err error, write bool) error {
	need := dnsWrite
	if !write {
		need = dnsRead
		if info, ierr := s.tokenInfo(ctx); ierr == nil && slices.Contains(info.Scope, "domain:tech") {
			need = dnsWrite
		}
	}
	ferr := s.fail(ctx, err, need, "")
	var f *Failure
	if errors.As(ferr, &f) && f.T.Diagnosis == MissingScope {
		if write {
			f.T.LikelyCauses = append(f.T.LikelyCauses, "Changing DNS records needs domain:tech (\"Handle technical configuration of domains\" in Gandi's admin).")
		} else {
			f.T.LikelyCauses = append(f.T.LikelyCauses, "Reading DNS records needs domain:view or domain:tech.")
		}
		f.T.Docs = append(f.T.Docs, docsLiveDNS)
	}
	return ferr
}

// dnsNotFound tells a domain whose DNS LiveDNS does not serve from one the token cannot
// see, by asking the domain API where the domain's nameservers point.
func (s *session) dnsNotFound(ctx context.Context, err error, d dnsDomain) error {
	ns, nerr := s.client.DomainLiveDNS(ctx, d.ascii)
	var ge *gandi.Error
	switch {
	case errors.As(nerr, &ge) && ge.Status == http.StatusNotFound:
		ferr := s.fail(ctx, nerr, nil, d.ascii)
		var f *Failure
		if errors.As(ferr, &f) {
			f.T.Summary = d.ascii + " is not a domain this token sees (Gandi answered 404)."
			f.T.LikelyCauses = []string{"A mistyped name.", "The domain is in an organization, or is a product, this token does not cover.", "The domain is not at Gandi."}
			f.T.NextSteps = []string{"Call list_domains to see the domains this token sees, and use an fqdn from there."}
		}
		return ferr
	case nerr != nil:
		return s.fail(ctx, nerr, nil, d.ascii)
	}
	ferr := s.fail(ctx, err, nil, d.ascii)
	var f *Failure
	if !errors.As(ferr, &f) {
		return ferr
	}
	if ns.Current == "livedns" {
		f.T.Summary = "Gandi says " + d.ascii + "'s DNS is on LiveDNS, but LiveDNS does not know its zone (Gandi answered 404)."
		f.T.LikelyCauses = []string{"The domain was moved to LiveDNS moments ago.", "The token is limited to products that do not include this zone."}
		f.T.NextSteps = []string{"Call again in a minute.", "Call verify_token to see which products the token covers."}
		return f
	}
	f.T.Diagnosis = DNSNotHosted
	f.T.Docs = []string{docsLiveDNS}
	where := "where its nameservers point"
	if len(ns.Nameservers) > 0 {
		f.T.Summary = d.ascii + "'s DNS is not served by Gandi's LiveDNS: its nameservers are " + strings.Join(ns.Nameservers, ", ") + "; its records are edited there, not here."
		where = "at the DNS provider that runs " + strings.Join(ns.Nameservers, ", ")
	} else {
		f.T.Summary = d.ascii + "'s DNS is not served by Gandi's LiveDNS: its records are edited where its nameservers point, not here."
	}
	switch ns.Current {
	case "classic":
		f.T.LikelyCauses = []string{"The domain still uses Gandi's classic DNS, which has no API."}
	case "premium_dns":
		f.T.LikelyCauses = []string{"The domain uses Gandi's Premium DNS, which LiveDNS's API does not serve."}
	default:
		f.T.LikelyCauses = []string{"The domain's nameservers are another DNS provider's."}
	}
	f.T.NextSteps = []string{
		"Edit its records " + where + ".",
		"To manage them here instead, move the domain's DNS to LiveDNS in Gandi's admin (recreate its records there first).",
	}
	return f
}
