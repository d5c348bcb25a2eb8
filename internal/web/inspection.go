package web

import (
	"fmt"
	"mime/multipart"
	"net/http"
	"strconv"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/points"
	"shanzhi/internal/registry"
	"shanzhi/internal/scheme"
)

type inspectionPage struct {
	Village string
	Name    string
	Items   []inspectionItem
	Item    string
	// Photo is whether the chosen item needs a photo: the sheet says so
	// and shows a photo input on every row.
	Photo    bool
	Key      string
	Group    string // the 组 or street the rows are filtered to, "" for all
	Groups   []inspectionGroup
	Rows     []inspectionRow
	Checked  map[int64]bool
	Done     int
	Problems []string
}

type inspectionItem struct {
	option
	Photo bool
}

type inspectionGroup struct {
	Name  string
	Count int
}

type inspectionRow struct {
	registry.Household
	Group string
}

// inspection is the batch sheet: one scheme item across every household
// of a village on one page, ticked household by household (or all at once,
// or one 组 at a time), so the monthly sanitation inspection of 300
// households takes minutes. Each ticked household gets its own award,
// reviewed like any other, with its own photo where the item needs one.
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
		w.failScheme(rw, r, err, code)
		return
	}
	p := &inspectionPage{Village: code, Name: name, Item: r.FormValue("item"), Key: r.FormValue("key"), Group: r.FormValue("group"), Checked: map[int64]bool{}}
	if p.Key == "" {
		p.Key = newKey()
	}
	for _, it := range res.Items {
		p.Items = append(p.Items, inspectionItem{option{Value: it.Code, Label: fmt.Sprintf("%s（%+d）", it.Name, it.Points)}, it.Evidence.Photo})
		if it.Code == p.Item || (p.Item == "" && len(p.Items) == 1) {
			p.Photo = it.Evidence.Photo
		}
	}
	hs, _, err := w.Registry.Households(r.Context(), a, registry.ListFilter{Region: code, Status: registry.HouseholdActive, ByNumber: true, Limit: 500})
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	counts := map[string]int{}
	for _, h := range hs {
		g := registry.GroupOf(h.Address)
		if g != "" && counts[g] == 0 {
			p.Groups = append(p.Groups, inspectionGroup{Name: g})
		}
		counts[g]++
		if p.Group == "" || g == p.Group {
			p.Rows = append(p.Rows, inspectionRow{h, g})
		}
	}
	for i := range p.Groups {
		p.Groups[i].Count = counts[p.Groups[i].Name]
	}
	v := w.newView(r, "page.inspection", "households")
	status := http.StatusOK
	if r.Method == http.MethodPost {
		if status, err = w.inspectionRecord(v, r, a, p, hs); err != nil {
			w.fail(rw, r, err)
			return
		}
	}
	v.Title = v.T("page.inspection_of", name)
	v.Data = p
	w.render(rw, status, "inspection", v)
}

// inspectionRecord records the ticked households' awards, each with the
// photo taken on its row, and reports each refusal by 户号 and head; an
// error no row can explain fails the page.
func (w *Web) inspectionRecord(v *view, r *http.Request, a *access.Actor, p *inspectionPage, hs []registry.Household) (int, error) {
	byID := map[int64]registry.Household{}
	for _, h := range hs {
		byID[h.ID] = h
	}
	for _, s := range r.PostForm["household"] {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			continue
		}
		p.Checked[id] = true
		h := byID[id]
		in := points.AwardInput{Key: p.Key + "-" + s, Household: id, Item: p.Item, Channel: points.Batch,
			Evidence: r.FormValue("evidence"), Witness: r.FormValue("witness"), Photo: r.FormValue("photo") == "1"}
		// The key is the sheet's key and the household, so sending the
		// sheet twice records each award once; a retry sends its photo
		// again, and the award already stored keeps the first.
		if err = w.rowPhoto(r, a, "photo_"+s, &in); err == nil {
			_, err = w.Awards.Record(r.Context(), a, in)
		}
		if err != nil {
			var f form
			if !v.applyError(&f, err) {
				return 0, err
			}
			p.Problems = append(p.Problems, fmt.Sprintf("%s %s（%s）：%s", v.T("field.number"), h.Number, h.HeadName, f.Error))
			continue
		}
		p.Done++
	}
	if len(p.Problems) > 0 {
		return http.StatusUnprocessableEntity, nil
	}
	return http.StatusOK, nil
}

// rowPhoto stages the photo a sheet row carries, if any, onto in.
func (w *Web) rowPhoto(r *http.Request, a *access.Actor, field string, in *points.AwardInput) error {
	var fh *multipart.FileHeader
	if r.MultipartForm != nil {
		if fs := r.MultipartForm.File[field]; len(fs) > 0 && fs[0].Size > 0 {
			fh = fs[0]
		}
	}
	if fh == nil {
		return nil
	}
	id, err := w.stagePhoto(r, a, fh)
	if err != nil {
		return err
	}
	in.Photos = []int64{id}
	return nil
}
