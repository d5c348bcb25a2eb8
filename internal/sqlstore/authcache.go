package sqlstore

import (
	"strings"
	"sync"
	"time"

	"shanzhi/internal/access"
)

// authCache keeps what a session cookie or an API token resolved to for at
// most authCacheTTL, so a burst of requests with one token costs one read
// transaction a second instead of one each (a profile of an award spent a
// fifth of its time in that read).
//
// Staleness is bounded two ways. Any transaction of this process that
// writes to users, sessions, user_roles or api_tokens empties the cache
// when it commits (Tx.noteWrite), whoever wrote it: a revoked token, a
// role taken away, a disabled account, a password change or reset apply
// at once on the server that made them, and a module that adds a new way
// of changing grants cannot forget to invalidate. Another server sharing
// the database learns of the change when its entry expires, within
// authCacheTTL of the commit, since an entry's age counts from before the
// read that filled it. A maintenance marker (key rotation, restore)
// refuses every request through db.paused, cached or not.
type authCache struct {
	mu sync.Mutex
	// gen counts clears: a read that began before a clear does not store
	// what it read, which may predate the write that cleared.
	gen     uint64
	entries map[string]authEntry
}

// authCacheTTL bounds how long another server's change can go unseen.
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

type authEntry struct {
	row  authRow
	read time.Time
}

// get returns the row cached under key, or loads it with load and caches
// it. Failed loads (unknown tokens among them) are not cached.
func (c *authCache) get(key string, load func() (authRow, error)) (authRow, error) {
	start := time.Now()
	c.mu.Lock()
	e, ok := c.entries[key]
	gen := c.gen
	c.mu.Unlock()
	if ok && start.Sub(e.read) < authCacheTTL {
		return e.row, nil
	}
	row, err := load()
	if err != nil {
		return row, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen == gen {
		if c.entries == nil || len(c.entries) >= authCacheMax {
			c.entries = map[string]authEntry{}
		}
		c.entries[key] = authEntry{row: row, read: start}
	}
	return row, nil
}

// seen records a bookkeeping write this process made to key's row (the
// last-seen time), which changes no decision and so clears nothing.
func (c *authCache) seen(key string, ms int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[key]; ok {
		e.row.seen = ms
		c.entries[key] = e
	}
}

func (c *authCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.entries = nil
}

// authTables are the tables whose rows a session's resolution reads.
var authTables = []string{" users", " sessions", " user_roles", " api_tokens"}

// bookkeeping are the writes to those tables that change no decision: the
// last-seen times, which authCache.seen keeps current instead.
var bookkeeping = []string{"UPDATE sessions SET seen_at =", "UPDATE api_tokens SET last_used_at ="}

// writesAuth reports whether query writes to a table a session's
// resolution reads. Reads begin with SELECT (or WITH) and never match.
func writesAuth(query string) bool {
	q := strings.TrimSpace(query)
	if len(q) < 6 {
		return false
	}
	switch strings.ToUpper(q[:6]) {
	case "UPDATE", "DELETE", "INSERT":
	default:
		return false
	}
	for _, b := range bookkeeping {
		if strings.HasPrefix(q, b) {
			return false
		}
	}
	for _, t := range authTables {
		if strings.Contains(q, t+" ") || strings.HasSuffix(q, t) || strings.Contains(q, t+"\n") || strings.Contains(q, t+"(") {
			return true
		}
	}
	return false
}
