package web

import (
	"net/http"
	"strings"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/i18n"
	"shanzhi/internal/region"
	"shanzhi/internal/sheet"
	"shanzhi/internal/talent"
	"shanzhi/internal/talentsheet"
)

// labelCodes maps the Chinese labels of a list of codes back to the
// codes, as a sheet filled in by hand names them.
func (w *Web) labelCodes(prefix string, codes []string) map[string]string {
	out := map[string]string{}
	for _, c := range codes {
		out[w.Catalog.T(i18n.ZH, prefix+c)] = c
	}
	return out
}

// zh is the catalogue's Chinese, in which sheets name their codes.
func (w *Web) zh(key string) string { return w.Catalog.T(i18n.ZH, key) }

type talentImportView struct {
	Region  string
	Round   *talent.Round
	Rows    []talentImportLine
	Error   string
	Done    bool
	Checked bool
	Failed  int
}

type talentImportLine struct {
	Line    int
	Name    string
	Village string       // as the sheet typed it
	Place   region.Place // what it resolved to, empty when it did not
	OK      bool
	Problem string
}

// talentImport enters applications from an Excel sheet as drafts for the
// villages of the clerk's region: 检查 rehearses every row and lists the
// problems beside their lines, 导入 keeps them all or nothing. Drafts are
// then checked and submitted one by one, so a sheet never skips the
// village's own recommendation.
func (w *Web) talentImport(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	region, err := talentRegion(r, a, access.TalentWrite)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "talent.page.import", "talent")
	v.Crumbs = []crumb{{Label: v.T("talent.nav"), Href: "/talent?region=" + region}, {Label: v.T("talent.page.import")}}
	round, _, err := w.talentRound(r, a)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	d := &talentImportView{Region: region, Round: round}
	v.Data = d
	if r.Method != http.MethodPost || round == nil {
		w.render(rw, http.StatusOK, "talent_import", v)
		return
	}
	status := http.StatusOK
	name, data, err := w.upload(r)
	var rows []talent.ImportRow
	if err == nil {
		rows, err = talentsheet.Applications(name, data, w.MaxUpload, round.ID, w.zh)
	}
	if err == nil {
		// The store resolves every row's village and checks the rest, for
		// real only when every row of the sheet is sound.
		if len(rows) == 0 {
			err = fault.OnField(fault.Invalid, "file", "talent.import.empty")
		} else {
			commit := r.FormValue("mode") == "import"
			err = w.Talent.Import(r.Context(), a, region, rows, commit)
			d.Done, d.Checked = err == nil && commit, err == nil && !commit
		}
	}
	for _, x := range rows {
		l := talentImportLine{Line: x.Line, Name: x.Input.Name, Village: x.Village, Place: x.Place, OK: x.Err == nil}
		if x.Err != nil {
			d.Failed++
			_, msg, lines := talentRefusal(v, x.Err)
			l.Problem = msg
			if len(lines) > 0 {
				l.Problem = strings.Join(lines, "；")
			}
		}
		d.Rows = append(d.Rows, l)
	}
	if err != nil {
		status, d.Error, _ = talentRefusal(v, err)
		if d.Failed > 0 {
			d.Error = v.T("talent.import.problems", d.Failed)
		}
	}
	w.render(rw, status, "talent_import", v)
}

// talentImportTemplate sends the applications sheet to fill in, with one
// example row.
func (w *Web) talentImportTemplate(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	if _, err := talentRegion(r, a, access.TalentWrite); err != nil {
		w.fail(rw, r, err)
		return
	}
	var cols []sheet.Column
	for _, c := range talentsheet.Columns {
		cols = append(cols, sheet.Column{Header: strings.Split(c, "|")[0], Kind: sheet.Text, Width: 14})
	}
	w.sendSheet(rw, r, sheet.Table{Title: "晓景计划申报导入模板", Columns: cols}, "晓景计划申报导入模板", "talent-template.xlsx", [][]any{talentsheet.Example})
}
