package gandi_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/gandi-mcp/gandi-mcp/gandi"
)

func TestErrorParsing(t *testing.T) {
	gateway := `<!DOCTYPE html><html><head><title>502 Bad Gateway</title><style>body{color:red}</style>
<script>var x = "<b>";</script></head><body>
<h1>Bad&nbsp;Gateway</h1>	<p>The proxy server received an invalid
response from an upstream server.` + "\x07\x1b[31m" + `</p>` + strings.Repeat("<p>filler text</p>", 40) + `</body></html>`
	tests := []struct {
		name       string
		answer     answer
		want       gandi.Error // Method and Path are checked separately
		wantString string
	}{
		{
			name:       "standard 403",
			answer:     answer{403, map[string]string{"Content-Type": "application/json"}, `{"code": 403, "message": "Access was denied to this resource.", "object": "HTTPForbidden", "cause": "Forbidden"}`},
			want:       gandi.Error{Status: 403, Code: 403, Message: "Access was denied to this resource.", Object: "HTTPForbidden", Cause: "Forbidden"},
			wantString: "gandi: GET /v5/organization/user-info: 403 Forbidden: Access was denied to this resource.",
		},
		{
			name:   "standard 401 with string code",
			answer: answer{401, map[string]string{"Content-Type": "application/json"}, `{"code": "401", "message": "expired", "object": "HTTPUnauthorized", "cause": "Unauthorized"}`},
			want:   gandi.Error{Status: 401, Code: 401, Message: "expired", Object: "HTTPUnauthorized", Cause: "Unauthorized"},
		},
		{
			name:       "validation",
			answer:     answer{400, map[string]string{"Content-Type": "application/json"}, `{"status": "error", "errors": [{"location": "querystring", "name": "per_page", "description": "too big"}]}`},
			want:       gandi.Error{Status: 400, Errors: []gandi.FieldError{{Location: "querystring", Name: "per_page", Description: "too big"}}},
			wantString: "gandi: GET /v5/organization/user-info: 400 Bad Request: per_page (querystring): too big",
		},
		{
			name:   "html gateway page",
			answer: answer{502, map[string]string{"Content-Type": "text/html"}, gateway},
			want:   gandi.Error{Status: 502},
		},
		{
			name:       "empty body",
			answer:     answer{404, nil, ""},
			want:       gandi.Error{Status: 404},
			wantString: "gandi: GET /v5/organization/user-info: 404 Not Found",
		},
		{
			name:       "plain text 503 with retry-after",
			answer:     answer{503, map[string]string{"Content-Type": "text/plain", "Retry-After": "120"}, "upstream connect error\r\n"},
			want:       gandi.Error{Status: 503, Excerpt: "upstream connect error", RetryAfter: 120 * time.Second},
			wantString: "gandi: GET /v5/organization/user-info: 503 Service Unavailable: upstream connect error (retry after 2m0s)",
		},
		{
			name:   "json that is not Gandi's",
			answer: answer{500, map[string]string{"Content-Type": "application/json"}, `{"oops": true}`},
			want:   gandi.Error{Status: 500, Excerpt: `{"oops": true}`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newScripted(t, tt.answer)
			c, _ := newClient(t, srv.URL, func(c *gandi.Config) { c.Retry.MaxRetryAfter = time.Second })
			_, err := c.UserInfo(context.Background())
			var ge *gandi.Error
			if !errors.As(err, &ge) {
				t.Fatalf("err = %v (%T), want *gandi.Error", err, err)
			}
			if ge.Method != http.MethodGet || ge.Path != "/v5/organization/user-info" {
				t.Errorf("Method, Path = %q, %q", ge.Method, ge.Path)
			}
			if ge.Status != tt.want.Status || ge.Code != tt.want.Code || ge.Message != tt.want.Message ||
				ge.Object != tt.want.Object || ge.Cause != tt.want.Cause || ge.RetryAfter != tt.want.RetryAfter {
				t.Errorf("got %+v, want %+v", *ge, tt.want)
			}
			if len(ge.Errors) != len(tt.want.Errors) || (len(ge.Errors) > 0 && ge.Errors[0] != tt.want.Errors[0]) {
				t.Errorf("Errors = %+v, want %+v", ge.Errors, tt.want.Errors)
			}
			if tt.want.Excerpt != "" && ge.Excerpt != tt.want.Excerpt {
				t.Errorf("Excerpt = %q, want %q", ge.Excerpt, tt.want.Excerpt)
			}
			if tt.wantString != "" && err.Error() != tt.wantString {
				t.Errorf("Error() = %q\nwant      %q", err.Error(), tt.wantString)
			}
		})
	}
}

