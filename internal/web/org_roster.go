package web

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/localtime"
	"shanzhi/internal/org"
	"shanzhi/internal/registry"
	"shanzhi/internal/server"
	"shanzhi/internal/sheet"
)

// memberRoutes registers the membership half of the register: the
// national roster in and out, 流动党员, 党建指导员 and 两个覆盖.
func (w *Web) memberRoutes(rt *server.Router) {
	on := func(p access.Permission, t server.Target) server.Rule { return server.Rule{Perm: p, On: t} }
	read, manage := access.OrgRead, access.OrgManage
	rt.HandleFunc("GET /org/members/import", on(manage, server.OnQuery), w.page(w.rosterImport))
	rt.HandleFunc("POST /org/members/import", on(manage, server.OnQuery), w.page(w.rosterImport))
	rt.HandleFunc("GET /org/members/import/template.xlsx", on(manage, server.OnQuery), w.page(w.rosterTemplate))
	rt.HandleFunc("GET /org/members.xlsx", on(read, server.OnQuery), w.page(w.rosterExport))
	rt.HandleFunc("GET /org/members/changes.xlsx", on(read, server.OnQuery), w.page(w.rosterChanges))
	rt.HandleFunc("POST /org/members/changes.xlsx", on(manage, server.OnQuery), w.page(w.rosterChanges))
	rt.HandleFunc("GET /org/orgs/{id}/flows", on(read, server.OnOrg), w.page(w.orgFlows))
	rt.HandleFunc("POST /org/members/{id}/flow", on(manage, server.OnMember), w.page(w.memberFlow(false)))
	rt.HandleFunc("POST /org/members/{id}/flow/end", on(manage, server.OnMember), w.page(w.memberFlow(true)))
	rt.HandleFunc("GET /org/units/{id}/instructor", on(manage, server.OnUnit), w.page(w.unitInstructor))
	rt.HandleFunc("POST /org/units/{id}/instructor", on(manage, server.OnUnit), w.page(w.unitInstructor))
	rt.HandleFunc("GET /org/coverage", on(read, server.OnQuery), w.page(w.orgCoverage))
	rt.HandleFunc("GET /org/coverage.xlsx", on(read, server.OnQuery), w.page(w.orgCoverageExport))
}

// rosterHeader is the header of the roster sheets, in the national
// export's order.
func rosterHeader() []sheet.Column {
	cols := make([]sheet.Column, len(org.RosterColumns))
	for i, c := range org.RosterColumns {
		cols[i] = sheet.Column{Header: strings.Split(c, "|")[0], Kind: sheet.Text, Width: 12}
	}
	cols[org.ColID].Width, cols[org.ColBranch].Width, cols[org.ColResidence].Width, cols[org.ColWorkUnit].Width = 20, 24, 24, 20
	return cols
}

// rosterCells is a member as a row of the national roster, masked: the
// register never hands out an ID number or phone in clear.
func rosterCells(m org.Member) []any {
	id, phone := m.IDMasked, m.PhoneMasked
	if m.IDNumber != "" || m.Phone != "" {
		id, phone = m.IDNumber, m.Phone
	}
	return []any{m.Name, m.Gender, id, m.Ethnicity, m.Birth, m.Education, m.Standing.Category(), m.BranchName, m.Probation,
		m.Full, m.Job, phone, m.Residence, m.WorkName, m.Applied}
}

// rosterExample is the template's example row.
var rosterExample = []any{"尹志勇", "男", "152221197003040013", "蒙古族", "1970-03-04", "高中", "正式党员", "中共平安村支部委员会",
	"1996-07-01", "1997-07-01", "农牧民", "13904821234", "平安村一组", "", "1995-01-01"}

