package sheet

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	xunicode "golang.org/x/text/encoding/unicode"
)

// readAll reads every row, failing the test on an error.
func readAll(t testing.TB, r *Reader) []Row {
	t.Helper()
	var rows []Row
	for {
		row, err := r.Next()
		if errors.Is(err, io.EOF) {
			return rows
		}
		if err != nil {
			t.Fatalf("after %d rows: %v", len(rows), err)
		}
		rows = append(rows, row)
	}
}

// messyWorkbook builds, with excelize's ordinary (non-streaming) API, a
// ledger the way an office suite saves one: shared strings, a hidden
// instructions sheet first, a merged title, a 填报单位 line, the header on
// row 3, blank rows and rows of only full-width spaces, dates stored as
// serial numbers under several date formats, ID numbers typed as numbers.
func messyWorkbook(t *testing.T) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.SetSheetName("Sheet1", "填表说明"))
	must(f.SetCellValue("填表说明", "A1", "此页不是数据"))
	idx, err := f.NewSheet("户籍台账")
	must(err)
	f.SetActiveSheet(idx)
	must(f.SetSheetVisible("填表说明", false))

	const s = "户籍台账"
	must(f.SetCellValue(s, "A1", "某某嘎查2024年户籍人口台账"))
	must(f.MergeCell(s, "A1", "H1"))
	must(f.SetCellValue(s, "A2", "填报单位：某某苏木某某嘎查（盖章）"))
	must(f.SetSheetRow(s, "A3", &[]any{"序号", "姓 名", "＊身份证号码", "出生日期（公历）", "联系电话", "家庭住址", "登记时间", "备注"}))

	chineseDate := `yyyy"年"m"月"d"日"`
	dateStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: &chineseDate})
	must(err)
	shortDate, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	must(err)
	cjkDate, err := f.NewStyle(&excelize.Style{NumFmt: 31}) // yyyy"年"m"月"d"日" built in
	must(err)
	dateTime, err := f.NewStyle(&excelize.Style{NumFmt: 22})
	must(err)
	moneyish, err := f.NewStyle(&excelize.Style{NumFmt: 4})
	must(err)

	// Row 4: full-width spaces around the name, ID as shared string.
	must(f.SetSheetRow(s, "A4", &[]any{1, "　巴特尔　", "15222119900307123X", 32939, "\u00a013812345678\u00a0", "呼和浩特市\n赛罕区", 45358.6041666667}))
	must(f.SetCellStyle(s, "D4", "D4", dateStyle))
	must(f.SetCellStyle(s, "G4", "G4", dateTime))
	// Row 5: ID typed as a number with all its digits in the file, which
	// no office suite writes: it reads as a number the suite would show,
	// phone as a number, date in the locale short format.
	must(f.SetSheetRow(s, "A5", &[]any{2, "其其格", int64(152221198512120021), 31393, 13912345678, "包头市"}))
	must(f.SetCellStyle(s, "D5", "D5", shortDate))
	// Row 6: spaces only, as left behind when someone clears a row.
	must(f.SetSheetRow(s, "A6", &[]any{nil, "　", " ", "\u00a0"}))
	// Row 7: ID typed as a number the way Excel stores one after it has
	// already lost the last digits, a CJK built-in date, rich text, a
	// number with a binary-fraction tail.
	must(f.SetCellValue(s, "A7", 3))
	must(f.SetCellRichText(s, "B7", []excelize.RichTextRun{{Text: "乌"}, {Text: "云", Font: &excelize.Font{Bold: true}}}))
	must(f.SetCellDefault(s, "C7", "1.52221199003071E+17"))
	must(f.SetCellValue(s, "D7", 25569))
	must(f.SetCellStyle(s, "D7", "D7", cjkDate))
	must(f.SetCellValue(s, "F7", "赤峰市\u3000红山区"))
	must(f.SetCellDefault(s, "H7", "12.300000000000001"))
	must(f.SetCellStyle(s, "H7", "H7", moneyish))
	// Row 8 left out entirely; row 9 has a date typed as text and an
	// explicit empty string.
	must(f.SetSheetRow(s, "A9", &[]any{4, "张三", "", "1990.3.7"}))

	path := filepath.Join(t.TempDir(), "messy.xlsx")
	must(f.SaveAs(path))
	return path
}

