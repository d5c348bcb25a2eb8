// Package pinyin turns Chinese person names into the sort keys and search
// strings that household registers (户籍台账) need: officials expect names in
// pinyin order with surnames read as surnames (单 Shàn, 曾 Zēng, 尉迟 Yùchí),
// and they search by initials (zsf) or by full pinyin (zhangsanfeng).
//
// The database does the sorting and the searching: SortKey, Initials and Full
// are computed once when a name is stored and kept in their own columns.
//
// # Sort key encoding
//
// A name is cut into units, and the key is the concatenation of the units'
// encodings, followed by a tail only when the name contains ignored characters.
// Byte-wise comparison of two keys (memcmp, as SQLite's BINARY collation and
// PostgreSQL's COLLATE "C" do) then compares the names unit by unit, provided
// every unit encoding is prefix-free (no encoding of one unit is a proper prefix
// of another's, so two keys that agree so far are always at a unit boundary
// together) and two unit encodings first differ at a byte whose order is the
// order wanted for the units. A name that is a proper prefix of another (张三,
// 张三丰) gets a key that is a proper prefix of the other's and sorts first; the
// empty name gets the empty key and sorts before everything.
//
// The units and their encodings (⟨c⟩ is the character's own UTF-8):
//
//	Han character with a reading   letters  tone  ⟨c⟩         zhang 1 张
//	run of Latin letters           letters  '0'   ⟨run⟩       anna 0 Anna
//	run of digits                  digits   '!'   ⟨run⟩       9527 ! 9527
//	Han character without reading  '{'  ⟨c⟩
//	anything else (Mongolian ...)  '~'  ⟨c⟩
//	byte that is not UTF-8         0x7F  two hex digits
//
// Letters are the tone-less pinyin (or the Latin letters folded to lowercase
// ASCII), so the first byte of a unit orders Han and Latin together by letter,
// digits ('0'-'9') before letters, and everything that is neither after them:
// '{' and '~' are above 'z', so unreadable Han characters come after all
// readable names and traditional Mongolian script (U+1800–U+18AF) and other
// scripts come after those, ordered by code point among themselves.
//
// The byte right after the letters both ends them and carries the tone. It is a
// digit, lower than every letter, which is what makes a character boundary sort
// before a longer syllable: 詹 "zhan1詹…" against 张 "zhang1张…" differ at the
// fifth byte, '1' < 'g', so zhan comes before zhang whatever follows either, and
// 张三 "zhang1张san1三" against 张思 "zhang1张si1思" differ at 'a' < 'i'. Tones
// 1–4 are '1'–'4' and the neutral tone is '5'. A syllable with ü is written with
// the letter u and its tone shifted by five ('6'–':'), so 吕 lǚ sorts after every
// lu and before luan, as in the Xinhua dictionary and GB2312 (卢 < 吕 < 栾 < 罗),
// rather than after luo as the typed spelling "lv" would put it. A Latin run
// takes '0', below every tone, so "Li Ming" sits right before 黎明 and 李明. A
// digit run cannot end its digits with a digit, so it ends them with '!', which
// is lower than every digit: "1" sorts before "12".
//
// The tie-breakers are inside each unit, not at the end of the key: after the
// tone comes the character itself, so two names compare character by character
// by (pinyin, tone, character), the way a spreadsheet's pinyin sort does. All
// 张 names stay together before all 章 names (both zhāng), instead of being
// interleaved by their given names. A Latin or digit run repeats its original
// text after the tone byte, which orders case ("ANNA" < "Anna" < "anna"),
// accents and fullwidth forms. Every rune of a run folds to at least one letter,
// so if one original were a proper prefix of another its letters would be too:
// when the letters agree, the originals are equal or differ within both.
//
// Every unit is prefix-free: letters end at the first non-letter, the tone byte
// is one byte, a UTF-8 character is prefix-free, the run texts were just argued,
// and the lead bytes '{', '~' and 0x7F are unlike any letter or digit.
//
// Separators (spaces, the middle dots · and ・, hyphens, apostrophes, zero-width
// characters) are ignored for sorting: 阿依古丽·买买提 sorts as 阿依古丽买买提.
// They still end a Latin run ("Li Ming" is the two units li and ming). So that
// different names never share a key, a name with any ignored character gets a
// tail: '!', then for each ignored character the number of units before it
// (one byte giving its count of decimal digits, then the digits) and the
// character, so 阿依古丽·买买提 ends in "!14·". '!' is lower than every byte a
// unit starts with, so the tail only breaks ties between names whose units are
// all equal, and it sorts 张三· before 张三丰. Each unit spells out the
// characters it stands for and the tail says which ignored characters sit
// between which units, so the key determines the name: SortKey is injective.
//
// Keys are valid UTF-8 without NUL bytes, as PostgreSQL text requires, and
// about 9 bytes per Han character.
package pinyin

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	gopinyin "github.com/mozillazg/go-pinyin"
	"golang.org/x/text/unicode/norm"
)

