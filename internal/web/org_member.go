package web

import (
	"net/http"
	"strconv"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/org"
	"shanzhi/internal/sheet"
)

type rosterView struct {
	O         *org.Org
	Rows      []org.Member
	CanManage bool
}

// orgRoster is a branch's roster of members (党员花名册), masked, which
// prints on A4 and exports to Excel.
func (w *Web) orgRoster(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	o, rows, err := w.roster(r, a)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "org.page.roster", "org")
	v.Title = o.Name + v.T("org.page.roster")
	v.Crumbs = []crumb{{Label: v.T("org.nav"), Href: "/org/orgs"}, {Label: o.Name, Href: "/org/orgs/" + strconv.FormatInt(o.ID, 10)}, {Label: v.T("org.page.roster")}}
	v.Data = &rosterView{O: o, Rows: rows, CanManage: o.Status == org.Active && o.Kind.HoldsMembers() && a.Can(access.OrgManage, o.Home)}
	w.render(rw, http.StatusOK, "org_roster", v)
}

func (w *Web) roster(r *http.Request, a *access.Actor) (*org.Org, []org.Member, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, nil, err
	}
	o, err := w.Org.Org(r.Context(), a, id)
	if err != nil {
		return nil, nil, err
	}
	rows, err := w.Org.Members(r.Context(), a, id)
	return o, rows, err
}

// orgRosterExport sends the roster as the office's Excel 台账, masked.
func (w *Web) orgRosterExport(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	o, rows, err := w.roster(r, a)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	cols := []sheet.Column{{Header: "序号", Kind: sheet.Int}, {Header: "姓名"}, {Header: "性别"}, {Header: "身份证号", Width: 20}, {Header: "手机号", Width: 14},
		{Header: "申请入党日期", Width: 12}, {Header: "成为预备党员日期", Width: 12}, {Header: "转正日期", Width: 12}, {Header: "党员类别"}, {Header: "组织关系转接", Width: 20}}
	out := make([][]any, len(rows))
	for i, m := range rows {
		moving := ""
		if m.Pending != nil {
			moving = "转往" + m.Pending.ToName + "（" + m.Pending.Sent + "）"
		}
		out[i] = []any{i + 1, m.Name, m.Gender, m.IDMasked, m.PhoneMasked, m.Applied, m.Probation, m.Full, w.Catalog.T(langOf(r), "org.standing."+string(m.Standing)), moving}
	}
	w.sendSheet(rw, r, sheet.Table{Title: "党员花名册", Unit: o.Name, Date: w.Now(), Columns: cols}, o.Name+"党员花名册", "party-roster.xlsx", out)
}

// orgMemberNew records a member of the branch of the path.
func (w *Web) orgMemberNew(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	id, err := pathID(r, "id")
	var o *org.Org
	if err == nil {
		o, err = w.Org.Org(r.Context(), a, id)
	}
	if err == nil && !a.Can(access.OrgManage, o.Home) {
		err = fault.E(fault.Forbidden, "error.forbidden")
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "org.page.member_new", "org")
	back := "/org/orgs/" + strconv.FormatInt(id, 10) + "/roster"
	v.Crumbs = []crumb{{Label: o.Name, Href: back}, {Label: v.T("org.page.member_new")}}
	f := memberForm(r, v, back, org.Member{}, w.workUnitOptions(r, a, o.Home))
	f.Intro = v.T("org.intro.member_new", o.Name)
	if r.Method != http.MethodPost {
		w.showForm(rw, v, f)
		return
	}
	in := memberInput(r)
	in.Branch = id
	m, err := w.Org.CreateMember(r.Context(), a, in)
	if err != nil {
		w.formOrFail(rw, r, v, f, err)
		return
	}
	seeOther(rw, r, "/org/members/"+strconv.FormatInt(m.ID, 10), "saved")
}