func TestMessyXLSX(t *testing.T) {
	path := messyWorkbook(t)
	file, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	r, err := Open("台账.xlsx", file, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.Sheet() != "户籍台账" {
		t.Fatalf("read sheet %q, want the first visible one", r.Sheet())
	}
	h, err := r.Header([]string{"姓名", "身份证号|身份证号码|公民身份号码", "出生日期(公历)", "联系电话", "家庭住址", "民族"}, 3)
	if err != nil {
		t.Fatal(err)
	}
	wantCols := map[string]int{"姓名": 1, "身份证号": 2, "出生日期(公历)": 3, "联系电话": 4, "家庭住址": 5}
	if h.Line != 3 || h.Index != 2 || !reflect.DeepEqual(h.Columns, wantCols) {
		t.Fatalf("header %+v", h)
	}
	want := []Row{
		{4, []string{"1", "巴特尔", "15222119900307123X", "1990-03-07", "13812345678", "呼和浩特市\n赛罕区", "2024-03-07 14:30:00"}},
		{5, []string{"2", "其其格", "1.52221198512120E+17", "1985-12-12", "13912345678", "包头市"}},
		{7, []string{"3", "乌云", "1.52221199003071E+17", "1970-01-01", "", "赤峰市\u3000红山区", "", "12.3"}},
		{9, []string{"4", "张三", "", "1990.3.7"}},
	}
	if got := readAll(t, r); !reflect.DeepEqual(got, want) {
		t.Errorf("rows\n got %s\nwant %s", show(got), show(want))
	}
}

func TestCSVEncodings(t *testing.T) {
	gb, err := simplifiedchinese.GB18030.NewEncoder().String("姓名,住址\r\n张三,呼和浩特市\r\n\r\n李四,\"包头市\r\n昆都仑区\"\r\n王五,赤峰市\r\n")
	if err != nil {
		t.Fatal(err)
	}
	u16, err := xunicode.UTF16(xunicode.LittleEndian, xunicode.UseBOM).NewEncoder().String("姓名\t电话\r\n巴特尔\t13800000000\r\n")
	if err != nil {
		t.Fatal(err)
	}
	u16be, err := xunicode.UTF16(xunicode.BigEndian, xunicode.UseBOM).NewEncoder().String("姓名\t电话\r\n巴特尔\t13800000000\r\n")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, in string
		want     []Row
	}{
		{"utf8-bom", "\uFEFF姓名,身份证号\r\n巴特尔,15222119900307123X\r\n", []Row{
			{1, []string{"姓名", "身份证号"}}, {2, []string{"巴特尔", "15222119900307123X"}},
		}},
		{"utf8", "姓名,身份证号\n　巴特尔\u3000,\u00a015222119900307123X \n,,\n其其格\n", []Row{
			{1, []string{"姓名", "身份证号"}}, {2, []string{"巴特尔", "15222119900307123X"}}, {4, []string{"其其格"}},
		}},
		{"gb18030", gb, []Row{
			{1, []string{"姓名", "住址"}}, {2, []string{"张三", "呼和浩特市"}},
			{4, []string{"李四", "包头市\n昆都仑区"}}, {5, []string{"王五", "赤峰市"}},
		}},
		{"utf16le", u16, []Row{{1, []string{"姓名", "电话"}}, {2, []string{"巴特尔", "13800000000"}}}},
		{"utf16be", u16be, []Row{{1, []string{"姓名", "电话"}}, {2, []string{"巴特尔", "13800000000"}}}},
		{"semicolon", "a;b;\"c;d\"\n1;2;3\n", []Row{{1, []string{"a", "b", "c;d"}}, {2, []string{"1", "2", "3"}}}},
		{"tab", "a\tb\tc,d\n1\t2\t3\n", []Row{{1, []string{"a", "b", "c,d"}}, {2, []string{"1", "2", "3"}}}},
		{"lazy-quotes", "a,b\n1,2\"3\n", []Row{{1, []string{"a", "b"}}, {2, []string{"1", "2\"3"}}}},
		{"ragged", "a,b,c\n1\n1,2,3,4\n", []Row{{1, []string{"a", "b", "c"}}, {2, []string{"1"}}, {3, []string{"1", "2", "3", "4"}}}},
		{"whitespace-only", " \n\n", nil},
		{"starts-with-PK", "PK值,姓名\n1,巴特尔\n", []Row{{1, []string{"PK值", "姓名"}}, {2, []string{"1", "巴特尔"}}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, err := Open(c.name+".csv", strings.NewReader(c.in), 0)
			if err != nil {
				t.Fatal(err)
			}
			if r.Format() != CSV {
				t.Errorf("format %v", r.Format())
			}
			if got := readAll(t, r); !reflect.DeepEqual(got, c.want) {
				t.Errorf("got %s, want %s", show(got), show(c.want))
			}
		})
	}
}

