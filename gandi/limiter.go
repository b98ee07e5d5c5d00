package gandi

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"
)

// Clock is the time a Limiter reads and waits on; tests move a fake one.
type Clock interface {
	Now() time.Time
	// AfterFunc calls f in its own goroutine once d has passed; stop cancels
	// it and reports whether it did so before f ran.
	AfterFunc(d time.Duration, f func()) (stop func() bool)
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }
func (realClock) AfterFunc(d time.Duration, f func()) func() bool {
	return time.AfterFunc(d, f).Stop
}

// LimiterConfig configures NewLimiter. Only PerMinute is required.
type LimiterConfig struct {
	// PerMinute is the sustained number of requests a minute, every caller together.
	PerMinute int
	// Burst is how many requests may go at once after a quiet time; zero means DefaultBurst(PerMinute).
	Burst int
	// MaxWait bounds how long one request queues; zero means DefaultMaxWait.
	MaxWait time.Duration
	// Clock is nil for the real clock.
	Clock Clock
}

// DefaultMaxWait is the longest a request waits for its turn: past it the caller
// is better told when to come back than kept without an answer.
const DefaultMaxWait = 10 * time.Second

// DefaultBurst is the burst for perMinute: 20 requests, so that one call's
// parallel page reads start at once, or one second's worth when that is more.
func DefaultBurst(perMinute int) int { return max(min(perMinute, 20), perMinute/60) }

// Limiter is a token bucket shared by every client of a process, whose waiting
// requests are queued per caller and served in turn, one request per caller a
// round, so that one caller's many requests cannot starve the others. It is
// safe for concurrent use.
type Limiter struct {
	perMinute int
	rate      float64 // tokens per second
	burst     float64
	maxWait   time.Duration
	clock     Clock

	mu       sync.Mutex
	tokens   float64
	last     time.Time
	queues   map[string][]*waiter // each caller's waiting requests, oldest first
	ring     []string             // the callers with waiting requests, in their turn's order
	turn     int                  // the index in ring served next
	queued   int
	timerSet bool // a timer will serve the queue when the next token is there
}

type waiter struct {
	caller string
	since  time.Time
	ready  chan struct{} // closed once granted (err nil) or given up (err set)
	done   bool
	err    error
	stop   func() bool // the give-up timer
}

// NewLimiter returns a limiter of cfg.PerMinute requests a minute, its bucket full.
func NewLimiter(cfg LimiterConfig) (*Limiter, error) {
	if cfg.PerMinute <= 0 {
		return nil, fmt.Errorf("gandi: rate limit %d requests a minute: give a positive number", cfg.PerMinute)
	}
	if cfg.Burst <= 0 {
		cfg.Burst = DefaultBurst(cfg.PerMinute)
	}
	if cfg.Clock == nil {
		cfg.Clock = realClock{}
	}
	l := &Limiter{
		perMinute: cfg.PerMinute,
		rate:      float64(cfg.PerMinute) / 60,
		burst:     float64(cfg.Burst),
		maxWait:   orDefault(cfg.MaxWait, DefaultMaxWait),
		clock:     cfg.Clock,
		tokens:    float64(cfg.Burst),
		last:      cfg.Clock.Now(),
		queues:    map[string][]*waiter{},
	}
	return l, nil
}

// PerMinute is the limiter's sustained rate.
func (l *Limiter) PerMinute() int { return l.perMinute }

// RateLimitError is returned, before anything is sent, for a request that would
// wait for its turn longer than its deadline (less the time one attempt needs)
// or the limiter's MaxWait allow.
type RateLimitError struct {
	Method, Path string
	PerMinute    int
	// RetryAfter is when the request's turn would have come, as things stood.
	RetryAfter time.Duration
}

func (e *RateLimitError) Error() string {
	return fmt.Sprintf("gandi: %s %s: gandi-mcp's own limit of %d requests a minute to Gandi is reached; retry in %s",
		e.Method, e.Path, e.PerMinute, RoundDuration(e.RetryAfter))
}

