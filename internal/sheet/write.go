package sheet

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"shanzhi/internal/localtime"
)

// Kind is how a column's values are written, because Excel guesses wrong
// when left to itself: it turns 18-digit ID numbers into 1.52221E+17 and
// drops the leading zeros of phone area codes unless the cell is text.
type Kind int

// The column kinds.
const (
	Text    Kind = iota // always a text cell (format @): names, ID numbers, 户号, phone numbers
	Int                 // a whole number
	Date                // a real date cell shown as 2024年3月7日; time.Time or "2006-01-02"
	Money               // a number shown with two decimals and thousands separators
	Decimal             // a number shown as Excel's General format shows it
)

// Column is one column of an export, after the automatic 序号 column.
type Column struct {
	Header string
	Width  float64 // in characters; zero picks one from the header and kind
	Kind   Kind
}

// Table describes an export in the shape officials keep their ledgers:
// title, 填报单位 and 填报日期 above the header, so a printout can be signed
// and filed without retyping.
type Table struct {
	Title   string
	Unit    string    // 填报单位; left blank to be filled in by hand when empty
	Date    time.Time // 填报日期; left as blanks before 年月日 when zero
	Columns []Column
}

// headerRows is how many rows come before the data: title, unit and date,
// header.
const headerRows = 3

// serialHeader titles the row-number column every ledger starts with.
const serialHeader = "序号"

// dateFormat is the number format of Date cells, the way officials write
// dates.
const dateFormat = `yyyy"年"m"月"d"日"`

// Writer writes an export as an .xlsx workbook row by row through
// excelize's StreamWriter, which moves rows to a temporary file past 16 MB,
// so a 100,000-row export needs little memory. Close writes the workbook.
type Writer struct {
	out    io.Writer
	cols   []Column
	f      *excelize.File
	sw     *excelize.StreamWriter
	serial int   // style of the 序号 cells
	styles []int // style of each column's data cells
	n      int   // data rows written
	row    []any
	err    error // a failure of the stream, after which nothing more is written
}

// NewWriter starts an export of t to out: it lays out the title, the
// 填报单位 and 填报日期 line and the header, and sets up printing (A4
// landscape, one page wide, rows 1–3 repeated on every page, "第 N 页 共
// M 页" in the footer).
func NewWriter(out io.Writer, t Table) (*Writer, error) {
	if len(t.Columns) == 0 {
		return nil, errors.New("sheet: a table needs at least one column")
	}
	if len(t.Columns) >= maxColumns {
		return nil, fmt.Errorf("sheet: more than %d columns", maxColumns-1)
	}
	f := excelize.NewFile()
	w := &Writer{out: out, cols: t.Columns, f: f}
	if err := w.start(t); err != nil {
		_ = f.Close()
		return nil, err
	}
	return w, nil
}

