package web

import (
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/document"
	"shanzhi/internal/printout"
	"shanzhi/internal/server"
)

// printouts are the document builders over the page's services.
func (w *Web) printouts() printout.Deps {
	return printout.Deps{Catalog: w.Catalog, Regions: w.Regions, Registry: w.Registry, Ledger: w.Ledger, Review: w.Review, Schemes: w.Schemes, Talent: w.Talent, Honours: w.Honours, Now: w.Now}
}

// printPage is a print view: the document as HTML, a small form for the
// choices the document takes (a period, a phone number), the print button
// and the link to the same document as a PDF.
type printPage struct {
	Doc    template.HTML
	PDF    string
	Inputs []printInput
	// Full, where set, is the path (less /print and .pdf) the register's
	// full form posts to, with its reason.
	Full string
}

// printInput is one field of the print view's form, sent back as a query.
type printInput struct {
	Name, Label, Type, Value string
}

// origin is the scheme and host the request came to, for the addresses
// printed as QR codes.
func origin(r *http.Request) string {
	if server.IsHTTPS(r) {
		return "https://" + r.Host
	}
	return "http://" + r.Host
}

// servePrint answers a print view and its .pdf twin from one document: the
// route ending in .pdf gets the PDF, the other the page.
func (w *Web) servePrint(rw http.ResponseWriter, r *http.Request, v *view, doc *document.Document, name string, p printPage) {
	html, ok := w.printOrHTML(rw, r, doc, name)
	if !ok {
		return
	}
	p.Doc = html
	if doc.MongolianFirst {
		// The print view draws the Mongolian with the served font.
		v.Bilingual, v.MongolCSS = true, w.font.cssPath
	}
	if p.PDF == "" {
		p.PDF = strings.TrimSuffix(r.URL.Path, "/print") + ".pdf"
		if r.URL.RawQuery != "" {
			p.PDF += "?" + r.URL.RawQuery
		}
	}
	v.Data = p
	w.render(rw, http.StatusOK, "print", v)
}

// printOrHTML sends doc as a PDF when the path ends in .pdf; otherwise it
// returns the document's HTML for the page to show. ok is false when the
// answer has been sent (the PDF, or an error).
func (w *Web) printOrHTML(rw http.ResponseWriter, r *http.Request, doc *document.Document, name string) (html template.HTML, ok bool) {
	var err error
	if strings.HasSuffix(r.URL.Path, ".pdf") {
		err = printout.WritePDF(rw, doc, name)
	} else if html, err = doc.HTML(); err == nil {
		return html, true
	}
	if err != nil {
		w.fail(rw, r, err)
	}
	return "", false
}

// statementPrint is a household's statement for a period, on A4 (page)
// and as a PDF (points.pdf).
func (w *Web) statementPrint(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	v := w.newView(r, "print.statement.title", "households")
	h, crumbs, back, err := w.householdTarget(r, a, v)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	from, to, err := printout.Period(r.URL.Query(), w.Now())
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	doc, err := w.printouts().Statement(r.Context(), a, v.Lang, h.ID, from, to)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v.Title = v.T("print.statement.title") + " · " + h.Number
	v.Crumbs = append(crumbs, crumb{Label: v.T("page.statement"), Href: back + "/points"}, crumb{Label: v.T("print.view")})
	w.servePrint(rw, r, v, doc, v.Title, printPage{PDF: back + "/points.pdf?" + r.URL.RawQuery, Inputs: []printInput{
		{Name: "from", Label: v.T("print.period.from"), Type: "date", Value: from.Format(time.DateOnly)},
		{Name: "to", Label: v.T("print.period.to"), Type: "date", Value: to.AddDate(0, 0, -1).Format(time.DateOnly)}}})
}

