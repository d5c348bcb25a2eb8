package api

import (
	"net/http"
	"strconv"

	"shanzhi/internal/fault"
)

// maxCursorPage bounds one page of a cursor-paged list, as page does an
// offset-paged one.
const maxCursorPage = 500

// cursorPage is a page of a list read on by its cursor: pass next as
// ?after= for the page after; it is empty on the last page. Unlike an
// offset, a cursor does not skip or repeat rows when rows are added while
// a league's thousands are read page by page.
type cursorPage[T any] struct {
	Items []T    `json:"items"`
	Next  string `json:"next"`
}

// cursorLimit reads ?limit= of a cursor-paged list: 50 unless given, at
// most maxCursorPage.
func cursorLimit(r *http.Request) (int, error) {
	s := r.URL.Query().Get("limit")
	if s == "" {
		return 50, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > maxCursorPage {
		return 0, fault.OnField(fault.Invalid, "limit", "api.limit")
	}
	return n, nil
}
