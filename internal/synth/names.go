package synth

import (
	"unicode/utf8"

	"shanzhi/internal/registry"
)

// surnameWeights are common Han surnames with rough shares per ten thousand
// people, so names come out in about the proportions a register shows.
var surnameWeights = []struct {
	name   string
	weight int
}{
	{"王", 710}, {"李", 700}, {"张", 670}, {"刘", 540}, {"陈", 460}, {"杨", 310}, {"赵", 230}, {"黄", 220},
	{"周", 210}, {"吴", 200}, {"徐", 170}, {"孙", 150}, {"马", 140}, {"朱", 130}, {"胡", 130}, {"郭", 120},
	{"何", 110}, {"林", 110}, {"高", 110}, {"罗", 100}, {"郑", 100}, {"梁", 90}, {"谢", 80}, {"宋", 80},
	{"唐", 80}, {"韩", 80}, {"冯", 70}, {"于", 70}, {"董", 70}, {"萧", 10}, {"程", 60}, {"曹", 60},
	{"袁", 60}, {"邓", 60}, {"许", 60}, {"傅", 40}, {"沈", 50}, {"曾", 50}, {"彭", 50}, {"吕", 50},
	{"苏", 50}, {"卢", 50}, {"蒋", 50}, {"蔡", 40}, {"贾", 50}, {"丁", 40}, {"魏", 50}, {"薛", 30},
	{"叶", 40}, {"阎", 30}, {"余", 40}, {"潘", 40}, {"杜", 40}, {"戴", 30}, {"夏", 30}, {"钟", 30},
	{"汪", 30}, {"田", 40}, {"任", 40}, {"姜", 40}, {"范", 30}, {"方", 30}, {"石", 40}, {"姚", 30},
	{"谭", 30}, {"廖", 30}, {"邹", 30}, {"熊", 30}, {"金", 30}, {"陆", 30}, {"郝", 30}, {"孔", 20},
	{"白", 30}, {"崔", 30}, {"康", 20}, {"毛", 20}, {"邱", 20}, {"秦", 20}, {"江", 20}, {"史", 20},
	{"顾", 20}, {"侯", 20}, {"邵", 20}, {"孟", 20}, {"龙", 20}, {"万", 20}, {"段", 20}, {"章", 10},
	{"钱", 20}, {"汤", 20}, {"尹", 20}, {"黎", 10}, {"易", 10}, {"常", 20}, {"武", 20}, {"乔", 20},
	{"贺", 20}, {"赖", 10}, {"龚", 10}, {"文", 10}, {"单", 5}, {"仇", 5}, {"朴", 5}, {"解", 5},
}

// surnameDraw holds each surname's index once per unit of weight, so a
// weighted draw is one uniform index.
var surnameDraw = func() []uint8 {
	var out []uint8
	for i, s := range surnameWeights {
		for range s.weight {
			out = append(out, uint8(i))
		}
	}
	return out
}()

// Given-name characters common in rural northern China; a given name is one
// or two of them.
var (
	hanMale   = []string{"伟", "强", "军", "勇", "杰", "涛", "明", "磊", "刚", "平", "辉", "鹏", "华", "飞", "斌", "波", "宇", "浩", "凯", "俊", "峰", "建", "国", "志", "文", "东", "海", "林", "忠", "成", "兵", "永", "亮", "超", "龙", "宏", "新", "春", "生", "福", "德", "利", "庆", "喜", "山", "金", "广", "振", "树", "胜", "学", "立", "瑞", "鑫", "旭", "晨", "博", "阳"}
	hanFemale = []string{"芳", "娜", "敏", "静", "丽", "艳", "霞", "秀", "娟", "英", "华", "玲", "红", "燕", "梅", "琳", "兰", "萍", "雪", "婷", "慧", "颖", "琴", "云", "凤", "莉", "洁", "欣", "月", "桂", "珍", "玉", "荣", "淑", "佳", "怡", "晶", "丹", "宁", "春", "翠", "香"}
)

