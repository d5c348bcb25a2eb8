package sheet

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// ledger is the table the writer tests export.
func ledger() Table {
	return Table{
		Title: "某某嘎查户籍人口台账",
		Unit:  "某某苏木某某嘎查村民委员会",
		// 23:30 UTC is already the next morning where the deployment is:
		// 填报日期 is the local day, not the day of the clock's zone.
		Date: time.Date(2024, 3, 6, 23, 30, 0, 0, time.UTC),
		Columns: []Column{
			{Header: "姓名", Kind: Text},
			{Header: "身份证号", Width: 22, Kind: Text},
			{Header: "出生日期", Kind: Date},
			{Header: "变动人数", Kind: Int},
			{Header: "备注", Kind: Text},
			{Header: "补贴金额", Kind: Money},
		},
	}
}

func TestXLSXRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	w, err := NewWriter(&buf, ledger())
	if err != nil {
		t.Fatal(err)
	}
	rows := [][]any{
		{"巴特尔", "15222119900307123X", time.Date(1990, 3, 7, 0, 0, 0, 0, time.Local), 3, "=1+1", 1234.5},
		{"其其格", "152221198512120021", "1985-12-12", -2, "@SUM(A1)", "12.30"},
		{"张三", nil, nil, int64(0), "-5", nil},
	}
	for _, r := range rows {
		if err := w.Write(r...); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Write("x", "y", "not a date"); err == nil || !strings.Contains(err.Error(), "出生日期") {
		t.Fatalf("bad date accepted: %v", err)
	}
	if err := w.Write("x", "y", nil, "three"); err == nil {
		t.Fatal("bad int accepted")
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "export.xlsx")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}

	// Read back through Open.
	r, err := Open("export.xlsx", bytes.NewReader(buf.Bytes()), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.Format() != XLSX || r.Sheet() != "某某嘎查户籍人口台账" {
		t.Fatalf("format %v sheet %q", r.Format(), r.Sheet())
	}
	first, err := r.Next()
	if err != nil || first.Line != 1 || !reflect.DeepEqual(first.Cells, []string{"某某嘎查户籍人口台账"}) {
		t.Fatalf("title row %+v %v", first, err)
	}
	h, err := r.Header([]string{"序号", "姓名", "身份证号", "出生日期", "变动人数", "备注", "补贴金额"}, 7)
	if err != nil {
		t.Fatal(err)
	}
	if h.Line != 3 || h.Columns["身份证号"] != 2 {
		t.Fatalf("header %+v", h)
	}
	want := []Row{
		{4, []string{"1", "巴特尔", "15222119900307123X", "1990-03-07", "3", "'=1+1", "1234.5"}},
		{5, []string{"2", "其其格", "152221198512120021", "1985-12-12", "-2", "'@SUM(A1)", "12.3"}},
		{6, []string{"3", "张三", "", "", "0", "'-5"}},
	}
	for _, w := range want {
		got, err := r.Next()
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, w) {
			t.Errorf("got %v, want %v", got, w)
		}
	}
	if _, err := r.Next(); !errors.Is(err, io.EOF) {
		t.Fatalf("after last row: %v", err)
	}

	// <col> elements must be in ascending order, which excelize's stream
	// writer only gives if columns are set from the last.
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	for _, zf := range zr.File {
		if zf.Name != "xl/worksheets/sheet1.xml" {
			continue
		}
		rc, _ := zf.Open()
		xmlText, _ := io.ReadAll(rc)
		rc.Close()
		prev := 0
		for _, m := range regexp.MustCompile(`<col min="(\d+)"`).FindAllStringSubmatch(string(xmlText), -1) {
			n, _ := strconv.Atoi(m[1])
			if n <= prev {
				t.Errorf("<col> elements out of order: %d after %d", n, prev)
			}
			prev = n
		}
		if prev != 7 {
			t.Errorf("last <col> is %d, want 7", prev)
		}
	}

	// Check the layout with excelize itself.
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheet := f.GetSheetName(0)
	merges, err := f.GetMergeCells(sheet)
	if err != nil {
		t.Fatal(err)
	}
	var refs []string
	for _, m := range merges {
		refs = append(refs, m.GetStartAxis()+":"+m.GetEndAxis())
	}
	if !reflect.DeepEqual(refs, []string{"A1:G1", "A2:D2", "E2:G2"}) {
		t.Errorf("merged cells %v", refs)
	}
	if v, _ := f.GetCellValue(sheet, "A2"); v != "填报单位：某某苏木某某嘎查村民委员会" {
		t.Errorf("A2 = %q", v)
	}
	if v, _ := f.GetCellValue(sheet, "E2"); v != "填报日期：2024年3月7日" {
		t.Errorf("E2 = %q", v)
	}
	panes, err := f.GetPanes(sheet)
	if err != nil {
		t.Fatal(err)
	}
	if !panes.Freeze || panes.YSplit != 3 || panes.XSplit != 1 || panes.TopLeftCell != "B4" {
		t.Errorf("panes %+v", panes)
	}
	layout, err := f.GetPageLayout(sheet)
	if err != nil {
		t.Fatal(err)
	}
	if *layout.Size != 9 || *layout.Orientation != "landscape" || *layout.FitToWidth != 1 || *layout.FitToHeight != 0 {
		t.Errorf("page layout size %d orientation %s fit %dx%d", *layout.Size, *layout.Orientation, *layout.FitToWidth, *layout.FitToHeight)
	}
	props, err := f.GetSheetProps(sheet)
	if err != nil {
		t.Fatal(err)
	}
	if props.FitToPage == nil || !*props.FitToPage {
		t.Error("fit to page not set")
	}
	var titles bool
	for _, dn := range f.GetDefinedName() {
		if dn.Name == "_xlnm.Print_Titles" && dn.Scope == sheet && strings.HasSuffix(dn.RefersTo, "!$1:$3") {
			titles = true
		}
	}
	if !titles {
		t.Errorf("print titles missing: %+v", f.GetDefinedName())
	}
	hf, err := f.GetHeaderFooter(sheet)
	if err != nil {
		t.Fatal(err)
	}
	if hf.OddFooter != "&C第 &P 页 共 &N 页" {
		t.Errorf("footer %q", hf.OddFooter)
	}
	// Text cells are text, numbers numbers, dates dates.
	for cell, typ := range map[string]excelize.CellType{
		"C4": excelize.CellTypeInlineString,
		"F4": excelize.CellTypeInlineString,
		"E5": excelize.CellTypeUnset, // a number
	} {
		if got, _ := f.GetCellType(sheet, cell); got != typ {
			t.Errorf("%s type %v, want %v", cell, got, typ)
		}
	}
	if v, _ := f.GetCellValue(sheet, "D4"); v != "1990年3月7日" {
		t.Errorf("D4 shown as %q", v)
	}
	if v, _ := f.GetCellValue(sheet, "D4", excelize.Options{RawCellValue: true}); v != "32939" {
		t.Errorf("D4 serial %q", v)
	}
	styleID, _ := f.GetCellStyle(sheet, "C4")
	style, err := f.GetStyle(styleID)
	if err != nil {
		t.Fatal(err)
	}
	if style.NumFmt != 49 || len(style.Border) != 4 {
		t.Errorf("ID cell style %+v", style)
	}
	if width, _ := f.GetColWidth(sheet, "C"); width != 22 {
		t.Errorf("ID column width %v", width)
	}
}

