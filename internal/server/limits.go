package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/ratelimit"
	"shanzhi/internal/registry"
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
	// Nominate counts posts of the public nomination form, per client
	// address and per phone (keyed by the phone's digest, so the
	// limiter's memory holds no number).
	Nominate *ratelimit.Limiter
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
		Nominate:  ratelimit.New(10, time.Hour, now),
	}
}

// PublicNomination is the guard of the public nomination form that the
// page and the API share, before any work is done: a filled honeypot (a
// field people never see) is a script's, and posts are counted per client
// address and per phone. The store keeps its own per-phone daily count.
func (l *Limits) PublicNomination(ctx context.Context, phone, trap string) error {
	if strings.TrimSpace(trap) != "" {
		return fault.E(fault.Invalid, "honour.public.token")
	}
	if err := Limited(l.Nominate, "addr:"+access.RequestFrom(ctx).ClientKey()); err != nil {
		return err
	}
	sum := sha256.Sum256([]byte(registry.NormalizePhone(phone)))
	return Limited(l.Nominate, "phone:"+hex.EncodeToString(sum[:16]))
}

// Limited admits one event under key, or returns the too-many fault that
// says, in minutes rounded up, when to try again.
func Limited(l *ratelimit.Limiter, key string) error {
	if ok, wait := l.Allow(key); !ok {
		return fault.E(fault.TooMany, "error.too_many", int(wait.Minutes())+1)
	}
	return nil
}

// SignIn runs login under the two sign-in limits, the one rule the pages
// and the API share. The limits come before the password hash, so a
// refused attempt costs the server nothing and tells the caller nothing
// about the account. They count failures only: after a right password the
// address's attempt is taken back (others behind the same address keep
// theirs), and the account's count is cleared, so its owner's own earlier
// typing mistakes cannot refuse them later in the window.
func (l *Limits) SignIn(ctx context.Context, username string, login func() (string, error)) (string, error) {
	clientKey, accountKey := access.RequestFrom(ctx).ClientKey(), strings.ToLower(registry.LoginName(username))
	if err := Limited(l.LoginIP, clientKey); err != nil {
		return "", err
	}
	if err := Limited(l.LoginUser, accountKey); err != nil {
		return "", err
	}
	token, err := login()
	if err == nil {
		l.LoginIP.Refund(clientKey)
		l.LoginUser.Reset(accountKey)
	}
	return token, err
}
