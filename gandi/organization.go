package gandi

import (
	"context"
	"errors"
	"net/http"
	"net/url"
)

// Organization is a Gandi organization (a "sharing space"); its ID is the
// sharing_id used across the API.
type Organization struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Type      string `json:"type,omitempty"` // individual, company, association, publicbody
	Orgname   string `json:"orgname,omitempty"`
	Firstname string `json:"firstname,omitempty"`
	Lastname  string `json:"lastname,omitempty"`
	Email     string `json:"email,omitempty"`
	Reseller  bool   `json:"reseller"`
	Corporate bool   `json:"corporate"`
}

// OrganizationsQuery filters Organizations; empty fields are not sent.
type OrganizationsQuery struct {
	Name        string // exact name
	NamePattern string // ~name: a pattern with *
	Permission  string
	SortBy      string // name, type or id
	Type        string
}

func (q OrganizationsQuery) values() url.Values {
	v := url.Values{}
	set(v, "name", q.Name)
	set(v, "~name", q.NamePattern)
	set(v, "permission", q.Permission)
	set(v, "sort_by", q.SortBy)
	set(v, "type", q.Type)
	return v
}

func set(v url.Values, k, s string) {
	if s != "" {
		v.Set(k, s)
	}
}

// Organizations lists the organizations the token can act on
// (GET /v5/organization/organizations).
func (c *Client) Organizations(ctx context.Context, q OrganizationsQuery) ([]Organization, error) {
	u, err := c.apiURL("/v5/organization/organizations", q.values())
	if err != nil {
		return nil, err
	}
	var orgs []Organization
	if _, err := c.do(ctx, request{method: http.MethodGet, url: u, out: &orgs}); err != nil {
		return nil, err
	}
	return orgs, nil
}

// Organization fetches one organization by id.
func (c *Client) Organization(ctx context.Context, id string) (*Organization, error) {
	if id == "" {
		return nil, errors.New("gandi: empty organization id")
	}
	u, err := c.apiURL("/v5/organization/organizations/"+url.PathEscape(id), nil)
	if err != nil {
		return nil, err
	}
	var o Organization
	if _, err := c.do(ctx, request{method: http.MethodGet, url: u, out: &o}); err != nil {
		return nil, err
	}
	return &o, nil
}

// UserInfo is the person behind the token.
type UserInfo struct {
	ID       string `json:"id"`
	Username string `json:"username"`
	Email    string `json:"email,omitempty"`
	Name     string `json:"name,omitempty"`
	Lang     string `json:"lang,omitempty"`
	City     string `json:"city,omitempty"`
	Country  string `json:"country,omitempty"`
}

// UserInfo fetches the token's user (GET /v5/organization/user-info); a
// token restricted in scope or resources may be refused here.
func (c *Client) UserInfo(ctx context.Context) (*UserInfo, error) {
	u, err := c.apiURL("/v5/organization/user-info", nil)
	if err != nil {
		return nil, err
	}
	var ui UserInfo
	if _, err := c.do(ctx, request{method: http.MethodGet, url: u, out: &ui}); err != nil {
		return nil, err
	}
	return &ui, nil
}
