package web

import (
	"fmt"
	"net/http"
	"net/url"
	"shanzhi/internal/honour"
	"slices"
	"strconv"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/regioncode"
	"shanzhi/internal/registry"
)

const pageSize = 20

// pager is the 共 N 条 line and its links.
type pager struct {
	Total, Page, Pages, Offset int
	Summary                    string
	Prev, Next                 string
	PrevLabel, NextLabel       string
}

func newPager(v *view, r *http.Request, total int) (pager, int) {
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	pages := max((total+pageSize-1)/pageSize, 1)
	page = min(max(page, 1), pages)
	p := pager{Total: total, Page: page, Pages: pages, Offset: (page - 1) * pageSize,
		Summary: v.T("list.summary", total, page, pages), PrevLabel: v.T("list.prev"), NextLabel: v.T("list.next")}
	link := func(n int) string {
		q := r.URL.Query()
		q.Set("page", strconv.Itoa(n))
		return r.URL.Path + "?" + q.Encode()
	}
	if page > 1 {
		p.Prev = link(page - 1)
	}
	if page < pages {
		p.Next = link(page + 1)
	}
	return p, p.Offset
}

type householdList struct {
	Rows       []registry.Household
	Pager      pager
	Query      string
	Status     string
	Sort       string
	Region     string
	RegionName string
	CanCreate  bool
	// CanExportFull offers the export without masks, which asks for a
	// reason.
	CanExportFull bool
	ExportURL     string
	ImportURL     string
	Statuses      []string
}

func (w *Web) households(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	q := r.URL.Query()
	f := registry.ListFilter{Region: q.Get("region"), Query: q.Get("q"), Status: registry.HouseholdStatus(q.Get("status")), ByNumber: q.Get("sort") == "number", Limit: pageSize}
	v := w.newView(r, "page.households", "households")
	d := &householdList{Query: f.Query, Status: string(f.Status), Region: f.Region, Sort: q.Get("sort"),
		Statuses: []string{string(registry.HouseholdActive), string(registry.HouseholdMerged), string(registry.HouseholdClosed)}}
	if f.Region != "" {
		path, err := w.Regions.Path(r.Context(), a, f.Region)
		if err != nil {
			w.fail(rw, r, err)
			return
		}
		v.Crumbs = regionCrumbs(a, path)
		d.RegionName = path[len(path)-1].Name
		lvl := regioncode.LevelOf(f.Region)
		d.CanCreate = (lvl == regioncode.Village || lvl == regioncode.Township) && a.Can(access.RegistryWrite, f.Region)
		d.CanExportFull = a.Can(access.ExportFull, f.Region)
	}
	v.Crumbs = append(v.Crumbs, crumb{Label: v.T("page.households")})
	_, total, err := w.Registry.Households(r.Context(), a, registry.ListFilter{Region: f.Region, Query: f.Query, Status: f.Status, Limit: 1})
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	d.Pager, f.Offset = newPager(v, r, total)
	if d.Rows, _, err = w.Registry.Households(r.Context(), a, f); err != nil {
		w.fail(rw, r, err)
		return
	}
	exp := url.Values{"region": {f.Region}, "q": {f.Query}}
	d.ExportURL = "/export/residents.xlsx?" + exp.Encode()
	d.ImportURL = "/import?" + url.Values{"region": {f.Region}}.Encode()
	v.Data = d
	w.render(rw, http.StatusOK, "households", v)
}

// residentFields are the inputs of a person, shared by the new-household
// form (for the head) and the member forms.
func residentFields(v *view, in registry.ResidentInput, withRelation bool, r *registry.Resident) []field {
	idHelp, phoneHelp := v.T("registry.id.help"), ""
	if r != nil {
		if r.IDMasked != "" {
			idHelp = v.T("registry.keep_help", r.IDMasked)
		}
		if r.PhoneMasked != "" {
			phoneHelp = v.T("registry.keep_help", r.PhoneMasked)
		}
	}
	fs := []field{
		{Name: "name", Label: v.T("field.name"), Type: "text", Value: in.Name, Required: true},
		{Name: "name_mongol", Label: v.T("field.name_mongol"), Type: "text", Value: in.NameMongol, Help: v.T("field.name_mongol_help")},
		{Name: "id_number", Label: v.T("field.id_number"), Type: "text", Value: in.IDNumber, Help: idHelp, Auto: "off", MaxLen: 18},
		{Name: "gender", Label: v.T("field.gender"), Type: "select", Value: string(in.Gender), Options: opts([]string{"", "男", "女"}), Help: v.T("registry.from_id_help")},
		{Name: "birth_date", Label: v.T("field.birth_date"), Type: "date", Value: in.BirthDate, Help: v.T("registry.from_id_help")},
		{Name: "ethnicity", Label: v.T("field.ethnicity"), Type: "select", Value: in.Ethnicity, Options: opts(registry.Ethnicities), Required: true},
		{Name: "phone", Label: v.T("field.phone"), Type: "tel", Value: in.Phone, Help: phoneHelp, InputMode: "tel", Auto: "off"},
		{Name: "political", Label: v.T("field.political"), Type: "select", Value: in.Political, Options: opts(registry.PoliticalStatuses)},
	}
	if withRelation {
		fs = append(fs, field{Name: "relation", Label: v.T("field.relation"), Type: "select", Value: in.Relation, Options: opts(registry.Relations[1:]), Required: true})
	}
	return fs
}

