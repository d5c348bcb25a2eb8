package pdf

import (
	"bytes"
	"sync"
	"unicode"

	"github.com/go-text/typesetting/di"
	"github.com/go-text/typesetting/font"
	"github.com/go-text/typesetting/language"
	"github.com/go-text/typesetting/shaping"
	"golang.org/x/image/math/fixed"

	"shanzhi/internal/fonts"
)

// face is one of the two embedded fonts as the writer uses it: parsed once
// for the whole process (the font tables are read-only), with a face per
// document because a font.Face caches and is not safe for concurrent use.
type face struct {
	name   string
	sfnt   *sfnt
	font   *font.Font
	ascent float64 // per unit of size
	descnt float64 // per unit of size, positive
}

var (
	loadOnce sync.Once
	loaded   [3]*face
	loadErr  error
)

const (
	cjkFace = iota
	mongolianFace
	latinFace
)

var faceNames = [3]string{"DroidSansFallbackFull", "NotoSansMongolian-Regular", "NotoSans-Regular"}

func loadFaces() ([3]*face, error) {
	loadOnce.Do(func() {
		for i, src := range [][]byte{fonts.CJK(), fonts.Mongolian(), fonts.Latin()} {
			s, err := parseSfnt(src)
			if err != nil {
				loadErr = err
				return
			}
			f, err := font.ParseTTF(bytes.NewReader(src))
			if err != nil {
				loadErr = err
				return
			}
			fc := &face{sfnt: s, font: f.Font, name: faceNames[i]}
			if ext, ok := f.FontHExtents(); ok {
				fc.ascent, fc.descnt = float64(ext.Ascender)/s.upem, -float64(ext.Descender)/s.upem
			}
			loaded[i] = fc
		}
	})
	return loaded, loadErr
}

// isMongolian says which runes the Mongolian font draws: the Mongolian
// block, its free variation selectors, and the narrow no-break space that
// separates a Mongolian word from its suffix.
func isMongolian(r rune) bool {
	return r >= 0x1800 && r <= 0x18AF || r == 0x202F || r >= 0x11660 && r <= 0x1167F
}

// Glyph is one shaped glyph: its font, id, advance and offsets in points,
// and the text it stands for (for the ToUnicode map).
type Glyph struct {
	face            int
	ID              int
	Advance, DX, DY float64
	text            []rune
	cluster, nrunes int
}

// Run is a shaped line of text.
type Run struct {
	Glyphs []Glyph
	Width  float64
	Size   float64
}

// shaper shapes text with the harfbuzz port of go-text/typesetting, so
// Mongolian gets its initial, medial and final forms and the font's
// positioning, exactly as HarfBuzz would give them.
type shaper struct {
	hb    shaping.HarfbuzzShaper
	faces [3]*font.Face
	latin *font.Font
	cache map[runKey]Run
}

type runKey struct {
	s    string
	size float64
}

func newShaper(f [3]*face) *shaper {
	return &shaper{faces: [3]*font.Face{font.NewFace(f[0].font), font.NewFace(f[1].font), font.NewFace(f[2].font)}, latin: f[latinFace].font, cache: map[runKey]Run{}}
}

// faceOf picks the font for a rune: Mongolian for Mongolian, Noto Sans for
// what it has below the CJK blocks (digits, Latin, ASCII punctuation, which
// Droid Sans Fallback lacks), Droid Sans Fallback for the rest.
func (sh *shaper) faceOf(r rune) int {
	switch {
	case isMongolian(r):
		return mongolianFace
	case r < 0x2E80:
		if _, ok := sh.latin.NominalGlyph(r); ok {
			return latinFace
		}
	}
	return cjkFace
}

