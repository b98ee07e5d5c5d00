package gandi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gandi-mcp/gandi-mcp/gandi"
)

const okJSON = `{"id": "u1", "username": "alice_doe"}`

func TestRetries(t *testing.T) {
	jsonHdr := map[string]string{"Content-Type": "application/json"}
	tests := []struct {
		name       string
		answers    []answer
		wantHits   int
		wantStatus int             // 0: success
		wantSleeps []time.Duration // nil: not checked beyond count
		maxSleep   time.Duration   // each backoff is at most this much
	}{
		{
			name:       "429 honours Retry-After",
			answers:    []answer{{429, map[string]string{"Retry-After": "2"}, ""}, {200, jsonHdr, okJSON}},
			wantHits:   2,
			wantSleeps: []time.Duration{2 * time.Second},
		},
		{
			name:       "429 with an HTTP date",
			answers:    []answer{{429, map[string]string{"Retry-After": time.Now().Add(10 * time.Second).UTC().Format(http.TimeFormat)}, ""}, {200, jsonHdr, okJSON}},
			wantHits:   2,
			maxSleep:   11 * time.Second,
			wantSleeps: nil,
		},
		{
			name:     "503 twice then ok, with jittered backoff",
			answers:  []answer{{503, nil, "busy"}, {503, nil, "busy"}, {200, jsonHdr, okJSON}},
			wantHits: 3,
			maxSleep: 20 * time.Millisecond,
		},
		{
			name:     "502 and 504 are retried",
			answers:  []answer{{502, nil, "<html>bad gateway</html>"}, {504, nil, ""}, {200, jsonHdr, okJSON}},
			wantHits: 3,
			maxSleep: 20 * time.Millisecond,
		},
		{
			name:       "503 every time gives up after MaxAttempts",
			answers:    []answer{{503, nil, ""}},
			wantHits:   4,
			wantStatus: 503,
			maxSleep:   40 * time.Millisecond,
		},
		{
			name:       "Retry-After beyond the bound is not slept",
			answers:    []answer{{503, map[string]string{"Retry-After": "3600"}, ""}, {200, jsonHdr, okJSON}},
			wantHits:   1,
			wantStatus: 503,
			wantSleeps: []time.Duration{},
		},
		{name: "500 is not retried", answers: []answer{{500, nil, ""}}, wantHits: 1, wantStatus: 500, wantSleeps: []time.Duration{}},
		{name: "401 is not retried", answers: []answer{{401, jsonHdr, `{"code":401}`}}, wantHits: 1, wantStatus: 401, wantSleeps: []time.Duration{}},
		{name: "403 is not retried", answers: []answer{{403, nil, ""}}, wantHits: 1, wantStatus: 403, wantSleeps: []time.Duration{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newScripted(t, tt.answers...)
			var events []gandi.RetryEvent
			c, sl := newClient(t, srv.URL, func(c *gandi.Config) {
				c.Retry = gandi.RetryPolicy{BaseDelay: 5 * time.Millisecond, MaxDelay: 40 * time.Millisecond, MaxRetryAfter: time.Minute}
				c.OnRetry = func(_ context.Context, ev gandi.RetryEvent) { events = append(events, ev) }
			})
			_, err := c.UserInfo(context.Background())
			if got := len(srv.requests()); got != tt.wantHits {
				t.Errorf("hits = %d, want %d", got, tt.wantHits)
			}
			var ge *gandi.Error
			switch {
			case tt.wantStatus == 0 && err != nil:
				t.Fatalf("err = %v", err)
			case tt.wantStatus != 0 && (!errors.As(err, &ge) || ge.Status != tt.wantStatus):
				t.Fatalf("err = %v, want status %d", err, tt.wantStatus)
			}
			got := sl.all()
			if len(got) != tt.wantHits-1 || len(events) != len(got) {
				t.Errorf("sleeps = %v, events = %d, hits = %d", got, len(events), tt.wantHits)
			}
			if tt.wantSleeps != nil && fmt.Sprint(got) != fmt.Sprint(tt.wantSleeps) {
				t.Errorf("sleeps = %v, want %v", got, tt.wantSleeps)
			}
			for i, d := range got {
				if tt.maxSleep > 0 && (d < 0 || d > tt.maxSleep) {
					t.Errorf("sleep %d = %v, want within [0, %v]", i, d, tt.maxSleep)
				}
				if ev := events[i]; ev.Attempt != i+1 || ev.Delay != d || ev.Method != "GET" || ev.Path != "/v5/organization/user-info" || ev.Err == nil {
					t.Errorf("event %d = %+v", i, ev)
				}
			}
		})
	}
}

