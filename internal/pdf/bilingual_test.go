package pdf_test

import (
	"slices"
	"strings"
	"testing"

	"shanzhi/internal/document"
	"shanzhi/internal/fonts"
	"shanzhi/internal/i18n"
	"shanzhi/internal/pdf"
)

// TestBilingualNoticeMatchesHarfBuzz renders a Mongolian-first 公示 with
// the catalogue's Mongolian title, column header and note and checks that
// each Mongolian text's glyph run in the PDF is the run hb-shape gives for
// the same string on the same font, so the vertical lines of a real
// notice are joined as HarfBuzz joins them.
func TestBilingualNoticeMatchesHarfBuzz(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	mn := func(key string, args ...any) string {
		s, ok := cat.Mongol(key, args...)
		if !ok {
			t.Fatalf("no Mongolian for %s", key)
		}
		return s
	}
	title := mn("print.notice.title", "ᠪᠠᠶᠠᠨ ᠭᠠᠴᠠᠭ\u180eᠠ")
	head := mn("print.col.seq")
	note := mn("print.notice.how_to_object")
	person := "ᠪᠠ**"
	d := &document.Document{
		Paper:          document.A4,
		MongolianFirst: true,
		Title:          document.Text{ZH: "巴彦嘎查积分公示", MN: title},
		Columns: []document.Column{
			{Label: document.Text{ZH: "序号", MN: head}, Num: true},
			{Label: document.Text{ZH: "户主", MN: mn("col.head")}},
		},
		Rows:   [][]string{{"1", "巴*"}},
		RowsMN: [][]string{{"", person}},
		Notes:  []document.Text{{ZH: "公示期内如有异议……", MN: note}},
	}
	b, err := d.PDF()
	if err != nil {
		t.Fatal(err)
	}
	got := pdf.ContentGlyphs(t, b)
	// The note is set in several vertical lines, broken between words,
	// and its "QR" is Latin, drawn in the Latin font (the Mongolian one
	// has none), so its Mongolian words are compared one by one.
	runs := []string{title, head, "ᠪᠠ"}
	for _, w := range strings.Fields(note) {
		if w != "QR" {
			runs = append(runs, w)
		}
	}
	if len(runs) < 20 {
		t.Fatalf("the note has only %d words", len(runs)-3)
	}
	for _, s := range runs {
		want := pdf.HBShape(t, fonts.Mongolian(), s)
		if !contains(got, want) {
			t.Fatalf("%q: hb-shape's run %v is not in the PDF's glyphs %v", s, want, got)
		}
	}
	// A Chinese-only paper of the same definition draws no Mongolian.
	d.MongolianFirst = false
	if b, err = d.PDF(); err != nil {
		t.Fatal(err)
	}
	if contains(pdf.ContentGlyphs(t, b), pdf.HBShape(t, fonts.Mongolian(), title)) {
		t.Fatal("a Chinese-only notice draws the Mongolian title")
	}
}

func contains(hay, run []int) bool {
	for i := range hay {
		if i+len(run) <= len(hay) && slices.Equal(hay[i:i+len(run)], run) {
			return true
		}
	}
	return false
}
