package gandi

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock moves only when told; its timers run, in time order, inside Advance.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer
}

type fakeTimer struct {
	at   time.Time
	f    func()
	done bool // fired or stopped
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Now()} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) AfterFunc(d time.Duration, f func()) func() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{at: c.now.Add(d), f: f}
	c.timers = append(c.timers, t)
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		was := !t.done
		t.done = true
		return was
	}
}

// Advance moves the clock by d, running each timer due on the way at its time.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	target := c.now.Add(d)
	for {
		var next *fakeTimer
		for _, t := range c.timers {
			if !t.done && !t.at.After(target) && (next == nil || t.at.Before(next.at)) {
				next = t
			}
		}
		if next == nil {
			c.now = target
			c.mu.Unlock()
			return
		}
		next.done = true
		if next.at.After(c.now) {
			c.now = next.at
		}
		c.mu.Unlock()
		next.f()
		c.mu.Lock()
	}
}

func newTestLimiter(t *testing.T, perMinute, burst int, maxWait time.Duration) (*Limiter, *fakeClock) {
	t.Helper()
	clock := newFakeClock()
	l, err := NewLimiter(LimiterConfig{PerMinute: perMinute, Burst: burst, MaxWait: maxWait, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	return l, clock
}

// granted says whether w has been let through.
func granted(w *waiter) bool {
	select {
	case <-w.ready:
		return w.err == nil
	default:
		return false
	}
}

// TestLimiterServesCallersInTurn: with one request a second, requests queued
// by several callers go one per caller a round, so that a caller arriving
// behind another's hundred requests waits about one slot, not a hundred.
func TestLimiterServesCallersInTurn(t *testing.T) {
	tests := []struct {
		name   string
		queued []string // callers, in the order their requests arrive
		want   string   // the order they are let through, one a second
	}{
		{"one caller behind a hundred", append(repeat("A", 100), "B"), "AB" + strings.Repeat("A", 99)},
		{"three callers", append(append(repeat("A", 5), repeat("B", 3)...), "C"), "ABCABABAA"},
		{"a caller joining late", []string{"A", "A", "A", "B", "B", "B", "C"}, "ABCABAB"},
		{"in arrival order for one caller", []string{"A", "A", "A"}, "AAA"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l, clock := newTestLimiter(t, 60, 1, time.Hour)
			if w, err := l.enqueue(context.Background(), "warm"); w != nil || err != nil {
				t.Fatalf("the first request of a full bucket waits (%v, %v)", w, err)
			}
			var waiters []*waiter
			for _, c := range tc.queued {
				w, err := l.enqueue(context.Background(), c)
				if w == nil || err != nil {
					t.Fatalf("enqueue %s: (%v, %v), want a wait", c, w, err)
				}
				waiters = append(waiters, w)
			}
			var order strings.Builder
			for range tc.queued {
				clock.Advance(time.Second)
				n := 0
				for i, w := range waiters {
					if w != nil && granted(w) {
						order.WriteString(tc.queued[i])
						waiters[i] = nil
						n++
					}
				}
				if n != 1 {
					t.Fatalf("after %s, %d requests went in the same second, want 1", order.String(), n)
				}
			}
			if order.String() != tc.want {
				t.Errorf("served %s, want %s", order.String(), tc.want)
			}
		})
	}
}

func repeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}

// TestLimiterRefusesWaitsPastTheDeadline: a request whose turn would come after
// its call's deadline (less one attempt's time) or after MaxWait is refused at
// once, with the time its turn would have come, and nothing is queued for it.
func TestLimiterRefusesWaitsPastTheDeadline(t *testing.T) {
	tests := []struct {
		name      string
		maxWait   time.Duration
		deadline  time.Duration // from now; 0 for none
		ahead     int           // requests of the same caller already waiting
		wantRetry time.Duration // 0 when the request may wait
	}{
		{"within the deadline", time.Minute, 3 * time.Second, 1, 0},
		{"past the deadline", time.Minute, 3 * time.Second, 2, 3 * time.Second},
		{"past the deadline less one attempt", time.Minute, 3*time.Second + minAttempt - time.Millisecond, 2, 3 * time.Second},
		{"within MaxWait", 5 * time.Second, 0, 4, 0},
		{"past MaxWait", 5 * time.Second, 0, 5, 6 * time.Second},
		{"MaxWait before a later deadline", 5 * time.Second, time.Minute, 5, 6 * time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l, clock := newTestLimiter(t, 60, 1, tc.maxWait)
			ctx := context.Background()
			if tc.deadline > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithDeadline(ctx, clock.Now().Add(tc.deadline))
				defer cancel()
			}
			if _, err := l.Wait(ctx, "A"); err != nil { // the bucket's one token
				t.Fatal(err)
			}
			for range tc.ahead {
				if w, err := l.enqueue(context.Background(), "A"); w == nil || err != nil {
					t.Fatalf("setup: (%v, %v)", w, err)
				}
			}
			w, err := l.enqueue(ctx, "A")
			var rl *RateLimitError
			if tc.wantRetry == 0 {
				if w == nil || err != nil {
					t.Fatalf("enqueue = (%v, %v), want a wait", w, err)
				}
				return
			}
			if !errors.As(err, &rl) || w != nil {
				t.Fatalf("enqueue = (%v, %v), want a *RateLimitError", w, err)
			}
			if rl.RetryAfter != tc.wantRetry || rl.PerMinute != 60 {
				t.Errorf("RetryAfter %s, PerMinute %d; want %s, 60", rl.RetryAfter, rl.PerMinute, tc.wantRetry)
			}
			if l.queued != tc.ahead {
				t.Errorf("%d requests queued, want the %d before it", l.queued, tc.ahead)
			}
		})
	}
}

