package web

import (
	"net/http"
	"strconv"
	"strings"

	"shanzhi/internal/access"
	"shanzhi/internal/org"
	"shanzhi/internal/training"
)

type targetingView struct {
	C        *training.Class
	Filter   training.TargetFilter
	Ranks    []option
	Units    []option
	Rows     []org.Cadre
	Problems []string // the 入学关's refusals, cadre by cadre
	Error    string
}

// trainingTargeting lists the cadres a class may summon, filtered by
// rank, unit, sector and competency never trained, with boxes to tick for
// the 点名调训; a POST summons the ticked ones through the 入学关.
func (w *Web) trainingTargeting(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	c, err := w.pathClass(r, a)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	id := c.ID
	v := w.newView(r, "training.page.targeting", "training")
	back := "/training/classes/" + strconv.FormatInt(id, 10)
	v.Crumbs = []crumb{{Label: c.Name, Href: back}, {Label: v.T("training.page.targeting")}}
	q := r.URL.Query()
	unit, _ := strconv.ParseInt(q.Get("unit"), 10, 64)
	d := &targetingView{C: c, Filter: training.TargetFilter{Rank: q.Get("rank"), Sector: strings.TrimSpace(q.Get("sector")), Unit: unit, Untrained: strings.TrimSpace(q.Get("untrained")), HoursShort: q.Get("hours_short") != "",
		RetakeDue: q.Get("retake_due") != ""}}
	status := http.StatusOK
	if r.Method == http.MethodPost {
		r.ParseForm()
		var ids []int64
		for _, x := range r.Form["cadre"] {
			if n, err := strconv.ParseInt(x, 10, 64); err == nil {
				ids = append(ids, n)
			}
		}
		adm, err := w.Training.Enrol(r.Context(), a, id, ids)
		if err == nil {
			seeOther(rw, r, back, "saved")
			return
		}
		status, d.Error, _ = refusal(v, err, "training.field.")
		for _, x := range adm {
			if x.Err != nil {
				_, msg, _ := refusal(v, x.Err, "training.field.")
				d.Problems = append(d.Problems, msg)
			}
		}
		if status == http.StatusNotFound {
			w.fail(rw, r, err)
			return
		}
	}
	d.Units = w.unitOptions(r, a, c.Region, v.T("list.all"))
	if d.Ranks, err = w.rankOptions(r, a, v.T("list.all")); err == nil {
		d.Rows, err = w.Training.Targets(r.Context(), a, id, d.Filter)
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v.Data = d
	w.render(rw, status, "training_targeting", v)
}

type noticesView struct {
	C     *training.Class
	Units []unitNotice
}

// unitNotice is the enrolment notice (调训通知) to one unit, or to the
// region of a region post.
type unitNotice struct {
	To       string
	Trainees []org.Cadre
}

// trainingNotices prints a class's enrolment notices, one A4 page per
// unit listing its summoned cadres.
func (w *Web) trainingNotices(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	c, err := w.pathClass(r, a)
	var es []training.Enrolment
	if err == nil {
		es, err = w.Training.Enrolments(r.Context(), a, c.ID)
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "training.page.notices", "training")
	v.Crumbs = []crumb{{Label: c.Name, Href: "/training/classes/" + strconv.FormatInt(c.ID, 10)}, {Label: v.T("training.page.notices")}}
	d := &noticesView{C: c}
	for _, e := range es {
		to := e.Cadre.UnitName
		if to == "" {
			to = e.Cadre.RegionName
		}
		if n := len(d.Units); n == 0 || d.Units[n-1].To != to {
			d.Units = append(d.Units, unitNotice{To: to})
		}
		u := &d.Units[len(d.Units)-1]
		u.Trainees = append(u.Trainees, e.Cadre)
	}
	v.Data = d
	w.render(rw, http.StatusOK, "training_notices", v)
}

// pathClass loads the class of the path's {id}.
func (w *Web) pathClass(r *http.Request, a *access.Actor) (*training.Class, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	return w.Training.Class(r.Context(), a, id)
}
