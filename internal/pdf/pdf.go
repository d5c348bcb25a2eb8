// Package pdf writes PDF files in pure Go: pages of any size (A4, A3, card,
// and receipt widths whose length follows their content), text in Chinese
// and traditional Mongolian shaped by a HarfBuzz port, Mongolian vertical
// lines as rotated shaped runs, lines, boxes and QR codes. Fonts are the
// ones shanzhi ships (internal/fonts), embedded as CIDFontType2 subsets
// with ToUnicode maps, so the text can be searched and copied.
//
// Coordinates are in points (1/72 inch) from the top-left corner of the
// page, y growing downwards, as a page is read and laid out.
package pdf

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode/utf16"

	qrcode "github.com/skip2/go-qrcode"
)

// Paper sizes in points.
const (
	MM = 72 / 25.4
)

// Size is a page size in points.
type Size struct{ W, H float64 }

// Page sizes. Receipt widths have no fixed height: a receipt page is as
// long as its content (see Doc.AddPage).
var (
	A4         = Size{210 * MM, 297 * MM}
	A3         = Size{297 * MM, 420 * MM}
	Card       = Size{85.6 * MM, 54 * MM} // ISO/IEC 7810 ID-1, the size of an ID card
	Receipt58  = Size{58 * MM, 0}
	Receipt80  = Size{80 * MM, 0}
	DefaultPad = 15 * MM
)

// Landscape turns a size sideways.
func (s Size) Landscape() Size { return Size{s.H, s.W} }

// Doc is a PDF document being written.
type Doc struct {
	faces [3]*face
	sh    *shaper
	pages []*Page
	used  [3]map[int][]rune // glyph id -> text, per font
	Title string
}

// New starts a document. It fails only if the embedded fonts do not parse.
func New() (*Doc, error) {
	f, err := loadFaces()
	if err != nil {
		return nil, err
	}
	return &Doc{faces: f, sh: newShaper(f), used: [3]map[int][]rune{{}, {}, {}}}, nil
}

// Page is one page; its height may be set after drawing, which is how a
// receipt ends where its content does.
type Page struct {
	W, H float64
	buf  bytes.Buffer
	doc  *Doc
}

// AddPage adds a page of the given size.
func (d *Doc) AddPage(s Size) *Page {
	p := &Page{W: s.W, H: s.H, doc: d}
	d.pages = append(d.pages, p)
	return p
}

// Pages is the number of pages so far.
func (d *Doc) Pages() int { return len(d.pages) }

// Page returns page i (0-based).
func (d *Doc) Page(i int) *Page { return d.pages[i] }

// Measure is the width of s set at size points.
func (d *Doc) Measure(s string, size float64) float64 { return d.sh.shape(s, size).Width }

// Wrap breaks s into lines that fit width at size; it breaks after Chinese
// characters and at spaces, never inside a number, a date or a word.
func (d *Doc) Wrap(s string, size, width float64) []string { return d.sh.wrap(s, size, width) }

// Shape returns the shaped glyphs of s at size, as they will be drawn.
func (d *Doc) Shape(s string, size float64) Run { return d.sh.shape(s, size) }

// Ascent and Descent are the line extents of the Chinese font per point of
// size, used for the line height.
func (d *Doc) Ascent() float64  { return d.faces[cjkFace].ascent }
func (d *Doc) Descent() float64 { return d.faces[cjkFace].descnt }

func num(v float64) string {
	s := fmt.Sprintf("%.2f", v)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if s == "-0" {
		return "0"
	}
	return s
}

// Text draws s with its baseline starting at (x, y).
func (p *Page) Text(x, y, size float64, s string) { p.text(x, y, size, s, false) }

// VText draws s as a vertical Mongolian line: the run is shaped as a
// horizontal line and turned a quarter clockwise, so it reads top to bottom
// with the tops of the letters to the right; x is the baseline's position,
// y where the line begins.
func (p *Page) VText(x, y, size float64, s string) { p.text(x, y, size, s, true) }