// memberForm is the form of a member, new or corrected; the ID number and
// phone on file are never put back in clear, only named masked.
func memberForm(r *http.Request, v *view, back string, m org.Member, units []option) *form {
	val := func(k, def string) string {
		if r.Method == http.MethodPost {
			return r.FormValue(k)
		}
		return def
	}
	resident, unit := "", ""
	if m.WorkUnit != 0 {
		unit = strconv.FormatInt(m.WorkUnit, 10)
	}
	if m.Resident != 0 {
		resident = strconv.FormatInt(m.Resident, 10)
	}
	idHelp, phoneHelp := v.T("org.help.id_number"), ""
	if m.IDMasked != "" {
		idHelp = v.T("org.help.keep_sealed", m.IDMasked)
	}
	if m.PhoneMasked != "" {
		phoneHelp = v.T("org.help.keep_sealed", m.PhoneMasked)
	}
	return &form{Action: r.URL.Path, Submit: v.T("action.save"), Cancel: back, Fields: []field{
		{Name: "name", Label: v.T("org.field.member_name"), Type: "text", Value: val("name", m.Name), Required: true, MaxLen: 30},
		{Name: "gender", Label: v.T("org.field.gender"), Type: "select", Value: val("gender", m.Gender), Options: opts([]string{"", "男", "女"})},
		{Name: "id_number", Label: v.T("org.field.id_number"), Type: "text", Value: r.FormValue("id_number"), MaxLen: 18, Help: idHelp},
		{Name: "phone", Label: v.T("org.field.phone"), Type: "tel", Value: r.FormValue("phone"), InputMode: "tel", MaxLen: 20, Help: phoneHelp},
		{Name: "resident", Label: v.T("org.field.resident"), Type: "text", Value: val("resident", resident), InputMode: "numeric", Help: v.T("org.help.resident")},
		{Name: "applied", Label: v.T("org.field.applied"), Type: "date", Value: val("applied", m.Applied)},
		{Name: "probation", Label: v.T("org.field.probation"), Type: "date", Value: val("probation", m.Probation), Required: true},
		{Name: "full", Label: v.T("org.field.full"), Type: "date", Value: val("full", m.Full)},
		{Name: "ethnicity", Label: v.T("org.field.ethnicity"), Type: "text", Value: val("ethnicity", m.Ethnicity), MaxLen: 30},
		{Name: "birth", Label: v.T("org.field.birth"), Type: "date", Value: val("birth", m.Birth)},
		{Name: "education", Label: v.T("org.field.education"), Type: "text", Value: val("education", m.Education), MaxLen: 30},
		{Name: "job", Label: v.T("org.field.job"), Type: "text", Value: val("job", m.Job), MaxLen: 30},
		{Name: "work_unit", Label: v.T("org.field.work_unit"), Type: "select", Value: val("work_unit", unit), Options: units, Help: v.T("org.help.work_unit")},
		{Name: "residence", Label: v.T("org.field.residence"), Type: "text", Value: val("residence", m.Residence), MaxLen: 200},
	}}
}

func memberInput(r *http.Request) org.MemberInput {
	return org.MemberInput{Resident: formID(r, "resident"), Name: r.FormValue("name"), Gender: r.FormValue("gender"), IDNumber: r.FormValue("id_number"),
		Phone: r.FormValue("phone"), Applied: r.FormValue("applied"), Probation: r.FormValue("probation"), Full: r.FormValue("full"),
		Ethnicity: r.FormValue("ethnicity"), Birth: r.FormValue("birth"), Education: r.FormValue("education"), Job: r.FormValue("job"),
		Residence: r.FormValue("residence"), WorkUnit: formID(r, "work_unit")}
}

