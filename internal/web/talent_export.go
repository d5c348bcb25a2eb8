package web

import (
	"bytes"
	"net/http"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/localtime"
	"shanzhi/internal/sheet"
	"shanzhi/internal/talent"
)

// sendSheet writes rows into a 台账-shaped workbook and sends it; a
// failure part way discards the workbook so no half sheet goes out.
func (w *Web) sendSheet(rw http.ResponseWriter, r *http.Request, t sheet.Table, file, ascii string, rows [][]any) {
	var buf bytes.Buffer
	xw, err := sheet.NewWriter(&buf, t)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	for _, row := range rows {
		if err := xw.Write(row...); err != nil {
			xw.Discard()
			w.fail(rw, r, err)
			return
		}
	}
	if err := xw.Close(); err != nil {
		w.fail(rw, r, err)
		return
	}
	attachment(rw, file+".xlsx", ascii)
	rw.Write(buf.Bytes())
}

// talentExport sends the candidate register (申报人员台账) of a region
// and round, with the filters of the list page. ID numbers and phones
// are left out: the register is passed around, the page shows them masked.
func (w *Web) talentExport(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	code, round, _, err := w.talentScope(r, a)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "talent.page.list", "talent")
	name, err := w.regionTitle(r, a, code)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	q := r.URL.Query()
	f := talent.Filter{Region: code, Status: talent.Status(q.Get("status")), Tier: talent.Tier(q.Get("tier")), Name: q.Get("q"), Limit: 5000}
	title := v.T("talent.export.register")
	if round != nil {
		f.Round, title = round.ID, round.Name+v.T("talent.export.register")
	}
	cs, _, err := w.Talent.Candidates(r.Context(), a, f)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	// The sheet numbers its rows itself (序号), so no column of ours does.
	cols := []sheet.Column{{Header: "姓名"}, {Header: "性别"}, {Header: "出生日期", Width: 12}, {Header: "民族"}, {Header: "政治面貌"},
		{Header: "所属嘎查村", Width: 14}, {Header: "来源渠道", Width: 22}, {Header: "主体类型", Width: 14}, {Header: "经营主体名称", Width: 24},
		{Header: "统一社会信用代码", Width: 20}, {Header: "产业", Width: 14}, {Header: "营业收入（元）", Kind: sheet.Int}, {Header: "从业人数", Kind: sheet.Int},
		{Header: "带动农户数", Kind: sheet.Int}, {Header: "户均增收（元）", Kind: sheet.Int}, {Header: "状态"}, {Header: "层级"}, {Header: "申报次数", Kind: sheet.Int}}
	rows := make([][]any, len(cs))
	for i, c := range cs {
		tier := ""
		if c.Tier != "" {
			tier = v.T("talent.tier." + string(c.Tier))
		}
		rows[i] = []any{c.Name, c.Gender, c.BirthDate, c.Ethnicity, c.Political, c.VillageName, label(v, "talent.channel.", string(c.Channel)),
			label(v, "talent.entity.", string(c.EntityType)), c.EntityName, c.CreditCode, c.Industry, c.Revenue, c.Employees, c.Households, c.IncomeRise,
			v.T("talent.status." + string(c.Status)), tier, c.Submissions}
	}
	w.sendSheet(rw, r, sheet.Table{Title: title, Unit: name, Date: w.Now(), Columns: cols}, name+title, "talent-register.xlsx", rows)
}

// label translates a code under prefix, and leaves an empty code empty.
func label(v *view, prefix, code string) string {
	if code == "" {
		return ""
	}
	return v.T(prefix + code)
}

// talentRankingExport sends a level's ranking (排序推荐表).
func (w *Web) talentRankingExport(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	v := w.newView(r, "talent.page.ranking", "talent")
	d, err := w.talentRankingData(r, a, v)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	// Rows come in recommendation order, so the sheet's own 序号 is that
	// order; 设定顺序 is the order the level set by hand, where it did.
	cols := []sheet.Column{{Header: "名次", Kind: sheet.Int}, {Header: "姓名"}, {Header: "所属嘎查村", Width: 14},
		{Header: "经营主体名称", Width: 24}, {Header: "带动农户数", Kind: sheet.Int}, {Header: "评审人数", Kind: sheet.Int}, {Header: "平均得分", Width: 10},
		{Header: "设定顺序", Kind: sheet.Int}}
	rows := make([][]any, len(d.Rows))
	for i, x := range d.Rows {
		set := any("")
		if x.Position > 0 {
			set = x.Position
		}
		rows[i] = []any{x.Rank, x.Name, x.Village, x.Entity, x.Households, x.Reviewers, x.MeanText(), set}
	}
	title := v.T("talent.export.ranking", d.Steps[min(d.Step, len(d.Steps)-1)].Label)
	w.sendSheet(rw, r, sheet.Table{Title: title, Unit: d.RegionName, Date: w.Now(), Columns: cols}, d.RegionName+title, "talent-ranking.xlsx", rows)
}

