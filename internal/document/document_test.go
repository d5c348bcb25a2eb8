package document

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func sample(rows int) *Document {
	d := &Document{
		Paper:          A4,
		MongolianFirst: true,
		Title:          Text{ZH: "积分公示", MN: "ᠣᠨᠤᠭ᠎ᠠ ᠶᠢᠨ ᠵᠠᠷᠯᠠᠯ"},
		Fields:         []Field{{Plain("村"), "第一村"}, {Plain("乡镇"), "察尔森镇"}, {Plain("打印日期"), "2026-12-07"}},
		Columns: []Column{{Label: Plain("序号"), Weight: 0.6, Num: true}, {Label: Plain("户号"), Weight: 1.2}, {Label: Plain("户主"), Weight: 1},
			{Label: Plain("事项"), Weight: 3}, {Label: Plain("分值"), Weight: 0.7, Num: true}, {Label: Plain("核查"), Weight: 0.6, Box: true}},
		Totals:     []string{"", "合计", "", "", "999", ""},
		Notes:      []Text{{ZH: "公示期内如有异议，请扫码或致电村委会。"}},
		Signatures: []Text{Plain("经办人"), Plain("审核人")},
		DateLabel:  Plain("日期"),
		Issuer:     "第一村村民委员会",
		Date:       "2026年12月7日",
		Seal:       Plain("（盖章）"),
		QR:         "https://example.invalid/objection",
		QRCaption:  []string{"异议电话：0482-1234567"},
		PageOf:     "第 %d 页 / 共 %d 页",
	}
	for i := 1; i <= rows; i++ {
		d.Rows = append(d.Rows, []string{fmt.Sprint(i), fmt.Sprintf("150000-%04d", i), "张*", "参加2026-12-01村庄环境整治义务劳动并清理道路两侧垃圾", "5", ""})
	}
	return d
}

// TestPDFEntriesAndPages checks that every row of a long table reaches the
// PDF in order, with the last on the last page, and the header repeated on
// each page; pdftotext reads the text back through the ToUnicode maps.
func TestPDFEntriesAndPages(t *testing.T) {
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("pdftotext missing: scripts/install-test-deps.sh installs poppler-utils")
		}
		t.Skip("pdftotext not installed (poppler-utils)")
	}
	b, err := sample(120).PDF()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "doc.pdf")
	os.WriteFile(path, b, 0o600)
	if dir := os.Getenv("SHANZHI_KEEP_PDF"); dir != "" {
		os.WriteFile(filepath.Join(dir, "sample.pdf"), b, 0o600)
	}
	out, err := exec.Command(bin, "-layout", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	pages := strings.Split(strings.TrimRight(string(out), "\f"), "\f")
	if len(pages) < 3 {
		t.Fatalf("120 rows on %d pages", len(pages))
	}
	for i, p := range pages {
		if !strings.Contains(p, "户号") {
			t.Errorf("page %d has no column header", i+1)
		}
		// pdftotext drops the spaces it reads as glyph gaps
		if !strings.Contains(strings.ReplaceAll(p, " ", ""), fmt.Sprintf("第%d页/共%d页", i+1, len(pages))) {
			t.Errorf("page %d has no page number", i+1)
		}
	}
	last := pages[len(pages)-1]
	if !strings.Contains(last, "150000-0120") || !strings.Contains(last, "第一村村民委员会") {
		t.Errorf("last page lacks the last row or the issuer:\n%s", last)
	}
	at := -1
	for i := 1; i <= 120; i++ {
		n := strings.Index(string(out), fmt.Sprintf("150000-%04d", i))
		if n < at {
			t.Fatalf("row %d missing or out of order", i)
		}
		at = n
	}
}

// TestReceiptIsAsLongAsItsContent: a receipt page ends with its content.
func TestReceiptIsAsLongAsItsContent(t *testing.T) {
	heights := map[int]float64{}
	for _, n := range []int{2, 12} {
		d := &Document{Paper: Receipt58, Title: Plain("积分超市小票"), Columns: []Column{{Label: Plain("商品"), Weight: 2}, {Label: Plain("数量"), Num: true}},
			Signatures: []Text{Plain("经手人")}}
		for i := 0; i < n; i++ {
			d.Rows = append(d.Rows, []string{"肥皂", "1"})
		}
		b, err := d.PDF()
		if err != nil {
			t.Fatal(err)
		}
		var w, h float64
		i := strings.Index(string(b), "/MediaBox [0 0 ")
		fmt.Sscanf(string(b[i+len("/MediaBox [0 0 "):]), "%g %g", &w, &h)
		if w < 164 || w > 165 {
			t.Fatalf("58 mm receipt %g pt wide", w)
		}
		heights[n] = h
	}
	if heights[2] >= heights[12] || heights[12] > 842/2 {
		t.Fatalf("receipt heights %v: not as long as the content", heights)
	}
}