// readRoster turns an uploaded national roster into import rows. What the
// sheet itself gets wrong (a category that contradicts the dates) is the
// row's problem; the store checks the rest.
func (w *Web) readRoster(name string, data []byte) ([]org.RosterRow, error) {
	var rows []org.RosterRow
	col := org.RosterColumns
	err := w.eachSheetRow(name, data, col, "org.roster.no_header", func(line int, cell func(string) string) {
		if len(rows) > org.MaxRosterRows {
			return
		}
		gender := strings.TrimSuffix(cell(col[org.ColGender]), "性")
		in := org.MemberInput{Name: cell(col[org.ColName]), Gender: gender, IDNumber: cell(col[org.ColID]), Ethnicity: cell(col[org.ColEthnicity]),
			Birth: registry.NormalizeDate(cell(col[org.ColBirth])), Education: cell(col[org.ColEducation]), Probation: registry.NormalizeDate(cell(col[org.ColProbation])),
			Full: registry.NormalizeDate(cell(col[org.ColFull])), Job: cell(col[org.ColJob]), Phone: cell(col[org.ColPhone]), Residence: cell(col[org.ColResidence]),
			Applied: registry.NormalizeDate(cell(col[org.ColApplied]))}
		if in.Name == "" && in.IDNumber == "" {
			return // a blank line between blocks
		}
		var fs fault.Fields
		switch c := cell(col[org.ColCategory]); {
		case strings.Contains(c, "预备") && in.Full != "", strings.Contains(c, "正式") && in.Full == "":
			fs.Add("category", "org.roster.category_mismatch", c)
		}
		rows = append(rows, org.RosterRow{Line: line, Input: in, Branch: cell(col[org.ColBranch]), Unit: cell(col[org.ColWorkUnit]), Err: fs.Err()})
	})
	if err != nil {
		return nil, err
	}
	if len(rows) > org.MaxRosterRows {
		return nil, fault.E(fault.Invalid, "org.roster.too_many", org.MaxRosterRows)
	}
	return rows, nil
}

// maxShownRows bounds the refused rows an import page lists; the counts
// cover every row.
const maxShownRows = 500

type rosterImportView struct {
	Region  string
	Rows    []talentImportLine
	Sum     org.RosterSummary
	Error   string
	Done    bool // committed
	Checked bool // a preview with nothing refused
	Today   string
}

// rosterImport takes in the 党员花名册 the national party-member system
// exports: 检查 checks every row and shows what an import would do (new,
// changed, unchanged) and the refused rows with their problems; 导入
// writes the rows that pass and lists the rest, to be corrected there and
// sent again.
func (w *Web) rosterImport(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	region, err := talentRegion(r, a, access.OrgManage)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "org.page.roster_import", "org")
	v.Crumbs = []crumb{{Label: v.T("org.nav"), Href: "/org/orgs?region=" + region}, {Label: v.T("org.page.roster_import")}}
	d := &rosterImportView{Region: region, Today: localtime.Day(w.Now())}
	v.Data = d
	if r.Method != http.MethodPost {
		w.render(rw, http.StatusOK, "org_roster_import", v)
		return
	}
	name, data, err := w.upload(r)
	var rows []org.RosterRow
	if err == nil {
		rows, err = w.readRoster(name, data)
	}
	if err == nil && len(rows) == 0 {
		err = fault.OnField(fault.Invalid, "file", "org.import.empty")
	}
	commit := r.FormValue("mode") == "import"
	if err == nil {
		_, d.Sum, err = w.Org.ImportRoster(r.Context(), a, region, rows, commit)
	}
	for _, x := range rows {
		if x.Err == nil {
			continue
		}
		if len(d.Rows) < maxShownRows {
			_, msg, lines := refusal(v, x.Err, "org.field.")
			if len(lines) > 0 {
				msg = strings.Join(lines, "；")
			}
			d.Rows = append(d.Rows, talentImportLine{Line: x.Line, Name: x.Input.Name, Problem: msg})
		}
	}
	status := http.StatusOK
	switch {
	case err != nil:
		status, d.Error, _ = refusal(v, err, "org.field.")
	case d.Sum.Refused > 0:
		status, d.Error, d.Done = http.StatusUnprocessableEntity, v.T("org.import.problems", d.Sum.Refused), commit
	default:
		d.Done, d.Checked = commit, !commit
	}
	w.render(rw, status, "org_roster_import", v)
}

// rosterTemplate sends the national roster's shape with one example row.
func (w *Web) rosterTemplate(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	if _, err := talentRegion(r, a, access.OrgManage); err != nil {
		w.fail(rw, r, err)
		return
	}
	w.sendSheet(rw, r, sheet.Table{Title: "党员花名册", Columns: rosterHeader()}, "党员花名册导入模板", "party-roster-template.xlsx", [][]any{rosterExample})
}

