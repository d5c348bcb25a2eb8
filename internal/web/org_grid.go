package web

import (
	"net/http"
	"strconv"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/org"
	"shanzhi/internal/registry"
)

type gridsView struct {
	Region, RegionName string
	Rows               []org.Grid
	CanManage          bool
}

// orgGrids lists the grids of the villages of a region.
func (w *Web) orgGrids(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	code, err := talentRegion(r, a, access.RegistryRead)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	d := &gridsView{Region: code, CanManage: a.Can(access.GridManage, code)}
	if d.RegionName, err = w.regionTitle(r, a, code); err == nil {
		d.Rows, err = w.Org.Grids(r.Context(), a, code)
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "org.page.grids", "grids")
	v.Crumbs = []crumb{{Label: v.T("org.page.grids")}}
	v.Data = d
	w.render(rw, http.StatusOK, "org_grids", v)
}

// gridNew divides the village of the path into one more grid.
func (w *Web) gridNew(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	code := r.PathValue("code")
	v := w.newView(r, "org.page.grid_new", "grids")
	name, err := w.regionTitle(r, a, code)
	if err == nil && !a.Can(access.GridManage, code) {
		err = fault.E(fault.Forbidden, "error.forbidden")
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v.Crumbs = []crumb{{Label: v.T("org.page.grids"), Href: "/grids?region=" + code}, {Label: name}, {Label: v.T("org.page.grid_new")}}
	kinds := []option{}
	for _, k := range org.GridKinds {
		kinds = append(kinds, option{Value: string(k), Label: v.T("org.grid_kind." + string(k))})
	}
	f := &form{Action: r.URL.Path, Submit: v.T("action.save"), Cancel: "/grids?region=" + code, Intro: v.T("org.intro.grid_new", name), Fields: []field{
		{Name: "name", Label: v.T("org.field.grid_name"), Type: "text", Value: r.FormValue("name"), Required: true, MaxLen: org.MaxName},
		{Name: "kind", Label: v.T("org.field.grid_kind"), Type: "select", Value: r.FormValue("kind"), Options: kinds},
	}}
	if r.Method != http.MethodPost {
		w.showForm(rw, v, f)
		return
	}
	g, err := w.Org.CreateGrid(r.Context(), a, org.GridInput{Village: code, Name: r.FormValue("name"), Kind: org.GridKind(r.FormValue("kind"))})
	if err != nil {
		w.formOrFail(rw, r, v, f, err)
		return
	}
	seeOther(rw, r, "/grids/"+strconv.FormatInt(g.ID, 10), "saved")
}

type gridView struct {
	G         *org.Grid
	CanManage bool
	Free      []registry.Household // the village's households in no grid yet
	Error     string
	Problems  []string
}

func (w *Web) gridShow(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	w.showGrid(rw, r, a, nil)
}

// showGrid draws a grid with its households and, for those who keep it,
// the village's households not yet in any grid to tick and put in.
func (w *Web) showGrid(rw http.ResponseWriter, r *http.Request, a *access.Actor, actErr error) {
	id, err := pathID(r, "id")
	var g *org.Grid
	if err == nil {
		g, err = w.Org.Grid(r.Context(), a, id)
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "org.page.grid", "grids")
	v.Title = g.VillageName + " " + g.Name
	v.Crumbs = []crumb{{Label: v.T("org.page.grids"), Href: "/grids?region=" + g.Village}, {Label: g.Name}}
	d := &gridView{G: g, CanManage: a.Can(access.GridManage, g.Village)}
	if d.CanManage {
		if d.Free, err = w.freeHouseholds(r, a, g.Village); err != nil {
			w.fail(rw, r, err)
			return
		}
	}
	status, msg, problems := refusal(v, actErr, "org.field.")
	d.Error, d.Problems = msg, problems
	v.Data = d
	w.render(rw, status, "org_grid", v)
}

// freeHouseholds lists a village's households that are in no grid: those
// of all its grids are left out.
func (w *Web) freeHouseholds(r *http.Request, a *access.Actor, village string) ([]registry.Household, error) {
	taken := map[int64]bool{}
	grids, err := w.Org.Grids(r.Context(), a, village)
	if err != nil {
		return nil, err
	}
	for _, g := range grids {
		full, err := w.Org.Grid(r.Context(), a, g.ID)
		if err != nil {
			return nil, err
		}
		for _, h := range full.Members {
			taken[h.ID] = true
		}
	}
	var out []registry.Household
	for offset := 0; ; {
		hs, total, err := w.Registry.Households(r.Context(), a, registry.ListFilter{Region: village, ByNumber: true, Limit: 500, Offset: offset})
		if err != nil {
			return nil, err
		}
		for _, h := range hs {
			if !taken[h.ID] {
				out = append(out, h)
			}
		}
		offset += len(hs)
		if offset >= total || len(hs) == 0 {
			return out, nil
		}
	}
}

// gridAct puts the ticked households in the grid of the path, or takes
// one out.
func (w *Web) gridAct(release bool) func(http.ResponseWriter, *http.Request, *access.Actor) {
	return func(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
		id, err := pathID(r, "id")
		if err == nil {
			if release {
				_, err = w.Org.ReleaseHousehold(r.Context(), a, id, formID(r, "household"))
			} else {
				r.ParseForm()
				var hs []int64
				for _, x := range r.Form["household"] {
					if h, perr := strconv.ParseInt(x, 10, 64); perr == nil {
						hs = append(hs, h)
					}
				}
				_, err = w.Org.AssignHouseholds(r.Context(), a, id, hs)
			}
		}
		w.afterAct(rw, r, err, "/grids/"+strconv.FormatInt(id, 10), "saved", func(err error) { w.showGrid(rw, r, a, err) })
	}
}
