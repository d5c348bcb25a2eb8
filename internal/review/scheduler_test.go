package review

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	tick  chan time.Time
	waits []time.Duration
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	c.waits = append(c.waits, d)
	c.mu.Unlock()
	return c.tick
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	now := c.now
	c.mu.Unlock()
	c.tick <- now
}

type fakeFinaliser struct {
	calls chan time.Time
	err   error
}

func (f *fakeFinaliser) FinaliseDue(ctx context.Context, now time.Time) (int, error) {
	err := f.err // read before the test hears of the call and changes it
	f.calls <- now
	return 0, err
}

func TestSchedulerRunsEveryMinuteUntilCancelled(t *testing.T) {
	t0 := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	clock := &fakeClock{now: t0, tick: make(chan time.Time)}
	f := &fakeFinaliser{calls: make(chan time.Time, 10), err: errors.New("database down")}
	var reported []error
	var mu sync.Mutex
	s := &Scheduler{F: f, Clock: clock, Report: func(n int, err error) {
		mu.Lock()
		reported = append(reported, err)
		mu.Unlock()
	}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()

	if got := <-f.calls; !got.Equal(t0) {
		t.Fatalf("first run at %v", got)
	}
	clock.advance(time.Minute)
	if got := <-f.calls; !got.Equal(t0.Add(time.Minute)) {
		t.Fatalf("second run at %v", got)
	}
	f.err = nil // a failed run did not stop the loop
	clock.advance(time.Minute)
	if got := <-f.calls; !got.Equal(t0.Add(2 * time.Minute)) {
		t.Fatalf("third run at %v", got)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run returned %v", err)
	}
	clock.mu.Lock()
	defer clock.mu.Unlock()
	for _, w := range clock.waits {
		if w != time.Minute {
			t.Fatalf("waited %v, want a minute", w)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(reported) < 2 || reported[0] == nil {
		t.Fatalf("reports: %v", reported)
	}
}
