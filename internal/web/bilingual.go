package web

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"shanzhi/internal/fonts"
	"shanzhi/internal/i18n"
	"shanzhi/internal/region"
)

// Public outputs of a village that writes Mongolian and Chinese (嘎查 by
// default, or any village that chose it) carry every fixed text twice:
// traditional Mongolian first, drawn vertically (top to bottom, columns
// left to right) in the font the product serves, then the Chinese. Pages
// print such a text with {{$v.Bi "key" args…}}, and a name with
// {{$v.BiName chinese mongolian}}; on a Chinese-only village both give
// the Chinese alone.

// mongolFont is the Mongolian web font and the stylesheet that declares
// it, each under a name that carries its digest, so both are cached for a
// year and a new binary with another font is fetched anew.
type mongolFont struct {
	fontPath, cssPath string
	css               []byte
}

func newMongolFont() *mongolFont {
	ver := fonts.Version(fonts.Mongolian())
	f := &mongolFont{fontPath: "/fonts/mongolian-" + ver + ".ttf", cssPath: "/fonts/mongolian-" + ver + ".css"}
	// The face is named apart from any installed font, so a page can
	// only draw Mongolian with it; font-display: block keeps a phone
	// from flashing the text in a fallback that cannot join the letters.
	// Its range is the Mongolian block, the joiners and the spaces
	// between words, so a Mongolian run is drawn by this font alone.
	f.css = fmt.Appendf(nil, `@font-face{font-family:"Shanzhi Mongolian";src:url(%q) format("truetype");font-display:block;unicode-range:U+0020,U+1800-18AF,U+202F,U+200C-200D;}
.mn{font-family:"Shanzhi Mongolian";}
`, f.fontPath)
	return f
}

// serveFont answers the font and its stylesheet; any other name under
// /fonts/ is not found. The font goes out as the binary keeps it, gzipped,
// to every browser that accepts gzip (all of them, the WeChat one too):
// 93 KB instead of 242 KB on a village's mobile data.
func (w *Web) serveFont(rw http.ResponseWriter, r *http.Request) {
	var body []byte
	switch r.URL.Path {
	case w.font.fontPath:
		rw.Header().Set("Content-Type", "font/ttf")
		rw.Header().Add("Vary", "Accept-Encoding")
		body = fonts.Mongolian()
		if acceptsGzip(r) {
			rw.Header().Set("Content-Encoding", "gzip")
			body = fonts.MongolianGzip
		}
	case w.font.cssPath:
		rw.Header().Set("Content-Type", "text/css; charset=utf-8")
		body = w.font.css
	default:
		http.NotFound(rw, r)
		return
	}
	rw.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	http.ServeContent(rw, r, "", time.Time{}, bytes.NewReader(body))
}

// publicScript reads how village writes its public pages and sets the
// view to match: bilingual pages load the Mongolian font and their
// heading gets its Mongolian form from titleKey, with the village named
// in the script it has a name in.
func (w *Web) publicScript(r *http.Request, v *view, village string) (*region.Region, error) {
	reg, err := w.Regions.PublicScript(r.Context(), village)
	if err != nil {
		return nil, err
	}
	v.Bilingual = reg.Bilingual()
	v.MongolCSS = w.font.cssPath
	return reg, nil
}

// mongolName is the village's name for a Mongolian sentence: its own
// Mongolian name, or the Chinese one when none is recorded.
func mongolName(reg *region.Region) string {
	if reg.NameMongol != "" {
		return reg.NameMongol
	}
	return reg.Name
}

// biTitle sets the page heading from a public key: the Chinese with zh,
// and on a bilingual page the Mongolian with mn.
func (v *view) biTitle(key string, zh, mn []any) {
	v.Title = v.T(key, zh...)
	if v.Bilingual {
		v.TitleMn, _ = v.w.Catalog.Mongol(key, mn...)
	}
}

// Bi prints a public text: Mongolian vertical then Chinese on a bilingual
// page, the Chinese alone otherwise. A key outside the public subset is
// an error, so a page cannot slip a staff text onto a notice untranslated
// (the template test renders every public page).
func (v *view) Bi(key string, args ...any) (template.HTML, error) {
	if !v.w.Catalog.Public(key) {
		return "", fmt.Errorf("web: %s is not a public text", key)
	}
	zh := v.T(key, args...)
	if !v.Bilingual || v.Lang != i18n.ZH {
		return template.HTML(template.HTMLEscapeString(zh)), nil
	}
	mn, ok := v.w.Catalog.Mongol(key, args...)
	if !ok {
		return "", fmt.Errorf("web: %s has no Mongolian entry", key)
	}
	return biHTML(mn, zh), nil
}

// BiKnown is Bi for a key made from data, such as a scheme's aspect
// code, which a scheme may extend beyond the catalogue: a public key
// prints in both scripts, any other in Chinese alone.
func (v *view) BiKnown(key string, args ...any) (template.HTML, error) {
	if !v.w.Catalog.Public(key) {
		return template.HTML(template.HTMLEscapeString(v.T(key, args...))), nil
	}
	return v.Bi(key, args...)
}

// BiIf is Bi for one part of a page that lists several villages (the
// leader showcase): it is bilingual only where both the page and that
// part's own village are.
func (v *view) BiIf(on bool, key string, args ...any) (template.HTML, error) {
	if !on {
		if !v.w.Catalog.Public(key) {
			return "", fmt.Errorf("web: %s is not a public text", key)
		}
		return template.HTML(template.HTMLEscapeString(v.T(key, args...))), nil
	}
	return v.Bi(key, args...)
}

// BiNameIf is BiName for one part of such a page.
func (v *view) BiNameIf(on bool, zh, mn string) template.HTML {
	if !on {
		return template.HTML(template.HTMLEscapeString(zh))
	}
	return v.BiName(zh, mn)
}

// BiName prints a person's name in the scripts it was recorded in: the
// Mongolian form vertical beside the Chinese on a bilingual page. Both
// come masked from the store when the page is public.
func (v *view) BiName(zh, mn string) template.HTML {
	if !v.Bilingual || mn == "" {
		return template.HTML(template.HTMLEscapeString(zh))
	}
	return biHTML(mn, zh)
}

func biHTML(mn, zh string) template.HTML {
	return template.HTML(`<span class="bi"><span class="mn" lang="mn-Mong">` + template.HTMLEscapeString(mn) +
		`</span><span class="zh">` + template.HTMLEscapeString(zh) + `</span></span>`)
}

// acceptsGzip reports whether the request's Accept-Encoding takes gzip
// (and does not refuse it with q=0).
func acceptsGzip(r *http.Request) bool {
	for _, h := range r.Header.Values("Accept-Encoding") {
		for _, part := range strings.Split(h, ",") {
			name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
			if strings.EqualFold(strings.TrimSpace(name), "gzip") || strings.TrimSpace(name) == "*" {
				q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
				return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
			}
		}
	}
	return false
}
