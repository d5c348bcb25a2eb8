package web

import (
	"errors"
	"net/http"
	"strconv"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/honour"
	"shanzhi/internal/regioncode"
)

type privilegesPage struct {
	Region, RegionName string
	Privileges         []honour.Privilege
	CanManage          bool
}

// privileges lists the catalogue of a region's township.
func (w *Web) privileges(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	code, err := talentRegion(r, a, access.RegistryRead)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	d := &privilegesPage{Region: code, CanManage: a.Can(access.HonourManage, code) && regioncode.LevelOf(code) == regioncode.Township}
	if d.RegionName, err = w.regionTitle(r, a, code); err == nil {
		d.Privileges, err = w.Privileges.Privileges(r.Context(), a, code)
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "privilege.page.list", "privileges")
	v.Data = d
	w.render(rw, http.StatusOK, "privileges", v)
}

// privilegeNew adds a privilege to a township's catalogue.
func (w *Web) privilegeNew(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	code, err := talentRegion(r, a, access.HonourManage)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "privilege.page.new", "privileges")
	v.Crumbs = []crumb{{Label: v.T("privilege.page.list"), Href: "/privileges?region=" + code}, {Label: v.T("privilege.page.new")}}
	val := func(k, def string) string {
		if r.Method == http.MethodPost {
			return r.FormValue(k)
		}
		return def
	}
	f := &form{Action: r.URL.RequestURI(), Submit: v.T("action.save"), Cancel: "/privileges?region=" + code, Intro: v.T("privilege.intro"), Fields: []field{
		{Name: "name", Label: v.T("privilege.field.name"), Type: "text", Value: val("name", ""), Required: true, MaxLen: honour.MaxName, Help: v.T("privilege.help.name")},
		{Name: "threshold", Label: v.T("privilege.field.threshold"), Type: "text", InputMode: "numeric", Value: val("threshold", ""), Required: true},
		{Name: "valid_days", Label: v.T("privilege.field.valid_days"), Type: "text", InputMode: "numeric", Value: val("valid_days", "365"), Required: true},
		{Name: "limit", Label: v.T("privilege.field.limit"), Type: "text", InputMode: "numeric", Value: val("limit", "1"), Required: true},
	}}
	if r.Method != http.MethodPost {
		w.showForm(rw, v, f)
		return
	}
	threshold, _ := strconv.ParseInt(r.FormValue("threshold"), 10, 64)
	days, _ := strconv.Atoi(r.FormValue("valid_days"))
	limit, _ := strconv.Atoi(r.FormValue("limit"))
	if _, err := w.Privileges.CreatePrivilege(r.Context(), a, honour.PrivilegeInput{Township: code, Name: r.FormValue("name"), Threshold: threshold, ValidDays: days, Limit: limit}); err != nil {
		w.formOrFail(rw, r, v, f, err)
		return
	}
	seeOther(rw, r, "/privileges?region="+code, "saved")
}

type householdPrivilegesPage struct {
	ID       int64
	Offers   []honour.Offer
	Grants   []honour.PrivilegeGrant
	CanGrant bool
	Error    string
}

// householdPrivileges shows what a household qualifies for and what it
// was granted; officials grant from here.
func (w *Web) householdPrivileges(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	w.privilegePage(rw, r, a, "")
}

func (w *Web) privilegePage(rw http.ResponseWriter, r *http.Request, a *access.Actor, problem string) {
	id, err := pathID(r, "id")
	d := &householdPrivilegesPage{Error: problem}
	if err == nil {
		if d.Offers, err = w.Privileges.Offers(r.Context(), a, id); err == nil {
			d.Grants, err = w.Privileges.Grants(r.Context(), a, id)
		}
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	d.ID = id
	// The store decides on the household's village when a grant comes.
	d.CanGrant = a.CanAnywhere(access.HonourManage)
	v := w.newView(r, "privilege.page.household", "households")
	v.Data = d
	status := http.StatusOK
	if problem != "" {
		status = http.StatusUnprocessableEntity
	}
	w.render(rw, status, "privilege_household", v)
}

// privilegeGrant grants a privilege from the household's page.
func (w *Web) privilegeGrant(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	id, err := pathID(r, "id")
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	p, _ := strconv.ParseInt(r.FormValue("privilege"), 10, 64)
	if _, err := w.Privileges.Grant(r.Context(), a, id, p, r.FormValue("note")); err != nil {
		var fe *fault.Error
		if errors.As(err, &fe) && (fe.Code == fault.Conflict || fe.Code == fault.Invalid) {
			w.privilegePage(rw, r, a, w.newView(r, "", "").M(fe.Msg))
			return
		}
		w.fail(rw, r, err)
		return
	}
	seeOther(rw, r, "/households/"+strconv.FormatInt(id, 10)+"/privileges", "saved")
}
