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
// The files are Debian's (fonts-noto-core and fonts-droid-fallback), whole
// rather than subset: a name can use any CJK character, and a name's rare
// character is worth more than the megabytes a GB 2312 subset would save.
// Each PDF embeds only the glyphs it uses. They are committed and embedded
// gzipped (`gzip -9 -n`, the SHA-256 of each original is checked by
// TestFontsMatchDebian), which keeps the stripped binary about 2.3 MB
// further inside its 40 MiB (BENCHMARKS.md, feat/public); each is
// decompressed once, on first use, and the Mongolian web font goes to
// browsers still compressed (MongolianGzip) when they accept gzip.
package fonts

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"io"
	"sync"
)

// File names the fonts are served and embedded under, uncompressed.
const (
	MongolianFile = "NotoSansMongolian-Regular.ttf"
	CJKFile       = "DroidSansFallbackFull.ttf"
	LatinFile     = "NotoSans-Regular.ttf"
)

// MongolianGzip is the Noto Sans Mongolian TrueType file, gzipped: what a
// browser that accepts gzip receives as is.
//
//go:embed NotoSansMongolian-Regular.ttf.gz
var MongolianGzip []byte

//go:embed DroidSansFallbackFull.ttf.gz
var cjkGzip []byte

//go:embed NotoSans-Regular.ttf.gz
var latinGzip []byte

// lazy is a gzipped font decompressed on first use and kept for the life
// of the process: the fonts are read-only, so one copy serves everyone.
type lazy struct {
	gz   []byte
	once sync.Once
	data []byte
}

func (l *lazy) get() []byte {
	l.once.Do(func() {
		data, err := gunzip(l.gz)
		if err != nil {
			// The files are embedded and checked by a test: a broken one
			// is a broken build, not a condition to handle at run time.
			panic("fonts: embedded font is corrupt: " + err.Error())
		}
		l.data = data
	})
	return l.data
}

func gunzip(gz []byte) ([]byte, error) {
	r, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(r)
}

var mongolian, cjk, latin = &lazy{gz: MongolianGzip}, &lazy{gz: cjkGzip}, &lazy{gz: latinGzip}

// Mongolian is the Noto Sans Mongolian TrueType file.
func Mongolian() []byte { return mongolian.get() }

// CJK is the Droid Sans Fallback Full TrueType file.
func CJK() []byte { return cjk.get() }

// Latin is the Noto Sans TrueType file.
func Latin() []byte { return latin.get() }

// Version returns a short digest of a font's bytes: a web page can put it in
// the font's URL so that browsers cache the file for good and still fetch a
// new one when the binary ships a different font.
func Version(font []byte) string {
	sum := sha256.Sum256(font)
	return hex.EncodeToString(sum[:6])
}
