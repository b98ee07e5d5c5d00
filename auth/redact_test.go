package auth_test

import (
	"testing"

	"github.com/gandi-mcp/gandi-mcp/auth"
)

func TestRedact(t *testing.T) {
	tests := []struct {
		name    string
		s       string
		secrets []string
		want    string
	}{
		{"no secrets", "Bearer abcd1234", nil, "Bearer abcd1234"},
		{"every occurrence", "a abcd1234 b abcd1234", []string{"abcd1234"}, "a [redacted] b [redacted]"},
		{"several secrets", "old abcd1234 new wxyz9876", []string{"abcd1234", "wxyz9876"}, "old [redacted] new [redacted]"},
		{"a secret inside a longer one is replaced whole", "token abcd1234efgh", []string{"abcd", "abcd1234efgh"}, "token [redacted]"},
		{"short secrets ignored", "a abc b", []string{"abc", ""}, "a abc b"},
		{"four bytes is enough", "x abcd y", []string{"abcd"}, "x [redacted] y"},
		{"URL-escaped", "GET /x?token=ab%2Fcd%2B12", []string{"ab/cd+12"}, "GET /x?token=[redacted]"},
		{"JSON-escaped", `{"access_token":"ab\"cd\\12"}`, []string{`ab"cd\12`}, `{"access_token":"[redacted]"}`},
		{"duplicates", "abcd1234", []string{"abcd1234", "abcd1234"}, "[redacted]"},
		{"no match", "nothing here", []string{"abcd1234"}, "nothing here"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := auth.Redact(tt.s, tt.secrets...); got != tt.want {
				t.Errorf("Redact(%q, %q) = %q, want %q", tt.s, tt.secrets, got, tt.want)
			}
		})
	}
}
