// Package gandi is a small typed client of Gandi's v5 API: hosts, the error
// type, retries and pagination. It knows HTTP and Gandi, nothing of MCP.
package gandi

import (
	"bytes"
	"cmp"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// Scheme is the word before the credential in the Authorization header.
type Scheme string

// The two credential kinds Gandi accepts.
const (
	SchemeBearer Scheme = "Bearer" // personal access token
	SchemeApikey Scheme = "Apikey" // legacy API key
)

// RetryPolicy bounds how GET requests are retried on 429, 502, 503, 504 and
// transport errors. Zero fields take the defaults.
type RetryPolicy struct {
	MaxAttempts   int           // attempts in all, first included (default 4)
	BaseDelay     time.Duration // backoff before the second attempt, doubled each time (default 250ms)
	MaxDelay      time.Duration // cap on one backoff (default 5s)
	MaxRetryAfter time.Duration // longest Retry-After honoured; beyond it the error is returned (default 30s)
}

// RetryEvent is reported to Config.OnRetry before each retry's wait.
type RetryEvent struct {
	Method, Path string
	Host         string        // the host asked, with its port when one was given
	Attempt      int           // the attempt that just failed, from 1
	Status       int           // its HTTP status, 0 for a transport error
	Err          error         // its error
	Delay        time.Duration // the wait before the next attempt
}

// Config configures a Client. Only Endpoints is required.
type Config struct {
	Endpoints Endpoints
	Scheme    Scheme // default SchemeBearer
	// Token is the credential: never logged, never in an error, never printed.
	Token string `json:"-"`
	// HTTPClient is optional. Whichever is used, a redirect to another host
	// (or from https to http) is not followed, nor more than 3 on one host.
	HTTPClient   *http.Client
	UserAgent    string        // default "gandi-mcp/dev"
	Timeout      time.Duration // per attempt, default 30s
	Retry        RetryPolicy
	MaxBodyBytes int64                                    // default 16 MiB
	OnRetry      func(ctx context.Context, ev RetryEvent) // optional
	// Sleep waits between retries; nil waits on a timer. It must return
	// ctx.Err() when ctx ends first. Tests set it to avoid real waits.
	Sleep func(ctx context.Context, d time.Duration) error
	// Limiter, when set, is waited on before every attempt, retries included,
	// with the token's fingerprint as the caller; share one per process.
	Limiter *Limiter
	// OnRequest, when set, is told of every attempt once it has ended.
	OnRequest func(ctx context.Context, ev RequestEvent)
}

// RequestEvent is one attempt, reported to Config.OnRequest: what it asked
// (Route is Path's template: never a name, an id or a token) and how it went.
type RequestEvent struct {
	Method, Path, Route string
	// Limited says the attempt waited on a Limiter: for Wait, then, or refused
	// (Err is a *RateLimitError) or given up (Err is ctx's).
	Limited bool
	Wait    time.Duration
	// Sent says a request left for Gandi; Status is its answer's status (0 for
	// a transport error) and Duration the time until its body was read.
	Sent     bool
	Status   int
	Duration time.Duration
	Err      error
}

// Defaults applied by New to zero Config fields.
const (
	DefaultUserAgent    = "gandi-mcp/dev"
	DefaultTimeout      = 30 * time.Second
	DefaultMaxBodyBytes = 16 << 20
)

// DefaultRetryPolicy is the policy zero RetryPolicy fields fall back to.
var DefaultRetryPolicy = RetryPolicy{MaxAttempts: 4, BaseDelay: 250 * time.Millisecond, MaxDelay: 5 * time.Second, MaxRetryAfter: 30 * time.Second}

// String describes the configuration with the token redacted.
func (c Config) String() string {
	return fmt.Sprintf("gandi.Config{Env: %s, API: %s, ID: %s, Scheme: %s, Token: %s}",
		c.Endpoints.Env, Origin(c.Endpoints.APIURL), Origin(c.Endpoints.IDURL), c.Scheme, redactedOrEmpty(c.Token))
}

// Format prints String for every verb, so no verb can reach the Token field.
func (c Config) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, c.String()) }

