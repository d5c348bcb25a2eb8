package document

import (
	"fmt"

	"shanzhi/internal/pdf"
)

// layout is the paper-dependent part of the PDF: margins and type sizes.
type layout struct {
	margin, body, title, small float64
	pad                        float64 // a table cell's padding per point of type
}

func (p Paper) layout() layout {
	switch p {
	case Receipt58:
		return layout{margin: 3 * pdf.MM, body: 7.5, title: 10, small: 6.5, pad: 0.2}
	case Receipt80:
		return layout{margin: 3 * pdf.MM, body: 8.5, title: 11, small: 7, pad: 0.2}
	case Card:
		return layout{margin: 4 * pdf.MM, body: 7, title: 9, small: 6, pad: 0.15}
	case A3:
		return layout{margin: 18 * pdf.MM, body: 12, title: 22, small: 9, pad: 0.35}
	}
	return layout{margin: 15 * pdf.MM, body: 10, title: 16, small: 8, pad: 0.35}
}

// renderer lays a document out on pages, top to bottom, starting a page
// whenever the next block does not fit.
type renderer struct {
	d    *Document
	pdf  *pdf.Doc
	l    layout
	size pdf.Size
	page *pdf.Page
	y    float64
	colW []float64
	// side is the width of a QR code drawn beside the content rather than
	// after it, as on a card.
	side float64
}

func (r *renderer) lineH(size float64) float64 { return size * 1.45 }

// bottom is where content ends on a page: above the page number line.
func (r *renderer) bottom() float64 {
	if r.d.Paper.Receipt() {
		return 1e9 // a roll has no bottom
	}
	if r.d.PageOf == "" {
		return r.size.H - r.l.margin
	}
	return r.size.H - r.l.margin - r.l.small*2
}

func (r *renderer) newPage() {
	size := r.size
	if r.d.Paper.Receipt() {
		size.H = 1e4 // trimmed to the content at the end
	}
	r.page = r.pdf.AddPage(size)
	r.y = r.l.margin
}

func (r *renderer) fits(h float64) bool { return r.y+h <= r.bottom() }

// text draws one line of s at x on the current line, its top at r.y.
func (r *renderer) text(x, size float64, s string) {
	r.page.Text(x, r.y+size*r.pdf.Ascent()+(r.lineH(size)-size*(r.pdf.Ascent()+r.pdf.Descent()))/2, size, s)
}

// PDF renders the document as a PDF.
func (d *Document) PDF() ([]byte, error) {
	p, err := d.render()
	if err != nil {
		return nil, err
	}
	return p.Bytes(), nil
}

// ReceiptLength is the length in millimetres of the paper a receipt needs,
// rounded up to whole centimetres with a fifth to spare, since a browser's
// fonts set the same text a little longer than the PDF's: the print view
// asks for a page that long (document.css has a page size for each).
func (d *Document) ReceiptLength() (int, error) {
	p, err := d.render()
	if err != nil {
		return 0, err
	}
	mm := p.Page(0).H / pdf.MM * 1.2
	return min(maxReceipt, (int(mm)/10+1)*10), nil
}

// maxReceipt is the longest receipt page the print CSS sizes: longer ones
// print on as many A4-long pages as they need.
const maxReceipt = 600

func (d *Document) render() (*pdf.Doc, error) {
	p, err := pdf.New()
	if err != nil {
		return nil, err
	}
	p.Title = d.Title.ZH
	r := &renderer{d: d, pdf: p, l: d.Paper.layout(), size: d.Paper.size()}
	r.newPage()
	if d.Paper == Card && d.QR != "" {
		if err := r.sideQR(); err != nil {
			return nil, err
		}
	}
	r.head()
	if len(d.Columns) > 0 {
		r.table()
	}
	if err := r.end(); err != nil {
		return nil, err
	}
	if d.Paper.Receipt() {
		r.page.H = r.y + r.l.margin
	} else if d.PageOf != "" {
		n := p.Pages()
		for i := 0; i < n; i++ {
			pg := p.Page(i)
			s := fmt.Sprintf(d.PageOf, i+1, n)
			pg.Text((pg.W-p.Measure(s, r.l.small))/2, pg.H-r.l.margin+r.l.small, r.l.small, s)
		}
	}
	return p, nil
}

func (r *renderer) width() float64 {
	if r.side > 0 {
		return r.size.W - 2*r.l.margin - r.side - 2*pdf.MM
	}
	return r.size.W - 2*r.l.margin
}