// start does NewWriter's work; the order matters, since excelize's stream
// writer copies sheet properties when it is created and the view and
// columns when the first row is written.
func (w *Writer) start(t Table) error {
	f := w.f
	name := sheetName(t.Title)
	if err := f.SetSheetName("Sheet1", name); err != nil {
		return err
	}
	n := len(t.Columns) + 1 // with 序号
	last, err := excelize.ColumnNumberToName(n)
	if err != nil {
		return err
	}

	st, err := newStyles(f, t.Columns)
	if err != nil {
		return err
	}
	w.serial, w.styles = st.serial, st.cols

	yes, one, zero := true, 1, 0
	a4, landscape := 9, "landscape"
	if err := f.SetSheetProps(name, &excelize.SheetPropsOptions{FitToPage: &yes}); err != nil {
		return err
	}
	if err := f.SetPageLayout(name, &excelize.PageLayoutOptions{
		Size: &a4, Orientation: &landscape, FitToWidth: &one, FitToHeight: &zero,
	}); err != nil {
		return err
	}
	margin, edge := 0.5, 0.3
	if err := f.SetPageMargins(name, &excelize.PageLayoutMarginsOptions{
		Left: &margin, Right: &margin, Top: &margin, Bottom: &margin,
		Header: &edge, Footer: &edge, Horizontally: &yes,
	}); err != nil {
		return err
	}
	if err := f.SetHeaderFooter(name, &excelize.HeaderFooterOptions{
		OddFooter: "&C第 &P 页 共 &N 页",
	}); err != nil {
		return err
	}
	quoted := "'" + strings.ReplaceAll(name, "'", "''") + "'"
	if err := f.SetDefinedName(&excelize.DefinedName{
		Name: "_xlnm.Print_Titles", RefersTo: quoted + "!$1:$3", Scope: name,
	}); err != nil {
		return err
	}

	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	w.sw = sw
	if err := sw.SetPanes(&excelize.Panes{
		Freeze: true, XSplit: 1, YSplit: headerRows, TopLeftCell: "B4", ActivePane: "bottomRight",
		Selection: []excelize.Selection{{SQRef: "B4", ActiveCell: "B4", Pane: "bottomRight"}},
	}); err != nil {
		return err
	}
	// excelize puts each column set first in <cols>, which the schema
	// wants in ascending order, so columns are set from the last.
	for i := len(t.Columns) - 1; i >= 0; i-- {
		c := t.Columns[i]
		if err := sw.SetColWidth(i+2, i+2, columnWidth(c)); err != nil {
			return err
		}
		// Rows typed in by hand below the export keep the column's format.
		if c.Kind == Text || c.Kind == Date {
			if err := sw.SetColStyle(i+2, i+2, st.plain[i]); err != nil {
				return err
			}
		}
	}
	if err := sw.SetColWidth(1, 1, 6); err != nil {
		return err
	}

	// Row 1: the title across all columns.
	title := make([]any, n)
	for i := range title {
		title[i] = excelize.Cell{StyleID: st.title}
	}
	title[0] = excelize.Cell{StyleID: st.title, Value: neutralise(t.Title)}
	if err := sw.SetRow("A1", title, excelize.RowOpts{Height: 32}); err != nil {
		return err
	}
	if n > 1 {
		if err := sw.MergeCell("A1", last+"1"); err != nil {
			return err
		}
	}

	// Row 2: 填报单位 on the left half, 填报日期 on the right.
	date := "填报日期：　　　　年　　月　　日"
	if !t.Date.IsZero() {
		date = "填报日期：" + localtime.In(t.Date).Format("2006年1月2日")
	}
	split := (n + 1) / 2 // columns in the left half
	line := make([]any, n)
	for i := range line {
		s := st.unit
		if i >= split {
			s = st.date
		}
		line[i] = excelize.Cell{StyleID: s}
	}
	line[0] = excelize.Cell{StyleID: st.unit, Value: "填报单位：" + neutralise(t.Unit)}
	if split < n {
		line[split] = excelize.Cell{StyleID: st.date, Value: date}
	}
	if err := sw.SetRow("A2", line, excelize.RowOpts{Height: 22}); err != nil {
		return err
	}
	if split > 1 {
		mid, _ := excelize.ColumnNumberToName(split)
		if err := sw.MergeCell("A2", mid+"2"); err != nil {
			return err
		}
	}
	if n-split > 1 {
		right, _ := excelize.ColumnNumberToName(split + 1)
		if err := sw.MergeCell(right+"2", last+"2"); err != nil {
			return err
		}
	}

	// Row 3: the header.
	header := make([]any, n)
	header[0] = excelize.Cell{StyleID: st.header, Value: serialHeader}
	for i, c := range t.Columns {
		header[i+1] = excelize.Cell{StyleID: st.header, Value: neutralise(c.Header)}
	}
	return sw.SetRow("A3", header, excelize.RowOpts{Height: 28})
}

