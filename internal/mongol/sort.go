package mongol

import "strings"

// SortKey is the key that orders Mongolian names the way Inner Mongolian
// school tables and dictionaries do: the vowels a e i o u ö ü ē, then the
// consonants n ŋ b p q γ m l s š t d č j y r, then those of loanwords w f
// k kh c z h … The Unicode block encodes the letters U+1820–U+1842 in
// exactly that order (checked against the school syllable table), and
// UTF-8 keeps code point order byte for byte, so the key is the name's
// letters alone, format characters and spaces left out, and a plain byte
// comparison (SQLite's BINARY, PostgreSQL's "C" collation) sorts by it.
// Unlike Key it folds nothing: ᠣ and ᠤ are different letters in the
// alphabet even where a font draws them alike.
func SortKey(s string) string {
	var b strings.Builder
	for _, r := range s {
		if IsLetter(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}
