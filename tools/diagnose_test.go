package tools

import (
	"context"
	"fmt"
	"io"
	"testing"

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
