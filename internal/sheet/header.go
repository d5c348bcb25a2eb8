package sheet

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// HeaderSearchRows is how many leading rows FindHeader and Reader.Header
// look at: real ledgers put a merged title, a 填报单位 line and sometimes a
// note above the header, but never pages of them.
const HeaderSearchRows = 10

// Header is where a sheet's header row is and which cell holds each wanted
// column.
type Header struct {
	Line  int // the row number the user sees
	Index int // the header's position in the rows given to FindHeader
	// Columns maps each wanted name that was found (the first alias, as
	// the caller spelled it) to its 0-based cell index. Missing names are
	// absent; deciding which are required is the caller's business.
	Columns map[string]int
}

// FindHeader returns the first of the first HeaderSearchRows rows in which
// at least atLeast (at least 1) of the wanted column names appear, so that
// titles and 填报单位 lines above the header are skipped without the caller
// counting them. A wanted name may list aliases separated by "|", as in
// "身份证号|公民身份号码". Names are compared after normalising both sides
// (see NormalizeName), and extra columns in the sheet are ignored; when a
// name appears twice the first occurrence wins.
func FindHeader(rows []Row, want []string, atLeast int) (Header, bool) {
	atLeast = max(atLeast, 1)
	lookup := make(map[string]string)
	for _, w := range want {
		names := strings.Split(w, "|")
		for _, alias := range names {
			if n := NormalizeName(alias); n != "" {
				if _, dup := lookup[n]; !dup {
					lookup[n] = names[0]
				}
			}
		}
	}
	for i, row := range rows {
		if i >= HeaderSearchRows {
			break
		}
		cols := make(map[string]int)
		for j, cell := range row.Cells {
			name, ok := lookup[NormalizeName(cell)]
			if !ok {
				continue
			}
			if _, seen := cols[name]; !seen {
				cols[name] = j
			}
		}
		if len(cols) >= atLeast {
			return Header{Line: row.Line, Index: i, Columns: cols}, true
		}
	}
	return Header{}, false
}

// NormalizeName reduces a column title to what makes it that column:
// full-width letters, digits and parentheses become ASCII (NFKC), white
// space anywhere and the * or ＊ marking a required column go, Latin letters
// are lower-cased, and a note in parentheses is dropped, so "＊身份证号
// （18位）" and "身份证号" match: ledgers annotate titles freely.
func NormalizeName(s string) string {
	s = norm.NFKC.String(s)
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '*' || r == '\u200B' || r == '\uFEFF' {
			return -1
		}
		return unicode.ToLower(r)
	}, s)
	for {
		open := strings.IndexByte(s, '(')
		if open < 0 {
			return s
		}
		end := strings.IndexByte(s[open:], ')')
		if end < 0 || open == 0 && end == len(s)-1 {
			return s // nothing but a note: keep it rather than match nothing
		}
		s = s[:open] + s[open+end+1:]
	}
}
