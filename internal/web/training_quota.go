package web

import (
	"net/http"
	"strconv"
	"strings"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/org"
	"shanzhi/internal/sheet"
	"shanzhi/internal/training"
)

// Unit nominations (单位推荐, issue 15 item 4): the department's quota page
// per class, and the unit's own page where its staff see their cadres,
// nominate within the quota and print their notice.

type quotasView struct {
	C         *training.Class
	Quotas    []training.Quota
	Nominated []training.Enrolment
	Units     []option
	Rows      []int // the form's unit and quota rows
	Error     string
	Problems  []string
}

// trainingQuotas shows a class's quotas per unit with each unit's
// nominations; a POST sets quotas (unit and quota rows), all or none.
func (w *Web) trainingQuotas(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	c, err := w.pathManagedClass(r, a)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "training.page.quotas", "training")
	back := "/training/classes/" + strconv.FormatInt(c.ID, 10)
	v.Crumbs = []crumb{{Label: c.Name, Href: back}, {Label: v.T("training.page.quotas")}}
	d := &quotasView{C: c, Rows: []int{1, 2, 3}}
	status := http.StatusOK
	if r.Method == http.MethodPost {
		r.ParseForm()
		var in []training.QuotaInput
		for i, u := range r.Form["unit"] {
			unit, _ := strconv.ParseInt(u, 10, 64)
			if unit == 0 {
				continue
			}
			q := -1
			if i < len(r.Form["quota"]) {
				if n, err := strconv.Atoi(r.Form["quota"][i]); err == nil {
					q = n
				}
			}
			in = append(in, training.QuotaInput{Unit: unit, Quota: q})
		}
		_, err := w.Training.SetQuotas(r.Context(), a, c.ID, in)
		if err == nil {
			seeOther(rw, r, back+"/quotas", "saved")
			return
		}
		status, d.Error, d.Problems = refusal(v, err, "training.field.")
	}
	if d.Quotas, err = w.Training.Quotas(r.Context(), a, c.ID); err == nil {
		var es []training.Enrolment
		es, err = w.Training.Enrolments(r.Context(), a, c.ID)
		for _, e := range es {
			if e.Source == training.SourceNomination {
				d.Nominated = append(d.Nominated, e)
			}
		}
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	d.Units = w.unitOptions(r, a, c.Region, v.T("training.none"))
	v.Data = d
	w.render(rw, status, "training_quotas", v)
}