// Bytes of the sort key encoding; see the package documentation.
const (
	latinTone   = '0'  // tone byte of a Latin run, below every real tone
	digitsEnd   = '!'  // ends the digits of a digit run
	tailMark    = '!'  // starts the tail that holds a name with ignored characters
	leadHan     = '{'  // Han character without a reading
	leadOther   = '~'  // any other character, traditional Mongolian script included
	leadInvalid = 0x7F // a byte that is not part of valid UTF-8
)

// SortKey returns a string whose byte-wise order is the order officials expect
// names in, so that a database can sort names with ORDER BY on a stored column
// under binary collation (SQLite's default, PostgreSQL's COLLATE "C").
//
// Names compare character by character by pinyin letters, then tone, then the
// character itself; surnames take their surname readings; Latin letters sort
// among the pinyin case-insensitively, digits before letters, traditional
// Mongolian script after all Han and Latin names by code point; separators such
// as · are ignored; the empty name sorts first; different names never get equal
// keys. The package documentation explains the encoding.
func SortKey(name string) string {
	var buf [96]byte
	b := buf[:0]
	ignored := false
	sc := newScanner(name)
	for {
		t := sc.next()
		switch t.kind {
		case tokEnd:
			if ignored {
				b = appendTail(b, name)
			}
			return string(b)
		case tokHan:
			n := len(b)
			var tone int
			var umlaut bool
			b, tone, umlaut = appendReading(b, t.reading, 'u')
			if len(b) == n { // cannot happen with go-pinyin's data; keep keys prefix-free anyway
				b = append(b, leadHan)
			} else {
				if umlaut {
					tone += 5
				}
				b = append(b, byte('0'+tone))
			}
			b = append(b, t.text...)
		case tokLatin:
			b = appendLatin(b, t.text)
			b = append(b, latinTone)
			b = append(b, t.text...)
		case tokDigits:
			for _, r := range t.text {
				b = append(b, digitValue(r))
			}
			b = append(b, digitsEnd)
			b = append(b, t.text...)
		case tokUnreadableHan:
			b = append(b, leadHan)
			b = append(b, t.text...)
		case tokOther:
			b = append(b, leadOther)
			b = append(b, t.text...)
		case tokInvalid:
			const hex = "0123456789abcdef"
			c := t.text[0]
			b = append(b, leadInvalid, hex[c>>4], hex[c&0xF])
		case tokIgnored:
			ignored = true
		}
	}
}

// appendTail appends the tail of a name that has ignored characters: tailMark,
// then for each ignored character the number of units before it and the
// character. The number is written as its count of decimal digits and the
// digits, so that it is prefix-free and ordered.
func appendTail(b []byte, name string) []byte {
	b = append(b, tailMark)
	units := 0
	sc := newScanner(name)
	for {
		t := sc.next()
		switch t.kind {
		case tokEnd:
			return b
		case tokIgnored:
			var d [20]byte
			digits := strconv.AppendInt(d[:0], int64(units), 10)
			b = append(b, byte('0'+len(digits)))
			b = append(b, digits...)
			b = append(b, t.text...)
		default:
			units++
		}
	}
}

