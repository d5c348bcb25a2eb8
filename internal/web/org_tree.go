package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"shanzhi/internal/access"
	"shanzhi/internal/org"
)

type orgsView struct {
	Region, RegionName, Query string
	All                       bool
	Rows                      []org.Org
	CanManage                 bool
}

// orgOrgs lists the party organisations whose home lies in a region, the
// 党组织名册 of the organisation department.
func (w *Web) orgOrgs(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	q := r.URL.Query()
	if q.Get("region") == "" && len(a.Scopes(access.OrgRead)) == 0 && len(a.OrgGrantsFor(access.OrgRead)) > 0 {
		// A secretary granted for their branch: it and those below it.
		d := &orgsView{Query: q.Get("q"), All: q.Get("all") == "1"}
		var err error
		if d.Rows, err = w.Org.Orgs(r.Context(), a, org.OrgFilter{Query: d.Query, All: d.All}); err != nil {
			w.fail(rw, r, err)
			return
		}
		v := w.newView(r, "org.page.orgs", "org")
		v.Crumbs = []crumb{{Label: v.T("org.nav")}}
		v.Data = d
		w.render(rw, http.StatusOK, "org_orgs", v)
		return
	}
	code, err := talentRegion(r, a, access.OrgRead)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	d := &orgsView{Region: code, Query: q.Get("q"), All: q.Get("all") == "1", CanManage: a.Can(access.OrgManage, code)}
	if d.RegionName, err = w.regionTitle(r, a, code); err == nil {
		d.Rows, err = w.Org.Orgs(r.Context(), a, org.OrgFilter{Region: code, Query: d.Query, All: d.All})
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "org.page.orgs", "org")
	v.Crumbs = []crumb{{Label: v.T("org.nav")}}
	v.Data = d
	w.render(rw, http.StatusOK, "org_orgs", v)
}

// orgNew sets up a party organisation: under a parent picked from those
// the user manages, attached to a region or to units, or both.
func (w *Web) orgNew(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	code, err := talentRegion(r, a, access.OrgManage)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "org.page.org_new", "org")
	v.Crumbs = []crumb{{Label: v.T("org.nav"), Href: "/org/orgs"}, {Label: v.T("org.page.org_new")}}
	val := func(k, def string) string {
		if r.Method == http.MethodPost {
			return r.FormValue(k)
		}
		return def
	}
	parents := []option{{Value: "", Label: v.T("org.field.no_parent")}}
	orgs, _ := w.Org.Orgs(r.Context(), a, org.OrgFilter{Region: code})
	for _, o := range orgs {
		if o.Kind != org.Group && a.Can(access.OrgManage, o.Home) {
			parents = append(parents, option{Value: strconv.FormatInt(o.ID, 10), Label: o.Name})
		}
	}
	regions := append([]option{{Value: "", Label: v.T("org.field.units_only")}}, w.orgRegionOptions(r, a, code)...)
	units := []option{}
	list, _, _ := w.Org.Units(r.Context(), a, org.UnitFilter{Region: code, Limit: 500})
	r.ParseForm()
	for _, u := range list {
		id := strconv.FormatInt(u.ID, 10)
		checked := false
		for _, x := range r.Form["units"] {
			checked = checked || x == id
		}
		units = append(units, option{Value: id, Label: u.Name, Checked: checked})
	}
	kinds := []option{}
	for _, k := range org.Kinds {
		kinds = append(kinds, option{Value: string(k), Label: v.T("org.kind." + string(k))})
	}
	f := &form{Action: r.URL.RequestURI(), Submit: v.T("action.save"), Cancel: "/org/orgs", Intro: v.T("org.intro.org_new"), Fields: []field{
		{Name: "parent", Label: v.T("org.field.parent"), Type: "select", Value: val("parent", r.URL.Query().Get("parent")), Options: parents},
		{Name: "kind", Label: v.T("org.field.kind"), Type: "select", Value: val("kind", string(org.Branch)), Options: kinds, Required: true},
		{Name: "name", Label: v.T("org.field.org_name"), Type: "text", Value: val("name", ""), Required: true, MaxLen: org.MaxName},
		{Name: "region", Label: v.T("org.field.attached"), Type: "select", Value: val("region", code), Options: regions},
		{Name: "units", Label: v.T("org.field.units"), Type: "checkboxes", Options: units},
		{Name: "founded", Label: v.T("org.field.founded"), Type: "date", Value: val("founded", "")},
		{Name: "brand", Label: v.T("org.field.brand"), Type: "text", Value: val("brand", ""), MaxLen: org.MaxName, Help: v.T("org.help.brand")},
	}}
	if r.Method != http.MethodPost {
		w.showForm(rw, v, f)
		return
	}
	in := org.OrgInput{Parent: formID(r, "parent"), Region: r.FormValue("region"), Kind: org.Kind(r.FormValue("kind")), Name: r.FormValue("name"),
		Founded: r.FormValue("founded"), Brand: r.FormValue("brand")}
	for _, x := range r.Form["units"] {
		if id, err := strconv.ParseInt(x, 10, 64); err == nil {
			in.Units = append(in.Units, id)
		}
	}
	o, err := w.Org.CreateOrg(r.Context(), a, in)
	if err != nil {
		w.formOrFail(rw, r, v, f, err)
		return
	}
	seeOther(rw, r, "/org/orgs/"+strconv.FormatInt(o.ID, 10), "saved")
}