func TestRetryAfterOverBoundIsReported(t *testing.T) {
	srv := newScripted(t, answer{429, map[string]string{"Retry-After": "45"}, ""})
	c, sl := newClient(t, srv.URL, nil) // default bound: 30s
	_, err := c.UserInfo(context.Background())
	var ge *gandi.Error
	if !errors.As(err, &ge) || ge.Status != 429 || ge.RetryAfter != 45*time.Second {
		t.Fatalf("err = %#v", err)
	}
	if n := len(srv.requests()); n != 1 || len(sl.all()) != 0 {
		t.Errorf("hits = %d, sleeps = %v; want one hit and no sleep", n, sl.all())
	}
}

func TestPostIsNeverRetried(t *testing.T) {
	tests := []struct {
		name   string
		answer answer
		close  bool
	}{
		{name: "503", answer: answer{503, nil, "busy"}},
		{name: "429", answer: answer{429, map[string]string{"Retry-After": "1"}, ""}},
		{name: "connection closed", close: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var hits atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hits.Add(1)
				if tt.close {
					conn, _, _ := http.NewResponseController(w).Hijack()
					conn.Close()
					return
				}
				for k, v := range tt.answer.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tt.answer.status)
			}))
			defer srv.Close()
			c, sl := newClient(t, srv.URL, nil)
			if _, err := c.RenewToken(context.Background(), gandi.RenewRequest{}); err == nil {
				t.Fatal("RenewToken succeeded")
			}
			if hits.Load() != 1 || len(sl.all()) != 0 {
				t.Errorf("hits = %d, sleeps = %v; want exactly one POST", hits.Load(), sl.all())
			}
		})
	}
}

func TestTransportErrorsAreRetriedForGet(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) == 1 {
			conn, _, _ := http.NewResponseController(w).Hijack()
			conn.Close()
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(okJSON))
	}))
	defer srv.Close()
	c, sl := newClient(t, srv.URL, nil)
	u, err := c.UserInfo(context.Background())
	if err != nil || u.Username != "alice_doe" {
		t.Fatalf("UserInfo = %+v, %v", u, err)
	}
	if hits.Load() != 2 || len(sl.all()) != 1 {
		t.Errorf("hits = %d, sleeps = %v", hits.Load(), sl.all())
	}
}

func TestRetryWaitStopsOnCancel(t *testing.T) {
	srv := newScripted(t, answer{503, nil, ""})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c, _ := newClient(t, srv.URL, func(c *gandi.Config) {
		c.Sleep = nil // the real timer: it must give up when ctx ends
		c.Retry = gandi.RetryPolicy{BaseDelay: time.Hour, MaxDelay: time.Hour}
		c.OnRetry = func(context.Context, gandi.RetryEvent) { cancel() }
	})
	start := time.Now()
	_, err := c.UserInfo(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	var te *gandi.TransportError
	var ge *gandi.Error
	if !errors.As(err, &te) || !errors.As(err, &ge) || ge.Status != 503 {
		t.Errorf("err = %v: want a TransportError that still carries the 503", err)
	}
	if time.Since(start) > 10*time.Second || len(srv.requests()) != 1 {
		t.Errorf("took %v with %d hits", time.Since(start), len(srv.requests()))
	}
}

// hanging answers nothing until the request's context ends, and reports arrivals.
func hanging(t *testing.T) (*httptest.Server, <-chan struct{}, *atomic.Int32) {
	arrived := make(chan struct{}, 16)
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		_, _ = io.Copy(io.Discard, r.Body) // the server notices a gone client only once the body is read
		arrived <- struct{}{}
		<-r.Context().Done()
	}))
	t.Cleanup(srv.Close)
	return srv, arrived, &hits
}