// Wait returns once caller's request may go, after the requests queued before
// it in turn, and says how long it waited. It returns a *RateLimitError at once
// when that wait would outlast ctx's deadline or MaxWait, or once it has, and
// ctx's error when ctx ends first. caller names who asks (a token's
// fingerprint, never the token).
func (l *Limiter) Wait(ctx context.Context, caller string) (time.Duration, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	w, err := l.enqueue(ctx, caller)
	if w == nil {
		return 0, err
	}
	select {
	case <-w.ready:
		return l.clock.Now().Sub(w.since), w.err
	case <-ctx.Done():
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if !w.done {
		l.remove(w)
		w.done = true
		w.stop()
	} else if w.err == nil {
		// Granted as ctx ended: the token goes to the next in turn.
		l.tokens = min(l.burst, l.tokens+1)
		l.serve()
	}
	return l.clock.Now().Sub(w.since), ctx.Err()
}

// enqueue takes a token at once (nil waiter, nil error), refuses, or queues caller's request.
func (l *Limiter) enqueue(ctx context.Context, caller string) (*waiter, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.clock.Now()
	l.refill(now)
	if l.queued == 0 && l.tokens >= 1 {
		l.tokens--
		return nil, nil
	}
	wait := l.estimate(caller, len(l.queues[caller]))
	limit := l.maxWait
	if dl, ok := ctx.Deadline(); ok {
		limit = min(limit, dl.Sub(now)-minAttempt)
	}
	if wait > limit {
		return nil, &RateLimitError{PerMinute: l.perMinute, RetryAfter: wait}
	}
	w := &waiter{caller: caller, since: now, ready: make(chan struct{})}
	if len(l.queues[caller]) == 0 {
		l.ring = append(l.ring, caller)
	}
	l.queues[caller] = append(l.queues[caller], w)
	l.queued++
	w.stop = l.clock.AfterFunc(limit, func() { l.giveUp(w) })
	l.serve()
	return w, nil
}

// estimate is how long the k-th waiting request (from 0) of caller would wait
// for its turn if no one else came: every other caller's requests of the
// rounds up to its own, and its own k before it.
func (l *Limiter) estimate(caller string, k int) time.Duration {
	ahead := k
	for _, c := range l.ring {
		if c != caller {
			ahead += min(len(l.queues[c]), k+1)
		}
	}
	need := float64(ahead+1) - l.tokens
	if need <= 0 {
		return 0
	}
	return time.Duration(math.Ceil(need / l.rate * float64(time.Second)))
}

// giveUp refuses w once it has waited as long as it may.
func (l *Limiter) giveUp(w *waiter) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if w.done {
		return
	}
	l.refill(l.clock.Now())
	retry := l.estimate(w.caller, slices.Index(l.queues[w.caller], w))
	l.remove(w)
	w.done = true
	w.err = &RateLimitError{PerMinute: l.perMinute, RetryAfter: retry}
	close(w.ready)
}

// refill adds the tokens earned since the last refill, up to the burst.
func (l *Limiter) refill(now time.Time) {
	if d := now.Sub(l.last); d > 0 {
		l.tokens = min(l.burst, l.tokens+d.Seconds()*l.rate)
		l.last = now
	}
}

// epsilon absorbs float rounding, so that a timer set for the next token finds it.
const epsilon = 1e-9

// serve grants the tokens there are to the waiting requests, one caller after
// the other, and sets a timer for the next token while some still wait.
func (l *Limiter) serve() {
	l.refill(l.clock.Now())
	for l.queued > 0 && l.tokens >= 1-epsilon {
		c := l.ring[l.turn]
		q := l.queues[c]
		w := q[0]
		l.tokens = max(0, l.tokens-1)
		l.pop(c, 0)
		if _, more := l.queues[c]; more {
			l.turn = (l.turn + 1) % len(l.ring)
		}
		w.done = true
		w.stop()
		close(w.ready)
	}
	if l.queued > 0 && !l.timerSet {
		l.timerSet = true
		d := time.Duration(math.Ceil((1 - l.tokens) / l.rate * float64(time.Second)))
		l.clock.AfterFunc(d, func() {
			l.mu.Lock()
			defer l.mu.Unlock()
			l.timerSet = false
			l.serve()
		})
	}
}

// remove takes w out of its caller's queue.
func (l *Limiter) remove(w *waiter) {
	if i := slices.Index(l.queues[w.caller], w); i >= 0 {
		l.pop(w.caller, i)
	}
}

// pop removes caller's i-th waiting request, and caller from the ring when it
// has no more, keeping the turn on the caller it was on.
func (l *Limiter) pop(caller string, i int) {
	q := slices.Delete(l.queues[caller], i, i+1)
	l.queued--
	if len(q) > 0 {
		l.queues[caller] = q
		return
	}
	pos := slices.Index(l.ring, caller)
	delete(l.queues, caller)
	l.ring = slices.Delete(l.ring, pos, pos+1)
	if pos < l.turn {
		l.turn--
	}
	if l.turn >= len(l.ring) {
		l.turn = 0
	}
}