// trainingWithdraw takes a unit's nomination back.
func (w *Web) trainingWithdraw(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	id, err := pathID(r, "id")
	if err == nil {
		err = w.Training.Withdraw(r.Context(), a, id, formID(r, "enrolment"))
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	seeOther(rw, r, "/training/classes/"+strconv.FormatInt(id, 10)+"/quotas", "saved")
}

// pathManagedClass loads the path's class for the department that runs it.
func (w *Web) pathManagedClass(r *http.Request, a *access.Actor) (*training.Class, error) {
	c, err := w.pathClass(r, a)
	if err == nil && !training.CanManage(a, c.Region) {
		return nil, fault.E(fault.Forbidden, "error.forbidden")
	}
	return c, err
}

type unitCadresView struct {
	Unit     int64
	Name     string
	Cadres   []org.Cadre
	Quotas   []training.Quota
	Class    int64 // the class being nominated to, on the nominate page
	Error    string
	Problems []string
}

// unitCadres is a unit's own page: its cadres in post (each to their
// training file) and the classes it has places in, with how many it has
// nominated, a nominate link and its enrolment notice.
func (w *Web) unitCadres(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	w.showUnit(rw, r, a, "unit_cadres", nil)
}

// unitNominate nominates the unit's ticked cadres to the chosen class.
func (w *Web) unitNominate(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	if r.Method != http.MethodPost {
		w.showUnit(rw, r, a, "unit_nominate", nil)
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	r.ParseForm()
	adm, err := w.Training.Nominate(r.Context(), a, formID(r, "class"), id, formIDs(r, "cadre"))
	if err == nil {
		seeOther(rw, r, "/org/units/"+strconv.FormatInt(id, 10)+"/cadres", "saved")
		return
	}
	w.showUnit(rw, r, a, "unit_nominate", &nominateErr{err, adm})
}

type nominateErr struct {
	err error
	adm []training.Admission
}

func (w *Web) showUnit(rw http.ResponseWriter, r *http.Request, a *access.Actor, tpl string, ne *nominateErr) {
	id, err := pathID(r, "id")
	d := &unitCadresView{Unit: id, Class: formID(r, "class")}
	if err == nil && tpl == "unit_nominate" {
		err = w.Training.CanNominate(r.Context(), a, id)
	}
	if err == nil {
		d.Quotas, err = w.Training.UnitQuotas(r.Context(), a, id)
	}
	if err == nil {
		d.Cadres, err = w.Training.UnitCadres(r.Context(), a, id)
	}
	if err == nil {
		d.Name, err = w.unitName(r, a, id, d.Cadres)
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	title := "training.page.unit"
	if tpl == "unit_nominate" {
		title = "training.page.nominate"
	}
	v := w.newView(r, title, "org")
	v.Title = d.Name + " " + v.T(title)
	status := http.StatusOK
	if ne != nil {
		status, d.Error, _ = refusal(v, ne.err, "training.field.")
		for _, x := range ne.adm {
			if x.Err != nil {
				_, msg, _ := refusal(v, x.Err, "training.field.")
				d.Problems = append(d.Problems, msg)
			}
		}
		if status == http.StatusNotFound {
			w.fail(rw, r, ne.err)
			return
		}
	}
	v.Data = d
	w.render(rw, status, tpl, v)
}

// unitName is the unit's name: from its cadres or quotas, else its page.
func (w *Web) unitName(r *http.Request, a *access.Actor, id int64, cadres []org.Cadre) (string, error) {
	for _, c := range cadres {
		return c.UnitName, nil
	}
	qs, err := w.Training.UnitQuotas(r.Context(), a, id)
	for _, q := range qs {
		return q.UnitName, err
	}
	return "", err
}

// unitNotice prints the unit's enrolment notice for one class; without a
// class it goes back to the unit's page.
func (w *Web) unitNotice(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	id, err := pathID(r, "id")
	if err == nil {
		_, err = w.Training.UnitQuotas(r.Context(), a, id)
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	class, _ := strconv.ParseInt(r.URL.Query().Get("class"), 10, 64)
	if class == 0 {
		seeOther(rw, r, "/org/units/"+strconv.FormatInt(id, 10)+"/cadres", "")
		return
	}
	c, es, err := w.Training.UnitEnrolments(r.Context(), a, class, id)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "training.page.notices", "org")
	v.Crumbs = []crumb{{Label: v.T("training.page.unit"), Href: "/org/units/" + strconv.FormatInt(id, 10) + "/cadres"}, {Label: v.T("training.page.notices")}}
	d := &noticesView{C: c}
	if len(es) > 0 {
		u := unitNotice{To: es[0].Cadre.UnitName}
		for _, e := range es {
			u.Trainees = append(u.Trainees, e.Cadre)
		}
		d.Units = append(d.Units, u)
	}
	v.Data = d
	w.render(rw, http.StatusOK, "training_notices", v)
}

// quotaColumns are the quota sheet's columns, as the export writes them.
var quotaColumns = []string{"单位编号|编号", "单位名称|单位", "名额|推荐名额"}

// trainingQuotasExport sends the class's quota sheet: every unit of the
// class's region with its places (0 where it has none) and nominations,
// which the department fills in and imports back.
func (w *Web) trainingQuotasExport(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	c, err := w.pathManagedClass(r, a)
	var qs []training.Quota
	if err == nil {
		qs, err = w.Training.Quotas(r.Context(), a, c.ID)
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	have := map[int64]training.Quota{}
	for _, q := range qs {
		have[q.Unit] = q
	}
	var rows [][]any
	for _, u := range w.unitOptions(r, a, c.Region, "")[1:] {
		id, _ := strconv.ParseInt(u.Value, 10, 64)
		q := have[id]
		rows = append(rows, []any{id, u.Label, q.Quota, q.Nominated})
	}
	cols := []sheet.Column{{Header: "单位编号", Kind: sheet.Int}, {Header: "单位名称", Width: 28}, {Header: "名额", Kind: sheet.Int}, {Header: "已推荐", Kind: sheet.Int}}
	w.sendSheet(rw, r, sheet.Table{Title: "单位推荐名额", Unit: c.Name, Date: w.Now(), Columns: cols}, c.Name+"单位名额", "training-quotas.xlsx", rows)
}

// trainingQuotasImport sets the places of the units a quota sheet lists,
// all or none: a row with an empty 名额 is left as it is.
func (w *Web) trainingQuotasImport(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	c, err := w.pathManagedClass(r, a)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	name, data, err := w.upload(r)
	var in []training.QuotaInput
	if err == nil {
		err = w.eachSheetRow(name, data, quotaColumns, "training.quota.no_header", func(line int, cell func(string) string) {
			q := strings.TrimSpace(cell(quotaColumns[2]))
			if q == "" {
				return
			}
			unit, _ := strconv.ParseInt(strings.TrimSpace(cell(quotaColumns[0])), 10, 64)
			n, err := strconv.Atoi(q)
			if err != nil {
				n = -1
			}
			in = append(in, training.QuotaInput{Unit: unit, Quota: n})
		})
	}
	if err == nil {
		_, err = w.Training.SetQuotas(r.Context(), a, c.ID, in)
	}
	if err == nil {
		seeOther(rw, r, "/training/classes/"+strconv.FormatInt(c.ID, 10)+"/quotas", "saved")
		return
	}
	v := w.newView(r, "training.page.quotas", "training")
	d := &quotasView{C: c, Rows: []int{1, 2, 3}}
	status, msg, problems := refusal(v, err, "training.field.")
	d.Error, d.Problems = msg, problems
	if status == http.StatusNotFound {
		w.fail(rw, r, err)
		return
	}
	d.Quotas, _ = w.Training.Quotas(r.Context(), a, c.ID)
	d.Units = w.unitOptions(r, a, c.Region, v.T("training.none"))
	v.Data = d
	w.render(rw, status, "training_quotas", v)
}