func TestTimeoutIsATransportError(t *testing.T) {
	srv, _, hits := hanging(t)
	c, sl := newClient(t, srv.URL, func(c *gandi.Config) {
		c.Timeout = 50 * time.Millisecond
		c.Retry.MaxAttempts = 2
	})
	_, err := c.TokenInfo(context.Background())
	var te *gandi.TransportError
	if !errors.As(err, &te) || !te.Timeout || te.Path != "/tokeninfo" || te.Method != "GET" {
		t.Fatalf("err = %#v, want a timeout TransportError", err)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want it to wrap context.DeadlineExceeded", err)
	}
	if hits.Load() != 2 || len(sl.all()) != 1 {
		t.Errorf("hits = %d, sleeps = %v: a timed-out GET is retried", hits.Load(), sl.all())
	}
}

func TestCallerCancelIsNotRetried(t *testing.T) {
	srv, arrived, hits := hanging(t)
	c, sl := newClient(t, srv.URL, nil)
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-arrived; cancel() }()
	_, err := c.Domains(ctx, gandi.DomainsQuery{})
	var te *gandi.TransportError
	if !errors.Is(err, context.Canceled) || !errors.As(err, &te) || te.Timeout {
		t.Fatalf("err = %#v, want a TransportError wrapping context.Canceled", err)
	}
	if hits.Load() != 1 || len(sl.all()) != 0 {
		t.Errorf("hits = %d, sleeps = %v", hits.Load(), sl.all())
	}
}

func TestRefusedConnection(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	c, sl := newClient(t, url, nil)
	_, err := c.UserInfo(context.Background())
	var te *gandi.TransportError
	if !errors.As(err, &te) || te.Timeout || len(sl.all()) != 3 {
		t.Fatalf("err = %v, sleeps = %v", err, sl.all())
	}
}

func TestBodyCap(t *testing.T) {
	big := `{"id": "` + strings.Repeat("x", 100) + `"}`
	exact := `{"id":"` + strings.Repeat("x", 64-len(`{"id":""}`)) + `"}`
	tests := []struct {
		name       string
		answer     answer
		wantStatus int // for an *Error
		tooLarge   bool
	}{
		{"200 over the cap", answer{200, nil, big}, 0, true},
		{"503 over the cap", answer{503, nil, big}, 503, true},
		{"404 over the cap", answer{404, nil, big}, 404, true},
		{"200 exactly at the cap", answer{200, nil, exact}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newScripted(t, tt.answer)
			c, _ := newClient(t, srv.URL, func(c *gandi.Config) { c.MaxBodyBytes = 64 })
			_, err := c.UserInfo(context.Background())
			if got := errors.Is(err, gandi.ErrBodyTooLarge); got != tt.tooLarge {
				t.Fatalf("err = %v, want ErrBodyTooLarge: %v", err, tt.tooLarge)
			}
			var ge *gandi.Error
			if tt.wantStatus != 0 && (!errors.As(err, &ge) || ge.Status != tt.wantStatus) {
				t.Errorf("err = %v, want status %d", err, tt.wantStatus)
			}
			if tt.wantStatus == 0 && tt.tooLarge && len(srv.requests()) != 1 {
				t.Errorf("an oversized 200 was fetched %d times", len(srv.requests()))
			}
		})
	}
}

