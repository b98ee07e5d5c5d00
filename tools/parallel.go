package tools

import (
	"context"
	"sync"
)

// defaultConcurrentPages is how many Gandi requests one call makes at once when
// Deps.MaxConcurrentPages is zero: a small number keeps a whole portfolio fast
// without crowding Gandi's 1000 requests a minute.
const defaultConcurrentPages = 8

func (d *Deps) concurrency() int {
	if d.MaxConcurrentPages > 0 {
		return d.MaxConcurrentPages
	}
	return defaultConcurrentPages
}

// parallel runs f(ctx, i) for every i in [0, n), at most limit at once. The first
// error cancels the context the others see, no new call starts, and parallel
// returns that error once every running call has returned.
func parallel(ctx context.Context, n, limit int, f func(ctx context.Context, i int) error) error {
	if n <= 0 {
		return ctx.Err()
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		once  sync.Once
		first error
		wg    sync.WaitGroup
	)
	next := make(chan int)
	for range max(1, min(limit, n)) {
		wg.Go(func() {
			for i := range next {
				if ctx.Err() != nil {
					continue // drain: the call is being abandoned
				}
				if err := f(ctx, i); err != nil {
					once.Do(func() { first = err; cancel() })
				}
			}
		})
	}
feed:
	for i := range n {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if first != nil {
		return first
	}
	return ctx.Err()
}
