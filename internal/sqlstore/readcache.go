package sqlstore

import (
	"strings"
	"sync"
	"time"
)

// readCache keeps what a read resolved to for at most ttl, so a burst of
// the same request costs one read a ttl instead of one each.
//
// Staleness is bounded two ways. Any transaction of this process that
// writes one of the tables the cached reads come from empties the cache
// when it commits (Tx.noteWrite, by the cache's watch), whoever wrote it,
// so a change applies at once on the server that made it and a module
// that adds a new way of writing those tables cannot forget to
// invalidate. Another server sharing the database learns of the change
// when the entry expires, within ttl of the commit, since an entry's age
// counts from before the read that filled it.
type readCache[V any] struct {
	ttl time.Duration
	// max bounds the memory: past it the cache starts over, which costs
	// each key one more read.
	max int

	mu sync.Mutex
	// gen counts clears: a read that began before a clear does not store
	// what it read, which may predate the write that cleared.
	gen     uint64
	entries map[string]readEntry[V]
}

type readEntry[V any] struct {
	v    V
	read time.Time
}

// get returns the value cached under key, or loads it with load and
// caches it. Failed loads are not cached.
func (c *readCache[V]) get(key string, load func() (V, error)) (V, error) {
	start := time.Now()
	c.mu.Lock()
	e, ok := c.entries[key]
	gen := c.gen
	c.mu.Unlock()
	if ok && start.Sub(e.read) < c.ttl {
		return e.v, nil
	}
	v, err := load()
	if err != nil {
		return v, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen == gen {
		if c.entries == nil || len(c.entries) >= c.max {
			c.entries = map[string]readEntry[V]{}
		}
		c.entries[key] = readEntry[V]{v: v, read: start}
	}
	return v, nil
}

// touch changes the value cached under key in place, if there is one.
func (c *readCache[V]) touch(key string, fn func(*V)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[key]; ok {
		fn(&e.v)
		c.entries[key] = e
	}
}

func (c *readCache[V]) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.entries = nil
}

// A cacheWatch names the tables a cache's reads come from, the writes to
// them that change nothing it holds, and how to empty it.
type cacheWatch struct {
	tables, ignore []string // tables with a leading space
	clear          func()
}

// writes reports whether query writes to one of w's tables. Reads begin
// with SELECT (or WITH) and never match.
func (w *cacheWatch) writes(query string) bool {
	q := strings.TrimSpace(query)
	if len(q) < 6 {
		return false
	}
	switch strings.ToUpper(q[:6]) {
	case "UPDATE", "DELETE", "INSERT":
	default:
		return false
	}
	for _, b := range w.ignore {
		if strings.HasPrefix(q, b) {
			return false
		}
	}
	for _, t := range w.tables {
		if strings.Contains(q, t+" ") || strings.HasSuffix(q, t) || strings.Contains(q, t+"\n") || strings.Contains(q, t+"(") {
			return true
		}
	}
	return false
}
