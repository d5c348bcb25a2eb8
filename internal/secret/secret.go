// Package secret seals personal data (ID numbers, phones) before it reaches
// the database, and derives the keyed hashes the database searches by. The
// key lives outside the database, in a file or the environment, so a stolen
// database file or backup reveals nothing.
package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
)

// KeySize is the length of the master key: AES-256.
const KeySize = 32

// Box encrypts with AES-256-GCM and indexes with HMAC-SHA256, using two
// subkeys derived from one master key so the two uses never share a key.
type Box struct {
	aead  cipher.AEAD
	index []byte
}

// New derives a Box from a 32-byte master key.
func New(master []byte) (*Box, error) {
	if len(master) != KeySize {
		return nil, fmt.Errorf("secret: key must be %d bytes, got %d", KeySize, len(master))
	}
	enc := derive(master, "shanzhi/seal/v1")
	block, err := aes.NewCipher(enc)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Box{aead: aead, index: derive(master, "shanzhi/index/v1")}, nil
}

func derive(master []byte, label string) []byte {
	m := hmac.New(sha256.New, master)
	m.Write([]byte(label))
	return m.Sum(nil)
}

// version prefixes every sealed value so a later key rotation can tell old
// ciphertexts from new ones.
const version byte = 1

// Seal encrypts plain; the associated data binds the ciphertext to its
// purpose ("id", "phone"), so a value cannot be moved into another column.
// An empty value seals to nil so "not given" stays distinguishable.
func (b *Box) Seal(purpose, plain string) []byte {
	if plain == "" {
		return nil
	}
	nonce := make([]byte, b.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic("secret: no randomness: " + err.Error())
	}
	out := append([]byte{version}, nonce...)
	return b.aead.Seal(out, nonce, []byte(plain), []byte(purpose))
}

// ErrCorrupt means a sealed value failed authentication: it was altered,
// moved from another column, or sealed under another key.
var ErrCorrupt = errors.New("secret: sealed value failed authentication")

// Open decrypts what Seal produced.
func (b *Box) Open(purpose string, sealed []byte) (string, error) {
	if len(sealed) == 0 {
		return "", nil
	}
	ns := b.aead.NonceSize()
	if len(sealed) < 1+ns || sealed[0] != version {
		return "", ErrCorrupt
	}
	p, err := b.aead.Open(nil, sealed[1:1+ns], sealed[1+ns:], []byte(purpose))
	if err != nil {
		return "", ErrCorrupt
	}
	return string(p), nil
}

// Index returns a keyed hash of value for equality search and uniqueness;
// without the key it cannot be reversed by enumerating the small space of
// valid ID numbers, which a plain hash could.
func (b *Box) Index(purpose, value string) string {
	if value == "" {
		return ""
	}
	m := hmac.New(sha256.New, b.index)
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

// EncodeKey renders a key as the base64 line stored in a key file.
func EncodeKey(k []byte) string { return base64.StdEncoding.EncodeToString(k) + "\n" }

// DecodeKey parses a base64 key as stored in a key file or variable.
func DecodeKey(s string) ([]byte, error) {
	k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil {
		return nil, fmt.Errorf("secret: key is not base64: %w", err)
	}
	if len(k) != KeySize {
		return nil, fmt.Errorf("secret: key must be %d bytes, got %d", KeySize, len(k))
	}
	return k, nil
}

// LoadFile reads a key file, refusing one that others can read, because
// the key is what protects every ID number in the database.
func LoadFile(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("secret: key file: %w", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("secret: key file %s is readable by others (mode %v); run chmod 600", path, fi.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("secret: key file: %w", err)
	}
	return DecodeKey(string(b))
}

// CreateFile writes a new random key to path with mode 0600 unless the file
// exists, and returns the key either way; the demo uses it to start without
// any setup.
func CreateFile(path string) ([]byte, error) {
	if _, err := os.Stat(path); err == nil {
		return LoadFile(path)
	}
	k := NewKey()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("secret: create key file: %w", err)
	}
	if _, err := f.WriteString(EncodeKey(k)); err != nil {
		f.Close()
		return nil, err
	}
	return k, f.Close()
}
