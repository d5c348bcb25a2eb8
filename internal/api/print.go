package api

import (
	"fmt"
	"net/http"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/document"
	"shanzhi/internal/localtime"
	"shanzhi/internal/printout"
	"shanzhi/internal/server"
)

// printouts are the document builders the pages use, so a PDF fetched
// through the API is the page's PDF.
func (a *API) printouts() printout.Deps {
	return printout.Deps{Catalog: a.Catalog, Regions: a.Regions, Registry: a.Registry, Ledger: a.Ledger, Review: a.Review, Now: time.Now}
}

// pdf answers with the document build makes for the caller, as a PDF.
func (a *API) pdf(build func(r *http.Request, act *access.Actor) (*document.Document, string, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		act, err := a.actor(r)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		doc, name, err := build(r, act)
		if err == nil {
			err = printout.WritePDF(w, doc, name)
		}
		if err != nil {
			a.fail(w, r, err)
		}
	}
}

// statementPDF is the printed statement of ?from=&to= (the current year by
// default), the same PDF as the page's.
func (a *API) statementPDF(r *http.Request, act *access.Actor) (*document.Document, string, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, "", err
	}
	from, to, err := printout.Period(r.URL.Query(), time.Now())
	if err != nil {
		return nil, "", err
	}
	doc, err := a.printouts().Statement(r.Context(), act, lang(r), id, from, to)
	return doc, "statement", err
}

type periodJSON struct {
	From    string      `json:"from"`
	To      string      `json:"to"`
	Opening int64       `json:"opening"`
	Closing int64       `json:"closing"`
	Items   []entryJSON `json:"items"`
}

// statementPeriod is every entry of a period, oldest first, from its
// opening balance: what the printed statement shows, as data.
func (a *API) statementPeriod(r *http.Request, act *access.Actor) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	from, to, err := printout.Period(r.URL.Query(), time.Now())
	if err != nil {
		return 0, nil, err
	}
	opening, es, err := a.Ledger.Period(r.Context(), act, id, from, to)
	if err != nil {
		return 0, nil, err
	}
	out := periodJSON{From: localtime.Day(from), To: localtime.Day(to.AddDate(0, 0, -1)), Opening: opening, Closing: opening, Items: []entryJSON{}}
	for _, e := range es {
		out.Items = append(out.Items, entryOf(e))
		out.Closing = e.Balance
	}
	return http.StatusOK, out, nil
}

// noticePDF is the village's 公示 for the board (?phone= for objections),
// the same PDF as the page's.
func (a *API) noticePDF(r *http.Request, act *access.Actor) (*document.Document, string, error) {
	code := r.PathValue("code")
	scheme := "http"
	if server.IsHTTPS(r) {
		scheme = "https"
	}
	doc, err := a.printouts().Notice(r.Context(), act, lang(r), code, scheme+"://"+r.Host+"/notice/"+code, r.URL.Query().Get("phone"))
	return doc, "notice-" + code, err
}

// registerPDF is a region's register for filing, masked, the same PDF as
// the page's; the full one, with its reason, is the page's POST.
func (a *API) registerPDF(r *http.Request, act *access.Actor) (*document.Document, string, error) {
	code := r.PathValue("code")
	if err := limited(a.Limits.Export, fmt.Sprint(act.UserID)); err != nil {
		return nil, "", err
	}
	doc, err := a.printouts().Register(r.Context(), act, lang(r), code, false, "")
	return doc, "register-" + code, err
}