func (p *Page) text(x, y, size float64, s string, vertical bool) {
	if s == "" {
		return
	}
	run := p.doc.sh.shape(s, size)
	w := &p.buf
	pen := 0.0
	cur := -1
	open := false
	// at maps a point along the line (t) and across it (up) to page space.
	at := func(t, up float64) (float64, float64) {
		if vertical {
			return x + up, y + t
		}
		return x + t, y - up
	}
	matrix := "1 0 0 1"
	if vertical {
		matrix = "0 -1 1 0"
	}
	closeTJ := func() {
		if open {
			w.WriteString("] TJ\n")
			open = false
		}
	}
	w.WriteString("BT\n")
	for _, g := range run.Glyphs {
		p.doc.use(g)
		if g.face != cur {
			closeTJ()
			fmt.Fprintf(w, "/F%d %s Tf\n", g.face, num(size))
			cur = g.face
		}
		moved := g.DX != 0 || g.DY != 0
		if moved || !open {
			closeTJ()
			px, py := at(pen+g.DX, g.DY)
			fmt.Fprintf(w, "%s %s %s Tm [", matrix, num(px), num(-py))
			open = true
		}
		fmt.Fprintf(w, "<%04X>", g.ID)
		// The font's own advance moves the pen; a TJ number corrects it to
		// the shaped advance (kerning, joining forms' positioning).
		natural := float64(p.doc.faces[g.face].sfnt.advances[g.ID]) / p.doc.faces[g.face].sfnt.upem * size
		if adj := (natural - g.Advance) * 1000 / size; adj > 0.01 || adj < -0.01 {
			fmt.Fprintf(w, " %s ", num(adj))
		}
		if moved {
			closeTJ()
		}
		pen += g.Advance
	}
	closeTJ()
	w.WriteString("ET\n")
}

func (d *Doc) use(g Glyph) {
	if _, ok := d.used[g.face][g.ID]; !ok || len(g.text) > 0 && len(d.used[g.face][g.ID]) == 0 {
		d.used[g.face][g.ID] = g.text
	}
}

// Line draws a line of the given width.
func (p *Page) Line(x1, y1, x2, y2, width float64) {
	fmt.Fprintf(&p.buf, "%s w %s %s m %s %s l S\n", num(width), num(x1), num(-y1), num(x2), num(-y2))
}

// Rect draws a rectangle's outline; dashed draws it in dashes, as the place
// a seal goes.
func (p *Page) Rect(x, y, w, h, width float64, dashed bool) {
	if dashed {
		p.buf.WriteString("[3 2] 0 d ")
	}
	fmt.Fprintf(&p.buf, "%s w %s %s %s %s re S\n", num(width), num(x), num(-y-h), num(w), num(h))
	if dashed {
		p.buf.WriteString("[] 0 d\n")
	}
}

// Fill fills a rectangle in a grey level (0 black, 1 white).
func (p *Page) Fill(x, y, w, h, grey float64) {
	fmt.Fprintf(&p.buf, "%s g %s %s %s %s re f 0 g\n", num(grey), num(x), num(-y-h), num(w), num(h))
}

// QR draws a QR code of content as vector squares, side points wide.
func (p *Page) QR(x, y, side float64, content string) error {
	q, err := qrcode.New(content, qrcode.Medium)
	if err != nil {
		return err
	}
	q.DisableBorder = true
	bm := q.Bitmap()
	m := side / float64(len(bm))
	for r, row := range bm {
		for c, dark := range row {
			if dark {
				fmt.Fprintf(&p.buf, "%s %s %s %s re ", num(x+float64(c)*m), num(-y-float64(r+1)*m), num(m+0.01), num(m+0.01))
			}
		}
	}
	p.buf.WriteString("f\n")
	return nil
}

// writer numbers and writes objects and keeps their offsets for xref.
type writer struct {
	w       bytes.Buffer
	offsets []int
}

func (w *writer) reserve() int { w.offsets = append(w.offsets, 0); return len(w.offsets) }

func (w *writer) obj(id int, body string) {
	w.offsets[id-1] = w.w.Len()
	fmt.Fprintf(&w.w, "%d 0 obj\n%s\nendobj\n", id, body)
}

func (w *writer) stream(id int, dict string, data []byte) {
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
	zw.Write(data)
	zw.Close()
	w.offsets[id-1] = w.w.Len()
	fmt.Fprintf(&w.w, "%d 0 obj\n<<%s /Filter /FlateDecode /Length %d>>\nstream\n", id, dict, z.Len())
	w.w.Write(z.Bytes())
	w.w.WriteString("\nendstream\nendobj\n")
}