// talentListsExport sends every leader's three lists of a region as one
// 台账 (逐人细化落实具体措施清单), one row per measure.
func (w *Web) talentListsExport(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	code, err := talentRegion(r, a, access.RegistryRead)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "talent.page.leaders", "talent")
	name, err := w.regionTitle(r, a, code)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	leaders, err := w.Talent.Leaders(r.Context(), a, code)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	cols := []sheet.Column{{Header: "带头人"}, {Header: "所属嘎查村", Width: 14}, {Header: "层级"}, {Header: "清单", Width: 14},
		{Header: "具体措施", Width: 28}, {Header: "目标", Width: 20}, {Header: "帮带对象/受益户/培训方向", Width: 16}, {Header: "责任人"}, {Header: "完成时限", Width: 12},
		{Header: "状态"}, {Header: "记录次数", Kind: sheet.Int}, {Header: "累计增收（元）/人次", Kind: sheet.Int}, {Header: "是否逾期"}}
	today := w.Now().In(localtime.Zone()).Format("2006-01-02")
	var rows [][]any
	for _, l := range leaders {
		full, err := w.Talent.Leader(r.Context(), a, l.ID)
		if err != nil {
			w.fail(rw, r, err)
			return
		}
		for _, m := range full.Measures {
			who := m.Partner
			switch {
			case m.HouseNo != "":
				who = m.HouseNo
			case m.Direction != "": // a training: given or received
				who = v.T("talent.direction." + string(m.Direction))
			}
			over := ""
			if m.Overdue(today) {
				over = "是"
			}
			rows = append(rows, []any{l.Name, l.VillageName, label(v, "talent.tier.", string(l.Tier)), v.T("talent.list." + string(m.List)),
				m.Title, m.Goal, who, m.Owner, m.Deadline, v.T("talent.mstatus." + string(m.Status)), m.Logs, m.Amount, over})
		}
	}
	title := v.T("talent.export.lists")
	w.sendSheet(rw, r, sheet.Table{Title: title, Unit: name, Date: w.Now(), Columns: cols}, name+title, "talent-lists.xlsx", rows)
}

// talentCoverageExport sends the coverage statistics of a region (覆盖情况
// 统计表): one row per area below it and the total, then the round's
// leaders per tier and channel.
func (w *Web) talentCoverageExport(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	code, round, _, err := w.talentScope(r, a)
	v := w.newView(r, "talent.page.coverage", "talent")
	if err == nil && round == nil {
		err = fault.E(fault.NotFound, "talent.round.none")
	}
	var c *talent.Coverage
	if err == nil {
		c, err = w.Talent.Coverage(r.Context(), a, round.ID, code)
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	// Every column means one thing in every row: the area rows fill the
	// village and people counts, the tier and channel rows this round's
	// candidates and selections, and both the notices.
	cols := []sheet.Column{{Header: "地区/分类", Width: 16}, {Header: "嘎查村数", Kind: sheet.Int}, {Header: "有培育对象的嘎查村", Kind: sheet.Int},
		{Header: "覆盖率（%）", Kind: sheet.Int}, {Header: "有认定带头人的嘎查村", Kind: sheet.Int}, {Header: "认定覆盖率（%）", Kind: sheet.Int},
		{Header: "培育对象和带头人（历届，人）", Kind: sheet.Int}, {Header: "认定带头人（历届，人）", Kind: sheet.Int},
		{Header: "本批次候选人数", Kind: sheet.Int}, {Header: "本批次公示中", Kind: sheet.Int}, {Header: "本批次入选人数", Kind: sheet.Int}}
	var rows [][]any
	for _, ar := range append(c.Areas, c.Total) {
		name := ar.Name
		if ar.Code == c.Total.Code {
			name = v.T("talent.coverage.total")
		}
		rows = append(rows, []any{name, ar.Villages, ar.Covered, ar.Percent(), ar.Recognised, ar.RecognisedPercent(), ar.People, ar.RecognisedPeople, "", ar.OnNotice, ""})
	}
	for _, t := range talent.Tiers {
		rows = append(rows, []any{v.T("talent.tier." + string(t)), "", "", "", "", "", "", "", c.CandidatesByTier[t], c.OnNoticeByTier[t], c.ByTier[t]})
	}
	for _, ch := range talent.Channels {
		rows = append(rows, []any{v.T("talent.channel." + string(ch)), "", "", "", "", "", "", "", c.CandidatesByChannel[ch], c.OnNoticeByChannel[ch], c.ByChannel[ch]})
	}
	title := round.Name + v.T("talent.export.coverage")
	w.sendSheet(rw, r, sheet.Table{Title: title, Unit: c.Name, Date: w.Now(), Columns: cols}, c.Name+title, "talent-coverage.xlsx", rows)
}