func TestBadResponse(t *testing.T) {
	tests := []struct{ name, body string }{
		{"truncated JSON", `[{"id": "a", "fqdn": `},
		{"empty", ""},
		{"wrong shape", `{"id": "a"}`},
		{"html", "<html>maintenance</html>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newScripted(t, answer{200, nil, tt.body})
			c, _ := newClient(t, srv.URL, nil)
			_, err := c.Domains(context.Background(), gandi.DomainsQuery{})
			if !errors.Is(err, gandi.ErrBadResponse) {
				t.Fatalf("err = %v, want ErrBadResponse", err)
			}
			if len(srv.requests()) != 1 {
				t.Errorf("hits = %d: a bad body is not retried", len(srv.requests()))
			}
		})
	}
}

func TestRequestHeaders(t *testing.T) {
	srv := newScripted(t, answer{200, nil, `{}`}, answer{201, nil, `{"access_token": "pat_new"}`})
	c, _ := newClient(t, srv.URL, func(c *gandi.Config) { c.UserAgent = "probe/1" })
	if _, err := c.UserInfo(context.Background()); err != nil {
		t.Fatal(err)
	}
	ak := c.WithToken(gandi.SchemeApikey, "legacykey")
	if ak.Scheme() != gandi.SchemeApikey || c.Scheme() != gandi.SchemeBearer {
		t.Errorf("schemes: %s, %s", ak.Scheme(), c.Scheme())
	}
	if _, err := ak.RenewToken(context.Background(), gandi.RenewRequest{Name: "n"}); err != nil {
		t.Fatal(err)
	}
	reqs := srv.requests()
	get, post := reqs[0], reqs[1]
	for _, tt := range []struct{ what, got, want string }{
		{"GET Authorization", get.Header.Get("Authorization"), "Bearer " + testToken},
		{"GET User-Agent", get.Header.Get("User-Agent"), "probe/1"},
		{"GET Accept", get.Header.Get("Accept"), "application/json"},
		{"GET Content-Type", get.Header.Get("Content-Type"), ""},
		{"GET Accept-Version", get.Header.Get("Accept-Version"), ""},
		{"POST Authorization", post.Header.Get("Authorization"), "Apikey legacykey"},
		{"POST Content-Type", post.Header.Get("Content-Type"), "application/json"},
		{"POST Accept-Version", post.Header.Get("Accept-Version"), ""},
	} {
		if tt.got != tt.want {
			t.Errorf("%s = %q, want %q", tt.what, tt.got, tt.want)
		}
	}

	srv2 := newScripted(t, answer{200, nil, `{}`})
	d, _ := newClient(t, srv2.URL, nil)
	if _, err := d.UserInfo(context.Background()); err != nil {
		t.Fatal(err)
	}
	if ua := srv2.requests()[0].Header.Get("User-Agent"); ua != "gandi-mcp/dev" {
		t.Errorf("default User-Agent = %q", ua)
	}
}

