package tools

import (
	"context"
	"fmt"
	"io"
	"strings"
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
