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

type unitImportView struct {
	Region  string
	Rows    []talentImportLine
	Error   string
	Done    int // units made
	Checked bool
	Failed  int
}

// orgUnitImport registers units from an Excel sheet: 检查 checks every
// row and lists the problems beside their lines; 导入 registers the rows
// that pass and lists the rest, to be corrected and sent again.
func (w *Web) orgUnitImport(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	region, err := talentRegion(r, a, access.OrgManage)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "org.page.unit_import", "org")
	v.Crumbs = []crumb{{Label: v.T("org.page.units"), Href: "/org/units?region=" + region}, {Label: v.T("org.page.unit_import")}}
	d := &unitImportView{Region: region}
	v.Data = d
	if r.Method != http.MethodPost {
		w.render(rw, http.StatusOK, "org_unit_import", v)
		return
	}
	name, data, err := w.upload(r)
	var rows []org.UnitRow
	if err == nil {
		rows, err = w.readUnits(r, a, region, name, data)
	}
	if err == nil && len(rows) == 0 {
		err = fault.OnField(fault.Invalid, "file", "org.import.empty")
	}
	commit := r.FormValue("mode") == "import"
	if err == nil {
		// Rows the sheet itself got wrong keep their problem; the store
		// checks the rest and, on 导入, registers those that pass.
		var sound []org.UnitRow
		var at []int
		for i, x := range rows {
			if x.Err == nil {
				sound, at = append(sound, x), append(at, i)
			}
		}
		if len(sound) > 0 {
			sound, err = w.Org.ImportUnits(r.Context(), a, sound, commit)
		}
		for k, i := range at {
			if err == nil {
				rows[i] = sound[k]
			}
		}
	}
	for _, x := range rows {
		l := talentImportLine{Line: x.Line, Name: x.Input.Name, OK: x.Err == nil}
		if x.Err != nil {
			d.Failed++
			_, msg, lines := refusal(v, x.Err, "org.field.")
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
	case d.Failed > 0:
		status, d.Error = http.StatusUnprocessableEntity, v.T("org.import.problems", d.Failed)
	default:
		d.Checked = !commit
	}
	w.render(rw, status, "org_unit_import", v)
}

// orgUnitTemplate sends the units sheet to fill in, with one example row.
func (w *Web) orgUnitTemplate(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	if _, err := talentRegion(r, a, access.OrgManage); err != nil {
		w.fail(rw, r, err)
		return
	}
	var cols []sheet.Column
	for _, c := range unitColumns {
		cols = append(cols, sheet.Column{Header: strings.Split(c, "|")[0], Kind: sheet.Text, Width: 16})
	}
	w.sendSheet(rw, r, sheet.Table{Title: "单位导入模板", Columns: cols}, "单位导入模板", "org-units-template.xlsx", [][]any{unitExample})
}
