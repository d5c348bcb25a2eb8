package pinyin

import (
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	gopinyin "github.com/mozillazg/go-pinyin"
)

// registerOrder is a register in the order officials expect. Comments give the
// first syllable (letters, tone) that decides the position.
var registerOrder = []string{
	"",         // empty first
	"9527",     // digits before letters
	"阿依古丽·买买提", // a1, the · is ignored
	"艾力",       // ai4
	"安娜",       // an1: the character boundary sorts before the longer "anna"
	"Anna",     // anna, Latin among the pinyin
	"敖其尔",      // ao2, Mongolian name in Han transliteration
	"巴特尔",      // ba1
	"柏杨",       // bai3 (surname reading)
	"薄一波",      // bo2 (surname reading, not bao2)
	"查干巴拉",     // cha2: 查干 is Mongolian "white", not the surname Zhā
	"谌龙",       // chen2 U+8C0C
	"陈龙",       // chen2 U+9648: same syllable and tone, ordered by character
	"东方朔",      // dong1 (compound surname)
	"盖聂",       // ge3 (surname reading, not gai4)
	"Li Ming",  // li, Latin run: below every tone
	"黎明",       // li2
	"李明",       // li3
	"李明华",      // a longer name after its prefix
	"卢俊义",      // lu2
	"吕布",       // lü3: after every lu
	"栾平",       // luan2: lü before luan, as in the dictionary
	"罗成",       // luo2
	"缪可",       // miao4 (surname reading, not mou2)
	"万俟卨",      // mo4 qi2 (compound surname)
	"区志明",      // ou1 区 U+533A (surname reading, not qu1)
	"欧阳修",      // ou1 欧 U+6B27: all 区 before all 欧
	"朴志勇",      // piao2 (surname reading, not pu3)
	"其木格",      // qi2
	"仇英",       // qiu2 (surname reading, not chou2)
	"单雄信",      // shan4 (surname reading, not dan1)
	"沈括",       // shen3
	"乌云毕力格",    // wu1
	"解缙",       // xie4 (surname reading, not jie3)
	"尉迟恭",      // yu4 chi2 (compound surname)
	"乐嘉",       // yue4 (surname reading, not le4)
	"曾国藩",      // zeng1 (surname reading, not ceng2)
	"翟志刚",      // zhai2 (surname reading, not di2)
	"张三",       // zhang1 张 U+5F20
	"张三丰",      // 张三 < 张三丰 < 张思
	"张思",       // si1 after san1
	"章三",       // zhang1 章 U+7AE0: all 张 before all 章
	"长孙无忌",     // zhang3 (compound surname, not chang2)
	"诸葛亮",      // zhu1
	"ᠪᠠᠲᠤ",     // traditional Mongolian script after all Han and Latin
	"ᠴᠢᠯᠠᠭᠤ",   // ... ordered by code point: ᠪ U+182A < ᠴ U+1834
}

func TestSortKeyOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 20 {
		names := slices.Clone(registerOrder)
		rng.Shuffle(len(names), func(i, j int) { names[i], names[j] = names[j], names[i] })
		sort.SliceStable(names, func(i, j int) bool { return SortKey(names[i]) < SortKey(names[j]) })
		if !slices.Equal(names, registerOrder) {
			t.Fatalf("round %d: sorted by SortKey:\n%s\nwant:\n%s", round,
				strings.Join(names, "\n"), strings.Join(registerOrder, "\n"))
		}
	}
	for i := 1; i < len(registerOrder); i++ {
		a, b := registerOrder[i-1], registerOrder[i]
		if ka, kb := SortKey(a), SortKey(b); ka >= kb {
			t.Errorf("SortKey(%q) = %q, not below SortKey(%q) = %q", a, ka, b, kb)
		}
	}
}