// TestRedirects: a redirect to another origin is not followed at all (no
// request reaches it), a redirect on the API host is followed with the token,
// and a loop stops after maxRedirects, without retries.
func TestRedirects(t *testing.T) {
	clients := []struct {
		name   string
		client *http.Client
	}{
		{"built-in client", nil},
		{"caller's client", &http.Client{Timeout: 5 * time.Second}},
	}
	tests := []struct {
		name string
		// route answers the API host's requests; other is the other host's URL.
		route        func(w http.ResponseWriter, r *http.Request, other string)
		wantAPIHits  int
		wantStatus   int    // 0: success
		wantRedirect string // "other": the other host's scheme and host
	}{
		{"same host, once", func(w http.ResponseWriter, r *http.Request, _ string) {
			if r.URL.Path == "/moved" {
				_, _ = w.Write([]byte(`{}`))
				return
			}
			http.Redirect(w, r, "/moved", http.StatusFound)
		}, 2, 0, ""},
		{"another host", func(w http.ResponseWriter, r *http.Request, other string) {
			http.Redirect(w, r, other+"/elsewhere?q=1", http.StatusFound)
		}, 1, http.StatusFound, "other"},
		{"another host after a same-host hop", func(w http.ResponseWriter, r *http.Request, other string) {
			if r.URL.Path == "/moved" {
				http.Redirect(w, r, other+"/elsewhere", http.StatusTemporaryRedirect)
				return
			}
			http.Redirect(w, r, "/moved", http.StatusFound)
		}, 2, http.StatusTemporaryRedirect, "other"},
		{"userinfo, path and query are not named", func(w http.ResponseWriter, r *http.Request, other string) {
			u := strings.Replace(other, "http://", "http://alice:hunter2@", 1) + "/steal/" + testToken + "?token=" + testToken + "#frag"
			w.Header().Set("Location", u)
			w.WriteHeader(http.StatusMovedPermanently)
			_, _ = w.Write([]byte("Moved to " + u))
		}, 1, http.StatusMovedPermanently, "other"},
		{"loop on the same host", func(w http.ResponseWriter, r *http.Request, _ string) {
			http.Redirect(w, r, r.URL.Path, http.StatusFound)
		}, 4, http.StatusFound, ""},
	}
	for _, cl := range clients {
		for _, tt := range tests {
			t.Run(cl.name+"/"+tt.name, func(t *testing.T) {
				other := newScripted(t, answer{200, nil, `{}`})
				var mu sync.Mutex
				var auths []string
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					mu.Lock()
					auths = append(auths, r.Header.Get("Authorization"))
					mu.Unlock()
					tt.route(w, r, other.URL)
				}))
				defer srv.Close()
				c, sl := newClient(t, srv.URL, func(c *gandi.Config) { c.HTTPClient = cl.client })
				_, err := c.UserInfo(context.Background())
				if n := len(other.requests()); n != 0 {
					t.Errorf("the other host saw %d requests", n)
				}
				mu.Lock()
				defer mu.Unlock()
				if len(auths) != tt.wantAPIHits || len(sl.all()) != 0 {
					t.Errorf("the API host saw %d requests after %d retries, want %d and none", len(auths), len(sl.all()), tt.wantAPIHits)
				}
				for i, a := range auths {
					if a != "Bearer "+testToken {
						t.Errorf("request %d to the API host had Authorization %q", i, a)
					}
				}
				if tt.wantStatus == 0 {
					if err != nil {
						t.Fatal(err)
					}
					return
				}
				var ge *gandi.Error
				if !errors.As(err, &ge) || ge.Status != tt.wantStatus {
					t.Fatalf("err = %v, want a %d *gandi.Error", err, tt.wantStatus)
				}
				want := ""
				if tt.wantRedirect == "other" {
					want = other.URL
				}
				if ge.Redirect != want {
					t.Errorf("Redirect = %q, want %q", ge.Redirect, want)
				}
				msg := err.Error()
				if !strings.Contains(msg, "not followed") || (want != "" && !strings.Contains(msg, want)) {
					t.Errorf("message %q does not say the redirect to %q was not followed", msg, want)
				}
				for _, leak := range []string{"alice", "hunter2", "steal", "elsewhere", "token=", testToken, "frag"} {
					if strings.Contains(msg+ge.Excerpt+ge.Message, leak) {
						t.Errorf("the error carries %q: %s", leak, msg)
					}
				}
			})
		}
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	good := gandi.EndpointsFor(gandi.Production)
	tests := []struct {
		name string
		cfg  gandi.Config
	}{
		{"clear text", gandi.Config{Endpoints: gandi.Endpoints{APIURL: "http://api.example.com", IDURL: gandi.ProductionIDURL}}},
		{"unknown scheme", gandi.Config{Endpoints: good, Scheme: "Basic"}},
		{"token with newline", gandi.Config{Endpoints: good, Token: "pat_secret\nvalue"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := gandi.New(tt.cfg)
			if err == nil {
				t.Fatalf("New = %v, want an error", c)
			}
			if strings.Contains(err.Error(), "secret") {
				t.Errorf("error repeats the token: %v", err)
			}
		})
	}
}

