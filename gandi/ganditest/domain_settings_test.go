package ganditest_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/gandi-mcp/gandi-mcp/gandi"
	"github.com/gandi-mcp/gandi-mcp/gandi/ganditest"
)

// TestDomainSettingsAnswers: the autorenew and name server writes answer as Gandi does: 400
// with its validation shape for a bad body, 403 without the scope or with an Apikey, 404 for a
// domain not seen, 405 for another method, and 2xx otherwise.
func TestDomainSettingsAnswers(t *testing.T) {
	w := newWorld(t)
	fqdn := w.acmeDomains[0].FQDN
	hidden := w.otherDomains[0].FQDN
	whole := []gandi.Entity{ganditest.OrganizationEntity(w.acme)}
	settings := "Bearer " + w.srv.AddToken(ganditest.Token{Scopes: []string{"domain:renew", "domain:tech"}, Entities: whole}).Secret
	view := "Bearer " + w.viewOnly.Secret
	autorenew := "/v5/domain/domains/" + fqdn + "/autorenew"
	nameservers := "/v5/domain/domains/" + fqdn + "/nameservers"
	tests := []struct {
		name, method, path, auth, body string
		status                         int
		field                          string // the 400's errors[0].name
	}{
		{"autorenew on", "PATCH", autorenew, settings, `{"enabled": true, "duration": 2}`, 200, ""},
		{"autorenew off with an org_id", "PATCH", autorenew, settings, `{"enabled": false, "org_id": "x"}`, 200, ""},
		{"autorenew without enabled", "PATCH", autorenew, settings, `{"duration": 2}`, 400, "enabled"},
		{"autorenew enabled not a boolean", "PATCH", autorenew, settings, `{"enabled": "yes"}`, 400, "enabled"},
		{"autorenew enabled null", "PATCH", autorenew, settings, `{"enabled": null}`, 400, "enabled"},
		{"autorenew duration 0", "PATCH", autorenew, settings, `{"enabled": true, "duration": 0}`, 400, "duration"},
		{"autorenew duration 10", "PATCH", autorenew, settings, `{"enabled": true, "duration": 10}`, 400, "duration"},
		{"autorenew not JSON", "PATCH", autorenew, settings, `enabled=true`, 400, ""},
		{"autorenew without domain:renew", "PATCH", autorenew, view, `{"enabled": true}`, 403, ""},
		{"autorenew with an Apikey", "PATCH", autorenew, "Apikey " + w.apikey.Secret, `{"enabled": true}`, 403, ""},
		{"autorenew of a domain not seen", "PATCH", "/v5/domain/domains/" + hidden + "/autorenew", settings, `{"enabled": true}`, 404, ""},
		{"autorenew GET", "GET", autorenew, settings, "", 405, ""},
		{"nameservers set", "PUT", nameservers, settings, `{"nameservers": ["ns1.example.net", "NS2.example.net."]}`, 202, ""},
		{"nameservers empty", "PUT", nameservers, settings, `{"nameservers": []}`, 400, "nameservers"},
		{"nameservers missing", "PUT", nameservers, settings, `{}`, 400, "nameservers"},
		{"nameservers not a list", "PUT", nameservers, settings, `{"nameservers": "ns1.example.net"}`, 400, "nameservers"},
		{"nameservers not host names", "PUT", nameservers, settings, `{"nameservers": ["ns1 example"]}`, 400, "nameservers"},
		{"nameservers fourteen", "PUT", nameservers, settings, `{"nameservers": [` + strings.Repeat(`"ns.example.net",`, 13) + `"ns.example.net"]}`, 400, "nameservers"},
		{"nameservers without domain:tech", "PUT", nameservers, view, `{"nameservers": ["ns1.example.net"]}`, 403, ""},
		{"nameservers of a domain not seen", "PUT", "/v5/domain/domains/" + hidden + "/nameservers", settings, `{"nameservers": ["ns1.example.net"]}`, 404, ""},
		{"nameservers POST", "POST", nameservers, settings, `{"nameservers": ["ns1.example.net"]}`, 405, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, _, body := raw(t, w.srv, tc.method, tc.path, tc.auth, tc.body)
			if status != tc.status {
				t.Fatalf("%d %s, want %d", status, body, tc.status)
			}
			if status == 400 {
				var v struct {
					Status string             `json:"status"`
					Errors []gandi.FieldError `json:"errors"`
				}
				if err := json.Unmarshal(body, &v); err != nil || v.Status != "error" || len(v.Errors) != 1 ||
					v.Errors[0].Location != "body" || v.Errors[0].Name != tc.field || v.Errors[0].Description == "" {
					t.Errorf("400 body %s, want Gandi's validation shape naming %q", body, tc.field)
				}
			}
		})
	}
	status, _, body := raw(t, w.srv, "GET", nameservers, view, "")
	if status != http.StatusOK || string(body) != `["ns1.example.net","ns2.example.net"]` {
		t.Errorf("GET nameservers after the PUT: %d %s, want the set, normalised", status, body)
	}
}

// TestSetAutoRenewControl: a test can change autorenew behind the API's back; the details show it.
func TestSetAutoRenewControl(t *testing.T) {
	w := newWorld(t)
	fqdn := w.acmeDomains[0].FQDN
	if err := w.srv.SetAutoRenew(fqdn, true, 4); err != nil {
		t.Fatal(err)
	}
	_, _, body := raw(t, w.srv, "GET", "/v5/domain/domains/"+fqdn, "Bearer "+w.viewOnly.Secret, "")
	var d gandi.DomainDetails
	if err := json.Unmarshal(body, &d); err != nil || !d.AutoRenew.Enabled || d.AutoRenew.Duration != 4 {
		t.Errorf("details autorenew %+v (%v), want on for 4 years", d.AutoRenew, err)
	}
	if err := w.srv.SetAutoRenew(fqdn, true, 10); err == nil {
		t.Error("duration 10 accepted")
	}
	if err := w.srv.SetAutoRenew("nowhere.example", true, 1); err == nil {
		t.Error("an unknown domain accepted")
	}
}
