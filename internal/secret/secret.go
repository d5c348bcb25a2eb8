// Package secret seals personal data (ID numbers, phones) before it reaches
// the database, and derives the keyed hashes the database searches by. The
// key lives outside the database, in a file or the environment, so a stolen
// database file or backup reveals nothing.
//
// A Box holds a keyring: the first key seals new values, and every key
// opens what it sealed, so a key can be rotated without making backups
// taken before the rotation unreadable.
package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sync/atomic"
)

// KeySize is the length of a master key: AES-256.
const KeySize = 32

// idSize is the length of the key id written into every version 2 value:
// long enough that two keys of one ring never share it by chance, short
// enough to cost little in each of a million sealed values.
const idSize = 4

// Sealed value versions. Version 1 (1 || nonce || ciphertext) predates the
// keyring and names no key; version 2 (2 || key id || nonce || ciphertext)
// names the key that opens it.
const (
	version1 byte = 1
	version2 byte = 2
)

// key is one master key and the two subkeys derived from it, so sealing
// and indexing never share a key.
type key struct {
	id    [idSize]byte
	aead  cipher.AEAD
	index []byte
	chain []byte
}

// Box encrypts with AES-256-GCM and indexes with HMAC-SHA256. It seals
// with its first key, opens with any of its keys, and indexes with one
// chosen key, because keyed hashes must match those already stored in the
// database until a rotation recomputes them.
type Box struct {
	keys []*key
	// indexKey is swapped atomically: a server's requests hash with it
	// while a rotation that just committed moves it to the new key.
	indexKey *atomic.Pointer[key]
}

// New derives a Box from one 32-byte master key.
func New(master []byte) (*Box, error) { return NewRing(master) }

// NewRing derives a Box from several master keys, newest first: the first
// seals new values and computes keyed hashes until UseIndexKey says
// otherwise; the others only open what they sealed before a rotation.
func NewRing(masters ...[]byte) (*Box, error) {
	if len(masters) == 0 {
		return nil, errors.New("secret: no key")
	}
	b := &Box{indexKey: new(atomic.Pointer[key])}
	seen := map[[idSize]byte]int{}
	for i, m := range masters {
		k, err := newKey(m)
		if err != nil {
			return nil, fmt.Errorf("secret: key %d: %w", i+1, err)
		}
		if j, dup := seen[k.id]; dup {
			return nil, fmt.Errorf("secret: keys %d and %d have the same id %x: a key is listed twice", j+1, i+1, k.id)
		}
		seen[k.id] = i
		b.keys = append(b.keys, k)
	}
	b.indexKey.Store(b.keys[0])
	return b, nil
}

func newKey(master []byte) (*key, error) {
	if len(master) != KeySize {
		return nil, fmt.Errorf("key must be %d bytes, got %d", KeySize, len(master))
	}
	block, err := aes.NewCipher(derive(master, "shanzhi/seal/v1"))
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	k := &key{aead: aead, index: derive(master, "shanzhi/index/v1"), chain: derive(master, "shanzhi/chain/v1")}
	copy(k.id[:], derive(master, "shanzhi/key-id"))
	return k, nil
}

func derive(master []byte, label string) []byte {
	m := hmac.New(sha256.New, master)
	m.Write([]byte(label))
	return m.Sum(nil)
}

// KeyID names a master key by a one-way digest of it, so a key file, an
// error message or the database can say which key is meant without
// revealing it.
func KeyID(master []byte) string {
	return hex.EncodeToString(derive(master, "shanzhi/key-id")[:idSize])
}

// KeyID names the key new values are sealed with.
func (b *Box) KeyID() string { return hex.EncodeToString(b.keys[0].id[:]) }

// KeyIDs names every key of the ring, sealing key first, for messages that
// must say which keys were tried.
func (b *Box) KeyIDs() []string {
	out := make([]string, len(b.keys))
	for i, k := range b.keys {
		out[i] = hex.EncodeToString(k.id[:])
	}
	return out
}

// IndexKeyID names the key Index hashes with.
func (b *Box) IndexKeyID() string { return hex.EncodeToString(b.indexKey.Load().id[:]) }

// ErrUnknownKey means a key id names no key of the ring: a value sealed,
// or hashes computed, under a key that was dropped from the key file.
var ErrUnknownKey = errors.New("secret: key is not in the key file")

func (b *Box) find(id string) (*key, error) {
	for _, k := range b.keys {
		if hex.EncodeToString(k.id[:]) == id {
			return k, nil
		}
	}
	return nil, fmt.Errorf("%w: key id %s (the key file has %v)", ErrUnknownKey, id, b.KeyIDs())
}