// LogValue makes slog print the redacted String.
func (c Config) LogValue() slog.Value { return slog.StringValue(c.String()) }

func redactedOrEmpty(s string) string {
	if s == "" {
		return `""`
	}
	return redacted
}

// Client talks to Gandi's v5 API with one credential. It is safe for
// concurrent use.
type Client struct {
	endpoints Endpoints
	scheme    Scheme
	token     Secret
	hc        *http.Client
	userAgent string
	timeout   time.Duration
	retry     RetryPolicy
	maxBody   int64
	onRetry   func(context.Context, RetryEvent)
	sleep     func(context.Context, time.Duration) error
	limiter   *Limiter
	caller    string // the token's fingerprint, for the limiter's turns
	onRequest func(context.Context, RequestEvent)
}

// defaultTransport is http.DefaultTransport keeping more idle connections per
// host than its 2, so that parallel page reads reuse theirs rather than dial
// (and handshake TLS) again.
var defaultTransport = func() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 16
	return t
}()

// New validates cfg and returns a client.
func New(cfg Config) (*Client, error) {
	if err := cfg.Endpoints.Validate(); err != nil {
		return nil, err
	}
	if cfg.Scheme == "" {
		cfg.Scheme = SchemeBearer
	}
	if cfg.Scheme != SchemeBearer && cfg.Scheme != SchemeApikey {
		return nil, fmt.Errorf("gandi: unknown auth scheme %q: use %q or %q", cfg.Scheme, SchemeBearer, SchemeApikey)
	}
	if err := checkToken(cfg.Token); err != nil {
		return nil, err
	}
	c := &Client{
		endpoints: cfg.Endpoints,
		scheme:    cfg.Scheme,
		token:     Secret(cfg.Token),
		hc:        guardRedirects(cfg.HTTPClient),
		userAgent: cfg.UserAgent,
		timeout:   orDefault(cfg.Timeout, DefaultTimeout),
		retry: RetryPolicy{
			MaxAttempts:   orDefault(cfg.Retry.MaxAttempts, DefaultRetryPolicy.MaxAttempts),
			BaseDelay:     orDefault(cfg.Retry.BaseDelay, DefaultRetryPolicy.BaseDelay),
			MaxDelay:      orDefault(cfg.Retry.MaxDelay, DefaultRetryPolicy.MaxDelay),
			MaxRetryAfter: orDefault(cfg.Retry.MaxRetryAfter, DefaultRetryPolicy.MaxRetryAfter),
		},
		maxBody:   orDefault(cfg.MaxBodyBytes, DefaultMaxBodyBytes),
		onRetry:   cfg.OnRetry,
		sleep:     cfg.Sleep,
		limiter:   cfg.Limiter,
		caller:    Fingerprint(cfg.Token),
		onRequest: cfg.OnRequest,
	}
	if c.userAgent == "" {
		c.userAgent = DefaultUserAgent
	}
	if c.sleep == nil {
		c.sleep = sleep
	}
	return c, nil
}

// orDefault returns v, or def when v is not positive.
func orDefault[T int | int64 | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

// checkToken refuses a token that cannot travel in a header, without echoing it.
func checkToken(t string) error {
	for _, r := range t {
		if r <= ' ' || r == 0x7f {
			return errors.New("gandi: the token contains spaces or control characters: check how it was copied")
		}
	}
	return nil
}

// maxRedirects is how many redirects within the API's origin one attempt
// follows: Gandi's API does not redirect, so more is a loop.
const maxRedirects = 3

// guardRedirects returns a copy of hc (or a new client) that follows no
// redirect to another origin (scheme and host), so the Authorization header
// never goes there, and at most maxRedirects within it. A redirect not
// followed is returned as the answer: a 3xx *Error naming where it pointed,
// which is not retried.
func guardRedirects(hc *http.Client) *http.Client {
	var c http.Client
	if hc != nil {
		c = *hc
	}
	if c.Transport == nil {
		c.Transport = defaultTransport
	}
	next := c.CheckRedirect
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		first := via[0].URL
		if !strings.EqualFold(req.URL.Scheme, first.Scheme) || !strings.EqualFold(req.URL.Host, first.Host) || len(via) > maxRedirects {
			return http.ErrUseLastResponse
		}
		if next != nil {
			return next(req, via)
		}
		return nil
	}
	return &c
}

