package review

import (
	"context"
	"time"
)

// Finaliser is the part of Service the scheduler drives.
type Finaliser interface {
	FinaliseDue(ctx context.Context, now time.Time) (int, error)
}

// Clock is the scheduler's view of time, so tests can drive it.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

// SystemClock is the wall clock.
type SystemClock struct{}

// Now returns the current time.
func (SystemClock) Now() time.Time { return time.Now() }

// After waits for d on the wall clock.
func (SystemClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Scheduler closes due notice windows periodically. Several processes may
// each run one, because FinaliseDue moves each item exactly once; a window
// therefore closes at most one interval late, which a 7-day notice
// tolerates.
type Scheduler struct {
	F     Finaliser
	Clock Clock         // nil means SystemClock
	Every time.Duration // 0 means one minute
	// Report, when set, hears the result of every run, for the log.
	Report func(n int, err error)
}

// Run finalises once at once, then every interval, until ctx ends; it
// returns ctx's error. A failed run is reported and retried at the next
// tick rather than stopping the loop, so a database hiccup does not leave
// windows open until the next restart.
func (s *Scheduler) Run(ctx context.Context) error {
	clock := s.Clock
	if clock == nil {
		clock = SystemClock{}
	}
	every := s.Every
	if every <= 0 {
		every = time.Minute
	}
	for {
		n, err := s.F.FinaliseDue(ctx, clock.Now())
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if s.Report != nil {
			s.Report(n, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-clock.After(every):
		}
	}
}
