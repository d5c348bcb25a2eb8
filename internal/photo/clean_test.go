package photo

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"testing"
)

// gpsSecret stands for the position a phone writes into a photo.
const gpsSecret = "N 46.08 E 121.95 科右前旗"

// exifJPEG is a 40×20 JPEG whose EXIF says to turn it right (orientation
// 6) and carries a GPS block.
func exifJPEG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 40, 20))
	for x := range 40 {
		for y := range 20 {
			img.Set(x, y, color.RGBA{R: uint8(x * 6), G: 80, B: 200, A: 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	// TIFF, little-endian: IFD0 with orientation and a GPS IFD pointer;
	// the GPS IFD's one entry is an ASCII string after it.
	le := binary.LittleEndian
	tiff := []byte("II*\x00\x08\x00\x00\x00")
	ifd0 := make([]byte, 2+2*12+4)
	le.PutUint16(ifd0, 2)
	le.PutUint16(ifd0[2:], 0x0112)
	le.PutUint16(ifd0[4:], 3)
	le.PutUint32(ifd0[6:], 1)
	le.PutUint16(ifd0[10:], 6)
	le.PutUint16(ifd0[14:], 0x8825)
	le.PutUint16(ifd0[16:], 4)
	le.PutUint32(ifd0[18:], 1)
	gpsAt := 8 + len(ifd0)
	le.PutUint32(ifd0[22:], uint32(gpsAt))
	gps := make([]byte, 2+12+4)
	le.PutUint16(gps, 1)
	le.PutUint16(gps[2:], 0x001B) // GPSProcessingMethod
	le.PutUint16(gps[4:], 7)
	le.PutUint32(gps[6:], uint32(len(gpsSecret)))
	le.PutUint32(gps[10:], uint32(gpsAt+len(gps)))
	tiff = append(append(append(tiff, ifd0...), gps...), gpsSecret...)
	seg := append([]byte("Exif\x00\x00"), tiff...)
	app1 := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(app1[2:], uint16(len(seg)+2))
	out := append([]byte{0xFF, 0xD8}, append(app1, seg...)...)
	return append(out, b.Bytes()[2:]...)
}

// TestCleanStripsLocation stores a phone photo with its GPS position:
// what is kept has no EXIF left, stands the way the camera meant, and
// decodes.
func TestCleanStripsLocation(t *testing.T) {
	data := exifJPEG(t)
	if !bytes.Contains(data, []byte(gpsSecret)) {
		t.Fatal("the test photo lacks its GPS block")
	}
	if jpegOrientation(data) != 6 {
		t.Fatalf("orientation %d", jpegOrientation(data))
	}
	clean, err := Clean(data, JPEG)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(clean, []byte(gpsSecret)) || bytes.Contains(clean, []byte("Exif")) {
		t.Fatal("the stored photo keeps its EXIF")
	}
	w, h, err := Size(clean, JPEG)
	if err != nil || w != 20 || h != 40 {
		t.Fatalf("cleaned photo is %d×%d (%v), want 20×40 upright", w, h, err)
	}
}

// pngClaiming is a PNG header claiming w×h pixels, all a decoder reads
// before allocating them.
func pngClaiming(w, h uint32) []byte {
	ihdr := make([]byte, 4+13)
	copy(ihdr, "IHDR")
	binary.BigEndian.PutUint32(ihdr[4:], w)
	binary.BigEndian.PutUint32(ihdr[8:], h)
	ihdr[12], ihdr[13] = 8, 6 // 8-bit RGBA
	chunk := binary.BigEndian.AppendUint32(nil, 13)
	chunk = append(chunk, ihdr...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(ihdr))
	return append([]byte("\x89PNG\r\n\x1a\n"), chunk...)
}

func TestCleanRefusesTooManyPixels(t *testing.T) {
	for _, c := range []struct {
		name  string
		data  []byte
		ctype string
	}{
		{"PNG of 50 megapixels", pngClaiming(10000, 5000), PNG},
		{"PNG of 100000 × 1000", pngClaiming(100000, 1000), PNG},
		{"WebP of 16384 × 16384", append([]byte("RIFF\x00\x00\x00\x00WEBPVP8X\x0a\x00\x00\x00\x00\x00\x00\x00\xff\x3f\x00\xff\x3f\x00"), make([]byte, 8)...), WebP},
	} {
		if _, err := Clean(c.data, c.ctype); !errors.Is(err, ErrTooManyPx) {
			t.Errorf("%s: %v, want refused for its pixels", c.name, err)
		}
	}
	if _, err := Clean(Swatch(3), PNG); err != nil {
		t.Errorf("a small PNG: %v", err)
	}
	if _, err := Clean([]byte("\x89PNG\r\n\x1a\nnot really"), PNG); !errors.Is(err, ErrUnreadable) {
		t.Errorf("a broken PNG: %v", err)
	}
}

func TestWebPStripsMetadata(t *testing.T) {
	chunk := func(id string, body []byte) []byte {
		c := append([]byte(id), binary.LittleEndian.AppendUint32(nil, uint32(len(body)))...)
		c = append(c, body...)
		if len(body)%2 == 1 {
			c = append(c, 0)
		}
		return c
	}
	vp8x := make([]byte, 10)
	vp8x[0] = 0x08 | 0x04
	vp8x[4], vp8x[7] = 31, 15 // 32×16
	body := append([]byte("WEBP"), chunk("VP8X", vp8x)...)
	body = append(body, chunk("VP8L", []byte{0x2f, 0, 0, 0, 0})...)
	body = append(body, chunk("EXIF", []byte(gpsSecret))...)
	body = append(body, chunk("XMP ", []byte("<x:xmpmeta/>"))...)
	data := append(append([]byte("RIFF"), binary.LittleEndian.AppendUint32(nil, uint32(len(body)))...), body...)
	clean, err := Clean(data, WebP)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(clean, []byte(gpsSecret)) || bytes.Contains(clean, []byte("xmpmeta")) || clean[20]&0x0C != 0 {
		t.Fatalf("metadata left: %q", clean)
	}
	if w, h, err := Size(clean, WebP); err != nil || w != 32 || h != 16 || int(binary.LittleEndian.Uint32(clean[4:])) != len(clean)-8 {
		t.Fatalf("cleaned WebP %d×%d %v", w, h, err)
	}
}

func TestThumb(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 1200, 600))
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	th, err := Thumb(b.Bytes(), JPEG)
	if err != nil {
		t.Fatal(err)
	}
	if w, h, err := Size(th, JPEG); err != nil || w != ThumbSide || h != ThumbSide/2 || len(th) >= b.Len() {
		t.Fatalf("thumbnail %d×%d, %d bytes of %d (%v)", w, h, len(th), b.Len(), err)
	}
	if th, err := Thumb(Swatch(2), PNG); err != nil || len(th) == 0 {
		t.Fatalf("thumbnail of a small PNG: %v", err)
	}
}
