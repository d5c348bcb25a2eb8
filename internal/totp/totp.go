// Package totp implements RFC 6238 time-based one-time passwords with the
// one setting every authenticator app agrees on (HMAC-SHA1, six digits,
// 30-second steps), so officials can enrol Google Authenticator, Microsoft
// Authenticator, 腾讯身份验证器 or FreeOTP as a second factor.
package totp

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// The parameters are fixed rather than configurable because several apps
// silently ignore algorithm, digits and period in the enrolment URI and
// would then show codes the server never accepts.
const (
	digits = 6
	period = 30 // seconds
	modulo = 1_000_000
)

// secretLen is 160 bits, the SHA-1 output size and the secret length RFC
// 4226 §4 recommends.
const secretLen = 20

// minSecretLen is the 128-bit floor RFC 4226 §4 (R6) makes mandatory, so a
// truncated or hand-typed secret cannot quietly weaken the second factor.
const minSecretLen = 16

// maxSkew bounds the window Verify searches, so a misconfigured skew can
// neither turn a code into a long-lived password nor make each check cost
// millions of HMACs.
const maxSkew = 10

// b32 is an immutable codec, the RFC 4648 alphabet without padding, as
// authenticator apps show and accept secrets.
var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewSecret returns a fresh 160-bit secret in upper-case unpadded base32,
// the form apps accept both from a QR code and typed by hand.
func NewSecret() string {
	b := make([]byte, secretLen)
	if _, err := rand.Read(b); err != nil {
		panic("totp: no randomness: " + err.Error())
	}
	return b32.EncodeToString(b)
}

// Code returns the six-digit code for t; it exists for enrolment checks and
// tests, since logins go through Verify.
func Code(secret string, t time.Time) (string, error) {
	key, err := decodeSecret(secret)
	if err != nil {
		return "", err
	}
	step, ok := timeStep(t)
	if !ok {
		return "", errors.New("totp: time before 1970")
	}
	return hotp(key, uint64(step)), nil
}

// Verify reports whether code is valid for one of the time steps from
// t-skew to t+skew (skew 1, i.e. ±30 s, absorbs clock drift and typing
// time; negative values mean 0 and values above 10 mean 10), and returns
// the step it matched. A code is a password for up to (2·skew+1)·30 s, so
// single use is the caller's job: store the returned step with the account
// and refuse any code whose step is less than or equal to the stored one,
// updating the store in the same transaction as the check. When a code
// happens to match several steps the latest is returned, so the same digits
// are never accepted twice. Spaces in code and secret and a lower-case
// secret are tolerated, as are the full-width digits and spaces that Chinese
// input methods type; anything but exactly six digits is refused, as is a
// malformed secret. All candidates are compared in constant time.
func Verify(secret, code string, t time.Time, skew int) (step int64, ok bool) {
	key, err := decodeSecret(secret)
	if err != nil {
		return 0, false
	}
	c, good := normalizeCode(code)
	if !good {
		return 0, false
	}
	now, good := timeStep(t)
	if !good {
		return 0, false
	}
	skew = min(max(skew, 0), maxSkew)
	match := 0
	for s := now - int64(skew); s <= now+int64(skew); s++ {
		if s < 0 {
			continue
		}
		// No early exit and no data-dependent branch, so timing tells
		// nothing about which step, if any, matched.
		eq := subtle.ConstantTimeCompare([]byte(hotp(key, uint64(s))), c)
		mask := -int64(eq)
		step = s&mask | step&^mask
		match |= eq
	}
	if match != 1 {
		return 0, false
	}
	return step, true
}

// URI returns the otpauth:// key URI that enrolment QR codes carry, in the
// Google Authenticator key-URI format that all common apps read; issuer and
// account are percent-encoded (spaces as %20, not +, which some apps show
// literally) and colons in them are escaped because the colon separates
// issuer from account in the label.
func URI(issuer, account, secret string) string {
	label := escape(account)
	query := "secret=" + escape(normalizeSecret(secret))
	if issuer != "" {
		label = escape(issuer) + ":" + label
		query += "&issuer=" + escape(issuer)
	}
	return fmt.Sprintf("otpauth://totp/%s?%s&algorithm=SHA1&digits=%d&period=%d",
		label, query, digits, period)
}

// escape percent-encodes s for both the label and the query of a key URI:
// QueryEscape escapes every reserved character including ':', '/', '&' and
// '+', and its '+' for space is then turned into %20.
func escape(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

// timeStep returns the RFC 6238 counter floor(unix/30), refusing times
// before the epoch, where the counter would be negative.
func timeStep(t time.Time) (int64, bool) {
	u := t.Unix()
	if u < 0 {
		return 0, false
	}
	return u / period, true
}

// hotp is RFC 4226 HOTP with dynamic truncation, reduced to six digits.
func hotp(key []byte, counter uint64) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], counter)
	m := hmac.New(sha1.New, key)
	m.Write(msg[:])
	sum := m.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	n := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%0*d", digits, n%modulo)
}

// decodeSecret turns a secret as stored or typed into key bytes, refusing
// anything shorter than 128 bits. The round trip is checked because Go's
// unpadded decoder silently drops an impossible trailing character or
// non-zero spare bits, so a mistyped secret would otherwise be accepted as
// a different one.
func decodeSecret(secret string) ([]byte, error) {
	s := normalizeSecret(secret)
	key, err := b32.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("totp: secret is not base32: %w", err)
	}
	if b32.EncodeToString(key) != s {
		return nil, errors.New("totp: secret is not canonical base32")
	}
	if len(key) < minSecretLen {
		return nil, fmt.Errorf("totp: secret has %d bits, want at least %d", 8*len(key), 8*minSecretLen)
	}
	return key, nil
}

// normalizeSecret drops spaces, '=' padding and case, since apps and
// websites show secrets in lower-case groups of four and people copy them so.
func normalizeSecret(secret string) string {
	s := strings.Map(func(r rune) rune {
		if isSpace(r) {
			return -1
		}
		return r
	}, secret)
	return strings.TrimRight(strings.ToUpper(s), "=")
}

// normalizeCode returns code as six ASCII digits, mapping the full-width
// digits (U+FF10–U+FF19) of Chinese input methods and dropping spaces.
func normalizeCode(code string) ([]byte, bool) {
	out := make([]byte, 0, digits)
	for _, r := range code {
		switch {
		case isSpace(r):
			continue
		case r >= '0' && r <= '9':
		case r >= '０' && r <= '９':
			r = '0' + (r - '０')
		default:
			return nil, false
		}
		if len(out) == digits {
			return nil, false
		}
		out = append(out, byte(r))
	}
	return out, len(out) == digits
}

// isSpace reports the separators people and apps put into codes and
// secrets: ASCII blanks and the ideographic space U+3000.
func isSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\r' || r == '\n' || r == '\u3000'
}
