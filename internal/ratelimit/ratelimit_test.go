package ratelimit

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeClock is a hand-moved clock so that windows pass without sleeping.
type fakeClock struct{ t time.Time }

func newClock() *fakeClock { return &fakeClock{t: time.Date(2025, 1, 1, 8, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time          { return c.t }
func (c *fakeClock) Advance(d time.Duration) { c.t = c.t.Add(d) }

func mustAllow(t *testing.T, l *Limiter, key string) {
	t.Helper()
	if ok, ra := l.Allow(key); !ok {
		t.Fatalf("Allow(%q) refused, retryAfter %v; want allowed", key, ra)
	}
}

func mustRefuse(t *testing.T, l *Limiter, key string, wantRetry time.Duration) {
	t.Helper()
	ok, ra := l.Allow(key)
	if ok {
		t.Fatalf("Allow(%q) allowed; want refused", key)
	}
	if ra != wantRetry {
		t.Fatalf("Allow(%q) retryAfter = %v; want %v", key, ra, wantRetry)
	}
}

// checkList verifies that the map and the recency list describe the same
// set of keys, so that bookkeeping bugs cannot hide behind Len.
func checkList(t *testing.T, l *Limiter) {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	var prev *entry
	for e := l.head; e != nil; e = e.next {
		if e.prev != prev {
			t.Fatalf("entry %q: prev link broken", e.key)
		}
		if l.keys[e.key] != e {
			t.Fatalf("entry %q in list but not in map", e.key)
		}
		prev = e
		n++
	}
	if prev != l.tail {
		t.Fatal("tail does not end the list")
	}
	if n != len(l.keys) {
		t.Fatalf("list holds %d entries, map %d", n, len(l.keys))
	}
}

func TestLimitEnforced(t *testing.T) {
	c := newClock()
	l := New(3, time.Minute, c.Now)
	for range 3 {
		mustAllow(t, l, "login:ip:192.0.2.1")
	}
	mustRefuse(t, l, "login:ip:192.0.2.1", time.Minute)
	// Keys are independent.
	mustAllow(t, l, "login:user:alice")
}

func TestWindowSlides(t *testing.T) {
	c := newClock()
	l := New(3, time.Minute, c.Now)
	k := "login:user:alice"
	mustAllow(t, l, k) // t=0
	c.Advance(20 * time.Second)
	mustAllow(t, l, k) // t=20s
	c.Advance(20 * time.Second)
	mustAllow(t, l, k) // t=40s
	c.Advance(10 * time.Second)
	mustRefuse(t, l, k, 10*time.Second) // t=50s: the t=0 event leaves at 60s
	c.Advance(9*time.Second + 999*time.Millisecond)
	mustRefuse(t, l, k, time.Millisecond) // one millisecond early
	c.Advance(time.Millisecond)
	mustAllow(t, l, k)                  // t=60s: exactly one window after the first
	mustRefuse(t, l, k, 20*time.Second) // next slot frees when t=20s leaves at 80s
	c.Advance(20 * time.Second)
	mustAllow(t, l, k) // t=80s
	mustRefuse(t, l, k, 20*time.Second)
}

func TestRefusalDoesNotExtendWait(t *testing.T) {
	c := newClock()
	l := New(2, time.Minute, c.Now)
	k := "otp:user:7"
	mustAllow(t, l, k)
	mustAllow(t, l, k)
	for i := range 30 {
		mustRefuse(t, l, k, time.Minute-time.Duration(i)*time.Second)
		c.Advance(time.Second)
	}
	c.Advance(30 * time.Second)
	mustAllow(t, l, k)
}

func TestReset(t *testing.T) {
	c := newClock()
	l := New(2, time.Hour, c.Now)
	k := "login:user:alice"
	mustAllow(t, l, k)
	mustAllow(t, l, k)
	mustRefuse(t, l, k, time.Hour)
	l.Reset(k)
	if l.Len() != 0 {
		t.Fatalf("Len after Reset = %d; want 0", l.Len())
	}
	mustAllow(t, l, k)
	mustAllow(t, l, k)
	mustRefuse(t, l, k, time.Hour)
	l.Reset("never-seen") // harmless
	checkList(t, l)
}

func TestLongKeys(t *testing.T) {
	c := newClock()
	l := New(1, time.Minute, c.Now)
	long := "login:user:" + strings.Repeat("a", 1<<20)
	mustAllow(t, l, long)
	mustRefuse(t, l, long, time.Minute)
	mustAllow(t, l, long+"b") // a different long key is a different key
	mustAllow(t, l, "\x00short")
	mustRefuse(t, l, "\x00short", time.Minute)
	for k := range l.keys {
		if len(k) > maxKeyLen+1 {
			t.Fatalf("stored key of %d bytes; want at most %d", len(k), maxKeyLen+1)
		}
	}
	l.Reset(long)
	mustAllow(t, l, long)
}

// TestMatchesModel drives the limiter and a brute-force model — every
// admission kept, the rule applied literally — with random keys, gaps and
// resets, and demands identical answers, which also proves that no
// window ever holds more than limit admissions.
func TestMatchesModel(t *testing.T) {
	const limit, window = 4, 10 * time.Second
	c := newClock()
	start := c.Now()
	l := NewWithMaxKeys(limit, window, c.Now, 1000)
	model := map[string][]time.Duration{}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 200_000 {
		c.Advance(time.Duration(rng.IntN(1500)) * time.Millisecond)
		now := c.Now().Sub(start)
		key := fmt.Sprint("k", rng.IntN(5))
		if rng.IntN(50) == 0 {
			l.Reset(key)
			delete(model, key)
			continue
		}
		var in []time.Duration
		for _, at := range model[key] {
			if now-at < window {
				in = append(in, at)
			}
		}
		wantOK, wantRetry := len(in) < limit, time.Duration(0)
		if wantOK {
			in = append(in, now)
		} else {
			wantRetry = in[len(in)-limit] + window - now
		}
		model[key] = in
		ok, retry := l.Allow(key)
		if ok != wantOK || retry != wantRetry {
			t.Fatalf("step %d key %s at %v: Allow = %v, %v; model says %v, %v", i, key, now, ok, retry, wantOK, wantRetry)
		}
	}
	checkList(t, l)
}

func TestEvictionBoundsMemory(t *testing.T) {
	const distinct = 1_000_000
	c := newClock()
	l := New(5, 15*time.Minute, c.Now)
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := range distinct {
		l.Allow("login:user:" + fmt.Sprint(i))
		if i%1000 == 0 {
			c.Advance(time.Millisecond) // a flood, well inside one window
		}
	}
	if n := l.Len(); n != DefaultMaxKeys {
		t.Fatalf("after %d distinct keys Len = %d; want the bound %d", distinct, n, DefaultMaxKeys)
	}
	checkList(t, l)
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	grew := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("%d keys tracked after %d distinct: heap grew %.1f MB (%d B/key)", l.Len(), distinct, float64(grew)/1e6, grew/int64(l.Len()))
	if grew > 64<<20 {
		t.Fatalf("heap grew %d bytes for %d keys; want well under 64 MiB", grew, l.Len())
	}
	runtime.KeepAlive(l)
}

func TestEvictionIsLeastRecentlyUsed(t *testing.T) {
	c := newClock()
	l := NewWithMaxKeys(1, time.Hour, c.Now, 3)
	mustAllow(t, l, "victim")
	mustAllow(t, l, "a")
	mustAllow(t, l, "b")
	// Touching victim, even with a refusal, makes it recent.
	mustRefuse(t, l, "victim", time.Hour)
	mustAllow(t, l, "c") // evicts a, the least recently used
	mustRefuse(t, l, "victim", time.Hour)
	mustAllow(t, l, "a") // a was forgotten; evicts b
	if l.Len() != 3 {
		t.Fatalf("Len = %d; want 3", l.Len())
	}
	checkList(t, l)
}

func TestIdleKeysDrain(t *testing.T) {
	c := newClock()
	l := NewWithMaxKeys(5, time.Minute, c.Now, 1000)
	for i := range 1000 {
		mustAllow(t, l, fmt.Sprint("ip:", i))
	}
	c.Advance(time.Minute)
	for range 500 {
		l.Allow("fresh")
		c.Advance(time.Millisecond)
	}
	// Each call frees up to two idle keys, so the flood is gone.
	if n := l.Len(); n != 1 {
		t.Fatalf("Len after flood went idle = %d; want 1", n)
	}
	checkList(t, l)
}

func TestIdleKeyIsFreedBeforeLiveOnesAreEvicted(t *testing.T) {
	c := newClock()
	l := NewWithMaxKeys(1, time.Minute, c.Now, 2)
	mustAllow(t, l, "old")
	c.Advance(time.Minute)
	mustAllow(t, l, "live")
	mustAllow(t, l, "new") // old is idle and goes first
	mustRefuse(t, l, "live", time.Minute)
}

func TestConcurrentExactCount(t *testing.T) {
	const limit, goroutines, calls = 50, 64, 200
	c := newClock() // never advanced while goroutines run
	l := New(limit, time.Minute, c.Now)
	var admitted atomic.Int64
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range calls {
				if ok, _ := l.Allow("export:user:7"); ok {
					admitted.Add(1)
				}
				l.Allow(fmt.Sprint("noise:", g, ":", i)) // contend on the table too
			}
		})
	}
	wg.Wait()
	if n := admitted.Load(); n != limit {
		t.Fatalf("%d goroutines × %d calls admitted %d; want exactly %d", goroutines, calls, n, limit)
	}
	checkList(t, l)
}

