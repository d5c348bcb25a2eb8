package sheet

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	xunicode "golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Row is one non-empty row of a sheet. Line is the 1-based row number the
// user sees in Excel or WPS, so that a message like "第 12 行：身份证号有误"
// points at the right row even when blank rows were skipped.
type Row struct {
	Line  int
	Cells []string
}

// Format is the kind of file Open found, by content rather than by name,
// because officials rename files freely.
type Format int

// The formats Open reads.
const (
	XLSX Format = iota + 1
	CSV
)

// String names the format for logs.
func (f Format) String() string {
	switch f {
	case XLSX:
		return "xlsx"
	case CSV:
		return "csv"
	}
	return "unknown"
}

// Reader hands back the rows of an uploaded sheet one at a time, so a caller
// can validate and store a large ledger without holding all of it.
type Reader struct {
	format  Format
	sheet   string
	src     source
	pending []Row
	err     error
	cells   int   // cells with text handed out so far
	text    int64 // bytes of their text
}

// source is what each format implements: the next non-empty row, io.EOF at
// the end.
type source interface {
	next() (Row, error)
	close() error
}

// Open reads an uploaded file of at most limit bytes (DefaultLimit when
// limit <= 0) and prepares to hand back its rows. The format is detected by
// content: a zip is read as .xlsx (its first visible worksheet), an OLE2
// file is refused as ErrLegacyXLS or ErrEncrypted, anything else is CSV.
// name is only consulted to refuse a file that claims to be a workbook but
// holds HTML or binary data.
//
// When r is also an io.ReaderAt and io.Seeker (an *os.File, a
// multipart.File, a *bytes.Reader), the file is read in place and must stay
// open until the Reader is done; otherwise it is buffered in memory, which
// limit bounds. Numbers come back as plain values ("0.5", not "50%"), dates
// in date-formatted cells as 2006-01-02, and formulas as the result the
// spreadsheet last calculated.
func Open(name string, r io.Reader, limit int64) (*Reader, error) {
	if limit <= 0 {
		limit = DefaultLimit
	}
	ra, size, err := load(r, limit)
	if err != nil {
		return nil, err
	}
	if size == 0 {
		return nil, ErrEmpty
	}
	head := make([]byte, 8)
	n, err := ra.ReadAt(head, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	head = head[:n]
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		x, err := openXLSX(ra, size)
		if err != nil {
			return nil, err
		}
		return &Reader{format: XLSX, sheet: x.sheetName, src: x}, nil
	case bytes.Equal(head, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}):
		// An encrypted .xlsx is an OLE2 container with an EncryptedPackage
		// stream; everything else in OLE2 is a legacy .xls, .et or .doc.
		if contains(ra, size, utf16le("EncryptedPackage")) {
			return nil, ErrEncrypted
		}
		return nil, ErrLegacyXLS
	case bytes.HasPrefix(head, []byte("PK\x05\x06")), bytes.HasPrefix(head, []byte("PK\x07\x08")):
		return nil, malformedf("empty or split zip archive")
	}
	c, err := openCSV(name, ra, size)
	if err != nil {
		return nil, err
	}
	return &Reader{format: CSV, src: c}, nil
}

// Format reports what kind of file is being read.
func (r *Reader) Format() Format { return r.format }

// Sheet names the worksheet being read, empty for CSV, so a page can say
// which tab of a workbook it took.
func (r *Reader) Sheet() string { return r.sheet }

// Next returns the next non-empty row, or io.EOF after the last one. Cells
// are trimmed of spaces (including full-width and non-breaking ones) and
// trailing empty cells are dropped.
func (r *Reader) Next() (Row, error) {
	if len(r.pending) > 0 {
		row := r.pending[0]
		r.pending = r.pending[1:]
		return row, nil
	}
	if r.err != nil {
		return Row{}, r.err
	}
	row, err := r.src.next()
	if err == nil {
		err = r.count(row)
	}
	if err != nil {
		r.err = err
		return Row{}, err
	}
	return row, nil
}

// count charges a row's cells and text against the reader's caps, which
// hold whatever the format: a shared string referenced by every cell of a
// workbook is counted every time it is handed out.
func (r *Reader) count(row Row) error {
	if row.Line > maxRows {
		return over("rows", maxRows)
	}
	if len(row.Cells) > maxColumns {
		return over("columns", maxColumns)
	}
	for _, c := range row.Cells {
		if len(c) > MaxCellBytes {
			return over("cell", MaxCellBytes)
		}
		if c != "" {
			r.cells++
		}
		r.text += int64(len(c))
	}
	if r.cells > MaxCells {
		return over("cells", MaxCells)
	}
	if r.text > MaxText {
		return over("text", MaxText)
	}
	return nil
}

