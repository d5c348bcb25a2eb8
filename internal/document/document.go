// Package document defines a printed document once — its data and its
// layout choices: paper, title, header fields, a table, notes, signature
// lines, a seal box, a QR code — and renders that one definition both as
// the HTML print view (print CSS over the page) and as a PDF (internal/pdf),
// so the paper from the browser and the PDF cannot drift apart.
//
// Every text a document carries is already translated: the web layer takes
// its fixed texts from the message catalogue. A Text may carry a
// traditional Mongolian form beside the Chinese; a document that is
// Mongolian-first shows it before (to the left of, or above) the Chinese,
// written vertically.
package document

import (
	"bytes"
	"encoding/base64"
	"html/template"

	qrcode "github.com/skip2/go-qrcode"

	"shanzhi/internal/pdf"
)

// Text is a text in Chinese with, where one exists, its traditional
// Mongolian form.
type Text struct {
	ZH, MN string
}

// Plain is a Chinese-only text.
func Plain(s string) Text { return Text{ZH: s} }

// Paper is a document's paper.
type Paper string

// The papers documents print on.
const (
	A4          Paper = "a4"
	A4Landscape Paper = "a4-landscape"
	A3          Paper = "a3"
	Card        Paper = "card"       // ID-1, 85.6 × 54 mm
	Receipt58   Paper = "receipt-58" // as long as its content
	Receipt80   Paper = "receipt-80"
)

func (p Paper) size() pdf.Size {
	switch p {
	case A4Landscape:
		return pdf.A4.Landscape()
	case A3:
		return pdf.A3
	case Card:
		return pdf.Card
	case Receipt58:
		return pdf.Receipt58
	case Receipt80:
		return pdf.Receipt80
	}
	return pdf.A4
}

// Receipt says whether the paper is a roll whose page ends with its content.
func (p Paper) Receipt() bool { return p == Receipt58 || p == Receipt80 }

// Field is one labelled value of the document's header, such as the
// village, the household number or the print date.
type Field struct {
	Label Text
	Value string
}

// Column is one table column. Weight is its share of the table's width;
// Num aligns it right; Box leaves each of its cells as an empty tick box to
// fill by hand.
type Column struct {
	Label  Text
	Weight float64
	Num    bool
	Box    bool
}

// Document is one printed document.
type Document struct {
	Paper Paper
	// MongolianFirst shows the Mongolian form of every Text that has one,
	// before the Chinese; otherwise the document is Chinese-only.
	MongolianFirst bool
	Title          Text
	Fields         []Field
	Columns        []Column
	Rows           [][]string
	// RowsMN are the Mongolian forms of cells, aligned with Rows (names
	// recorded in 蒙古文姓名): drawn vertically above the Chinese in the
	// cell when the document is Mongolian-first. Shorter rows, or none,
	// leave the other cells Chinese-only.
	RowsMN [][]string
	// Totals is a last row set in bold, under the table on its last page.
	Totals []string
	Empty  string // what the table says when it has no rows
	Notes  []Text
	// Signatures are the labels of the lines people sign on, such as
	// 经办人 and 审核人; each gets a line and a date line (DateLabel).
	Signatures []Text
	DateLabel  Text
	// Issuer and Date close the document, as a committee signs a notice.
	Issuer string
	Date   string
	// Seal, when set, leaves a dashed box with this label for the seal.
	Seal Text
	// QR is the content of a QR code printed at the end, with its caption.
	QR        string
	QRCaption []string
	// PageOf formats "page x of y" (two %d), from the catalogue.
	PageOf string
}

// QRDataURL returns text as a 256-pixel PNG QR code in a data: URL, so pages
// can show codes inline under a CSP of img-src 'self' data: without an image
// route that would put the content in a URL or a cache. Medium recovery
// survives a smudged print while keeping modules large enough for old phone
// cameras.
func QRDataURL(text string) (template.URL, error) {
	png, err := qrcode.Encode(text, qrcode.Medium, 256)
	if err != nil {
		return "", err
	}
	return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png)), nil
}

// MN is the Mongolian form a document shows for t: none unless the
// document is Mongolian-first.
func (d *Document) MN(t Text) string {
	if d.MongolianFirst {
		return t.MN
	}
	return ""
}

