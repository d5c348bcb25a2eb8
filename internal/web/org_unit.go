package web

import (
	"net/http"
	"strconv"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/org"
	"shanzhi/internal/region"
	"shanzhi/internal/regioncode"
)

// orgRegionOptions are the regions a form of the register offers under
// scope: the scope itself, the regions below it and, for townships among
// them, their villages.
func (w *Web) orgRegionOptions(r *http.Request, a *access.Actor, scope string) []option {
	out := []option{}
	if reg, err := w.Regions.Get(r.Context(), a, scope); err == nil {
		out = append(out, option{Value: reg.Code, Label: reg.Name})
	}
	kids, _ := w.Regions.Children(r.Context(), a, scope)
	for _, k := range kids {
		if k.Status != region.Active {
			continue
		}
		out = append(out, option{Value: k.Code, Label: k.Name})
		if regioncode.LevelOf(k.Code) == regioncode.Township {
			for _, v := range w.villagesUnder(r, a, k.Code) {
				out = append(out, option{Value: v.Code, Label: k.Name + " " + v.Name})
			}
		}
	}
	return out
}

type unitsView struct {
	Region, RegionName, Query string
	TwoNew                    bool
	Rows                      []org.Unit
	Total                     int
	CanManage                 bool
}

// orgUnits lists the units of a region, 两新 ones alone on request.
func (w *Web) orgUnits(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	code, err := talentRegion(r, a, access.OrgRead)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	q := r.URL.Query()
	d := &unitsView{Region: code, Query: q.Get("q"), TwoNew: q.Get("two_new") == "1", CanManage: a.Can(access.OrgManage, code)}
	if d.RegionName, err = w.regionTitle(r, a, code); err == nil {
		d.Rows, d.Total, err = w.Org.Units(r.Context(), a, org.UnitFilter{Region: code, Query: d.Query, TwoNew: d.TwoNew, Limit: 500})
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "org.page.units", "org")
	v.Crumbs = []crumb{{Label: v.T("org.nav"), Href: "/org/orgs"}, {Label: v.T("org.page.units")}}
	v.Data = d
	w.render(rw, http.StatusOK, "org_units", v)
}

// unitForm is the form of a unit, new or edited.
func (w *Web) unitForm(r *http.Request, a *access.Actor, v *view, scope string, u org.UnitInput) *form {
	val := func(k, def string) string {
		if r.Method == http.MethodPost {
			return r.FormValue(k)
		}
		return def
	}
	types := []option{}
	for _, t := range org.UnitTypes {
		types = append(types, option{Value: string(t), Label: v.T("org.unit_type." + string(t))})
	}
	flags := []option{{Value: "two_new", Label: v.T("org.field.two_new"), Checked: u.TwoNew}, {Value: "new_employment", Label: v.T("org.field.new_employment"), Checked: u.NewEmployment}}
	if r.Method == http.MethodPost {
		for i := range flags {
			flags[i].Checked = false
			for _, f := range r.Form["flags"] {
				flags[i].Checked = flags[i].Checked || f == flags[i].Value
			}
		}
	}
	return &form{Action: r.URL.RequestURI(), Submit: v.T("action.save"), Cancel: "/org/units", Fields: []field{
		{Name: "region", Label: v.T("org.field.region"), Type: "select", Value: val("region", u.Region), Options: w.orgRegionOptions(r, a, scope), Required: true},
		{Name: "name", Label: v.T("org.field.unit_name"), Type: "text", Value: val("name", u.Name), Required: true, MaxLen: org.MaxName},
		{Name: "credit_code", Label: v.T("org.field.credit_code"), Type: "text", Value: val("credit_code", u.CreditCode), MaxLen: 24, Help: v.T("org.help.credit_code")},
		{Name: "type", Label: v.T("org.field.unit_type"), Type: "select", Value: val("type", string(u.Type)), Options: types, Required: true},
		{Name: "flags", Label: v.T("org.field.flags"), Type: "checkboxes", Options: flags, Help: v.T("org.help.flags")},
	}}
}

func unitInput(r *http.Request) org.UnitInput {
	in := org.UnitInput{Region: r.FormValue("region"), Name: r.FormValue("name"), CreditCode: r.FormValue("credit_code"), Type: org.UnitType(r.FormValue("type"))}
	for _, f := range r.Form["flags"] {
		in.TwoNew = in.TwoNew || f == "two_new"
		in.NewEmployment = in.NewEmployment || f == "new_employment"
	}
	return in
}

// orgUnitNew registers a unit.
func (w *Web) orgUnitNew(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	code, err := talentRegion(r, a, access.OrgManage)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "org.page.unit_new", "org")
	v.Crumbs = []crumb{{Label: v.T("org.page.units"), Href: "/org/units"}, {Label: v.T("org.page.unit_new")}}
	r.ParseForm()
	f := w.unitForm(r, a, v, code, org.UnitInput{Region: code, Type: org.PrivateFirm, TwoNew: true})
	if r.Method != http.MethodPost {
		w.showForm(rw, v, f)
		return
	}
	u, err := w.Org.CreateUnit(r.Context(), a, unitInput(r))
	if err != nil {
		w.formOrFail(rw, r, v, f, err)
		return
	}
	seeOther(rw, r, "/org/units?region="+u.Region, "saved")
}

// orgUnitEdit shows a unit on a form, which those who manage it may save.
func (w *Web) orgUnitEdit(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	id, err := pathID(r, "id")
	var u *org.Unit
	if err == nil {
		u, err = w.Org.Unit(r.Context(), a, id)
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "org.page.unit", "org")
	v.Title = u.Name
	v.Crumbs = []crumb{{Label: v.T("org.page.units"), Href: "/org/units"}, {Label: u.Name}}
	r.ParseForm()
	scope := u.Region
	if s := a.Scopes(access.OrgManage); len(s) > 0 {
		scope = s[0]
	}
	f := w.unitForm(r, a, v, scope, u.UnitInput)
	if r.Method != http.MethodPost {
		w.showForm(rw, v, f)
		return
	}
	if !a.Can(access.OrgManage, u.Region) {
		w.formOrFail(rw, r, v, f, fault.E(fault.Forbidden, "error.forbidden"))
		return
	}
	if _, err := w.Org.UpdateUnit(r.Context(), a, id, unitInput(r)); err != nil {
		w.formOrFail(rw, r, v, f, err)
		return
	}
	seeOther(rw, r, "/org/units/"+strconv.FormatInt(id, 10), "saved")
}
