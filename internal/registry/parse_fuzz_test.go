package registry

import (
	"strings"
	"testing"
	"time"
)

// importHeaders are the columns of the register sheet, in the order the
// fuzzer's tab-separated rows fill them.
var importHeaders = []string{"户号", "所属村", "家庭住址", "姓名", "蒙古文姓名", "性别", "民族", "出生日期", "身份证号", "手机号", "与户主关系", "政治面貌"}

// FuzzParseImportRow feeds arbitrary cells, one sheet row, through the
// import's row parser: any row must come back as a row and problems, never
// a panic, and every problem must name the row it came from.
func FuzzParseImportRow(f *testing.F) {
	f.Add("001\t平安村\t平安村1组\t张三\t\t男\t汉族\t1990-03-07\t152221199003070000\t13800000000\t户主\t群众")
	f.Add("\t\t\t巴特尔\tᠪᠠᠲᠦ\t女\t蒙古族\t1990年3月7日\t15222119900307001X\t+86 138-0000-0000\t子\t")
	f.Add("x\ty\tz")
	cols := map[string]int{}
	for i, h := range importHeaders {
		cols[h] = i
	}
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, line string) {
		_, problems := ParseImportRow(7, cols, strings.Split(line, "\t"), now)
		for _, p := range problems {
			if p.Line != 7 {
				t.Fatalf("problem %+v names line %d", p, p.Line)
			}
		}
	})
}

// FuzzNormalizeDate checks that a date typed any way either comes back
// untouched (for Validate to reject) or as yyyy-mm-dd that normalises to
// itself.
func FuzzNormalizeDate(f *testing.F) {
	for _, s := range []string{"2006-01-02", "2006/1/2", "2006.1.2", "2006年1月2日", "20060102", " 1990-3-7 ", "2024-02-30", "年月日"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := NormalizeDate(s)
		if out == strings.TrimSpace(s) || out == s {
			return
		}
		if _, err := time.Parse(time.DateOnly, out); err != nil {
			t.Fatalf("NormalizeDate(%q) = %q, not a date", s, out)
		}
		if again := NormalizeDate(out); again != out {
			t.Fatalf("NormalizeDate(%q) = %q, then %q", s, out, again)
		}
	})
}

// FuzzNormalizePhone checks that whatever a clerk pastes, a number the
// validator accepts is eleven ASCII digits and normalises to itself.
func FuzzNormalizePhone(f *testing.F) {
	for _, s := range []string{"13800000000", "+86 138-0000-0000", "86 13800000000", "(138) 0000 0000", "１３８", "\u3000138\u00a000000000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p := NormalizePhone(s)
		if !ValidMobile(p) {
			return
		}
		if len(p) != 11 || NormalizePhone(p) != p {
			t.Fatalf("NormalizePhone(%q) = %q, accepted but not canonical", s, p)
		}
		if m := MaskPhone(p); len(m) != 11 || m[:3] != p[:3] || m[7:] != p[7:] {
			t.Fatalf("MaskPhone(%q) = %q", p, m)
		}
	})
}
