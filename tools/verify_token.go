package tools

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"time"

	"github.com/gandi-mcp/gandi-mcp/auth"
	"github.com/gandi-mcp/gandi-mcp/gandi"
)

// VerifyTokenInput takes no arguments: the credential comes from the environment or the token file.
type VerifyTokenInput struct{}

// VerifyTokenOutput is what the credential is and what it can do.
type VerifyTokenOutput struct {
	Valid         bool           `json:"valid" jsonschema_description:"Whether Gandi accepts the credential."`
	Environment   string         `json:"environment,omitempty" jsonschema_description:"production or sandbox."`
	Kind          string         `json:"kind,omitempty" jsonschema_description:"pat (Personal Access Token) or api_key (deprecated legacy key)."`
	Scheme        string         `json:"scheme,omitempty" jsonschema_description:"Authorization scheme used: Bearer or Apikey."`
	Source        string         `json:"source,omitempty" jsonschema_description:"Where the credential was read: a variable's name or a file's path."`
	Profile       string         `json:"profile,omitempty" jsonschema_description:"The profile whose token file was read; absent for the default file and for a variable."`
	Name          string         `json:"name,omitempty" jsonschema_description:"The PAT's name."`
	Scopes        []string       `json:"scopes,omitempty" jsonschema_description:"What the token may do, e.g. domain:view."`
	Resources     *Resources     `json:"resources,omitempty" jsonschema_description:"What the token may act on."`
	ExpiresAt     *time.Time     `json:"expires_at,omitempty"`
	DaysLeft      *int           `json:"days_left,omitempty"`
	Organizations []Organization `json:"organizations,omitempty" jsonschema_description:"Organizations (sharing spaces) the token reaches."`
	Warnings      []auth.Warning `json:"warnings,omitempty"`
	Common
}

// Resources says whether a token covers a whole organization or listed products.
type Resources struct {
	WholeOrganization bool           `json:"whole_organization"`
	Entities          []gandi.Entity `json:"entities,omitempty"`
}

// Organization is an organization (sharing space) as the tools show it; ID is the sharing_id.
type Organization struct {
	ID       string `json:"sharing_id"`
	Name     string `json:"name"`
	Type     string `json:"type,omitempty"`
	Orgname  string `json:"orgname,omitempty"`
	Reseller bool   `json:"reseller,omitempty"`
}

// VerifyToken is the verify_token tool.
func VerifyToken(d *Deps) Tool {
	return define[VerifyTokenInput, VerifyTokenOutput](d, spec{
		name:  "verify_token",
		title: "Verify the Gandi token",
		description: "Checks the Gandi credential gandi-mcp uses: whether Gandi accepts it, its name, scopes, " +
			"resources, expiry and days left, where it was read from, and the organizations it reaches. " +
			"Call it first, and whenever another tool fails: when the token is missing or refused, its " +
			"troubleshooting says why and the exact next step. Never ask the person to paste a token into the chat.",
		profile: readProfile,
		scopes:  nil, // none: /tokeninfo and the organizations list answer any valid token
	}, func(ctx context.Context, _ VerifyTokenInput) (*VerifyTokenOutput, error) {
		return verifyToken(ctx, d)
	})
}

