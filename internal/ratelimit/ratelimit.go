// Package ratelimit caps how often one key — a client address, an
// account, a user revealing personal data or exporting — may act, so
// that password guessing, second-factor guessing and bulk harvesting of
// personal data are held to a fixed number of tries per window.
//
// The limiter keeps an exact sliding log: for each key, the times of at
// most limit admitted events. An event is admitted when fewer than limit
// earlier admissions lie inside the window ending now, so no window of
// that length, wherever it is placed, ever holds more than limit
// admissions, and the wait reported on refusal is exact: the oldest
// logged admission's age subtracted from the window.
//
// The two usual constant-memory schemes were weighed and set aside
// because neither keeps that promise. A sliding-window counter estimates
// the previous fixed window's events as spread evenly, so events bunched
// at its end are under-counted and up to about 2×limit slip through in
// one real window. GCRA (a token bucket) with a burst of limit refills
// continuously, so a burst of limit followed by the refill admits up to
// 2×limit−1 in one window. A lockout policy such as "five failed sign-ins
// in fifteen minutes" (等保2.0 登录失败处理, ASVS 5.0 V6.3.1) is stated over
// any window, so the log is the scheme that implements it literally.
//
// Its cost is memory proportional to limit per active key rather than
// one word. The log grows only as events arrive, so a key seen once
// holds one timestamp, and the limits it serves are small (single digits
// for sign-in, tens for reveals and exports): with the default 100,000
// keys every one full, a limit of 10 costs about 21 MB of heap and a
// limit of 100 about 100 MB. Callers that need larger limits should
// choose a smaller key bound with NewWithMaxKeys.
package ratelimit

import (
	"crypto/sha256"
	"sync"
	"time"
)

// DefaultMaxKeys is how many keys New tracks before it evicts the least
// recently used, large enough for every client of a county-level
// deployment and small enough (tens of megabytes) that a flood of random
// keys cannot exhaust a township PC's memory.
const DefaultMaxKeys = 100_000

// maxKeyLen is the longest key stored verbatim; longer keys, which can
// only come from attacker-chosen input such as a megabyte user name, are
// stored as their SHA-256 digest so that memory per key stays bounded.
const maxKeyLen = 128

// sweepPerCall is how many idle keys each call frees from the cold end,
// the same amortised clean-up nginx's limit_req uses: enough that a
// table filled by a flood drains back once the flood stops, never so many
// that one call does unbounded work.
const sweepPerCall = 2

// Limiter admits at most limit events per key in any sliding window. Its
// zero value is not usable; construct one with New or NewWithMaxKeys.
//
// One mutex guards all keys because a call costs well under a
// microsecond (a map lookup, a few pointer moves and a ring write; see
// BenchmarkAllow), while each sign-in it protects spends tens of
// milliseconds in argon2id: the lock is never the bottleneck, and a
// single lock makes the count for a key exact under concurrency.
type Limiter struct {
	limit   int
	window  time.Duration
	maxKeys int
	now     func() time.Time
	epoch   time.Time // times are logged as offsets from here, 8 bytes each

	mu   sync.Mutex
	keys map[string]*entry
	// head is the most recently used key and tail the least; eviction
	// and the idle sweep work from the tail.
	head, tail *entry
}

// entry is one key's log, linked into the limiter's recency list so that
// the least recently used key is found without scanning the map.
type entry struct {
	key        string
	prev, next *entry
	// times is a ring of admission times, oldest at start, holding n
	// valid items; it grows on demand up to the limit.
	times    []time.Duration
	start, n int
}

// New returns a limiter admitting at most limit events per key in any
// window-long interval and tracking up to DefaultMaxKeys keys. The now
// function is the clock, injectable so tests need not sleep; nil means
// time.Now, whose monotonic reading keeps windows immune to wall-clock
// changes.
func New(limit int, window time.Duration, now func() time.Time) *Limiter {
	return NewWithMaxKeys(limit, window, now, DefaultMaxKeys)
}

// NewWithMaxKeys is New with an explicit bound on tracked keys, for
// limiters whose keys are few (per account) or whose limit is large
// enough that the default bound would cost too much memory. It panics
// when limit, window or maxKeys is not positive, which is a programming
// error rather than a condition to handle at run time.
func NewWithMaxKeys(limit int, window time.Duration, now func() time.Time, maxKeys int) *Limiter {
	if limit < 1 || window <= 0 || maxKeys < 1 {
		panic("ratelimit: limit, window and maxKeys must be positive")
	}
	if now == nil {
		now = time.Now
	}
	return &Limiter{
		limit:   limit,
		window:  window,
		maxKeys: maxKeys,
		now:     now,
		epoch:   now(),
		keys:    make(map[string]*entry),
	}
}

