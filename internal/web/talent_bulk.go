package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/regioncode"
	"shanzhi/internal/review"
	"shanzhi/internal/sheet"
	"shanzhi/internal/talent"
	"shanzhi/internal/talentsheet"
)

// sheetLine is one refused line of an uploaded sheet, as a page lists it.
type sheetLine struct {
	Line    int
	Problem string
}

// sheetLines lists the refused lines of a batch with their problems.
func sheetLines(v *view, n int, at func(i int) (line int, err error)) []sheetLine {
	var out []sheetLine
	for i := range n {
		line, err := at(i)
		if err == nil {
			continue
		}
		_, msg, lines := talentRefusal(v, err)
		if len(lines) > 0 {
			msg = strings.Join(lines, "；")
		}
		out = append(out, sheetLine{Line: line, Problem: msg})
	}
	return out
}

// rankingQuery is the ranking page's own address, to come back to.
func rankingQuery(r *http.Request) string {
	q := r.URL.Query()
	return "/talent/ranking?" + url.Values{"region": {q.Get("region")}, "round": {q.Get("round")}, "step": {q.Get("step")}}.Encode()
}

// showRanking draws the ranking page with the outcome of a bulk action.
func (w *Web) showRanking(rw http.ResponseWriter, r *http.Request, a *access.Actor, actErr error, lines []sheetLine, note string) {
	v := w.newView(r, "talent.page.ranking", "talent")
	d, err := w.talentRankingData(r, a, v)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v.Crumbs = []crumb{{Label: v.T("talent.nav"), Href: "/talent"}, {Label: v.T("talent.page.ranking")}}
	status, msg, problems := talentRefusal(v, actErr)
	d.Error, d.Problems, d.Lines, d.Note = msg, problems, lines, note
	v.Data = d
	w.render(rw, status, "talent_ranking", v)
}

