package pinyin

import (
	"fmt"
	"unicode/utf8"
)

// surnameReadings holds the reading a character takes when it is a one-character
// surname, because a register sorts 单雄信 under S and 曾国藩 under Z while the
// dictionary's first reading would put them under D and C. Only characters whose
// surname reading differs from go-pinyin's first reading need to be here; a few
// others are listed because officials are known to ask about them. Traditional
// forms are listed next to their simplified ones. Readings are written with tone
// marks, like go-pinyin's dictionary.
var surnameReadings = map[rune]string{
	'单': "shàn", '單': "shàn",
	'曾': "zēng",
	'解': "xiè",
	'仇': "qiú",
	'朴': "piáo",
	'区': "ōu", '區': "ōu",
	'查': "zhā", '査': "zhā",
	'盖': "gě", '蓋': "gě",
	'缪': "miào", '繆': "miào",
	'翟': "zhái",
	'乐': "yuè", '樂': "yuè",
	'尉': "wèi", // alone Wèi (尉缭, 尉健行); 尉迟 is Yùchí, see compoundSurnames
	'覃': "qín",
	'种': "chóng", '種': "chóng",
	'召': "shào",
	'柏': "bǎi",
	'秘': "bì", '祕': "bì",
	'繁': "pó",
	'谌': "chén", '諶': "chén",
	'员': "yùn", '員': "yùn",
	'黑': "hè",
	'华': "huà", '華': "huà",
	'纪': "jǐ", '紀': "jǐ",
	'薄': "bó",
	'祭': "zhài",
	'过': "guō", '過': "guō",
	'阚': "kàn", '闞': "kàn",
	'隗': "wěi",
	'能': "nài",
	'沈': "shěn",
	'重': "chóng",
	'句': "gōu",
	'任': "rén",
	'宁': "nìng", '寧': "nìng",
	'那': "nā",
	'燕': "yān",
	'卜': "bǔ",
	'贲': "bēn", '賁': "bēn",
	'折': "shé",
	'洗': "xiǎn",
	'粘': "nián",
	'哈': "hǎ",
	'都': "dū",
	'相': "xiàng",
	'蔚': "yù",
	'长': "cháng", '長': "cháng", // 长孙 is Zhǎngsūn, see compoundSurnames
	'乜': "niè",
	'颉': "xié", '頡': "xié",
	'藏': "zàng",
	'佴': "nài",
	'适': "kuò",
	'蕃': "pí",
	'炅': "guì",
	'角': "jué",
}

// compoundSource lists two-character surnames, and a few two-character name
// beginnings that are not surnames at all, with the readings of both characters,
// because a compound surname is read as a unit (尉迟 yùchí, 长孙 zhǎngsūn, 万俟 mòqí)
// and must not take the one-character reading of its first character. 查干
// ("white" in Mongolian, as in 查干巴拉) is a transliteration whose 查 is chá, not
// the surname Zhā. 单于 is left out on purpose: it is a historical title that is
// nearly never a surname today, while 单 followed by a given name starting with
// 于 is an ordinary name.
var compoundSource = map[string]string{
	"欧阳": "ōu yáng", "歐陽": "ōu yáng",
	"司马": "sī mǎ", "司馬": "sī mǎ",
	"诸葛": "zhū gě", "諸葛": "zhū gě",
	"上官": "shàng guān",
	"慕容": "mù róng",
	"令狐": "líng hú",
	"皇甫": "huáng fǔ",
	"东方": "dōng fāng", "東方": "dōng fāng",
	"尉迟": "yù chí", "尉遲": "yù chí",
	"长孙": "zhǎng sūn", "長孫": "zhǎng sūn",
	"宇文": "yǔ wén",
	"司徒": "sī tú",
	"夏侯": "xià hóu",
	"端木": "duān mù",
	"公孙": "gōng sūn", "公孫": "gōng sūn",
	"万俟": "mò qí", "萬俟": "mò qí",
	"申屠": "shēn tú",
	"澹台": "tán tái", "澹臺": "tán tái",
	"公冶": "gōng yě",
	"宗政": "zōng zhèng",
	"濮阳": "pú yáng", "濮陽": "pú yáng",
	"淳于": "chún yú",
	"太叔": "tài shū",
	"轩辕": "xuān yuán", "軒轅": "xuān yuán",
	"闻人": "wén rén", "聞人": "wén rén",
	"呼延": "hū yán",
	"赫连": "hè lián", "赫連": "hè lián",
	"钟离": "zhōng lí", "鍾離": "zhōng lí",
	"宰父": "zǎi fǔ",
	"谷梁": "gǔ liáng", "穀梁": "gǔ liáng",
	"拓跋": "tuò bá",
	"百里": "bǎi lǐ",
	"东郭": "dōng guō", "東郭": "dōng guō",
	"南宫": "nán gōng", "南宮": "nán gōng",
	"西门": "xī mén", "西門": "xī mén",
	"东门": "dōng mén", "東門": "dōng mén",
	"第五": "dì wǔ",
	"公羊": "gōng yáng",
	"梁丘": "liáng qiū",
	"左丘": "zuǒ qiū",
	"羊舌": "yáng shé",
	"微生": "wēi shēng",
	"公西": "gōng xī",
	"公良": "gōng liáng",
	"段干": "duàn gān",
	"乐正": "yuè zhèng", "樂正": "yuè zhèng",
	"亓官": "qí guān",
	"司空": "sī kōng",
	"司寇": "sī kòu",
	"仲孙": "zhòng sūn", "仲孫": "zhòng sūn",
	"漆雕": "qī diāo",
	"巫马": "wū mǎ", "巫馬": "wū mǎ",
	"壤驷": "rǎng sì", "壤駟": "rǎng sì",
	"颛孙": "zhuān sūn", "顓孫": "zhuān sūn",
	"鲜于": "xiān yú", "鮮于": "xiān yú",
	"闾丘": "lǘ qiū", "閭丘": "lǘ qiū",
	"子车": "zǐ jū", "子車": "zǐ jū",
	"独孤": "dú gū", "獨孤": "dú gū",
	"哥舒": "gē shū",

	// Not surnames: Mongolian transliterations whose first character would
	// otherwise take a surname reading.
	"查干": "chá gān",
}

// compoundSurnames is compoundSource keyed by its two characters, because the
// scanner looks names up by their first two runes without building a string.
var compoundSurnames = buildCompounds(compoundSource)

func buildCompounds(src map[string]string) map[[2]rune][2]string {
	m := make(map[[2]rune][2]string, len(src))
	for chars, readings := range src {
		r1, n1 := utf8.DecodeRuneInString(chars)
		r2, n2 := utf8.DecodeRuneInString(chars[n1:])
		var rd [2]string
		k := 0
		start := 0
		for i := 0; i <= len(readings); i++ {
			if i == len(readings) || readings[i] == ' ' {
				if k < 2 {
					rd[k] = readings[start:i]
				}
				k++
				start = i + 1
			}
		}
		if n1+n2 != len(chars) || k != 2 || rd[0] == "" || rd[1] == "" {
			panic(fmt.Sprintf("pinyin: malformed compound surname %q: %q", chars, readings))
		}
		m[[2]rune{r1, r2}] = rd
	}
	return m
}
