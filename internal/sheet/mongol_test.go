package sheet

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// mongolRow holds traditional Mongolian as villages type it: a free
// variation selector (ᠪᠠᠲ᠋ᠤ), a vowel separator before a final a
// (ᠰᠠᠷᠠᠨ᠎ᠠ) and a narrow no-break space before a suffix (ᠪᠠᠲᠤ ᠶᠢᠨ).
var mongolRow = []string{"巴图", "\u182A\u1820\u1832\u180B\u1824", "\u1830\u1820\u1837\u1820\u1828\u180E\u1820", "\u182A\u1820\u1832\u1824\u202F\u1836\u1822\u1828"}

// TestMongolianRoundTripsXLSX writes Mongolian into an export and reads it
// back through Open unchanged, format characters included.
func TestMongolianRoundTripsXLSX(t *testing.T) {
	var buf bytes.Buffer
	cols := []Column{{Header: "姓名"}, {Header: "蒙古文姓名"}, {Header: "其他"}, {Header: "备注"}}
	w, err := NewWriter(&buf, Table{Title: "嘎查户籍台账", Columns: cols})
	if err != nil {
		t.Fatal(err)
	}
	vals := make([]any, len(mongolRow))
	for i, s := range mongolRow {
		vals[i] = s
	}
	if err := w.Write(vals...); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := Open("x.xlsx", bytes.NewReader(buf.Bytes()), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	rows := readAll(t, r)
	last := rows[len(rows)-1].Cells
	if len(last) < 2 || !reflect.DeepEqual(last[1:], mongolRow) {
		t.Fatalf("read back %q, want 序号 and %q", last, mongolRow)
	}
}

// TestMongolianRoundTripsCSV reads Mongolian from CSV in UTF-8, with and
// without a byte-order mark, and in GB18030, which encodes the Mongolian
// block (U+1800–U+18AF) and the narrow space in its four-byte range: every
// such character is a byte pair 0x81–0xFE, 0x30–0x39 twice over.
func TestMongolianRoundTripsCSV(t *testing.T) {
	text := "姓名,蒙古文姓名,其他,备注\n" + strings.Join(mongolRow, ",") + "\n"
	gb, err := simplifiedchinese.GB18030.NewEncoder().String(text)
	if err != nil {
		t.Fatalf("GB18030 cannot encode the Mongolian: %v", err)
	}
	enc, _ := simplifiedchinese.GB18030.NewEncoder().String(mongolRow[1])
	if len(enc) != 4*len([]rune(mongolRow[1])) || enc[0] < 0x81 || enc[1] < 0x30 || enc[1] > 0x39 {
		t.Fatalf("ᠪᠠᠲ᠋ᠤ is % x in GB18030, not four bytes a character", enc)
	}
	for name, data := range map[string][]byte{
		"UTF-8":       []byte(text),
		"UTF-8 + BOM": append([]byte{0xEF, 0xBB, 0xBF}, text...),
		"GB18030":     []byte(gb),
	} {
		r, err := Open("x.csv", bytes.NewReader(data), 0)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := r.Next(); err != nil {
			t.Fatalf("%s header: %v", name, err)
		}
		row, err := r.Next()
		r.Close()
		if err != nil || !reflect.DeepEqual(row.Cells, mongolRow) {
			t.Errorf("%s: read %q (%v), want %q", name, row.Cells, err, mongolRow)
		}
	}
}