// TestNoErrorContainsTheToken drives every failure path against servers that
// echo the Authorization header back wherever they can.
func TestNoErrorContainsTheToken(t *testing.T) {
	echo := func(status int, ctype, format string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", ctype)
			w.Header().Set("X-Echo", r.Header.Get("Authorization"))
			w.WriteHeader(status)
			fmt.Fprintf(w, format, r.Header.Get("Authorization"))
		}
	}
	handlers := map[string]http.Handler{
		"standard body":   echo(401, "application/json", `{"code": 401, "message": "bad token %s", "object": "HTTPUnauthorized", "cause": "Unauthorized"}`),
		"validation body": echo(400, "application/json", `{"status": "error", "errors": [{"location": "header", "name": "Authorization", "description": "%s"}]}`),
		"html":            echo(502, "text/html", `<html><body>token: %s</body></html>`),
		"plain":           echo(503, "text/plain", `no %s`),
		"unknown json":    echo(500, "application/json", `{"token": %q}`),
		"bad 200":         echo(200, "application/json", `{"x": "%s"`),
		"oversized":       echo(200, "application/json", `{"x": "%s", "pad": "`+strings.Repeat("p", 500)+`"}`),
		"hang": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body) // the server notices a gone client only once the body is read
			<-r.Context().Done()
		}),
		"close": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			conn, _, _ := http.NewResponseController(w).Hijack()
			conn.Close()
		}),
	}
	for name, h := range handlers {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(h)
			defer srv.Close()
			c, _ := newClient(t, srv.URL, func(c *gandi.Config) {
				c.Timeout = 50 * time.Millisecond
				c.MaxBodyBytes = 256
			})
			for _, call := range []func() error{
				func() error { _, err := c.TokenInfo(context.Background()); return err },
				func() error { _, err := c.Domains(context.Background(), gandi.DomainsQuery{FQDN: "*.fr"}); return err },
				func() error { _, err := c.RenewToken(context.Background(), gandi.RenewRequest{}); return err },
				func() error { _, err := c.Organizations(context.Background(), gandi.OrganizationsQuery{}); return err },
			} {
				err := call()
				if err == nil {
					t.Fatal("call succeeded")
				}
				for _, s := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
					if strings.Contains(s, testToken) {
						t.Errorf("error text contains the token: %s", s)
					}
				}
			}
		})
	}
}

func TestClientAndConfigNeverPrintTheToken(t *testing.T) {
	cfg := gandi.Config{Endpoints: gandi.EndpointsFor(gandi.Sandbox), Token: testToken}
	c, err := gandi.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	log.Info("client", "c", c, "cfg", cfg)
	js, _ := json.Marshal(struct{ Token string }{cfg.String()})
	outs := []string{logs.String(), string(js)}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%d", "%x", "%q"} {
		outs = append(outs, fmt.Sprintf(verb, c), fmt.Sprintf(verb, *c), fmt.Sprintf(verb, cfg), fmt.Sprintf(verb, &cfg), fmt.Sprintf(verb, []any{cfg, c}))
	}
	for _, s := range outs {
		if strings.Contains(s, testToken) || strings.Contains(s, fmt.Sprintf("%x", testToken)) {
			t.Errorf("printed the token: %s", s)
		}
	}
	if !strings.Contains(c.String(), "[redacted]") || !strings.Contains(c.String(), gandi.SandboxAPIURL) {
		t.Errorf("String() = %s", c)
	}
	if e := c.Endpoints(); e != gandi.EndpointsFor(gandi.Sandbox) {
		t.Errorf("Endpoints() = %+v", e)
	}
}

func TestNoRetryPastTheCallersDeadline(t *testing.T) {
	srv := newScripted(t, answer{503, map[string]string{"Retry-After": "20"}, ""}, answer{200, nil, okJSON})
	c, sl := newClient(t, srv.URL, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := c.UserInfo(ctx)
	var ge *gandi.Error
	if !errors.As(err, &ge) || ge.Status != 503 || ge.RetryAfter != 20*time.Second {
		t.Fatalf("err = %v, want the 503 at once", err)
	}
	if len(srv.requests()) != 1 || len(sl.all()) != 0 {
		t.Errorf("hits = %d, sleeps = %v", len(srv.requests()), sl.all())
	}
}
