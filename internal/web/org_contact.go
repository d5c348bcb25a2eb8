package web

import (
	"net/http"
	"strconv"

	"shanzhi/internal/access"
	"shanzhi/internal/localtime"
	"shanzhi/internal/org"
	"shanzhi/internal/sheet"
)

type contactsView struct {
	Grid       *org.Grid
	Branch     *org.Org
	Rows       []org.Contact
	Households []org.GridHousehold
	Kinds      []option
	Today      string
	CanLog     bool
	Open       bool
	Error      string
	Problems   []string
}

// gridContacts lists a grid's contact logs, newest first, with overdue
// issues flagged, and the form to log a contact: the grid leader's page.
func (w *Web) gridContacts(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	w.showContacts(rw, r, a, nil)
}

func (w *Web) showContacts(rw http.ResponseWriter, r *http.Request, a *access.Actor, actErr error) {
	id, err := pathID(r, "id")
	var g *org.Grid
	if err == nil {
		g, err = w.Org.Grid(r.Context(), a, id)
	}
	d := &contactsView{Grid: g, Open: r.URL.Query().Get("open") == "1", Today: localtime.Day(w.Now())}
	if err == nil {
		d.Rows, err = w.Org.Contacts(r.Context(), a, org.ContactFilter{Grid: id, Open: d.Open})
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	d.Households, d.CanLog = g.Members, a.CanGrid(access.GridContact, g.Village, g.ID)
	v := w.newView(r, "org.page.contacts", "grids")
	v.Title = g.Name + " " + v.T("org.page.contacts")
	v.Crumbs = gridCrumbs(v, g.ID, g.Name, "org.page.contacts")
	for _, k := range org.ContactKinds {
		d.Kinds = append(d.Kinds, option{Value: string(k), Label: v.T("org.contact_kind." + string(k))})
	}
	status, msg, problems := refusal(v, actErr, "org.field.")
	d.Error, d.Problems = msg, problems
	v.Data = d
	w.render(rw, status, "org_contacts", v)
}

// gridContactLog logs a contact; from a party member's phone page it goes
// back there.
func (w *Web) gridContactLog(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	id, err := pathID(r, "id")
	if err == nil {
		_, err = w.Org.LogContact(r.Context(), a, id, org.ContactInput{Household: formID(r, "household"), Kind: org.ContactKind(r.FormValue("kind")),
			Date: r.FormValue("date"), Summary: r.FormValue("summary"), Issue: r.FormValue("issue"), Due: r.FormValue("due")})
	}
	back := "/grids/" + strconv.FormatInt(id, 10) + "/contacts"
	if m := formID(r, "member"); m != 0 {
		back = "/grids/" + strconv.FormatInt(id, 10) + "/members?member=" + strconv.FormatInt(m, 10)
		w.afterAct(rw, r, err, back, "saved", func(err error) { w.showMemberPage(rw, r, a, err) })
		return
	}
	w.afterAct(rw, r, err, back, "saved", func(err error) { w.showContacts(rw, r, a, err) })
}

type contactView struct {
	C        *org.Contact
	Error    string
	Problems []string
}

// contactShow is one contact with its issue's way up the chain and, for
// whoever may act at the level it sits, the forms to escalate or close.
func (w *Web) contactShow(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	w.showContact(rw, r, a, nil)
}

func (w *Web) showContact(rw http.ResponseWriter, r *http.Request, a *access.Actor, actErr error) {
	id, err := pathID(r, "id")
	var c *org.Contact
	if err == nil {
		c, err = w.Org.Contact(r.Context(), a, id)
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "org.page.contact", "grids")
	v.Crumbs = []crumb{{Label: v.T("org.page.grids"), Href: "/grids"}, {Label: c.GridName, Href: "/grids/" + strconv.FormatInt(c.Grid, 10) + "/contacts"}, {Label: c.HouseholdNo}}
	d := &contactView{C: c}
	status, msg, problems := refusal(v, actErr, "org.field.")
	d.Error, d.Problems = msg, problems
	v.Data = d
	w.render(rw, status, "org_contact", v)
}

// contactAct escalates or closes the issue of the path.
func (w *Web) contactAct(escalate bool) func(http.ResponseWriter, *http.Request, *access.Actor) {
	return func(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
		id, err := pathID(r, "id")
		if err == nil {
			if escalate {
				_, err = w.Org.Escalate(r.Context(), a, id, r.FormValue("note"), r.FormValue("due"))
			} else {
				_, err = w.Org.CloseContact(r.Context(), a, id, r.FormValue("note"))
			}
		}
		w.afterAct(rw, r, err, "/contacts/"+strconv.FormatInt(id, 10), "saved", func(err error) { w.showContact(rw, r, a, err) })
	}
}

// orgContacts is the branch's page: the issues that climbed to it from
// the grids of its region, open ones first by default, with their due
// dates; its secretary closes them here.
func (w *Web) orgContacts(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	id, err := pathID(r, "id")
	var o *org.Org
	if err == nil {
		o, err = w.Org.Org(r.Context(), a, id)
	}
	d := &contactsView{Branch: o, Open: r.URL.Query().Get("all") != "1", Today: localtime.Day(w.Now())}
	if err == nil {
		d.Rows, err = w.Org.Contacts(r.Context(), a, org.ContactFilter{Branch: id, Open: d.Open})
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "org.page.branch_contacts", "org")
	v.Title = o.Name + " " + v.T("org.page.branch_contacts")
	v.Crumbs = []crumb{{Label: v.T("org.page.orgs"), Href: "/org/orgs"}, {Label: o.Name, Href: "/org/orgs/" + strconv.FormatInt(o.ID, 10)}, {Label: v.T("org.page.branch_contacts")}}
	v.Data = d
	w.render(rw, http.StatusOK, "org_contacts", v)
}

// gridContactsExport sends a grid's contact logs (联系记录台账).
func (w *Web) gridContactsExport(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	id, err := pathID(r, "id")
	var g *org.Grid
	var list []org.Contact
	if err == nil {
		g, err = w.Org.Grid(r.Context(), a, id)
	}
	if err == nil {
		list, err = w.Org.Contacts(r.Context(), a, org.ContactFilter{Grid: id})
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	zh := langOf(r)
	cols := []sheet.Column{{Header: "序号", Kind: sheet.Int}, {Header: "日期", Width: 12}, {Header: "户号"}, {Header: "户主"}, {Header: "联系党员"}, {Header: "方式"},
		{Header: "联系内容", Width: 24}, {Header: "反映问题", Width: 24}, {Header: "状态"}, {Header: "所在层级"}, {Header: "办理期限", Width: 12}, {Header: "是否逾期"}, {Header: "办结说明", Width: 24}}
	rows := make([][]any, len(list))
	for i, c := range list {
		overdue := ""
		if c.Overdue {
			overdue = "是"
		}
		rows[i] = []any{i + 1, c.Date, c.HouseholdNo, c.Head, c.MemberName, w.Catalog.T(zh, "org.contact_kind."+string(c.Kind)), c.Summary, c.Issue,
			w.Catalog.T(zh, "org.contact_status."+string(c.Status)), w.Catalog.T(zh, "org.level."+string(c.Level)), c.Due, overdue, c.ClosedNote}
	}
	w.sendSheet(rw, r, sheet.Table{Title: "联系记录台账", Unit: g.VillageName + g.Name, Date: w.Now(), Columns: cols}, g.VillageName+g.Name+"联系记录", "grid-contacts.xlsx", rows)
}

// gridNetExport sends a grid's linkage net as its office lists it: the
// grid's rows of the 网格户籍对照表 with the party-group leader beside them.
func (w *Web) gridNetExport(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	id, err := pathID(r, "id")
	var g *org.Grid
	var n *org.Net
	if err == nil {
		g, err = w.Org.Grid(r.Context(), a, id)
	}
	if err == nil {
		n, err = w.Org.Net(r.Context(), a, id)
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	rows := netRows(*g, n)
	for i := range rows {
		rows[i][0] = i + 1
		rows[i] = append(rows[i], n.LeaderName)
	}
	cols := []sheet.Column{{Header: "序号", Kind: sheet.Int}, {Header: "嘎查村（社区）", Width: 14}, {Header: "网格", Width: 14}, {Header: "户号"}, {Header: "户主"}, {Header: "住址", Width: 24},
		{Header: "联系党员"}, {Header: "党员中心户"}, {Header: "党小组组长"}}
	w.sendSheet(rw, r, sheet.Table{Title: "全网通联系网", Unit: g.VillageName + g.Name, Date: w.Now(), Columns: cols}, g.Name+"联系网", "grid-net.xlsx", rows)
}
