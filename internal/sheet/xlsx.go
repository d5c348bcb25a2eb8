package sheet

import (
	"archive/zip"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"

	"golang.org/x/text/encoding/htmlindex"
)

// The xlsx reader is written on archive/zip and encoding/xml rather than on
// excelize, whose streaming Rows iterator hands back either formatted text
// (which rounds 18-digit ID numbers to 15 digits and renders dates in each
// cell's own format) or raw values without the style that says a number is
// a date, and which first reads every part of the package into memory or
// temporary files. Here the worksheet is decoded straight from the zip
// entry, and only the shared strings and the per-style date flags are kept.

// inflateRatio bounds how many bytes the parts of a package may expand to,
// relative to the file's size, so a zip bomb ends in ErrTooLarge rather
// than in hours of parsing. Real workbooks compress 5 to 20 times.
const inflateRatio = 100

// xlsxSource streams the rows of one worksheet.
type xlsxSource struct {
	sheetName string
	sst       []string
	dates     []dateKind // by cell style index
	date1904  bool
	budget    int64 // bytes the parts may still inflate to
	sstBytes  int64 // text held in sst
	rc        io.ReadCloser
	part      *budgetReader // rc, for counting tokens
	dec       *xml.Decoder
	depth     depthCounter
	row       int // number of the last row seen
	done      bool
	// Per-row scratch, reused.
	cells []string
	buf   []byte
}