// Mongolian names as written in Chinese characters. Names are single words
// or compounds of an ornament (乌云 "wisdom", 哈斯 "jade" …) and a name word;
// Mongolians carry no family name, though many in 兴安盟 put 包, 宝, 白 or
// 韩 in front, and some have Han-style given names after such a prefix.
var (
	mongolMale = []string{"巴特尔", "额尔敦", "朝鲁", "宝音", "那仁", "阿拉坦", "孟和", "巴雅尔", "额日和", "布和",
		"达来", "吉日嘎拉", "满都拉", "呼和", "特木尔", "巴图", "毕力格", "苏和", "巴根", "乌力吉", "德力格尔", "图门",
		"朝克图", "那顺", "白音", "扎那", "胡日查", "宝力道", "阿木古楞", "额尔德木图", "特古斯", "哈斯巴根",
		"斯琴毕力格", "乌云毕力格", "巴图孟和"}
	mongolFemale = []string{"其木格", "乌云", "苏日娜", "斯琴", "图雅", "萨仁", "乌兰", "格日勒", "敖登", "其其格",
		"哈斯", "娜仁花", "托娅", "高娃", "塔娜", "萨日娜", "阿荣", "吉雅", "萨如拉", "乌日娜", "娜布其", "斯琴高娃",
		"乌云其木格", "敖登格日勒", "阿拉坦其其格", "格根塔娜", "索伦高娃"}
	mongolMalePre   = []string{"哈斯", "斯琴", "乌云", "额尔敦", "阿拉坦", "孟和", "巴图", "苏和", "特古斯"}
	mongolMaleSuf   = []string{"毕力格", "巴特尔", "巴雅尔", "朝鲁", "宝音", "达来", "巴根", "孟和", "乌力吉"}
	mongolFemalePre = []string{"乌云", "哈斯", "斯琴", "阿拉坦", "萨仁", "敖登", "娜仁", "格根"}
	mongolFemaleSuf = []string{"其其格", "其木格", "高娃", "塔娜", "花", "图雅", "格日勒"}
	mongolPrefix    = []string{"包", "包", "包", "包", "白", "白", "白", "宝", "宝", "韩"}
)

// scriptName is a Mongolian name with a traditional-script spelling
// (letters U+1820–U+1842), for the registers that record both forms.
type scriptName struct {
	han, script string
	gender      registry.Gender
}

// scriptNames are the names that may carry a NameMongol; the romanisation
// of each spelling follows the line.
var scriptNames = []scriptName{
	{"巴特尔", "ᠪᠠᠭᠠᠲᠤᠷ", registry.Male},     // baγatur
	{"巴图", "ᠪᠠᠲᠤ", registry.Male},         // batu
	{"额尔敦", "ᠡᠷᠳᠡᠨᠢ", registry.Male},      // erdeni
	{"朝鲁", "ᠴᠢᠯᠠᠭᠤ", registry.Male},       // čilaγu
	{"宝音", "ᠪᠤᠶᠠᠨ", registry.Male},        // buyan
	{"那仁", "ᠨᠠᠷᠠᠨ", registry.Male},        // naran
	{"阿拉坦", "ᠠᠯᠲᠠᠨ", registry.Male},       // altan
	{"孟和", "ᠮᠥᠩᠬᠡ", registry.Male},        // möngke
	{"巴雅尔", "ᠪᠠᠶᠠᠷ", registry.Male},       // bayar
	{"布和", "ᠪᠥᠬᠡ", registry.Male},         // böke
	{"特木尔", "ᠲᠡᠮᠦᠷ", registry.Male},       // temür
	{"毕力格", "ᠪᠢᠯᠢᠭ", registry.Male},       // bilig
	{"呼和", "ᠬᠥᠬᠡ", registry.Male},         // köke
	{"达来", "ᠳᠠᠯᠠᠢ", registry.Male},        // dalai
	{"乌云毕力格", "ᠤᠶᠤᠨᠪᠢᠯᠢᠭ", registry.Male}, // uyunbilig
	{"其木格", "ᠴᠢᠮᠡᠭ", registry.Female},     // čimeg
	{"乌云", "ᠤᠶᠤᠨ", registry.Female},       // uyun
	{"斯琴", "ᠰᠡᠴᠡᠨ", registry.Female},      // sečen
	{"图雅", "ᠲᠤᠶᠠ", registry.Female},       // tuy-a
	{"萨仁", "ᠰᠠᠷᠠᠨ", registry.Female},      // saran
	{"乌兰", "ᠤᠯᠠᠭᠠᠨ", registry.Female},     // ulaγan
	{"格日勒", "ᠭᠡᠷᠡᠯ", registry.Female},     // gerel
	{"其其格", "ᠴᠡᠴᠡᠭ", registry.Female},     // čečeg
	{"敖登", "ᠣᠳᠣᠨ", registry.Female},       // odon
	{"苏日娜", "ᠰᠦᠷᠡᠨᠠ", registry.Female},    // sürena
	{"哈斯", "ᠬᠠᠰ", registry.Female},        // qas
}