func residentFromForm(r *http.Request) registry.ResidentInput {
	return registry.ResidentInput{
		Name: r.FormValue("name"), NameMongol: r.FormValue("name_mongol"), Gender: registry.Gender(r.FormValue("gender")),
		Ethnicity: r.FormValue("ethnicity"), BirthDate: r.FormValue("birth_date"), IDNumber: r.FormValue("id_number"),
		Phone: r.FormValue("phone"), Relation: r.FormValue("relation"), Political: r.FormValue("political"),
	}
}

func reasonField(v *view, required bool) field {
	return field{Name: "reason", Label: v.T("field.reason"), Type: "text", Required: required}
}

// villageOptions offers the villages a new household can go into: the
// village itself, or the active villages of a township.
func (w *Web) villageOptions(r *http.Request, a *access.Actor, code string) ([]option, error) {
	if regioncode.LevelOf(code) == regioncode.Village {
		reg, err := w.Regions.Get(r.Context(), a, code)
		if err != nil {
			return nil, err
		}
		return []option{{Value: reg.Code, Label: reg.Name}}, nil
	}
	kids, err := w.Regions.Children(r.Context(), a, code)
	if err != nil {
		return nil, err
	}
	out := []option{{}}
	for _, k := range kids {
		if k.Status == "active" {
			out = append(out, option{Value: k.Code, Label: k.Name})
		}
	}
	return out, nil
}

func (w *Web) householdForm(rw http.ResponseWriter, r *http.Request, a *access.Actor, err error) {
	region := r.FormValue("region")
	if region == "" {
		if s := a.Scopes(access.RegistryWrite); len(s) > 0 {
			region = s[0]
		}
	}
	if !a.Can(access.RegistryWrite, region) {
		w.fail(rw, r, fault.E(fault.Forbidden, "error.forbidden"))
		return
	}
	v := w.newView(r, "page.household_new", "households")
	villages, verr := w.villageOptions(r, a, region)
	if verr != nil {
		w.fail(rw, r, verr)
		return
	}
	head := residentFromForm(r)
	if head.Political == "" {
		head.Political = "群众"
	}
	village := r.FormValue("village")
	if village == "" && len(villages) == 1 {
		village = villages[0].Value
	}
	f := &form{Action: "/households?region=" + url.QueryEscape(region), Submit: v.T("action.save"), Cancel: "/households?region=" + url.QueryEscape(region), Intro: v.T("registry.new_intro")}
	f.Fields = append([]field{
		{Name: "number", Label: v.T("field.number"), Type: "text", Value: r.FormValue("number"), Required: true},
		{Name: "village", Label: v.T("field.village"), Type: "select", Value: village, Options: villages, Required: true},
		{Name: "address", Label: v.T("field.address"), Type: "text", Value: r.FormValue("address")},
	}, residentFields(v, head, false, nil)...)
	if err != nil {
		w.formOrFail(rw, r, v, f, err)
		return
	}
	w.showForm(rw, v, f)
}

func (w *Web) householdNew(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	w.householdForm(rw, r, a, nil)
}

func (w *Web) householdCreate(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	in := registry.HouseholdInput{Number: r.FormValue("number"), VillageCode: r.FormValue("village"), Address: r.FormValue("address")}
	h, err := w.Registry.CreateHousehold(r.Context(), a, in, residentFromForm(r))
	if err != nil {
		w.householdForm(rw, r, a, err)
		return
	}
	seeOther(rw, r, fmt.Sprintf("/households/%d", h.ID), "created")
}

