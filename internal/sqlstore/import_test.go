package sqlstore_test

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"shanzhi/internal/fault"
	"shanzhi/internal/registry"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// messyXLSX builds a sheet the way an office suite saves a village's
// ledger: a merged title, a 填报单位 line, the header on row 3 with a
// required-column star and full-width parentheses, a blank row, a date
// cell, and the members of a household out of order.
func messyXLSX(t *testing.T, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	sh := f.GetSheetName(0)
	f.SetCellValue(sh, "A1", "科尔沁镇平安村户籍台账")
	f.MergeCell(sh, "A1", "J1")
	f.SetCellValue(sh, "A2", "填报单位：平安村村委会")
	header := []any{"序号", "*户号", "姓名", "性别", "民族", "出生日期", "身份证号（18位）", "手机号码", "与户主关系", "政治面貌"}
	f.SetSheetRow(sh, "A3", &header)
	date, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
	r := 4
	for i, row := range rows {
		if i == 2 {
			r++ // a blank line in the middle
		}
		cells := append([]any{i + 1}, row...)
		f.SetSheetRow(sh, fmt.Sprintf("A%d", r), &cells)
		f.SetCellStyle(sh, fmt.Sprintf("F%d", r), fmt.Sprintf("F%d", r), date)
		r++
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// numericID is an ID number as a number cell holds it.
func numericID(id string) int64 {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		panic(err)
	}
	return n
}

func idFor(birth string, seq int) string {
	first := "152221" + birth + fmt.Sprintf("%03d", seq)
	return first + string(registry.CheckChar(first))
}

func TestImportXLSX(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		reg := db.Registry()
		good := [][]any{
			{"103", "赵小花", "女", "汉族", "2001-01-01", idFor("20010101", 6), "", "女", "群众"}, // her head comes last
			{"101", "李桂兰", "女", "汉族", "1952/4/2", idFor("19520402", 2), "", "配偶", "群众"},
			{"101", "张大山", "男", "汉", "1950-03-01", idFor("19500301", 1), "138 1234 1234", "户主", "党员"},
			{"102", "乌云其木格", "", "蒙古族", "", idFor("19800607", 4), "", "户主", ""},
			{"102", "巴特尔", "男", "蒙古族", "1978-05-03", idFor("19780503", 3), "", "配偶", "群众"},
			{"103", "赵大海", "男", "汉族", "1975-01-01", idFor("19750101", 7), "", "户主", "群众"},
		}
		data := messyXLSX(t, good)
		batch, err := reg.StageImport(ctx, admin, pingan, "台账.xlsx", data)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := reg.RunImport(ctx, admin, batch, registry.Preview)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Rows != 6 || rep.NewHouseholds != 3 || rep.NewResidents != 6 || rep.Rejected != 0 || len(rep.Problems) != 0 {
			t.Fatalf("preview = %+v", rep)
		}
		if _, n, _ := reg.Households(ctx, admin, registry.ListFilter{Region: pingan}); n != 0 {
			t.Fatalf("preview wrote %d households", n)
		}
		if rep, err = reg.RunImport(ctx, admin, batch, registry.All); err != nil || !rep.Committed {
			t.Fatalf("commit: %+v %v", rep, err)
		}
		if _, err := reg.RunImport(ctx, admin, batch, registry.All); !fault.Is(err, fault.Conflict) {
			t.Fatalf("second commit of one batch: %v", err)
		}
		list, n, _ := reg.Households(ctx, admin, registry.ListFilter{Region: pingan})
		if n != 3 || list[0].Members != 2 || list[1].Members != 2 || list[2].Members != 2 {
			t.Fatalf("after import: %d households %+v", n, list)
		}
		// The same file again: nothing new, nothing duplicated.
		batch2, _ := reg.StageImport(ctx, admin, pingan, "台账.xlsx", data)
		rep, err = reg.RunImport(ctx, admin, batch2, registry.All)
		if err != nil || rep.NewHouseholds != 0 || rep.NewResidents != 0 || rep.Unchanged != 6 {
			t.Fatalf("re-import: %+v %v", rep, err)
		}
		// Another operator cannot see or run this user's batch.
		if _, err := reg.RunImport(ctx, operatorAt(pingan), batch2, registry.Preview); !fault.Is(err, fault.NotFound) {
			t.Fatalf("foreign batch: %v", err)
		}
	})
}

