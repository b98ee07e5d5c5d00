package gandi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// ErrBodyTooLarge is wrapped when an answer's body exceeds Config.MaxBodyBytes.
var ErrBodyTooLarge = errors.New("gandi: response body too large")

// ErrBadResponse is wrapped when an answer is not what was expected: a body
// that is not the JSON expected (truncated, wrong shape, missing a required
// field), or a Link header pointing off the API.
var ErrBadResponse = errors.New("gandi: unexpected response")

// Error is Gandi's answer to a failed request (any non-2xx status).
type Error struct {
	Method string // HTTP method
	Path   string // URL path only: no query, never a header
	Host   string // the host that answered, with its port when one was given
	Status int    // HTTP status code

	// Gandi's standard error body.
	Code    int
	Message string
	Object  string
	Cause   string

	// Errors lists a 400's validation errors.
	Errors []FieldError

	// RetryAfter is the parsed Retry-After header, 0 when absent.
	RetryAfter time.Duration

	// Excerpt is a short sanitised excerpt of a body that is not Gandi's JSON
	// (a gateway's HTML page, plain text).
	Excerpt string

	// Redirect is, for a 3xx answer (a redirect that was not followed), the
	// scheme and host its Location points to; "" when that is relative.
	Redirect string

	// Err is set when the body itself could not be read (wraps ErrBodyTooLarge).
	Err error
}

// FieldError is one item of a 400 validation answer.
type FieldError struct {
	Location    string `json:"location"` // header, path, querystring or body
	Name        string `json:"name"`
	Description string `json:"description"`
}

// Error reads like "gandi: GET /v5/domain/domains: 403 Forbidden: Access was denied to this resource.".
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "gandi: %s %s: %d", e.Method, e.Path, e.Status)
	if t := http.StatusText(e.Status); t != "" {
		b.WriteString(" " + t)
	}
	var details []string
	if e.Status >= 300 && e.Status <= 399 {
		to := "within the same host"
		if e.Redirect != "" {
			to = "to " + e.Redirect
		}
		details = append(details, "redirected "+to+", not followed")
	}
	if e.Message != "" {
		details = append(details, e.Message)
	}
	for _, f := range e.Errors {
		details = append(details, f.String())
	}
	if len(details) == 0 && e.Excerpt != "" {
		details = append(details, e.Excerpt)
	}
	if e.Err != nil {
		details = append(details, e.Err.Error())
	}
	if len(details) > 0 {
		b.WriteString(": " + strings.Join(details, "; "))
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (retry after %s)", e.RetryAfter)
	}
	return b.String()
}

// Unwrap returns the body-reading failure, if any.
func (e *Error) Unwrap() error { return e.Err }

// String reads like "per_page (querystring): must be between 1 and 1000".
func (f FieldError) String() string {
	s := f.Name
	if f.Location != "" {
		s += " (" + f.Location + ")"
	}
	if f.Description != "" {
		s += ": " + f.Description
	}
	return s
}

// FailureKind names what went wrong on the way to an answer, or with the
// answer itself, so that a diagnosis can say it in plain words.
type FailureKind string

// The kinds of TransportError and BadResponseError.
const (
	KindTimeout   FailureKind = "timeout"            // no complete answer in time
	KindCanceled  FailureKind = "canceled"           // the caller gave up
	KindRefused   FailureKind = "connection_refused" // nothing listens on the port
	KindDNS       FailureKind = "name_not_resolved"  // the host name has no address
	KindTLS       FailureKind = "tls"                // certificate not trusted, or the handshake failed
	KindReset     FailureKind = "connection_reset"   // the peer reset the connection
	KindClosed    FailureKind = "connection_closed"  // the peer closed the connection without answering
	KindNetwork   FailureKind = "network"            // any other network failure
	KindTruncated FailureKind = "truncated"          // the body ended before its declared length
	KindTooLarge  FailureKind = "too_large"          // the body exceeds Config.MaxBodyBytes
	KindNotJSON   FailureKind = "not_json"           // a 2xx body that is not the JSON expected
)

