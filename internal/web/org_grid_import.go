package web

import (
	"net/http"
	"strconv"
	"strings"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/org"
	"shanzhi/internal/sheet"
)

// assignColumns are the columns of a grid assignment sheet: only the
// household number is read; the template's head's name is there for the
// clerk's eye, and the register's head is what the check shows.
var assignColumns = []string{"户号|户编号|户口编号"}

type gridImportView struct {
	G       *org.Grid
	Rows    []talentImportLine
	Error   string
	Done    int
	Checked bool
}

// gridImport puts households in a grid from an Excel sheet of household
// numbers: 检查 checks every row (unknown number, repeated, already in a
// grid, naming it) and 导入 assigns them when every row passes.
func (w *Web) gridImport(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	id, err := pathID(r, "id")
	var g *org.Grid
	if err == nil {
		g, err = w.Org.Grid(r.Context(), a, id)
	}
	if err == nil && !a.Can(access.GridManage, g.Village) {
		err = fault.E(fault.Forbidden, "error.forbidden")
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "org.page.grid_import", "grids")
	v.Crumbs = gridCrumbs(v, g.ID, g.Name, "org.page.grid_import")
	d := &gridImportView{G: g}
	v.Data = d
	if r.Method != http.MethodPost {
		w.render(rw, http.StatusOK, "org_grid_import", v)
		return
	}
	name, data, err := w.upload(r)
	var rows []org.AssignRow
	if err == nil {
		err = w.eachSheetRow(name, data, assignColumns, "org.grid.import_no_header", func(line int, cell func(string) string) {
			rows = append(rows, org.AssignRow{Line: line, Number: cell(assignColumns[0])})
		})
	}
	if err == nil && len(rows) == 0 {
		err = fault.OnField(fault.Invalid, "file", "org.grid.import_empty")
	}
	commit := r.FormValue("mode") == "import"
	if err == nil {
		rows, err = w.Org.AssignRows(r.Context(), a, id, rows, commit)
	}
	failed := 0
	for _, x := range rows {
		l := talentImportLine{Line: x.Line, Name: strings.TrimSpace(x.Number + " " + x.Head), OK: x.Err == nil}
		if x.Err != nil {
			failed++
			_, l.Problem, _ = refusal(v, x.Err, "org.field.")
		}
		d.Rows = append(d.Rows, l)
	}
	status := http.StatusOK
	switch {
	case err != nil:
		status, d.Error, _ = refusal(v, err, "org.field.")
	case failed > 0:
		status, d.Error = http.StatusUnprocessableEntity, v.T("org.grid.import_problems", failed)
	case commit:
		seeOther(rw, r, "/grids/"+strconv.FormatInt(id, 10), "saved")
		return
	default:
		d.Checked = true
	}
	w.render(rw, status, "org_grid_import", v)
}

// gridImportTemplate sends the assignment sheet to fill in: the village's
// households in no grid yet, so the clerk deletes the rows that belong
// elsewhere rather than typing numbers.
func (w *Web) gridImportTemplate(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	id, err := pathID(r, "id")
	var g *org.Grid
	if err == nil {
		g, err = w.Org.Grid(r.Context(), a, id)
	}
	if err == nil && !a.Can(access.GridManage, g.Village) {
		err = fault.E(fault.Forbidden, "error.forbidden")
	}
	var rows [][]any
	if err == nil {
		free, ferr := w.freeHouseholds(r, a, g.Village)
		for _, h := range free {
			rows = append(rows, []any{h.Number, h.HeadName})
		}
		err = ferr
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	cols := []sheet.Column{{Header: "户号", Kind: sheet.Text, Width: 14}, {Header: "户主", Kind: sheet.Text, Width: 14}}
	w.sendSheet(rw, r, sheet.Table{Title: "网格划户模板（" + g.Name + "）", Columns: cols}, g.Name+"划户模板", "grid-assign-template.xlsx", rows)
}