func verifyToken(ctx context.Context, d *Deps) (*VerifyTokenOutput, error) {
	out := &VerifyTokenOutput{Environment: string(d.Endpoints.Env)}
	s, err := d.openShowingWarnings(ctx)
	if err != nil {
		if f, ok := err.(*Failure); ok && f.T.Diagnosis != GandiUnavailable {
			// A missing or unreadable credential is an answer, not a failure of the tool.
			out.Troubleshooting = &f.T
			return out, nil
		}
		return nil, err
	}
	out.Kind = string(s.cred.Kind)
	out.Scheme = string(s.client.Scheme())
	out.Source = s.cred.Origin
	out.Profile = s.cred.Profile
	out.Warnings = s.cred.Warnings
	if w, ok := profileHidden(d, s.cred); ok {
		out.Warnings = append(slices.Clone(out.Warnings), w)
	}

	// The two requests are independent: sent together, a call costs one round trip.
	// A refused /tokeninfo decides the answer, so it cancels the listing.
	orgsCtx, cancelOrgs := context.WithCancel(ctx)
	defer cancelOrgs()
	type listing struct {
		orgs []gandi.Organization
		err  error
	}
	listed := make(chan listing, 1)
	go func() {
		orgs, err := s.client.Organizations(orgsCtx, gandi.OrganizationsQuery{})
		listed <- listing{orgs, err}
	}()
	if s.cred.Kind == auth.KindPAT {
		info, err := s.tokenInfo(ctx)
		if err != nil {
			cancelOrgs()
			<-listed
			return answerRejected(ctx, out, s, err)
		}
		out.Name = info.PATName
		out.Scopes = info.Scope
		out.Resources = &Resources{WholeOrganization: wholeOrganization(info.Entities), Entities: info.Entities}
		exp := d.expiry(info)
		days := daysLeft(d.now(), exp)
		if info.ExpiryKnown() {
			out.ExpiresAt, out.DaysLeft = &exp, &days
		} else {
			days = math.MaxInt // unknown: no "expires soon" warning either
			out.Warnings = append(out.Warnings, auth.Warning{Code: "expiry_unknown",
				Message: "Gandi did not say when this token expires; its PAT page in the admin shows it: " + d.Endpoints.PATPageURL() + "."})
		}
		if info.ExpiryKnown() && info.ExpiresIn <= 0 {
			cancelOrgs()
			<-listed
			sit := situation{cred: s.cred, ep: d.Endpoints, expiredAt: &exp}
			t := diagnose(&gandi.Error{Status: 401, Method: "GET", Path: "/tokeninfo"}, sit)
			t.Status = 0
			out.Troubleshooting = &t
			return out, nil
		}
		if len(info.Scope) == 0 {
			out.Warnings = append(out.Warnings, auth.Warning{Code: "no_scopes",
				Message: "The token has no scopes: Gandi accepts it but it can do nothing. Create a PAT at " + d.Endpoints.PATPageURL() + " " + scopeAdvice() + "."})
		}
		if days <= 7 {
			out.Warnings = append(out.Warnings, auth.Warning{Code: "expires_soon", Message: expiresSoon(d, days, exp)})
		}
	}

	// One cheap call that any valid token may make proves the API itself accepts it.
	l := <-listed
	orgs, err := l.orgs, l.err
	var ge *gandi.Error
	if err != nil && s.info != nil && errors.As(err, &ge) && ge.Status == 403 {
		// /tokeninfo accepted the token: a refused listing is a narrow grant, not a bad token.
		msg := "Gandi refused to list the token's organizations (403), so they are not shown; the token itself is valid."
		if !slices.Contains(s.info.Scope, "organization:view") {
			msg += " A PAT with the organization:view scope can see them."
		}
		out.Valid = true
		out.Warnings = append(out.Warnings, auth.Warning{Code: "organizations_hidden", Message: msg})
		return out, nil
	}
	if err != nil {
		return answerRejected(ctx, out, s, err)
	}
	out.Valid = true
	var names []string
	for _, o := range orgs {
		out.Organizations = append(out.Organizations, organizationOf(o))
		names = append(names, o.Name)
	}
	if s.info != nil {
		// `gandi-mcp token list` shows them later without asking Gandi.
		expiryBook{d.ExpiryFile}.rememberOrganizations(s.cred.Secret(), names, d.now())
	}
	return out, nil
}

// expiresSoon is the warning for a token close to its expiry. A hosted server cannot renew
// it (the new token would have to come back through the chat): the person renews it where
// it is kept, then updates the header their client sends.
func expiresSoon(d *Deps, days int, exp time.Time) string {
	when := fmt.Sprintf("The token expires in %d day(s), on %s: ", days, exp.Format("2006-01-02"))
	if !d.Hosted {
		return when + "renew it now with renew_token."
	}
	return when + "this hosted gandi-mcp cannot renew it. Renew it from your own machine (`gandi-mcp call renew_token` with the token stored by " +
		"`gandi-mcp token set`), or create a new one in Gandi's admin at " + d.Endpoints.PATPageURL() +
		"; then put the new token in the Authorization header your MCP client sends. Never paste a token into the chat."
}

// answerRejected turns a refusal into valid=false with troubleshooting; other
// failures (Gandi down, rate limit) stay tool errors.
func answerRejected(ctx context.Context, out *VerifyTokenOutput, s *session, err error) (*VerifyTokenOutput, error) {
	var ferr = s.fail(ctx, err, nil, "")
	f := ferr.(*Failure)
	if f.T.Status == 401 || f.T.Status == 403 {
		out.Troubleshooting = &f.T
		if f.T.Token != nil && out.Name == "" {
			out.Name = f.T.Token.Name
		}
		return out, nil
	}
	return out, f // with the credential's warnings, which are not logged
}

// profileHidden warns when a variable wins over the token file of the selected profile.
func profileHidden(d *Deps, c *auth.Credential) (auth.Warning, bool) {
	if d.Auth.Profile == "" || c.Source != auth.SourceEnv {
		return auth.Warning{}, false
	}
	msg := fmt.Sprintf("%s is set, so it is used instead of the token of the profile %s", c.Origin, d.Auth.Profile)
	if path := auth.WritePath(d.Auth); path != "" {
		if _, err := os.Stat(path); err == nil {
			msg += fmt.Sprintf(" in %s; unset %s in this server's environment for the profile's token to be used", path, c.Origin)
		} else {
			msg += fmt.Sprintf(", which has no token file yet (%s); unset %s in this server's environment and store the profile's token with `gandi-mcp token set --profile %s`", path, c.Origin, d.Auth.Profile)
		}
	}
	return auth.Warning{Code: "profile_hidden", Message: msg + "."}, true
}

func organizationOf(o gandi.Organization) Organization {
	return Organization{ID: o.ID, Name: o.Name, Type: o.Type, Orgname: o.Orgname, Reseller: o.Reseller}
}

// daysLeft counts whole days until t, rounding down; negative once t is past.
func daysLeft(now, t time.Time) int {
	return int(math.Floor(t.Sub(now).Hours() / 24))
}