func TestTemplate(t *testing.T) {
	var buf bytes.Buffer
	tb := ledger()
	tb.Date, tb.Unit = time.Time{}, ""
	err := Template(&buf, tb, [][]any{{"示例：巴特尔", "15222119900307123X", "1990-03-07", 1, "", 0}})
	if err != nil {
		t.Fatal(err)
	}
	r, err := Open("template.xlsx", &buf, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []Row
	for {
		row, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, row)
	}
	if len(got) != 4 || got[1].Cells[0] != "填报单位：" || !strings.HasPrefix(got[1].Cells[4], "填报日期：") ||
		got[3].Cells[2] != "15222119900307123X" || got[3].Cells[6] != "0" {
		t.Fatalf("template rows %v", got)
	}
}

func TestWriterErrors(t *testing.T) {
	if _, err := NewWriter(io.Discard, Table{Title: "空"}); err == nil {
		t.Error("table without columns accepted")
	}
	if _, err := NewWriter(io.Discard, Table{Columns: []Column{{Header: "x", Kind: Kind(42)}}}); err == nil {
		t.Error("unknown kind accepted")
	}
	w, err := NewWriter(io.Discard, Table{Title: "a/b:c*?[d]'", Columns: []Column{{Header: "x"}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write("1", "2"); err == nil {
		t.Error("too many values accepted")
	}
	if err := w.Discard(); err != nil {
		t.Fatal(err)
	}
	if err := w.Write("1"); err == nil {
		t.Error("write after discard accepted")
	}
	if err := w.Close(); err == nil {
		t.Error("close after discard accepted")
	}
}

func TestSheetName(t *testing.T) {
	for in, want := range map[string]string{
		"":                      "Sheet1",
		"2024年[第1季度]/户籍:台账":     "2024年第1季度户籍台账",
		"'引号'":                  "引号",
		strings.Repeat("长", 40): strings.Repeat("长", 31),
	} {
		if got := sheetName(in); got != want {
			t.Errorf("sheetName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNeutralise(t *testing.T) {
	for in, want := range map[string]string{
		"=1+1": "'=1+1", "+86 138": "'+86 138", "-5": "'-5", "@x": "'@x",
		"\tx": "'\tx", "\rx": "'\rx", "巴特尔": "巴特尔", "": "", "a=b": "a=b",
	} {
		if got := neutralise(in); got != want {
			t.Errorf("neutralise(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDateSerial(t *testing.T) {
	for _, c := range []struct {
		date string
		want int64
	}{
		{"1900-01-01", 1}, {"1900-02-28", 59}, {"1900-03-01", 61},
		{"1990-03-07", 32939}, {"2024-03-07", 45358},
	} {
		d, _ := time.Parse("2006-01-02", c.date)
		got, ok := dateSerial(d)
		if !ok || got != c.want {
			t.Errorf("dateSerial(%s) = %d, want %d", c.date, got, c.want)
		}
		back, ok := excelDate(strconv.FormatInt(got, 10), dateOnly, false)
		if !ok || back != c.date {
			t.Errorf("excelDate(%d) = %q, want %s", got, back, c.date)
		}
	}
	if _, ok := dateSerial(time.Date(1899, 12, 31, 0, 0, 0, 0, time.UTC)); ok {
		t.Error("1899 has a serial")
	}
}

func TestCSVWriter(t *testing.T) {
	var buf bytes.Buffer
	w, err := NewCSVWriter(&buf, ledger())
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write("巴特尔", "15222119900307123X", time.Date(1990, 3, 7, 0, 0, 0, 0, time.UTC), -3, "=cmd|' /C calc'!A0", 12); err != nil {
		t.Fatal(err)
	}
	if err := w.Write("其其格", nil, "1985-12-12", "4", "", "0.5"); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	want := "\uFEFF序号,姓名,身份证号,出生日期,变动人数,备注,补贴金额\r\n" +
		"1,巴特尔,15222119900307123X,1990-03-07,-3,'=cmd|' /C calc'!A0,12.00\r\n" +
		"2,其其格,,1985-12-12,4,,0.50\r\n"
	if buf.String() != want {
		t.Fatalf("got\n%q\nwant\n%q", buf.String(), want)
	}
	// And it reads back.
	r, err := Open("export.csv", &buf, 0)
	if err != nil {
		t.Fatal(err)
	}
	h, err := r.Header([]string{"姓名", "身份证号"}, 2)
	if err != nil || h.Line != 1 {
		t.Fatalf("header %+v %v", h, err)
	}
	row, err := r.Next()
	if err != nil || row.Line != 2 || row.Cells[5] != "'=cmd|' /C calc'!A0" {
		t.Fatalf("row %v %v", row, err)
	}
}
