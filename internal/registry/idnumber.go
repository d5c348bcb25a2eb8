package registry

import (
	"strings"
	"time"
)

// idWeights are the GB 11643-1999 weights of the first 17 digits; the check
// character is checkChars[sum mod 11].
var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

const checkChars = "10X98765432"

// NormalizeID trims spaces (half- and full-width) and upper-cases the check
// character, since an x typed in lower case is the same number.
func NormalizeID(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\u3000' || r == '\t' || r == '\u00a0' {
			return -1
		}
		return r
	}, s)
	return strings.ToUpper(s)
}

// IDProblem names what is wrong with an ID number, as a catalogue key, or
// returns "" for a valid one. A number must have 18 characters, 17 digits
// and the right check character, and carry a real birth date not in the
// future relative to now.
func IDProblem(id string, now time.Time) string {
	if len(id) == 15 {
		return "registry.id.old15"
	}
	if len(id) != 18 {
		return "registry.id.length"
	}
	sum := 0
	for i := 0; i < 17; i++ {
		c := id[i]
		if c < '0' || c > '9' {
			return "registry.id.digits"
		}
		sum += int(c-'0') * idWeights[i]
	}
	if id[17] != checkChars[sum%11] {
		return "registry.id.check"
	}
	b, ok := BirthFromID(id)
	if !ok {
		return "registry.id.birth"
	}
	if b.After(now) || b.Year() < 1880 {
		return "registry.id.birth"
	}
	return ""
}

// BirthFromID reads the birth date out of an 18-character ID number.
func BirthFromID(id string) (time.Time, bool) {
	if len(id) != 18 {
		return time.Time{}, false
	}
	d, err := time.Parse("20060102", id[6:14])
	if err != nil {
		return time.Time{}, false
	}
	return d, true
}

// GenderFromID reads the gender digit: odd for men, even for women.
func GenderFromID(id string) Gender {
	if len(id) != 18 || id[16] < '0' || id[16] > '9' {
		return ""
	}
	if (id[16]-'0')%2 == 1 {
		return Male
	}
	return Female
}

// CheckChar computes the check character for 17 digits; the generator of
// synthetic people and the tests use it.
func CheckChar(first17 string) byte {
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(first17[i]-'0') * idWeights[i]
	}
	return checkChars[sum%11]
}

// MaskID shows the first four and last four characters, the form every page,
// response and default export uses: 1522**********123X.
func MaskID(id string) string {
	if len(id) < 9 {
		return strings.Repeat("*", len(id))
	}
	return id[:4] + strings.Repeat("*", len(id)-8) + id[len(id)-4:]
}

// NormalizePhone strips separators and a +86 prefix, so numbers copied
// from contact lists are accepted.
func NormalizePhone(s string) string {
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '\u3000', '\u00a0', '(', ')':
			return -1
		}
		return r
	}, s)
	s = strings.TrimPrefix(s, "+86")
	if len(s) == 13 && strings.HasPrefix(s, "86") {
		s = s[2:]
	}
	return s
}

// ValidMobile reports whether s is a mainland mobile number: 11 digits
// starting 13 to 19.
func ValidMobile(s string) bool {
	if len(s) != 11 || s[0] != '1' || s[1] < '3' || s[1] > '9' {
		return false
	}
	for i := 2; i < 11; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// MaskPhone keeps the first three and last four digits: 138****1234.
func MaskPhone(p string) string {
	if len(p) != 11 {
		return strings.Repeat("*", len(p))
	}
	return p[:3] + "****" + p[7:]
}
