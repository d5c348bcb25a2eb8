package web

import (
	"fmt"
	"net/http"
	"strconv"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/points"
	"shanzhi/internal/registry"
	"shanzhi/internal/scheme"
)

type inspectionPage struct {
	Village    string
	Name       string
	Items      []option
	Item       string
	Key        string
	Households []registry.Household
	Checked    map[int64]bool
	Done       int
	Problems   []string
}

// inspection is the batch sheet: one scheme item across every household
// of a village on one page, ticked household by household, so the monthly
// sanitation inspection of 300 households takes minutes. Each ticked
// household gets its own award, reviewed like any other.
func (w *Web) inspection(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	code := r.PathValue("code")
	if !a.Can(access.PointsWrite, code) {
		w.fail(rw, r, fault.E(fault.NotFound, "region.not_found"))
		return
	}
	name, err := w.regionTitle(r, a, code)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	res, err := w.Schemes.Resolve(r.Context(), a, code, scheme.Today(w.Now()))
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	p := &inspectionPage{Village: code, Name: name, Item: r.FormValue("item"), Key: r.FormValue("key"), Checked: map[int64]bool{}}
	if p.Key == "" {
		p.Key = newKey()
	}
	for _, it := range res.Items {
		p.Items = append(p.Items, option{Value: it.Code, Label: fmt.Sprintf("%s（%+d）", it.Name, it.Points)})
	}
	if p.Households, _, err = w.Registry.Households(r.Context(), a, registry.ListFilter{Region: code, Status: registry.HouseholdActive, ByNumber: true, Limit: 500}); err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "page.inspection", "households")
	status := http.StatusOK
	if r.Method == http.MethodPost {
		numbers := map[string]string{}
		for _, h := range p.Households {
			numbers[strconv.FormatInt(h.ID, 10)] = h.Number
		}
		for _, s := range r.PostForm["household"] {
			id, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				continue
			}
			p.Checked[id] = true
			// The key is the sheet's key and the household, so sending the
			// sheet twice records each award once.
			_, err = w.Awards.Record(r.Context(), a, points.AwardInput{Key: p.Key + "-" + s, Household: id, Item: p.Item, Channel: points.Batch,
				Evidence: r.FormValue("evidence"), Witness: r.FormValue("witness"), Photo: r.FormValue("photo") == "1"})
			if err != nil {
				var f form
				if !v.applyError(&f, err) {
					w.fail(rw, r, err)
					return
				}
				p.Problems = append(p.Problems, fmt.Sprintf("%s %s：%s", v.T("field.number"), numbers[s], f.Error))
				continue
			}
			p.Done++
		}
		if len(p.Problems) > 0 {
			status = http.StatusUnprocessableEntity
		}
	}
	v.Title = v.T("page.inspection_of", name)
	v.Data = p
	w.render(rw, status, "inspection", v)
}
