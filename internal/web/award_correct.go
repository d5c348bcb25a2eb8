package web

import (
	"fmt"
	"net/http"
	"strconv"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/points"
	"shanzhi/internal/registry"
)

// awardCorrect corrects a posted award or deduction of the household: the
// clerk picks the award and gives the reason, and a linked reversal goes
// to the committee and on notice like any award. Nothing is edited in
// place; a correct award, where one is due, is recorded anew.
func (w *Web) awardCorrect(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	v := w.newView(r, "page.correct", "households")
	h, back, err := w.awardHousehold(r, a, v)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	awards, err := w.Awards.Awards(r.Context(), a, h.ID)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	choices := []option{{}}
	for _, aw := range awards {
		if aw.Status == points.AwardApproved && aw.Corrects == 0 && aw.EntryID != 0 {
			choices = append(choices, option{Value: strconv.FormatInt(aw.ID, 10), Label: fmt.Sprintf("%s %s（%+d）", aw.Date.Format("2006-01-02"), aw.ItemName, aw.Points)})
		}
	}
	key := r.FormValue("key")
	if key == "" {
		key = newKey()
	}
	f := &form{Action: r.URL.Path, Submit: v.T("award.correct_submit"), Cancel: back, Intro: v.T("award.correct_intro"), Fields: []field{
		{Name: "award", Label: v.T("award.correct_award"), Type: "select", Value: r.FormValue("award"), Options: choices, Required: true},
		{Name: "reason", Label: v.T("award.correct_reason"), Type: "textarea", Value: r.FormValue("reason"), Required: true, MaxLen: points.MaxCorrectionReason},
		{Name: "key", Type: "hidden", Value: key},
	}}
	if r.Method != http.MethodPost {
		w.showForm(rw, v, f)
		return
	}
	id, _ := strconv.ParseInt(r.FormValue("award"), 10, 64)
	if _, err := w.Awards.Correct(r.Context(), a, points.Correction{Key: key, Household: h.ID, Award: id, Reason: r.FormValue("reason")}); err != nil {
		w.formOrFail(rw, r, v, f, err)
		return
	}
	seeOther(rw, r, back, "correction_recorded")
}

// awardHousehold is the household in the path of a clerk's award page
// titled by v, with the way back to it: the clerk must be able to record
// awards there.
func (w *Web) awardHousehold(r *http.Request, a *access.Actor, v *view) (*registry.Household, string, error) {
	h, crumbs, back, err := w.householdTarget(r, a, v)
	if err != nil {
		return nil, "", err
	}
	v.Crumbs = append(crumbs, crumb{Label: v.Title})
	if !a.Can(access.PointsWrite, h.VillageCode) {
		return nil, "", fault.E(fault.Forbidden, "error.forbidden")
	}
	return h.Household, back, nil
}
