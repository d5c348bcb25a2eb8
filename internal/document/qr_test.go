package document

import (
	"bytes"
	"encoding/base64"
	"image/png"
	"strings"
	"testing"
)

func TestQRDataURL(t *testing.T) {
	u, err := QRDataURL("otpauth://totp/%E5%96%84%E6%B2%BB:zhangsan?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=%E5%96%84%E6%B2%BB&algorithm=SHA1&digits=6&period=30")
	if err != nil {
		t.Fatal(err)
	}
	const prefix = "data:image/png;base64,"
	s := string(u)
	if !strings.HasPrefix(s, prefix) {
		t.Fatalf("URL starts %.40q", s)
	}
	raw, err := base64.StdEncoding.DecodeString(s[len(prefix):])
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 256 || b.Dy() != 256 {
		t.Fatalf("image is %dx%d, want 256x256", b.Dx(), b.Dy())
	}
}

func TestQRDataURLTooLong(t *testing.T) {
	if _, err := QRDataURL(strings.Repeat("x", 5000)); err == nil {
		t.Fatal("5,000 bytes encoded; a QR code holds at most 2,953")
	}
}
