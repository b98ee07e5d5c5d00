package tools

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/gandi-mcp/gandi-mcp/auth"
	"github.com/gandi-mcp/gandi-mcp/gandi"
)

const (
	maxListedEntities = 100 // products a restricted token's grant lists
	maxCountedOrgs    = 50  // organizations whose domains one call counts: a request each
)

// ListSharingInput takes no arguments: it describes the token in use.
type ListSharingInput struct{}

// ListSharingOutput is the most truthful picture of sharing the API gives:
// the organizations the token can act on and the token's own grant.
type ListSharingOutput struct {
	Environment         string                `json:"environment,omitempty" jsonschema_description:"production or sandbox."`
	Token               *Grant                `json:"token,omitempty" jsonschema_description:"The token's own grant, as Gandi describes it."`
	Organizations       []SharingOrganization `json:"organizations,omitempty" jsonschema_description:"Organizations (sharing spaces) the token can act on."`
	DomainCountsSkipped string                `json:"domain_counts_skipped,omitempty" jsonschema_description:"Why no organization has a domain_count, when none was asked."`
	AdminSharingURL     string                `json:"admin_sharing_url,omitempty" jsonschema_description:"Where Gandi's admin starts for each organization's Sharing tab (open the organization, then Sharing), which shows what the API cannot: teams, members, other tokens."`
	Notes               []string              `json:"notes,omitempty" jsonschema_description:"What this picture cannot show, and why."`
	Common
}

// Grant is what a token may do and on what.
type Grant struct {
	Kind      string     `json:"kind,omitempty" jsonschema_description:"pat (Personal Access Token) or api_key (deprecated legacy key)."`
	Name      string     `json:"name,omitempty"`
	Scopes    []string   `json:"scopes,omitempty" jsonschema_description:"What the token may do, e.g. domain:view."`
	Resources *Resources `json:"resources,omitempty" jsonschema_description:"The whole organization, or the listed products only."`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	DaysLeft  *int       `json:"days_left,omitempty"`
}

// SharingOrganization is an organization with how many of its domains the token sees.
type SharingOrganization struct {
	Organization
	DomainCount        *int   `json:"domain_count,omitempty" jsonschema_description:"Domains of this organization the token sees (Gandi's count)."`
	DomainCountSkipped string `json:"domain_count_skipped,omitempty" jsonschema_description:"Why domain_count is missing for this organization."`
}

// ListSharing is the list_sharing tool.
func ListSharing(d *Deps) Tool {
	return define[ListSharingInput, ListSharingOutput](d, spec{
		name:  "list_sharing",
		title: "List Gandi organizations and the token's access",
		description: "Shows what the Gandi token can reach: the organizations (sharing spaces) it can act on, with their " +
			"sharing_id for list_domains, name, type, orgname and reseller flag; the token's own grant (name, scopes, whole " +
			"organization or listed products, expiry); and, when the token has domain:view, how many domains it sees in each " +
			"organization. Gandi's admin Sharing tab (teams, members, other tokens) has no public API: the result gives its " +
			"address for what only the admin shows.",
		profile: readProfile,
	}, func(ctx context.Context, _ ListSharingInput) (*ListSharingOutput, error) {
		return listSharing(ctx, d)
	})
}

func listSharing(ctx context.Context, d *Deps) (*ListSharingOutput, error) {
	s, err := d.open(ctx)
	if err != nil {
		return nil, err
	}
	out := &ListSharingOutput{Environment: string(d.Endpoints.Env), AdminSharingURL: d.Endpoints.SharingURL()}
	grant := &Grant{Kind: string(s.cred.Kind)}
	out.Token = grant
	canCount := true
	if s.cred.Kind == auth.KindPAT {
		info, err := s.tokenInfo(ctx)
		if err != nil {
			return nil, s.fail(ctx, err, nil, "")
		}
		grant.Name, grant.Scopes = info.PATName, info.Scope
		grant.Resources = &Resources{WholeOrganization: wholeOrganization(info.Entities), Entities: info.Entities}
		if len(info.Entities) > maxListedEntities {
			grant.Resources.Entities = info.Entities[:maxListedEntities]
			out.Notes = append(out.Notes, fmt.Sprintf("The token lists %d products; the first %d are shown.", len(info.Entities), maxListedEntities))
		}
		if info.ExpiresIn > 0 {
			exp := d.expiry(info)
			days := daysLeft(d.now(), exp)
			grant.ExpiresAt, grant.DaysLeft = &exp, &days
		}
		canCount = slices.Contains(info.Scope, "domain:view")
		if !grant.Resources.WholeOrganization {
			out.Notes = append(out.Notes, "The token is limited to the listed products, not a whole organization: the organizations and domain counts cover only what it can see.")
		}
	} else {
		out.Notes = append(out.Notes, "A legacy API key has no name, scopes or expiry of its own to show; it acts with its user's rights. Gandi is retiring API keys: create a Personal Access Token instead.")
	}

	orgs, err := s.client.Organizations(ctx, gandi.OrganizationsQuery{})
	if err != nil {
		return nil, s.fail(ctx, err, nil, "")
	}
	for _, o := range orgs {
		out.Organizations = append(out.Organizations, SharingOrganization{Organization: organizationOf(o)})
	}
	switch {
	case len(orgs) == 0:
		out.Notes = append(out.Notes, "Gandi lists no organization this token can act on.")
	case !canCount:
		out.DomainCountsSkipped = "The token lacks the domain:view scope, so gandi-mcp did not ask how many domains each organization holds."
	default:
		if err := countDomains(ctx, d, s, out.Organizations); err != nil {
			return nil, s.fail(ctx, err, nil, "")
		}
	}
	out.Notes = append(out.Notes, "Teams, members and their rights, other tokens, and who granted what have no public API: see Gandi's admin at "+out.AdminSharingURL+", open the organization, then its Sharing tab.")
	return out, nil
}

// countDomains asks, for each organization, one domain and Gandi's count of the
// rest. A refusal for one organization is noted on it; only cancellation fails.
func countDomains(ctx context.Context, d *Deps, s *session, orgs []SharingOrganization) error {
	for i := maxCountedOrgs; i < len(orgs); i++ {
		orgs[i].DomainCountSkipped = fmt.Sprintf("Not counted: one call counts the first %d organizations; list_domains with this sharing_id gives its domains.", maxCountedOrgs)
	}
	return parallel(ctx, min(len(orgs), maxCountedOrgs), d.concurrency(), func(ctx context.Context, i int) error {
		o := &orgs[i]
		p, err := s.client.Domains(ctx, gandi.DomainsQuery{SharingID: o.ID, PerPage: 1})
		switch {
		case err != nil && ctx.Err() != nil:
			return err // the call is being abandoned
		case err != nil:
			t := diagnose(err, situation{cred: s.cred, ep: d.Endpoints})
			o.DomainCountSkipped = "Gandi did not answer the count: " + t.Summary
			var ge *gandi.Error
			if errors.As(err, &ge) && (ge.Status == 401 || ge.Status == 403) {
				o.DomainCountSkipped = fmt.Sprintf("Gandi refused to list this organization's domains (%d): the token or your user lacks the right there.", ge.Status)
			}
		case matchCount(p) < 0:
			o.DomainCountSkipped = "Gandi did not send a count (no Total-Count header)."
		default:
			n := matchCount(p)
			o.DomainCount = &n
		}
		return nil
	})
}
