package mongol

import "strings"

// Compare orders two Mongolian texts the way Inner Mongolian school
// tables and dictionaries do: the vowels a e i o u ö ü ē, then the
// consonants n ŋ b p q γ m l s š t d č j y r, then those of loanwords w f
// k kh c z h ... The Unicode block encodes the letters U+1820–U+1842 in
// exactly that order (checked against the school syllable table), so a
// letter's rank is its offset in the block; format characters and spaces
// do not take part, and at equal letters the shorter text comes first. A
// text's non-Mongolian characters rank after every letter, by code point.
// It returns -1, 0 or +1.
func Compare(a, b string) int {
	ra, rb := letters(a), letters(b)
	for i := 0; i < len(ra) && i < len(rb); i++ {
		if ra[i] != rb[i] {
			if rank(ra[i]) < rank(rb[i]) {
				return -1
			}
			return 1
		}
	}
	switch {
	case len(ra) < len(rb):
		return -1
	case len(ra) > len(rb):
		return 1
	}
	return strings.Compare(a, b)
}

// letters is s without format characters and white space.
func letters(s string) []rune {
	out := make([]rune, 0, len(s)/3)
	for _, r := range s {
		if IsFormat(r) || r == ' ' {
			continue
		}
		out = append(out, r)
	}
	return out
}

func rank(r rune) int {
	if IsLetter(r) {
		return int(r - 0x1820)
	}
	return 0x100 + int(r)
}
