package sheet

import (
	"reflect"
	"testing"
)

func TestNumber(t *testing.T) {
	for in, want := range map[string]string{
		"152221199003071234":     "1.52221199003071E+17", // past a double's digits: as Excel shows it
		"152221199003071232":     "1.52221199003071E+17", // as LibreOffice writes it
		"999999999999999":        "999999999999999",
		"+42":                    "42",
		"-7":                     "-7",
		"1.52221199003071E+17":   "1.52221199003071E+17", // Excel already dropped them
		"1.5222119900307123E+17": "1.52221199003071E+17",
		"12.300000000000001":     "12.3",
		"0.30000000000000004":    "0.3",
		"1E-3":                   "0.001",
		"-0":                     "-0",
		"-0.0":                   "0",
		"13812345678":            "13812345678",
		"abc":                    "abc",
		"1e400":                  "1e400",
	} {
		if got := number(in); got != want {
			t.Errorf("number(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFormatDateKind(t *testing.T) {
	for code, want := range map[string]dateKind{
		`yyyy"年"m"月"d"日"`:            dateOnly,
		`yyyy/m/d;@`:                 dateOnly,
		`[$-F800]dddd, mmmm dd`:      dateOnly,
		`[DBNum1][$-804]yyyy"年"m"月"`: dateOnly,
		`yyyy-mm-dd hh:mm:ss`:        dateTime,
		`h:mm AM/PM`:                 timeOnly,
		`上午/下午h"时"mm"分"`:             timeOnly,
		`mm:ss`:                      timeOnly,
		`m/d/yy h:mm`:                dateTime,
		`hh:mm:ss`:                   timeOnly,
		`[h]:mm:ss`:                  notDate,
		`General`:                    notDate,
		`0.00_);[Red](0.00)`:         notDate,
		`#,##0 "元"`:                  notDate,
		`"Day "0`:                    notDate,
		`\d0`:                        notDate,
		`@`:                          notDate,
		`0.00E+00`:                   notDate,
		`#,##0;"-"#,##0;"d"`:         notDate,
	} {
		if got := formatDateKind(code); got != want {
			t.Errorf("formatDateKind(%q) = %d, want %d", code, got, want)
		}
	}
}

func TestExcelDate(t *testing.T) {
	for _, c := range []struct {
		v        string
		kind     dateKind
		date1904 bool
		want     string
		ok       bool
	}{
		{"1", dateOnly, false, "1900-01-01", true},
		{"59", dateOnly, false, "1900-02-28", true},
		{"60", dateOnly, false, "1900-02-28", true}, // the phantom 1900-02-29
		{"61", dateOnly, false, "1900-03-01", true},
		{"45358", dateOnly, false, "2024-03-07", true},
		{"45358.5", dateOnly, false, "2024-03-07", true},
		{"45358.5", dateTime, false, "2024-03-07 12:00:00", true},
		{"45358", dateTime, false, "2024-03-07", true},
		{"45358.99999999", dateTime, false, "2024-03-08", true}, // rounds to the second
		{"0.75", timeOnly, false, "18:00:00", true},
		{"0", dateOnly, true, "1904-01-01", true},
		{"0", dateOnly, false, "", false},
		{"-1", dateOnly, false, "", false},
		{"3000000", dateOnly, false, "", false},
		{"x", dateOnly, false, "", false},
		{"NaN", dateOnly, false, "", false},
	} {
		got, ok := excelDate(c.v, c.kind, c.date1904)
		if got != c.want || ok != c.ok {
			t.Errorf("excelDate(%q, %d, %v) = %q, %v; want %q, %v", c.v, c.kind, c.date1904, got, ok, c.want, c.ok)
		}
	}
}

func TestXString(t *testing.T) {
	for in, want := range map[string]string{
		"plain":         "plain",
		"a_x000D_b":     "a\rb",
		"_x005F_x0041_": "_x0041_",
		"_x4E2D_":       "中",
		"_xZZZZ_":       "_xZZZZ_",
		"tail_x00":      "tail_x00",
		"file_x_name":   "file_x_name",
	} {
		if got := xstring(in); got != want {
			t.Errorf("xstring(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestColumnIndex(t *testing.T) {
	for ref, want := range map[string]int{"A1": 0, "Z9": 25, "AA10": 26, "xfd1": 16383, "$B$2": -1, "12": -1, "XFE1": -1} {
		got, ok := columnIndex(ref)
		if want < 0 {
			if ok {
				t.Errorf("columnIndex(%q) accepted", ref)
			}
			continue
		}
		if !ok || got != want {
			t.Errorf("columnIndex(%q) = %d, %v; want %d", ref, got, ok, want)
		}
	}
}

func TestFindHeader(t *testing.T) {
	rows := []Row{
		{1, []string{"某某嘎查低保户台账"}},
		{2, []string{"填报单位：某某嘎查", "", "", "填报日期：2024年3月7日"}},
		{4, []string{"序号", "户主 姓名", "＊身份证号码 (18位)", "家庭人口", "身份证号码（18位）", "备注说明"}},
		{5, []string{"1", "巴特尔", "15222119900307123X", "3"}},
	}
	h, ok := FindHeader(rows, []string{"户主姓名", "身份证号码(18位)|身份证号", "家庭人口", "低保金额"}, 2)
	if !ok {
		t.Fatal("header not found")
	}
	want := Header{Line: 4, Index: 2, Columns: map[string]int{"户主姓名": 1, "身份证号码(18位)": 2, "家庭人口": 3}}
	if !reflect.DeepEqual(h, want) {
		t.Errorf("got %+v, want %+v", h, want)
	}
	if _, ok := FindHeader(rows, []string{"户主姓名", "低保金额"}, 2); ok {
		t.Error("header found with one match of two required")
	}
	many := make([]Row, 12)
	for i := range many {
		many[i] = Row{Line: i + 1, Cells: []string{"说明"}}
	}
	many[11].Cells = []string{"姓名"}
	if _, ok := FindHeader(many, []string{"姓名"}, 1); ok {
		t.Error("header found past the first ten rows")
	}
}

func TestNormalizeName(t *testing.T) {
	for in, want := range map[string]string{
		"＊身份证号 （18位）": "身份证号",
		"出生日期(年月日)":   "出生日期",
		"(备注)":        "(备注)",
		"* 姓\u3000名":  "姓名",
		"联系\n电话":      "联系电话",
		"ＩＤ":          "id",
		"出生日期：":       "出生日期:",
	} {
		if got := NormalizeName(in); got != want {
			t.Errorf("NormalizeName(%q) = %q, want %q", in, got, want)
		}
	}
}