// WithToken returns a copy of c that uses another credential, for instance to
// check a renewed token before storing it.
func (c *Client) WithToken(s Scheme, token string) *Client {
	cc := *c
	if s == "" {
		s = SchemeBearer
	}
	cc.scheme = s
	cc.token = Secret(token)
	cc.caller = Fingerprint(token) // the limiter queues by it: the token is never a key
	return &cc
}

// Endpoints returns where c talks.
func (c *Client) Endpoints() Endpoints { return c.endpoints }

// Scheme returns the scheme of c's credential.
func (c *Client) Scheme() Scheme { return c.scheme }

// String describes the client with the token redacted.
func (c Client) String() string {
	return fmt.Sprintf("gandi.Client{Env: %s, API: %s, Scheme: %s, Token: %s}",
		c.endpoints.Env, Origin(c.endpoints.APIURL), c.scheme, redactedOrEmpty(string(c.token)))
}

// Format prints String for every verb; fmt would otherwise print the fields.
func (c Client) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, c.String()) }

// LogValue makes slog print the redacted String.
func (c Client) LogValue() slog.Value { return slog.StringValue(c.String()) }

// request is one call: a method on a full URL, an optional JSON body, and
// where to decode a 2xx answer (out) or keep it as it came (raw).
type request struct {
	method string
	url    *url.URL
	path   string // url's path less the endpoint's own, set by do for errors and logs
	route  string // path's template, set by do for metrics
	status *int   // when set, receives the answer's status
	body   any
	out    any
	accept string  // Accept header; default application/json
	raw    *[]byte // when set, receives the 2xx body undecoded
	// header holds extra request headers, e.g. Dry-Run.
	header http.Header
}

// apiURL joins the API base and a path with an optional query.
func (c *Client) apiURL(path string, q url.Values) (*url.URL, error) {
	return joinURL(c.endpoints.APIURL, path, q)
}

func joinURL(base, path string, q url.Values) (*url.URL, error) {
	u, err := url.Parse(strings.TrimRight(base, "/") + path)
	if err != nil {
		return nil, fmt.Errorf("gandi: bad URL: %w", err)
	}
	if len(q) > 0 {
		u.RawQuery = q.Encode()
	}
	return u, nil
}

// minAttempt is the least time worth starting an attempt with: a retry that
// would have less before the caller's deadline is not made.
const minAttempt = 250 * time.Millisecond