// Write adds a data row, numbered in the 序号 column; values follow the
// table's columns, and missing trailing values are left blank. A value
// that does not suit its column's kind is an error that leaves the row
// unwritten; the writer stays usable.
func (w *Writer) Write(values ...any) error {
	if w.err != nil {
		return w.err
	}
	if len(values) > len(w.cols) {
		return fmt.Errorf("sheet: %d values for %d columns", len(values), len(w.cols))
	}
	if w.n+headerRows >= maxRows {
		return fmt.Errorf("%w: more than %d rows for one sheet", ErrTooLarge, maxRows-headerRows)
	}
	row := append(w.row[:0], excelize.Cell{StyleID: w.serial, Value: w.n + 1})
	for i, c := range w.cols {
		var v any
		if i < len(values) {
			v = values[i]
		}
		cv, err := cellValue(c.Kind, v)
		if err != nil {
			return fmt.Errorf("sheet: row %d, column %q: %w", w.n+1, c.Header, err)
		}
		row = append(row, excelize.Cell{StyleID: w.styles[i], Value: cv})
	}
	w.row = row
	w.n++
	if err := w.sw.SetRow("A"+strconv.Itoa(w.n+headerRows), row); err != nil {
		w.err = err
		return err
	}
	return nil
}

// Close finishes the workbook and writes it to out; the excelize file and
// its temporary files are released either way.
func (w *Writer) Close() error {
	if w.f == nil {
		return errors.New("sheet: writer already closed")
	}
	f := w.f
	w.f = nil
	err := w.err
	if err == nil {
		err = w.sw.Flush()
	}
	if err == nil {
		err = f.Write(w.out)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if w.err == nil {
		w.err = errors.New("sheet: writer closed")
	}
	return err
}

// Discard releases the writer without writing anything, for when an
// export fails halfway.
func (w *Writer) Discard() error {
	if w.f == nil {
		return nil
	}
	f := w.f
	w.f = nil
	w.err = errors.New("sheet: writer discarded")
	return f.Close()
}

// Template writes t with its example rows, for the download-a-template
// button: officials fill in the same shape they will upload.
func Template(out io.Writer, t Table, example [][]any) error {
	w, err := NewWriter(out, t)
	if err != nil {
		return err
	}
	for _, row := range example {
		if err := w.Write(row...); err != nil {
			_ = w.Discard()
			return err
		}
	}
	return w.Close()
}

// styles are the cell styles of one export.
type styles struct {
	title, unit, date, header, serial int
	cols                              []int // data cells, by column
	plain                             []int // same number formats, no borders, for column defaults
}

// newStyles registers the styles of an export in f.
func newStyles(f *excelize.File, cols []Column) (styles, error) {
	const font = "宋体"
	border := []excelize.Border{
		{Type: "left", Color: "000000", Style: 1},
		{Type: "top", Color: "000000", Style: 1},
		{Type: "right", Color: "000000", Style: 1},
		{Type: "bottom", Color: "000000", Style: 1},
	}
	var st styles
	var err error
	add := func(s *excelize.Style) int {
		if err != nil {
			return 0
		}
		var id int
		id, err = f.NewStyle(s)
		return id
	}
	st.title = add(&excelize.Style{
		Font:      &excelize.Font{Bold: true, Size: 18, Family: font},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"},
	})
	st.unit = add(&excelize.Style{
		Font:      &excelize.Font{Size: 11, Family: font},
		Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "center"},
	})
	st.date = add(&excelize.Style{
		Font:      &excelize.Font{Size: 11, Family: font},
		Alignment: &excelize.Alignment{Horizontal: "right", Vertical: "center"},
	})
	st.header = add(&excelize.Style{
		Font:      &excelize.Font{Bold: true, Size: 11, Family: font},
		Border:    border,
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"D9D9D9"}},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true},
	})
	st.serial = add(&excelize.Style{
		Font:      &excelize.Font{Size: 11, Family: font},
		Border:    border,
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"},
	})
	dateFmt := dateFormat
	for _, c := range cols {
		s := excelize.Style{
			Font:      &excelize.Font{Size: 11, Family: font},
			Border:    border,
			Alignment: &excelize.Alignment{Vertical: "center"},
		}
		switch c.Kind {
		case Text:
			s.NumFmt = 49 // @
			s.Alignment.Horizontal = "left"
		case Int:
			s.NumFmt = 1 // 0
		case Date:
			s.CustomNumFmt = &dateFmt
			s.Alignment.Horizontal = "center"
		case Money:
			s.NumFmt = 4 // #,##0.00
		case Decimal:
			s.NumFmt = 0 // General
		default:
			return st, fmt.Errorf("sheet: column %q has unknown kind %d", c.Header, c.Kind)
		}
		st.cols = append(st.cols, add(&s))
		p := s
		p.Border, p.Font = nil, nil
		st.plain = append(st.plain, add(&p))
	}
	return st, err
}

