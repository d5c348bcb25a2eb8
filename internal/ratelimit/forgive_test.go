package ratelimit

import (
	"testing"
	"time"
)

// TestForgive counts failures only: every admitted event taken back leaves
// the allowance whole, and the events not taken back still limit.
func TestForgive(t *testing.T) {
	c := newClock()
	l := New(3, time.Minute, c.Now)
	for range 20 {
		mustAllow(t, l, "k")
		l.Refund("k")
	}
	mustAllow(t, l, "k")
	c.Advance(time.Second)
	mustAllow(t, l, "k")
	mustAllow(t, l, "k")
	mustRefuse(t, l, "k", 59*time.Second)
	l.Refund("nobody")
	l.Refund("k")
	mustAllow(t, l, "k")
	mustRefuse(t, l, "k", 59*time.Second)
	checkList(t, l)
}