// shape shapes s at size points, splitting it into runs of one font each.
func (sh *shaper) shape(s string, size float64) Run {
	key := runKey{s, size}
	if r, ok := sh.cache[key]; ok {
		return r
	}
	text := []rune(s)
	run := Run{Size: size}
	for start := 0; start < len(text); {
		fi := sh.faceOf(text[start])
		end := start + 1
		// A space inside Mongolian stays in the Mongolian run, so the words
		// around it shape as one line.
		for end < len(text) && (sh.faceOf(text[end]) == fi || fi == mongolianFace && text[end] == ' ') {
			end++
		}
		script := [3]language.Script{language.Han, language.Mongolian, language.Latin}[fi]
		out := sh.hb.Shape(shaping.Input{
			Text: text, RunStart: start, RunEnd: end, Direction: di.DirectionLTR,
			Face: sh.faces[fi], Size: fixed.I(1000), Script: script, Language: language.NewLanguage([3]string{"zh", "mn", "und"}[fi]),
		})
		for i, g := range out.Glyphs {
			n := g.RunesCount()
			if i > 0 && out.Glyphs[i-1].TextIndex() == g.TextIndex() {
				n = 0 // the cluster's text goes with its first glyph
			}
			gl := Glyph{face: fi, ID: int(g.GlyphID), Advance: fx(g.Advance) * size / 1000,
				DX: fx(g.XOffset) * size / 1000, DY: fx(g.YOffset) * size / 1000, cluster: g.TextIndex(), nrunes: g.RunesCount()}
			if n > 0 {
				gl.text = text[g.TextIndex() : g.TextIndex()+n]
			}
			run.Glyphs = append(run.Glyphs, gl)
			run.Width += gl.Advance
		}
		start = end
	}
	sh.cache[key] = run
	return run
}

func fx(v fixed.Int26_6) float64 { return float64(v) / 64 }

// breakable says whether a line may break before rune i of text: after a
// Han character or a CJK punctuation mark, or at a space, but never inside
// a run of letters and digits such as a date, a number or a Mongolian word.
func breakable(text []rune, i int) bool {
	if i <= 0 || i >= len(text) {
		return false
	}
	prev, cur := text[i-1], text[i]
	if unicode.IsSpace(prev) || unicode.IsSpace(cur) {
		return true
	}
	wide := func(r rune) bool { return r >= 0x2E80 && !isMongolian(r) }
	// closing punctuation stays with the character before it
	if wide(cur) && unicode.Is(unicode.Pe, cur) || cur == '，' || cur == '。' || cur == '、' || cur == '：' || cur == '；' {
		return false
	}
	return wide(prev) || wide(cur)
}

// wrap breaks s into lines no wider than width points at size.
func (sh *shaper) wrap(s string, size, width float64) []string {
	var lines []string
	text := []rune(s)
	for len(text) > 0 {
		if i := indexRune(text, '\n'); i >= 0 {
			lines = append(lines, sh.wrapLine(text[:i], size, width)...)
			text = text[i+1:]
			continue
		}
		lines = append(lines, sh.wrapLine(text, size, width)...)
		break
	}
	return lines
}

func indexRune(t []rune, r rune) int {
	for i, c := range t {
		if c == r {
			return i
		}
	}
	return -1
}

func (sh *shaper) wrapLine(text []rune, size, width float64) []string {
	run := sh.shape(string(text), size)
	adv := make([]float64, len(text)+1) // advance at the start of each rune
	for _, g := range run.Glyphs {
		if g.cluster < len(text) {
			adv[g.cluster+1] += g.Advance
		}
	}
	for i := 1; i <= len(text); i++ {
		adv[i] += adv[i-1]
	}
	var lines []string
	start := 0
	for start < len(text) {
		end, last := start, -1
		for end < len(text) && (adv[end+1]-adv[start] <= width || end == start) {
			end++
			if breakable(text, end) {
				last = end
			}
		}
		if end < len(text) {
			if last > start {
				end = last
			}
		}
		line := string(text[start:end])
		lines = append(lines, trimSpace(line))
		start = end
		for start < len(text) && text[start] == ' ' {
			start++
		}
	}
	if len(lines) == 0 {
		lines = []string{""}
	}
	return lines
}

func trimSpace(s string) string {
	r := []rune(s)
	for len(r) > 0 && r[len(r)-1] == ' ' {
		r = r[:len(r)-1]
	}
	return string(r)
}
