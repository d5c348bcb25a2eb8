package registry

import (
	"testing"
	"time"
)

func TestNormalizeRelation(t *testing.T) {
	for _, tc := range []struct{ in, name, code string }{
		{"户主", "户主", "02"},
		{"本人", "户主", "02"},
		{"丈夫", "夫", "11"},
		{"夫", "夫", "11"},
		{"妻子", "妻", "12"},
		{"妻", "妻", "12"},
		{"爱人", "配偶", "10"},
		{"儿子", "子", "20"},
		{"长子", "长子", "22"},
		{"次子", "次子", "23"},
		{"女儿", "女", "30"},
		{"长女", "长女", "32"},
		{"次女", "次女", "33"},
		{"孙子", "孙子", "41"},
		{"孙女", "孙女", "42"},
		{"儿媳", "儿媳", "38"},
		{"儿媳妇", "儿媳", "38"},
		{"女婿", "女婿", "28"},
		{"父亲", "父亲", "51"},
		{"母亲", "母亲", "52"},
		{"兄", "兄", "71"},
		{"哥哥", "兄", "71"},
		{"弟", "弟", "73"},
		{"姐", "姐姐", "75"},
		{"妹", "妹妹", "77"},
		{"兄弟", "兄弟", "70"}, // the register's older word stays valid
		{"户主之长女", "长女", "32"},
		{"之妻", "妻", "12"},
		{"　妻 子　", "妻", "12"}, // ideographic and ASCII spaces
		{"１２", "妻", "12"},    // a code typed full-width
		{"02", "户主", "02"},
		{"70", "兄弟姐妹", "70"},
		{"邻居", "邻居", ""}, // unknown: left for validation to reject
	} {
		got := NormalizeRelation(tc.in)
		if got != tc.name || RelationCode(got) != tc.code {
			t.Errorf("NormalizeRelation(%q) = %q (code %q), want %q (%q)", tc.in, got, RelationCode(got), tc.name, tc.code)
		}
	}
}

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"１５２２２１１９９００３０７００１Ｘ": "15222119900307001X",
		"　００１　":  "001",
		"一组　１２号": "一组 12号",
		"ＡＢｃ－１":  "ABc-1",
		"巴特尔":    "巴特尔",
	} {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestParseImportRowAsClerksWriteIt parses rows the way village clerks
// type them: everyday relation words, full-width digits and spaces from a
// Chinese input method. Each comes out clean, and a bad one names its
// person and column.
func TestParseImportRowAsClerksWriteIt(t *testing.T) {
	cols := map[string]int{}
	for i, h := range importHeaders {
		cols[h] = i
	}
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name     string
		cells    []string
		number   string
		relation string
		id       string
		birth    string
		phone    string
		problem  string // "person/column" of the one problem expected, "" for none
	}{
		{"head as 本人", []string{"００１", "", "", "张　三", "", "男", "汉族", "", "", "", "本人", ""}, "001", "户主", "", "", "", "张三/出生日期"},
		{"wife full-width", []string{"００１", "１５２２２１１００２１０", "", "李四", "", "女", "汉族", "１９９０年３月７日", "", "１３８　００００　００００", "妻子", "群众"}, "001", "妻", "", "1990-03-07", "13800000000", ""},
		{"eldest daughter", []string{"001", "", "", "张小红", "", "", "汉族", "", "１５２２２１１９９００３０７００２Ｘ", "", "长女", ""}, "001", "长女", "15222119900307002X", "1990-03-07", "", ""},
		{"unknown word", []string{"001", "", "", "王五", "", "男", "汉族", "1960-01-01", "", "", "邻居", ""}, "001", "邻居", "", "1960-01-01", "", "王五/与户主关系"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			row, problems := ParseImportRow(4, cols, tc.cells, now)
			if row.Village != "" && row.Village != "152221100210" {
				t.Errorf("village %q not folded", row.Village)
			}
			if row.Household.Number != tc.number || row.Resident.Relation != tc.relation || row.Resident.IDNumber != tc.id ||
				(tc.birth != "" && row.Resident.BirthDate != tc.birth) || row.Resident.Phone != tc.phone {
				t.Errorf("row = %+v", row)
			}
			var got string
			for _, p := range problems {
				if p.Line != 4 {
					t.Errorf("problem on line %d", p.Line)
				}
				got = p.Person + "/" + p.Column
			}
			if got != tc.problem || len(problems) > 1 {
				t.Errorf("problems %+v, want %q", problems, tc.problem)
			}
		})
	}
}