// openXLSX reads the package's workbook, relationships, styles and shared
// strings, and opens the first visible worksheet for streaming.
func openXLSX(ra io.ReaderAt, size int64) (*xlsxSource, error) {
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		return nil, malformed(err)
	}
	x := &xlsxSource{budget: inflateRatio*size + 1<<20}
	parts := make(map[string]*zip.File, len(zr.File))
	for _, f := range zr.File {
		name := strings.TrimPrefix(strings.ReplaceAll(f.Name, `\`, "/"), "/")
		parts[strings.ToLower(name)] = f
	}
	if parts["mimetype"] != nil && parts["content.xml"] != nil {
		return nil, malformedf("OpenDocument spreadsheet; save it as .xlsx")
	}

	// _rels/.rels names the workbook part; xl/workbook.xml is the usual.
	wbPath := "xl/workbook.xml"
	var rels xRels
	if err := x.decodePart(parts, "_rels/.rels", &rels); err == nil {
		if t := rels.target("", "/officeDocument", ""); t != "" {
			wbPath = t
		}
	} else if !errors.Is(err, errNoPart) {
		return nil, err
	}
	var wb xWorkbook
	if err := x.decodePart(parts, wbPath, &wb); err != nil {
		if errors.Is(err, ErrTooLarge) {
			return nil, err
		}
		return nil, malformedf("no workbook: %w", err)
	}
	x.date1904 = wb.Pr.Date1904 == "1" || strings.EqualFold(wb.Pr.Date1904, "true")
	var wbRels xRels
	if err := x.decodePart(parts, relsPath(wbPath), &wbRels); err != nil {
		return nil, malformedf("no workbook relationships: %w", err)
	}

	var sheet *zip.File
	for _, s := range wb.Sheets {
		if s.State == "hidden" || s.State == "veryHidden" {
			continue
		}
		for _, r := range wbRels.Rels {
			if r.ID == s.RID && strings.HasSuffix(r.Type, "/worksheet") {
				sheet = parts[strings.ToLower(resolve(wbPath, r.Target))]
			}
		}
		if sheet != nil {
			x.sheetName = s.Name
			break
		}
	}
	if sheet == nil {
		return nil, malformedf("no visible worksheet")
	}

	// Parts a relationship forgot are looked for where they usually are.
	if t := wbRels.target(wbPath, "/styles", "styles.xml"); t != "" {
		var st xStyles
		if err := x.decodePart(parts, t, &st); err != nil && !errors.Is(err, errNoPart) {
			return nil, err
		}
		x.dates = st.dateKinds()
	}
	if t := wbRels.target(wbPath, "/sharedStrings", "sharedStrings.xml"); t != "" {
		if err := x.readSharedStrings(parts, t); err != nil && !errors.Is(err, errNoPart) {
			return nil, err
		}
	}

	rc, err := x.openPart(sheet, MaxPartBytes)
	if err != nil {
		return nil, err
	}
	x.rc = rc
	x.dec = xml.NewDecoder(rc)
	x.dec.CharsetReader = charsetReader
	x.part = rc.(*budgetReader)
	x.part.took(x.dec)
	return x, nil
}

// errNoPart is returned for a part the package does not have; it never
// reaches callers.
const errNoPart Error = "sheet: no such part"

// openPart opens a zip entry for reading, charging what it inflates to
// against the package's budget and the part's own cap as the bytes come:
// the sizes the zip directory declares decide nothing (archive/zip only
// holds the entry to them, refusing a lie once read past).
func (x *xlsxSource) openPart(f *zip.File, max int64) (io.ReadCloser, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, malformed(err)
	}
	return &budgetReader{rc: rc, budget: &x.budget, max: max, left: max}, nil
}

// budgetReader counts inflated bytes against a shared budget and the
// part's own cap. It also holds every XML token to maxToken: the decoder
// reads a whole text run or tag before handing it on, so a cap checked
// after the token would come after the memory was spent.
type budgetReader struct {
	rc        io.ReadCloser
	budget    *int64
	max, left int64
	read      int64 // bytes handed to the decoder
	mark      int64 // where the decoder's last token ended, once tokens are counted
	counted   bool
	hit       error // the cap reading stopped at
}

// took records that dec, reading this part, returned a token: the next
// one starts where dec stands now.
func (b *budgetReader) took(dec *xml.Decoder) { b.counted, b.mark = true, dec.InputOffset() }

// maxToken is the most one token may span in the source: a cell's longest
// text with every character written as a numeric entity.
const maxToken = 8 * MaxCellBytes

func (b *budgetReader) Read(p []byte) (int, error) {
	switch {
	case b.left <= 0:
		b.hit = over("part", b.max)
	case b.counted && b.read-b.mark > maxToken:
		b.hit = over("cell", MaxCellBytes)
	case *b.budget <= 0:
		b.hit = ErrTooLarge
	}
	if b.hit != nil {
		return 0, b.hit
	}
	if n := min(*b.budget, b.left); int64(len(p)) > n {
		p = p[:n]
	}
	n, err := b.rc.Read(p)
	*b.budget -= int64(n)
	b.left -= int64(n)
	b.read += int64(n)
	return n, err
}

func (b *budgetReader) Close() error { return b.rc.Close() }

// decodePart unmarshals a small XML part.
func (x *xlsxSource) decodePart(parts map[string]*zip.File, name string, v any) error {
	f := parts[strings.ToLower(name)]
	if f == nil {
		return errNoPart
	}
	rc, err := x.openPart(f, maxMetaBytes)
	if err != nil {
		return err
	}
	defer rc.Close()
	raw := xml.NewDecoder(rc)
	raw.CharsetReader = charsetReader
	part := rc.(*budgetReader)
	part.took(raw)
	if err := xml.NewTokenDecoder(&depthReader{dec: raw, part: part}).Decode(v); err != nil {
		if errors.Is(err, ErrTooLarge) {
			return err
		}
		if part.hit != nil {
			return part.hit
		}
		return malformed(fmt.Errorf("%s: %w", name, err))
	}
	return nil
}

// readSharedStrings loads the shared-string table, joining the text runs
// of rich strings and leaving out phonetic guides (<rPh>).
func (x *xlsxSource) readSharedStrings(parts map[string]*zip.File, name string) error {
	f := parts[strings.ToLower(name)]
	if f == nil {
		return errNoPart
	}
	rc, err := x.openPart(f, MaxPartBytes)
	if err != nil {
		return err
	}
	defer rc.Close()
	dec := xml.NewDecoder(rc)
	dec.CharsetReader = charsetReader
	part := rc.(*budgetReader)
	part.took(dec)
	var (
		buf        []byte
		inSI, inPh bool
		inT        bool
		depth      depthCounter
	)
	for {
		tok, err := dec.RawToken()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return limitOr(part, malformed(fmt.Errorf("%s: %w", name, err)))
		}
		part.took(dec)
		if err := depth.step(tok); err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "sst":
				if n, err := strconv.Atoi(attr(t, "uniqueCount")); err == nil && n > 0 {
					x.sst = make([]string, 0, min(n, 1<<16))
				}
			case "si":
				inSI, buf = true, buf[:0]
			case "rPh":
				inPh = true
			case "t":
				inT = inSI && !inPh
			}
		case xml.CharData:
			if inT {
				if len(buf)+len(t) > MaxCellBytes {
					return over("cell", MaxCellBytes)
				}
				buf = append(buf, t...)
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "si":
				if len(x.sst) >= MaxSharedStrings {
					return over("shared_strings", MaxSharedStrings)
				}
				if x.sstBytes += int64(len(buf)); x.sstBytes > MaxSharedBytes {
					return over("shared_bytes", MaxSharedBytes)
				}
				x.sst = append(x.sst, xstring(string(buf)))
				inSI = false
			case "rPh":
				inPh = false
			case "t":
				inT = false
			}
		}
	}
}

// next decodes worksheet XML up to the end of the next row that has any
// text in it.
func (x *xlsxSource) next() (Row, error) {
	if x.done {
		return Row{}, io.EOF
	}
	var (
		inRow, inCell, inV, inIS, inPh, inT bool
		col                                 = -1
		cellType                            string
		style                               int
	)
	x.cells = x.cells[:0]
	for {
		tok, err := x.dec.RawToken()
		if errors.Is(err, io.EOF) {
			x.done = true
			if inRow {
				return Row{}, malformedf("worksheet ends inside a row")
			}
			return Row{}, io.EOF
		}
		if err != nil {
			x.done = true
			return Row{}, limitOr(x.part, malformed(err))
		}
		x.part.took(x.dec)
		if err := x.depth.step(tok); err != nil {
			x.done = true
			return Row{}, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "row":
				inRow, col = true, -1
				x.cells = x.cells[:0]
				x.row++
				if r := attr(t, "r"); r != "" {
					n, err := strconv.Atoi(r)
					if err != nil || n < 1 {
						x.done = true
						return Row{}, malformedf("row number %q", r)
					}
					x.row = n
				}
				if x.row > maxRows {
					x.done = true
					return Row{}, over("rows", maxRows)
				}
			case "c":
				inCell, x.buf = true, x.buf[:0]
				col++
				cellType, style = "", 0
				for _, a := range t.Attr {
					switch a.Name.Local {
					case "r":
						c, ok := columnIndex(a.Value)
						if !ok {
							x.done = true
							return Row{}, malformedf("cell reference %q", a.Value)
						}
						col = c
					case "t":
						cellType = a.Value
					case "s":
						style, _ = strconv.Atoi(a.Value)
					}
				}
				if col >= maxColumns {
					x.done = true
					return Row{}, over("columns", maxColumns)
				}
			case "v":
				inV = inCell
			case "is":
				inIS = inCell
			case "rPh":
				inPh = true
			case "t":
				inT = inIS && !inPh
			}
		case xml.CharData:
			if inV || inT {
				if len(x.buf)+len(t) > MaxCellBytes {
					x.done = true
					return Row{}, over("cell", MaxCellBytes)
				}
				x.buf = append(x.buf, t...)
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "v":
				inV = false
			case "is":
				inIS = false
			case "rPh":
				inPh = false
			case "t":
				inT = false
			case "c":
				if !inCell {
					break
				}
				inCell = false
				v, err := x.value(cellType, style)
				if err != nil {
					x.done = true
					return Row{}, err
				}
				if v = trim(v); v != "" {
					for len(x.cells) <= col {
						x.cells = append(x.cells, "")
					}
					x.cells[col] = v
				}
			case "row":
				inRow = false
				if len(x.cells) > 0 {
					return Row{Line: x.row, Cells: trimCells(x.cells)}, nil
				}
			case "sheetData":
				x.done = true
				return Row{}, io.EOF
			}
		}
	}
}

// value turns the text collected for a cell into what the user sees,
// following the cell's type and, for numbers, whether its style is a date
// format.
func (x *xlsxSource) value(cellType string, style int) (string, error) {
	v := string(x.buf)
	switch cellType {
	case "s":
		i, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || i < 0 || i >= len(x.sst) {
			return "", malformedf("shared string %q out of range", v)
		}
		return x.sst[i], nil
	case "inlineStr":
		return xstring(v), nil
	case "str", "e":
		return xstring(v), nil
	case "b":
		switch strings.TrimSpace(v) {
		case "1", "true":
			return "TRUE", nil
		case "0", "false":
			return "FALSE", nil
		}
		return v, nil
	case "d":
		return isoDate(strings.TrimSpace(v)), nil
	}
	v = strings.TrimSpace(v)
	if v == "" {
		return "", nil
	}
	if style >= 0 && style < len(x.dates) && x.dates[style] != notDate {
		if d, ok := excelDate(v, x.dates[style], x.date1904); ok {
			return d, nil
		}
	}
	return number(v), nil
}

func (x *xlsxSource) close() error {
	x.done = true
	if x.rc == nil {
		return nil
	}
	err := x.rc.Close()
	x.rc = nil
	return err
}

// attr returns the value of the named attribute, ignoring its namespace.
func attr(e xml.StartElement, local string) string {
	for _, a := range e.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// charsetReader lets the XML decoder read parts declared in an encoding
// other than UTF-8, which some older producers write.
func charsetReader(label string, in io.Reader) (io.Reader, error) {
	enc, err := htmlindex.Get(label)
	if err != nil {
		return nil, err
	}
	return enc.NewDecoder().Reader(in), nil
}

// relsPath is where the relationships of a part live.
func relsPath(part string) string {
	dir, file := path.Split(part)
	return dir + "_rels/" + file + ".rels"
}

// resolve turns a relationship target into a part name: absolute targets
// are from the package root, relative ones from the source part's folder.
func resolve(source, target string) string {
	target = strings.ReplaceAll(target, `\`, "/")
	if strings.HasPrefix(target, "/") {
		return strings.TrimPrefix(path.Clean(target), "/")
	}
	return strings.TrimPrefix(path.Join(path.Dir(source), target), "/")
}

// xRels is a relationships part.
type xRels struct {
	Rels []struct {
		ID     string `xml:"Id,attr"`
		Type   string `xml:"Type,attr"`
		Target string `xml:"Target,attr"`
		Mode   string `xml:"TargetMode,attr"`
	} `xml:"Relationship"`
}

// target returns the part the first internal relationship whose type ends
// in suffix points at, resolved against source, or the fallback beside
// source if there is none; types differ between transitional and strict
// OOXML only in their prefix.
func (r xRels) target(source, suffix, fallback string) string {
	for _, rel := range r.Rels {
		if strings.HasSuffix(rel.Type, suffix) && rel.Mode != "External" {
			return resolve(source, rel.Target)
		}
	}
	if fallback == "" {
		return ""
	}
	return resolve(source, fallback)
}

// xWorkbook is the part of workbook.xml the reader needs.
type xWorkbook struct {
	Pr struct {
		Date1904 string `xml:"date1904,attr"`
	} `xml:"workbookPr"`
	Sheets []struct {
		Name  string `xml:"name,attr"`
		State string `xml:"state,attr"`
		RID   string `xml:"id,attr"`
	} `xml:"sheets>sheet"`
}

// xStyles is the part of styles.xml that decides which cells hold dates.
type xStyles struct {
	NumFmts []struct {
		ID   string `xml:"numFmtId,attr"`
		Code string `xml:"formatCode,attr"`
	} `xml:"numFmts>numFmt"`
	Xfs []struct {
		NumFmtID string `xml:"numFmtId,attr"`
	} `xml:"cellXfs>xf"`
}

// dateKinds classifies every cell style by its number format.
func (s xStyles) dateKinds() []dateKind {
	custom := make(map[int]dateKind, len(s.NumFmts))
	for _, f := range s.NumFmts {
		if id, err := strconv.Atoi(f.ID); err == nil {
			custom[id] = formatDateKind(f.Code)
		}
	}
	kinds := make([]dateKind, len(s.Xfs))
	for i, xf := range s.Xfs {
		id, err := strconv.Atoi(xf.NumFmtID)
		if err != nil {
			continue
		}
		if k, ok := custom[id]; ok {
			kinds[i] = k
		} else {
			kinds[i] = builtinDateKind(id)
		}
	}
	return kinds
}