type orgView struct {
	O         *org.Org
	CanManage bool
	Parents   []option // where it may move
	Others    []option // what it may merge into
	Posts     []option
	Members   []org.Member // who may go to a new organisation split off
	Error     string
	Problems  []string
}

// OrgEventDetail is an organisation event's detail in the reader's
// language. The store writes a new organisation's kind and a post change's
// post as their codes ("名称; branch; 单位; 品牌", "secretary: 张三"), which
// the history showed as they were; codes it does not know stay as stored.
func (v *view) OrgEventDetail(e org.Event) string {
	label := func(prefix, code string) string {
		if v.w.Catalog.Has(v.Lang, prefix+code) {
			return v.T(prefix + code)
		}
		return code
	}
	switch e.Kind {
	case "created":
		parts := strings.Split(e.Detail, "; ")
		if len(parts) != 4 {
			break
		}
		parts[1] = label("org.kind.", parts[1])
		return strings.Join(slices.DeleteFunc(parts, func(p string) bool { return p == "" }), "；")
	case "post":
		if post, name, ok := strings.Cut(e.Detail, ": "); ok {
			return label("org.post.", post) + "：" + name
		}
	}
	return e.Detail
}

func (w *Web) orgShow(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	w.showOrg(rw, r, a, nil)
}

// showOrg draws an organisation: its units, posts, the organisations below
// it and its history, with the forms to change it for those who manage it.
func (w *Web) showOrg(rw http.ResponseWriter, r *http.Request, a *access.Actor, actErr error) {
	id, err := pathID(r, "id")
	var o *org.Org
	if err == nil {
		o, err = w.Org.Org(r.Context(), a, id)
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "org.page.org", "org")
	v.Title = o.Name
	v.Crumbs = []crumb{{Label: v.T("org.nav"), Href: "/org/orgs"}}
	if o.Parent != 0 {
		v.Crumbs = append(v.Crumbs, crumb{Label: o.ParentName, Href: "/org/orgs/" + strconv.FormatInt(o.Parent, 10)})
	}
	v.Crumbs = append(v.Crumbs, crumb{Label: o.Name})
	d := &orgView{O: o, CanManage: o.Status == org.Active && a.Can(access.OrgManage, o.Home)}
	if d.CanManage {
		scopes := a.Scopes(access.OrgManage)
		others, _ := w.Org.Orgs(r.Context(), a, org.OrgFilter{Region: scopes[0]})
		for _, x := range others {
			if x.ID != o.ID && x.ID != o.Parent && o.Kind.CanParent(x.Kind) {
				d.Parents = append(d.Parents, option{Value: strconv.FormatInt(x.ID, 10), Label: x.Name})
			}
			if x.ID != o.ID && x.Kind == o.Kind {
				d.Others = append(d.Others, option{Value: strconv.FormatInt(x.ID, 10), Label: x.Name})
			}
		}
		if o.Kind.HoldsMembers() {
			d.Members, _ = w.Org.Members(r.Context(), a, o.ID)
		}
		for _, p := range org.Posts {
			if p.ValidFor(o.Kind) {
				d.Posts = append(d.Posts, option{Value: string(p), Label: v.T("org.post." + string(p))})
			}
		}
	}
	status, msg, problems := refusal(v, actErr, "org.field.")
	d.Error, d.Problems = msg, problems
	v.Data = d
	w.render(rw, status, "org_org", v)
}

// orgAct runs a change of the organisation of the path and redraws its
// page with a refusal, or goes back to it.
func (w *Web) orgAct(act func(r *http.Request, a *access.Actor, id int64) error) func(http.ResponseWriter, *http.Request, *access.Actor) {
	return func(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
		id, err := pathID(r, "id")
		if err == nil {
			err = act(r, a, id)
		}
		w.afterAct(rw, r, err, "/org/orgs/"+strconv.FormatInt(id, 10), "saved", func(err error) { w.showOrg(rw, r, a, err) })
	}
}

func (w *Web) orgRename(r *http.Request, a *access.Actor, id int64) error {
	_, err := w.Org.Rename(r.Context(), a, id, r.FormValue("name"), r.FormValue("date"))
	return err
}

func (w *Web) orgMove(r *http.Request, a *access.Actor, id int64) error {
	_, err := w.Org.Move(r.Context(), a, id, formID(r, "parent"), r.FormValue("date"))
	return err
}

func (w *Web) orgDissolve(r *http.Request, a *access.Actor, id int64) error {
	_, err := w.Org.Dissolve(r.Context(), a, id, r.FormValue("date"), r.FormValue("reason"))
	return err
}

func (w *Web) orgMerge(r *http.Request, a *access.Actor, id int64) error {
	_, err := w.Org.Merge(r.Context(), a, id, formID(r, "into"), r.FormValue("date"), r.FormValue("reason"))
	return err
}

func (w *Web) orgPost(r *http.Request, a *access.Actor, id int64) error {
	_, err := w.Org.SetPost(r.Context(), a, id, org.PostInput{Post: org.Post(r.FormValue("post")), Name: r.FormValue("name"), Member: formID(r, "member"), From: r.FormValue("date")})
	return err
}