// TestLimiterGivesUpWhenOthersCutIn: a request queued within its limit whose
// turn moves past it, as other callers join the rounds, is refused when its
// limit comes, with the time its turn would then have come.
func TestLimiterGivesUpWhenOthersCutIn(t *testing.T) {
	l, clock := newTestLimiter(t, 60, 1, time.Hour)
	ctx, cancel := context.WithDeadline(context.Background(), clock.Now().Add(2500*time.Millisecond+minAttempt))
	defer cancel()
	if _, err := l.Wait(ctx, "A"); err != nil {
		t.Fatal(err)
	}
	first, _ := l.enqueue(ctx, "A")
	second, err := l.enqueue(ctx, "A") // its turn in 2s, within the 2.5s it may wait
	if second == nil || err != nil {
		t.Fatalf("enqueue = (%v, %v), want a wait", second, err)
	}
	for _, c := range []string{"B", "C"} {
		if w, err := l.enqueue(context.Background(), c); w == nil || err != nil {
			t.Fatalf("enqueue %s = (%v, %v)", c, w, err)
		}
	}
	clock.Advance(2 * time.Second)
	if !granted(first) || granted(second) {
		t.Fatalf("after 2s: first granted %v, second %v; want A, then B", granted(first), granted(second))
	}
	clock.Advance(time.Second)
	select {
	case <-second.ready:
	default:
		t.Fatal("the second request still waits past its limit")
	}
	var rl *RateLimitError
	if !errors.As(second.err, &rl) || rl.RetryAfter != 1500*time.Millisecond {
		t.Fatalf("err = %v, want a *RateLimitError to retry in 1.5s (C's turn at 3s, then its own at 4s)", second.err)
	}
}

// TestLimiterCancelKeepsTheToken: a request cancelled while it waits leaves the
// queue, and a token granted to it as it was cancelled goes to the next one.
func TestLimiterCancelKeepsTheToken(t *testing.T) {
	l, clock := newTestLimiter(t, 60, 1, time.Hour)
	if _, err := l.Wait(context.Background(), "A"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error)
	go func() {
		_, err := l.Wait(ctx, "A")
		errc <- err
	}()
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("Wait = %v, want context.Canceled", err)
	}
	clock.Advance(time.Second)
	w, err := l.enqueue(context.Background(), "B")
	if w != nil || err != nil || l.queued != 0 {
		t.Fatalf("after the cancelled wait: (%v, %v), %d queued; want B let through at once", w, err, l.queued)
	}
}

// TestLimiterRefills: the bucket holds at most its burst, then lets through
// its rate, and a quiet time refills it.
func TestLimiterRefills(t *testing.T) {
	l, clock := newTestLimiter(t, 120, 3, time.Hour)
	ctx := context.Background()
	take := func() bool {
		w, err := l.enqueue(ctx, "A")
		if err != nil {
			t.Fatal(err)
		}
		if w != nil {
			l.mu.Lock()
			l.remove(w)
			w.done = true
			w.stop()
			l.mu.Unlock()
		}
		return w == nil
	}
	for i := range 3 {
		if !take() {
			t.Fatalf("request %d of a burst of 3 waited", i+1)
		}
	}
	if take() {
		t.Fatal("a 4th request went within the burst of 3")
	}
	clock.Advance(500 * time.Millisecond) // 2 a second
	if !take() || take() {
		t.Fatal("half a second did not give exactly one request")
	}
	clock.Advance(time.Hour)
	n := 0
	for take() {
		n++
	}
	if n != 3 {
		t.Errorf("after an hour, %d went at once, want the burst of 3", n)
	}
}

func TestNewLimiterRefusesNoRate(t *testing.T) {
	for _, n := range []int{0, -1} {
		if _, err := NewLimiter(LimiterConfig{PerMinute: n}); err == nil {
			t.Errorf("NewLimiter(%d) accepted", n)
		}
	}
}