// sideQR draws the QR code and its caption at the right of a card, as tall
// as the card allows.
func (r *renderer) sideQR() error {
	capH := float64(len(r.d.QRCaption)) * 2 * r.lineH(r.l.small)
	r.side = min(r.size.H-2*r.l.margin-capH, r.size.W*0.36)
	x := r.size.W - r.l.margin - r.side
	if err := r.page.QR(x, r.l.margin, r.side, r.d.QR); err != nil {
		return err
	}
	y := r.y
	r.y = r.l.margin + r.side + r.l.small*0.3
	for _, c := range r.d.QRCaption {
		for _, l := range r.pdf.Wrap(c, r.l.small, r.side) {
			r.text(x, r.l.small, l)
			r.y += r.lineH(r.l.small)
		}
	}
	r.y = y
	return nil
}

// head draws the title (with its Mongolian form as a vertical line to the
// left when the document is Mongolian-first) and the header fields.
func (r *renderer) head() {
	x := r.l.margin
	top := r.y
	mnLen := 0.0
	if mn := r.d.MN(r.d.Title); mn != "" {
		mnLen = r.pdf.Measure(mn, r.l.title)
		r.page.VText(x+r.l.title*0.3, r.y, r.l.title, mn)
		x += r.lineH(r.l.title) + 2*pdf.MM
	}
	w := r.l.margin + r.width() - x
	for _, line := range r.pdf.Wrap(r.d.Title.ZH, r.l.title, w) {
		r.text(x+(w-r.pdf.Measure(line, r.l.title))/2, r.l.title, line)
		r.y += r.lineH(r.l.title)
	}
	r.y += r.l.body * 0.5
	// Fields flow in cells of a fixed width, as many to a line as fit.
	per := 3
	switch {
	case r.d.Paper == Card:
		per = 2
	case r.size.W < 100*pdf.MM:
		per = 1
	case r.size.W < 400:
		per = 2
	}
	cell := w / float64(per)
	for i := 0; i < len(r.d.Fields); i += per {
		// A label's Mongolian form stands vertically above its field.
		mnH := 0.0
		for j := i; j < min(i+per, len(r.d.Fields)); j++ {
			if mn := r.d.MN(r.d.Fields[j].Label); mn != "" {
				r.page.VText(x+float64(j-i)*cell+r.l.body*0.3, r.y, r.l.body, mn)
				mnH = max(mnH, r.pdf.Measure(mn, r.l.body)+r.l.body*0.3)
			}
		}
		r.y += mnH
		lines := 1
		for j := i; j < min(i+per, len(r.d.Fields)); j++ {
			f := r.d.Fields[j]
			ls := r.pdf.Wrap(f.Label.ZH+"："+f.Value, r.l.body, cell-r.l.body)
			for k, l := range ls {
				saved := r.y
				r.y += float64(k) * r.lineH(r.l.body)
				r.text(x+float64(j-i)*cell, r.l.body, l)
				r.y = saved
			}
			lines = max(lines, len(ls))
		}
		r.y += float64(lines) * r.lineH(r.l.body)
	}
	r.y = max(r.y, top+mnLen) + r.l.body*0.5
}

// cell is a table cell laid out: the Mongolian form drawn vertically on
// top (mnH tall, empty when there is none) and the Chinese lines under it.
type cell struct {
	mn    string
	mnH   float64
	lines []string
}

// cells wraps a row's cells to their columns and returns them with the
// row's height; mn holds the cells' Mongolian forms, if any.
func (r *renderer) cells(row, mn []string, size float64) ([]cell, float64) {
	pad := size * r.l.pad
	out := make([]cell, len(r.d.Columns))
	h := r.lineH(size)
	for i := range r.d.Columns {
		s := ""
		if i < len(row) {
			s = row[i]
		}
		c := cell{lines: r.pdf.Wrap(s, size, r.colW[i]-2*pad)}
		if i < len(mn) && mn[i] != "" {
			c.mn, c.mnH = mn[i], r.pdf.Measure(mn[i], size)+size*0.3
		}
		out[i] = c
		h = max(h, c.mnH+float64(len(c.lines))*r.lineH(size))
	}
	return out, h + 2*pad
}

