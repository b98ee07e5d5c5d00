package gandi_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/gandi-mcp/gandi-mcp/gandi"
)

const testToken = "pat_0123456789abcdef0123456789abcdef"

// sleeps records the waits a client asks for instead of waiting.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleeps) all() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}

// newClient returns a client of base (both hosts) that records its waits.
func newClient(t *testing.T, base string, edit func(*gandi.Config)) (*gandi.Client, *sleeps) {
	t.Helper()
	sl := &sleeps{}
	cfg := gandi.Config{
		Endpoints: gandi.Endpoints{Env: gandi.Production, APIURL: base, IDURL: base},
		Token:     testToken,
		Sleep:     sl.sleep,
	}
	if edit != nil {
		edit(&cfg)
	}
	c, err := gandi.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c, sl
}

// answer is one canned HTTP answer.
type answer struct {
	status int
	header map[string]string
	body   string
}

// scripted serves answers in order (the last one repeats) and counts hits.
type scripted struct {
	*httptest.Server
	mu      sync.Mutex
	answers []answer
	hits    []*http.Request
}

func newScripted(t *testing.T, answers ...answer) *scripted {
	t.Helper()
	s := &scripted{answers: answers}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hits = append(s.hits, r.Clone(context.Background()))
		a := s.answers[min(len(s.hits), len(s.answers))-1]
		s.mu.Unlock()
		for k, v := range a.header {
			w.Header().Set(k, v)
		}
		w.WriteHeader(a.status)
		_, _ = w.Write([]byte(a.body))
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *scripted) requests() []*http.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*http.Request(nil), s.hits...)
}