// Initials returns the lowercase initial letter of each character's pinyin,
// with surname readings (张三丰 is "zsf", 单雄信 "sxx", 曾国藩 "zgf"), because
// users search a register by typing initials. Latin letters are kept, folded to
// lowercase ASCII; digits, separators and every other character are dropped.
func Initials(name string) string {
	var buf [32]byte
	var syl [16]byte
	b := buf[:0]
	sc := newScanner(name)
	for {
		t := sc.next()
		switch t.kind {
		case tokEnd:
			return string(b)
		case tokHan:
			if s, _, _ := appendReading(syl[:0], t.reading, 'v'); len(s) > 0 {
				b = append(b, s[0])
			}
		case tokLatin:
			b = appendLatin(b, t.text)
		}
	}
}

// Full returns the lowercase tone-less pinyin of the name joined without
// separators, with surname readings (单雄信 is "shanxiongxin"), because users
// search a register by typing pinyin. ü is written v (吕 is "lv") as pinyin input
// methods type it. Latin letters are kept, folded to lowercase ASCII; digits,
// separators and every other character are dropped.
func Full(name string) string {
	var buf [64]byte
	b := buf[:0]
	sc := newScanner(name)
	for {
		t := sc.next()
		switch t.kind {
		case tokEnd:
			return string(b)
		case tokHan:
			b, _, _ = appendReading(b, t.reading, 'v')
		case tokLatin:
			b = appendLatin(b, t.text)
		}
	}
}

// tokenKind says what a token of a name is.
type tokenKind uint8

const (
	tokEnd           tokenKind = iota
	tokHan                     // one Han character with a reading
	tokLatin                   // a maximal run of Latin letters
	tokDigits                  // a maximal run of digits
	tokUnreadableHan           // one Han character go-pinyin has no reading for
	tokOther                   // one character of any other kind
	tokInvalid                 // one byte that is not valid UTF-8
	tokIgnored                 // one separator, ignored for sorting
)

// token is one unit of a name.
type token struct {
	kind    tokenKind
	text    string // the token's bytes in the name
	reading string // tokHan: one syllable with tone marks, as in go-pinyin's dictionary
}

// override is a reading forced on the character at byte offset at.
type override struct {
	at      int
	reading string
}

// scanner cuts a name into tokens. It is shared by SortKey, Initials and Full so
// that all three read a name the same way.
type scanner struct {
	s   string
	pos int
	ov  [2]override // surname readings; at is -1 when unused
}

func newScanner(s string) scanner {
	sc := scanner{s: s, ov: [2]override{{at: -1}, {at: -1}}}
	p := 0
	for p < len(s) {
		r, n := utf8.DecodeRuneInString(s[p:])
		if (r == utf8.RuneError && n == 1) || !isIgnored(r) {
			break
		}
		p += n
	}
	if p == len(s) {
		return sc
	}
	r1, n1 := utf8.DecodeRuneInString(s[p:])
	if r1 < 0x3000 { // surnames are Han characters
		return sc
	}
	if p+n1 < len(s) {
		r2, _ := utf8.DecodeRuneInString(s[p+n1:])
		if rd, ok := compoundSurnames[[2]rune{r1, r2}]; ok {
			sc.ov[0] = override{p, rd[0]}
			sc.ov[1] = override{p + n1, rd[1]}
			return sc
		}
	}
	if rd, ok := surnameReadings[r1]; ok {
		sc.ov[0] = override{p, rd}
	}
	return sc
}

