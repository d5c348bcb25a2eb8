package sqlstore

import (
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

// TestWritesAuth: every write to a table sessions are resolved from
// empties the cache, reads and the last-seen bookkeeping never do.
func TestWritesAuth(t *testing.T) {
	w := authWatch(&readCache[authRow]{})
	for q, want := range map[string]bool{
		`UPDATE users SET disabled = ?, updated_at = ? WHERE id = ?`:                            true,
		`DELETE FROM user_roles WHERE user_id = ? AND role = ? AND region_code = ?`:             true,
		"INSERT INTO user_roles (user_id, role, region_code, household_id) VALUES (?, ?, ?, ?)": true,
		`
		UPDATE api_tokens SET revoked_at = ? WHERE id = ?`: true,
		`DELETE FROM sessions WHERE user_id = ?`:                                true,
		`insert into users(username) values (?)`:                                true,
		`UPDATE sessions SET seen_at = ? WHERE token_hash = ?`:                  false,
		`UPDATE api_tokens SET last_used_at = ? WHERE id = ?`:                   false,
		`SELECT u.id FROM users u JOIN user_roles r ON r.user_id = u.id`:        false,
		`UPDATE accounts SET balance = balance + ? WHERE household_id = ?`:      false,
		`INSERT INTO audit_log (action, target) VALUES ('user.grant', 'users')`: false,
	} {
		if trimmed, ok := asWrite(q); (ok && w.touches(trimmed)) != want {
			t.Errorf("authWatch on %q: %v, want %v", q, !want, want)
		}
	}
}

// TestReadCache: a value read is served from the cache for ttl and read
// again after it; a clear empties the cache, and a read that began before
// a clear is not kept, since it may predate the write that cleared.
func TestReadCache(t *testing.T) {
	c := &readCache[int]{ttl: 100 * time.Millisecond, max: 2}
	reads := 0
	load := func(v int) func() (int, error) {
		return func() (int, error) { reads++; return v, nil }
	}
	if v, _ := c.get("k", load(1)); v != 1 || reads != 1 {
		t.Fatalf("first read: %d after %d reads", v, reads)
	}
	if v, _ := c.get("k", load(2)); v != 1 || reads != 1 {
		t.Fatalf("within the ttl: %d after %d reads, want the cached 1 and no read", v, reads)
	}
	time.Sleep(120 * time.Millisecond)
	if v, _ := c.get("k", load(3)); v != 3 || reads != 2 {
		t.Fatalf("past the ttl: %d after %d reads, want 3 read again", v, reads)
	}
	c.clear()
	if v, _ := c.get("k", load(4)); v != 4 || reads != 3 {
		t.Fatalf("after a clear: %d after %d reads, want 4 read again", v, reads)
	}
	// A clear while a read is under way: its value is answered, not kept.
	if v, _ := c.get("r", func() (int, error) { c.clear(); return 5, nil }); v != 5 {
		t.Fatalf("the raced read answered %d", v)
	}
	if v, _ := c.get("r", load(6)); v != 6 {
		t.Fatalf("a read raced by a clear was kept: %d", v)
	}
	if _, err := c.get("e", func() (int, error) { return 0, errors.New("down") }); err == nil {
		t.Fatal("a failed read reported no error")
	}
	if v, _ := c.get("e", load(7)); v != 7 {
		t.Fatalf("a failed read was kept: %d", v)
	}
	// Past max entries the cache starts over.
	c.get("x", load(8))
	if v, _ := c.get("r", load(9)); v != 9 {
		t.Fatalf("past the bound, an old entry is still served: %d", v)
	}
}

// TestReadCacheSharesARead: callers that miss together wait for one read;
// a caller that comes after a clear does not wait for a read begun before
// it, which may predate the write that cleared; and a shared read that
// fails, or panics, leaves each waiter to read for itself.
func TestReadCacheSharesARead(t *testing.T) {
	c := &readCache[int]{ttl: time.Minute, max: 8}
	var reads atomic.Int32
	release := make(chan struct{})
	slow := func(v int) func() (int, error) {
		return func() (int, error) {
			reads.Add(1)
			<-release
			return v, nil
		}
	}
	// waitReads waits until n reads have begun.
	waitReads := func(n int32) {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); reads.Load() < n; time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%d reads began, want %d", reads.Load(), n)
			}
		}
	}
	got := make(chan int, 8)
	for range 4 {
		go func() { v, _ := c.get("k", slow(1)); got <- v }()
	}
	waitReads(1)
	time.Sleep(20 * time.Millisecond) // the other three are waiting
	close(release)
	for range 4 {
		if v := <-got; v != 1 {
			t.Fatalf("a waiter got %d", v)
		}
	}
	if n := reads.Load(); n != 1 {
		t.Fatalf("%d reads for four callers that missed together, want 1", n)
	}

	// A read begun before a clear is not shared with a caller after it.
	reads.Store(0)
	release = make(chan struct{})
	c.clear()
	go func() { v, _ := c.get("k", slow(2)); got <- v }()
	waitReads(1)
	c.clear()
	go func() { v, _ := c.get("k", slow(3)); got <- v }()
	waitReads(2)
	close(release)
	if a, b := <-got, <-got; a+b != 5 {
		t.Fatalf("the reads across a clear answered %d and %d, want 2 and 3", a, b)
	}

	// A shared read that fails: the waiter reads for itself.
	c.clear()
	started, fail := make(chan struct{}), make(chan struct{})
	go c.get("e", func() (int, error) {
		close(started)
		<-fail
		return 0, errors.New("the first caller's request was cancelled")
	})
	<-started
	waiter := waitOn(c, "e", 4)
	close(fail)
	if err := <-waiter; err != nil {
		t.Fatalf("the waiter of a failed read: %v", err)
	}

	// A shared read that panics: the same.
	c.clear()
	started, fail = make(chan struct{}), make(chan struct{})
	go func() {
		defer func() { recover() }()
		c.get("p", func() (int, error) {
			close(started)
			<-fail
			panic("the read broke")
		})
	}()
	<-started
	waiter = waitOn(c, "p", 5)
	close(fail)
	if err := <-waiter; err != nil {
		t.Fatalf("the waiter of a panicked read: %v", err)
	}
}

// waitOn starts a get of key while another caller's read of it is under
// way, and gives it time to start waiting for that read; the channel
// answers whether it got want, read for itself.
func waitOn(c *readCache[int], key string, want int) chan error {
	out := make(chan error, 1)
	go func() {
		v, err := c.get(key, func() (int, error) { return want, nil })
		if err == nil && v != want {
			err = errors.New("wrong value")
		}
		out <- err
	}()
	time.Sleep(20 * time.Millisecond)
	return out
}
