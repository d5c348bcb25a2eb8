package web

import (
	"fmt"
	"net/http"
	"strconv"

	"shanzhi/internal/access"
	"shanzhi/internal/registry"
)

// myAppeal is the villager's appeal (申诉) from their phone page.
func (w *Web) myAppeal(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	h, _, err := w.Registry.OwnHousehold(r.Context(), a)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "page.appeal", "my")
	w.appealForm(rw, r, a, v, h, "/my")
}

// householdAppeal is the same appeal brought by the clerk for a household
// that came to the village office.
func (w *Web) householdAppeal(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	v := w.newView(r, "page.appeal", "households")
	h, back, err := w.awardHousehold(r, a, v)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	w.appealForm(rw, r, a, v, h, back)
}

// appealForm takes the award appealed and the household's statement, and
// sends them to the committee.
func (w *Web) appealForm(rw http.ResponseWriter, r *http.Request, a *access.Actor, v *view, h *registry.Household, back string) {
	awards, err := w.Awards.Awards(r.Context(), a, h.ID)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	choices := []option{{}}
	for _, aw := range awards {
		if aw.Appealable() {
			choices = append(choices, option{Value: strconv.FormatInt(aw.ID, 10), Label: fmt.Sprintf("%s %s（%+d）%s", aw.Date.Format("2006-01-02"), aw.ItemName, aw.Points, v.AwardStatus(aw))})
		}
	}
	f := &form{Action: r.URL.Path, Submit: v.T("appeal.submit"), Cancel: back, Intro: v.T("appeal.intro"), Fields: []field{
		{Name: "award", Label: v.T("appeal.award"), Type: "select", Value: r.FormValue("award"), Options: choices, Required: true},
		{Name: "statement", Label: v.T("appeal.statement"), Type: "textarea", Value: r.FormValue("statement"), Required: true, MaxLen: 200},
	}}
	if r.Method != http.MethodPost {
		w.showForm(rw, v, f)
		return
	}
	id, _ := strconv.ParseInt(r.FormValue("award"), 10, 64)
	if id == 0 {
		f.Fields[0].Error = v.T("appeal.choose")
		f.Error = f.Fields[0].Error
		w.showForm(rw, v, f)
		return
	}
	if _, err := w.Awards.Appeal(r.Context(), a, h.ID, id, r.FormValue("statement")); err != nil {
		w.formOrFail(rw, r, v, f, err)
		return
	}
	seeOther(rw, r, back, "appeal_sent")
}
