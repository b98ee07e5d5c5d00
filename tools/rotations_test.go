package tools

import (
	"context"
	"errors"
	"testing"
)

func TestRotationsWaitForTheRenewalsInFlight(t *testing.T) {
	r := &Rotations{}
	if err := r.Wait(context.Background()); err != nil {
		t.Fatalf("Wait with nothing in flight = %v", err)
	}
	endA, okA := r.begin()
	endB, okB := r.begin()
	if !okA || !okB {
		t.Fatal("begin refused before Close")
	}
	if n := r.Close(); n != 2 {
		t.Errorf("Close = %d in flight, want 2", n)
	}
	if _, ok := r.begin(); ok {
		t.Error("begin after Close was not refused: the shutdown would not wait for it")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := r.Wait(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Wait with two in flight and an ended context = %v, want context.Canceled", err)
	}
	endA()
	endA() // a second end changes nothing
	if err := r.Wait(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Wait with one still in flight = %v, want context.Canceled", err)
	}
	done := make(chan error, 1)
	go func() { done <- r.Wait(context.Background()) }()
	endB()
	if err := <-done; err != nil {
		t.Errorf("Wait after the last end = %v, want nil", err)
	}
	var none *Rotations
	if end, ok := none.begin(); !ok || none.Close() != 0 || none.Wait(ctx) != nil {
		t.Error("a nil Rotations must track and refuse nothing")
	} else {
		end()
	}
}
