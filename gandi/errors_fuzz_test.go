package gandi

import (
	"bytes"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

// fuzzToken is the credential the fuzzed bodies echo. Every 12-byte piece of
// it holds a '~', which the fuzzed text around it may not: any such piece in
// the output can only have come from the token.
const fuzzToken = `pat~A+b/3~9=Q&x~Z<r>7~L"m\~2Wk5~Tn8~`

// echoForms are the ways a server could echo the token: as is, escaped for a
// URL, a JSON string (HTML-safe or not), a Go string, or HTML.
func echoForms(s string) []string {
	js, _ := json.Marshal(s)
	var plain bytes.Buffer
	enc := json.NewEncoder(&plain)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	p := strings.TrimSpace(plain.String())
	q := strconv.Quote(s)
	return []string{s, url.QueryEscape(s), url.PathEscape(s), string(js[1 : len(js)-1]), p[1 : len(p)-1], q[1 : len(q)-1], html.EscapeString(s)}
}

// FuzzParseError feeds parseError any status, Retry-After and body, the body
// echoing the token in some form (or not at all) between fuzzed text.
// Properties: no panic; no 12-byte piece of the token in anything the error
// carries; the excerpt is at most 200 characters of printable UTF-8; the
// fields are within their caps; the Retry-After is within a day.
func FuzzParseError(f *testing.F) {
	forms := echoForms(fuzzToken)
	f.Fuzz(func(t *testing.T, status int, retryAfter string, prefix, suffix []byte, form uint8) {
		for _, b := range [][]byte{prefix, suffix} {
			if bytes.ContainsRune(b, '~') || bytes.Contains(b, []byte("&#")) || bytes.Contains(b, []byte(`\u`)) {
				t.Skip("the text around the token must not be able to spell a '~'")
			}
		}
		echo := ""
		if i := int(form) % (len(forms) + 1); i < len(forms) {
			echo = forms[i]
		}
		body := append(append(append([]byte{}, prefix...), echo...), suffix...)
		e := parseError(http.MethodGet, "/v5/x", status, http.Header{"Retry-After": {retryAfter}}, body, fuzzToken)

		if e.Status != status {
			t.Errorf("status = %d, want %d", e.Status, status)
		}
		out := []string{e.Error(), e.Message, e.Object, e.Cause, e.Excerpt}
		for _, fe := range e.Errors {
			out = append(out, fe.Location, fe.Name, fe.Description)
		}
		all := strings.Join(out, "\n")
		for i := 0; i+12 <= len(fuzzToken); i++ {
			if piece := fuzzToken[i : i+12]; strings.Contains(all, piece) {
				t.Fatalf("the error carries %q, a piece of the token:\n%s", piece, all)
			}
		}
		for _, fm := range forms {
			if strings.Contains(all, fm) {
				t.Fatalf("the error carries the token as %q", fm)
			}
		}
		if n := utf8.RuneCountInString(e.Excerpt); n > 200 {
			t.Errorf("excerpt is %d characters, over 200", n)
		}
		if !utf8.ValidString(e.Excerpt) || strings.IndexFunc(e.Excerpt, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) }) >= 0 {
			t.Errorf("excerpt holds invalid UTF-8 or control characters: %q", e.Excerpt)
		}
		for _, f := range []string{e.Message, e.Object, e.Cause} {
			if len(f) > maxErrorText {
				t.Errorf("a field of %d bytes, over %d", len(f), maxErrorText)
			}
		}
		for _, fe := range e.Errors {
			if len(fe.Location) > maxErrorName || len(fe.Name) > maxErrorName || len(fe.Description) > maxErrorText {
				t.Errorf("a field error over the caps: %d, %d, %d bytes", len(fe.Location), len(fe.Name), len(fe.Description))
			}
		}
		if len(e.Errors) > maxFieldErrors {
			t.Errorf("%d field errors, over %d", len(e.Errors), maxFieldErrors)
		}
		if e.RetryAfter < 0 || e.RetryAfter > 24*time.Hour {
			t.Errorf("retry after %s, outside [0, 24h]", e.RetryAfter)
		}
	})
}
