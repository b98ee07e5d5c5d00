package tools

import (
	"context"
	"sync"
)

// Rotations counts the token renewals between their request to Gandi and the storing
// of the new token, so that a server shutting down can wait for them: a token Gandi
// issued and the process never stored is lost. The zero value is ready; a nil
// *Rotations tracks nothing and refuses nothing.
type Rotations struct {
	mu     sync.Mutex
	n      int
	idle   chan struct{} // closed when n falls back to zero; nil while n is zero
	closed bool
}

// begin records a renewal about to ask Gandi for a new token. ok is false once Close
// was called: the server is stopping and would not wait for the renewal to end.
func (r *Rotations) begin() (end func(), ok bool) {
	if r == nil {
		return func() {}, true
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil, false
	}
	r.n++
	if r.idle == nil {
		r.idle = make(chan struct{})
	}
	return sync.OnceFunc(func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.n--; r.n == 0 {
			close(r.idle)
			r.idle = nil
		}
	}), true
}

// Close refuses every renewal that has not asked Gandi yet, and returns how many are
// in flight: those Wait waits for.
func (r *Rotations) Close() (inFlight int) {
	if r == nil {
		return 0
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	return r.n
}

// Wait returns once no renewal is in flight, or with ctx's error when ctx ends first.
func (r *Rotations) Wait(ctx context.Context) error {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	idle := r.idle
	r.mu.Unlock()
	if idle == nil {
		return nil
	}
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
