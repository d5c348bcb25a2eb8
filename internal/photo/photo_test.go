package photo

import (
	"net/http/httptest"
	"testing"
)

// pngHeader is the signature and IHDR start every PNG begins with.
var pngHeader = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")

func TestSniff(t *testing.T) {
	for _, c := range []struct {
		name  string
		data  []byte
		types []string
		want  string
		ok    bool
	}{
		{"png", pngHeader, []string{JPEG, PNG, WebP}, PNG, true},
		{"jpeg", []byte("\xff\xd8\xff\xe0\x00\x10JFIF"), []string{JPEG, PNG}, JPEG, true},
		{"webp", []byte("RIFF\x00\x00\x00\x00WEBPVP8 "), []string{WebP}, WebP, true},
		{"gif not allowed", []byte("GIF89a"), []string{JPEG, PNG, WebP}, GIF, false},
		{"html named .jpg", []byte("<html><script>alert(1)</script>"), []string{JPEG, PNG, WebP}, "text/html; charset=utf-8", false},
		{"empty", nil, []string{JPEG}, "text/plain; charset=utf-8", false},
	} {
		got, ok := Sniff(c.data, c.types...)
		if got != c.want || ok != c.ok {
			t.Errorf("%s: got %q %v, want %q %v", c.name, got, ok, c.want, c.ok)
		}
	}
}

func TestServe(t *testing.T) {
	rec := httptest.NewRecorder()
	Serve(rec, PNG, pngHeader, "private, max-age=60")
	h := rec.Header()
	if h.Get("Content-Type") != PNG || h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Cache-Control") != "private, max-age=60" || rec.Body.Len() != len(pngHeader) {
		t.Fatalf("headers %v, %d bytes", h, rec.Body.Len())
	}
}

func TestSwatch(t *testing.T) {
	a, b := Swatch(1), Swatch(2)
	if ct, ok := Sniff(a, PNG); !ok || ct != PNG || string(a) == string(b) {
		t.Fatalf("swatch: %q %v, distinct %v", ct, ok, string(a) != string(b))
	}
}