// TransportError says a request never got a complete HTTP answer: timeout,
// refused connection, DNS failure, TLS failure, reset, cancelled context, or a
// body cut short (which also wraps ErrBadResponse).
type TransportError struct {
	Method, Path string
	Host         string      // the host asked, with its port when one was given; never userinfo
	Kind         FailureKind // what happened
	Timeout      bool        // the request or the caller's context ran out of time
	// CallerDeadline is set when the caller's context deadline, not the
	// per-attempt timeout, ended the request.
	CallerDeadline bool
	After          time.Duration // how long the request was tried, retries and waits included
	Attempts       int           // attempts made, from 1
	Err            error
}

// Error reads like "gandi: GET api.gandi.net/tokeninfo: timed out after 25s: context deadline exceeded".
func (e *TransportError) Error() string {
	where := e.Host + e.Path
	if e.Timeout {
		return fmt.Sprintf("gandi: %s %s: timed out after %s: %v", e.Method, where, RoundDuration(e.After), e.Err)
	}
	return fmt.Sprintf("gandi: %s %s: %v", e.Method, where, e.Err)
}

// Unwrap returns the underlying cause, so errors.Is(err, context.Canceled) works.
func (e *TransportError) Unwrap() error { return e.Err }

// Caps on what parseError copies out of an error body: the body may be up to
// Config.MaxBodyBytes, and each field ends up in results and logs.
const (
	maxErrorText   = 512 // bytes of message, cause, object and a field error's description
	maxErrorName   = 128 // bytes of a field error's name and location
	maxFieldErrors = 20  // field errors kept, the last one saying how many more there were
)

// BadResponseError says a successful answer arrived but could not be used: too
// large, or not the JSON expected. It matches ErrBadResponse with errors.Is,
// and ErrBodyTooLarge too when it is of KindTooLarge.
type BadResponseError struct {
	Method, Path string
	Host         string // the host that answered, with its port when one was given
	Kind         FailureKind
	Err          error // the decoder's error, or one wrapping ErrBodyTooLarge
}

// Error reads like "gandi: GET api.gandi.net/tokeninfo: the answer is not the JSON expected: invalid character '<' ...".
func (e *BadResponseError) Error() string {
	if e.Kind == KindNotJSON {
		return fmt.Sprintf("gandi: %s %s%s: the answer is not the JSON expected: %v", e.Method, e.Host, e.Path, e.Err)
	}
	return fmt.Sprintf("gandi: %s %s%s: %v", e.Method, e.Host, e.Path, e.Err)
}

// Unwrap returns the cause.
func (e *BadResponseError) Unwrap() error { return e.Err }

// Is makes every BadResponseError an ErrBadResponse.
func (e *BadResponseError) Is(target error) bool { return target == ErrBadResponse }

// RoundDuration shortens d for a person: whole seconds from 10s, tenths of a
// second from 1s, milliseconds below.
func RoundDuration(d time.Duration) time.Duration {
	switch {
	case d >= 10*time.Second:
		return d.Round(time.Second)
	case d >= time.Second:
		return d.Round(100 * time.Millisecond)
	}
	return d.Round(time.Millisecond)
}