// UseIndexKey makes Index hash with the key named id, the one the stored
// hashes were made with; the database records it, and until a rotation
// recomputes every hash it stays the key that was first when they were.
func (b *Box) UseIndexKey(id string) error {
	k, err := b.find(id)
	if err != nil {
		return err
	}
	b.indexKey.Store(k)
	return nil
}

// ChainKey returns the chain key of the master key named id: the key the
// audit trail and the ledgers are chained with (HMAC-SHA-256), derived
// under a label of its own so it is independent of the sealing and index
// keys, and like them never stored in the database. Each master key of the
// ring has one, so a rotation that adds a master key adds a chain key.
func (b *Box) ChainKey(id string) ([]byte, error) {
	k, err := b.find(id)
	if err != nil {
		return nil, err
	}
	return k.chain, nil
}

// WithIndexKey returns a Box with the same keys that hashes with the key
// named id, leaving b untouched, so a rotation can compute the new hashes
// while everything else still searches with the old ones.
func (b *Box) WithIndexKey(id string) (*Box, error) {
	k, err := b.find(id)
	if err != nil {
		return nil, err
	}
	nb := &Box{keys: b.keys, indexKey: new(atomic.Pointer[key])}
	nb.indexKey.Store(k)
	return nb, nil
}

// Seal encrypts plain under the first key; the associated data binds the
// ciphertext to its purpose ("id", "phone"), so a value cannot be moved
// into another column. An empty value seals to nil so "not given" stays
// distinguishable.
func (b *Box) Seal(purpose, plain string) []byte {
	if plain == "" {
		return nil
	}
	k := b.keys[0]
	nonce := make([]byte, k.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic("secret: no randomness: " + err.Error())
	}
	out := make([]byte, 0, 1+idSize+len(nonce)+len(plain)+k.aead.Overhead())
	out = append(out, version2)
	out = append(out, k.id[:]...)
	out = append(out, nonce...)
	return k.aead.Seal(out, nonce, []byte(plain), []byte(purpose))
}

// ErrCorrupt means a sealed value failed authentication: it was altered,
// moved from another column, or sealed under another key.
var ErrCorrupt = errors.New("secret: sealed value failed authentication")

// Open decrypts what Seal produced under any key of the ring. A version 1
// value names no key, so each key is tried, oldest first since the legacy
// key is normally the last line; authentication makes a wrong key fail
// rather than produce garbage.
func (b *Box) Open(purpose string, sealed []byte) (string, error) {
	if len(sealed) == 0 {
		return "", nil
	}
	switch sealed[0] {
	case version1:
		for i := len(b.keys) - 1; i >= 0; i-- {
			if p, err := b.keys[i].open(purpose, sealed[1:]); err == nil {
				return p, nil
			}
		}
		return "", ErrCorrupt
	case version2:
		if len(sealed) < 1+idSize {
			return "", ErrCorrupt
		}
		id := hex.EncodeToString(sealed[1 : 1+idSize])
		k, err := b.find(id)
		if err != nil {
			return "", err
		}
		return k.open(purpose, sealed[1+idSize:])
	}
	return "", ErrCorrupt
}

// open decrypts nonce || ciphertext.
func (k *key) open(purpose string, rest []byte) (string, error) {
	ns := k.aead.NonceSize()
	if len(rest) < ns {
		return "", ErrCorrupt
	}
	p, err := k.aead.Open(nil, rest[:ns], rest[ns:], []byte(purpose))
	if err != nil {
		return "", ErrCorrupt
	}
	return string(p), nil
}

// SealedKeyID names the key a sealed value was sealed under, or returns ""
// for an empty or version 1 value, so a rotation can tell what it left
// behind.
func SealedKeyID(sealed []byte) string {
	if len(sealed) < 1+idSize || sealed[0] != version2 {
		return ""
	}
	return hex.EncodeToString(sealed[1 : 1+idSize])
}

// Index returns a keyed hash of value for equality search and uniqueness;
// without the key it cannot be reversed by enumerating the small space of
// valid ID numbers, which a plain hash could.
func (b *Box) Index(purpose, value string) string {
	if value == "" {
		return ""
	}
	m := hmac.New(sha256.New, b.indexKey.Load().index)
	m.Write([]byte(purpose))
	m.Write([]byte{0})
	m.Write([]byte(value))
	return hex.EncodeToString(m.Sum(nil)[:20])
}

// NewKey returns a fresh random master key.
func NewKey() []byte {
	k := make([]byte, KeySize)
	if _, err := rand.Read(k); err != nil {
		panic("secret: no randomness: " + err.Error())
	}
	return k
}