// show prints rows with their cells quoted, so spaces are visible.
func show(rows []Row) string {
	var b strings.Builder
	for _, r := range rows {
		fmt.Fprintf(&b, "\n  %d %q", r.Line, r.Cells)
	}
	return b.String()
}

// zipOf builds a zip archive with the given files.
func zipOf(t testing.TB, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(w, body); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// onlyReader hides every method but Read, so Open has to buffer.
type onlyReader struct{ io.Reader }

func TestOpenErrors(t *testing.T) {
	var export bytes.Buffer
	if err := Template(&export, ledger(), nil); err != nil {
		t.Fatal(err)
	}
	ole := append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 1024)...)
	encrypted := append(bytes.Clone(ole), utf16le("EncryptedPackage")...)
	docx := zipOf(t, map[string]string{
		"[Content_Types].xml": `<Types/>`,
		"_rels/.rels":         `<Relationships><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`,
		"word/document.xml":   `<document><body>通知</body></document>`,
	})
	ods := zipOf(t, map[string]string{"mimetype": "application/vnd.oasis.opendocument.spreadsheet", "content.xml": "<x/>"})
	chartOnly := zipOf(t, map[string]string{
		"xl/workbook.xml":            `<workbook><sheets><sheet name="图" r:id="rId1" xmlns:r="r"/></sheets></workbook>`,
		"xl/_rels/workbook.xml.rels": `<Relationships><Relationship Id="rId1" Type="x/chartsheet" Target="chartsheets/sheet1.xml"/></Relationships>`,
	})
	badSST := zipOf(t, map[string]string{
		"xl/workbook.xml":            `<workbook><sheets><sheet name="a" r:id="rId1" xmlns:r="r"/></sheets></workbook>`,
		"xl/_rels/workbook.xml.rels": `<Relationships><Relationship Id="rId1" Type="x/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
		"xl/worksheets/sheet1.xml":   `<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>7</v></c></row></sheetData></worksheet>`,
	})
	for _, c := range []struct {
		name string
		in   io.Reader
		want error
	}{
		{"empty.xlsx", strings.NewReader(""), ErrEmpty},
		{"old.xls", bytes.NewReader(ole), ErrLegacyXLS},
		{"locked.xlsx", bytes.NewReader(encrypted), ErrEncrypted},
		{"notice.docx", bytes.NewReader(docx), ErrMalformed},
		{"book.ods", bytes.NewReader(ods), ErrMalformed},
		{"charts.xlsx", bytes.NewReader(chartOnly), ErrMalformed},
		{"half.xlsx", bytes.NewReader(export.Bytes()[:export.Len()/2]), ErrMalformed},
		{"empty.zip", strings.NewReader("PK\x05\x06" + strings.Repeat("\x00", 18)), ErrMalformed},
		{"random.zip", bytes.NewReader(zipOf(t, map[string]string{"a.txt": "hello"})), ErrMalformed},
		{"big.csv", bytes.NewReader(make([]byte, 2048)), ErrTooLarge},
		{"big-stream.csv", onlyReader{strings.NewReader(strings.Repeat("a,b\n", 512))}, ErrTooLarge},
		{"web.xls", strings.NewReader("<html><table><tr><td>姓名</td></tr></table></html>"), ErrLegacyXLS},
		{"binary.csv", bytes.NewReader([]byte("a,b\n\x00\x01\x02")), ErrMalformed},
		{"bad-sst.xlsx", bytes.NewReader(badSST), ErrMalformed},
	} {
		t.Run(c.name, func(t *testing.T) {
			limit := int64(1 << 20)
			if strings.HasPrefix(c.name, "big") {
				limit = 1024
			}
			r, err := Open(c.name, c.in, limit)
			if err == nil {
				_, err = r.Next()
			}
			if !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
		})
	}
}

// TestZipBomb checks that a worksheet inflating far beyond its file size is
// cut off rather than parsed to the end.
func TestZipBomb(t *testing.T) {
	padding := strings.Repeat(" ", 16<<20)
	bomb := zipOf(t, map[string]string{
		"xl/workbook.xml":            `<workbook><sheets><sheet name="a" r:id="rId1" xmlns:r="r"/></sheets></workbook>`,
		"xl/_rels/workbook.xml.rels": `<Relationships><Relationship Id="rId1" Type="x/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
		"xl/worksheets/sheet1.xml":   `<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c></row>` + padding + `</sheetData></worksheet>`,
	})
	r, err := Open("bomb.xlsx", bytes.NewReader(bomb), 0)
	if err != nil {
		t.Fatal(err)
	}
	if row, err := r.Next(); err != nil || row.Cells[0] != "a" {
		t.Fatalf("first row %v %v", row, err)
	}
	if _, err := r.Next(); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("got %v, want ErrTooLarge", err)
	}
}

