package web

import (
	"net/http"
	"strings"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/org"
	"shanzhi/internal/sheet"
)

// unitColumns are the columns of a units sheet, in template order, with
// the aliases the header may use; the first name is the key.
var unitColumns = []string{"单位名称|名称", "统一社会信用代码|信用代码", "单位类型|类型", "所在地区|所在嘎查村|嘎查村|地区", "两新组织|两新", "新就业群体"}

// unitExample is the template's example row.
var unitExample = []any{"平安村快递服务站", "91350100M000100Y43", "非公有制企业", "平安村", "是", "是"}

// sheetFlag reads a flag column as villages fill it in; empty is def.
func sheetFlag(s string, def bool) bool {
	switch strings.TrimSpace(s) {
	case "":
		return def
	case "是", "√", "1", "Y", "y", "yes", "Yes":
		return true
	}
	return false
}

// readUnits turns an uploaded sheet into import rows for the regions under
// scope; a row naming an unknown region or type carries that problem.
func (w *Web) readUnits(r *http.Request, a *access.Actor, scope, name string, data []byte) ([]org.UnitRow, error) {
	regions := map[string]string{}
	for _, o := range w.orgRegionOptions(r, a, scope) {
		regions[o.Value] = o.Value
		regions[o.Label] = o.Value
		// A village is named alone too, as a sheet of one township does.
		if _, village, ok := strings.Cut(o.Label, " "); ok {
			regions[village] = o.Value
		}
	}
	types := w.labelCodes("org.unit_type.", strs(org.UnitTypes))
	var rows []org.UnitRow
	err := w.eachSheetRow(name, data, unitColumns, "org.import.no_header", func(line int, cell func(string) string) {
		t := org.UnitType(types[cell(unitColumns[2])])
		in := org.UnitInput{Name: cell(unitColumns[0]), CreditCode: cell(unitColumns[1]), Type: t, Region: regions[cell(unitColumns[3])],
			TwoNew: sheetFlag(cell(unitColumns[4]), t.TwoNew()), NewEmployment: sheetFlag(cell(unitColumns[5]), false)}
		var fs fault.Fields
		if in.Region == "" {
			fs.Add("region", "org.unit.region_invalid")
		}
		if in.Type == "" {
			fs.Add("type", "org.unit.type_invalid")
		}
		rows = append(rows, org.UnitRow{Line: line, Input: in, Err: fs.Err()})
	})
	if err != nil {
		return nil, err
	}
	if len(rows) > org.MaxImportRows {
		return nil, fault.E(fault.Invalid, "org.unit.import_too_many", org.MaxImportRows)
	}
	return rows, nil
}

// sheetImportView is an import page of the register: the sheet's lines
// with their problems, and where the page posts, fetches its template and
// goes back to.
type sheetImportView struct {
	Action, Template, Back string
	NameLabel              string // the heading of the lines' name column
	Rows                   []talentImportLine
	Error                  string
	Done                   int // records made
	DoneKey                string
	Checked                bool
	Failed                 int
	// AllOrNothing marks an import that enters no row while any is
	// refused; Intro, where set, is its own catalogue key for the intro
	// and RefusedKey for the refusal (with the count of refused rows).
	AllOrNothing      bool
	Intro, RefusedKey string
}

// sheetRow is what an import page needs of a row of its own type.
type sheetRow struct {
	line int
	name string
	err  *error
}

// runSheetImport is the body of an import page: 检查 checks every row and
// lists the problems beside their lines; 导入 registers the rows that pass
// and lists the rest, to be corrected and sent again. read turns the
// upload into rows, each of which may carry a problem of the sheet
// itself; store checks (and on 导入 registers) the rest.
func runSheetImport[R any](w *Web, rw http.ResponseWriter, r *http.Request, v *view, d *sheetImportView, get func(*R) sheetRow,
	read func(name string, data []byte) ([]R, error), store func(rows []R, commit bool) ([]R, error)) {
	v.Data = d
	if r.Method != http.MethodPost {
		w.render(rw, http.StatusOK, "sheet_import", v)
		return
	}
	name, data, err := w.upload(r)
	var rows []R
	if err == nil {
		rows, err = read(name, data)
	}
	if err == nil && len(rows) == 0 {
		err = fault.OnField(fault.Invalid, "file", "org.import.empty")
	}
	commit := r.FormValue("mode") == "import"
	if err == nil {
		var sound []R
		var at []int
		for i := range rows {
			if *get(&rows[i]).err == nil {
				sound, at = append(sound, rows[i]), append(at, i)
			}
		}
		if len(sound) > 0 {
			sound, err = store(sound, commit)
		}
		for k, i := range at {
			if err == nil {
				rows[i] = sound[k]
			}
		}
	}
	for i := range rows {
		x := get(&rows[i])
		l := talentImportLine{Line: x.line, Name: x.name, OK: *x.err == nil}
		if *x.err != nil {
			d.Failed++
			_, msg, lines := refusal(v, *x.err, "org.field.")
			l.Problem = msg
			if len(lines) > 0 {
				l.Problem = strings.Join(lines, "；")
			}
		} else if commit {
			d.Done++
		}
		d.Rows = append(d.Rows, l)
	}
	status := http.StatusOK
	switch {
	case err != nil:
		status, d.Error, _ = refusal(v, err, "org.field.")
	case d.Failed > 0 && d.AllOrNothing:
		status, d.Error, d.Done = http.StatusUnprocessableEntity, v.T(d.RefusedKey, d.Failed), 0
	case d.Failed > 0:
		status, d.Error = http.StatusUnprocessableEntity, v.T("org.import.problems", d.Failed)
	default:
		d.Checked = !commit
	}
	w.render(rw, status, "sheet_import", v)
}

// orgUnitImport registers units from an Excel sheet.
func (w *Web) orgUnitImport(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	region, err := talentRegion(r, a, access.OrgManage)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "org.page.unit_import", "org")
	v.Crumbs = []crumb{{Label: v.T("org.page.units"), Href: "/org/units?region=" + region}, {Label: v.T("org.page.unit_import")}}
	d := &sheetImportView{Action: "/org/units/import?region=" + region, Template: "/org/units/import/template.xlsx?region=" + region,
		Back: "/org/units?region=" + region, NameLabel: v.T("org.field.unit_name"), DoneKey: "org.import.done"}
	runSheetImport(w, rw, r, v, d, func(x *org.UnitRow) sheetRow { return sheetRow{x.Line, x.Input.Name, &x.Err} },
		func(name string, data []byte) ([]org.UnitRow, error) { return w.readUnits(r, a, region, name, data) },
		func(rows []org.UnitRow, commit bool) ([]org.UnitRow, error) {
			return w.Org.ImportUnits(r.Context(), a, rows, commit)
		})
}

// orgUnitTemplate sends the units sheet to fill in, with one example row.
func (w *Web) orgUnitTemplate(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	if _, err := talentRegion(r, a, access.OrgManage); err != nil {
		w.fail(rw, r, err)
		return
	}
	w.sheetTemplate(rw, r, unitColumns, unitExample, "单位导入模板", "org-units-template.xlsx")
}

// sheetTemplate sends an import sheet to fill in: the columns' first
// names as headers and one example row.
func (w *Web) sheetTemplate(rw http.ResponseWriter, r *http.Request, columns []string, example []any, title, file string) {
	var cols []sheet.Column
	for _, c := range columns {
		cols = append(cols, sheet.Column{Header: strings.Split(c, "|")[0], Kind: sheet.Text, Width: 16})
	}
	w.sendSheet(rw, r, sheet.Table{Title: title, Columns: cols}, title, file, [][]any{example})
}
