// Package secret seals personal data (ID numbers, phones) before it reaches
// the database, and derives the keyed hashes the database searches by. The
// key lives outside the database, in a file or the environment, so a stolen
// database file or backup reveals nothing.
//
// A Box holds a keyring: the first key seals new values, and every key
// opens what it sealed, so a key can be rotated without making backups
// taken before the rotation unreadable.
//
// Each key belongs to a suite: AES (AES-256-GCM, HMAC-SHA-256) or SM, the
// commercial cryptography of GB/T 39786 (SM4-GCM, HMAC-SM3, from the pure
// Go github.com/emmansun/gmsm). The suite is a property of the key, not of
// the deployment, so one ring can hold keys of both and a rotation moves a
// database from one suite to the other as it moves between keys.
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
	"hash"
	"sync/atomic"

	"github.com/emmansun/gmsm/sm3"
	"github.com/emmansun/gmsm/sm4"
)

// KeySize is the length of a master key of either suite.
const KeySize = 32

// Suite names the algorithms a key seals and hashes with.
type Suite string

const (
	// AES seals with AES-256-GCM and hashes with HMAC-SHA-256.
	AES Suite = "aes"
	// SM seals with SM4-GCM and hashes with HMAC-SM3 (GB/T 39786).
	SM Suite = "sm"
)

// ParseSuite reads a suite as written in the crypto-suite setting.
func ParseSuite(s string) (Suite, error) {
	switch Suite(s) {
	case AES, SM:
		return Suite(s), nil
	}
	return "", fmt.Errorf("secret: crypto suite %q: want aes or sm", s)
}

// hash is the hash function every keyed hash of the suite uses: key
// derivation, key ids, indexes and chain keys.
func (s Suite) hash() func() hash.Hash {
	if s == SM {
		return sm3.New
	}
	return sha256.New
}

// Key is one master key and the suite it is used with.
type Key struct {
	Suite Suite
	Raw   []byte
}

// Equal reports whether k and o are the same key of the same suite.
func (k Key) Equal(o Key) bool { return k.Suite == o.Suite && hmac.Equal(k.Raw, o.Raw) }

// idSize is the length of the key id written into every version 2 value:
// long enough that two keys of one ring never share it by chance, short
// enough to cost little in each of a million sealed values.
const idSize = 4

// Sealed value versions. Version 1 (1 || nonce || ciphertext) predates the
// keyring and names no key; version 2 (2 || key id || nonce || ciphertext)
// names the AES key that opens it, and version 3, laid out alike, an SM
// key, so a value says which suite sealed it.
const (
	version1 byte = 1
	version2 byte = 2
	version3 byte = 3
)

// key is one master key and the subkeys derived from it, so sealing,
// indexing and chaining never share a key.
type key struct {
	id      [idSize]byte
	suite   Suite
	version byte // the sealed value version its suite writes
	hash    func() hash.Hash
	aead    cipher.AEAD
	index   []byte
	chain   []byte
}

// Box encrypts with AES-256-GCM or SM4-GCM and indexes with HMAC-SHA-256
// or HMAC-SM3, as each key's suite says. It seals
// with its first key, opens with any of its keys, and indexes with one
// chosen key, because keyed hashes must match those already stored in the
// database until a rotation recomputes them.
type Box struct {
	keys []*key
	// indexKey is swapped atomically: a server's requests hash with it
	// while a rotation that just committed moves it to the new key.
	indexKey *atomic.Pointer[key]
}

// New derives a Box from one master key.
func New(master Key) (*Box, error) { return NewRing(master) }

// NewRing derives a Box from several master keys, newest first: the first
// seals new values and computes keyed hashes until UseIndexKey says
// otherwise; the others only open what they sealed before a rotation.
func NewRing(masters ...Key) (*Box, error) {
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

func newKey(master Key) (*key, error) {
	if len(master.Raw) != KeySize {
		return nil, fmt.Errorf("key must be %d bytes, got %d", KeySize, len(master.Raw))
	}
	k := &key{suite: master.Suite, hash: master.Suite.hash(), index: derive(master, "shanzhi/index/v1"), chain: derive(master, "shanzhi/chain/v1")}
	var block cipher.Block
	var err error
	switch master.Suite {
	case AES:
		k.version = version2
		block, err = aes.NewCipher(derive(master, "shanzhi/seal/v1"))
	case SM:
		// SM4 takes a 128-bit key: the first half of the derived one.
		k.version = version3
		block, err = sm4.NewCipher(derive(master, "shanzhi/seal/v1")[:16])
	default:
		return nil, fmt.Errorf("unknown crypto suite %q", master.Suite)
	}
	if err != nil {
		return nil, err
	}
	if k.aead, err = cipher.NewGCM(block); err != nil {
		return nil, err
	}
	copy(k.id[:], derive(master, "shanzhi/key-id"))
	return k, nil
}

// derive computes a subkey of master under label with the HMAC of the
// key's own suite, so an SM key involves no algorithm outside SM.
func derive(master Key, label string) []byte {
	m := hmac.New(master.Suite.hash(), master.Raw)
	m.Write([]byte(label))
	return m.Sum(nil)
}

// KeyID names a master key by a one-way digest of it, so a key file, an
// error message or the database can say which key is meant without
// revealing it. The same bytes used in the other suite get another id.
func KeyID(master Key) string {
	return hex.EncodeToString(derive(master, "shanzhi/key-id")[:idSize])
}

// KeyID names the key new values are sealed with.
func (b *Box) KeyID() string { return hex.EncodeToString(b.keys[0].id[:]) }

// Suite is the suite new values are sealed with: that of the first key.
func (b *Box) Suite() Suite { return b.keys[0].suite }

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

// ChainKey returns the chain key of the master key named id, with the
// hash its MACs use: the key the audit trail and the ledgers are chained
// with, derived under a label of its own so it is independent of the
// sealing and index keys, and like them never stored in the database. An
// AES key chains with HMAC-SHA-256, an SM key with HMAC-SM3 (商用密码); a
// row names its chain key version, the version its master key, and the
// key its suite, so every row is checked with the hash it was made with.
// Each master key of the ring has one, so a rotation that adds a master
// key adds a chain key.
func (b *Box) ChainKey(id string) ([]byte, func() hash.Hash, error) {
	k, err := b.find(id)
	if err != nil {
		return nil, nil, err
	}
	return k.chain, k.hash, nil
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
	out = append(out, k.version)
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
			if b.keys[i].version != version2 {
				continue // only AES sealed before the keyring
			}
			if p, err := b.keys[i].open(purpose, sealed[1:]); err == nil {
				return p, nil
			}
		}
		return "", ErrCorrupt
	case version2, version3:
		if len(sealed) < 1+idSize {
			return "", ErrCorrupt
		}
		id := hex.EncodeToString(sealed[1 : 1+idSize])
		k, err := b.find(id)
		if err != nil {
			return "", err
		}
		// A key opens only what its own suite sealed.
		if k.version != sealed[0] {
			return "", ErrCorrupt
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
	if len(sealed) < 1+idSize || (sealed[0] != version2 && sealed[0] != version3) {
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
	k := b.indexKey.Load()
	m := hmac.New(k.hash, k.index)
	m.Write([]byte(purpose))
	m.Write([]byte{0})
	m.Write([]byte(value))
	return hex.EncodeToString(m.Sum(nil)[:20])
}

// NewKey returns a fresh random master key of suite s.
func NewKey(s Suite) Key {
	k := make([]byte, KeySize)
	if _, err := rand.Read(k); err != nil {
		panic("secret: no randomness: " + err.Error())
	}
	return Key{Suite: s, Raw: k}
}
