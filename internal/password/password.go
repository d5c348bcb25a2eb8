// Package password hashes account passwords with argon2id and checks them
// in constant time.
package password

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"

	"golang.org/x/crypto/argon2"
)

// Parameters follow the OWASP cheat sheet's argon2id setting of 19 MiB,
// two passes, one lane: slow enough to blunt guessing, cheap enough for a
// township PC to sign in dozens of users a minute.
const (
	memory  = 19 * 1024
	passes  = 2
	lanes   = 1
	keyLen  = 32
	saltLen = 16
)

// Hash returns an encoded argon2id hash of pw with a fresh salt.
func Hash(pw string) string {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		panic("password: no randomness: " + err.Error())
	}
	key := argon2.IDKey([]byte(pw), salt, passes, memory, lanes, keyLen)
	return fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$%s$%s", memory, passes, lanes,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

// Check reports whether pw matches encoded. Stored parameters are honoured
// so hashes made with older settings keep working.
func Check(encoded, pw string) (bool, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errors.New("password: not an argon2id hash")
	}
	var m uint32
	var t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false, fmt.Errorf("password: parameters: %w", err)
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return false, err
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// dummy is checked against when a username is unknown, so an unknown
// user costs the same time as a wrong password. It is made on first use,
// not at start-up, so commands that never sign anyone in pay nothing.
var dummy = sync.OnceValue(func() string { return Hash("shanzhi-timing-equaliser") })

// Waste spends the time of one Check.
func Waste(pw string) { Check(dummy(), pw) }

// Random returns a one-time password that satisfies the policy: three
// groups of five characters from letters of both cases and digits, joined
// by dashes. Every character is drawn at random; a draw that lacks a
// lower-case letter, a capital or a digit is drawn again, rather than
// patched with fixed characters that every password would then share.
func Random() string {
	const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	for {
		s := RandomText(alphabet, 15)
		if strings.ContainsAny(s, alphabet[:24]) && strings.ContainsAny(s, alphabet[24:48]) && strings.ContainsAny(s, alphabet[48:]) {
			return s[:5] + "-" + s[5:10] + "-" + s[10:]
		}
	}
}

// RandomText draws n characters from alphabet (at most 256 of them), for
// strings a person reads or types: one-time passwords, reference
// numbers. Rejection sampling keeps every character equally likely.
func RandomText(alphabet string, n int) string {
	limit := 256 - 256%len(alphabet)
	out := make([]byte, 0, n)
	for len(out) < n {
		var b [1]byte
		rand.Read(b[:])
		if int(b[0]) < limit {
			out = append(out, alphabet[int(b[0])%len(alphabet)])
		}
	}
	return string(out)
}
