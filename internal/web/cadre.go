package web

import (
	"net/http"
	"strconv"
	"strings"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/localtime"
	"shanzhi/internal/org"
	"shanzhi/internal/training"
)

type cadresView struct {
	Region, RegionName string
	Filter             org.CadreFilter
	Units, Ranks       []option
	Rows               []org.Cadre
	Total              int
	CanManage          bool
}

// rankOptions are the ranks of the department's list, "" first when blank
// is set (a filter's "all").
func (w *Web) rankOptions(r *http.Request, a *access.Actor, blank string) ([]option, error) {
	ranks, err := w.Cadres.Ranks(r.Context(), a)
	out := []option{}
	if blank != "" {
		out = append(out, option{Label: blank})
	}
	for _, k := range ranks {
		out = append(out, option{Value: k.Code, Label: k.Name})
	}
	return out, err
}

// unitOptions are the units of scope a cadre's post may be in, after a
// first option for a post in a region.
func (w *Web) unitOptions(r *http.Request, a *access.Actor, scope, none string) []option {
	out := []option{{Label: none}}
	units, _, _ := w.Org.Units(r.Context(), a, org.UnitFilter{Region: scope, Limit: 500})
	for _, u := range units {
		out = append(out, option{Value: strconv.FormatInt(u.ID, 10), Label: u.Name})
	}
	return out
}