func TestSortKeyPairs(t *testing.T) {
	tests := []struct {
		lo, hi string
		why    string
	}{
		{"", "·", "empty name first"},
		{"张三", "张三·", "the tail of ignored characters breaks a tie"},
		{"张三·", "张三丰", "ignored characters sort below any further character"},
		{"阿依古丽买买提", "阿依古丽·买买提", "same units, only the dot differs"},
		{"詹天佑", "张三", "zhan before zhang: the character boundary sorts before letters"},
		{"张", "张三", "prefix first"},
		{"1", "12", "digit run prefix"},
		{"12", "2", "digit runs compare as text"},
		{"99", "a", "digits before letters"},
		{"ANNA", "Anna", "case only breaks ties"},
		{"Anna", "anna", "case only breaks ties"},
		{"anna", "Annb", "case-insensitive first"},
		{"Zoe", "Zoë", "accent only breaks ties"},
		{"Zoë", "Zof", "accented letters sort as their base letter"},
		{"zhang", "ｚｈａｎｇ", "fullwidth only breaks ties"},
		{"Zhang San", "张三", "Latin spelling before the Han name"},
		{"女", "暖", "nü before nuan"},
		{"路", "吕", "lu before lü"},
		{"诸葛亮", "ᠠ", "Han before traditional Mongolian"},
		{"zzz", "ᠠ", "Latin before traditional Mongolian"},
		{"ᠠ", "ᠠᠠ", "Mongolian prefix first"},
		{"尉缭", "尉迟恭", "尉 alone is wei, 尉迟 is yuchi"},
		{"单雄信", "单于", "单 keeps its surname reading before 于"},
	}
	for _, tt := range tests {
		if lo, hi := SortKey(tt.lo), SortKey(tt.hi); lo >= hi {
			t.Errorf("%s: SortKey(%q) = %q, want below SortKey(%q) = %q", tt.why, tt.lo, lo, tt.hi, hi)
		}
	}
}

func TestInitialsAndFull(t *testing.T) {
	tests := []struct {
		name, initials, full string
	}{
		{"", "", ""},
		{"张三丰", "zsf", "zhangsanfeng"},
		{"单雄信", "sxx", "shanxiongxin"},
		{"曾国藩", "zgf", "zengguofan"},
		{"解缙", "xj", "xiejin"},
		{"仇英", "qy", "qiuying"},
		{"朴志勇", "pzy", "piaozhiyong"},
		{"区志明", "ozm", "ouzhiming"},
		{"查良镛", "zly", "zhaliangyong"},
		{"查干巴拉", "cgbl", "chaganbala"},
		{"盖聂", "gn", "genie"},
		{"翟志刚", "zzg", "zhaizhigang"},
		{"乐嘉", "yj", "yuejia"},
		{"尉缭", "wl", "weiliao"},
		{"尉迟恭", "ycg", "yuchigong"},
		{"长孙无忌", "zswj", "zhangsunwuji"},
		{"万俟卨", "mqx", "moqixie"},
		{"欧阳修", "oyx", "ouyangxiu"},
		{"诸葛亮", "zgl", "zhugeliang"},
		{"令狐冲", "lhc", "linghuchong"},
		{"单单", "sd", "shandan"},  // only the surname takes the surname reading
		{"李曾", "lc", "liceng"},   // 曾 in a given name keeps its first reading
		{"吕布", "lb", "lvbu"},     // ü typed as v
		{"巴特尔", "bte", "bateer"}, // Mongolian name in Han transliteration
		{"乌云毕力格", "wyblg", "wuyunbilige"},
		{"阿依古丽·买买提", "ayglmmt", "ayigulimaimaiti"},
		{"Li Ming", "liming", "liming"},
		{"ＺＨＡＮＧ", "zhang", "zhang"},
		{"Zoë", "zoe", "zoe"},
		{"李明2", "lm", "liming"},
		{"ᠪᠠᠲᠤ", "", ""},
		{" 曾国藩", "zgf", "zengguofan"}, // leading separators do not hide the surname
	}
	for _, tt := range tests {
		if got := Initials(tt.name); got != tt.initials {
			t.Errorf("Initials(%q) = %q, want %q", tt.name, got, tt.initials)
		}
		if got := Full(tt.name); got != tt.full {
			t.Errorf("Full(%q) = %q, want %q", tt.name, got, tt.full)
		}
	}
}