type householdPage struct {
	H        *registry.Household
	Balance  int64
	Members  []registry.Resident
	History  []registry.Event
	CanWrite bool
	CanErase bool // a leader may erase the data of those who have left
	Active   bool
	Awards   awardList // the latest, with their evidence photos and status
	Honours  []honour.Honour
}

func (w *Web) householdShow(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	id, err := pathID(r, "id")
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	h, members, err := w.Registry.Household(r.Context(), a, id)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	hist, err := w.Registry.History(r.Context(), a, id)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	path, err := w.Regions.Path(r.Context(), a, h.VillageCode)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "page.household", "households")
	v.Title = v.T("page.household_title", h.Number, h.HeadName)
	v.Crumbs = append(regionCrumbs(a, path), crumb{Label: v.T("page.households"), Href: "/households?region=" + h.VillageCode}, crumb{Label: h.Number})
	bal, err := w.Ledger.Balance(r.Context(), a, h.ID)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	awards, err := w.Awards.Awards(r.Context(), a, h.ID)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	honours, err := w.Honours.HouseholdHonours(r.Context(), a, h.ID)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v.Data = &householdPage{H: h, Balance: bal, Honours: honours, Members: members, History: hist, CanWrite: a.Can(access.RegistryWrite, h.VillageCode),
		CanErase: a.Can(access.RegionManage, h.VillageCode), Active: h.Status == registry.HouseholdActive,
		Awards: awardList{V: v, Household: h.ID, Awards: awards[:min(len(awards), 20)], CanWrite: a.Can(access.PointsWrite, h.VillageCode)}}
	w.render(rw, http.StatusOK, "household", v)
}

// household is a household with its members, as the household forms need.
type household struct {
	*registry.Household
	members []registry.Resident
}

// householdTarget loads the household an action is about, with the
// breadcrumbs and the page to return to.
func (w *Web) householdTarget(r *http.Request, a *access.Actor, v *view) (household, []crumb, string, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return household{}, nil, "", err
	}
	h, ms, err := w.Registry.Household(r.Context(), a, id)
	if err != nil {
		return household{}, nil, "", err
	}
	back := fmt.Sprintf("/households/%d", h.ID)
	return household{h, ms}, []crumb{{Label: v.T("page.households"), Href: "/households?region=" + h.VillageCode}, {Label: h.Number, Href: back}}, back, nil
}

// memberOptions lists the registered members of a household, optionally
// leaving out its head.
func memberOptions(members []registry.Resident, headID int64, withHead bool) []option {
	out := []option{{}}
	for _, m := range members {
		if m.Status == registry.Registered && (withHead || m.ID != headID) {
			out = append(out, option{Value: strconv.FormatInt(m.ID, 10), Label: m.Name + "（" + m.Relation + "）"})
		}
	}
	return out
}

func formID(r *http.Request, name string) int64 {
	id, _ := strconv.ParseInt(r.FormValue(name), 10, 64)
	return id
}

