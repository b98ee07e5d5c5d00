package tools

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/gandi-mcp/gandi-mcp/auth"
	"github.com/gandi-mcp/gandi-mcp/gandi"
	"github.com/gandi-mcp/gandi-mcp/gandi/ganditest"
)

func TestParseFQDN(t *testing.T) {
	tests := []struct {
		raw, ascii, unicode string
		refused             []string // what the refusal says; nil when accepted
	}{
		{raw: "example.com", ascii: "example.com"},
		{raw: "Example.COM.", ascii: "example.com"},
		{raw: "café.fr", ascii: "xn--caf-dma.fr", unicode: "café.fr"},
		{raw: "xn--caf-dma.fr", ascii: "xn--caf-dma.fr", unicode: "café.fr"},
		{raw: "bücher.example.de", ascii: "xn--bcher-kva.example.de", unicode: "bücher.example.de"},
		{raw: "", refused: []string{"empty"}},
		{raw: "com", refused: []string{"top-level domain"}},
		{raw: "example .com", refused: []string{"cannot be a domain name"}},
		{raw: "example.com ", refused: []string{"spaces"}},
		{raw: "example..com", refused: []string{"empty label"}},
		{raw: "-example.com", refused: []string{"starts or ends with '-'"}},
		{raw: "*.example.com", refused: []string{"cannot be a domain name"}},
		{raw: "_dmarc.example.com", refused: []string{"'_'"}},
		{raw: "example.com/records", refused: []string{"cannot be a domain name"}},
		{raw: strings.Repeat("a", 64) + ".com", refused: []string{"63"}},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			d, err := parseFQDN(tt.raw)
			if tt.refused != nil {
				if err == nil {
					t.Fatalf("accepted as %+v", d)
				}
				for _, w := range append(tt.refused, "example.com") {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("%q lacks %q", err, w)
					}
				}
				return
			}
			if err != nil || d.ascii != tt.ascii || d.unicode != tt.unicode {
				t.Errorf("got %+v, %v; want %s (%q)", d, err, tt.ascii, tt.unicode)
			}
		})
	}
}

// TestDNSFailDiagnosesA403FromTheRoute: writing needs domain:tech; reading is satisfied by
// domain:view or domain:tech, so a token with either that is refused is not missing a scope.
func TestDNSFailDiagnosesA403FromTheRoute(t *testing.T) {
	tests := []struct {
		name      string
		scopes    []string
		write     bool
		diagnosis Diagnosis
		required  []string
	}{
		{"write without domain:tech", []string{"domain:view"}, true, MissingScope, []string{"domain:tech"}},
		{"read without either", []string{"organization:view"}, false, MissingScope, []string{"domain:view"}},
		{"read with domain:tech, refused", []string{"domain:tech"}, false, AccessDenied, []string{"domain:tech"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := ganditest.NewTestServer(t)
			org := fake.AddOrganization(gandi.Organization{Name: "acme"})
			fake.AddDomains(gandi.Domain{FQDN: "example.org", SharingID: org.ID, Nameserver: gandi.Nameserver{Current: "livedns"}})
			tok := fake.AddToken(ganditest.Token{Name: "t", Scopes: tt.scopes, Entities: []gandi.Entity{ganditest.OrganizationEntity(org)}})
			if tt.diagnosis == AccessDenied {
				fake.Inject(ganditest.Fault{Path: "/v5/livedns/", Status: 403})
			}
			d := &Deps{Endpoints: fake.Endpoints(gandi.Production), Retry: gandi.RetryPolicy{MaxAttempts: 1},
				Credential: func() (*auth.Credential, error) {
					return auth.NewCredential(auth.KindPAT, auth.SourceEnv, auth.EnvToken, tok.Secret), nil
				}}
			ctx := context.Background()
			s, err := d.open(ctx)
			if err != nil {
				t.Fatal(err)
			}
			dom := dnsDomain{ascii: "example.org"}
			if tt.write {
				err = s.client.PutRecordSet(ctx, dom.ascii, "www", "A", 300, []string{"192.0.2.1"})
			} else {
				_, err = s.client.Records(ctx, dom.ascii)
			}
			var f *Failure
			if !errors.As(s.liveDNSFail(ctx, err, dom, tt.write), &f) {
				t.Fatalf("not a Failure: %v", err)
			}
			if f.T.Diagnosis != tt.diagnosis || f.T.Status != 403 || !slices.Equal(f.T.RequiredScopes, tt.required) {
				t.Errorf("diagnosis %s status %d required %v; want %s 403 %v", f.T.Diagnosis, f.T.Status, f.T.RequiredScopes, tt.diagnosis, tt.required)
			}
			if tt.write && !strings.Contains(strings.Join(f.T.LikelyCauses, " "), "Changing DNS records needs domain:tech") {
				t.Errorf("likely causes %v do not say what changing records needs", f.T.LikelyCauses)
			}
		})
	}
}