// WriteTo writes the finished PDF.
func (d *Doc) WriteTo(out io.Writer) (int64, error) {
	w := &writer{}
	w.w.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	catalog, pagesID := w.reserve(), w.reserve()
	var fontIDs [3]int
	for fi := range d.faces {
		if len(d.used[fi]) > 0 {
			fontIDs[fi] = d.writeFont(w, fi)
		}
	}
	var res strings.Builder
	res.WriteString("/Font <<")
	for fi, id := range fontIDs {
		if id != 0 {
			fmt.Fprintf(&res, " /F%d %d 0 R", fi, id)
		}
	}
	res.WriteString(" >>")
	var kids []string
	for _, p := range d.pages {
		pid, cid := w.reserve(), w.reserve()
		kids = append(kids, fmt.Sprintf("%d 0 R", pid))
		h := p.H
		content := append([]byte(fmt.Sprintf("1 0 0 1 0 %s cm\n", num(h))), p.buf.Bytes()...)
		w.stream(cid, "", content)
		w.obj(pid, fmt.Sprintf("<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %s %s] /Resources << %s >> /Contents %d 0 R >>", pagesID, num(p.W), num(h), res.String(), cid))
	}
	w.obj(pagesID, fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), len(kids)))
	w.obj(catalog, fmt.Sprintf("<< /Type /Catalog /Pages %d 0 R >>", pagesID))
	info := w.reserve()
	w.obj(info, fmt.Sprintf("<< /Title %s /Producer (shanzhi) >>", utf16String(d.Title)))
	xref := w.w.Len()
	fmt.Fprintf(&w.w, "xref\n0 %d\n0000000000 65535 f \n", len(w.offsets)+1)
	for _, o := range w.offsets {
		fmt.Fprintf(&w.w, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&w.w, "trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(w.offsets)+1, catalog, info, xref)
	n, err := out.Write(w.w.Bytes())
	return int64(n), err
}

// Bytes returns the finished PDF.
func (d *Doc) Bytes() []byte {
	var b bytes.Buffer
	d.WriteTo(&b)
	return b.Bytes()
}

func utf16String(s string) string {
	var b strings.Builder
	b.WriteString("<FEFF")
	for _, u := range utf16.Encode([]rune(s)) {
		fmt.Fprintf(&b, "%04X", u)
	}
	b.WriteString(">")
	return b.String()
}

// subsetTag is the six capital letters a subset font's name starts with,
// drawn from the glyphs it holds so the same text gives the same file.
func subsetTag(ids []int) string {
	h := uint32(2166136261)
	for _, g := range ids {
		h = (h ^ uint32(g)) * 16777619
	}
	t := make([]byte, 6)
	for i := range t {
		t[i] = 'A' + byte(h%26)
		h /= 26
	}
	return string(t)
}

func (d *Doc) writeFont(w *writer, fi int) int {
	f := d.faces[fi]
	ids := make([]int, 0, len(d.used[fi]))
	used := map[int]bool{}
	for g := range d.used[fi] {
		ids = append(ids, g)
		used[g] = true
	}
	sort.Ints(ids)
	name := subsetTag(ids) + "+" + f.name
	type0, cid, desc, file, tounicode := w.reserve(), w.reserve(), w.reserve(), w.reserve(), w.reserve()
	w.stream(file, "", f.sfnt.subset(used))
	scale := 1000 / f.sfnt.upem
	head := f.sfnt.tables["head"]
	bbox := make([]string, 4)
	for i := range bbox {
		bbox[i] = num(float64(int16(uint16(head[36+2*i])<<8|uint16(head[37+2*i]))) * scale)
	}
	w.obj(desc, fmt.Sprintf("<< /Type /FontDescriptor /FontName /%s /Flags 4 /FontBBox [%s] /ItalicAngle 0 /Ascent %s /Descent %s /CapHeight %s /StemV 80 /FontFile2 %d 0 R >>",
		name, strings.Join(bbox, " "), num(f.ascent*1000), num(-f.descnt*1000), num(f.ascent*1000), file))
	var widths strings.Builder
	for _, g := range ids {
		fmt.Fprintf(&widths, "%d [%s] ", g, num(float64(f.sfnt.advances[g])*scale))
	}
	w.obj(cid, fmt.Sprintf("<< /Type /Font /Subtype /CIDFontType2 /BaseFont /%s /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor %d 0 R /DW 1000 /W [%s] /CIDToGIDMap /Identity >>",
		name, desc, widths.String()))
	var cm strings.Builder
	cm.WriteString("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n")
	var pairs []string
	for _, g := range ids {
		if t := d.used[fi][g]; len(t) > 0 {
			var hex strings.Builder
			for _, u := range utf16.Encode(t) {
				fmt.Fprintf(&hex, "%04X", u)
			}
			pairs = append(pairs, fmt.Sprintf("<%04X> <%s>", g, hex.String()))
		}
	}
	for len(pairs) > 0 {
		n := min(len(pairs), 100)
		fmt.Fprintf(&cm, "%d beginbfchar\n%s\nendbfchar\n", n, strings.Join(pairs[:n], "\n"))
		pairs = pairs[n:]
	}
	cm.WriteString("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n")
	w.stream(tounicode, "", []byte(cm.String()))
	w.obj(type0, fmt.Sprintf("<< /Type /Font /Subtype /Type0 /BaseFont /%s /Encoding /Identity-H /DescendantFonts [%d 0 R] /ToUnicode %d 0 R >>", name, cid, tounicode))
	return type0
}