func (sc *scanner) next() token {
	s := sc.s
	start := sc.pos
	if start >= len(s) {
		return token{kind: tokEnd}
	}
	r, n := utf8.DecodeRuneInString(s[start:])
	sc.pos += n
	if r == utf8.RuneError && n == 1 {
		return token{kind: tokInvalid, text: s[start:sc.pos]}
	}
	// Han characters come first: they are most of the runes of most names.
	if r >= 0x3000 {
		if rd := sc.reading(start, r); rd != "" {
			return token{kind: tokHan, text: s[start:sc.pos], reading: rd}
		}
	}
	switch {
	case isLatinLetter(r):
		sc.pos = runEnd(s, sc.pos, isLatinLetter)
		return token{kind: tokLatin, text: s[start:sc.pos]}
	case isDigit(r):
		sc.pos = runEnd(s, sc.pos, isDigit)
		return token{kind: tokDigits, text: s[start:sc.pos]}
	case isIgnored(r):
		return token{kind: tokIgnored, text: s[start:sc.pos]}
	case unicode.Is(unicode.Han, r):
		return token{kind: tokUnreadableHan, text: s[start:sc.pos]}
	}
	return token{kind: tokOther, text: s[start:sc.pos]}
}

// reading returns the reading of the Han character r at byte offset at: the
// surname reading if one applies there, else go-pinyin's first reading, or ""
// when r has none.
func (sc *scanner) reading(at int, r rune) string {
	if at == sc.ov[0].at {
		return sc.ov[0].reading
	}
	if at == sc.ov[1].at {
		return sc.ov[1].reading
	}
	rd := gopinyin.PinyinDict[int(r)]
	if i := strings.IndexByte(rd, ','); i >= 0 {
		rd = rd[:i]
	}
	return rd
}

// runEnd returns the offset just past the run of runes satisfying in that
// starts at offset p of s.
func runEnd(s string, p int, in func(rune) bool) int {
	for p < len(s) {
		r, n := utf8.DecodeRuneInString(s[p:])
		if (r == utf8.RuneError && n == 1) || !in(r) {
			break
		}
		p += n
	}
	return p
}

// appendReading appends the tone-less letters of one syllable written with
// tone marks, such as "lǘ" or "zhāng" or "ń", writing ü as umlaut ('u' or 'v').
// It returns the tone, 1–4 or 5 for the neutral tone, and whether the syllable
// has ü.
func appendReading(dst []byte, reading string, umlaut byte) ([]byte, int, bool) {
	tone, hasU := 5, false
	for _, r := range reading {
		var c byte
		t := 0
		switch r {
		case 'ā':
			c, t = 'a', 1
		case 'á':
			c, t = 'a', 2
		case 'ǎ':
			c, t = 'a', 3
		case 'à':
			c, t = 'a', 4
		case 'ē':
			c, t = 'e', 1
		case 'é', 'ế':
			c, t = 'e', 2
		case 'ě':
			c, t = 'e', 3
		case 'è', 'ề':
			c, t = 'e', 4
		case 'ê':
			c = 'e'
		case 'ī':
			c, t = 'i', 1
		case 'í':
			c, t = 'i', 2
		case 'ǐ':
			c, t = 'i', 3
		case 'ì':
			c, t = 'i', 4
		case 'ō':
			c, t = 'o', 1
		case 'ó':
			c, t = 'o', 2
		case 'ǒ':
			c, t = 'o', 3
		case 'ò':
			c, t = 'o', 4
		case 'ū':
			c, t = 'u', 1
		case 'ú':
			c, t = 'u', 2
		case 'ǔ':
			c, t = 'u', 3
		case 'ù':
			c, t = 'u', 4
		case 'ü', 'v':
			c = umlaut
			hasU = true
		case 'ǖ':
			c, t, hasU = umlaut, 1, true
		case 'ǘ':
			c, t, hasU = umlaut, 2, true
		case 'ǚ':
			c, t, hasU = umlaut, 3, true
		case 'ǜ':
			c, t, hasU = umlaut, 4, true
		case 'ń':
			c, t = 'n', 2
		case 'ň':
			c, t = 'n', 3
		case 'ǹ':
			c, t = 'n', 4
		case 'ḿ':
			c, t = 'm', 2
		case '\u0304': // combining macron, as in m̄ or ê̄
			t = 1
		case '\u0301':
			t = 2
		case '\u030C':
			t = 3
		case '\u0300':
			t = 4
		default:
			if 'a' <= r && r <= 'z' {
				c = byte(r)
			}
		}
		if c != 0 {
			dst = append(dst, c)
		}
		if t != 0 {
			tone = t
		}
	}
	return dst, tone, hasU
}

