package photo

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
)

// MaxPixels is the most pixels a stored image may have: a 40-megapixel
// phone photo decodes to 160 MB, and an image that claims more is a
// decompression bomb, whatever its file size.
const MaxPixels = 40_000_000

// Error is a reason Clean refuses an image, for callers to turn into a
// message; a string type, so the values are constants.
type Error string

// Error returns the message.
func (e Error) Error() string { return string(e) }

// The reasons.
const (
	ErrUnreadable Error = "photo: the image cannot be read"
	ErrTooManyPx  Error = "photo: the image has too many pixels"
)

// Size reads an image's width and height from its header only, without
// decoding its pixels.
func Size(data []byte, ctype string) (int, int, error) {
	if ctype == WebP {
		return webpSize(data)
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return 0, 0, ErrUnreadable
	}
	return cfg.Width, cfg.Height, nil
}

// Clean returns an image as it may be stored: its header is checked
// against MaxPixels before anything is decoded, and JPEG and PNG images are
// decoded and encoded again, which leaves behind every piece of metadata
// (EXIF with the GPS position and the phone's make, comments, XMP); a
// JPEG's EXIF orientation is applied to the pixels first, so the photo
// still stands the right way up. WebP, which the standard library cannot
// encode, keeps its image data and loses its EXIF and XMP chunks. GIF
// carries no such metadata and is kept.
func Clean(data []byte, ctype string) ([]byte, error) {
	w, h, err := Size(data, ctype)
	if err != nil {
		return nil, err
	}
	if w <= 0 || h <= 0 || int64(w)*int64(h) > MaxPixels {
		return nil, ErrTooManyPx
	}
	switch ctype {
	case JPEG:
		img, err := jpeg.Decode(bytes.NewReader(data))
		if err != nil {
			return nil, ErrUnreadable
		}
		var b bytes.Buffer
		if err := jpeg.Encode(&b, orient(img, jpegOrientation(data)), &jpeg.Options{Quality: 90}); err != nil {
			return nil, err
		}
		return b.Bytes(), nil
	case PNG:
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			return nil, ErrUnreadable
		}
		var b bytes.Buffer
		if err := png.Encode(&b, img); err != nil {
			return nil, err
		}
		return b.Bytes(), nil
	case WebP:
		return webpStrip(data)
	case GIF:
		if _, err := gif.DecodeConfig(bytes.NewReader(data)); err != nil {
			return nil, ErrUnreadable
		}
		return data, nil
	}
	return nil, ErrUnreadable
}

// Problem names, as a catalogue key, why Clean refused an image.
func Problem(err error) string {
	if errors.Is(err, ErrTooManyPx) {
		return "photo.too_many_pixels"
	}
	return "photo.unreadable"
}

// jpegOrientation reads the EXIF orientation (1 to 8) of a JPEG, 1 when it
// has none.
func jpegOrientation(data []byte) int {
	for i := 2; i+4 <= len(data) && data[i] == 0xFF; {
		marker, n := data[i+1], int(binary.BigEndian.Uint16(data[i+2:]))
		if marker == 0xDA || n < 2 || i+2+n > len(data) {
			return 1
		}
		seg := data[i+4 : i+2+n]
		if marker == 0xE1 && bytes.HasPrefix(seg, []byte("Exif\x00\x00")) {
			return tiffOrientation(seg[6:])
		}
		i += 2 + n
	}
	return 1
}

// tiffOrientation finds tag 0x0112 in the first IFD of a TIFF block.
func tiffOrientation(t []byte) int {
	if len(t) < 8 {
		return 1
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 1
	}
	off := int(bo.Uint32(t[4:]))
	if off < 8 || off+2 > len(t) {
		return 1
	}
	count := int(bo.Uint16(t[off:]))
	for e := off + 2; e+12 <= len(t) && count > 0; e, count = e+12, count-1 {
		if bo.Uint16(t[e:]) == 0x0112 {
			if v := int(bo.Uint16(t[e+8:])); v >= 1 && v <= 8 {
				return v
			}
			return 1
		}
	}
	return 1
}

