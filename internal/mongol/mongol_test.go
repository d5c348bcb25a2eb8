package mongol

import (
	"slices"
	"strings"
	"testing"
)

// Names used below, in Unicode traditional script: Batu (ᠪᠠᠲᠤ), Bayar
// (ᠪᠠᠶᠠᠷ), Naran (ᠨᠠᠷᠠᠨ), Saran-a (ᠰᠠᠷᠠᠨ᠎ᠠ).
const (
	batu   = "\u182A\u1820\u1832\u1824"
	bayar  = "\u182A\u1820\u1836\u1820\u1837"
	naran  = "\u1828\u1820\u1837\u1820\u1828"
	sarana = "\u1830\u1820\u1837\u1820\u1828\u180E\u1820"
)

func TestKeyFindsOneNameTypedTwoWays(t *testing.T) {
	for _, c := range []struct{ name, a, b string }{
		{"variation selector", batu, "\u182A\u1820\u1832\u180B\u1824"},
		{"vowel separator", sarana, "\u1830\u1820\u1837\u1820\u1828\u1820"},
		{"narrow space before a suffix", batu + "\u202F\u1836\u1822\u1828", batu + " \u1836\u1822\u1828"},
		{"zero-width joiner", naran, "\u1828\u200D\u1820\u1837\u1820\u1828"},
		{"o typed for u", batu, "\u182A\u1820\u1832\u1823"},
		{"ö typed for ü", "\u182E\u1825\u1829\u182C\u1821", "\u182E\u1826\u1829\u182C\u1821"},
		{"d typed for t", batu, "\u182A\u1820\u1833\u1824"},
		{"q typed for γ", "\u182C\u1820\u1830", "\u182D\u1820\u1830"},
		{"surrounding space", " " + batu + " ", batu},
	} {
		if Key(c.a) != Key(c.b) {
			t.Errorf("%s: %q and %q have different keys", c.name, c.a, c.b)
		}
	}
	// Different names stay different.
	if Key(batu) == Key(bayar) || Key(naran) == Key(sarana) {
		t.Error("two different names share a key")
	}
	if Key("张三") != "" {
		t.Error("Chinese text has a Mongolian key")
	}
}

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{
		"  " + batu + "\u3000\u3000" + naran + " ": batu + " " + naran,
		"\u180B" + batu:            batu, // an orphan selector draws nothing right
		batu + "\u180B":            batu + "\u180B",
		sarana:                     sarana, // a separator before final a is kept
		"\u202F" + batu + "\u202F": batu,
	} {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLegacyIsFlagged(t *testing.T) {
	// Menksoft's input puts glyph shapes at private-use code points.
	if !HasLegacy("\uE2D1\uE27B\uE2F4") {
		t.Error("private-use Mongolian not flagged")
	}
	if HasLegacy(batu) || HasLegacy("巴图") {
		t.Error("Unicode text flagged as legacy")
	}
}

// TestSortKeyTraditionalOrder checks the order the school table teaches,
// vowels first, then the consonants n b p q γ m l s š t d č j y r w f k …
// (not Latin order: n comes before b), on words that start with each
// letter, and that selectors and spaces take no part.
func TestSortKeyTraditionalOrder(t *testing.T) {
	const order = "\u1820\u1821\u1822\u1823\u1824\u1825\u1826ᠨᠪᠫᠬᠭᠮᠯᠰᠱᠲᠳᠴᠵᠶᠷᠸᠹᠺᠻᠼᠽᠾᠿ"
	var words []string
	for _, r := range order {
		words = append(words, string(r)+"\u1820\u1837")
	}
	shuffled := slices.Clone(words)
	slices.Reverse(shuffled)
	shuffled[0], shuffled[5] = shuffled[5], shuffled[0]
	slices.SortFunc(shuffled, func(a, b string) int { return strings.Compare(SortKey(a), SortKey(b)) })
	if !slices.Equal(shuffled, words) {
		t.Errorf("sorted %q, want %q", shuffled, words)
	}
	for _, c := range []struct{ a, b string }{
		{naran, bayar},         // n before b
		{batu, bayar},          // t before y
		{"\u182A\u1820", batu}, // a prefix first
		{batu + "\u180B", "\u182A\u1820\u1832\u1825"}, // a selector changes nothing: u before ö
		{batu + " " + naran, batu + "\u1836"},         // a space neither
	} {
		if SortKey(c.a) >= SortKey(c.b) {
			t.Errorf("%q does not sort before %q", c.a, c.b)
		}
	}
}

func TestMask(t *testing.T) {
	for _, c := range []struct {
		name  string
		stars int
		want  string
	}{
		{batu, 1, "\u182A\u1820*"},                  // ᠪᠠ* beside 巴*
		{sarana, 2, "\u1830\u1820**"},               // a separator is not kept
		{"\u1823\u1836\u1824\u1828", 2, "\u1823**"}, // Oyun: a vowel syllable
		{"\u182A\u1820\u1820\u1837", 2, "\u182A\u1820**"},
		{"\u180B" + naran, 0, "\u1828\u1820*"},
		{"巴图", 1, ""},
	} {
		got := Mask(c.name, c.stars)
		if got != c.want {
			t.Errorf("Mask(%q, %d) = %q, want %q", c.name, c.stars, got, c.want)
		}
		if got != "" && !Masked(got) {
			t.Errorf("Masked(%q) = false", got)
		}
	}
	for _, s := range []string{batu, batu + "*", "\u182A*\u1820", "*", ""} {
		if Masked(s) {
			t.Errorf("Masked(%q) = true", s)
		}
	}
}
