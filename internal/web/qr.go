package web

import (
	"encoding/base64"
	"html/template"

	qrcode "github.com/skip2/go-qrcode"
)

// qrDataURL returns text as a 256-pixel PNG QR code in a data: URL, so the
// TOTP enrolment page and printed household cards can show codes inline
// under a CSP of img-src 'self' data: without a separate image route that
// would put the secret in a URL or a cache. Medium recovery survives a
// smudged print while keeping modules large enough for old phone cameras.
func qrDataURL(text string) (template.URL, error) {
	png, err := qrcode.Encode(text, qrcode.Medium, 256)
	if err != nil {
		return "", err
	}
	return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png)), nil
}
