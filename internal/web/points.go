package web

import (
	"fmt"
	"net/http"
	"strconv"

	"shanzhi/internal/access"
	"shanzhi/internal/points"
	"shanzhi/internal/registry"
)

type statementPage struct {
	H       *registry.Household
	Balance int64
	Entries []points.Entry
	More    string // the link to older entries
}

// statementFor fills a household's points statement, 50 entries a page.
func (w *Web) statementFor(r *http.Request, a *access.Actor, h *registry.Household) (*statementPage, error) {
	p := &statementPage{H: h}
	var err error
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
	p, err := w.statementFor(r, a, h.Household)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v.Title = v.T("page.statement_of", h.Number, h.HeadName)
	v.Crumbs = append(crumbs, crumb{Label: v.T("page.statement")})
	v.Data = p
	w.render(rw, http.StatusOK, "statement", v)
}
