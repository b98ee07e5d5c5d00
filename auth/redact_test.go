package auth_test

import (
	"encoding/base64"
	"strings"
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

// A secret hidden under encodings no fixed form matches is still found, and the string
// comes back decoded with the secret replaced; a string without it is left as it is.
func TestRedactorUncoversEncodedSecrets(t *testing.T) {
	const secret = "pat_Ab<1>&2"
	tests := []struct {
		name, s, want string
		holds         bool
	}{
		{"HTML-escaped", "token pat_Ab&lt;1&gt;&amp;2 refused", "token [redacted] refused", true},
		{"numeric entities", "token &#112;a&#x74;_Ab<1>&2 refused", "token [redacted] refused", true},
		{"every byte percent-encoded", "t=%70%61%74%5F%41%62%3C%31%3E%26%32", "t=[redacted]", true},
		{"JSON escapes shown as text", `token \u0070at_Ab\u003c1\u003e\u00262`, "token [redacted]", true},
		{"two layers", "token %26%23112;at_Ab<1>&2", "token [redacted]", true},
		{"base64, padded", "Basic " + base64.StdEncoding.EncodeToString([]byte(secret)), "Basic [redacted]=", true},
		{"base64 for URLs", "t=" + base64.RawURLEncoding.EncodeToString([]byte(secret)), "t=[redacted]", true},
		{"encoded but no secret", "50% off &amp; more \\n", "50% off &amp; more \\n", false},
		{"a piece only", "pat_Ab&lt;1", "pat_Ab&lt;1", false},
	}
	r := auth.NewRedactor(secret)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := r.Redact(tt.s); got != tt.want {
				t.Errorf("Redact(%q) = %q, want %q", tt.s, got, tt.want)
			}
			if got := r.HoldsString(tt.s); got != tt.holds {
				t.Errorf("HoldsString(%q) = %v, want %v", tt.s, got, tt.holds)
			}
			if got := r.Holds([]byte(tt.s)); got != tt.holds {
				t.Errorf("Holds(%q) = %v, want %v", tt.s, got, tt.holds)
			}
		})
	}
	var none *auth.Redactor
	if none.Redact("x "+secret) != "x "+secret || none.HoldsString(secret) || auth.NewRedactor("abc") != nil {
		t.Error("a Redactor of no secret must change nothing and hold nothing")
	}
}

// In a large text, a hidden secret far from the other escapes is found and only its
// stretch is decoded; escapes elsewhere are left as they are.
func TestRedactorFindsAHiddenSecretInALargeText(t *testing.T) {
	const secret = "pat_0123456789abcdef"
	hidden := "&#112;&#97;&#116;&#95;" + "0123456789abcdef"
	filler := strings.Repeat(strings.Repeat("lorem ipsum ", 80)+`\"quoted\" 100% &amp; `, 100)
	for _, at := range []int{0, len(filler) / 2, len(filler)} {
		s := filler[:at] + hidden + filler[at:]
		r := auth.NewRedactor(secret)
		if !r.HoldsString(s) || !r.Holds([]byte(s)) {
			t.Fatalf("at %d: the hidden secret was not found", at)
		}
		got := r.Redact(s)
		if strings.Contains(got, "0123456789abcdef") || !strings.Contains(got, "[redacted]") {
			t.Fatalf("at %d: not redacted", at)
		}
		if n := strings.Count(got, `\"quoted\" 100% &amp;`); n < 99 {
			t.Errorf("at %d: the text far from the secret was decoded too: %d of 100 escapes left", at, n)
		}
	}
}