// talentDecideBulk decides the ticked applications of a ranking at once:
// all go up within the quota, or none does and the page names the first
// that did not fit; a return or rejection carries one reason for all.
func (w *Web) talentDecideBulk(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	var ids []int64
	for _, s := range r.Form["id"] {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	_, err := w.Talent.DecideMany(r.Context(), a, ids, talent.Decision{Decision: review.Decision(r.FormValue("decision")), Reason: r.FormValue("reason"),
		Tier: talent.Tier(r.FormValue("tier"))})
	if err != nil {
		w.showRanking(rw, r, a, err, nil, "")
		return
	}
	seeOther(rw, r, rankingQuery(r), "saved")
}

// talentScoreSheet sends the level's scoring sheet: one row per
// application waiting at the step, with a column per criterion for the
// reviewer to fill in offline and upload.
func (w *Web) talentScoreSheet(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	v := w.newView(r, "talent.page.ranking", "talent")
	d, err := w.talentRankingData(r, a, v)
	if err == nil && d.Round == nil {
		err = fault.E(fault.NotFound, "talent.round.none")
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	var cols []sheet.Column
	for i, c := range talentsheet.ScoreColumns(d.Round.Criteria) {
		col := sheet.Column{Header: strings.Split(c, "|")[0], Width: 14}
		if i == 0 {
			col.Kind = sheet.Int
		}
		cols = append(cols, col)
	}
	rows := make([][]any, len(d.Rows))
	for i, x := range d.Rows {
		rows[i] = []any{x.Candidate, x.Name, x.Village}
	}
	title := v.T("talent.scores.title", d.Steps[min(d.Step, len(d.Steps)-1)].Label)
	w.sendSheet(rw, r, sheet.Table{Title: title, Unit: d.RegionName, Date: w.Now(), Columns: cols}, d.RegionName+title, "talent-scores.xlsx", rows)
}

// talentScoreUpload takes a filled scoring sheet: 检查 rehearses every
// row, 导入 keeps them all or none, and the refused rows are listed.
func (w *Web) talentScoreUpload(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	v := w.newView(r, "talent.page.ranking", "talent")
	round, _, err := w.talentRound(r, a)
	if err == nil && round == nil {
		err = fault.E(fault.NotFound, "talent.round.none")
	}
	var rows []talent.ScoreRow
	if err == nil {
		var name string
		var data []byte
		if name, data, err = w.upload(r); err == nil {
			rows, err = talentsheet.Scores(name, data, w.MaxUpload, round.Criteria)
		}
	}
	commit := r.FormValue("mode") == "import"
	if err == nil {
		err = w.Talent.ScoreMany(r.Context(), a, rows, commit)
	}
	lines := sheetLines(v, len(rows), func(i int) (int, error) { return rows[i].Line, rows[i].Err })
	note := ""
	if err == nil {
		note = v.T("talent.scores.checked", len(rows))
		if commit {
			note = v.T("talent.scores.done", len(rows))
		}
	}
	w.showRanking(rw, r, a, err, lines, note)
}

// talentQuotaSheet sends a round's quota sheet: a pass quota row for each
// region directly below the round's and a row per tier for the round's
// own region, with the quotas in force filled in.
func (w *Web) talentQuotaSheet(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	id, err := pathID(r, "id")
	var rd *talent.Round
	if err == nil {
		rd, err = w.Talent.Round(r.Context(), a, id)
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	inForce := map[string]int{}
	for _, q := range rd.Quotas {
		inForce[q.Region+"|"+string(q.Kind)] = q.N
	}
	value := func(region string, k talent.QuotaKind) any {
		if n, ok := inForce[region+"|"+string(k)]; ok {
			return n
		}
		return ""
	}
	// A manager below the round's region (a township's, of a league's
	// round) sets the quotas of their own region's children only.
	base := rd.Region
	if !a.Can(access.TalentManage, base) {
		for _, sc := range a.Scopes(access.TalentManage) {
			if regioncode.Covers(rd.Region, sc) {
				base = sc
				break
			}
		}
	}
	var rows [][]any
	kids, err := w.Regions.Children(r.Context(), a, base)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	for _, k := range kids {
		rows = append(rows, []any{k.Code, k.Name, talentsheet.KindLabel(w.zh, talent.QuotaPass), value(k.Code, talent.QuotaPass)})
	}
	if base == rd.Region {
		for _, k := range talentsheet.QuotaKinds()[1:] {
			rows = append(rows, []any{rd.Region, "", talentsheet.KindLabel(w.zh, k), value(rd.Region, k)})
		}
	}
	cols := []sheet.Column{{Header: "区划代码", Width: 16}, {Header: "地区", Width: 16}, {Header: "名额类型", Width: 18}, {Header: "名额", Kind: sheet.Int}}
	title := rd.Name + "名额表"
	w.sendSheet(rw, r, sheet.Table{Title: title, Date: w.Now(), Columns: cols}, title, "talent-quotas.xlsx", rows)
}

// talentQuotaUpload sets a round's quotas from one sheet, all or none.
func (w *Web) talentQuotaUpload(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	id, err := pathID(r, "id")
	if err == nil && !a.CanAnywhere(access.TalentManage) {
		err = fault.E(fault.Forbidden, "error.forbidden")
	}
	var rows []talent.QuotaRow
	if err == nil {
		var name string
		var data []byte
		if name, data, err = w.upload(r); err == nil {
			rows, err = talentsheet.Quotas(name, data, w.MaxUpload, w.zh)
		}
	}
	if err == nil {
		err = w.Talent.SetQuotas(r.Context(), a, id, rows)
	}
	if err == nil {
		seeOther(rw, r, "/talent/rounds/"+strconv.FormatInt(id, 10), "saved")
		return
	}
	v := w.newView(r, "talent.page.round", "talent")
	w.showRoundLines(rw, r, a, err, sheetLines(v, len(rows), func(i int) (int, error) { return rows[i].Line, rows[i].Err }))
}