// workUnitOptions are the units a member of a branch at home may work in:
// those of the region the actor manages there, "none" first.
func (w *Web) workUnitOptions(r *http.Request, a *access.Actor, home string) []option {
	out := []option{{Value: "", Label: "—"}}
	scope := home
	if s := a.Scopes(access.OrgManage); len(s) > 0 {
		scope = s[0]
	}
	list, _, _ := w.Org.Units(r.Context(), a, org.UnitFilter{Region: scope, Limit: 500})
	for _, u := range list {
		out = append(out, option{Value: strconv.FormatInt(u.ID, 10), Label: u.Name})
	}
	return out
}

// orgMemberEdit corrects a member and records their dates, 转正 among them.
func (w *Web) orgMemberEdit(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	id, err := pathID(r, "id")
	var m *org.Member
	if err == nil {
		m, err = w.Org.Member(r.Context(), a, id)
	}
	if err == nil && !a.Can(access.OrgManage, m.Home) {
		err = fault.E(fault.Forbidden, "error.forbidden")
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	back := "/org/members/" + strconv.FormatInt(id, 10)
	v := w.newView(r, "org.page.member_edit", "org")
	v.Crumbs = []crumb{{Label: m.Name, Href: back}, {Label: v.T("org.page.member_edit")}}
	f := memberForm(r, v, back, *m, w.workUnitOptions(r, a, m.Home))
	if r.Method != http.MethodPost {
		w.showForm(rw, v, f)
		return
	}
	if _, err := w.Org.UpdateMember(r.Context(), a, id, memberInput(r)); err != nil {
		w.formOrFail(rw, r, v, f, err)
		return
	}
	seeOther(rw, r, back, "saved")
}

type memberView struct {
	M          *org.Member
	CanManage  bool // send the membership elsewhere
	CanReceive bool // take in a transfer on its way to one's branch
	Branches   []option
	Error      string
	Problems   []string
}

func (w *Web) orgMember(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	w.showMember(rw, r, a, nil)
}

// showMember draws a member with their transfers, and the transfer form
// for the sending side or the receive button for the receiving one.
func (w *Web) showMember(rw http.ResponseWriter, r *http.Request, a *access.Actor, actErr error) {
	id, err := pathID(r, "id")
	var m *org.Member
	if err == nil {
		m, err = w.Org.Member(r.Context(), a, id)
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "org.page.member", "org")
	v.Title = m.Name
	v.Crumbs = []crumb{{Label: v.T("org.nav"), Href: "/org/orgs"}, {Label: m.BranchName, Href: "/org/orgs/" + strconv.FormatInt(m.Branch, 10) + "/roster"}, {Label: m.Name}}
	d := &memberView{M: m, CanManage: m.Pending == nil && a.Can(access.OrgManage, m.Home), CanReceive: m.Pending != nil && a.Can(access.OrgManage, m.Pending.ToHome)}
	if d.CanManage {
		for _, s := range a.Scopes(access.OrgRead) {
			list, _ := w.Org.Orgs(r.Context(), a, org.OrgFilter{Region: s})
			for _, o := range list {
				if o.ID != m.Branch && o.Kind.HoldsMembers() {
					d.Branches = append(d.Branches, option{Value: strconv.FormatInt(o.ID, 10), Label: o.Name})
				}
			}
		}
	}
	status, msg, problems := refusal(v, actErr, "org.field.")
	d.Error, d.Problems = msg, problems
	v.Data = d
	w.render(rw, status, "org_member", v)
}

// orgMemberMove sends a member's membership to another branch, or takes
// it in at the receiving one.
func (w *Web) orgMemberMove(receive bool) func(http.ResponseWriter, *http.Request, *access.Actor) {
	return func(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
		id, err := pathID(r, "id")
		if err == nil {
			if receive {
				_, err = w.Org.Receive(r.Context(), a, id, r.FormValue("date"))
			} else {
				_, err = w.Org.Transfer(r.Context(), a, id, formID(r, "to"), r.FormValue("date"))
			}
		}
		w.afterAct(rw, r, err, "/org/members/"+strconv.FormatInt(id, 10), "saved", func(err error) { w.showMember(rw, r, a, err) })
	}
}
