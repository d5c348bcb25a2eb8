// Package mongol handles traditional Mongolian script (Unicode block
// U+1800–U+18AF) in the data: the same name can be typed several ways that
// draw identically (with or without variation selectors, with a vowel
// separator or a narrow space before a suffix, with one of the letters
// whose shapes coincide), or with an old non-Unicode input method whose
// code points mean nothing outside its own font. Search, de-duplication
// and sorting go through a key that folds these differences away, while
// the text itself is stored as the person typed it.
package mongol

import (
	"strings"
	"unicode"
)

// The format characters of the script: free variation selectors choose a
// glyph, the vowel separator (MVS) detaches a final a/e, the narrow
// no-break space (NNBSP) joins a suffix, the zero-width joiners force a
// joining form. None of them changes which letters a name has.
const (
	fvs1 = '\u180B'
	fvs3 = '\u180D'
	mvs  = '\u180E'
	fvs4 = '\u180F'
	nnbs = '\u202F'
	zwnj = '\u200C'
	zwj  = '\u200D'
)

// IsFormat reports whether r is one of the script's format characters.
func IsFormat(r rune) bool {
	return r >= fvs1 && r <= fvs3 || r == mvs || r == fvs4 || r == nnbs || r == zwnj || r == zwj
}

// IsLetter reports whether r is a letter of the Mongolian block (the
// Mongolian letters and the Todo, Sibe, Manchu and Ali Gali additions).
func IsLetter(r rune) bool { return r >= 0x1820 && r <= 0x18AA }

// IsLegacy reports whether r is a private-use code point. Menksoft
// (蒙科立) and Delehi (德力海) input methods, still common on township PCs,
// store glyph shapes in the private-use area where each font puts them
// differently; without that vendor's table such a code point cannot be
// read back into letters, so it is flagged rather than guessed.
func IsLegacy(r rune) bool {
	return r >= 0xE000 && r <= 0xF8FF || r >= 0xF0000 && r <= 0x10FFFD
}

// HasLegacy reports whether s holds any text typed with a non-Unicode
// Mongolian input method.
func HasLegacy(s string) bool {
	return strings.IndexFunc(s, IsLegacy) >= 0
}

// Has reports whether s holds at least one Mongolian letter.
func Has(s string) bool {
	return strings.IndexFunc(s, IsLetter) >= 0
}

// Normalize tidies Mongolian text before it is stored: surrounding space
// goes, runs of ordinary spaces become one, and a variation selector or
// vowel separator that follows no letter (left over from deleting one) is
// dropped, since it could only make a font draw a wrong shape. Everything
// that selects a shape for a letter is kept: the stored text is what the
// person typed and what the public notice draws.
func Normalize(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	prevLetter, space := false, false
	for _, r := range strings.TrimFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == nnbs }) {
		switch {
		case r == ' ' || r == '\t' || r == '\u3000':
			space = true
			continue
		case (r >= fvs1 && r <= fvs3 || r == fvs4 || r == mvs) && !prevLetter:
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
		prevLetter = IsLetter(r) || r >= fvs1 && r <= fvs3 || r == fvs4
	}
	return b.String()
}

// fold maps a letter to the letter it is compared as. The pairs are those
// a reader cannot tell apart in a printed name, because fonts draw them
// with one glyph in most positions, so a person typing from a paper
// register picks either: o and u, ö and ü, t and d, q and γ; the long ē
// (rare, from loanwords) is an e.
var fold = map[rune]rune{
	'\u1823': '\u1824', // o → u
	'\u1825': '\u1826', // ö → ü
	'\u1827': '\u1821', // ē → e
	'\u1832': '\u1833', // t → d
	'\u182C': '\u182D', // q → γ
}

// Key is the search and de-duplication key of a Mongolian name: its
// letters only, format characters, spaces and punctuation dropped, and
// look-alike letters folded (see fold). Two spellings of one name that a
// reader cannot tell apart have the same key; text with no Mongolian
// letter has the empty key.
func Key(s string) string {
	var b strings.Builder
	for _, r := range s {
		if !IsLetter(r) {
			continue
		}
		if f, ok := fold[r]; ok {
			r = f
		}
		b.WriteRune(r)
	}
	return b.String()
}
