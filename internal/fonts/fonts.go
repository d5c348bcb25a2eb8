// Package fonts holds the fonts shanzhi ships inside its binary, so that
// printed documents and public pages never depend on what a server or a
// phone has installed, and nothing is downloaded at run time.
//
//   - Mongolian: Noto Sans Mongolian (SIL OFL 1.1, OFL-1.1.txt), traditional
//     Mongolian script with the OpenType joining features a shaper needs; the
//     web pages serve it as a web font and the PDFs embed a subset of it.
//   - CJK: Droid Sans Fallback Full (Apache 2.0, Apache-2.0.txt). It has
//     TrueType (glyf) outlines, which PDF embeds as CIDFontType2 without a
//     CFF converter, and it covers far more than GB 2312, so the rare
//     characters of people's names print instead of falling into a box.
//     It has no Latin letters or digits at all.
//   - Latin: Noto Sans (SIL OFL 1.1), for the digits, Latin letters and
//     ASCII punctuation that Droid Sans Fallback lacks: numbers, dates and
//     household numbers.
//
// The files are Debian's, byte for byte (fonts-noto-core and
// fonts-droid-fallback). They are embedded whole rather than subset here:
// the measurements in BENCHMARKS.md (feat/pdf) show the stripped binary stays
// well inside its 40 MB with them, and a name's rare character is worth more
// than the megabytes a GB 2312 subset would save. Each PDF embeds only the
// glyphs it uses.
package fonts

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
)

// File names the fonts are served and embedded under.
const (
	MongolianFile = "NotoSansMongolian-Regular.ttf"
	CJKFile       = "DroidSansFallbackFull.ttf"
	LatinFile     = "NotoSans-Regular.ttf"
)

// Mongolian is the Noto Sans Mongolian TrueType file.
//
//go:embed NotoSansMongolian-Regular.ttf
var Mongolian []byte

// CJK is the Droid Sans Fallback Full TrueType file.
//
//go:embed DroidSansFallbackFull.ttf
var CJK []byte

// Latin is the Noto Sans TrueType file.
//
//go:embed NotoSans-Regular.ttf
var Latin []byte

// Version returns a short digest of a font's bytes: a web page can put it in
// the font's URL so that browsers cache the file for good and still fetch a
// new one when the binary ships a different font.
func Version(font []byte) string {
	sum := sha256.Sum256(font)
	return hex.EncodeToString(sum[:6])
}
