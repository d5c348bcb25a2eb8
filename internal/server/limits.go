package server

import (
	"net/netip"
	"time"

	"shanzhi/internal/ratelimit"
)

// Limits are the rate limits the pages and the API share, so a client
// cannot double its allowance by switching between them.
type Limits struct {
	LoginIP   *ratelimit.Limiter // sign-ins per client address
	LoginUser *ratelimit.Limiter // sign-ins per account name
	Code      *ratelimit.Limiter // second-factor codes per client address
	Reveal    *ratelimit.Limiter // reveals of personal data per user
	Export    *ratelimit.Limiter // register exports per user
	Card      *ratelimit.Limiter // household card look-ups per client address
}

// NewLimits returns the limits. They are set well above honest use (a
// clerk reveals a few numbers an hour) and well below guessing speeds; the
// account lockout stays the hard stop for passwords.
func NewLimits(now func() time.Time) *Limits {
	return &Limits{
		LoginIP:   ratelimit.New(30, 15*time.Minute, now),
		LoginUser: ratelimit.New(10, 15*time.Minute, now),
		Code:      ratelimit.New(10, 15*time.Minute, now),
		Reveal:    ratelimit.New(30, time.Hour, now),
		Export:    ratelimit.New(20, time.Hour, now),
		Card:      ratelimit.New(60, time.Hour, now),
	}
}

// ClientKey is the rate-limit key of a client address: the address itself
// for IPv4, its /64 for IPv6, since one IPv6 client controls a whole /64
// and could otherwise take a fresh allowance with every address.
func ClientKey(client string) string {
	a, err := netip.ParseAddr(client)
	if err != nil || a.Is4() || a.Is4In6() {
		return client
	}
	p, err := a.Prefix(64)
	if err != nil {
		return client
	}
	return p.String()
}
