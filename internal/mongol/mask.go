package mongol

import (
	"strings"
	"unicode/utf8"
)

// isVowel reports whether r is one of the vowels a e i o u ö ü ē.
func isVowel(r rune) bool { return r >= 0x1820 && r <= 0x1827 }

// Mask masks a Mongolian name for a public page the way the Chinese name
// beside it is masked (review.MaskName keeps 巴 of 巴图 and stars the
// rest): the first syllable stays, its consonant and its vowel (ᠪᠠ of
// ᠪᠠᠲᠤ, the syllable 巴 transcribes), and stars replace everything else.
// The number of stars is the Chinese mask's, not the name's letter
// count: letters are several to a Chinese character, and counting them
// would tell a reader more about the person than the Chinese form does.
// A name with no Mongolian letter masks to the empty string.
func Mask(name string, stars int) string {
	var b strings.Builder
	vowel := false
	for _, r := range name {
		if IsFormat(r) || r == ' ' {
			continue
		}
		if !IsLetter(r) || vowel && !isVowel(r) {
			break
		}
		if isVowel(r) {
			if vowel {
				break // a long vowel's second letter belongs to the stars
			}
			vowel = true
		}
		b.WriteRune(r)
	}
	if b.Len() == 0 {
		return ""
	}
	return b.String() + strings.Repeat("*", max(stars, 1))
}

// Masked reports whether s has the form Mask gives: at most one syllable
// of Mongolian letters, then only stars.
func Masked(s string) bool {
	i := strings.IndexByte(s, '*')
	if i <= 0 || strings.Trim(s[i:], "*") != "" {
		return false
	}
	head := s[:i]
	return utf8.RuneCountInString(head) <= 3 && Mask(head, 1) == head+"*"
}
