package secret

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSealOpen(t *testing.T) {
	key := NewKey(AES)
	b, err := New(key)
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
	other, _ := New(NewKey(AES))
	if b.Index("id", id) == other.Index("id", id) {
		t.Fatal("index does not depend on the key")
	}
	if again, _ := New(key); b.Index("id", id) != again.Index("id", id) || b.Index("id", id) == b.Index("phone", id) {
		t.Fatal("index must be deterministic per purpose")
	}
}

func TestKeyFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "key")
	k1, err := CreateFile(p, AES)
	if err != nil {
		t.Fatal(err)
	}
	k2, err := CreateFile(p, AES)
	if err != nil || !k1.Equal(k2) {
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

// legacyKey and the two values below were produced by the release before
// the keyring: a version 1 sealed ID number and its keyed hash. They pin
// the formats that databases and backups already hold.
const (
	legacyKey    = "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA="
	legacySealed = "Adjdq3uDcnlvRxULo7aK7YhcXxU8aShd05Y3VF+Pd0CX0K57fwHQ4uzguhTEuxA="
	legacyHash   = "e5cfa35bb05f5c7e3a552766ff32b136b16828c7"
	legacyPlain  = "15222119900307123X"
)

func mustDecode(t *testing.T, s string) Key {
	t.Helper()
	k, err := DecodeKey(s)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestVersion1StillOpens(t *testing.T) {
	old := mustDecode(t, legacyKey)
	sealed, _ := base64.StdEncoding.DecodeString(legacySealed)
	for _, ring := range [][]Key{{old}, {NewKey(AES), old}, {old, NewKey(AES)}, {NewKey(AES), NewKey(AES), old}} {
		b, err := NewRing(ring...)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := b.Open("resident.id_number", sealed); err != nil || got != legacyPlain {
			t.Fatalf("ring of %d: Open(v1) = %q, %v", len(ring), got, err)
		}
		if _, err := b.Open("resident.phone", sealed); err != ErrCorrupt {
			t.Fatalf("v1 under another purpose: %v, want ErrCorrupt", err)
		}
		if err := b.UseIndexKey(KeyID(old)); err != nil {
			t.Fatal(err)
		}
		if h := b.Index("resident.id_number", legacyPlain); h != legacyHash {
			t.Fatalf("legacy key hashes to %s, want the stored %s", h, legacyHash)
		}
	}
	b, _ := New(NewKey(AES))
	if _, err := b.Open("resident.id_number", sealed); err != ErrCorrupt {
		t.Fatalf("v1 under a key that did not seal it: %v, want ErrCorrupt", err)
	}
}

func TestKeyIDs(t *testing.T) {
	k1, k2 := mustDecode(t, legacyKey), NewKey(AES)
	id1 := KeyID(k1)
	if len(id1) != 2*idSize || id1 != KeyID(k1) || id1 == KeyID(k2) {
		t.Fatalf("key ids %q %q: want 8 hex digits, stable, distinct", id1, KeyID(k2))
	}
	if strings.Contains(legacyKey, id1) {
		t.Fatal("key id shows the key")
	}
	b, err := NewRing(k2, k1)
	if err != nil {
		t.Fatal(err)
	}
	if b.KeyID() != KeyID(k2) || b.IndexKeyID() != KeyID(k2) || fmt.Sprint(b.KeyIDs()) != fmt.Sprint([]string{KeyID(k2), id1}) {
		t.Fatalf("ids: seal %s index %s all %v", b.KeyID(), b.IndexKeyID(), b.KeyIDs())
	}
	s := b.Seal("id", "x")
	if s[0] != 2 || SealedKeyID(s) != KeyID(k2) {
		t.Fatalf("sealed %x: want version 2 naming key %s", s[:5], KeyID(k2))
	}
	legacy, _ := base64.StdEncoding.DecodeString(legacySealed)
	if SealedKeyID(legacy) != "" || SealedKeyID(nil) != "" {
		t.Fatal("a version 1 value names a key")
	}
	if _, err := NewRing(k1, k2, k1); err == nil || !strings.Contains(err.Error(), "listed twice") {
		t.Fatalf("a key listed twice: %v", err)
	}
	if _, err := NewRing(); err == nil {
		t.Fatal("an empty ring was accepted")
	}
	if _, err := NewRing(k1, Key{Suite: AES, Raw: []byte("short")}); err == nil || !strings.Contains(err.Error(), "key 2") {
		t.Fatalf("a short second key: %v", err)
	}
}

func TestRing(t *testing.T) {
	oldKey, newKey := NewKey(AES), NewKey(AES)
	old, _ := New(oldKey)
	ring, err := NewRing(newKey, oldKey)
	if err != nil {
		t.Fatal(err)
	}
	before := old.Seal("id", "15222119900307123X")
	if got, err := ring.Open("id", before); err != nil || got != "15222119900307123X" {
		t.Fatalf("ring opens a value of its older key: %q, %v", got, err)
	}
	after := ring.Seal("id", "15222119900307123X")
	if SealedKeyID(after) != KeyID(newKey) {
		t.Fatal("the ring does not seal with its first key")
	}
	_, err = old.Open("id", after)
	if !errors.Is(err, ErrUnknownKey) || !strings.Contains(err.Error(), KeyID(newKey)) {
		t.Fatalf("the old key alone opened a new value: %v", err)
	}
	// A value whose key id was altered to name another key of the ring
	// fails authentication.
	moved := append([]byte{}, after...)
	copy(moved[1:5], before[1:5])
	if _, err := ring.Open("id", moved); err != ErrCorrupt {
		t.Fatalf("value relabelled to another key: %v, want ErrCorrupt", err)
	}
	for _, bad := range [][]byte{{2}, {2, 1, 2, 3}, {3, 0, 0, 0, 0}, {1}} {
		if _, err := ring.Open("id", bad); err == nil {
			t.Fatalf("Open(%x) succeeded", bad)
		}
	}

	// Hashes follow the chosen index key, and only it.
	if ring.Index("id", "a") == old.Index("id", "a") {
		t.Fatal("a fresh ring hashes with its older key")
	}
	nb, err := ring.WithIndexKey(KeyID(oldKey))
	if err != nil {
		t.Fatal(err)
	}
	if nb.Index("id", "a") != old.Index("id", "a") || ring.IndexKeyID() != KeyID(newKey) {
		t.Fatal("WithIndexKey: wrong hash, or it changed the ring it came from")
	}
	if err := ring.UseIndexKey(KeyID(oldKey)); err != nil || ring.Index("id", "a") != old.Index("id", "a") {
		t.Fatalf("UseIndexKey(old): %v", err)
	}
	missing := KeyID(NewKey(AES))
	if err := ring.UseIndexKey(missing); !errors.Is(err, ErrUnknownKey) || !strings.Contains(err.Error(), missing) {
		t.Fatalf("UseIndexKey(missing) = %v, want ErrUnknownKey naming %s", err, missing)
	}
	if ring.IndexKeyID() != KeyID(oldKey) {
		t.Fatal("a failed UseIndexKey changed the index key")
	}
}

func TestParseKeys(t *testing.T) {
	k1, k2, k3 := NewKey(AES), NewKey(AES), NewKey(AES)
	e := func(k Key) string { return strings.TrimSpace(EncodeKey(k)) }
	file := "# shanzhi keys\r\n\r\n  # current\r\n" + e(k1) + "\r\n# older\n" + e(k2) + "\n\n" + e(k3) + "  \n"
	for name, in := range map[string]string{
		"file":       file,
		"variable":   e(k1) + "," + e(k2) + ", " + e(k3),
		"formatted":  FormatKeys([]Key{k1, k2, k3}),
		"mixed":      e(k1) + "\n" + e(k2) + "," + e(k3) + ",",
		"no newline": "#x\n" + e(k1) + "\n" + e(k2) + "\n" + e(k3),
	} {
		keys, err := ParseKeys(in)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(keys) != 3 || !keys[0].Equal(k1) || !keys[1].Equal(k2) || !keys[2].Equal(k3) {
			t.Fatalf("%s: got %d keys, or out of order", name, len(keys))
		}
	}
	if keys, err := ParseKeys(EncodeKey(k1)); err != nil || len(keys) != 1 {
		t.Fatalf("a one-key file as written before the keyring: %v", err)
	}
	for name, in := range map[string]string{
		"empty":        "",
		"comments":     "# nothing\n\n",
		"short":        e(k1) + "\nc2hvcnQ=\n",
		"not base64":   e(k1) + "\n" + e(k2)[:20] + "!!\n",
		"two per line": e(k1) + " " + e(k2),
	} {
		_, err := ParseKeys(in)
		if err == nil {
			t.Fatalf("%s: accepted", name)
		}
		if strings.Contains(err.Error(), e(k2)[:20]) {
			t.Fatalf("%s: the error shows the key: %v", name, err)
		}
	}
	if _, err := ParseKeys(e(k1) + "\nc2hvcnQ=\n"); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("error does not name the line: %v", err)
	}
}

func TestAddKey(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "shanzhi.key")
	k1, err := CreateFile(p, AES)
	if err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(p)
	// A run killed before its rename left a temporary copy behind.
	if err := os.WriteFile(filepath.Join(dir, ".shanzhi.key.tmp-123"), before, 0o600); err != nil {
		t.Fatal(err)
	}
	k2 := NewKey(AES)
	now := time.Date(2026, 6, 1, 8, 30, 0, 0, time.FixedZone("CST", 8*3600))
	bak, err := AddKey(p, k2, now)
	if err != nil {
		t.Fatal(err)
	}
	if bak != p+".20260601T003000Z.bak" {
		t.Fatalf("backup %s: want the UTC time in its name", bak)
	}
	keys, err := LoadKeys(p)
	if err != nil || len(keys) != 2 || !keys[0].Equal(k2) || !keys[1].Equal(k1) {
		t.Fatalf("rewritten file: %d keys, %v", len(keys), err)
	}
	if first, err := LoadFile(p); err != nil || !first.Equal(k2) {
		t.Fatalf("LoadFile returns the first key: %v", err)
	}
	if got, _ := os.ReadFile(bak); !bytes.Equal(got, before) {
		t.Fatal("backup does not hold the old file")
	}
	body, _ := os.ReadFile(p)
	if !strings.Contains(string(body), "# key "+KeyID(k2)+": current key") || !strings.Contains(string(body), "# key "+KeyID(k1)+": older key") {
		t.Fatalf("file does not name its keys:\n%s", body)
	}
	if _, err := AddKey(p, k1, now); err == nil {
		t.Fatal("a key already in the file was added again")
	}
	// A second rotation in the same second keeps both backups, and keeps
	// every key the file holds by then.
	k3 := NewKey(AES)
	bak2, err := AddKey(p, k3, now)
	if err != nil || bak2 == bak {
		t.Fatalf("second rotation: %s, %v", bak2, err)
	}
	if keys, _ := LoadKeys(p); len(keys) != 3 || !keys[0].Equal(k3) || !keys[2].Equal(k1) {
		t.Fatalf("after two rotations the file holds %d keys", len(keys))
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		fi, _ := e.Info()
		if fi.Mode().Perm() != 0o600 {
			t.Fatalf("%s has mode %v, want 0600", e.Name(), fi.Mode().Perm())
		}
		if strings.Contains(e.Name(), ".tmp-") {
			t.Fatalf("temporary file %s left behind", e.Name())
		}
	}
	if len(entries) != 3 {
		t.Fatalf("directory holds %d files, want the key file and two backups", len(entries))
	}

	// A symbolic link is followed, so the file the server reads is the one
	// rewritten.
	link := filepath.Join(t.TempDir(), "link.key")
	if err := os.Symlink(p, link); err != nil {
		t.Skip("no symbolic links:", err)
	}
	k4 := NewKey(AES)
	if _, err := AddKey(link, k4, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Lstat(link); fi.Mode()&os.ModeSymlink == 0 {
		t.Fatal("the link was replaced by a file")
	}
	if first, _ := LoadFile(p); !first.Equal(k4) {
		t.Fatal("the linked file was not rewritten")
	}
	if _, err := AddKey(filepath.Join(dir, "missing"), k4, now); err == nil {
		t.Fatal("rewrote a key file that does not exist")
	}
	os.Chmod(p, 0o640)
	if _, err := AddKey(p, NewKey(AES), now); err == nil {
		t.Fatal("rewrote a key file others can read")
	}
}
