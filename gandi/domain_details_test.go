package gandi_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/gandi-mcp/gandi-mcp/gandi"
	"github.com/gandi-mcp/gandi-mcp/gandi/ganditest"
)

func TestDomainAutoRenewIsReadLeniently(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		want gandi.DomainAutoRenew
	}{
		{"object", `{"enabled": true, "duration": 2, "org_id": "o1"}`, gandi.DomainAutoRenew{Enabled: true, Duration: 2, OrgID: "o1"}},
		{"bare true", `true`, gandi.DomainAutoRenew{Enabled: true}},
		{"bare false", `false`, gandi.DomainAutoRenew{}},
		{"null", `null`, gandi.DomainAutoRenew{}},
		{"duration as a string", `{"enabled": true, "duration": "3"}`, gandi.DomainAutoRenew{Enabled: true, Duration: 3}},
		{"duration out of range", `{"enabled": true, "duration": 400}`, gandi.DomainAutoRenew{Enabled: true}},
		{"dates of an unknown shape", `{"enabled": false, "duration": 1, "dates": "soon"}`, gandi.DomainAutoRenew{Duration: 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var d gandi.DomainDetails
			if err := json.Unmarshal([]byte(`{"fqdn": "a.fr", "autorenew": `+tc.raw+`}`), &d); err != nil {
				t.Fatalf("refused: %v", err)
			}
			if d.AutoRenew.Enabled != tc.want.Enabled || d.AutoRenew.Duration != tc.want.Duration || d.AutoRenew.OrgID != tc.want.OrgID {
				t.Errorf("autorenew = %+v, want %+v", d.AutoRenew, tc.want)
			}
		})
	}
}

func TestDomainDetailsAndCheckOnTheFake(t *testing.T) {
	srv := ganditest.NewTestServer(t)
	org := srv.AddOrganization(gandi.Organization{Name: "acme"})
	other := srv.AddOrganization(gandi.Organization{Name: "others"})
	srv.AddDomains(
		gandi.Domain{FQDN: "xn--caf-dma.fr", FQDNUnicode: "café.fr", SharingID: org.ID, AutoRenew: true, Nameserver: gandi.Nameserver{Current: "livedns"}},
		gandi.Domain{FQDN: "hidden.org", SharingID: other.ID},
	)
	view := srv.AddToken(ganditest.Token{Scopes: []string{"domain:view"}, Entities: []gandi.Entity{ganditest.OrganizationEntity(org)}})
	none := srv.AddToken(ganditest.Token{Entities: []gandi.Entity{ganditest.OrganizationEntity(org)}})
	c := srv.Client(gandi.SchemeBearer, view.Secret)
	ctx := context.Background()

	d, err := c.DomainDetails(ctx, "xn--caf-dma.fr")
	if err != nil {
		t.Fatal(err)
	}
	if d.FQDNUnicode != "café.fr" || !d.AutoRenew.Enabled || d.AutoRenew.Duration != 1 || len(d.Nameservers) != 3 || d.SharingSpace == nil || d.SharingSpace.ID != org.ID {
		t.Errorf("details = %+v", d)
	}
	for _, tc := range []struct {
		name   string
		client *gandi.Client
		fqdn   string
		status int
	}{
		{"another organization's", c, "hidden.org", http.StatusNotFound},
		{"unknown", c, "nowhere.fr", http.StatusNotFound},
		{"without domain:view", srv.Client(gandi.SchemeBearer, none.Secret), "xn--caf-dma.fr", http.StatusForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.client.DomainDetails(ctx, tc.fqdn)
			var ge *gandi.Error
			if !errors.As(err, &ge) || ge.Status != tc.status {
				t.Fatalf("err = %v, want %d", err, tc.status)
			}
		})
	}
	if _, err := c.DomainDetails(ctx, "a/b.fr"); !errors.Is(err, gandi.ErrInvalidArgument) {
		t.Errorf("a name with a slash: err = %v, want ErrInvalidArgument before any request", err)
	}

	for _, tc := range []struct {
		name, currency, status string
		priced                 bool
	}{
		{"free.net", "", "available", true},
		{ganditest.PremiumName, "GBP", "available", true},
		{"hidden.org", "", "unavailable", false},
		{"free.zz", "", "error", false},
	} {
		a, err := srv.Client(gandi.SchemeBearer, none.Secret).Check(ctx, gandi.CheckQuery{Name: tc.name, Currency: tc.currency})
		if err != nil {
			t.Fatalf("check %s: %v", tc.name, err)
		}
		if len(a.Products) != 1 || a.Products[0].Status != tc.status || (len(a.Products[0].Prices) > 0) != tc.priced {
			t.Errorf("check %s = %+v", tc.name, a)
		}
		if tc.currency != "" && a.Currency != tc.currency {
			t.Errorf("check %s: currency %s, want %s", tc.name, a.Currency, tc.currency)
		}
	}
	_, err = c.Check(ctx, gandi.CheckQuery{Name: "free.net", Currency: "XYZ"})
	var ge *gandi.Error
	if !errors.As(err, &ge) || ge.Status != http.StatusBadRequest || !strings.Contains(ge.Error(), "currency") {
		t.Errorf("unknown currency: err = %v, want Gandi's 400 on currency", err)
	}
}
