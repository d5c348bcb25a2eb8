package secret

import (
	"crypto/hmac"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/emmansun/gmsm/sm3"
)

// TestSM3Vector pins the hash the SM suite is built on to the example of
// GB/T 32905, so the suite cannot silently fall back to another hash.
func TestSM3Vector(t *testing.T) {
	h := SM.hash()()
	h.Write([]byte("abc"))
	if got := hex.EncodeToString(h.Sum(nil)); got != "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0" {
		t.Fatalf("SM3(abc) = %s", got)
	}
}

func TestSMSeal(t *testing.T) {
	k := NewKey(SM)
	b, err := New(k)
	if err != nil {
		t.Fatal(err)
	}
	const id = "15222119900307123X"
	s := b.Seal("id", id)
	if s[0] != version3 || SealedKeyID(s) != KeyID(k) {
		t.Fatalf("sealed %x: want version 3 naming key %s", s[:5], KeyID(k))
	}
	if got, err := b.Open("id", s); err != nil || got != id {
		t.Fatalf("round trip: %q, %v", got, err)
	}
	if _, err := b.Open("phone", s); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("opened under another purpose: %v", err)
	}
	for i := 1 + idSize; i < len(s); i++ {
		bad := append([]byte{}, s...)
		bad[i] ^= 1
		if _, err := b.Open("id", bad); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("byte %d flipped: %v, want ErrCorrupt", i, err)
		}
	}
	// The SM key opens only what SM sealed: the same bytes under the AES
	// version are refused, not decrypted with the wrong cipher.
	bad := append([]byte{}, s...)
	bad[0] = version2
	if _, err := b.Open("id", bad); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("SM value relabelled as AES: %v, want ErrCorrupt", err)
	}

	// The index is HMAC-SM3 under the SM-derived index key.
	sub := hmac.New(sm3.New, k.Raw)
	sub.Write([]byte("shanzhi/index/v1"))
	m := hmac.New(sm3.New, sub.Sum(nil))
	m.Write([]byte("id\x00" + id))
	if want := hex.EncodeToString(m.Sum(nil)[:20]); b.Index("id", id) != want {
		t.Fatalf("index %s, want HMAC-SM3 %s", b.Index("id", id), want)
	}

	// The same 32 bytes as an AES key are another key: another id, another
	// index, and they cannot open the SM value.
	a := Key{Suite: AES, Raw: k.Raw}
	ab, _ := New(a)
	if KeyID(a) == KeyID(k) || ab.Index("id", id) == b.Index("id", id) {
		t.Fatal("an AES and an SM key of the same bytes share an id or an index")
	}
	if _, err := ab.Open("id", s); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("AES key opened an SM value: %v", err)
	}
	c1, h1, _ := b.ChainKey(KeyID(k))
	c2, h2, _ := ab.ChainKey(KeyID(a))
	if c1 == nil || hmac.Equal(c1, c2) {
		t.Fatal("chain keys of the two suites coincide")
	}
	// The SM key's chain MACs are HMAC-SM3, the AES key's HMAC-SHA-256.
	if h1().Size() != 32 || h1().BlockSize() != 64 || fmt.Sprintf("%T", h1()) == fmt.Sprintf("%T", h2()) {
		t.Fatalf("chain hashes %T and %T", h1(), h2())
	}
}

// TestMixedRing: a ring holding keys of both suites opens what either
// sealed, seals with its first key's suite, and switches index suite with
// its index key, which is how rotate-key moves a database between suites.
func TestMixedRing(t *testing.T) {
	aesKey, smKey := NewKey(AES), NewKey(SM)
	old, _ := New(aesKey)
	before := old.Seal("id", "110101199003074514")
	ring, err := NewRing(smKey, aesKey)
	if err != nil {
		t.Fatal(err)
	}
	after := ring.Seal("id", "110101199003074514")
	if after[0] != version3 {
		t.Fatalf("a ring led by an SM key sealed version %d", after[0])
	}
	for _, s := range [][]byte{before, after} {
		if got, err := ring.Open("id", s); err != nil || got != "110101199003074514" {
			t.Fatalf("mixed ring open: %q, %v", got, err)
		}
	}
	sm, _ := New(smKey)
	if ring.Index("id", "a") != sm.Index("id", "a") {
		t.Fatal("a ring led by an SM key does not index with HMAC-SM3")
	}
	if err := ring.UseIndexKey(KeyID(aesKey)); err != nil || ring.Index("id", "a") != old.Index("id", "a") {
		t.Fatalf("index with the AES key: %v", err)
	}

	// In a key file the suite travels with each key.
	keys, err := ParseKeys(FormatKeys([]Key{smKey, aesKey}))
	if err != nil || len(keys) != 2 || !keys[0].Equal(smKey) || !keys[1].Equal(aesKey) {
		t.Fatalf("key file of both suites: %v %v", keys, err)
	}
	if !strings.HasPrefix(EncodeKey(smKey), "sm:") || strings.Contains(EncodeKey(aesKey), ":") {
		t.Fatalf("encoded keys %q %q", EncodeKey(smKey), EncodeKey(aesKey))
	}
	if _, err := ParseSuite("sm4"); err == nil {
		t.Fatal("an unknown suite was accepted")
	}
}