func (r *renderer) drawRow(cells []cell, h, size float64, bold bool) {
	pad := size * r.l.pad
	x := r.l.margin
	ruled := !r.d.Paper.Receipt()
	if bold {
		r.page.Fill(x, r.y, r.width(), h, 0.92)
	}
	for i, c := range r.d.Columns {
		if ruled {
			r.page.Rect(x, r.y, r.colW[i], h, 0.5, false)
		}
		if c.Box && !bold {
			side := size * 1.1
			r.page.Rect(x+(r.colW[i]-side)/2, r.y+(h-side)/2, side, side, 0.8, false)
		}
		saved := r.y
		r.y += pad
		if m := cells[i].mn; m != "" {
			r.page.VText(x+pad+size*0.3, r.y, size, m)
			r.y += cells[i].mnH
		}
		for _, l := range cells[i].lines {
			tx := x + pad
			if c.Num {
				tx = x + r.colW[i] - pad - r.pdf.Measure(l, size)
			}
			r.text(tx, size, l)
			r.y += r.lineH(size)
		}
		r.y = saved
		x += r.colW[i]
	}
	if !ruled && bold {
		r.page.Line(r.l.margin, r.y, r.l.margin+r.width(), r.y, 0.5)
	}
	r.y += h
}

// header lays out the column headers, each with its Mongolian form
// stacked above the Chinese on a Mongolian-first document.
func (r *renderer) header(size float64) ([]cell, float64) {
	labels := make([]string, len(r.d.Columns))
	mn := make([]string, len(r.d.Columns))
	for i, c := range r.d.Columns {
		labels[i], mn[i] = c.Label.ZH, r.d.MN(c.Label)
	}
	return r.cells(labels, mn, size)
}

// rowMN is the Mongolian forms of row i's cells the document shows.
func (r *renderer) rowMN(i int) []string {
	if !r.d.MongolianFirst || i >= len(r.d.RowsMN) {
		return nil
	}
	return r.d.RowsMN[i]
}

// table draws the rows, starting a page with the column headers repeated
// whenever the next row does not fit; a row is never split across pages.
func (r *renderer) table() {
	total := 0.0
	for _, c := range r.d.Columns {
		total += max(c.Weight, 1)
	}
	r.colW = make([]float64, len(r.d.Columns))
	for i, c := range r.d.Columns {
		r.colW[i] = r.width() * max(c.Weight, 1) / total
	}
	size := r.l.body
	hl, hh := r.header(size)
	if !r.fits(hh + r.lineH(size)*2) {
		r.newPage()
	}
	r.drawRow(hl, hh, size, true)
	rows := r.d.Rows
	if len(rows) == 0 {
		lines, h := r.pdf.Wrap(r.d.Empty, size, r.width()), r.lineH(size)
		for _, l := range lines {
			r.text(r.l.margin+size*0.35, size, l)
			r.y += h
		}
	}
	// The last row goes over to the next page with what follows the table
	// when they would not fit together, so a paper never ends on a page of
	// signatures alone: the last entry is on the last page.
	tail := 0.0
	if r.d.Totals != nil {
		_, tail = r.cells(r.d.Totals, nil, size)
	}
	tail += r.after()
	for i, row := range rows {
		lines, h := r.cells(row, r.rowMN(i), size)
		last := i == len(rows)-1 && hh+h+tail <= r.bottom()-r.l.margin
		if !r.fits(h) || last && !r.fits(h+tail) {
			r.newPage()
			r.drawRow(hl, hh, size, true)
		}
		r.drawRow(lines, h, size, false)
	}
	if r.d.Totals != nil {
		lines, h := r.cells(r.d.Totals, nil, size)
		if !r.fits(h) {
			r.newPage()
			r.drawRow(hl, hh, size, true)
		}
		r.drawRow(lines, h, size, true)
	}
	r.y += size
}

// closing measures the closing block (signature lines, QR code, issuer,
// date and seal box), which stays on one page, and the sides of its QR
// code and seal box.
func (r *renderer) closing() (block, qr, sealSide float64) {
	size := r.l.body
	if r.d.QR != "" && r.side == 0 {
		qr = min(30*pdf.MM, r.width()*0.45)
	}
	if r.d.Seal.ZH != "" {
		sealSide = min(40*pdf.MM, r.width()*0.4)
	}
	signH := float64(len(r.d.Signatures)) * r.lineH(size) * 2
	issueH := 0.0
	if r.d.Issuer != "" || r.d.Date != "" {
		issueH = r.lineH(size) * 2
	}
	capH := 0.0
	if qr > 0 {
		capH = float64(len(r.d.QRCaption)) * r.lineH(r.l.small)
	}
	return signH + max(qr+capH, sealSide, issueH), qr, sealSide
}