func TestNewPanicsOnNonsense(t *testing.T) {
	for _, tc := range []struct {
		limit, maxKeys int
		window         time.Duration
	}{{0, 1, time.Second}, {1, 1, 0}, {1, 0, time.Second}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("NewWithMaxKeys(%d, %v, _, %d) did not panic", tc.limit, tc.window, tc.maxKeys)
				}
			}()
			NewWithMaxKeys(tc.limit, tc.window, nil, tc.maxKeys)
		}()
	}
}

func TestNilClockIsRealTime(t *testing.T) {
	l := New(1, time.Hour, nil)
	if ok, _ := l.Allow("k"); !ok {
		t.Fatal("first Allow refused")
	}
	if ok, ra := l.Allow("k"); ok || ra <= 0 || ra > time.Hour {
		t.Fatalf("second Allow = %v, %v; want refused within an hour", ok, ra)
	}
}

func BenchmarkAllow(b *testing.B) {
	b.Run("one-key", func(b *testing.B) {
		l := New(10, time.Minute, nil)
		for b.Loop() {
			l.Allow("login:user:alice")
		}
	})
	b.Run("distinct-keys-evicting", func(b *testing.B) {
		l := NewWithMaxKeys(10, time.Minute, nil, 10_000)
		keys := make([]string, 1<<16)
		for i := range keys {
			keys[i] = fmt.Sprint("login:ip:10.0.", i>>8, ".", i&255)
		}
		i := 0
		for b.Loop() {
			l.Allow(keys[i&(len(keys)-1)])
			i++
		}
	})
	b.Run("parallel", func(b *testing.B) {
		l := New(10, time.Minute, nil)
		var id atomic.Int64
		b.RunParallel(func(pb *testing.PB) {
			k := fmt.Sprint("login:user:", id.Add(1))
			for pb.Next() {
				l.Allow(k)
			}
		})
	})
}

// TestRefund admits and refunds many successes without using up the
// limit; admissions not refunded (the failures) still meet it.
func TestRefund(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	l := New(3, time.Minute, func() time.Time { return now })
	for i := range 20 {
		if ok, _ := l.Allow("office"); !ok {
			t.Fatalf("success %d refused although every earlier one was refunded", i+1)
		}
		l.Refund("office")
	}
	for i := range 3 {
		if ok, _ := l.Allow("office"); !ok {
			t.Fatalf("failure %d refused below the limit", i+1)
		}
	}
	if ok, _ := l.Allow("office"); ok {
		t.Fatal("a fourth failure within the window was admitted")
	}
	l.Refund("nobody") // a key never seen is no error
}
