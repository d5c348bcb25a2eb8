package pinyin

import (
	"strings"
	"unicode/utf8"
)

// CompareNumbered orders the names of numbered things the way a village
// numbers them: 第二网格 before 第十网格, 3号网格 before 12号网格, 一组
// before 二组 before 十一组. A name is cut into runs of numerals (ASCII or
// full-width digits, or Chinese numerals: 〇零一二三四五六七八九十百千两)
// and runs of the rest; numeral runs compare by their value, the rest as
// SortKey orders it, and names equal so far by their text. Byte-wise,
// 一 < 三 < 二 and 10 < 2, which is how grids and branches listed by a
// plain ORDER BY name came out. It returns -1, 0 or 1, as slices.SortFunc
// wants.
func CompareNumbered(a, b string) int {
	switch {
	case a == b:
		return 0
	case numberedLess(a, b):
		return -1
	}
	return 1
}

// numberedLess is CompareNumbered's order.
func numberedLess(a, b string) bool {
	x, y := a, b
	for x != "" && y != "" {
		xn, xv, xrest := cutRun(x)
		yn, yv, yrest := cutRun(y)
		switch {
		case xn && yn:
			if xv != yv {
				return xv < yv
			}
		case xn != yn:
			// A number sorts before words, as digits sort before letters.
			return xn
		default:
			xs, ys := x[:len(x)-len(xrest)], y[:len(y)-len(yrest)]
			if xs != ys {
				return SortKey(xs) < SortKey(ys)
			}
		}
		x, y = xrest, yrest
	}
	if len(x) != len(y) {
		return x == ""
	}
	return a < b
}

// cutRun cuts the first run off s: whether it is a number, its value if
// so, and what follows it.
func cutRun(s string) (number bool, value int64, rest string) {
	r, _ := utf8.DecodeRuneInString(s)
	number = numeral(r)
	end := len(s)
	for i, r := range s {
		if numeral(r) != number {
			end = i
			break
		}
	}
	if number {
		value = numberValue(s[:end])
	}
	return number, value, s[end:]
}

// chineseDigits are the Chinese numerals that stand for one digit.
var chineseDigits = map[rune]int64{'〇': 0, '零': 0, '一': 1, '二': 2, '两': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}

// chineseUnits are the Chinese numerals that multiply the digit before.
var chineseUnits = map[rune]int64{'十': 10, '百': 100, '千': 1000}

func numeral(r rune) bool {
	_, digit := chineseDigits[r]
	_, unit := chineseUnits[r]
	return digit || unit || r >= '0' && r <= '9' || r >= '０' && r <= '９'
}

// numberValue reads a run of numerals: digits positionally (12, １２,
// 一二 as on a house number), Chinese numerals with units as they are
// spoken (十一 11, 二十 20, 一百零五 105). A value past what the run can
// mean in a name is capped rather than overflowing.
func numberValue(s string) int64 {
	const most = 1 << 50
	if !strings.ContainsAny(s, "十百千") {
		var v int64
		for _, r := range s {
			v = min(v*10+digitOf(r), most)
		}
		return v
	}
	var total, digit int64
	pending := false
	for _, r := range s {
		if u, ok := chineseUnits[r]; ok {
			if !pending {
				digit = 1 // 十 alone is ten
			}
			total += digit * u
			digit, pending = 0, false
			continue
		}
		// A positional digit inside a spoken number reads as its digit.
		digit, pending = digitOf(r), true
	}
	return min(total+digit, most)
}

// digitOf is the value of a numeral that stands for one digit: a Chinese
// one, a full-width or an ASCII digit.
func digitOf(r rune) int64 {
	if d, ok := chineseDigits[r]; ok {
		return d
	}
	if r >= '０' {
		return int64(r - '０')
	}
	return int64(r - '0')
}