// Header reads up to HeaderSearchRows rows looking for the header row (see
// FindHeader) and returns it; the next call to Next returns the first row
// after the header. It returns ErrNoHeader if none of those rows qualifies,
// and the rows read stay available to Next.
func (r *Reader) Header(want []string, atLeast int) (Header, error) {
	var rows []Row
	for len(rows) < HeaderSearchRows {
		row, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return Header{}, err
		}
		rows = append(rows, row)
	}
	h, ok := FindHeader(rows, want, atLeast)
	if !ok {
		r.pending = append(rows, r.pending...)
		return Header{}, ErrNoHeader
	}
	r.pending = append(rows[h.Index+1:], r.pending...)
	return h, nil
}

// Close releases what the reader holds. It never closes the io.Reader given
// to Open, which belongs to the caller.
func (r *Reader) Close() error {
	if r.src == nil {
		return nil
	}
	err := r.src.close()
	r.src = nil
	if r.err == nil {
		r.err = errors.New("sheet: reader closed")
	}
	return err
}

// load returns r as an io.ReaderAt of known size, reading r into memory
// only when it cannot be read in place; more than limit bytes is
// ErrTooLarge.
func load(r io.Reader, limit int64) (io.ReaderAt, int64, error) {
	if ra, ok := r.(interface {
		io.ReaderAt
		io.Seeker
	}); ok {
		cur, err := ra.Seek(0, io.SeekCurrent)
		if err == nil {
			end, err := ra.Seek(0, io.SeekEnd)
			if err == nil {
				if _, err := ra.Seek(cur, io.SeekStart); err != nil {
					return nil, 0, err
				}
				if end-cur > limit {
					return nil, 0, ErrTooLarge
				}
				return io.NewSectionReader(ra, cur, end-cur), end - cur, nil
			}
		}
	}
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, 0, err
	}
	if int64(len(b)) > limit {
		return nil, 0, ErrTooLarge
	}
	return bytes.NewReader(b), int64(len(b)), nil
}

// contains reports whether pattern occurs anywhere in the first size bytes
// of ra, reading in chunks so a large file is not held at once.
func contains(ra io.ReaderAt, size int64, pattern []byte) bool {
	const chunk = 64 << 10
	buf := make([]byte, chunk+len(pattern))
	for off := int64(0); off < size; off += chunk {
		n, _ := ra.ReadAt(buf, off)
		if bytes.Contains(buf[:n], pattern) {
			return true
		}
	}
	return false
}

// utf16le encodes ASCII text as UTF-16LE bytes, the way OLE2 directory
// entries name their streams.
func utf16le(s string) []byte {
	b := make([]byte, 0, 2*len(s))
	for i := 0; i < len(s); i++ {
		b = append(b, s[i], 0)
	}
	return b
}

// validUTF8 reports whether the first size bytes of ra are valid UTF-8,
// checking chunk by chunk and carrying a rune split across chunks.
func validUTF8(ra io.ReaderAt, size int64) bool {
	const chunk = 64 << 10
	buf := make([]byte, utf8.UTFMax+chunk)
	carry := 0
	for off := int64(0); off < size; off += chunk {
		n, err := ra.ReadAt(buf[carry:carry+chunk], off)
		if err != nil && !errors.Is(err, io.EOF) {
			return false
		}
		b := buf[:carry+n]
		// Hold back an incomplete rune at the end for the next chunk.
		keep := 0
		for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
			if utf8.RuneStart(b[i]) {
				if !utf8.FullRune(b[i:]) {
					keep = len(b) - i
				}
				break
			}
		}
		if !utf8.Valid(b[:len(b)-keep]) {
			return false
		}
		copy(buf, b[len(b)-keep:])
		carry = keep
	}
	return carry == 0
}

// csvSource reads CSV records and turns them into rows numbered as Excel
// numbers them: one row per record, blank lines included, a quoted field
// spanning lines still one row.
type csvSource struct {
	r       *csv.Reader
	guard   *recordGuard
	prevEnd int // physical line the previous record ended on
	prevRow int // Excel row of the previous record
}

