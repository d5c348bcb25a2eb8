// Package printout builds the official printed documents — the household
// statement, the village's 公示, the register, the inspection sheet — as
// document definitions, for the web pages' print views, their .pdf routes
// and the API alike, so the three give the same paper.
package printout

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/document"
	"shanzhi/internal/fault"
	"shanzhi/internal/honour"
	"shanzhi/internal/i18n"
	"shanzhi/internal/localtime"
	"shanzhi/internal/points"
	"shanzhi/internal/region"
	"shanzhi/internal/registry"
	"shanzhi/internal/review"
	"shanzhi/internal/scheme"
	"shanzhi/internal/talent"
)

// Deps are the services the documents read.
type Deps struct {
	Catalog  *i18n.Catalog
	Regions  region.Service
	Registry registry.Service
	Ledger   points.Service
	Review   review.Service
	Schemes  scheme.Service
	Talent   talent.Service
	Honours  honour.BoardService
	Now      func() time.Time
}

// printer builds documents in one language for one user.
type printer struct {
	Deps
	lang i18n.Lang
	a    *access.Actor
	// bilingual makes the papers Mongolian-first (see script).
	bilingual bool
}

func (p *printer) t(key string, args ...any) string { return p.Catalog.T(p.lang, key, args...) }

// bi is a public text of the catalogue with its Mongolian form (mnArgs
// fill the Mongolian sentence, as a place has a name in each script),
// which a Mongolian-first document shows beside the Chinese. A Chinese
// paper (bilingual off, or a staff language other than Chinese) gets the
// Chinese alone.
func (p *printer) bi(key string, zhArgs, mnArgs []any) document.Text {
	t := document.Text{ZH: p.t(key, zhArgs...)}
	if p.bilingual {
		t.MN, _ = p.Catalog.Mongol(key, mnArgs...)
	}
	return t
}

// script reads how village writes its public outputs: a bilingual
// village's papers are Mongolian-first, named in Mongolian where it has a
// Mongolian name. It returns the name a Mongolian sentence takes.
func (p *printer) script(ctx context.Context, village string) (mnName string, err error) {
	reg, err := p.Regions.PublicScript(ctx, village)
	if err != nil {
		return "", err
	}
	p.bilingual = reg.Bilingual() && p.lang == i18n.ZH
	if reg.NameMongol != "" {
		return reg.NameMongol, nil
	}
	return reg.Name, nil
}

// page fills what every official document carries: the page numbers and
// the print date.
func (p *printer) page(d *document.Document) *document.Document {
	d.PageOf = p.t("print.page_of")
	d.DateLabel = document.Plain(p.t("print.date"))
	d.Fields = append(d.Fields, document.Field{Label: document.Plain(p.t("print.printed_on")), Value: localtime.Day(p.Now())})
	return d
}

// township and village name a village code's township and village, as the
// header of a paper filed with the township needs both.
func (p *printer) places(ctx context.Context, village string) (township, name string, err error) {
	names, err := p.Regions.Names(ctx, []string{village})
	if err != nil {
		return "", "", err
	}
	parts := strings.Split(names[village], " › ")
	if names[village] == "" {
		return "", "", fault.E(fault.NotFound, "error.not_found")
	}
	name = parts[len(parts)-1]
	if len(parts) >= 2 {
		township = parts[len(parts)-2]
	}
	return township, name, nil
}

// Period reads a period from ?from=YYYY-MM-DD&to=YYYY-MM-DD, both days
// included, in the deployment's zone; by default the current year to
// today. It returns the half-open range [from, to) the ledger reads.
func Period(q url.Values, now time.Time) (from, to time.Time, err error) {
	today := localtime.In(now)
	from = time.Date(today.Year(), 1, 1, 0, 0, 0, 0, localtime.Zone())
	to = time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, localtime.Zone())
	for _, f := range []struct {
		name string
		at   *time.Time
	}{{"from", &from}, {"to", &to}} {
		if s := strings.TrimSpace(q.Get(f.name)); s != "" {
			t, err := time.ParseInLocation(time.DateOnly, s, localtime.Zone())
			if err != nil {
				return from, to, fault.OnField(fault.Invalid, f.name, "print.period.bad_date", s)
			}
			*f.at = t
		}
	}
	if to.Before(from) {
		return from, to, fault.OnField(fault.Invalid, "to", "print.period.reversed")
	}
	return from, to.AddDate(0, 0, 1), nil
}

// WritePDF renders d and sends it as name.pdf, shown in the browser's
// viewer (inline) so a phone can print or save it.
func WritePDF(rw http.ResponseWriter, d *document.Document, name string) error {
	b, err := d.PDF()
	if err != nil {
		return err
	}
	rw.Header().Set("Content-Type", "application/pdf")
	rw.Header().Set("Content-Disposition", fmt.Sprintf(`inline; filename="document.pdf"; filename*=UTF-8''%s`, url.PathEscape(name+".pdf")))
	rw.Header().Set("Cache-Control", "no-store")
	_, err = rw.Write(b)
	return err
}