// columnWidth is the column's width, or one that fits its header and the
// values its kind usually holds.
func columnWidth(c Column) float64 {
	if c.Width > 0 {
		return min(c.Width, 255)
	}
	w := 10.0
	switch c.Kind {
	case Date:
		w = 16
	case Int:
		w = 8
	case Money:
		w = 12
	}
	// A CJK character is about two digits wide.
	hw := 0.0
	for _, r := range c.Header {
		if r < 0x1100 {
			hw++
		} else {
			hw += 2
		}
	}
	return min(max(w, hw+2), 60)
}

// sheetName makes a title into a valid worksheet name: at most 31
// characters, none of []:*?/\, and no apostrophe at either end.
func sheetName(title string) string {
	s := strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\`, r) || r < ' ' {
			return -1
		}
		return r
	}, strings.TrimSpace(title))
	if utf8.RuneCountInString(s) > 31 {
		s = string([]rune(s)[:31])
	}
	s = strings.Trim(s, "' ")
	if s == "" {
		return "Sheet1"
	}
	return s
}

// neutralise defuses text a spreadsheet would run as a formula once the
// data is opened or re-saved as CSV, by prefixing a single quote to text
// that starts with = + - @ tab or carriage return, as OWASP's CSV
// injection guidance recommends. Numbers are never passed here.
func neutralise(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// cellValue converts a value for a column of kind k into what excelize
// should write: a string for Text, an integer serial for Date, a number
// otherwise, or nil for a blank cell.
func cellValue(k Kind, v any) (any, error) {
	v = deref(v)
	if v == nil {
		return nil, nil
	}
	switch k {
	case Text:
		s := text(v)
		if s == "" {
			return nil, nil
		}
		return neutralise(s), nil
	case Int:
		switch x := v.(type) {
		case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
			return x, nil
		case float64:
			if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
				return int64(x), nil
			}
		case float32:
			return cellValue(k, float64(x))
		case string:
			s := trim(x)
			if s == "" {
				return nil, nil
			}
			if n, err := strconv.ParseInt(s, 10, 64); err == nil {
				return n, nil
			}
		}
		return nil, fmt.Errorf("%v is not a whole number", v)
	case Date:
		var t time.Time
		switch x := v.(type) {
		case time.Time:
			if x.IsZero() {
				return nil, nil
			}
			t = x
		case string:
			s := trim(x)
			if s == "" {
				return nil, nil
			}
			var err error
			if t, err = time.Parse("2006-01-02", s); err != nil {
				return nil, fmt.Errorf("%q is not a date like 2006-01-02", s)
			}
		default:
			return nil, fmt.Errorf("%T is not a date", v)
		}
		if n, ok := dateSerial(t); ok {
			return n, nil
		}
		return t.Format("2006-01-02"), nil // before 1900: Excel has no serial
	case Money, Decimal:
		switch x := v.(type) {
		case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
			return x, nil
		case float32:
			return cellValue(k, float64(x))
		case float64:
			if !math.IsNaN(x) && !math.IsInf(x, 0) {
				return x, nil
			}
		case string:
			s := trim(x)
			if s == "" {
				return nil, nil
			}
			if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
				return f, nil
			}
		}
		return nil, fmt.Errorf("%v is not a number", v)
	}
	return nil, fmt.Errorf("unknown kind %d", k)
}

// deref follows a pointer, so callers can pass optional fields as *T with
// nil for blank; a pointer with a String method is kept as it is.
func deref(v any) any {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer {
		return v
	}
	if rv.IsNil() {
		return nil
	}
	if _, ok := v.(fmt.Stringer); ok {
		return v
	}
	return rv.Elem().Interface()
}

// text renders a value for a Text column.
func text(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case time.Time:
		// Before fmt.Stringer, which time.Time also is: a date cell shows
		// the day, not Go's full timestamp.
		if x.IsZero() {
			return ""
		}
		return x.Format("2006-01-02")
	case fmt.Stringer:
		return x.String()
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case float32:
		return strconv.FormatFloat(float64(x), 'f', -1, 32)
	}
	return fmt.Sprint(v)
}

// dateSerial is the Excel serial day number of t's calendar date (in t's
// own location), reporting false for dates Excel cannot hold as numbers.
func dateSerial(t time.Time) (int64, bool) {
	y, m, d := t.Date()
	if y < 1900 || y > 9999 {
		return 0, false
	}
	days := (time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() -
		time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).Unix()) / 86400
	if days <= 60 {
		days-- // Excel's phantom 29 February 1900 comes after these
	}
	return days, true
}

// CSVWriter writes an export as CSV in UTF-8 with a byte-order mark, which
// Excel needs to read Chinese text correctly. It writes the header row and
// data only: title and 填报单位 lines would break every program but Excel
// that imports it. Note that Excel still shows long digit strings such as
// ID numbers as 1.52221E+17 when it opens a CSV; .xlsx is the format for
// officials, CSV for other systems.
type CSVWriter struct {
	w    *csv.Writer
	cols []Column
	n    int
	rec  []string
}

// NewCSVWriter starts a CSV export of t to out and writes its header.
func NewCSVWriter(out io.Writer, t Table) (*CSVWriter, error) {
	if len(t.Columns) == 0 {
		return nil, errors.New("sheet: a table needs at least one column")
	}
	if _, err := io.WriteString(out, "\uFEFF"); err != nil {
		return nil, err
	}
	cw := &CSVWriter{w: csv.NewWriter(out), cols: t.Columns}
	cw.w.UseCRLF = true
	header := []string{serialHeader}
	for _, c := range t.Columns {
		header = append(header, neutralise(c.Header))
	}
	return cw, cw.w.Write(header)
}

// Write adds a data row with the same conversions and checks as
// Writer.Write; dates are written as 2006-01-02.
func (cw *CSVWriter) Write(values ...any) error {
	if len(values) > len(cw.cols) {
		return fmt.Errorf("sheet: %d values for %d columns", len(values), len(cw.cols))
	}
	rec := append(cw.rec[:0], strconv.Itoa(cw.n+1))
	for i, c := range cw.cols {
		var v any
		if i < len(values) {
			v = values[i]
		}
		cv, err := cellValue(c.Kind, v)
		if err != nil {
			return fmt.Errorf("sheet: row %d, column %q: %w", cw.n+1, c.Header, err)
		}
		rec = append(rec, csvText(c.Kind, deref(v), cv))
	}
	cw.rec = rec
	cw.n++
	return cw.w.Write(rec)
}

// Close flushes the rows written; it does not close out.
func (cw *CSVWriter) Close() error {
	cw.w.Flush()
	return cw.w.Error()
}

// csvText renders a converted value cv (from v) for a CSV column of kind k.
func csvText(k Kind, v, cv any) string {
	switch x := cv.(type) {
	case nil:
		return ""
	case string:
		return x
	}
	switch k {
	case Date:
		if t, ok := v.(time.Time); ok {
			return t.Format("2006-01-02")
		}
		return trim(v.(string))
	case Money:
		f, _ := strconv.ParseFloat(fmt.Sprint(cv), 64)
		return strconv.FormatFloat(f, 'f', 2, 64)
	case Decimal:
		if f, ok := cv.(float64); ok {
			return strconv.FormatFloat(f, 'f', -1, 64)
		}
	}
	return fmt.Sprint(cv)
}