// orgCadres lists the cadres of a region, filtered by unit, rank, sector
// and name; those who have left on request.
func (w *Web) orgCadres(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	code, err := talentRegion(r, a, access.OrgRead)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	q := r.URL.Query()
	unit, _ := strconv.ParseInt(q.Get("unit"), 10, 64)
	v := w.newView(r, "cadre.page.list", "org")
	d := &cadresView{Region: code, CanManage: a.Can(access.OrgManage, code),
		Filter: org.CadreFilter{Region: code, Unit: unit, Rank: q.Get("rank"), Sector: strings.TrimSpace(q.Get("sector")), Query: strings.TrimSpace(q.Get("q")), Former: q.Get("former") == "1", Limit: 500}}
	d.Units = w.unitOptions(r, a, code, v.T("list.all"))
	if d.Ranks, err = w.rankOptions(r, a, v.T("list.all")); err == nil {
		if d.RegionName, err = w.regionTitle(r, a, code); err == nil {
			d.Rows, d.Total, err = w.Cadres.Cadres(r.Context(), a, d.Filter)
		}
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v.Crumbs = []crumb{{Label: v.T("org.nav"), Href: "/org/orgs"}, {Label: v.T("cadre.page.list")}}
	v.Data = d
	w.render(rw, http.StatusOK, "org_cadres", v)
}

// cadreForm is the form of a cadre, new or corrected; the ID number and
// phone on file are never put back in clear.
func (w *Web) cadreForm(r *http.Request, a *access.Actor, v *view, scope, back string, c org.Cadre) (*form, error) {
	val := func(k, def string) string {
		if r.Method == http.MethodPost {
			return r.FormValue(k)
		}
		return def
	}
	ranks, err := w.rankOptions(r, a, "")
	if err != nil {
		return nil, err
	}
	unit, resident := "", ""
	if c.Unit != 0 {
		unit = strconv.FormatInt(c.Unit, 10)
	}
	if c.Resident != 0 {
		resident = strconv.FormatInt(c.Resident, 10)
	}
	idHelp, phoneHelp := v.T("org.help.id_number"), ""
	if c.IDMasked != "" {
		idHelp = v.T("org.help.keep_sealed", c.IDMasked)
	}
	if c.PhoneMasked != "" {
		phoneHelp = v.T("org.help.keep_sealed", c.PhoneMasked)
	}
	return &form{Action: r.URL.RequestURI(), Submit: v.T("action.save"), Cancel: back, Fields: []field{
		{Name: "name", Label: v.T("org.field.member_name"), Type: "text", Value: val("name", c.Name), Required: true, MaxLen: 30},
		{Name: "gender", Label: v.T("org.field.gender"), Type: "select", Value: val("gender", c.Gender), Options: opts([]string{"", "男", "女"})},
		{Name: "unit", Label: v.T("cadre.field.unit"), Type: "select", Value: val("unit", unit), Options: w.unitOptions(r, a, scope, v.T("cadre.field.no_unit")), Help: v.T("cadre.help.unit")},
		{Name: "region", Label: v.T("org.field.region"), Type: "select", Value: val("region", c.Region), Options: w.orgRegionOptions(r, a, scope)},
		{Name: "post", Label: v.T("org.field.post"), Type: "text", Value: val("post", c.Post), Required: true, MaxLen: org.MaxName},
		{Name: "rank", Label: v.T("cadre.field.rank"), Type: "select", Value: val("rank", c.Rank), Options: ranks, Required: true},
		{Name: "sector", Label: v.T("cadre.field.sector"), Type: "text", Value: val("sector", c.Sector), MaxLen: 20, Help: v.T("cadre.help.sector")},
		{Name: "appointed", Label: v.T("cadre.field.appointed"), Type: "date", Value: val("appointed", c.Appointed), Required: true},
		{Name: "id_number", Label: v.T("org.field.id_number"), Type: "text", Value: r.FormValue("id_number"), MaxLen: 18, Help: idHelp},
		{Name: "phone", Label: v.T("org.field.phone"), Type: "tel", Value: r.FormValue("phone"), InputMode: "tel", MaxLen: 20, Help: phoneHelp},
		{Name: "username", Label: v.T("cadre.field.username"), Type: "text", Value: val("username", c.Username), MaxLen: 60, Help: v.T("cadre.help.username")},
		{Name: "resident", Label: v.T("org.field.resident"), Type: "text", Value: val("resident", resident), InputMode: "numeric", Help: v.T("org.help.resident")},
	}}, nil
}

func cadreInput(r *http.Request) org.CadreInput {
	return org.CadreInput{Unit: formID(r, "unit"), Region: r.FormValue("region"), Name: r.FormValue("name"), Gender: r.FormValue("gender"),
		IDNumber: r.FormValue("id_number"), Phone: r.FormValue("phone"), Post: r.FormValue("post"), Rank: r.FormValue("rank"),
		Sector: r.FormValue("sector"), Appointed: r.FormValue("appointed"), Username: r.FormValue("username"), Resident: formID(r, "resident")}
}

// orgCadreNew records a cadre.
func (w *Web) orgCadreNew(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	code, err := talentRegion(r, a, access.OrgManage)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	back := "/org/cadres?region=" + code
	v := w.newView(r, "cadre.page.new", "org")
	v.Crumbs = []crumb{{Label: v.T("cadre.page.list"), Href: back}, {Label: v.T("cadre.page.new")}}
	r.ParseForm()
	f, err := w.cadreForm(r, a, v, code, back, org.Cadre{CadreInput: org.CadreInput{Region: code}})
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	if r.Method != http.MethodPost {
		w.showForm(rw, v, f)
		return
	}
	c, err := w.Cadres.CreateCadre(r.Context(), a, cadreInput(r))
	if err != nil {
		w.formOrFail(rw, r, v, f, err)
		return
	}
	seeOther(rw, r, "/org/cadres/"+strconv.FormatInt(c.ID, 10), "saved")
}

// orgCadreEdit corrects a cadre.
func (w *Web) orgCadreEdit(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	id, err := pathID(r, "id")
	var c *org.Cadre
	if err == nil {
		c, err = w.Cadres.Cadre(r.Context(), a, id)
	}
	if err == nil && !a.Can(access.OrgManage, c.Region) {
		err = fault.E(fault.Forbidden, "error.forbidden")
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	back := "/org/cadres/" + strconv.FormatInt(id, 10)
	v := w.newView(r, "cadre.page.edit", "org")
	v.Crumbs = []crumb{{Label: c.Name, Href: back}, {Label: v.T("cadre.page.edit")}}
	scope := c.Region
	if s := a.Scopes(access.OrgManage); len(s) > 0 {
		scope = s[0]
	}
	r.ParseForm()
	f, err := w.cadreForm(r, a, v, scope, back, *c)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	if r.Method != http.MethodPost {
		w.showForm(rw, v, f)
		return
	}
	if _, err := w.Cadres.UpdateCadre(r.Context(), a, id, cadreInput(r)); err != nil {
		w.formOrFail(rw, r, v, f, err)
		return
	}
	seeOther(rw, r, back, "saved")
}

type cadreView struct {
	C     *org.Cadre
	Hours *training.YearHours // this year's training hours against the rank's
	// FilePart is the 参训档案, year by year.
	FilePart filePart
	// Certificates are the cadre's training certificates, revoked ones
	// too, for who reads the programme.
	Certificates []training.Certificate
	CanManage    bool
	Successors   []option
	Reasons      []string
	Leaving      *org.Leaving
	Error        string
	Problems     []string
}

func (w *Web) orgCadre(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	w.showCadre(rw, r, a, nil, nil)
}

// showCadre draws a cadre's page: their post and, while they hold it, the
// form recording their leaving with the successor to hand over to.
func (w *Web) showCadre(rw http.ResponseWriter, r *http.Request, a *access.Actor, left *org.Leaving, actErr error) {
	id, err := pathID(r, "id")
	var c *org.Cadre
	if err == nil {
		c, err = w.Cadres.Cadre(r.Context(), a, id)
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "cadre.page.file", "org")
	v.Title = c.Name + " " + v.T("cadre.page.file")
	v.Crumbs = []crumb{{Label: v.T("cadre.page.list"), Href: "/org/cadres?region=" + c.Region}, {Label: c.Name}}
	d := &cadreView{C: c, CanManage: c.Left == "" && a.Can(access.OrgManage, c.Region), Reasons: org.LeaveReasons, Leaving: left}
	file, err := w.Training.CadreFile(r.Context(), a, c.ID)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	d.FilePart = filePart{V: v, F: file, Staff: true}
	this := file.Year(localtime.Day(w.Now())[:4]).YearHours
	d.Hours = &this
	if training.CanRead(a, c.Region) {
		if d.Certificates, err = w.Training.CadreCertificates(r.Context(), a, c.ID); err != nil {
			w.fail(rw, r, err)
			return
		}
	}
	if d.CanManage {
		d.Successors = []option{{Label: v.T("cadre.field.no_successor")}}
		list, _, _ := w.Cadres.Cadres(r.Context(), a, org.CadreFilter{Region: c.Region, Limit: 500})
		for _, s := range list {
			if s.ID != c.ID {
				d.Successors = append(d.Successors, option{Value: strconv.FormatInt(s.ID, 10), Label: s.Name + "（" + s.Post + "）"})
			}
		}
	}
	status, msg, problems := refusal(v, actErr, "cadre.field.")
	d.Error, d.Problems = msg, problems
	v.Data = d
	w.render(rw, status, "org_cadre", v)
}

// orgCadreLeave records a cadre's leaving and shows what it ended and
// handed over.
func (w *Web) orgCadreLeave(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	id, err := pathID(r, "id")
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	res, err := w.Cadres.Leave(r.Context(), a, id, org.LeaveInput{Date: r.FormValue("date"), Reason: r.FormValue("reason"),
		Successor: formID(r, "successor"), HandOver: r.FormValue("hand_over") == "1"})
	switch c := fault.CodeOf(err); {
	case err == nil:
		w.showCadre(rw, r, a, res, nil)
	case c == fault.Invalid || c == fault.Conflict || c == fault.Forbidden:
		w.showCadre(rw, r, a, nil, err)
	default:
		w.fail(rw, r, err)
	}
}

// orgRanks lists the ranks with their yearly hours, and lets the
// organisation department add or change one.
func (w *Web) orgRanks(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	v := w.newView(r, "cadre.page.ranks", "org")
	v.Crumbs = []crumb{{Label: v.T("cadre.page.list"), Href: "/org/cadres"}, {Label: v.T("cadre.page.ranks")}}
	ranks, err := w.Cadres.Ranks(r.Context(), a)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	f := &form{Action: "/org/ranks", Submit: v.T("action.save"), Intro: v.T("cadre.help.ranks"), Fields: []field{
		{Name: "code", Label: v.T("cadre.field.rank_code"), Type: "text", Value: r.FormValue("code"), Required: true, MaxLen: 20},
		{Name: "name", Label: v.T("cadre.field.rank"), Type: "text", Value: r.FormValue("name"), Required: true, MaxLen: 20},
		{Name: "hours", Label: v.T("cadre.field.hours"), Type: "text", Value: r.FormValue("hours"), InputMode: "numeric", Required: true},
		{Name: "position", Label: v.T("cadre.field.position"), Type: "text", Value: r.FormValue("position"), InputMode: "numeric"},
	}}
	if r.Method == http.MethodPost {
		hours, herr := strconv.Atoi(strings.TrimSpace(r.FormValue("hours")))
		pos, _ := strconv.Atoi(strings.TrimSpace(r.FormValue("position")))
		if herr != nil {
			hours = -1
		}
		if _, err = w.Cadres.SaveRank(r.Context(), a, org.Rank{Code: r.FormValue("code"), Name: r.FormValue("name"), Hours: hours, Position: pos}); err == nil {
			seeOther(rw, r, "/org/ranks", "saved")
			return
		}
		if !v.applyError(f, err) {
			w.fail(rw, r, err)
			return
		}
		ranks, _ = w.Cadres.Ranks(r.Context(), a)
	}
	status := http.StatusOK
	if f.Error != "" {
		status = http.StatusUnprocessableEntity
	}
	v.Data = struct {
		Ranks     []org.Rank
		Form      *form
		CanManage bool
	}{ranks, f, a.CanAnywhere(access.OrgManage)}
	w.render(rw, status, "org_ranks", v)
}