// TestSortKeyInjective generates names from characters chosen to collide:
// homophones, surnames with two readings, case and width variants, separators,
// Mongolian script and broken UTF-8. Distinct names must get distinct keys, and
// every key must be valid UTF-8 without NUL so PostgreSQL text accepts it.
func TestSortKeyInjective(t *testing.T) {
	pool := []string{
		"张", "章", "彰", "长", "孙", "单", "于", "曾", "尉", "迟", "李", "里", "吕", "女", "卢",
		"查", "干", "三", "丰", "a", "A", "b", "é", "ｂ", "1", "１", "0",
		"·", "・", " ", "-", "ᠠ", "ᠪ", "\u180e", "𠀀", "\xff", "\xe5\xbc", "�", "〇",
	}
	rng := rand.New(rand.NewPCG(3, 4))
	seen := make(map[string]string)
	for range 20000 {
		var sb strings.Builder
		for range rng.IntN(6) {
			sb.WriteString(pool[rng.IntN(len(pool))])
		}
		name := sb.String()
		key := SortKey(name)
		if prev, ok := seen[key]; ok && prev != name {
			t.Fatalf("SortKey(%q) == SortKey(%q) == %q", prev, name, key)
		}
		seen[key] = name
		if !utf8.ValidString(key) || strings.IndexByte(key, 0) >= 0 {
			t.Fatalf("SortKey(%q) = %q is not valid UTF-8 text", name, key)
		}
		if SortKey(name) != key {
			t.Fatalf("SortKey(%q) is not deterministic", name)
		}
	}
	if len(seen) < 5000 {
		t.Fatalf("only %d distinct names generated", len(seen))
	}
}

// TestSortKeyComparesCharacterByCharacter checks the claim the encoding rests
// on: comparing two whole keys gives the same answer as comparing the names'
// characters one at a time by their own keys. The characters share prefixes
// (zhan, zhang; lu, lü, luan) so that a boundary sorting after a letter would
// show. None of them has a surname reading, so a character's key does not
// depend on its position.
func TestSortKeyComparesCharacterByCharacter(t *testing.T) {
	pool := []rune("张章彰詹展战李里黎理吕卢栾罗女奴暖三散丰思安阿")
	gen := func(rng *rand.Rand) []rune {
		rs := make([]rune, rng.IntN(5))
		for i := range rs {
			rs[i] = pool[rng.IntN(len(pool))]
		}
		return rs
	}
	charKeys := func(rs []rune) []string {
		ks := make([]string, len(rs))
		for i, r := range rs {
			ks[i] = SortKey(string(r))
		}
		return ks
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for range 5000 {
		a, b := gen(rng), gen(rng)
		want := slices.Compare(charKeys(a), charKeys(b))
		got := strings.Compare(SortKey(string(a)), SortKey(string(b)))
		if got != want {
			t.Fatalf("compare(%q, %q): whole keys say %d, character by character %d", string(a), string(b), got, want)
		}
	}
}

// TestDictionaryReadings checks that every first reading in go-pinyin's
// dictionary and every surname reading decodes to letters and a tone, since a
// Han unit without letters would break the key's prefix-freeness.
func TestDictionaryReadings(t *testing.T) {
	check := func(what, rd string) {
		t.Helper()
		b, tone, _ := appendReading(nil, rd, 'v')
		if len(b) == 0 || tone < 1 || tone > 5 {
			t.Errorf("%s: reading %q decodes to %q tone %d", what, rd, b, tone)
		}
		for _, c := range b {
			if c < 'a' || c > 'z' {
				t.Errorf("%s: reading %q decodes to non-letter %q", what, rd, b)
			}
		}
	}
	for r, rd := range gopinyin.PinyinDict {
		if i := strings.IndexByte(rd, ','); i >= 0 {
			rd = rd[:i]
		}
		check(string(rune(r)), rd)
	}
	for r, rd := range surnameReadings {
		check(string(r), rd)
	}
	for c, rd := range compoundSurnames {
		check(string(c[:]), rd[0])
		check(string(c[:]), rd[1])
	}
}

var benchNames = []string{
	"张三丰", "单雄信", "欧阳修", "巴特尔", "其木格", "乌云毕力格", "阿依古丽·买买提",
	"李明", "王秀英", "刘德华", "陈龙", "杨洋", "赵敏", "黄蓉", "周芷若", "吴邪",
}

func BenchmarkSortKey(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		SortKey(benchNames[i%len(benchNames)])
	}
}

func BenchmarkInitialsFull(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		n := benchNames[i%len(benchNames)]
		Initials(n)
		Full(n)
	}
}
