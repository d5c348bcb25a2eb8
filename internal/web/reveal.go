package web

import (
	"fmt"
	"net/http"

	"shanzhi/internal/access"
	"shanzhi/internal/server"
)

// reveal shows a resident's full ID number and phone after the user gives
// a reason. The values appear on this one response only, which is never
// cached, and every reveal is in the audit trail.
func (w *Web) reveal(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	v := w.newView(r, "page.reveal", "households")
	res, crumbs, back, err := w.residentTarget(r, a, v)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v.Crumbs = append(crumbs, crumb{Label: v.T("page.reveal")})
	f := &form{Action: r.URL.Path, Submit: v.T("reveal.submit"), Cancel: back, Intro: v.T("reveal.intro", res.Name), Fields: []field{
		{Name: "reason", Label: v.T("field.reason"), Type: "text", Required: true, Help: v.T("reveal.reason_help")},
	}}
	if r.Method != http.MethodPost {
		w.showForm(rw, v, f)
		return
	}
	err = server.Limited(w.Limits.Reveal, fmt.Sprint(a.UserID))
	var id, phone string
	if err == nil {
		id, phone, err = w.Registry.Reveal(r.Context(), a, res.ID, r.FormValue("reason"))
	}
	if err != nil {
		w.formOrFail(rw, r, v, f, err)
		return
	}
	v.Data = &revealed{Name: res.Name, IDNumber: id, Phone: phone, Back: back}
	w.render(rw, http.StatusOK, "reveal", v)
}

type revealed struct {
	Name, IDNumber, Phone, Back string
}
