// Package audit is the security audit trail (安全审计): every write, sign-in,
// failed sign-in, lockout, permission change, reveal and export, recorded
// append-only and hash-chained so any edit of history is detectable. Only
// the audit administrator reads it.
package audit

import (
	"context"
	"time"

	"shanzhi/internal/access"
)

// Entry is one recorded event.
type Entry struct {
	ID        int64
	At        time.Time
	ActorID   int64
	Actor     string
	Role      string
	Action    string // a catalogue key: auth.login, registry.export ...
	Target    string
	Region    string
	Detail    string
	Outcome   string // ok, failed, denied, locked
	Client    string
	RequestID string
}

// Filter selects entries; zero fields select everything.
type Filter struct {
	From, To time.Time
	Actor    string
	Action   string // a prefix: "auth." selects every sign-in event
	Region   string // a region code; entries at or below it
	Outcome  string
	Offset   int
	Limit    int
}

// Check is the outcome of verifying the chain.
type Check struct {
	Rows    int64
	BadID   int64  // the row where the first problem shows
	Problem string // what is wrong, and where; empty when every chain holds
}

// Service reads the trail; every method needs access.AuditRead and
// returns fault.Forbidden otherwise. Reading the trail and exporting it
// are themselves recorded.
type Service interface {
	Entries(ctx context.Context, a *access.Actor, f Filter) ([]Entry, int, error)
	Export(ctx context.Context, a *access.Actor, f Filter, fn func(Entry) error) error
	Verify(ctx context.Context, a *access.Actor) (Check, error)
	// Denied records a refused attempt (a forged id, a missing
	// permission); anyone's request can cause one.
	Denied(ctx context.Context, a *access.Actor, action, target string) error
}
