package secret

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestSealOpen(t *testing.T) {
	b, err := New(NewKey())
	if err != nil {
		t.Fatal(err)
	}
	id := "15222119900307123X"
	s1, s2 := b.Seal("id", id), b.Seal("id", id)
	if bytes.Equal(s1, s2) {
		t.Fatal("two seals of one value are equal: nonce reused")
	}
	if bytes.Contains(s1, []byte(id)) || bytes.Contains(s1, []byte("19900307")) {
		t.Fatal("sealed value contains the plain text")
	}
	got, err := b.Open("id", s1)
	if err != nil || got != id {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if _, err := b.Open("phone", s1); err != ErrCorrupt {
		t.Fatalf("open under another purpose: %v, want ErrCorrupt", err)
	}
	s1[len(s1)-1] ^= 1
	if _, err := b.Open("id", s1); err != ErrCorrupt {
		t.Fatalf("open of altered value: %v, want ErrCorrupt", err)
	}
	if b.Seal("id", "") != nil {
		t.Fatal("empty value must seal to nil")
	}
	other, _ := New(NewKey())
	if b.Index("id", id) == other.Index("id", id) {
		t.Fatal("index does not depend on the key")
	}
	if b.Index("id", id) != b.Index("id", id) || b.Index("id", id) == b.Index("phone", id) {
		t.Fatal("index must be deterministic per purpose")
	}
}

func TestKeyFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "key")
	k1, err := CreateFile(p)
	if err != nil {
		t.Fatal(err)
	}
	k2, err := CreateFile(p)
	if err != nil || !bytes.Equal(k1, k2) {
		t.Fatalf("second CreateFile gave another key: %v", err)
	}
	if err := os.Chmod(p, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadFile(p); err == nil {
		t.Fatal("a world-readable key file was accepted")
	}
	if _, err := DecodeKey("c2hvcnQ="); err == nil {
		t.Fatal("a short key was accepted")
	}
}
