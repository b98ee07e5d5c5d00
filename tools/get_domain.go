package tools

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/gandi-mcp/gandi-mcp/gandi"
)

// transferLock is the EPP status that locks a domain against transfers.
const transferLock = "clientTransferProhibited"

// GetDomainInput names one domain.
type GetDomainInput struct {
	FQDN string `json:"fqdn" jsonschema:"minLength=1,maxLength=253" jsonschema_description:"The domain, e.g. example.com; a unicode name (café.fr) is accepted and converted."`
}

func (in GetDomainInput) validate() error {
	if _, err := parseFQDN(in.FQDN); err != nil {
		return invalidInput(err.Error())
	}
	return nil
}

// GetDomainOutput is what a person acts on about one domain.
type GetDomainOutput struct {
	FQDN          string           `json:"fqdn,omitempty" jsonschema_description:"The domain as Gandi names it (punycode for a unicode name)."`
	FQDNUnicode   string           `json:"fqdn_unicode,omitempty" jsonschema_description:"The domain in unicode, only when it differs from fqdn."`
	Status        []string         `json:"status,omitempty" jsonschema_description:"Gandi's EPP statuses, e.g. clientTransferProhibited; absent when none."`
	ExpiresAt     *time.Time       `json:"expires_at,omitempty" jsonschema_description:"The registry end date (dates.registry_ends_at)."`
	DaysLeft      *int             `json:"days_left,omitempty" jsonschema_description:"Whole days until expires_at, rounded down; negative once past."`
	RenewBeginsAt *time.Time       `json:"renew_begins_at,omitempty" jsonschema_description:"When it can be renewed from, when Gandi says."`
	RenewEndsAt   *time.Time       `json:"renew_ends_at,omitempty" jsonschema_description:"When it can be renewed until, when Gandi says."`
	AutoRenew     *DomainAutoRenew `json:"autorenew,omitempty" jsonschema_description:"Whether Gandi renews it by itself, and for how long."`
	Nameservers   []string         `json:"nameservers,omitempty" jsonschema_description:"The name servers at the registry."`
	LiveDNS       bool             `json:"livedns,omitempty" jsonschema_description:"True when Gandi's LiveDNS serves its DNS, so list_dns_records works on it."`
	TransferLock  bool             `json:"transfer_lock,omitempty" jsonschema_description:"True when it is locked against transfers (clientTransferProhibited)."`
	SharingID     string           `json:"sharing_id,omitempty" jsonschema_description:"The organization (sharing space) it belongs to."`
	Organization  string           `json:"organization,omitempty" jsonschema_description:"That organization's name."`
	Owner         string           `json:"owner,omitempty" jsonschema_description:"The holder (owner contact): a company's name or a person's."`
	Tags          []string         `json:"tags,omitempty"`
	CreatedAt     *time.Time       `json:"created_at,omitempty"`
	Common
}

// DomainAutoRenew is a domain's automatic renewal.
type DomainAutoRenew struct {
	Enabled  bool `json:"enabled"`
	Duration int  `json:"duration,omitempty" jsonschema_description:"Years each automatic renewal adds, when Gandi says."`
}

// GetDomain is the get_domain tool.
func GetDomain(d *Deps) Tool {
	return define[GetDomainInput, GetDomainOutput](d, spec{
		name:  "get_domain",
		title: "Get a domain's details",
		description: "Reads one domain: status, expiry (expires_at, days_left) and renewal window, autorenew (enabled, years), " +
			"name servers and whether LiveDNS serves its DNS, transfer lock, organization (sharing_id) and owner, tags, creation date. " +
			"For 'when does example.com expire and will it renew itself?'. Needs domain:view.",
		profile: readProfile,
		scopes:  domainView,
	}, func(ctx context.Context, in GetDomainInput) (*GetDomainOutput, error) {
		return getDomain(ctx, d, in)
	})
}

