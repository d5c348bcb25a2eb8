package web

import (
	"net/http"
	"strings"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/org"
)

// cadreColumns are the columns of a cadres sheet, in template order, with
// the aliases the header may use; the first name is the key.
var cadreColumns = []string{"姓名", "性别", "身份证号|公民身份号码", "手机号|联系电话", "单位名称|工作单位|单位", "所在地区|嘎查村|地区",
	"职务", "职级", "领域|分管领域", "任职日期|任职时间", "系统账号|账号"}

// cadreExample is the template's example row.
var cadreExample = []any{"王明", "男", "", "", "科尔沁镇人民政府", "", "副镇长", "乡科级", "农业农村", "2021-06-01", ""}

// readCadres turns an uploaded sheet into import rows for the units and
// regions under scope: a unit is named by its name, a region post (a
// village's 两委) by the region; a rank by its name on the list.
func (w *Web) readCadres(r *http.Request, a *access.Actor, scope, name string, data []byte) ([]org.CadreRow, error) {
	regions := map[string]string{}
	for _, o := range w.orgRegionOptions(r, a, scope) {
		regions[o.Label] = o.Value
		if _, village, ok := strings.Cut(o.Label, " "); ok {
			regions[village] = o.Value
		}
	}
	units := map[string]int64{}
	list, _, err := w.Org.Units(r.Context(), a, org.UnitFilter{Region: scope, Limit: 500})
	if err != nil {
		return nil, err
	}
	for _, u := range list {
		units[u.Name] = u.ID
	}
	ranks, err := w.Cadres.Ranks(r.Context(), a)
	if err != nil {
		return nil, err
	}
	rankCode := map[string]string{}
	for _, k := range ranks {
		rankCode[k.Name] = k.Code
	}
	var rows []org.CadreRow
	err = w.eachSheetRow(name, data, cadreColumns, "cadre.import.no_header", func(line int, cell func(string) string) {
		c := func(i int) string { return strings.TrimSpace(cell(cadreColumns[i])) }
		in := org.CadreInput{Name: c(0), Gender: c(1), IDNumber: c(2), Phone: c(3), Post: c(6), Rank: rankCode[c(7)], Sector: c(8),
			Appointed: c(9), Username: c(10)}
		var fs fault.Fields
		switch {
		case c(4) != "":
			if in.Unit = units[c(4)]; in.Unit == 0 {
				fs.Add("unit", "cadre.import.unit_unknown", c(4))
			}
		default:
			if in.Region = regions[c(5)]; in.Region == "" {
				fs.Add("region", "org.unit.region_invalid")
			}
		}
		if in.Rank == "" {
			fs.Add("rank", "cadre.rank_invalid")
		}
		rows = append(rows, org.CadreRow{Line: line, Input: in, Err: fs.Err()})
	})
	if err != nil {
		return nil, err
	}
	if len(rows) > org.MaxImportRows {
		return nil, fault.E(fault.Invalid, "org.unit.import_too_many", org.MaxImportRows)
	}
	return rows, nil
}

// orgCadreImport registers cadres from an Excel sheet, as units are.
func (w *Web) orgCadreImport(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	region, err := talentRegion(r, a, access.OrgManage)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "cadre.page.import", "org")
	back := "/org/cadres?region=" + region
	v.Crumbs = []crumb{{Label: v.T("cadre.page.list"), Href: back}, {Label: v.T("cadre.page.import")}}
	d := &sheetImportView{Action: "/org/cadres/import?region=" + region, Template: "/org/cadres/import/template.xlsx?region=" + region,
		Back: back, NameLabel: v.T("org.field.member_name"), DoneKey: "cadre.import.done"}
	runSheetImport(w, rw, r, v, d, func(x *org.CadreRow) sheetRow { return sheetRow{x.Line, x.Input.Name, &x.Err} },
		func(name string, data []byte) ([]org.CadreRow, error) { return w.readCadres(r, a, region, name, data) },
		func(rows []org.CadreRow, commit bool) ([]org.CadreRow, error) {
			return w.Cadres.ImportCadres(r.Context(), a, rows, commit)
		})
}

// orgCadreTemplate sends the cadres sheet to fill in, with one example row.
func (w *Web) orgCadreTemplate(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	if _, err := talentRegion(r, a, access.OrgManage); err != nil {
		w.fail(rw, r, err)
		return
	}
	w.sheetTemplate(rw, r, cadreColumns, cadreExample, "干部导入模板", "cadres-template.xlsx")
}
