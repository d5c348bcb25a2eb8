package web

import (
	"net/http"
	"sort"

	"shanzhi/internal/access"
	"shanzhi/internal/org"
	"shanzhi/internal/sheet"
)

// orgOrgsExport sends the 党组织名册 of a region: every organisation whose
// home lies in it, dissolved ones included, as the office files it.
func (w *Web) orgOrgsExport(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	code, err := talentRegion(r, a, access.OrgRead)
	var name string
	var list []org.Org
	if err == nil {
		if name, err = w.regionTitle(r, a, code); err == nil {
			list, err = w.Org.Orgs(r.Context(), a, org.OrgFilter{Region: code, All: true})
		}
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	zh := langOf(r)
	cols := []sheet.Column{{Header: "序号", Kind: sheet.Int}, {Header: "党组织名称", Width: 24}, {Header: "类别"}, {Header: "上级党组织", Width: 24},
		{Header: "所属地区", Width: 14}, {Header: "成立日期", Width: 12}, {Header: "党建品牌", Width: 14}, {Header: "党员数", Kind: sheet.Int}, {Header: "状态"}, {Header: "撤销日期", Width: 12}}
	rows := make([][]any, len(list))
	for i, o := range list {
		rows[i] = []any{i + 1, o.Name, w.Catalog.T(zh, "org.kind."+string(o.Kind)), o.ParentName, o.HomeName, o.Founded, o.Brand, o.Members,
			w.Catalog.T(zh, "org.status."+string(o.Status)), o.Dissolved}
	}
	w.sendSheet(rw, r, sheet.Table{Title: "党组织名册", Unit: name, Date: w.Now(), Columns: cols}, name+"党组织名册", "party-organisations.xlsx", rows)
}

// gridsExport sends the 网格户籍对照表 of a region: each grid of its
// villages with the households in it.
func (w *Web) gridsExport(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	code, err := talentRegion(r, a, access.RegistryRead)
	var name string
	var grids []org.Grid
	if err == nil {
		if name, err = w.regionTitle(r, a, code); err == nil {
			grids, err = w.Org.Grids(r.Context(), a, code)
		}
	}
	var rows [][]any
	for _, g := range grids {
		if err != nil {
			break
		}
		var n *org.Net
		if n, err = w.Org.Net(r.Context(), a, g.ID); err != nil {
			break
		}
		rows = append(rows, netRows(g, n)...)
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	for i := range rows {
		rows[i][0] = i + 1
	}
	cols := []sheet.Column{{Header: "序号", Kind: sheet.Int}, {Header: "嘎查村（社区）", Width: 14}, {Header: "网格", Width: 14}, {Header: "户号"}, {Header: "户主"}, {Header: "住址", Width: 24},
		{Header: "联系党员"}, {Header: "党员中心户"}}
	w.sendSheet(rw, r, sheet.Table{Title: "网格户籍对照表", Unit: name, Date: w.Now(), Columns: cols}, name+"网格户籍对照表", "grid-households.xlsx", rows)
}

// netRows are a grid's households for the 网格户籍对照表, by number, each
// with the party member and central household it is linked to.
func netRows(g org.Grid, n *org.Net) [][]any {
	var rows [][]any
	add := func(h org.GridHousehold, member, central string) {
		rows = append(rows, []any{0, g.VillageName, g.Name, h.Number, h.Head, h.Address, member, central})
	}
	for _, m := range n.Members {
		central := m.CentralName
		if m.Central {
			central = m.Name
		}
		for _, h := range m.Households {
			add(h, m.Name, central)
		}
	}
	for _, h := range n.Unlinked {
		add(h, "", "")
	}
	sort.SliceStable(rows, func(i, j int) bool { return numberCmp(rows[i][3].(string), rows[j][3].(string)) < 0 })
	return rows
}
