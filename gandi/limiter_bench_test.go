package gandi_test

import (
	"context"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gandi-mcp/gandi-mcp/gandi"
)

// canned answers every request at once from memory, so that a benchmark
// measures the client's own work rather than the network's.
type canned string

func (c canned) RoundTrip(*http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: http.StatusOK, ContentLength: int64(len(c)),
		Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(strings.NewReader(string(c)))}, nil
}

// BenchmarkLimiterOverhead: one request (GET /v5/domain/domains/{fqdn}) without
// a limiter, and with one whose rate is never reached, so that the difference
// is what waiting one's turn costs when nobody waits; serial, then from 64
// callers with 64 tokens at once.
func BenchmarkLimiterOverhead(b *testing.B) {
	hc := &http.Client{Transport: canned(`{"fqdn": "example.com", "status": []}`)}
	for _, bc := range []struct {
		name    string
		limited bool
		events  bool
	}{
		{"without", false, false},
		{"with", true, false},
		{"with+events", true, true},
	} {
		newClient := func(token string) *gandi.Client {
			cfg := gandi.Config{
				Endpoints:  gandi.Endpoints{Env: gandi.Production, APIURL: "https://api.gandi.invalid", IDURL: "https://api.gandi.invalid"},
				Token:      token,
				HTTPClient: hc,
			}
			if bc.limited {
				lim, err := gandi.NewLimiter(gandi.LimiterConfig{PerMinute: 1 << 40})
				if err != nil {
					b.Fatal(err)
				}
				cfg.Limiter = lim
			}
			if bc.events {
				cfg.OnRequest = func(context.Context, gandi.RequestEvent) {}
			}
			c, err := gandi.New(cfg)
			if err != nil {
				b.Fatal(err)
			}
			return c
		}
		b.Run(bc.name+"/serial", func(b *testing.B) {
			c := newClient(testToken)
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.DomainDetails(ctx, "example.com"); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(bc.name+"/64callers", func(b *testing.B) {
			base := newClient(testToken)
			clients := make([]*gandi.Client, 64)
			for i := range clients {
				clients[i] = base.WithToken(gandi.SchemeBearer, testToken+strconv.Itoa(i)) // shares base's limiter
			}
			var next atomic.Int64
			ctx := context.Background()
			b.ReportAllocs()
			b.SetParallelism(max(1, 64/runtime.GOMAXPROCS(0))) // 64 goroutines, whatever GOMAXPROCS
			b.RunParallel(func(pb *testing.PB) {
				c := clients[next.Add(1)%64]
				for pb.Next() {
					if _, err := c.DomainDetails(ctx, "example.com"); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// BenchmarkLimiterWait is Wait alone when the rate is never reached: the
// whole of the limiter's cost on a request that does not wait, from one
// goroutine and from several at once (one lock for all).
func BenchmarkLimiterWait(b *testing.B) {
	lim, err := gandi.NewLimiter(gandi.LimiterConfig{PerMinute: 1 << 40})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := lim.Wait(ctx, "caller"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := lim.Wait(ctx, "caller"); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}