// TestMinimalXLSX reads hand-written packages of the kinds other producers
// make: no shared strings, no styles, cells and rows without references,
// prefixed element names, absolute relationship targets, odd part-name
// case, escaped characters and a 1904 date system.
func TestMinimalXLSX(t *testing.T) {
	pkg := zipOf(t, map[string]string{
		"_rels/.rels":                `<Relationships><Relationship Id="rId1" Type="http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument" Target="/xl/Workbook.xml"/></Relationships>`,
		"xl/Workbook.xml":            `<x:workbook xmlns:x="x" xmlns:r="r"><x:workbookPr date1904="1"/><x:sheets><x:sheet name="数据" sheetId="1" r:id="rId9"/></x:sheets></x:workbook>`,
		"xl/_rels/Workbook.xml.rels": `<Relationships><Relationship Id="rId9" Type="http://purl.oclc.org/ooxml/officeDocument/relationships/worksheet" Target="/xl/worksheets/Data.xml"/><Relationship Id="rId2" Type="x/styles" Target="styles.xml"/></Relationships>`,
		"xl/styles.xml":              `<styleSheet><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy/mm/dd;@"/></numFmts><cellStyleXfs><xf numFmtId="14"/></cellStyleXfs><cellXfs><xf numFmtId="0"/><xf numFmtId="164"/></cellXfs></styleSheet>`,
		"xl/worksheets/data.xml": `<x:worksheet xmlns:x="x"><x:sheetData>` +
			`<x:row><x:c t="inlineStr"><x:is><x:t>a_x000D_b &amp; _x005F_x0041_</x:t></x:is></x:c><x:c s="1"><x:v>0</x:v></x:c><x:c t="b"><x:v>1</x:v></x:c></x:row>` +
			`<x:row/>` +
			`<x:row><x:c r="C3" t="str"><x:f>A1</x:f><x:v>公式结果</x:v></x:c><x:c t="e"><x:v>#N/A</x:v></x:c><x:c t="d"><x:v>2024-03-07T00:00:00Z</x:v></x:c></x:row>` +
			`</x:sheetData></x:worksheet>`,
	})
	r, err := Open("minimal.xlsx", bytes.NewReader(pkg), 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []Row{
		{1, []string{"a\rb & _x0041_", "1904-01-01", "TRUE"}},
		{3, []string{"", "", "公式结果", "#N/A", "2024-03-07"}},
	}
	if got := readAll(t, r); !reflect.DeepEqual(got, want) {
		t.Errorf("got %s, want %s", show(got), show(want))
	}
}