// noticePrint is the village's 公示 for the board, on A4 and as a PDF,
// with the phone number for objections the official types in.
func (w *Web) noticePrint(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	v := w.newView(r, "page.notice", "regions")
	code := r.PathValue("code")
	phone := r.URL.Query().Get("phone")
	doc, err := w.printouts().Notice(r.Context(), a, v.Lang, code, origin(r)+"/notice/"+code, phone)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v.Title = doc.Title.ZH
	v.Crumbs = []crumb{{Label: v.T("page.notice"), Href: "/notice/" + code}, {Label: v.T("print.view")}}
	w.servePrint(rw, r, v, doc, v.Title, printPage{PDF: "/regions/" + code + "/notice.pdf?" + r.URL.RawQuery, Inputs: []printInput{
		{Name: "phone", Label: v.T("print.notice.phone_label"), Type: "tel", Value: phone}}})
}

// cardPrint is the household card at ID-card size, on screen and as a PDF.
func (w *Web) cardPrint(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	v := w.newView(r, "page.card", "households")
	h, crumbs, back, err := w.householdTarget(r, a, v)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	doc, err := w.printouts().Card(r.Context(), a, v.Lang, h.ID, func(token string) string { return origin(r) + "/card/" + token })
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v.Crumbs = append(crumbs, crumb{Label: v.T("page.card"), Href: back + "/card"}, crumb{Label: v.T("print.view")})
	w.servePrint(rw, r, v, doc, v.T("page.card")+" "+h.Number, printPage{PDF: back + "/card.pdf"})
}

// registerPrint is a region's register for filing: masked on GET; in full
// on a POST that carries a reason from a user allowed to export in full,
// as the register export is. Both count against the export limit.
func (w *Web) registerPrint(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	v := w.newView(r, "page.households", "households")
	code := r.PathValue("code")
	full := r.Method == http.MethodPost
	if err := printout.RegisterReader(a, code, full); err != nil {
		w.fail(rw, r, err)
		return
	}
	if err := server.Limited(w.Limits.Export, fmt.Sprint(a.UserID)); err != nil {
		w.fail(rw, r, err)
		return
	}
	doc, err := w.printouts().Register(r.Context(), a, v.Lang, code, full, r.PostFormValue("reason"))
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v.Title = doc.Title.ZH
	v.Crumbs = []crumb{{Label: v.T("page.households"), Href: "/households?region=" + code}, {Label: v.T("print.view")}}
	p := printPage{PDF: "/regions/" + code + "/register.pdf"}
	if !full && a.Can(access.ExportFull, code) {
		p.Full = "/regions/" + code + "/register"
	}
	w.servePrint(rw, r, v, doc, v.Title, p)
}

// inspectionPrint is the inspection sheet of an item (?item=, ?group=) to
// tick by hand, on A4 and as a PDF; the inspection page takes it back in.
func (w *Web) inspectionPrint(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	v := w.newView(r, "page.inspection", "households")
	code := r.PathValue("code")
	doc, err := w.printouts().Inspection(r.Context(), a, v.Lang, code, r.FormValue("item"), r.FormValue("group"))
	if err != nil {
		w.failScheme(rw, r, err, code)
		return
	}
	v.Title = doc.Title.ZH
	v.Crumbs = []crumb{{Label: v.T("page.inspection"), Href: "/regions/" + code + "/inspection?" + r.URL.RawQuery}, {Label: v.T("print.view")}}
	w.servePrint(rw, r, v, doc, v.Title, printPage{PDF: "/regions/" + code + "/inspection.pdf?" + r.URL.RawQuery})
}

// talentReviewPrint is a 晓景 application's review form for filing, with a
// signature, seal and date per level, on A4 and as a PDF.
func (w *Web) talentReviewPrint(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	v := w.newView(r, "print.talent.title", "talent")
	id, err := pathID(r, "id")
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	doc, err := w.printouts().TalentReview(r.Context(), a, v.Lang, id)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	back := fmt.Sprintf("/talent/candidates/%d", id)
	v.Crumbs = []crumb{{Label: v.T("talent.nav"), Href: "/talent"}, {Label: doc.Fields[0].Value, Href: back}, {Label: v.T("print.view")}}
	w.servePrint(rw, r, v, doc, v.T("print.talent.title"), printPage{PDF: back + "/review.pdf"})
}