// openCSV detects the encoding and delimiter and prepares the CSV reader.
func openCSV(name string, ra io.ReaderAt, size int64) (*csvSource, error) {
	head := make([]byte, 4)
	n, _ := ra.ReadAt(head, 0)
	head = head[:n]
	var (
		in   io.Reader = io.NewSectionReader(ra, 0, size)
		enc  encoding.Encoding
		utf  bool
		skip int64
	)
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		skip, utf = 3, true
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		enc = xunicode.UTF16(xunicode.LittleEndian, xunicode.ExpectBOM)
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		enc = xunicode.UTF16(xunicode.BigEndian, xunicode.ExpectBOM)
	default:
		utf = validUTF8(ra, size)
		if !utf {
			enc = simplifiedchinese.GB18030
		}
	}
	if utf || enc == simplifiedchinese.GB18030 {
		// Text formats never hold NUL; a file that does is binary, and
		// reading it as CSV would only produce garbage rows.
		if contains(ra, size, []byte{0}) {
			return nil, malformedf("binary data in a text file")
		}
		switch strings.ToLower(path.Ext(name)) {
		case ".xls", ".xlsx", ".xlsm", ".et":
			// Many systems "export to Excel" as an HTML table named .xls.
			first := bytes.TrimLeft(head, " \t\r\n\xEF\xBB\xBF")
			if len(first) > 0 && first[0] == '<' {
				return nil, ErrLegacyXLS
			}
		}
	}
	if skip > 0 {
		in = io.NewSectionReader(ra, skip, size-skip)
	}
	if enc != nil {
		in = transform.NewReader(in, enc.NewDecoder())
	}
	guard := &recordGuard{r: in}
	br := bufio.NewReaderSize(guard, 64<<10)
	peek, _ := br.Peek(64 << 10)
	cr := csv.NewReader(br)
	cr.Comma = delimiter(peek, enc != nil && enc != simplifiedchinese.GB18030)
	cr.LazyQuotes = true
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	return &csvSource{r: cr, guard: guard}, nil
}

// MaxRecordBytes is the most one CSV record (a row, quoted line breaks and
// all) may take in the file: forty cells as long as a cell may be.
const MaxRecordBytes = 40 * MaxCellBytes

// recordGuard stops a CSV record at MaxRecordBytes while it is being read:
// encoding/csv holds a whole record before handing it on, so a cap checked
// on the record would come after the memory was spent.
type recordGuard struct {
	r          io.Reader
	read, mark int64 // bytes handed on; where the last record ended
}

func (g *recordGuard) Read(p []byte) (int, error) {
	if g.read-g.mark > MaxRecordBytes+64<<10 { // the buffer reads ahead 64 KB
		return 0, over("row", MaxRecordBytes)
	}
	n, err := g.r.Read(p)
	g.read += int64(n)
	return n, err
}

// delimiter picks comma, tab or semicolon by counting each outside quotes
// on the first line; tabs win ties in UTF-16 files, which Excel's "Unicode
// text" writes tab-separated, and commas win them otherwise.
func delimiter(b []byte, utf16 bool) rune {
	counts := map[byte]int{}
	quoted := false
	for _, c := range b {
		if c == '"' {
			quoted = !quoted
			continue
		}
		if !quoted && (c == '\n' || c == '\r') {
			break
		}
		if !quoted {
			counts[c]++
		}
	}
	best := byte(',')
	if utf16 {
		best = '\t'
	}
	for _, c := range []byte{',', '\t', ';'} {
		if counts[c] > counts[best] {
			best = c
		}
	}
	return rune(best)
}

func (c *csvSource) next() (Row, error) {
	for {
		rec, err := c.r.Read()
		if errors.Is(err, io.EOF) {
			return Row{}, io.EOF
		}
		var limit *LimitError
		if errors.As(err, &limit) {
			return Row{}, limit
		}
		if err != nil {
			return Row{}, malformed(err)
		}
		c.guard.mark = c.r.InputOffset()
		start, _ := c.r.FieldPos(0)
		end := start
		for _, f := range rec {
			end += strings.Count(f, "\n")
		}
		// Blank lines are rows in Excel; a record spanning lines is one.
		line := c.prevRow + start - c.prevEnd
		c.prevRow, c.prevEnd = line, end
		if cells := trimCells(rec); len(cells) > 0 {
			return Row{Line: line, Cells: cells}, nil
		}
	}
}

func (c *csvSource) close() error { return nil }

// trimCells trims every cell and drops trailing empty ones; it returns nil
// for a row with nothing in it. The strings are copied, so the caller may
// reuse rec.
func trimCells(rec []string) []string {
	last := -1
	for i, s := range rec {
		if trim(s) != "" {
			last = i
		}
	}
	if last < 0 {
		return nil
	}
	cells := make([]string, last+1)
	for i := range cells {
		c := trim(rec[i])
		if !utf8.ValidString(c) {
			// Only a CSV whose byte-order mark promised UTF-8 gets here;
			// callers store cells in a database that wants valid text.
			c = strings.ToValidUTF8(c, "\uFFFD")
		}
		cells[i] = c
	}
	return cells
}

// trim removes leading and trailing white space as a person sees it: ASCII
// and Unicode spaces including the full-width U+3000 that Chinese input
// methods type and the non-breaking space pasted from web pages, plus
// zero-width spaces and stray byte-order marks.
func trim(s string) string {
	return strings.TrimFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || r == '\u200B' || r == '\uFEFF'
	})
}
