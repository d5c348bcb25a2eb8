package web

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/localtime"
	"shanzhi/internal/points"
	"shanzhi/internal/printout"
	"shanzhi/internal/registry"
	"shanzhi/internal/sheet"
)

type statementPage struct {
	H       *registry.Household
	Balance int64
	Entries []points.Entry
	More    string // the link to older entries
	// Standing is the household's place in its village this year, shown
	// on the villager's own page.
	Standing *points.Standing
	// Awards are the household's latest awards, declarations and
	// corrections with their status: what is pending, on notice, turned
	// down or corrected, which the entries alone do not say.
	Awards awardList
}

// statementFor fills a household's points statement, 50 entries a page.
func (w *Web) statementFor(r *http.Request, v *view, a *access.Actor, h *registry.Household) (*statementPage, error) {
	p := &statementPage{H: h, Awards: awardList{V: v, Household: h.ID, Own: a.Household() == h.ID}}
	var err error
	if p.Awards.Awards, err = w.Awards.Awards(r.Context(), a, h.ID); err != nil {
		return nil, err
	}
	p.Awards.Awards = p.Awards.Awards[:min(len(p.Awards.Awards), 30)]
	if p.Balance, err = w.Ledger.Balance(r.Context(), a, h.ID); err != nil {
		return nil, err
	}
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	if p.Entries, err = w.Ledger.Statement(r.Context(), a, h.ID, before, 50); err != nil {
		return nil, err
	}
	if len(p.Entries) == 50 {
		p.More = fmt.Sprintf("%s?before=%d", r.URL.Path, p.Entries[49].Seq)
	}
	return p, nil
}

// statement is a household's points statement (积分流水), printable on A4.
func (w *Web) statement(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	v := w.newView(r, "page.statement", "households")
	h, crumbs, _, err := w.householdTarget(r, a, v)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	p, err := w.statementFor(r, v, a, h.Household)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v.Title = v.T("page.statement_of", h.Number, h.HeadName)
	v.Crumbs = append(crumbs, crumb{Label: v.T("page.statement")})
	v.Data = p
	w.render(rw, http.StatusOK, "statement", v)
}

// statementExport sends a household's statement as a 台账-shaped workbook:
// every entry of the period asked for (?from=&to=, as the print view
// takes them; all of its history when no start is given), oldest first as
// a ledger reads, after the balance it starts from.
func (w *Web) statementExport(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	v := w.newView(r, "page.statement", "households")
	h, _, _, err := w.householdTarget(r, a, v)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	from, to, err := printout.Period(r.URL.Query(), w.Now())
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	if r.URL.Query().Get("from") == "" {
		from = time.Unix(0, 0)
	}
	opening, entries, err := w.Ledger.Period(r.Context(), a, h.ID, from, to)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	title := v.T("page.statement_of", h.Number, h.HeadName)
	cols := []sheet.Column{{Header: "序号", Kind: sheet.Int}, {Header: "时间", Width: 18}, {Header: "类型"}, {Header: "事项", Width: 24},
		{Header: "分值", Kind: sheet.Int}, {Header: "余额", Kind: sheet.Int}, {Header: "经办人"}}
	var buf bytes.Buffer
	xw, err := sheet.NewWriter(&buf, sheet.Table{Title: title, Unit: h.VillageName, Date: w.Now(), Columns: cols})
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	if err := xw.Write(nil, "", "", v.T("print.statement.opening"), nil, opening, ""); err != nil {
		xw.Discard()
		w.fail(rw, r, err)
		return
	}
	for _, e := range entries {
		item := e.Item
		if e.Kind == points.Reversal && e.Memo != "" {
			item += " " + v.T("award.correction_reason", e.Memo)
		}
		if err := xw.Write(e.Seq, e.At.In(localtime.Zone()).Format("2006-01-02 15:04"), v.T("points.kind."+string(e.Kind)), item, e.Delta, e.Balance, e.Actor); err != nil {
			xw.Discard()
			w.fail(rw, r, err)
			return
		}
	}
	if err := xw.Close(); err != nil {
		w.fail(rw, r, err)
		return
	}
	attachment(rw, title+".xlsx", "statement.xlsx")
	rw.Write(buf.Bytes())
}
