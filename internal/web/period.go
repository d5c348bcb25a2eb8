package web

import (
	"net/http"
	"strconv"

	"shanzhi/internal/access"
	"shanzhi/internal/localtime"
)

// periodBase credits this period's base score to a village's households.
func (w *Web) periodBase(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	code := r.PathValue("code")
	if _, err := w.Periods.ApplyBase(r.Context(), a, code, w.Now()); err != nil {
		w.fail(rw, r, err)
		return
	}
	seeOther(rw, r, "/regions/"+code, "base_applied")
}

// periodClose closes a village's ledger for a year.
func (w *Web) periodClose(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	code := r.PathValue("code")
	year, err := strconv.Atoi(r.FormValue("year"))
	if err != nil {
		year = w.Now().In(localtime.Zone()).Year() - 1
	}
	if _, err := w.Periods.CloseYear(r.Context(), a, code, year); err != nil {
		w.fail(rw, r, err)
		return
	}
	seeOther(rw, r, "/regions/"+code, "year_closed")
}
