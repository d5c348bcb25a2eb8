package registry

import (
	"strings"
	"unicode"
)

// foldWidth turns full-width ASCII forms (Ａ, １, －) and the ideographic
// space into their ASCII counterparts, as a Chinese input method types
// them.
func foldWidth(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			return r - 0xFEE0
		case r == '\u3000':
			return ' '
		}
		return r
	}, s)
}

// LoginName is the one form of a name typed into the sign-in field that
// the lockout, the rate limits and the account lookup all key on: a mobile
// number in any shape (138-1234-5678, 138 1234 5678, full-width digits,
// +86) becomes its eleven digits; anything else is the trimmed name with
// full-width characters folded.
func LoginName(s string) string {
	s = strings.TrimSpace(foldWidth(s))
	if p := NormalizePhone(s); ValidMobile(p) {
		return p
	}
	return s
}

// LoginShown is how a typed sign-in name may appear in the audit trail: a
// mobile or ID number, whole or as a run of seven or more digits, is
// personal data and appears masked; the rest is kept, cut to 64 bytes.
func LoginShown(s string) string {
	s = LoginName(s)
	if ValidMobile(s) {
		return MaskPhone(s)
	}
	if id, ok := idShaped(s); ok {
		return MaskID(id)
	}
	var b strings.Builder
	rs := []rune(s)
	for i := 0; i < len(rs); {
		j := i
		for j < len(rs) && (unicode.IsDigit(rs[j]) || j > i && strings.ContainsRune(" -", rs[j])) {
			j++
		}
		if digits(rs[i:j]) >= 7 {
			b.WriteString(strings.Repeat("*", j-i))
			i = j
			continue
		}
		if j == i {
			j++
		}
		b.WriteString(string(rs[i:j]))
		i = j
	}
	out := b.String()
	if len(out) > 64 {
		out = strings.ToValidUTF8(out[:64], "")
	}
	return out
}

// idShaped returns s as an ID number's one form when it has an ID
// number's shape (15 or 18 characters, digits but for a last check
// character), valid or not.
func idShaped(s string) (string, bool) {
	id := NormalizeID(s)
	if len(id) != 18 && len(id) != 15 {
		return "", false
	}
	return id, strings.IndexFunc(id[:len(id)-1], func(r rune) bool { return r < '0' || r > '9' }) < 0
}

// LoginHashed is the form of a typed sign-in name whose keyed hash the
// audit trail keeps beside the mask: the one form of a mobile or ID
// number, so every shape of one number gets one hash.
func LoginHashed(s string) string {
	s = LoginName(s)
	if id, ok := idShaped(s); ok {
		return id
	}
	return s
}

func digits(rs []rune) int {
	n := 0
	for _, r := range rs {
		if unicode.IsDigit(r) {
			n++
		}
	}
	return n
}