// orient turns img upright for an EXIF orientation; the mirrored ones,
// which cameras do not write, are left as they are.
func orient(img image.Image, o int) image.Image {
	if o != 3 && o != 6 && o != 8 {
		return img
	}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	var out *image.RGBA
	if o == 3 {
		out = image.NewRGBA(image.Rect(0, 0, w, h))
	} else {
		out = image.NewRGBA(image.Rect(0, 0, h, w))
	}
	for y := range h {
		for x := range w {
			c := img.At(b.Min.X+x, b.Min.Y+y)
			switch o {
			case 3:
				out.Set(w-1-x, h-1-y, c)
			case 6: // the camera was turned right: rotate 90° clockwise
				out.Set(h-1-y, x, c)
			case 8:
				out.Set(y, w-1-x, c)
			}
		}
	}
	return out
}

// webpSize reads a WebP's canvas size from its first chunk.
func webpSize(d []byte) (int, int, error) {
	if len(d) < 30 || string(d[:4]) != "RIFF" || string(d[8:12]) != "WEBP" {
		return 0, 0, ErrUnreadable
	}
	switch string(d[12:16]) {
	case "VP8X":
		w := int(d[24]) | int(d[25])<<8 | int(d[26])<<16
		h := int(d[27]) | int(d[28])<<8 | int(d[29])<<16
		return w + 1, h + 1, nil
	case "VP8L":
		if d[20] != 0x2F {
			return 0, 0, ErrUnreadable
		}
		bits := binary.LittleEndian.Uint32(d[21:])
		return int(bits&0x3FFF) + 1, int(bits>>14&0x3FFF) + 1, nil
	case "VP8 ":
		if d[23] != 0x9D || d[24] != 0x01 || d[25] != 0x2A {
			return 0, 0, ErrUnreadable
		}
		return int(binary.LittleEndian.Uint16(d[26:]) & 0x3FFF), int(binary.LittleEndian.Uint16(d[28:]) & 0x3FFF), nil
	}
	return 0, 0, ErrUnreadable
}

// webpStrip drops the EXIF and XMP chunks of a WebP and clears the flags
// that announced them.
func webpStrip(d []byte) ([]byte, error) {
	out := append([]byte(nil), d[:12]...)
	for i := 12; i < len(d); {
		if i+8 > len(d) {
			return nil, ErrUnreadable
		}
		n := int(binary.LittleEndian.Uint32(d[i+4:]))
		end := i + 8 + n + n&1
		if n < 0 || end > len(d) || end < i {
			return nil, ErrUnreadable
		}
		switch string(d[i : i+4]) {
		case "EXIF", "XMP ":
		case "VP8X":
			c := append([]byte(nil), d[i:end]...)
			c[8] &^= 0x08 | 0x04 // the EXIF and XMP flags
			out = append(out, c...)
		default:
			out = append(out, d[i:end]...)
		}
		i = end
	}
	binary.LittleEndian.PutUint32(out[4:], uint32(len(out)-8))
	return out, nil
}

// ThumbSide is the longest side of a thumbnail: a list shows photos at 64
// CSS pixels, twice that on a phone's screen, with room to spare.
const ThumbSide = 256

// Thumb returns a small JPEG of an image already through Clean, for lists
// to show instead of the whole photo, or nil for a type the standard
// library cannot decode (WebP), which lists then show as it is.
func Thumb(data []byte, ctype string) ([]byte, error) {
	if ctype == WebP {
		return nil, nil
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, ErrUnreadable
	}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	scale := max(w, h)
	tw, th := w, h
	if scale > ThumbSide {
		tw, th = max(1, w*ThumbSide/scale), max(1, h*ThumbSide/scale)
	}
	// Each thumbnail pixel averages the block of source pixels it covers.
	out := image.NewRGBA(image.Rect(0, 0, tw, th))
	for ty := range th {
		y0, y1 := b.Min.Y+ty*h/th, b.Min.Y+max((ty+1)*h/th, ty*h/th+1)
		for tx := range tw {
			x0, x1 := b.Min.X+tx*w/tw, b.Min.X+max((tx+1)*w/tw, tx*w/tw+1)
			var r, g, bl, n uint64
			for y := y0; y < y1; y++ {
				for x := x0; x < x1; x++ {
					cr, cg, cb, _ := img.At(x, y).RGBA()
					r, g, bl, n = r+uint64(cr), g+uint64(cg), bl+uint64(cb), n+1
				}
			}
			i := out.PixOffset(tx, ty)
			out.Pix[i], out.Pix[i+1], out.Pix[i+2], out.Pix[i+3] = uint8(r/n>>8), uint8(g/n>>8), uint8(bl/n>>8), 255
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, out, &jpeg.Options{Quality: 80}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
