package web

import (
	"fmt"
	"net/http"
	"net/url"

	"shanzhi/internal/access"
	"shanzhi/internal/registry"
)

type residentList struct {
	Rows       []registry.ResidentRow
	Pager      pager
	Query      string
	Region     string
	RegionName string
	ExportURL  string
	// MongolOrder lists Mongolian names in the Mongolian alphabet's order.
	MongolOrder bool
}

func (w *Web) residents(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	q := r.URL.Query()
	f := registry.ResidentFilter{Region: q.Get("region"), Query: q.Get("q"), Status: registry.Registered, Limit: 1, MongolOrder: q.Get("order") == "mongol"}
	v := w.newView(r, "page.residents", "residents")
	d := &residentList{Query: f.Query, Region: f.Region, MongolOrder: f.MongolOrder}
	if f.Region != "" {
		path, err := w.Regions.Path(r.Context(), a, f.Region)
		if err != nil {
			w.fail(rw, r, err)
			return
		}
		v.Crumbs = regionCrumbs(a, path)
		d.RegionName = path[len(path)-1].Name
	}
	v.Crumbs = append(v.Crumbs, crumb{Label: v.T("page.residents")})
	_, total, err := w.Registry.Residents(r.Context(), a, f)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	d.Pager, f.Offset = newPager(v, r, total)
	f.Limit = pageSize
	if d.Rows, _, err = w.Registry.Residents(r.Context(), a, f); err != nil {
		w.fail(rw, r, err)
		return
	}
	d.ExportURL = "/export/residents.xlsx?" + url.Values{"region": {f.Region}, "q": {f.Query}}.Encode()
	v.Data = d
	w.render(rw, http.StatusOK, "residents", v)
}

// residentErase erases a departed resident's personal data on a lawful
// request. It is not among residentActions: those take the operators'
// RegistryWrite, an erasure takes a leader's RegionManage.
func (w *Web) residentErase() action[*registry.Resident] {
	return action[*registry.Resident]{
		title: "page.resident_erase",
		intro: "registry.erase_intro",
		fields: func(v *view, r *http.Request, res *registry.Resident) []field {
			return []field{reasonField(v, true)}
		},
		run: func(r *http.Request, a *access.Actor, res *registry.Resident) (int64, error) {
			return res.HouseholdID, w.Registry.EraseResident(r.Context(), a, res.ID, r.FormValue("reason"))
		},
	}
}

// residentTarget loads the resident an action is about.
func (w *Web) residentTarget(r *http.Request, a *access.Actor, v *view) (*registry.Resident, []crumb, string, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, nil, "", err
	}
	res, err := w.Registry.Resident(r.Context(), a, id)
	if err != nil {
		return nil, nil, "", err
	}
	back := fmt.Sprintf("/households/%d", res.HouseholdID)
	return res, []crumb{{Label: v.T("page.households"), Href: "/households"}, {Label: res.Name, Href: back}}, back, nil
}

func (w *Web) residentActions() map[string]action[*registry.Resident] {
	return map[string]action[*registry.Resident]{
		"edit": {
			title: "page.resident_edit",
			fields: func(v *view, r *http.Request, res *registry.Resident) []field {
				in := registry.ResidentInput{Name: res.Name, NameMongol: res.NameMongol, Gender: res.Gender, Ethnicity: res.Ethnicity,
					BirthDate: res.BirthDate, Relation: res.Relation, Political: res.Political}
				if r.Method == http.MethodPost {
					in = residentFromForm(r)
				}
				fs := residentFields(v, in, res.Relation != registry.Head, res)
				return append(fs, reasonField(v, false))
			},
			run: func(r *http.Request, a *access.Actor, res *registry.Resident) (int64, error) {
				in := residentFromForm(r)
				if res.Relation == registry.Head {
					in.Relation = registry.Head
				}
				in.KeepIDNumber = in.IDNumber == "" && res.IDMasked != ""
				in.KeepPhone = in.Phone == "" && res.PhoneMasked != ""
				return res.HouseholdID, w.Registry.UpdateResident(r.Context(), a, res.ID, in, r.FormValue("reason"))
			},
		},
		"move": {
			title: "page.resident_move",
			intro: "registry.move_intro",
			fields: func(v *view, r *http.Request, res *registry.Resident) []field {
				return []field{
					{Name: "to", Label: v.T("field.move_to"), Type: "text", Value: r.FormValue("to"), Required: true, Help: v.T("registry.merge_into_help")},
					{Name: "relation", Label: v.T("field.relation"), Type: "select", Value: r.FormValue("relation"), Options: opts(registry.Relations[1:]), Required: true},
					reasonField(v, true),
				}
			},
			run: func(r *http.Request, a *access.Actor, res *registry.Resident) (int64, error) {
				h, _, err := w.Registry.Household(r.Context(), a, res.HouseholdID)
				if err != nil {
					return 0, err
				}
				to, err := w.householdByNumberField(r, a, h.VillageCode, r.FormValue("to"), "to")
				if err != nil {
					return 0, err
				}
				return to, w.Registry.MoveResident(r.Context(), a, res.ID, to, r.FormValue("relation"), r.FormValue("reason"))
			},
		},
		"status": {
			title: "page.resident_status",
			intro: "registry.status_intro",
			fields: func(v *view, r *http.Request, res *registry.Resident) []field {
				return []field{
					{Name: "status", Label: v.T("field.status"), Type: "select", Value: r.FormValue("status"), Options: opts([]string{"", string(registry.MovedOut), string(registry.Deceased)}), Required: true},
					reasonField(v, true),
				}
			},
			run: func(r *http.Request, a *access.Actor, res *registry.Resident) (int64, error) {
				return res.HouseholdID, w.Registry.SetResidentStatus(r.Context(), a, res.ID, registry.ResidentStatus(r.FormValue("status")), r.FormValue("reason"))
			},
		},
	}
}