func TestImportProblems(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		reg := db.Registry()
		rows := [][]any{
			{"201", "王五", "男", "汉族", "1970-01-01", idFor("19700101", 5), "", "户主", "群众"},
			{"201", "王小五", "男", "火星族", "1995-01-01", idFor("19950101", 7), "12345", "子", "群众"}, // bad ethnicity, phone
			{"202", "赵六", "男", "汉族", "", "152221197001011235", "", "户主", "群众"},                 // bad check digit
			{"202", "赵小六", "女", "汉族", "2000-01-01", idFor("20000101", 8), "", "女", "群众"},       // head row is bad
			{"203", "孙七", "男", "汉族", "1970-01-01", idFor("19700101", 5), "", "户主", "群众"},       // ID repeats row 4
			{"204", "周八", "男", "汉族", "1960-01-01", "1.52221E+17", "", "户主", "群众"},              // Excel ate the digits
			{"205", "吴九", "男", "汉族", "1960-01-01", idFor("19600101", 9), "", "子", "群众"},        // no head
			// A number cell holding a valid ID: an office suite could not
			// have kept its digits, whatever its check digit says.
			{"206", "郑十", "男", "汉族", "1960-01-01", numericID(idFor("19600101", 11)), "", "户主", "群众"},
		}
		batch, err := reg.StageImport(ctx, admin, pingan, "messy.xlsx", messyXLSX(t, rows))
		if err != nil {
			t.Fatal(err)
		}
		rep, err := reg.RunImport(ctx, admin, batch, registry.All)
		if !fault.Is(err, fault.Invalid) || rep.Rejected != 7 {
			t.Fatalf("all-or-nothing: rejected %d, %v; problems %+v", rep.Rejected, err, rep.Problems)
		}
		if _, n, _ := reg.Households(ctx, admin, registry.ListFilter{Region: pingan}); n != 0 {
			t.Fatalf("a rejected all-or-nothing import wrote %d households", n)
		}
		want := map[string]bool{}
		for _, p := range rep.Problems {
			want[fmt.Sprintf("%d/%s/%s/%s", p.Line, p.Person, p.Column, p.Msg.Key)] = true
		}
		// Data starts on sheet line 4; the blank line pushes rows 3+ down
		// one. Each problem names the row's person as well as its line.
		for _, k := range []string{
			"5/王小五/民族/registry.ethnicity.invalid", "5/王小五/手机号/registry.phone.invalid",
			"7/赵六/身份证号/registry.id.check", "8/赵小六/户号/import.head_bad",
			"9/孙七/身份证号/import.dup_id", "10/周八/身份证号/registry.id.lost_digits", "11/吴九/户号/import.no_head", "12/郑十/身份证号/registry.id.lost_digits",
		} {
			if !want[k] {
				t.Errorf("missing problem %s; got %v", k, want)
			}
		}
		rep, err = reg.RunImport(ctx, admin, batch, registry.SkipBad)
		if err != nil || rep.NewHouseholds != 1 || rep.NewResidents != 1 || rep.Rejected != 7 {
			t.Fatalf("skip bad rows: %+v, %v", rep, err)
		}
	})
}

func TestImportCSVAndBadFiles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		reg := db.Registry()
		csv := "户号,所属村,姓名,民族,身份证号,与户主关系\r\n301,平安村,郑十,汉族," + idFor("19800101", 11) + ",户主\r\n"
		gb, _ := simplifiedchinese.GB18030.NewEncoder().String(csv)
		batch, err := reg.StageImport(ctx, admin, keerqin, "gbk.csv", []byte(gb))
		if err != nil {
			t.Fatal(err)
		}
		rep, err := reg.RunImport(ctx, admin, batch, registry.All)
		if err != nil || rep.NewHouseholds != 1 {
			t.Fatalf("GB18030 CSV into a township with 所属村: %+v %v", rep, err)
		}
		for name, data := range map[string][]byte{
			"old.xls":   {0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0, 0, 0},
			"none.csv":  []byte("甲,乙,丙\n1,2,3\n"),
			"empty.csv": {},
			"cols.csv":  []byte("户号,姓名,性别\n1,张三,男\n"),
		} {
			_, err := reg.StageImport(ctx, admin, pingan, name, data)
			var fe *fault.Error
			if !asFault(err, &fe) || fe.Code != fault.Invalid || len(fe.Fields) == 0 || fe.Fields[0].Name != "file" {
				t.Errorf("%s: %v", name, err)
			}
		}
		if _, err := reg.StageImport(ctx, operatorAt("152221103212"), pingan, "x.csv", []byte(csv)); !fault.Is(err, fault.Forbidden) {
			t.Errorf("import into a foreign village: %v", err)
		}
	})
}