// parseError builds the *Error for a non-2xx answer. token is scrubbed from
// anything copied out of the body, in case a server echoes it, before each
// field is capped.
func parseError(method, path string, status int, h http.Header, body []byte, token string) *Error {
	e := &Error{Method: method, Path: path, Status: status, RetryAfter: parseRetryAfter(h.Get("Retry-After"), time.Now())}
	if status >= 300 && status <= 399 {
		// A redirect that was not followed: its body would only repeat the target's full URL.
		e.Redirect = origin(h.Get("Location"))
		return e
	}
	var std struct {
		Code    json.RawMessage         `json:"code"`
		Message string                  `json:"message"`
		Object  string                  `json:"object"`
		Cause   string                  `json:"cause"`
		Errors  boundedList[FieldError] `json:"errors"`
	}
	std.Errors.max = maxFieldErrors
	text := func(s string, n int) string { return clipBytes(scrub(s, token), n) }
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) > 0 && trimmed[0] == '{' && json.Unmarshal(trimmed, &std) == nil {
		e.Code = lenientInt(std.Code)
		e.Message = text(std.Message, maxErrorText)
		e.Object = text(std.Object, maxErrorText)
		e.Cause = text(std.Cause, maxErrorText)
		items := std.Errors.items
		more := std.Errors.dropped
		if more > 0 {
			items, more = items[:maxFieldErrors-1], more+1
		}
		for _, f := range items {
			e.Errors = append(e.Errors, FieldError{Location: text(f.Location, maxErrorName), Name: text(f.Name, maxErrorName), Description: text(f.Description, maxErrorText)})
		}
		if more > 0 {
			e.Errors = append(e.Errors, FieldError{Name: "…", Description: fmt.Sprintf("%d more errors not shown", more)})
		}
		if e.Message != "" || len(e.Errors) > 0 {
			return e
		}
	}
	e.Excerpt = excerpt(body, 200, func(s string) string { return scrub(s, token) })
	return e
}

// origin is the scheme and host of an absolute URL, "" for a relative or bad
// one: never its userinfo, path, query or fragment.
func origin(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Scheme == "" || u.Host == "" {
		return ""
	}
	return clipBytes(strings.ToLower(u.Scheme)+"://"+strings.ToLower(u.Host), maxErrorName)
}

func lenientInt(raw json.RawMessage) int {
	s := strings.Trim(string(bytes.TrimSpace(raw)), `"`)
	if n, err := strconv.Atoi(s); err == nil {
		return n
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return int(f)
	}
	return 0
}

// scrub replaces token in s as written and as a server could echo it: escaped
// for a URL, a JSON or Go string, or HTML.
func scrub(s, token string) string {
	if token == "" {
		return s
	}
	js, _ := json.Marshal(token)
	var plain bytes.Buffer
	enc := json.NewEncoder(&plain)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(token)
	pj := strings.TrimSpace(plain.String())
	q := strconv.Quote(token)
	forms := []string{token, url.QueryEscape(token), url.PathEscape(token), string(js[1 : len(js)-1]),
		pj[1 : len(pj)-1], q[1 : len(q)-1], html.EscapeString(token)}
	// Longest first, so that no form is replaced by a shorter one's pieces.
	slices.SortFunc(forms, func(a, b string) int { return len(b) - len(a) })
	pairs := make([]string, 0, 2*len(forms))
	for _, f := range slices.Compact(forms) {
		pairs = append(pairs, f, redacted)
	}
	return strings.NewReplacer(pairs...).Replace(s)
}

// parseRetryAfter reads seconds or an HTTP date; 0 when absent, bad or past.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n <= 0 {
			return 0
		}
		return time.Duration(min(n, 86400)) * time.Second // a day is past any sane bound
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return min(t.Sub(now).Round(time.Second), 24*time.Hour)
	}
	return 0
}

var (
	scriptRe = regexp.MustCompile(`(?is)<(script|style)\b.*?</(script|style)\s*>`)
	tagRe    = regexp.MustCompile(`(?s)<!--.*?-->|<[^>]*>`)
)

// excerpt turns a non-JSON body into at most n characters of plain text: tags
// stripped, entities decoded, control characters removed, whitespace collapsed.
// clean runs before tags are stripped and again once entities are decoded, both
// before the cut, so that a secret it removes cannot survive in pieces.
func excerpt(body []byte, n int, clean func(string) string) string {
	s := string(body)
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "")
	}
	s = clean(s)
	s = scriptRe.ReplaceAllString(s, " ")
	s = tagRe.ReplaceAllString(s, " ")
	s = clean(html.UnescapeString(s))
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) > n {
		r := []rune(s)
		s = strings.TrimSpace(string(r[:n-1])) + "…"
	}
	return s
}