// after is the height of what follows the table: the notes and the
// closing block, with their gaps.
func (r *renderer) after() float64 {
	size := r.l.body
	h := size // the gap under the table
	for _, n := range r.d.Notes {
		if mn := r.d.MN(n); mn != "" {
			_, mh := r.vlines(mn, size)
			h += mh + size*0.5
		}
		h += float64(len(r.pdf.Wrap(n.ZH, size, r.width()))) * r.lineH(size)
	}
	if block, _, _ := r.closing(); block > 0 {
		h += block + size
	}
	return h
}

// vlines breaks a Mongolian sentence into vertical lines no taller than a
// third of the page, set side by side from the left as the script is
// written, and returns them with the height of the tallest: a long note
// on one line would run off the paper.
func (r *renderer) vlines(mn string, size float64) ([]string, float64) {
	cols := r.pdf.Wrap(mn, size, (r.bottom()-r.l.margin)/3)
	h := 0.0
	for _, c := range cols {
		h = max(h, r.pdf.Measure(c, size))
	}
	return cols, h
}

// end draws the notes, signature lines, QR code, issuer, date and seal box,
// keeping the closing block on one page.
func (r *renderer) end() error {
	size := r.l.body
	for _, n := range r.d.Notes {
		if mn := r.d.MN(n); mn != "" {
			cols, h := r.vlines(mn, size)
			if !r.fits(h) {
				r.newPage()
			}
			for i, c := range cols {
				r.page.VText(r.l.margin+size*0.3+float64(i)*r.lineH(size), r.y, size, c)
			}
			r.y += h + size*0.5
		}
		for _, l := range r.pdf.Wrap(n.ZH, size, r.width()) {
			if !r.fits(r.lineH(size)) {
				r.newPage()
			}
			r.text(r.l.margin, size, l)
			r.y += r.lineH(size)
		}
	}
	block, qr, sealSide := r.closing()
	if block == 0 {
		return nil
	}
	if !r.fits(block + size) {
		r.newPage()
	}
	r.y += size * 0.5
	half := r.width() / 2
	if r.d.Paper.Receipt() {
		half = r.width()
	}
	for i, s := range r.d.Signatures {
		col := r.l.margin + float64(i%2)*half
		if r.d.Paper.Receipt() {
			col = r.l.margin
		}
		label := s.ZH + "："
		r.text(col, size, label)
		lx := col + r.pdf.Measure(label, size)
		r.page.Line(lx, r.y+r.lineH(size), col+half*0.55, r.y+r.lineH(size), 0.6)
		if r.d.DateLabel.ZH != "" && !r.d.Paper.Receipt() {
			dl := r.d.DateLabel.ZH + "："
			dx := col + half*0.6
			r.text(dx, size, dl)
			r.page.Line(dx+r.pdf.Measure(dl, size), r.y+r.lineH(size), col+half-size, r.y+r.lineH(size), 0.6)
		}
		if i%2 == 1 || i == len(r.d.Signatures)-1 || r.d.Paper.Receipt() {
			r.y += r.lineH(size) * 2
		}
	}
	top := r.y
	if qr > 0 {
		if err := r.page.QR(r.l.margin, r.y, qr, r.d.QR); err != nil {
			return err
		}
		r.y += qr + r.l.small*0.5
		for _, c := range r.d.QRCaption {
			for _, l := range r.pdf.Wrap(c, r.l.small, max(qr*1.6, half)) {
				r.text(r.l.margin, r.l.small, l)
				r.y += r.lineH(r.l.small)
			}
		}
	}
	bottomQR := r.y
	r.y = top
	right := r.l.margin + r.width()
	if sealSide > 0 {
		r.page.Rect(right-sealSide, r.y, sealSide, sealSide, 0.6, true)
		s := r.d.Seal.ZH
		r.page.Text(right-sealSide/2-r.pdf.Measure(s, r.l.small)/2, r.y+sealSide*0.3, r.l.small, s)
		if mn := r.d.MN(r.d.Seal); mn != "" {
			r.page.VText(right-sealSide+r.l.small, r.y+r.l.small, r.l.small, mn)
		}
	}
	for _, s := range []string{r.d.Issuer, r.d.Date} {
		if s == "" {
			continue
		}
		x := right - r.pdf.Measure(s, size)
		if sealSide > 0 {
			x = min(x, right-sealSide/2-r.pdf.Measure(s, size)/2)
		}
		saved := r.y
		if sealSide > 0 {
			r.y += sealSide * 0.55
		}
		r.text(x, size, s)
		r.y = saved + r.lineH(size)
	}
	r.y = max(bottomQR, top+sealSide, r.y)
	return nil
}