func TestErrorExcerptOfHTML(t *testing.T) {
	page := `<html><head><title>502 Bad Gateway</title><style>body{color:red}</style><script>alert("<b>")</script></head>
<body><h1>Bad&nbsp;Gateway &amp; co</h1>` + "\t\x07\x1b" + `<!-- secret comment --><p>` + strings.Repeat("filler ", 60) + `</p></body></html>`
	srv := newScripted(t, answer{502, map[string]string{"Content-Type": "text/html"}, page})
	c, _ := newClient(t, srv.URL, func(c *gandi.Config) { c.Retry.MaxAttempts = 1 })
	_, err := c.UserInfo(context.Background())
	var ge *gandi.Error
	if !errors.As(err, &ge) {
		t.Fatalf("err = %v", err)
	}
	ex := ge.Excerpt
	if !strings.HasPrefix(ex, "502 Bad Gateway Bad Gateway & co filler filler") {
		t.Errorf("Excerpt = %q", ex)
	}
	if n := len([]rune(ex)); n > 200 {
		t.Errorf("Excerpt has %d characters, want at most 200", n)
	}
	for _, bad := range []string{"<", ">", "color", "alert", "secret", "\x07", "\x1b", "\t", "  "} {
		if strings.Contains(ex, bad) {
			t.Errorf("Excerpt %q contains %q", ex, bad)
		}
	}
}

// TestErrorFieldsAreCapped: however long Gandi's error fields are, and however
// many field errors it lists, the error carries a bounded excerpt of each,
// cut on a character with an ellipsis, and says how many items it left out.
func TestErrorFieldsAreCapped(t *testing.T) {
	huge := strings.Repeat("é", 8<<20) // 16 MiB of two-byte characters
	big := huge[:1<<20]
	items := func(n int, s string) string {
		item := fmt.Sprintf(`{"location":%q,"name":%q,"description":%q}`, s, s, s)
		return "[" + strings.Repeat(item+",", n-1) + item + "]"
	}
	tests := []struct {
		name      string
		body      string
		wantItems int
		wantMore  string // what the last item says, "" when nothing was left out
	}{
		{"message", `{"message":"` + huge + `"}`, 0, ""},
		{"cause and object", `{"message":"m","cause":"` + big + `","object":"` + big + `"}`, 0, ""},
		{"one long field error", `{"errors":` + items(1, big) + `}`, 1, ""},
		{"many small field errors", `{"errors":` + items(100000, "x") + `}`, 20, "99981 more errors not shown"},
		{"twenty field errors", `{"errors":` + items(20, "x") + `}`, 20, ""},
		{"twenty-one field errors", `{"errors":` + items(21, "x") + `}`, 20, "2 more errors not shown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newScripted(t, answer{400, map[string]string{"Content-Type": "application/json"}, tt.body})
			c, _ := newClient(t, srv.URL, func(c *gandi.Config) { c.MaxBodyBytes = 64 << 20 })
			_, err := c.UserInfo(context.Background())
			var ge *gandi.Error
			if !errors.As(err, &ge) {
				t.Fatalf("err = %v", err)
			}
			fields := []string{ge.Message, ge.Cause, ge.Object}
			for _, f := range ge.Errors {
				fields = append(fields, f.Location, f.Name, f.Description)
			}
			for _, f := range fields {
				if len(f) > 512 || !utf8.ValidString(f) {
					t.Errorf("a field of %d bytes (valid UTF-8: %v)", len(f), utf8.ValidString(f))
				}
				if strings.HasPrefix(f, "éé") && !strings.HasSuffix(f, "…") {
					t.Errorf("a cut field does not end with an ellipsis: …%q", f[len(f)-10:])
				}
			}
			if len(ge.Errors) != tt.wantItems {
				t.Errorf("%d field errors, want %d", len(ge.Errors), tt.wantItems)
			}
			if tt.wantMore != "" && ge.Errors[len(ge.Errors)-1].Description != tt.wantMore {
				t.Errorf("last field error %+v, want it to say %q", ge.Errors[len(ge.Errors)-1], tt.wantMore)
			}
			if n := len(err.Error()); n > 20<<10 {
				t.Errorf("the error's text is %d bytes", n)
			}
		})
	}
}