// CellMN is the Mongolian form the document shows in row i's cell j:
// none unless it is Mongolian-first and one was given.
func (d *Document) CellMN(i, j int) string {
	if !d.MongolianFirst || i >= len(d.RowsMN) || j >= len(d.RowsMN[i]) {
		return ""
	}
	return d.RowsMN[i][j]
}

var page = template.Must(template.New("doc").Funcs(template.FuncMap{"qr": QRDataURL}).Parse(`<link rel="stylesheet" href="/static/document.css">
{{- if .Length}}<link rel="stylesheet" href="/static/receipt-pages.css">{{end}}
{{- $d := . -}}
<article class="doc paper-{{.Paper}}{{if .MongolianFirst}} mn-first{{end}}{{with .Length}} len-{{.}}{{end}}">
<header class="doc-head">
{{with $d.MN .Title}}<div class="mn" lang="mn-Mong">{{.}}</div>{{end}}
<h1 class="doc-title">{{.Title.ZH}}</h1>
{{if .Fields}}<dl class="doc-fields">{{range .Fields}}<div><dt>{{with $d.MN .Label}}<span class="mn" lang="mn-Mong">{{.}}</span>{{end}}{{.Label.ZH}}</dt><dd>{{.Value}}</dd></div>{{end}}</dl>{{end}}
</header>
{{if .Columns}}<table class="doc-table">
<thead><tr>{{range .Columns}}<th{{if .Num}} class="num"{{end}}>{{with $d.MN .Label}}<span class="mn" lang="mn-Mong">{{.}}</span>{{end}}{{.Label.ZH}}</th>{{end}}</tr></thead>
<tbody>{{range $r, $row := .Rows}}<tr>{{range $i, $c := $row}}{{with index $d.Columns $i}}<td{{if .Num}} class="num"{{end}}>{{if .Box}}<span class="box"></span>{{else}}{{with $d.CellMN $r $i}}<span class="mn" lang="mn-Mong">{{.}}</span>{{end}}{{$c}}{{end}}</td>{{end}}{{end}}</tr>
{{else}}<tr><td colspan="{{len .Columns}}" class="empty">{{.Empty}}</td></tr>{{end}}</tbody>
{{with .Totals}}<tfoot><tr>{{range $i, $c := .}}<td{{if (index $d.Columns $i).Num}} class="num"{{end}}>{{$c}}</td>{{end}}</tr></tfoot>{{end}}
</table>{{end}}
{{range .Notes}}<p class="doc-note">{{with $d.MN .}}<span class="mn" lang="mn-Mong">{{.}}</span>{{end}}{{.ZH}}</p>{{end}}
{{if or .Signatures .Seal.ZH .Issuer .QR}}<footer class="doc-end">
{{if .Signatures}}<div class="doc-sign">{{range .Signatures}}<div><span>{{.ZH}}：</span><i class="line"></i><span>{{$d.DateLabel.ZH}}：</span><i class="line short"></i></div>{{end}}</div>{{end}}
{{if .QR}}<div class="doc-qr"><img src="{{qr .QR}}" alt="QR">{{range .QRCaption}}<p>{{.}}</p>{{end}}</div>{{end}}
{{if or .Seal.ZH .Issuer}}<div class="doc-issue">{{with .Seal.ZH}}<div class="seal">{{with $d.MN $d.Seal}}<span class="mn" lang="mn-Mong">{{.}}</span>{{end}}{{.}}</div>{{end}}<p>{{.Issuer}}<br>{{.Date}}</p></div>{{end}}
</footer>{{end}}
</article>`))

// HTML renders the document as the print view's content. A receipt's page
// is sized to its content (see ReceiptLength).
func (d *Document) HTML() (template.HTML, error) {
	var b bytes.Buffer
	view := struct {
		*Document
		Length int
	}{Document: d}
	if d.Paper.Receipt() {
		var err error
		if view.Length, err = d.ReceiptLength(); err != nil {
			return "", err
		}
	}
	if err := page.Execute(&b, view); err != nil {
		return "", err
	}
	return template.HTML(b.String()), nil
}