func getDomain(ctx context.Context, d *Deps, in GetDomainInput) (*GetDomainOutput, error) {
	name, err := parseFQDN(in.FQDN)
	if err != nil {
		return nil, invalidInput(err.Error())
	}
	s, err := d.open(ctx)
	if err != nil {
		return nil, err
	}
	det, err := s.client.DomainDetails(ctx, name.ascii)
	if err != nil {
		return nil, s.domainFail(ctx, err, name)
	}
	return domainOutput(det, name, d.now()), nil
}

func domainOutput(det *gandi.DomainDetails, name dnsDomain, now time.Time) *GetDomainOutput {
	out := &GetDomainOutput{FQDN: strings.ToLower(det.FQDN), Status: det.Status, Nameservers: det.Nameservers, Tags: det.Tags}
	if out.FQDN == "" {
		out.FQDN = name.ascii
	}
	if u := det.FQDNUnicode; u != "" && !strings.EqualFold(u, out.FQDN) {
		out.FQDNUnicode = u
	} else if u == "" {
		out.FQDNUnicode = name.unicode
	}
	if e := det.Dates.RegistryEndsAt; e != nil {
		days := daysLeft(now, *e)
		out.ExpiresAt, out.DaysLeft = e, &days
	}
	out.RenewBeginsAt, out.RenewEndsAt, out.CreatedAt = det.Dates.RenewBeginsAt, det.Dates.RenewEndsAt, det.Dates.CreatedAt
	out.AutoRenew = &DomainAutoRenew{Enabled: det.AutoRenew.Enabled, Duration: det.AutoRenew.Duration}
	out.LiveDNS = onLiveDNS(det)
	out.TransferLock = slices.Contains(det.Status, transferLock)
	out.SharingID = det.SharingID
	if sp := det.SharingSpace; sp != nil {
		if out.SharingID == "" {
			out.SharingID = sp.ID
		}
		out.Organization = sp.Name
	}
	if o := det.Contacts.Owner; o != nil {
		out.Owner = o.OrgName
		if out.Owner == "" {
			out.Owner = strings.TrimSpace(o.Given + " " + o.Family)
		}
	}
	return out
}

// liveDNSHost is the shape of LiveDNS's name servers, ns-NNN-a.gandi.net.
var liveDNSHost = regexp.MustCompile(`^ns-\d+-[a-z]\.gandi\.net\.?$`)

// onLiveDNS says whether LiveDNS serves the domain: Gandi's own word when the details carry
// it, otherwise whether every name server is one of LiveDNS's.
func onLiveDNS(det *gandi.DomainDetails) bool {
	if det.Nameserver != nil && det.Nameserver.Current != "" {
		return det.Nameserver.Current == "livedns"
	}
	return len(det.Nameservers) > 0 && !slices.ContainsFunc(det.Nameservers, func(h string) bool {
		return !liveDNSHost.MatchString(strings.ToLower(h))
	})
}

// domainFail diagnoses a failed domain API request on name: a 404 is a domain this token
// does not see, a 403 the domain:view scope it lacks.
func (s *session) domainFail(ctx context.Context, err error, name dnsDomain) error {
	var ge *gandi.Error
	if !errors.As(err, &ge) || ge.Status != http.StatusNotFound {
		return s.fail(ctx, err, domainView, name.ascii)
	}
	ferr := s.fail(ctx, err, nil, name.ascii)
	var f *Failure
	if errors.As(ferr, &f) {
		f.T.Diagnosis = NotFound
		f.T.Summary = name.ascii + " is not a domain this token sees (Gandi answered 404)."
		f.T.LikelyCauses = []string{"A mistyped name.", "The domain is in an organization, or is a product, this token does not cover: a token may be limited to other products.", "The domain is not at Gandi."}
		f.T.NextSteps = []string{"Call list_domains to see the domains this token sees, and use an fqdn from there."}
	}
	return ferr
}
