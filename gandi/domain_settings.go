package gandi

import (
	"context"
	"fmt"
	"net/http"
)

// MaxAutoRenewYears is the longest automatic renewal Gandi takes, in years.
const MaxAutoRenewYears = 9

// AutoRenewChange is the body of PATCH /v5/domain/domains/{fqdn}/autorenew. A zero
// Duration is not sent: Gandi keeps the domain's current one.
type AutoRenewChange struct {
	Enabled  bool   `json:"enabled"`
	Duration int    `json:"duration,omitempty"`
	OrgID    string `json:"org_id,omitempty"`
}

// SetAutoRenew turns a domain's automatic renewal on or off
// (PATCH /v5/domain/domains/{fqdn}/autorenew). Never retried.
func (c *Client) SetAutoRenew(ctx context.Context, fqdn string, ch AutoRenewChange) error {
	if ch.Duration < 0 || ch.Duration > MaxAutoRenewYears {
		return fmt.Errorf("%w: autorenew duration %d: give 1 to %d years, or 0 to keep the current one", ErrInvalidArgument, ch.Duration, MaxAutoRenewYears)
	}
	u, err := c.segmentsURL(domainDomains, fqdn, "autorenew")
	if err != nil {
		return err
	}
	_, err = c.do(ctx, request{method: http.MethodPatch, url: u, body: ch})
	return err
}

// SetNameservers replaces the domain's name servers at the registry
// (PUT /v5/domain/domains/{fqdn}/nameservers). Never retried.
func (c *Client) SetNameservers(ctx context.Context, fqdn string, hosts []string) error {
	if len(hosts) == 0 {
		return fmt.Errorf("%w: no name servers for %s: give at least one host name such as \"ns1.example.net\"", ErrInvalidArgument, fqdn)
	}
	for _, h := range hosts {
		if h == "" {
			return fmt.Errorf("%w: an empty name server for %s: give host names such as \"ns1.example.net\"", ErrInvalidArgument, fqdn)
		}
	}
	u, err := c.segmentsURL(domainDomains, fqdn, "nameservers")
	if err != nil {
		return err
	}
	_, err = c.do(ctx, request{method: http.MethodPut, url: u, body: struct {
		Nameservers []string `json:"nameservers"`
	}{hosts}})
	return err
}
