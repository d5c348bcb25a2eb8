package sheet

import (
	"encoding/xml"
	"fmt"
)

// The caps every upload is read under. A small zip can inflate to far more
// than the upload limit, and one shared string can be referenced by every
// cell, so sizes are counted as the bytes are read, never taken from what a
// file declares, and reading stops at the first cap passed. Each is far
// above an honest ledger (100,000 households, a few dozen columns) and far
// below what would cost the server its memory.
const (
	// MaxCellBytes is the longest cell or shared string: Excel's own
	// 32,767 characters, three bytes each in Chinese.
	MaxCellBytes = 32767 * 3
	// MaxPartBytes is what one worksheet or shared-string part may
	// inflate to; maxMetaBytes is the cap of the small parts (workbook,
	// relationships, styles), which are decoded whole.
	MaxPartBytes = 256 << 20
	maxMetaBytes = 16 << 20
	// MaxSharedStrings and MaxSharedBytes bound the shared-string table,
	// the one part held in memory in full.
	MaxSharedStrings = 1 << 20
	MaxSharedBytes   = 64 << 20
	// MaxSheets is how many worksheets a workbook may list.
	MaxSheets = 256
	// MaxDepth is the deepest XML nesting read; a worksheet needs five.
	MaxDepth = 64
	// MaxCells and MaxText bound what one reader hands out in all: cells
	// with text, and the bytes of that text.
	MaxCells = 4 << 20
	MaxText  = 256 << 20
)

// LimitError is a cap passed while reading: What names it ("cell",
// "part", "shared_strings", "shared_bytes", "sheets", "depth", "row", "rows",
// "columns", "cells", "text") and Max is its value, so a page can say which
// and how much. It is ErrTooLarge to errors.Is.
type LimitError struct {
	What string
	Max  int64
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("sheet: more than %d allowed (%s)", e.Max, e.What)
}

// Is makes every cap an ErrTooLarge to callers that need no detail.
func (e *LimitError) Is(target error) bool { return target == ErrTooLarge }

func over(what string, max int64) error { return &LimitError{What: what, Max: max} }

// limitOr returns the cap part's reading passed, if it did, else
// otherwise: encoding/xml reports a read cut short mid-rune as "invalid
// UTF-8" and drops the cause.
func limitOr(part *budgetReader, otherwise error) error {
	if part.hit != nil {
		return part.hit
	}
	return otherwise
}

// depthCounter tracks the nesting of a token stream.
type depthCounter int

// step counts tok and reports a LimitError once the nesting passes
// MaxDepth.
func (d *depthCounter) step(tok xml.Token) error {
	switch tok.(type) {
	case xml.StartElement:
		*d++
		if *d > MaxDepth {
			return over("depth", MaxDepth)
		}
	case xml.EndElement:
		*d--
	}
	return nil
}

// depthReader hands a decoder's tokens on while counting their nesting, so
// xml.Decoder.Decode of a small part stops at MaxDepth too.
type depthReader struct {
	dec    *xml.Decoder
	part   *budgetReader
	depth  depthCounter
	sheets int
}

func (r *depthReader) Token() (xml.Token, error) {
	tok, err := r.dec.Token()
	if err != nil {
		return tok, err
	}
	r.part.took(r.dec)
	// A token handed on with an error is taken and the error dropped, so
	// the error goes alone.
	if err := r.depth.step(tok); err != nil {
		return nil, err
	}
	// Sheets are counted as they come, not once the workbook is decoded,
	// which for a list of millions takes seconds; no other part has them.
	if t, ok := tok.(xml.StartElement); ok && t.Name.Local == "sheet" {
		if r.sheets++; r.sheets > MaxSheets {
			return nil, over("sheets", MaxSheets)
		}
	}
	return tok, nil
}
