package gandi_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"testing"

	"github.com/gandi-mcp/gandi-mcp/gandi"
)

// TestRenewReadsTheOperationLeniently: the operation id of an accepted renewal is read
// from whichever shape the answer has.
func TestRenewReadsTheOperationLeniently(t *testing.T) {
	tests := []struct {
		name   string
		answer answer
		want   string
	}{
		{"operation object", answer{status: 202, body: `{"message": "ok", "operation": {"id": "op-1", "href": "https://api.gandi.net/v5/domain/operations/op-1"}}`}, "op-1"},
		{"operation href only", answer{status: 202, body: `{"message": "ok", "operation": {"href": "https://api.gandi.net/v5/domain/operations/op-2"}}`}, "op-2"},
		{"operation id as text", answer{status: 202, body: `{"message": "ok", "operation": "op-3"}`}, "op-3"},
		{"operation_id", answer{status: 202, body: `{"message": "ok", "operation_id": 44}`}, "44"},
		{"id", answer{status: 202, body: `{"message": "ok", "id": "op-5"}`}, "op-5"},
		{"Location header only", answer{status: 202, header: map[string]string{"Location": "/v5/domain/operations/op-6"}, body: `{"message": "ok"}`}, "op-6"},
		{"an empty body and a Location", answer{status: 201, header: map[string]string{"Location": "https://api.gandi.net/v5/domain/operations/op-7/"}}, "op-7"},
		{"nothing", answer{status: 202, body: `{"message": "ok"}`}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newScripted(t, tt.answer)
			c, _ := newClient(t, srv.URL, nil)
			r, err := c.Renew(context.Background(), "example.com", 2)
			if err != nil {
				t.Fatal(err)
			}
			if r.OperationID != tt.want {
				t.Errorf("operation %q, want %q", r.OperationID, tt.want)
			}
			reqs := srv.requests()
			if len(reqs) != 1 || reqs[0].Method != http.MethodPost || reqs[0].URL.Path != "/v5/domain/domains/example.com/renew" || reqs[0].Header.Get("Dry-Run") != "" {
				t.Errorf("requests %v", reqs)
			}
		})
	}
}

// TestRenewIsNeverRetried: a renewal POST that meets a 503 or a 429 is not sent again.
func TestRenewIsNeverRetried(t *testing.T) {
	for _, status := range []int{http.StatusServiceUnavailable, http.StatusTooManyRequests, http.StatusBadGateway} {
		srv := newScripted(t, answer{status: status, body: `{"code": 503, "message": "busy"}`}, answer{status: 202, body: `{"operation": "x"}`})
		c, sl := newClient(t, srv.URL, nil)
		_, err := c.Renew(context.Background(), "example.com", 1)
		var ge *gandi.Error
		if !errors.As(err, &ge) || ge.Status != status {
			t.Errorf("%d: err %v", status, err)
		}
		if n := len(srv.requests()); n != 1 || len(sl.all()) != 0 {
			t.Errorf("%d: %d requests, %d waits: a purchase must not be retried", status, n, len(sl.all()))
		}
	}
}

// TestRenewDryRun: the check sends Dry-Run: 1 and reads Gandi's verdict from a 200 or a 400.
func TestRenewDryRun(t *testing.T) {
	tests := []struct {
		name    string
		answer  answer
		ok      bool
		errors  int
		warning string
	}{
		{"success", answer{status: 200, body: `{"status": "success"}`}, true, 0, ""},
		{"success with a warning", answer{status: 200, header: map[string]string{"Warning": "199 - premium price"}, body: `{"status": "success"}`}, true, 0, "199 - premium price"},
		{"error in a 200", answer{status: 200, body: `{"status": "error", "errors": [{"location": "body", "name": "duration", "description": "too long"}]}`}, false, 1, ""},
		{"error as a 400", answer{status: 400, body: `{"status": "error", "errors": [{"location": "body", "name": "duration", "description": "too long"}]}`}, false, 1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newScripted(t, tt.answer)
			c, _ := newClient(t, srv.URL, nil)
			r, err := c.RenewDryRun(context.Background(), "example.com", 3)
			if err != nil {
				t.Fatal(err)
			}
			if r.OK() != tt.ok || len(r.Errors) != tt.errors || r.Warning != tt.warning {
				t.Errorf("got %+v", r)
			}
			reqs := srv.requests()
			if len(reqs) != 1 || reqs[0].Method != http.MethodPost || reqs[0].Header.Get("Dry-Run") != "1" {
				t.Errorf("requests %v", reqs)
			}
		})
	}
	t.Run("a 403 is an error", func(t *testing.T) {
		srv := newScripted(t, answer{status: 403, body: `{"code": 403, "message": "Access was denied to this resource.", "object": "HTTPForbidden", "cause": "Forbidden"}`})
		c, _ := newClient(t, srv.URL, nil)
		var ge *gandi.Error
		if _, err := c.RenewDryRun(context.Background(), "example.com", 1); !errors.As(err, &ge) || ge.Status != 403 {
			t.Errorf("err %v", err)
		}
	})
}

