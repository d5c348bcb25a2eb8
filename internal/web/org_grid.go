package web

import (
	"net/http"
	"strconv"
	"strings"

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

// orgGrids lists the grids of the villages of a region; a grid leader's
// or grid worker's list is their grid.
func (w *Web) orgGrids(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	code := r.URL.Query().Get("region")
	if s := a.Scopes(access.GridRead); code == "" && len(s) > 0 {
		code = s[0]
	}
	d := &gridsView{Region: code, CanManage: code != "" && a.Can(access.GridManage, code)}
	var err error
	if code != "" && a.Can(access.GridRead, code) {
		d.RegionName, err = w.regionTitle(r, a, code)
	}
	if err == nil {
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
	G           *org.Grid
	CanManage   bool
	CanRegister bool                 // reads the village's register, where a household's page is
	Free        []registry.Household // the village's households in no grid yet
	Error       string
	Problems    []string
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
	d := &gridView{G: g, CanManage: a.Can(access.GridManage, g.Village), CanRegister: a.Can(access.RegistryRead, g.Village)}
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

// gridAct puts the ticked households in the grid of the path, or those
// of a household-number range or an address or head's-name filter, or
// takes one out.
func (w *Web) gridAct(release bool) func(http.ResponseWriter, *http.Request, *access.Actor) {
	return func(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
		id, err := pathID(r, "id")
		if err == nil && release {
			_, err = w.Org.ReleaseHousehold(r.Context(), a, id, formID(r, "household"))
		} else if err == nil {
			var hs []int64
			if hs, err = w.pickedHouseholds(r, a, id); err == nil {
				_, err = w.Org.AssignHouseholds(r.Context(), a, id, hs)
			}
		}
		w.afterAct(rw, r, err, "/grids/"+strconv.FormatInt(id, 10), "saved", func(err error) { w.showGrid(rw, r, a, err) })
	}
}

// pickedHouseholds reads the households an assign form chose: the ticked
// ones, and the village's free households whose number lies in from–to
// and whose address or head contains match, when those are given.
func (w *Web) pickedHouseholds(r *http.Request, a *access.Actor, grid int64) ([]int64, error) {
	if err := r.ParseForm(); err != nil {
		return nil, err
	}
	hs := formIDs(r, "household")
	from, to := registry.Fold(r.FormValue("from")), registry.Fold(r.FormValue("to"))
	match := strings.TrimSpace(r.FormValue("match"))
	if from == "" && to == "" && match == "" {
		return hs, nil
	}
	g, err := w.Org.Grid(r.Context(), a, grid)
	if err != nil {
		return nil, err
	}
	free, err := w.freeHouseholds(r, a, g.Village)
	if err != nil {
		return nil, err
	}
	for _, h := range free {
		if (from == "" || numberCmp(h.Number, from) >= 0) && (to == "" || numberCmp(h.Number, to) <= 0) &&
			(match == "" || strings.Contains(h.Address, match) || strings.Contains(h.HeadName, match)) {
			hs = append(hs, h.ID)
		}
	}
	return hs, nil
}

// numberCmp orders household numbers as a clerk reads a range: by value
// when both are whole numbers (9 before 10), else as text.
func numberCmp(x, y string) int {
	a, errA := strconv.ParseInt(x, 10, 64)
	b, errB := strconv.ParseInt(y, 10, 64)
	switch {
	case errA == nil && errB == nil && a < b, (errA != nil || errB != nil) && x < y:
		return -1
	case errA == nil && errB == nil && a > b, (errA != nil || errB != nil) && x > y:
		return 1
	}
	return 0
}
