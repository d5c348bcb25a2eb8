package sheet

import (
	"bytes"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// FuzzOpen feeds arbitrary bytes to Open and reads every row: whatever an
// upload holds, reading must end in rows or an error, never a panic.
func FuzzOpen(f *testing.F) {
	var xlsx bytes.Buffer
	err := Template(&xlsx, Table{
		Title: "台账", Unit: "嘎查", Date: time.Date(2024, 3, 7, 0, 0, 0, 0, time.UTC),
		Columns: []Column{{Header: "姓名"}, {Header: "出生日期", Kind: Date}, {Header: "人数", Kind: Int}},
	}, [][]any{{"巴特尔", "1990-03-07", -1}})
	if err != nil {
		f.Fatal(err)
	}
	gb, _ := simplifiedchinese.GB18030.NewEncoder().String("姓名,住址\n张三,\"呼和\n浩特\"\n")
	f.Add(xlsx.Bytes())
	f.Add([]byte(gb))
	f.Add([]byte("\uFEFFa;b;c\n1;2;3\n"))
	f.Add([]byte("\xFF\xFEa\x00\t\x00b\x00\n\x00"))
	f.Add([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1})
	f.Add([]byte("PK\x03\x04"))
	f.Add(zipOf(f, map[string]string{
		"xl/workbook.xml":            `<workbook><sheets><sheet name="a" r:id="rId1" xmlns:r="r"/></sheets></workbook>`,
		"xl/_rels/workbook.xml.rels": `<Relationships><Relationship Id="rId1" Type="x/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="x/styles" Target="styles.xml"/></Relationships>`,
		"xl/styles.xml":              `<styleSheet><numFmts><numFmt numFmtId="164" formatCode="yyyy&quot;年&quot;m&quot;月&quot;"/></numFmts><cellXfs><xf numFmtId="0"/><xf numFmtId="164"/></cellXfs></styleSheet>`,
		"xl/worksheets/sheet1.xml":   `<worksheet><sheetData><row r="2"><c r="B2" s="1"><v>45358</v></c><c t="inlineStr"><is><t>x_x000D_</t></is></c></row></sheetData></worksheet>`,
	}))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Open("upload.xlsx", bytes.NewReader(data), 1<<20)
		if err != nil {
			return
		}
		defer r.Close()
		if _, err := r.Header([]string{"姓名", "出生日期"}, 1); err != nil {
			return
		}
		for i := 0; i < 100_000; i++ {
			row, err := r.Next()
			if err != nil {
				return
			}
			if row.Line < 1 || len(row.Cells) == 0 || row.Cells[len(row.Cells)-1] == "" {
				t.Fatalf("bad row %v", row)
			}
			for _, c := range row.Cells {
				if !utf8.ValidString(c) || c != trim(c) {
					t.Fatalf("bad cell %q", c)
				}
			}
		}
	})
}
