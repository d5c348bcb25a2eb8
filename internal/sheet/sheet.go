// Package sheet reads the spreadsheets officials upload and writes exports
// in the shape they keep their 台账 (ledgers): a merged title row, a
// 填报单位 / 填报日期 line, a header row and numbered data rows, ready to print
// on A4. It knows nothing about households or residents: readers hand back
// rows of trimmed text with the line number the user sees, writers take
// typed values per column, and callers map columns to their own fields.
//
// Reading accepts .xlsx (streamed part by part, so a 100,000-row ledger
// stays well within memory) and CSV in the encodings Excel and WPS save on
// Chinese Windows: UTF-8 with or without BOM, GB18030 and UTF-16 "Unicode
// text". Legacy .xls and password-protected workbooks are refused with
// errors a page can turn into "save it as .xlsx".
package sheet

import (
	"errors"
	"fmt"
)

// Error is a reason a sheet could not be read that callers tell apart with
// errors.Is, so each can become a message the official understands; it is a
// string type so the values below are constants, not mutable globals.
type Error string

// Error returns the message.
func (e Error) Error() string { return string(e) }

// The errors Open and Reader.Next return. ErrMalformed usually wraps the
// underlying cause, which is for logs, not for users.
const (
	ErrEmpty     Error = "sheet: the file is empty"
	ErrTooLarge  Error = "sheet: the file is too large"
	ErrLegacyXLS Error = "sheet: legacy .xls workbook; save it as .xlsx and upload again"
	ErrEncrypted Error = "sheet: the workbook is password-protected; remove the password and upload again"
	ErrMalformed Error = "sheet: the file is damaged or not a spreadsheet"
	ErrNoHeader  Error = "sheet: no header row with the expected columns"
)

// DefaultLimit is the upload size Open enforces when given a limit of zero
// or less, because reading without any bound invites a denial of service.
const DefaultLimit int64 = 32 << 20

// malformed wraps cause in ErrMalformed, so errors.Is finds both.
func malformed(cause error) error {
	if cause == nil || errors.Is(cause, ErrMalformed) || errors.Is(cause, ErrTooLarge) {
		return cause
	}
	return fmt.Errorf("%w: %w", ErrMalformed, cause)
}

// malformedf is malformed for a cause described in words.
func malformedf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrMalformed}, args...)...)
}