func TestHTMLHasEveryRow(t *testing.T) {
	h, err := sample(30).HTML()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"150000-0030", "ᠣᠨᠤᠭ᠎ᠠ", "第一村村民委员会", "（盖章）", "data:image/png;base64,", `class="box"`} {
		if !strings.Contains(string(h), s) {
			t.Errorf("HTML lacks %q", s)
		}
	}
}

// TestCardFitsOneCard: a household card of a usual household is one page
// of ID-1 size with its QR code beside the members.
func TestCardFitsOneCard(t *testing.T) {
	d := &Document{Paper: Card, Title: Plain("平安村 户卡"), Fields: []Field{{Plain("户号"), "018"}, {Plain("户主"), "张桂芳"}},
		Columns: []Column{{Label: Plain("姓名"), Weight: 1.4}, {Label: Plain("关系"), Weight: 1}},
		QR:      "https://example.invalid/card/ABCDEFGHJKMNPQRSTVWXYZ0123", QRCaption: []string{"卡号 ABCDEFGHJKMNPQRSTVWXYZ0123"}}
	for _, m := range []string{"张桂芳", "李建国", "李小明", "李小红", "王秀英"} {
		d.Rows = append(d.Rows, []string{m, "本人"})
	}
	b, err := d.PDF()
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(b), "/Type /Page "); n != 1 || !strings.Contains(string(b), "/MediaBox [0 0 242.65 153.07]") {
		t.Fatalf("%d pages; %s", n, b[strings.Index(string(b), "/MediaBox"):][:40])
	}
	if dir := os.Getenv("SHANZHI_KEEP_PDF"); dir != "" {
		os.WriteFile(filepath.Join(dir, "card.pdf"), b, 0o600)
	}
}

// BenchmarkRegisterPDF300 renders the register of a 300-household village
// (1,050 people, landscape A4) to PDF: the size and time a township clerk
// waits for.
func BenchmarkRegisterPDF300(b *testing.B) {
	d := &Document{Paper: A4Landscape, Title: Plain("科尔沁镇平安村户籍台账"), PageOf: "第 %d 页 / 共 %d 页",
		Columns: []Column{{Label: Plain("序号"), Weight: 0.5, Num: true}, {Label: Plain("户号"), Weight: 0.9}, {Label: Plain("姓名"), Weight: 1},
			{Label: Plain("与户主关系"), Weight: 0.8}, {Label: Plain("性别"), Weight: 0.45}, {Label: Plain("民族"), Weight: 0.7}, {Label: Plain("出生日期"), Weight: 1},
			{Label: Plain("身份证号"), Weight: 1.8}, {Label: Plain("手机号"), Weight: 1.2}, {Label: Plain("家庭住址"), Weight: 2}},
		Signatures: []Text{Plain("经办人"), Plain("审核人")}, DateLabel: Plain("日期")}
	surnames := []rune("赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜")
	given := []rune("建国秀英桂芳志强丽娟巴特尔乌云其其格宝音图门")
	for h := 0; h < 300; h++ {
		for m := 0; m < 3+h%2; m++ {
			seq, num, addr := "", "", ""
			if m == 0 {
				seq, num, addr = fmt.Sprint(h+1), fmt.Sprintf("%03d", h+1), fmt.Sprintf("平安村第%d村民小组%d号", h%9+1, h+1)
			}
			name := string(surnames[h%len(surnames)]) + string(given[(h+m)%len(given)]) + string(given[(h*7+m)%len(given)])
			d.Rows = append(d.Rows, []string{seq, num, name, []string{"户主", "配偶", "子", "女"}[m], "男", "蒙古族", "1970-01-01",
				fmt.Sprintf("152221********%04d", h*4+m), fmt.Sprintf("170****%04d", h*4+m), addr})
		}
	}
	var size int
	for b.Loop() {
		out, err := d.PDF()
		if err != nil {
			b.Fatal(err)
		}
		size = len(out)
	}
	b.ReportMetric(float64(size)/1024, "KB")
	b.ReportMetric(float64(len(d.Rows)), "rows")
}