// scriptMale and scriptFemale index scriptNames by gender.
var scriptMale, scriptFemale = func() (m, f []int) {
	for i, s := range scriptNames {
		if s.gender == registry.Male {
			m = append(m, i)
		} else {
			f = append(f, i)
		}
	}
	return m, f
}()

// The shares of name forms.
const (
	scriptShare       = 0.30 // Mongolian people whose name is recorded in both scripts
	prefixShare       = 0.22 // other Mongolian names with 包, 宝, 白 or 韩 in front
	hanStyleMongol    = 0.10 // other Mongolian names that are a prefix and a Han given name
	compoundShare     = 0.30 // Mongolian names built from an ornament and a name word
	oneCharGiven      = 0.28 // Han given names of one character
	huiSurnameMaShare = 0.40 // Hui families named 马, the most common Hui name
)

// surname draws a Han family name; Hui families are often 马.
func (g *Generator) surname(eth string) string {
	if eth == "回族" && g.chance(huiSurnameMaShare) {
		return "马"
	}
	return surnameWeights[surnameDraw[g.intn(len(surnameDraw))]].name
}

// appendHanGiven appends a one- or two-character given name.
func (g *Generator) appendHanGiven(buf []byte, gender registry.Gender) []byte {
	chars := hanMale
	if gender == registry.Female {
		chars = hanFemale
	}
	buf = append(buf, chars[g.intn(len(chars))]...)
	if !g.chance(oneCharGiven) {
		buf = append(buf, chars[g.intn(len(chars))]...)
	}
	return buf
}

// appendName appends p's name and returns it with the traditional-script
// form, "" unless the name comes from scriptNames.
func (g *Generator) appendName(buf []byte, p *person) ([]byte, string) {
	if p.surname != "" {
		buf = append(buf, p.surname...)
		return g.appendHanGiven(buf, p.gender), ""
	}
	if g.chance(scriptShare) {
		idx := scriptMale
		if p.gender == registry.Female {
			idx = scriptFemale
		}
		s := scriptNames[idx[g.intn(len(idx))]]
		return append(buf, s.han...), s.script
	}
	if g.chance(hanStyleMongol) {
		buf = append(buf, mongolPrefix[g.intn(len(mongolPrefix))]...)
		return g.appendHanGiven(buf, p.gender), ""
	}
	start := len(buf)
	names, pre, suf := mongolMale, mongolMalePre, mongolMaleSuf
	if p.gender == registry.Female {
		names, pre, suf = mongolFemale, mongolFemalePre, mongolFemaleSuf
	}
	prefixed := g.chance(prefixShare)
	if prefixed {
		buf = append(buf, mongolPrefix[g.intn(len(mongolPrefix))]...)
	}
	compound := false
	if g.chance(compoundShare) {
		if a, b := pre[g.intn(len(pre))], suf[g.intn(len(suf))]; a != b { // not 孟和孟和
			buf = append(buf, a...)
			buf = append(buf, b...)
			compound = true
		}
	}
	if !compound {
		buf = append(buf, names[g.intn(len(names))]...)
	}
	if prefixed && utf8.RuneCount(buf[start:]) > 5 {
		// A prefix goes with a short name: drop it from a long one.
		buf = append(buf[:start], buf[start+len("包"):]...)
	}
	return buf, ""
}