// do runs r, retrying idempotent GETs within the caller's deadline, and returns
// the answer's headers. A TransportError it returns says how long and how many
// attempts it took.
func (c *Client) do(ctx context.Context, r request) (http.Header, error) {
	if err := checkToken(string(c.token)); err != nil {
		return nil, err
	}
	r.path = c.relativePath(r.url)
	if c.onRequest != nil {
		r.route = Route(r.path)
	}
	var body []byte
	if r.body != nil {
		var err error
		if body, err = json.Marshal(r.body); err != nil {
			return nil, fmt.Errorf("gandi: %s %s: encode body: %w", r.method, r.path, err)
		}
	}
	start := time.Now()
	// stamp records on a transport error how long the whole request took.
	stamp := func(h http.Header, err error, attempts int) (http.Header, error) {
		var te *TransportError
		if errors.As(err, &te) {
			te.After, te.Attempts = time.Since(start), attempts
		}
		return h, err
	}
	retryable := r.method == http.MethodGet
	for attempt := 1; ; attempt++ {
		h, err := c.attempt(ctx, r, body)
		if err == nil || !retryable || attempt >= c.retry.MaxAttempts || ctx.Err() != nil {
			return stamp(h, err, attempt)
		}
		ev := RetryEvent{Method: r.method, Path: r.path, Host: r.url.Host, Attempt: attempt, Err: err}
		var te *TransportError
		var ae *Error
		switch {
		case errors.As(err, &ae):
			switch ae.Status {
			case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
			default:
				return h, err
			}
			if ae.RetryAfter > c.retry.MaxRetryAfter {
				return h, err // the caller decides whether to wait that long
			}
			ev.Status, ev.Delay = ae.Status, ae.RetryAfter
		case errors.As(err, &te):
		default:
			return h, err // a bad or oversized 2xx body will not improve
		}
		if ev.Delay == 0 {
			ev.Delay = c.backoff(attempt)
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < ev.Delay+minAttempt {
			return stamp(h, err, attempt) // the wait and one more attempt would not end before the caller's deadline
		}
		if c.onRetry != nil {
			c.onRetry(ctx, ev)
		}
		if serr := c.sleep(ctx, ev.Delay); serr != nil {
			te := &TransportError{Method: r.method, Path: r.path, Host: r.url.Host, Kind: KindCanceled,
				Err: fmt.Errorf("%w while waiting to retry after: %w", serr, err)}
			if errors.Is(serr, context.DeadlineExceeded) {
				te.Kind, te.Timeout, te.CallerDeadline = KindTimeout, true, true
			}
			return stamp(h, te, attempt)
		}
	}
}

// relativePath is u's path less the configured endpoint's own path, so that
// errors and logs name the API path and never a path given in GANDI_API_URL.
func (c *Client) relativePath(u *url.URL) string {
	for _, base := range []string{c.endpoints.APIURL, c.endpoints.IDURL} {
		b, err := url.Parse(base)
		if err != nil || !strings.EqualFold(b.Host, u.Host) {
			continue
		}
		if p := strings.TrimRight(b.Path, "/"); p != "" && strings.HasPrefix(u.Path, p+"/") {
			return strings.TrimPrefix(u.Path, p)
		}
	}
	return u.Path
}

// backoff is capped exponential backoff with full jitter.
func (c *Client) backoff(attempt int) time.Duration {
	d := c.retry.MaxDelay
	if shift := attempt - 1; shift < 30 {
		d = min(d, c.retry.BaseDelay<<shift)
	}
	if d <= 0 {
		return 0
	}
	return rand.N(d + 1)
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// attempt waits for the limiter's turn, when there is a limiter, then makes one
// exchange, and reports both when asked to.
func (c *Client) attempt(ctx context.Context, r request, body []byte) (http.Header, error) {
	var wait time.Duration
	if c.limiter != nil {
		var err error
		if wait, err = c.limiter.Wait(ctx, c.caller); err != nil {
			var rl *RateLimitError
			if errors.As(err, &rl) {
				rl.Method, rl.Path = r.method, r.path
			} else {
				err = c.transportError(ctx, ctx, r, err)
			}
			c.report(ctx, RequestEvent{Method: r.method, Path: r.path, Route: r.route, Limited: true, Wait: wait, Err: err})
			return nil, err
		}
	}
	if c.onRequest == nil {
		return c.exchange(ctx, r, body)
	}
	return c.reportedExchange(ctx, r, body, wait)
}

// reportedExchange is exchange reported to OnRequest: apart, so that the event
// is not allocated for a client that reports nothing.
func (c *Client) reportedExchange(ctx context.Context, r request, body []byte, wait time.Duration) (http.Header, error) {
	ev := RequestEvent{Method: r.method, Path: r.path, Route: r.route, Limited: c.limiter != nil, Wait: wait, Sent: true}
	start := time.Now()
	r.status = &ev.Status
	h, err := c.exchange(ctx, r, body)
	ev.Duration, ev.Err = time.Since(start), err
	c.report(ctx, ev)
	return h, err
}

func (c *Client) report(ctx context.Context, ev RequestEvent) {
	if c.onRequest != nil {
		c.onRequest(ctx, ev)
	}
}

// exchange makes one HTTP exchange under the per-attempt timeout, which never
// outlasts the caller's deadline.
func (c *Client) exchange(ctx context.Context, r request, body []byte) (http.Header, error) {
	actx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(actx, r.method, r.url.String(), rd)
	if err != nil {
		return nil, fmt.Errorf("gandi: %s %s: %w", r.method, r.path, err)
	}
	if c.token != "" {
		req.Header.Set("Authorization", string(c.scheme)+" "+c.token.Reveal())
	}
	req.Header.Set("User-Agent", c.userAgent)
	req.Header.Set("Accept", cmp.Or(r.accept, "application/json"))
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, vs := range r.header {
		req.Header[k] = vs
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, c.transportError(ctx, actx, r, err)
	}
	defer resp.Body.Close()
	if r.status != nil {
		*r.status = resp.StatusCode
	}
	data, err := readBody(resp, c.maxBody+1)
	if err != nil {
		te := c.transportError(ctx, actx, r, err)
		if ctx.Err() == nil && actx.Err() == nil && errors.Is(err, io.ErrUnexpectedEOF) {
			te.Kind = KindTruncated
			te.Err = fmt.Errorf("%w: body cut short: %w", ErrBadResponse, te.Err)
		}
		return resp.Header, te
	}
	var tooLarge error
	if int64(len(data)) > c.maxBody {
		tooLarge = fmt.Errorf("%w (over %d bytes)", ErrBodyTooLarge, c.maxBody)
		data = data[:c.maxBody]
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		e := parseError(r.method, r.path, resp.StatusCode, resp.Header, data, c.token.Reveal())
		e.Host = r.url.Host
		e.Err = tooLarge
		return resp.Header, e
	}
	if tooLarge != nil {
		return resp.Header, &BadResponseError{Method: r.method, Path: r.path, Host: r.url.Host, Kind: KindTooLarge, Err: tooLarge}
	}
	if r.raw != nil {
		*r.raw = data
	} else if r.out != nil {
		if err := decodeJSON(data, r.out); err != nil {
			return resp.Header, &BadResponseError{Method: r.method, Path: r.path, Host: r.url.Host, Kind: KindNotJSON, Err: err}
		}
	}
	return resp.Header, nil
}

// readBody reads at most limit bytes of resp's body into a buffer sized by its
// Content-Length (up to 1 MiB) when it has one: io.ReadAll's doubling from 512
// bytes allocates twice a page of domains.
func readBody(resp *http.Response, limit int64) ([]byte, error) {
	size := int64(512)
	if n := resp.ContentLength; n > 0 {
		size = min(n, limit, 1<<20) + 1 // + 1: the read that sees EOF needs room
	}
	b := make([]byte, 0, size)
	r := io.LimitReader(resp.Body, limit)
	for {
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
	}
}

// transportError classifies a failure to get an answer: the caller's
// cancellation or deadline, this attempt's timeout, or a network error.
func (c *Client) transportError(ctx, actx context.Context, r request, err error) *TransportError {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // its message repeats the whole URL
	}
	te := &TransportError{Method: r.method, Path: r.path, Host: r.url.Host, Kind: networkKind(err), Err: err}
	var ne net.Error
	switch {
	case ctx.Err() != nil:
		if !errors.Is(err, ctx.Err()) {
			te.Err = fmt.Errorf("%w: %w", ctx.Err(), err)
		}
		te.Kind = KindCanceled
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			te.Kind, te.Timeout, te.CallerDeadline = KindTimeout, true, true
		}
	case actx.Err() != nil:
		te.Kind, te.Timeout = KindTimeout, true
		te.Err = fmt.Errorf("no complete answer within %s: %w", c.timeout, err)
	case errors.As(err, &ne) && ne.Timeout():
		te.Kind, te.Timeout = KindTimeout, true
	}
	return te
}

// networkKind names a network failure from the errors the standard library
// returns for it.
func networkKind(err error) FailureKind {
	var dns *net.DNSError
	var op *net.OpError
	var cert *tls.CertificateVerificationError
	var record tls.RecordHeaderError
	var alert tls.AlertError
	var unknownAuthority x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	switch {
	case errors.As(err, &dns):
		return KindDNS
	case errors.Is(err, syscall.ECONNREFUSED):
		return KindRefused
	case errors.Is(err, syscall.ECONNRESET):
		return KindReset
	case errors.As(err, &cert), errors.As(err, &record), errors.As(err, &alert),
		errors.As(err, &unknownAuthority), errors.As(err, &hostname), errors.As(err, &invalid):
		return KindTLS
	case errors.As(err, &op) && op.Op == "remote error":
		return KindTLS // crypto/tls reports the peer's TLS alerts so
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return KindClosed
	}
	return KindNetwork
}
