package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gandi-mcp/gandi-mcp/gandi"
)

// TestDiagnoseUnreadableAnswers: an answer that arrived but cannot be read is
// bad_response, even when the client reports it as a transport error.
func TestDiagnoseUnreadableAnswers(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want Diagnosis
	}{
		{"body cut short", &gandi.TransportError{Method: "GET", Path: "/tokeninfo",
			Err: fmt.Errorf("%w: body cut short: %w", gandi.ErrBadResponse, io.ErrUnexpectedEOF)}, BadResponse},
		{"body over the cap", fmt.Errorf("gandi: GET /tokeninfo: %w", gandi.ErrBodyTooLarge), BadResponse},
		{"malformed JSON", fmt.Errorf("gandi: GET /tokeninfo: %w: unexpected end", gandi.ErrBadResponse), BadResponse},
		{"timeout", &gandi.TransportError{Method: "GET", Path: "/tokeninfo", Timeout: true, Err: context.DeadlineExceeded}, GandiUnavailable},
		{"refused", &gandi.TransportError{Method: "GET", Path: "/tokeninfo", Err: fmt.Errorf("connect: connection refused")}, GandiUnavailable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := diagnose(tc.err, situation{}).Diagnosis; got != tc.want {
				t.Errorf("diagnose = %s, want %s", got, tc.want)
			}
		})
	}
}

// A 404 from /tokeninfo is a wrong identity host, not a missing domain: the
// steps must say so rather than send the person to list what the token sees.
func TestDiagnoseTokeninfoNotFound(t *testing.T) {
	ep := gandi.EndpointsFor(gandi.Sandbox)
	tr := diagnose(&gandi.Error{Method: "GET", Path: "/tokeninfo", Status: 404}, situation{ep: ep})
	if !strings.Contains(tr.Summary, ep.IDURL) || !containsStep(tr.NextSteps, "GANDI_ID_URL") || containsStep(tr.NextSteps, "list_sharing") {
		t.Errorf("troubleshooting = %+v", tr)
	}
	tr = diagnose(&gandi.Error{Method: "GET", Path: "/v5/domain/domains/x.fr", Status: 404}, situation{ep: ep})
	if !containsStep(tr.NextSteps, "list_domains") {
		t.Errorf("a missing object should send the person to the lists: %+v", tr.NextSteps)
	}
}

func containsStep(steps []string, sub string) bool {
	for _, s := range steps {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// TestDiagnoseRedirects: a redirect gandi-mcp did not follow is bad_response,
// not retryable, naming the other host (scheme and host only) or the loop.
func TestDiagnoseRedirects(t *testing.T) {
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("the other host got %s %s", r.Method, r.URL.Path)
	}))
	defer other.Close()
	tests := []struct {
		name     string
		location func(r *http.Request) string
		want     string
		hits     int
	}{
		{"another host", func(*http.Request) string { return other.URL + "/v5/domain/domains?token=s3cr3t" }, "redirected to " + other.URL + ", another host", 1},
		{"a loop on the API host", func(r *http.Request) string { return r.URL.Path }, "kept redirecting on the same host", 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var hits atomic.Int32
			api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hits.Add(1)
				http.Redirect(w, r, tc.location(r), http.StatusFound)
			}))
			defer api.Close()
			ep := gandi.Endpoints{Env: gandi.Production, APIURL: api.URL, IDURL: api.URL}
			c, err := gandi.New(gandi.Config{Endpoints: ep, Token: "pat_x", Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() }})
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Domains(context.Background(), gandi.DomainsQuery{})
			tr := diagnose(err, situation{ep: ep})
			if tr.Diagnosis != BadResponse || tr.Retryable || !strings.Contains(tr.Summary, tc.want) || strings.Contains(tr.Summary, "s3cr3t") {
				t.Errorf("%s (retryable %v): %s; want bad_response saying %q", tr.Diagnosis, tr.Retryable, tr.Summary, tc.want)
			}
			if n := hits.Load(); n != int32(tc.hits) {
				t.Errorf("the API host got %d requests, want %d", n, tc.hits)
			}
		})
	}
}

// TestDiagnoseTimeLimits: a call's time limit, passed during a request or
// between two, is gandi_unavailable naming the limit and how to raise it, and a
// per-attempt timeout names the host and how long it waited.
func TestDiagnoseTimeLimits(t *testing.T) {
	tests := []struct {
		name string
		err  error
		says []string
	}{
		{"between requests", fmt.Errorf("page 3: %w", context.DeadlineExceeded), []string{"25s", "GANDI_MCP_CALL_TIMEOUT"}},
		{"during a request", &gandi.TransportError{Method: "GET", Path: "/tokeninfo", Host: "id.gandi.net", Kind: gandi.KindTimeout,
			Timeout: true, CallerDeadline: true, After: 24 * time.Second, Attempts: 1, Err: context.DeadlineExceeded}, []string{"id.gandi.net", "25s", "GANDI_MCP_CALL_TIMEOUT"}},
		{"per attempt", &gandi.TransportError{Method: "GET", Path: "/v5/domain/domains", Host: "api.gandi.net", Kind: gandi.KindTimeout,
			Timeout: true, After: 61 * time.Second, Attempts: 2, Err: context.DeadlineExceeded}, []string{"api.gandi.net", "1m1s", "2 attempts"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr := diagnose(tc.err, situation{limit: 25 * time.Second})
			text := tr.text()
			if tr.Diagnosis != GandiUnavailable || !tr.Retryable {
				t.Errorf("diagnosis %s retryable %v, want a retryable gandi_unavailable", tr.Diagnosis, tr.Retryable)
			}
			for _, w := range tc.says {
				if !strings.Contains(text, w) {
					t.Errorf("%q should say %q", text, w)
				}
			}
		})
	}
}

// TestDiagnoseCapsGandiErrors: a 400 whose fields are huge gives a bounded
// troubleshooting, however long its message and however many its errors.
func TestDiagnoseCapsGandiErrors(t *testing.T) {
	huge := strings.Repeat("m", 16<<20)
	item := `{"location":"body","name":"` + huge[:1<<10] + `","description":"` + huge[:1<<10] + `"}`
	body := `{"code":400,"message":"` + huge + `","cause":"` + huge[:1<<20] + `","object":"` + huge[:1<<20] + `","errors":[` + strings.Repeat(item+",", 99) + item + `]}`
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, body)
	}))
	defer api.Close()
	ep := gandi.Endpoints{Env: gandi.Production, APIURL: api.URL, IDURL: api.URL}
	c, err := gandi.New(gandi.Config{Endpoints: ep, Token: "pat_x", MaxBodyBytes: 32 << 20})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Domains(context.Background(), gandi.DomainsQuery{})
	tr := diagnose(err, situation{ep: ep})
	b, _ := json.Marshal(tr)
	if tr.Diagnosis != RequestRejected || len(b) > 64<<10 || len(tr.text()) > 64<<10 {
		t.Errorf("%s: %d bytes of JSON, %d of text; want request_rejected within 64 KiB", tr.Diagnosis, len(b), len(tr.text()))
	}
	if tr.GandiError == nil || len(tr.GandiError.Errors) != 20 {
		t.Errorf("gandi_error = %.300v", tr.GandiError)
	}
}
