package web

import (
	"net/http"
	"net/url"
	"strconv"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/region"
	"shanzhi/internal/regioncode"
	"shanzhi/internal/registry"
)

// home sends a user where their work is: the top of their scope, their
// household, their store's counter, or their administrator's page.
func (w *Web) home(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	switch scopes := a.Scopes(access.RegistryRead); {
	case len(scopes) > 0:
		http.Redirect(rw, r, "/regions/"+scopes[0], http.StatusSeeOther)
	case a.Household() != 0:
		http.Redirect(rw, r, "/my", http.StatusSeeOther)
	case a.CanAnywhere(access.MarketSell):
		w.homeCounter(rw, r, a)
	case a.CanAnywhere(access.UserManage) || a.CanAnywhere(access.RoleManage):
		http.Redirect(rw, r, "/admin/users", http.StatusSeeOther)
	case a.CanAnywhere(access.AuditRead):
		http.Redirect(rw, r, "/audit", http.StatusSeeOther)
	case len(a.GridGrants(access.GridRead, "")) > 0:
		http.Redirect(rw, r, "/grids", http.StatusSeeOther) // a grid leader or worker: their grid
	case len(a.OrgGrantsFor(access.OrgRead)) > 0:
		http.Redirect(rw, r, "/org/orgs", http.StatusSeeOther) // a branch secretary: their branch
	case len(a.UnitGrantsFor(access.UnitCadres)) > 0:
		http.Redirect(rw, r, "/org/units/"+strconv.FormatInt(a.UnitGrantsFor(access.UnitCadres)[0], 10)+"/cadres", http.StatusSeeOther) // a unit's staff
	case w.staffOfClasses(r, a):
		http.Redirect(rw, r, "/training/mine", http.StatusSeeOther) // a 班主任 or 跟班干部 with no grant
	default:
		http.Redirect(rw, r, "/tokens", http.StatusSeeOther)
	}
}

// homeCounter opens the counter of a supermarket clerk's one store, or
// the list of their stores when they serve at several.
func (w *Web) homeCounter(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	stores, err := w.Market.Stores(r.Context(), a)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	if len(stores) == 1 {
		http.Redirect(rw, r, "/stores/"+strconv.FormatInt(stores[0].ID, 10)+"/counter", http.StatusSeeOther)
		return
	}
	http.Redirect(rw, r, "/market", http.StatusSeeOther)
}

// regionCrumbs turns a path into breadcrumbs, linking only the levels the
// actor may open.
func regionCrumbs(a *access.Actor, path []region.Region) []crumb {
	var out []crumb
	for _, p := range path {
		c := crumb{Label: p.Name}
		if a.Can(access.RegistryRead, p.Code) {
			c.Href = "/regions/" + p.Code
		}
		out = append(out, c)
	}
	return out
}

type regionPage struct {
	Region    *region.Region
	Children  []region.Region
	Total     region.Region // sums over the children
	CanManage bool
	IsVillage bool
	LevelName string
	ChildName string
	// ChildrenHaveChildren is false for a township, whose villages have no
	// units below them, so the column would only ever show zeros.
	ChildrenHaveChildren bool
}

func (w *Web) regionShow(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	code := r.PathValue("code")
	ctx := r.Context()
	path, err := w.Regions.Path(ctx, a, code)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	kids, err := w.Regions.Children(ctx, a, code)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	cur := path[len(path)-1]
	v := w.newView(r, "page.regions", "regions")
	v.Title = cur.Name
	v.Crumbs = regionCrumbs(a, path)
	p := &regionPage{Region: &cur, Children: kids, CanManage: a.Can(access.RegionManage, code), IsVillage: cur.Level == regioncode.Village}
	p.LevelName = v.T("region.level." + strconv.Itoa(int(cur.Level)))
	if cur.Level < regioncode.Village {
		p.ChildName = v.T("region.level." + strconv.Itoa(int(cur.Level)+1))
	}
	for _, k := range kids {
		p.Total.Children += k.Children
		p.Total.Households += k.Households
		p.Total.Residents += k.Residents
	}
	if p.IsVillage {
		// A village has no children to sum; its own register gives the
		// counts.
		_, hn, err := w.Registry.Households(ctx, a, registry.ListFilter{Region: code, Status: registry.HouseholdActive, Limit: 1})
		if err != nil {
			w.fail(rw, r, err)
			return
		}
		_, rn, err := w.Registry.Residents(ctx, a, registry.ResidentFilter{Region: code, Status: registry.Registered, Limit: 1})
		if err != nil {
			w.fail(rw, r, err)
			return
		}
		p.Total.Households, p.Total.Residents = hn, rn
	}
	p.ChildrenHaveChildren = cur.Level < regioncode.Township
	v.Data = p
	w.render(rw, http.StatusOK, "regions", v)
}

type regionManage struct {
	Region  *region.Region
	History []region.Event
	Forms   []*form
}

