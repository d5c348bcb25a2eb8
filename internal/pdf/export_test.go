package pdf

// The external tests (package pdf_test, which may import the document
// package built on this one) read PDFs with the same helpers.
var (
	ContentGlyphs = contentGlyphs
	HBShape       = hbShape
)
