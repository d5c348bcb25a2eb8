// Package photo holds what every photo the product stores passes through:
// its type is read from its bytes, never from a file name or a client's
// claim, and it is sent back only as the image it was sniffed to be.
// Goods photos (market) and award evidence (points) both use it.
package photo

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"net/http"
	"slices"
	"strconv"
)

// The image types a browser shows without a plug-in. GIF is here for the
// goods catalogue only; evidence photos come from phone cameras.
const (
	JPEG = "image/jpeg"
	PNG  = "image/png"
	WebP = "image/webp"
	GIF  = "image/gif"
)

// Sniff returns the type data's first bytes show and whether it is one of
// types. A renamed HTML page or script therefore never passes as an
// image, whatever it is called, and the type stored is the one served.
func Sniff(data []byte, types ...string) (string, bool) {
	ctype := http.DetectContentType(data)
	return ctype, len(data) > 0 && slices.Contains(types, ctype)
}

// Serve writes a stored photo as its sniffed type. nosniff keeps a browser
// from second-guessing the type; cache is the Cache-Control the caller's
// privacy rules allow ("private, ..." for evidence, "public, ..." for goods).
func Serve(w http.ResponseWriter, ctype string, data []byte, cache string) {
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Content-Length", strconv.Itoa(len(data)))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", cache)
	w.Write(data)
}

// Swatch returns a small PNG of one colour picked by seed, for the demo's
// awards and for tests: distinct seeds give distinct bytes, so distinct
// photos, without shipping image files.
func Swatch(seed byte) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 32, 24))
	draw.Draw(img, img.Bounds(), &image.Uniform{color.RGBA{R: 40 + seed*37, G: 160 - seed*11, B: 90 + seed*5, A: 255}}, image.Point{}, draw.Src)
	var b bytes.Buffer
	png.Encode(&b, img) // writing to memory cannot fail
	return b.Bytes()
}
