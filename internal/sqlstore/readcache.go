package sqlstore

import (
	"errors"
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
	// loading holds the reads under way, so the callers that find an
	// entry missing or expired together wait for one read rather than
	// each making its own: at a league's dashboards, every viewer at once.
	loading map[string]*readLoad[V]
}

type readEntry[V any] struct {
	v    V
	read time.Time
}

// readLoad is a read under way; done closes when v and err are set.
type readLoad[V any] struct {
	gen  uint64
	done chan struct{}
	v    V
	err  error
}

// get returns the value cached under key, or loads it with load and
// caches it. Failed loads are not cached.
func (c *readCache[V]) get(key string, load func() (V, error)) (V, error) {
	start := time.Now()
	c.mu.Lock()
	if e, ok := c.entries[key]; ok && start.Sub(e.read) < c.ttl {
		c.mu.Unlock()
		return e.v, nil
	}
	// A read of key begun since the last clear answers this caller too:
	// it began after every write of this process that cleared. One begun
	// before it might not show such a write, and is not waited for.
	if l, ok := c.loading[key]; ok && l.gen == c.gen {
		c.mu.Unlock()
		<-l.done
		if l.err == nil {
			return l.v, nil
		}
		// Its error may be its own caller's (a cancelled request): this
		// caller reads for itself.
		return load()
	}
	l := &readLoad[V]{gen: c.gen, done: make(chan struct{})}
	if c.loading == nil {
		c.loading = map[string]*readLoad[V]{}
	}
	c.loading[key] = l
	c.mu.Unlock()
	defer func() {
		close(l.done)
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.loading[key] == l {
			delete(c.loading, key)
		}
		if l.err == nil && c.gen == l.gen {
			if c.entries == nil || len(c.entries) >= c.max {
				c.entries = map[string]readEntry[V]{}
			}
			c.entries[key] = readEntry[V]{v: l.v, read: start}
		}
	}()
	// Should load panic, the waiters find this error and read for
	// themselves.
	l.err = errReadAbandoned
	l.v, l.err = load()
	return l.v, l.err
}

// errReadAbandoned is the outcome of a cached read whose load panicked.
var errReadAbandoned = errors.New("sqlstore: a cached read was abandoned")

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

// asWrite returns query trimmed when it is a write (an INSERT, UPDATE or
// DELETE), for the watches to look into; reads begin with SELECT (or
// WITH) and never match. noteWrite runs it once a statement, whatever the
// number of watches.
func asWrite(query string) (string, bool) {
	q := strings.TrimSpace(query)
	if len(q) < 6 {
		return "", false
	}
	switch strings.ToUpper(q[:6]) {
	case "UPDATE", "DELETE", "INSERT":
		return q, true
	}
	return "", false
}

// touches reports whether write q, as asWrite returns it, writes to one of
// w's tables other than by a write w ignores.
func (w *cacheWatch) touches(q string) bool {
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