// Allow records an event for key and reports true if fewer than limit
// events were admitted for key in the window ending now. When it refuses,
// it records nothing, so retrying early does not extend the wait, and
// retryAfter is how long until the oldest admission leaves the window
// and an event would be admitted again.
//
// Bounded memory has one consequence callers should know: when all
// tracked keys are active, a new key evicts the least recently used one
// and its count is forgotten. Forgetting a key that is being refused
// therefore takes maxKeys distinct new keys after its last attempt, so
// layer a per-client limit over per-account ones.
func (l *Limiter) Allow(key string) (ok bool, retryAfter time.Duration) {
	k := storedKey(key)
	l.mu.Lock()
	defer l.mu.Unlock()
	// Reading the clock under the lock keeps each log in time order.
	now := l.now().Sub(l.epoch)
	l.sweep(now)
	e := l.keys[k]
	if e == nil {
		if len(l.keys) >= l.maxKeys {
			l.remove(l.tail)
		}
		e = &entry{key: k}
		l.keys[k] = e
	} else {
		l.unlink(e)
	}
	l.pushFront(e)
	e.prune(now, l.window)
	if e.n >= l.limit {
		return false, e.times[e.start] + l.window - now
	}
	e.add(now, l.limit)
	return true, 0
}

// Reset forgets key's events, for example after a successful sign-in,
// so that a user's own earlier typing mistakes do not lock them out
// later.
func (l *Limiter) Reset(key string) {
	k := storedKey(key)
	l.mu.Lock()
	defer l.mu.Unlock()
	if e := l.keys[k]; e != nil {
		l.remove(e)
	}
}

// Forgive takes back key's latest admitted event, for an attempt that
// turned out well (a right password): a limiter that exists to slow
// guessing then counts failures only, and a user signing in often is
// never refused for succeeding.
func (l *Limiter) Forgive(key string) {
	k := storedKey(key)
	l.mu.Lock()
	defer l.mu.Unlock()
	if e := l.keys[k]; e != nil && e.n > 0 {
		e.n--
		if e.n == 0 {
			e.start = 0
		}
	}
}

// Len returns how many keys are tracked, for monitoring: a count pinned
// at the bound means a flood of keys is evicting live ones.
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.keys)
}

// storedKey maps key to the string kept in the table: itself when short,
// otherwise a NUL byte and its SHA-256 digest. Short keys that begin
// with NUL are digested too, so a caller's key can never equal another
// key's digest form.
func storedKey(key string) string {
	if len(key) <= maxKeyLen && (key == "" || key[0] != 0) {
		return key
	}
	sum := sha256.Sum256([]byte(key))
	return "\x00" + string(sum[:])
}

// sweep frees up to sweepPerCall keys at the cold end whose every logged
// admission has left the window; they hold nothing that affects a
// decision, so dropping them changes no answer.
func (l *Limiter) sweep(now time.Duration) {
	for range sweepPerCall {
		e := l.tail
		if e == nil || !e.idle(now, l.window) {
			return
		}
		l.remove(e)
	}
}

// remove drops e from both the map and the recency list.
func (l *Limiter) remove(e *entry) {
	delete(l.keys, e.key)
	l.unlink(e)
}

// unlink takes e out of the recency list.
func (l *Limiter) unlink(e *entry) {
	if e.prev != nil {
		e.prev.next = e.next
	} else {
		l.head = e.next
	}
	if e.next != nil {
		e.next.prev = e.prev
	} else {
		l.tail = e.prev
	}
	e.prev, e.next = nil, nil
}

// pushFront makes e the most recently used key.
func (l *Limiter) pushFront(e *entry) {
	e.next = l.head
	if l.head != nil {
		l.head.prev = e
	} else {
		l.tail = e
	}
	l.head = e
}

// idle reports whether no logged admission of e is still in the window,
// judged by the newest, since the log is in time order.
func (e *entry) idle(now, window time.Duration) bool {
	if e.n == 0 {
		return true
	}
	newest := e.times[(e.start+e.n-1)%len(e.times)]
	return now-newest >= window
}

// prune drops admissions that have left the window, oldest first; an
// admission at t counts while now-t < window.
func (e *entry) prune(now, window time.Duration) {
	for e.n > 0 && now-e.times[e.start] >= window {
		e.start = (e.start + 1) % len(e.times)
		e.n--
	}
	if e.n == 0 {
		e.start = 0
	}
}

// add logs an admission at now, doubling the ring up to limit when full
// so that a key seen once costs one timestamp, not limit of them.
func (e *entry) add(now time.Duration, limit int) {
	if e.n == len(e.times) {
		grown := make([]time.Duration, min(max(2*len(e.times), 1), limit))
		for i := range e.n {
			grown[i] = e.times[(e.start+i)%len(e.times)]
		}
		e.times, e.start = grown, 0
	}
	e.times[(e.start+e.n)%len(e.times)] = now
	e.n++
}
