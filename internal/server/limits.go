package server

import (
	"time"

	"shanzhi/internal/ratelimit"
)

// Limits are the rate limits the pages and the API share, so a client
// cannot double its allowance by switching between them.
type Limits struct {
	LoginIP   *ratelimit.Limiter // failed sign-ins per client address
	LoginUser *ratelimit.Limiter // failed sign-ins per account name
	Code      *ratelimit.Limiter // failed second-factor codes per client address
	Reveal    *ratelimit.Limiter // reveals of personal data per user
	Export    *ratelimit.Limiter // register exports per user
	Card      *ratelimit.Limiter // household card look-ups per client address
}

// LimitSettings are the failure limits an operator may set: how many
// failed sign-ins per client address and per account name, and failed
// second-factor codes per client address, are allowed in one window.
// Successes do not count, so a township office behind one address can
// enrol all its staff in an afternoon.
type LimitSettings struct {
	LoginPerIP, LoginPerUser, CodePerIP int
	Window                              time.Duration
}

// DefaultLimitSettings are set well below guessing speeds; the account
// lockout stays the hard stop for passwords.
func DefaultLimitSettings() LimitSettings {
	return LimitSettings{LoginPerIP: 30, LoginPerUser: 10, CodePerIP: 10, Window: 15 * time.Minute}
}

// NewLimits returns the limits. They are set well above honest use (a
// clerk reveals a few numbers an hour) and well below guessing speeds.
func NewLimits(now func() time.Time, s LimitSettings) *Limits {
	return &Limits{
		LoginIP:   ratelimit.New(s.LoginPerIP, s.Window, now),
		LoginUser: ratelimit.New(s.LoginPerUser, s.Window, now),
		Code:      ratelimit.New(s.CodePerIP, s.Window, now),
		Reveal:    ratelimit.New(30, time.Hour, now),
		Export:    ratelimit.New(20, time.Hour, now),
		Card:      ratelimit.New(60, time.Hour, now),
	}
}