func (w *Web) regionManageForms(v *view, reg *region.Region) []*form {
	base := "/regions/" + reg.Code
	var out []*form
	if reg.Status != region.Active {
		return nil
	}
	out = append(out, &form{Action: base + "/rename", Submit: v.T("region.rename"), Fields: []field{
		{Name: "name", Label: v.T("region.new_name"), Type: "text", Value: reg.Name, Required: true},
		{Name: "reason", Label: v.T("field.reason"), Type: "text", Required: true, Help: v.T("region.reason_help")},
	}})
	out = append(out, &form{Action: base + "/script", Submit: v.T("region.script.set"), Intro: v.T("region.script.intro", v.T(scriptLabel(reg))), Fields: []field{
		{Name: "script", Label: v.T("region.script"), Type: "select", Value: string(reg.Script), Options: []option{
			{Value: string(region.ScriptByKind), Label: v.T("region.script.by_kind")},
			{Value: string(region.ScriptBilingual), Label: v.T("region.script.mn-zh")},
			{Value: string(region.ScriptChinese), Label: v.T("region.script.zh")},
		}},
		{Name: "name_mongol", Label: v.T("region.name_mongol"), Type: "text", Value: reg.NameMongol, Help: v.T("region.name_mongol_help")},
		{Name: "reason", Label: v.T("field.reason"), Type: "text", Required: true},
	}})
	switch reg.Level {
	case regioncode.Township:
		out = append(out, &form{Action: base + "/villages", Submit: v.T("region.add_village"), Fields: []field{
			{Name: "name", Label: v.T("region.village_name"), Type: "text", Required: true, Help: v.T("region.add_help")},
			{Name: "reason", Label: v.T("field.reason"), Type: "text", Required: true},
		}})
	case regioncode.Village:
		out = append(out, &form{Action: base + "/merge", Submit: v.T("region.merge"), Intro: v.T("region.merge_help"), Fields: []field{
			{Name: "into", Label: v.T("region.merge_into"), Type: "text", Required: true, Help: v.T("region.code_help"), InputMode: "numeric", MaxLen: 12},
			{Name: "reason", Label: v.T("field.reason"), Type: "text", Required: true},
		}}, &form{Action: base + "/retire", Submit: v.T("region.retire"), Intro: v.T("region.retire_help"), Fields: []field{
			{Name: "reason", Label: v.T("field.reason"), Type: "text", Required: true},
		}})
	}
	return out
}

// scriptLabel names how a village writes its public pages now, for the
// form's introduction.
func scriptLabel(reg *region.Region) string {
	if reg.Bilingual() {
		return "region.script.now_bilingual"
	}
	return "region.script.now_chinese"
}

func (w *Web) regionManage(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	w.regionManageWith(rw, r, a, "", nil)
}

// regionManageWith draws the management page, with err shown on the form
// whose action is action.
func (w *Web) regionManageWith(rw http.ResponseWriter, r *http.Request, a *access.Actor, action string, err error) {
	code := r.PathValue("code")
	ctx := r.Context()
	path, perr := w.Regions.Path(ctx, a, code)
	if perr != nil {
		w.fail(rw, r, perr)
		return
	}
	if !a.Can(access.RegionManage, code) {
		w.fail(rw, r, fault.E(fault.Forbidden, "error.forbidden"))
		return
	}
	hist, herr := w.Regions.History(ctx, a, code)
	if herr != nil {
		w.fail(rw, r, herr)
		return
	}
	cur := path[len(path)-1]
	v := w.newView(r, "page.region_manage", "regions")
	v.Crumbs = append(regionCrumbs(a, path), crumb{Label: v.T("page.region_manage")})
	m := &regionManage{Region: &cur, History: hist, Forms: w.regionManageForms(v, &cur)}
	status := http.StatusOK
	if err != nil {
		for _, f := range m.Forms {
			if f.Action == action {
				for i := range f.Fields {
					if f.Fields[i].Name != "reason" || f.Fields[i].Value == "" {
						f.Fields[i].Value = r.FormValue(f.Fields[i].Name)
					}
				}
				if !v.applyError(f, err) {
					w.fail(rw, r, err)
					return
				}
				status = http.StatusUnprocessableEntity
			}
		}
	}
	v.Data = m
	w.render(rw, status, "region_manage", v)
}

// regionAction runs one management POST and redirects, or redraws the page
// with the error on the form that was sent.
func (w *Web) regionAction(do func(r *http.Request, a *access.Actor, code string) (string, error)) func(http.ResponseWriter, *http.Request, *access.Actor) {
	return func(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
		code := r.PathValue("code")
		to, err := do(r, a, code)
		if err != nil {
			w.regionManageWith(rw, r, a, r.URL.Path, err)
			return
		}
		seeOther(rw, r, to, "saved")
	}
}

func (w *Web) regionRename(r *http.Request, a *access.Actor, code string) (string, error) {
	return "/regions/" + code + "/manage", w.Regions.Rename(r.Context(), a, code, r.FormValue("name"), r.FormValue("reason"))
}

func (w *Web) regionAddVillage(r *http.Request, a *access.Actor, code string) (string, error) {
	nv, err := w.Regions.AddVillage(r.Context(), a, code, r.FormValue("name"), r.FormValue("reason"))
	if err != nil {
		return "", err
	}
	return "/regions/" + nv.Code, nil
}

func (w *Web) regionScript(r *http.Request, a *access.Actor, code string) (string, error) {
	return "/regions/" + code + "/manage", w.Regions.SetScript(r.Context(), a, code, region.Script(r.FormValue("script")), r.FormValue("name_mongol"), r.FormValue("reason"))
}

func (w *Web) regionMerge(r *http.Request, a *access.Actor, code string) (string, error) {
	into := r.FormValue("into")
	if !regioncode.ValidCode(into) {
		return "", fault.OnField(fault.Invalid, "into", "region.code_invalid")
	}
	return "/regions/" + into, w.Regions.Merge(r.Context(), a, code, into, r.FormValue("reason"))
}

func (w *Web) regionRetire(r *http.Request, a *access.Actor, code string) (string, error) {
	reg, err := w.Regions.Get(r.Context(), a, code)
	if err != nil {
		return "", err
	}
	return "/regions/" + url.PathEscape(reg.ParentCode), w.Regions.Retire(r.Context(), a, code, r.FormValue("reason"))
}

// staffOfClasses reports whether the user is on any class's staff.
func (w *Web) staffOfClasses(r *http.Request, a *access.Actor) bool {
	cs, err := w.Training.StaffClasses(r.Context(), a)
	return err == nil && len(cs) > 0
}