// TestRenewRefusesBadArguments before any request.
func TestRenewRefusesBadArguments(t *testing.T) {
	srv := newScripted(t, answer{status: 202, body: `{}`})
	c, _ := newClient(t, srv.URL, nil)
	for _, years := range []int{0, -1, 10} {
		if _, err := c.Renew(context.Background(), "example.com", years); !errors.Is(err, gandi.ErrInvalidArgument) {
			t.Errorf("Renew(%d): %v", years, err)
		}
		if _, err := c.RenewDryRun(context.Background(), "example.com", years); !errors.Is(err, gandi.ErrInvalidArgument) {
			t.Errorf("RenewDryRun(%d): %v", years, err)
		}
	}
	if _, err := c.Renew(context.Background(), "a/b", 1); !errors.Is(err, gandi.ErrInvalidArgument) {
		t.Errorf("fqdn with a slash: %v", err)
	}
	if n := len(srv.requests()); n != 0 {
		t.Errorf("%d requests for bad arguments", n)
	}
}

// TestRenewTermsAndPrice: the terms decode, and the price is asked with processes=renew.
func TestRenewTermsAndPrice(t *testing.T) {
	srv := newScripted(t,
		answer{status: 200, body: `{"in_renew_period": true, "durations": [1, 2, 3], "minimum": 1, "maximum": 3, "prohibited": false, "begins_at": "2026-01-01T00:00:00Z", "ends_at": "2027-02-15T00:00:00Z"}`},
		answer{status: 200, body: `{"currency": "EUR", "products": [{"name": "example.com", "process": "renew", "status": "unavailable", "prices": [{"duration_unit": "y", "min_duration": 1, "max_duration": 9, "price_after_taxes": 18.0}]}]}`})
	c, _ := newClient(t, srv.URL, nil)
	terms, err := c.RenewTerms(context.Background(), "example.com")
	if err != nil {
		t.Fatal(err)
	}
	if !terms.InRenewPeriod || !slices.Equal(terms.Durations, []int{1, 2, 3}) || terms.BeginsAt == nil || terms.EndsAt == nil || !terms.Allows(3) || terms.Allows(4) {
		t.Errorf("terms %+v", terms)
	}
	a, err := c.RenewalPrice(context.Background(), gandi.RenewalPriceQuery{Name: "example.com", Currency: "USD"})
	if err != nil || len(a.Products) != 1 || a.Products[0].Process != "renew" {
		t.Fatalf("price %+v, %v", a, err)
	}
	q := srv.requests()[1].URL.Query()
	if q.Get("name") != "example.com" || q.Get("processes") != "renew" || q.Get("currency") != "USD" {
		t.Errorf("check query %v", q)
	}
}

// TestRenewTermsAllows: without a list of durations, the range bounds them.
func TestRenewTermsAllows(t *testing.T) {
	tests := []struct {
		terms gandi.RenewTerms
		years int
		want  bool
	}{
		{gandi.RenewTerms{Durations: []int{1, 2}}, 2, true},
		{gandi.RenewTerms{Durations: []int{1, 2}}, 3, false},
		{gandi.RenewTerms{Minimum: 2, Maximum: 5}, 1, false},
		{gandi.RenewTerms{Minimum: 2, Maximum: 5}, 5, true},
		{gandi.RenewTerms{Minimum: 2, Maximum: 5}, 6, false},
		{gandi.RenewTerms{}, 9, true},
	}
	for _, tt := range tests {
		if got := tt.terms.Allows(tt.years); got != tt.want {
			t.Errorf("%+v.Allows(%d) = %v", tt.terms, tt.years, got)
		}
	}
}
