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
	return printout.Deps{Catalog: a.Catalog, Regions: a.Regions, Registry: a.Registry, Ledger: a.Ledger, Review: a.Review, Schemes: a.Schemes, Talent: a.Talent, Honours: a.Honours, Now: time.Now}
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
	if err := printout.RegisterReader(act, code, false); err != nil {
		return nil, "", err
	}
	if err := server.Limited(a.Limits.Export, fmt.Sprint(act.UserID)); err != nil {
		return nil, "", err
	}
	doc, err := a.printouts().Register(r.Context(), act, lang(r), code, false, "")
	return doc, "register-" + code, err
}

// receiptPDF is a redemption's receipt (?paper=58 or 80 for the thermal
// rolls, A4 otherwise), the same PDF as the page's.
func (a *API) receiptPDF(r *http.Request, act *access.Actor) (*document.Document, string, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, "", err
	}
	red, err := a.Market.Redemption(r.Context(), act, id)
	if err != nil {
		return nil, "", err
	}
	paper := map[string]document.Paper{"58": document.Receipt58, "80": document.Receipt80}[r.URL.Query().Get("paper")]
	if paper == "" {
		paper = document.A4
	}
	return a.printouts().Receipt(lang(r), red, paper), fmt.Sprintf("receipt-%d", id), nil
}

// inspectionPDF is the inspection sheet of ?item= (and ?group=), the same
// PDF as the page's.
func (a *API) inspectionPDF(r *http.Request, act *access.Actor) (*document.Document, string, error) {
	code := r.PathValue("code")
	q := r.URL.Query()
	doc, err := a.printouts().Inspection(r.Context(), act, lang(r), code, q.Get("item"), q.Get("group"))
	return doc, "inspection-" + code, err
}

// talentReviewPDF is a 晓景 application's review form, the same PDF as the
// page's.
func (a *API) talentReviewPDF(r *http.Request, act *access.Actor) (*document.Document, string, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, "", err
	}
	doc, err := a.printouts().TalentReview(r.Context(), act, lang(r), id)
	return doc, fmt.Sprintf("talent-review-%d", id), err
}

// posterPDF is an honour board's poster (?period=, ?paper=a3), the same
// PDF as the public page's, for an official who reads the board.
func (a *API) posterPDF(r *http.Request, act *access.Actor) (*document.Document, string, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, "", err
	}
	// The router's target is declarative: reading the board as the
	// caller is what refuses another village's.
	if _, err := a.Honours.Board(r.Context(), act, id); err != nil {
		return nil, "", err
	}
	e, _, err := printout.PublicEdition(r.Context(), a.Honours, id, r.URL.Query().Get("period"))
	if err != nil {
		return nil, "", err
	}
	paper := document.A4
	if r.URL.Query().Get("paper") == "a3" {
		paper = document.A3
	}
	doc, err := a.printouts().Poster(r.Context(), lang(r), e, paper)
	return doc, fmt.Sprint("poster-", id, "-", e.Period), err
}
