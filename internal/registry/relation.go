package registry

import (
	"strings"
	"unicode"
)

// relationCodes holds the family relations of GB/T 4761-2008 (家庭关系代码)
// by name, with their codes; a stored relation is one of these names.
// 兄弟 and 姐妹 were the register's own words before it followed the
// standard and stay valid as the group 70 (兄弟姐妹) they belong to.
var relationCodes = map[string]string{
	"本人": "01", Head: "02",
	"配偶": "10", "夫": "11", "妻": "12",
	"子": "20", "独生子": "21", "长子": "22", "次子": "23", "三子": "24", "四子": "25", "五子": "26", "养子或继子": "27", "女婿": "28", "其他儿子": "29",
	"女": "30", "独生女": "31", "长女": "32", "次女": "33", "三女": "34", "四女": "35", "五女": "36", "养女或继女": "37", "儿媳": "38", "其他女儿": "39",
	"孙子、孙女或外孙子、外孙女": "40", "孙子": "41", "孙女": "42", "外孙子": "43", "外孙女": "44", "孙媳妇或外孙媳妇": "45", "孙女婿或外孙女婿": "46", "曾孙子或外曾孙子": "47", "曾孙女或外曾孙女": "48",
	"父母": "50", "父亲": "51", "母亲": "52", "公公": "53", "婆婆": "54", "岳父": "55", "岳母": "56", "继父或养父": "57", "继母或养母": "58", "其他父母关系": "59",
	"祖父母或外祖父母": "60", "祖父": "61", "祖母": "62", "外祖父": "63", "外祖母": "64", "曾祖父": "66", "曾祖母": "67",
	"兄弟姐妹": "70", "兄": "71", "嫂": "72", "弟": "73", "弟媳": "74", "姐姐": "75", "姐夫": "76", "妹妹": "77", "妹夫": "78", "其他兄弟姐妹": "79",
	"兄弟": "70", "姐妹": "70",
	"其他": "80", "伯父": "81", "伯母": "82", "叔父": "83", "婶母": "84", "舅父": "85", "舅母": "86", "姨父": "87", "姨母": "88", "姑父": "89", "姑母": "90",
	"堂兄弟、堂姐妹": "91", "表兄弟、表姐妹": "92", "侄子": "93", "侄女": "94", "外甥": "95", "外甥女": "96", "其他亲属": "97", "非亲属": "99",
}

// relationWords maps the words clerks write in 台账 onto the standard's
// names. 本人 in a household book is the head's own row.
var relationWords = map[string]string{
	"本人": Head, "户主本人": Head,
	"丈夫": "夫", "老公": "夫", "妻子": "妻", "老婆": "妻", "爱人": "配偶", "老伴": "配偶",
	"儿子": "子", "儿": "子", "大儿子": "长子", "二儿子": "次子", "三儿子": "三子", "养子": "养子或继子", "继子": "养子或继子",
	"女儿": "女", "大女儿": "长女", "二女儿": "次女", "三女儿": "三女", "养女": "养女或继女", "继女": "养女或继女",
	"儿媳妇": "儿媳", "媳妇": "儿媳",
	"孙儿": "孙子", "外孙": "外孙子", "孙媳": "孙媳妇或外孙媳妇", "孙女婿": "孙女婿或外孙女婿", "曾孙": "曾孙子或外曾孙子", "曾孙女": "曾孙女或外曾孙女",
	"父": "父亲", "爸爸": "父亲", "母": "母亲", "妈妈": "母亲", "继父": "继父或养父", "养父": "继父或养父", "继母": "继母或养母", "养母": "继母或养母",
	"爷爷": "祖父", "奶奶": "祖母", "姥爷": "外祖父", "外公": "外祖父", "姥姥": "外祖母", "外婆": "外祖母",
	"哥哥": "兄", "哥": "兄", "嫂子": "嫂", "弟弟": "弟", "弟妹": "弟媳", "姐": "姐姐", "妹": "妹妹",
	"叔叔": "叔父", "伯伯": "伯父", "舅舅": "舅父", "姑姑": "姑母", "姨": "姨母", "侄儿": "侄子", "外甥子": "外甥",
	"亲属": "其他亲属", "保姆": "非亲属", "借住": "非亲属",
}

// NormalizeRelation maps a relation as written in a household book onto
// the name GB/T 4761 gives it: 妻子 → 妻, 儿子 → 子, 户主之长女 → 长女,
// "０２" → 户主. A word it does not know comes back as written (without
// its spaces), for validation to reject.
func NormalizeRelation(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, Fold(s))
	for _, p := range []string{"户主之", "户主的", "之"} {
		if t, ok := strings.CutPrefix(s, p); ok && t != "" {
			s = t
			break
		}
	}
	if name, ok := relationWords[s]; ok {
		return name
	}
	if len(s) == 2 && s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9' {
		for name, code := range relationCodes {
			// 兄弟 and 姐妹 share 70 with 兄弟姐妹, the code's own name.
			if code == s && name != "兄弟" && name != "姐妹" {
				return name
			}
		}
	}
	return s
}

// RelationCode is the GB/T 4761 code of a stored relation, "" for none.
func RelationCode(name string) string { return relationCodes[name] }

// ValidRelation reports whether name is a relation of GB/T 4761.
func ValidRelation(name string) bool { return relationCodes[name] != "" }

// Fold turns the full-width forms a Chinese input method types into their
// ASCII twins (１２ → 12, Ａ → A, the ideographic space U+3000 → a space)
// and trims the result, so a cell is checked for what it says, not for
// how it was typed.
func Fold(s string) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		switch {
		case r == '\u3000':
			return ' '
		case r >= '！' && r <= '～':
			return r - '！' + '!'
		}
		return r
	}, s))
}