func (w *Web) householdActions() map[string]action[household] {
	return map[string]action[household]{
		"edit": {
			title: "page.household_edit",
			fields: func(v *view, r *http.Request, h household) []field {
				number, address := h.Number, h.Address
				if r.Method == http.MethodPost {
					number, address = r.FormValue("number"), r.FormValue("address")
				}
				return []field{
					{Name: "number", Label: v.T("field.number"), Type: "text", Value: number, Required: true},
					{Name: "address", Label: v.T("field.address"), Type: "text", Value: address},
					reasonField(v, false),
				}
			},
			run: func(r *http.Request, a *access.Actor, h household) (int64, error) {
				in := registry.HouseholdInput{Number: r.FormValue("number"), VillageCode: h.VillageCode, Address: r.FormValue("address")}
				return h.ID, w.Registry.UpdateHousehold(r.Context(), a, h.ID, in, r.FormValue("reason"))
			},
		},
		"member": {
			title: "page.member_new",
			fields: func(v *view, r *http.Request, _ household) []field {
				in := residentFromForm(r)
				if in.Political == "" {
					in.Political = "群众"
				}
				return append(residentFields(v, in, true, nil), reasonField(v, false))
			},
			run: func(r *http.Request, a *access.Actor, h household) (int64, error) {
				_, err := w.Registry.AddResident(r.Context(), a, h.ID, residentFromForm(r), r.FormValue("reason"))
				return h.ID, err
			},
		},
		"head": {
			title: "page.change_head",
			intro: "registry.head_intro",
			fields: func(v *view, r *http.Request, h household) []field {
				members := h.members
				return []field{
					{Name: "resident", Label: v.T("field.new_head"), Type: "select", Value: r.FormValue("resident"), Options: memberOptions(members, h.HeadID, false), Required: true},
					{Name: "relation", Label: v.T("field.old_head_relation", h.HeadName), Type: "select", Value: r.FormValue("relation"), Options: opts(registry.Relations[1:]), Required: true},
					reasonField(v, true),
				}
			},
			run: func(r *http.Request, a *access.Actor, h household) (int64, error) {
				return h.ID, w.Registry.ChangeHead(r.Context(), a, h.ID, formID(r, "resident"), r.FormValue("relation"), r.FormValue("reason"))
			},
		},
		"split": {
			title: "page.split",
			intro: "registry.split_intro",
			fields: func(v *view, r *http.Request, h household) []field {
				members := h.members
				ms := memberOptions(members, h.HeadID, false)[1:]
				checks := make([]option, len(ms))
				for i, m := range ms {
					checks[i] = m
					checks[i].Checked = slices.Contains(r.Form["members"], m.Value)
				}
				fs := []field{
					{Name: "members", Label: v.T("field.split_members"), Type: "checkboxes", Options: checks, Required: true},
					{Name: "head", Label: v.T("field.new_head"), Type: "select", Value: r.FormValue("head"), Options: append([]option{{}}, ms...), Required: true},
					{Name: "number", Label: v.T("field.new_number"), Type: "text", Value: r.FormValue("number"), Required: true},
					{Name: "address", Label: v.T("field.address"), Type: "text", Value: r.FormValue("address"), Help: v.T("registry.split_address_help")},
					{Name: "points", Label: v.T("field.split_points"), Type: "text", Value: r.FormValue("points"), InputMode: "numeric", Help: v.T("registry.split_points_help")},
				}
				for _, m := range ms {
					fs = append(fs, field{Name: "relation_" + m.Value, Label: v.T("field.relation_to_new_head", m.Label), Type: "select",
						Value: r.FormValue("relation_" + m.Value), Options: opts(registry.Relations[1:])})
				}
				return append(fs, reasonField(v, true))
			},
			run: func(r *http.Request, a *access.Actor, h household) (int64, error) {
				sp := registry.Split{From: h.ID, NewHead: formID(r, "head"), Number: r.FormValue("number"), Address: r.FormValue("address"),
					Reason: r.FormValue("reason"), Relations: map[int64]string{}, Points: formID(r, "points")}
				for _, s := range r.Form["members"] {
					id, err := strconv.ParseInt(s, 10, 64)
					if err == nil {
						sp.Members = append(sp.Members, id)
						sp.Relations[id] = r.FormValue("relation_" + s)
					}
				}
				nh, err := w.Registry.SplitHousehold(r.Context(), a, sp)
				if err != nil {
					return 0, err
				}
				return nh.ID, nil
			},
		},
		"merge": {
			title: "page.merge",
			intro: "registry.merge_intro",
			fields: func(v *view, r *http.Request, h household) []field {
				return []field{
					{Name: "into", Label: v.T("field.merge_into"), Type: "text", Value: r.FormValue("into"), Required: true, Help: v.T("registry.merge_into_help")},
					reasonField(v, true),
				}
			},
			run: func(r *http.Request, a *access.Actor, h household) (int64, error) {
				into, err := w.householdByNumberField(r, a, h.VillageCode, r.FormValue("into"), "into")
				if err != nil {
					return 0, err
				}
				return into, w.Registry.MergeHouseholds(r.Context(), a, h.ID, into, r.FormValue("reason"))
			},
		},
	}
}

// householdByNumberField finds a household of a village by its 户号, the
// way clerks name households; a miss is reported on the form field named.
func (w *Web) householdByNumberField(r *http.Request, a *access.Actor, village, number, fieldName string) (int64, error) {
	list, _, err := w.Registry.Households(r.Context(), a, registry.ListFilter{Region: village, Query: number, Limit: 50})
	if err != nil {
		return 0, err
	}
	for _, h := range list {
		if h.Number == number {
			return h.ID, nil
		}
	}
	return 0, fault.OnField(fault.Invalid, fieldName, "registry.household.unknown_number", number)
}
