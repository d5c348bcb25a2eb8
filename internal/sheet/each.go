package sheet

import (
	"bytes"
	"errors"
	"io"
	"strings"
)

// Each reads a sheet whose header (within its first rows, at least
// atLeast of columns) names columns, and calls fn for every row after it
// with the row's line and a cell reader that finds a column by its first
// name, whichever alias ("姓名|名字") the sheet used. It returns
// ErrNoHeader when no header is found, and the reader's error when the
// file is not a sheet.
func Each(name string, data []byte, limit int64, columns []string, atLeast int, fn func(line int, cell func(col string) string)) error {
	rd, err := Open(name, bytes.NewReader(data), limit)
	if err != nil {
		return err
	}
	defer rd.Close()
	h, err := rd.Header(columns, atLeast)
	if err != nil {
		return err
	}
	for {
		row, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		fn(row.Line, func(col string) string {
			if i, ok := h.Columns[strings.Split(col, "|")[0]]; ok && i < len(row.Cells) {
				return strings.TrimSpace(row.Cells[i])
			}
			return ""
		})
	}
}
