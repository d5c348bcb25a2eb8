package sqlstore

import (
	"time"

	"shanzhi/internal/access"
)

// authCacheTTL bounds how long another server's change to what a
// session or token may do can go unseen (see readCache): a revoked token,
// a role taken away, a disabled account, a password change or reset apply
// at once on the server that made them. A maintenance marker (key
// rotation, restore) refuses every request through db.paused, cached or
// not. A profile of an award spent a fifth of its time in the read this
// saves.
const authCacheTTL = time.Second

// authCacheMax bounds the memory: past it the cache starts over, which
// costs each active token one more read.
const authCacheMax = 20_000

// authRow is what a session or token resolves to, before the checks of
// expiry and idle time, which depend on the moment of each request.
type authRow struct {
	tokenID, uid                   int64 // tokenID: API tokens only
	username, csrf                 string
	created, seen, expires, reset  int64 // Unix ms; expires: API tokens
	mustChange, disabled           bool
	secondFactorDone, hasAuthorApp bool
	grants                         []access.Grant
}

// authTables are the tables whose rows a session's resolution reads.
var authTables = []string{" users", " sessions", " user_roles", " api_tokens"}

// bookkeeping are the writes to those tables that change no decision: the
// last-seen times, which markSeen keeps current instead.
var bookkeeping = []string{"UPDATE sessions SET seen_at =", "UPDATE api_tokens SET last_used_at ="}

// authWatch empties c when a transaction writes a table sessions are
// resolved from, except for the last-seen bookkeeping.
func authWatch(c *readCache[authRow]) cacheWatch {
	return cacheWatch{tables: authTables, ignore: bookkeeping, clear: c.clear}
}

// markSeen records a bookkeeping write this process made to key's row
// (the last-seen time), which changes no decision and so clears nothing.
func markSeen(c *readCache[authRow], key string, ms int64) {
	c.touch(key, func(r *authRow) { r.seen = ms })
}
