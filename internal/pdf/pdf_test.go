package pdf

import (
	"bytes"
	"compress/zlib"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"shanzhi/internal/fonts"
)

// contentGlyphs inflates every stream of a PDF and returns the glyph ids of
// the text-showing strings of its page contents, in drawing order.
func contentGlyphs(t *testing.T, pdf []byte) []int {
	t.Helper()
	var ids []int
	streams := regexp.MustCompile(`(?s)<<([^\n]*?)>>\nstream\n(.*?)\nendstream`).FindAllSubmatch(pdf, -1)
	hex := regexp.MustCompile(`<([0-9A-F]{4})>`)
	for _, s := range streams {
		zr, err := zlib.NewReader(bytes.NewReader(s[2]))
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(data, []byte("1 0 0 1 0 ")) { // page contents only
			continue
		}
		for _, m := range hex.FindAllSubmatch(data, -1) {
			g, _ := strconv.ParseUint(string(m[1]), 16, 16)
			ids = append(ids, int(g))
		}
	}
	return ids
}

// hbShape runs Debian's hb-shape, an independent shaper, on the same font
// file and returns its glyph ids.
func hbShape(t *testing.T, font []byte, text string) []int {
	t.Helper()
	bin, err := exec.LookPath("hb-shape")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("hb-shape missing: scripts/install-test-deps.sh installs libharfbuzz-bin")
		}
		t.Skip("hb-shape not installed (apt-get install libharfbuzz-bin)")
	}
	path := filepath.Join(t.TempDir(), "font.ttf")
	if err := os.WriteFile(path, font, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "--no-glyph-names", "--no-positions", "--no-clusters", path, text).Output()
	if err != nil {
		t.Fatal(err)
	}
	var ids []int
	for _, f := range strings.Split(strings.Trim(strings.TrimSpace(string(out)), "[]"), "|") {
		g, err := strconv.Atoi(f)
		if err != nil {
			t.Fatalf("hb-shape output %q", out)
		}
		ids = append(ids, g)
	}
	return ids
}

// TestShapingMatchesHarfBuzz draws sample Mongolian (horizontal and as a
// vertical line) and Chinese strings and compares the glyph sequence in the
// PDF with hb-shape's on the same font: the joining forms of Mongolian
// (initial, medial, final, and the forms after a narrow no-break space) are
// glyphs of their own, so a shaper that skipped them would differ here.
func TestShapingMatchesHarfBuzz(t *testing.T) {
	samples := []struct {
		text     string
		font     []byte
		vertical bool
	}{
		{"ᠮᠣᠩᠭᠣᠯ", fonts.Mongolian(), false},                         // mongɣol
		{"ᠬᠥᠮᠥᠨ ᠤ ᠰᠠᠢᠨ", fonts.Mongolian(), true},                    // with a suffix
		{"ᠭᠠᠴᠠᠭ\u180eᠠ", fonts.Mongolian(), true},                    // with MVS
		{"ᠪᠠᠶᠠᠷ\u202Fᠤᠨ ᠲᠣᠭ\u180eᠠ ᠪᠢᠴᠢᠭ", fonts.Mongolian(), false}, // NNBSP suffix
		{"善治积分公示：第一村民小组", fonts.CJK(), false},
		{"2026-12-07 No. 150000-0120", fonts.Latin(), false},
		{"兴安盟科尔沁右翼前旗", fonts.CJK(), false},
	}
	for _, s := range samples {
		d, err := New()
		if err != nil {
			t.Fatal(err)
		}
		p := d.AddPage(A4)
		if s.vertical {
			p.VText(100, 100, 12, s.text)
		} else {
			p.Text(100, 100, 12, s.text)
		}
		got := contentGlyphs(t, d.Bytes())
		want := hbShape(t, s.font, s.text)
		if len(got) != len(want) {
			t.Fatalf("%q: PDF glyphs %v, hb-shape %v", s.text, got, want)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("%q: PDF glyphs %v, hb-shape %v", s.text, got, want)
			}
		}
	}
}
