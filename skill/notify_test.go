package skill

import (
	"context"
	"slices"
	"testing"
	"time"
)

// TestFlushLetsTheLastNotificationSettle checks that a result trails the last
// notification by settle, and that a call without notifications does not wait.
func TestFlushLetsTheLastNotificationSettle(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name    string
		stdio   bool
		last    time.Time // the last notification; zero for none
		elapsed time.Duration
		want    []time.Duration // the waits flush asks for after flushWait's
	}{
		{name: "stdio, just written", stdio: true, last: t0, elapsed: 10 * time.Millisecond, want: []time.Duration{settle - 10*time.Millisecond}},
		{name: "HTTP, just sent", last: t0, elapsed: 0, want: []time.Duration{settle}},
		{name: "stdio, long written", stdio: true, last: t0, elapsed: settle, want: nil},
		{name: "no notification", stdio: true, elapsed: 0, want: nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var waits []time.Duration
			n := &notifier{stdio: tc.stdio, sent: 1, written: 1, last: tc.last, changed: make(chan struct{}),
				now: func() time.Time { return t0.Add(tc.elapsed) },
				deadline: func(d time.Duration) <-chan time.Time {
					if d != flushWait {
						waits = append(waits, d)
					}
					ch := make(chan time.Time, 1)
					ch <- t0
					return ch
				}}
			n.flush(context.Background())
			if !slices.Equal(waits, tc.want) {
				t.Errorf("flush waited %v, want %v", waits, tc.want)
			}
		})
	}
}