// isIgnored reports whether r is a separator that sorting ignores.
func isIgnored(r rune) bool {
	switch r {
	case '·', // U+00B7 middle dot, as in 阿依古丽·买买提
		'・', '･', // katakana middle dots, often typed for ·
		'•', '‧', '∙', '⋅', '\u0387', '\u2E31', // other dots that stand in for it
		'.', '．', '-', '－', '‐', '‑', '‒', '–', '—', '―', '_', '＿',
		'\'', '＇', '‘', '’', '`',
		'\u00AD', '\u200B', '\u200C', '\u200D', '\u2060', '\uFEFF': // soft hyphen, zero-width characters
		return true
	}
	return unicode.IsSpace(r)
}

// isDigit reports whether r is an ASCII or fullwidth digit.
func isDigit(r rune) bool {
	return '0' <= r && r <= '9' || '０' <= r && r <= '９'
}

// digitValue returns the ASCII digit for an ASCII or fullwidth digit.
func digitValue(r rune) byte {
	if r >= '０' {
		return byte(r - '０' + '0')
	}
	return byte(r)
}

// latinSpecial folds Latin letters that have no decomposition to ASCII.
var latinSpecial = map[rune]string{
	'ø': "o", 'Ø': "o", 'ł': "l", 'Ł': "l", 'đ': "d", 'Đ': "d", 'ð': "d", 'Ð': "d",
	'ı': "i", 'ħ': "h", 'Ħ': "h", 'ŧ': "t", 'Ŧ': "t", 'ŋ': "ng", 'Ŋ': "ng",
	'æ': "ae", 'Æ': "ae", 'œ': "oe", 'Œ': "oe", 'ß': "ss", 'ẞ': "ss", 'þ': "th", 'Þ': "th",
}

// isLatinLetter reports whether r is a Latin letter that folds to ASCII letters.
func isLatinLetter(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z'
	}
	var tmp [8]byte
	return len(foldLatin(tmp[:0], r)) > 0
}

// appendLatin appends the folded letters of a run of Latin letters.
func appendLatin(dst []byte, run string) []byte {
	for _, r := range run {
		dst = foldLatin(dst, r)
	}
	return dst
}

// foldLatin appends the lowercase ASCII letters that the Latin letter r stands
// for: itself lowercased, its base letter without accents (é, ü, ǎ), the
// letters of its compatibility form (fullwidth Ａ, ligature ﬁ) or a spelling
// from latinSpecial. It appends nothing when r is not such a letter.
func foldLatin(dst []byte, r rune) []byte {
	if r < utf8.RuneSelf {
		switch {
		case 'a' <= r && r <= 'z':
			return append(dst, byte(r))
		case 'A' <= r && r <= 'Z':
			return append(dst, byte(r)+'a'-'A')
		}
		return dst
	}
	if s, ok := latinSpecial[r]; ok {
		return append(dst, s...)
	}
	if !unicode.Is(unicode.Latin, r) {
		return dst
	}
	var in [utf8.UTFMax]byte
	var out [32]byte
	d := norm.NFKD.Append(out[:0], in[:utf8.EncodeRune(in[:], r)]...)
	for _, c := range d {
		switch {
		case 'a' <= c && c <= 'z':
			dst = append(dst, c)
		case 'A' <= c && c <= 'Z':
			dst = append(dst, c+'a'-'A')
		}
	}
	return dst
}
