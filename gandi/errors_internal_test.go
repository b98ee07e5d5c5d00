package gandi

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestParseErrorScrubsEchoedToken: a body echoing the token, however it is
// escaped or wherever the excerpt is cut, leaves no piece of it in the error.
func TestParseErrorScrubsEchoedToken(t *testing.T) {
	const token = "pat_<b>0123456789abcdef+/=0123456789"
	tests := []struct{ name, body string }{
		{"near the excerpt's cut", "<p>" + strings.Repeat("x", 180) + " " + token + "</p>"},
		{"URL-escaped", "GET /v5/domain/domains?t=" + url.QueryEscape(token)},
		{"holding a tag-like piece", "token " + token + " refused"},
		{"HTML-escaped in a JSON message", `{"message": "token ` + html.EscapeString(token) + `"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := parseError("GET", "/x", 502, http.Header{}, []byte(tc.body), token)
			msg := e.Error()
			for i := 0; i+12 <= len(token); i++ {
				if strings.Contains(msg, token[i:i+12]) {
					t.Fatalf("%q holds %q, a piece of the token", msg, token[i:i+12])
				}
			}
			if !strings.Contains(msg, redacted) {
				t.Errorf("%q does not say the token was redacted", msg)
			}
		})
	}
}

// TestParseRetryAfterCapsDates: a date far ahead is capped at a day, like a number of seconds.
func TestParseRetryAfterCapsDates(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, v := range []string{"Wed, 21 Oct 2099 07:28:00 GMT", "999999999"} {
		if got := parseRetryAfter(v, now); got != 24*time.Hour {
			t.Errorf("parseRetryAfter(%q) = %s, want 24h", v, got)
		}
	}
}