// rosterExport sends the 党员花名册 of a region in the national shape,
// masked, written page by page so a league's roster never sits in memory
// as rows.
func (w *Web) rosterExport(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	code, err := talentRegion(r, a, access.OrgRead)
	var name string
	if err == nil {
		name, err = w.regionTitle(r, a, code)
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	var buf bytes.Buffer
	xw, err := sheet.NewWriter(&buf, sheet.Table{Title: "党员花名册", Unit: name, Date: w.Now(), Columns: rosterHeader()})
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	for after := int64(0); ; {
		page, err := w.Org.MemberPage(r.Context(), a, org.MemberFilter{Region: code, After: after, Limit: 1000})
		if err == nil {
			for _, m := range page {
				if err = xw.Write(rosterCells(m)...); err != nil {
					break
				}
			}
		}
		if err != nil {
			xw.Discard()
			w.fail(rw, r, err)
			return
		}
		if len(page) < 1000 {
			break
		}
		after = page[len(page)-1].ID
	}
	if err := xw.Close(); err != nil {
		w.fail(rw, r, err)
		return
	}
	attachment(rw, name+"党员花名册.xlsx", "party-roster.xlsx")
	rw.Write(buf.Bytes())
}

// rosterChanges sends the changes since a date in the national roster's
// shape, each row led by its kind (新增 / 变更 / 转入 / 转出), for the
// officials who keep the national system up to date.
// A POST with a reason is the full export, ID numbers and phones whole,
// which the national system needs to match its members.
func (w *Web) rosterChanges(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	perm, reason := access.OrgRead, ""
	if r.Method == http.MethodPost {
		perm, reason = access.OrgManage, r.PostFormValue("reason")
		if strings.TrimSpace(reason) == "" {
			w.fail(rw, r, fault.OnField(fault.Invalid, "reason", "org.export_reason"))
			return
		}
	}
	code, err := talentRegion(r, a, perm)
	if err == nil && reason != "" {
		// Counted once the user is known to be allowed this export.
		err = server.Limited(w.Limits.Export, fmt.Sprint(a.UserID))
	}
	var name string
	var list []org.Change
	since := registry.NormalizeDate(r.FormValue("since"))
	if err == nil {
		if name, err = w.regionTitle(r, a, code); err == nil {
			list, err = w.Org.MemberChanges(r.Context(), a, code, since, reason)
		}
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	zh := langOf(r)
	cols := append([]sheet.Column{{Header: "变动类型"}, {Header: "变动日期", Width: 12}, {Header: "转出/转入党组织", Width: 24}}, rosterHeader()...)
	rows := make([][]any, len(list))
	for i, c := range list {
		rows[i] = append([]any{w.Catalog.T(zh, "org.change."+string(c.Kind)), c.Date, c.Other}, rosterCells(c.Member)...)
	}
	w.sendSheet(rw, r, sheet.Table{Title: "党员信息变动表（" + since + "起）", Unit: name, Date: w.Now(), Columns: cols}, name+"党员信息变动表", "party-roster-changes.xlsx", rows)
}

type flowsView struct {
	O     *org.Org
	Flows *org.Flows
}

// orgFlows lists a branch's 流动党员: its members away (流出) and those of
// other branches staying with it (流入).
func (w *Web) orgFlows(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	id, err := pathID(r, "id")
	var o *org.Org
	var f *org.Flows
	if err == nil {
		if o, err = w.Org.Org(r.Context(), a, id); err == nil {
			f, err = w.Org.Flows(r.Context(), a, id)
		}
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "org.page.flows", "org")
	v.Title = o.Name + v.T("org.page.flows")
	v.Crumbs = []crumb{{Label: v.T("org.nav"), Href: "/org/orgs"}, {Label: o.Name, Href: "/org/orgs/" + strconv.FormatInt(o.ID, 10)}, {Label: v.T("org.page.flows")}}
	v.Data = &flowsView{O: o, Flows: f}
	w.render(rw, http.StatusOK, "org_flows", v)
}

// memberFlow records a member going away (流出) with their temporary
// branch, or back.
func (w *Web) memberFlow(end bool) func(http.ResponseWriter, *http.Request, *access.Actor) {
	return func(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
		id, err := pathID(r, "id")
		if err == nil {
			if end {
				_, err = w.Org.EndFlow(r.Context(), a, id, r.FormValue("date"))
			} else {
				_, err = w.Org.StartFlow(r.Context(), a, id, org.FlowInput{TempOrg: formID(r, "temp_org"), TempName: r.FormValue("temp_name"),
					Place: r.FormValue("place"), From: registry.NormalizeDate(r.FormValue("from"))})
			}
		}
		w.afterAct(rw, r, err, "/org/members/"+strconv.FormatInt(id, 10), "saved", func(err error) { w.showMember(rw, r, a, err) })
	}
}

// unitInstructor assigns a unit its 党建指导员 from a date, or ends the
// assignment when the name is left empty; back to the unit's 两个覆盖.
func (w *Web) unitInstructor(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	id, err := pathID(r, "id")
	var u *org.Unit
	if err == nil {
		u, err = w.Org.Unit(r.Context(), a, id)
	}
	if err == nil && !a.Can(access.OrgManage, u.Region) {
		err = fault.E(fault.Forbidden, "error.forbidden")
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	back := "/org/coverage?region=" + u.Region
	v := w.newView(r, "org.page.instructor", "org")
	v.Crumbs = []crumb{{Label: v.T("org.page.coverage"), Href: back}, {Label: u.Name}}
	current := u.Instructor
	if current == "" {
		current = "—"
	}
	f := &form{Action: r.URL.Path, Submit: v.T("action.save"), Cancel: back, Intro: v.T("org.intro.instructor", u.Name, current), Fields: []field{
		{Name: "name", Label: v.T("org.field.instructor"), Type: "text", Value: r.FormValue("name"), MaxLen: 30, Help: v.T("org.help.instructor")},
		{Name: "date", Label: v.T("org.field.from"), Type: "date", Value: r.FormValue("date")},
	}}
	if r.Method != http.MethodPost {
		w.showForm(rw, v, f)
		return
	}
	if _, err := w.Org.SetInstructor(r.Context(), a, id, r.FormValue("name"), r.FormValue("date")); err != nil {
		w.formOrFail(rw, r, v, f, err)
		return
	}
	seeOther(rw, r, back, "saved")
}

type orgCoverageView struct {
	*org.Coverage
	Region string
	Kinds  []org.CoverKind
}

// coverage is 两个覆盖 for the ?region= of the request.
func (w *Web) coverage(r *http.Request, a *access.Actor) (string, *org.Coverage, error) {
	code, err := talentRegion(r, a, access.OrgRead)
	if err != nil {
		return "", nil, err
	}
	cov, err := w.Org.Coverage(r.Context(), a, code)
	return code, cov, err
}

// orgCoverage is the 两个覆盖 dashboard of a region: its 两新 units and how
// each is covered, per region below (each row drills down), with the
// gaps listed first.
func (w *Web) orgCoverage(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	code, cov, err := w.coverage(r, a)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "org.page.coverage", "org")
	v.Title = cov.Total.Name + v.T("org.page.coverage")
	v.Crumbs = []crumb{{Label: v.T("org.nav"), Href: "/org/orgs"}, {Label: v.T("org.page.coverage")}}
	v.Data = &orgCoverageView{Coverage: cov, Region: code, Kinds: org.CoverKinds}
	w.render(rw, http.StatusOK, "org_coverage", v)
}

// orgCoverageExport sends 两个覆盖 as the office files it: the rollup per
// region below, then every listed unit with its coverage.
func (w *Web) orgCoverageExport(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	_, cov, err := w.coverage(r, a)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	zh := langOf(r)
	cols := []sheet.Column{{Header: "地区", Width: 16}, {Header: "单位", Width: 24}, {Header: "统一社会信用代码", Width: 20}, {Header: "两新单位数", Kind: sheet.Int},
		{Header: "已覆盖", Kind: sheet.Int}, {Header: "覆盖方式", Width: 14}, {Header: "覆盖的党组织或党建指导员", Width: 24}, {Header: "在此工作的党员", Kind: sheet.Int},
		{Header: "未覆盖单位的党员", Kind: sheet.Int}}
	area := func(c org.CoverArea) []any {
		return []any{c.Name, "", "", c.Units, c.Covered(), "", "", c.Members, c.GapMembers}
	}
	rows := [][]any{area(cov.Total)}
	for _, c := range cov.Areas {
		rows = append(rows, area(c))
	}
	for _, u := range cov.Units {
		covered := 0
		if u.Kind != org.CoverNone {
			covered = 1
		}
		rows = append(rows, []any{u.Unit.RegionName, u.Unit.Name, u.Unit.CreditCode, 1, covered, w.Catalog.T(zh, "org.cover."+string(u.Kind)), u.By, u.Members, u.Members * (1 - covered)})
	}
	w.sendSheet(rw, r, sheet.Table{Title: "两新组织党的组织和工作覆盖情况", Unit: cov.Total.Name, Date: w.Now(), Columns: cols}, cov.Total.Name+"两个覆盖", "two-coverages.xlsx", rows)
}

// orgSplit divides an organisation: the members ticked go to the new one.
func (w *Web) orgSplit(r *http.Request, a *access.Actor, id int64) error {
	if err := r.ParseForm(); err != nil {
		return fault.E(fault.Invalid, "error.bad_request")
	}
	var members []int64
	for _, s := range r.Form["member"] {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			members = append(members, n)
		}
	}
	_, err := w.Org.Split(r.Context(), a, id, org.SplitInput{Name: r.FormValue("name"), Kind: org.Kind(r.FormValue("kind")), Members: members,
		Date: r.FormValue("date"), Reason: r.FormValue("reason")})
	return err
}
