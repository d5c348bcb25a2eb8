package web

import (
	"net/http"
	"strconv"
	"strings"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/i18n"
	"shanzhi/internal/region"
	"shanzhi/internal/sheet"
	"shanzhi/internal/talent"
)

// talentColumns are the columns of an applications sheet, in template
// order, with the aliases the header may use; the first name is the key.
// The township column tells apart the villages whose names repeat in a
// banner; the village column also takes the village's 12-digit code.
var talentColumns = []string{"所属苏木乡镇|苏木乡镇|乡镇", "所属嘎查村|嘎查村|村|嘎查村代码", "姓名", "性别", "出生日期", "民族", "政治面貌", "文化程度", "身份证号|公民身份号码", "手机号|联系电话",
	"来源渠道", "经营主体类型|主体类型", "经营主体名称", "统一社会信用代码", "主导产业|产业", "上年营业收入（元）|营业收入", "从业人数",
	"带动农户数", "带动户均增收（元）|户均增收", "主要产品", "销售渠道", "所获荣誉", "个人简介与发展设想|个人简介"}

// talentExample is the template's example row.
var talentExample = []any{"科尔沁镇", "平安村", "王晓景", "男", "1985-03-01", "蒙古族", "中共党员", "高中", "152221198503010078", "13912345678",
	"在返乡能人和下乡市民中引进落户", "农民专业合作社", "平安村山野菌专业合作社", "91350100M000100Y43", "山野菌采摘加工", "1200000", "12",
	"36", "3000", "榛蘑、牛肝菌", "本地集市、网店", "", "返乡创业，带动农户采摘加工山野菌"}

// labelCodes maps the Chinese labels of a list of codes back to the
// codes, as a sheet filled in by hand names them.
func (w *Web) labelCodes(prefix string, codes []string) map[string]string {
	out := map[string]string{}
	for _, c := range codes {
		out[w.Catalog.T(i18n.ZH, prefix+c)] = c
	}
	return out
}

// readApplications turns an uploaded sheet into import rows; the village
// stays as typed for the store to resolve within the sheet's region, and
// an unknown channel or type or a malformed number is the row's Sheet
// problem, to be shown beside its line.
func (w *Web) readApplications(round int64, name string, data []byte) ([]talent.ImportRow, error) {
	channels := w.labelCodes("talent.channel.", strs(talent.Channels))
	types := w.labelCodes("talent.entity.", strs(talent.EntityTypes))
	var rows []talent.ImportRow
	err := w.eachSheetRow(name, data, talentColumns, "talent.import.no_header", func(line int, cell func(string) string) {
		var fs fault.Fields
		num := func(col, field string) int64 {
			s := strings.ReplaceAll(cell(col), ",", "")
			if s == "" {
				return 0
			}
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				fs.Add(field, "talent.candidate.number_invalid")
			}
			return n
		}
		in := talent.CandidateInput{Round: round, Name: cell("姓名"), Gender: cell("性别"),
			BirthDate: cell("出生日期"), Ethnicity: cell("民族"), Political: cell("政治面貌"), Education: cell("文化程度"), IDNumber: cell("身份证号|公民身份号码"),
			Phone: cell("手机号|联系电话"), Channel: talent.Channel(channels[cell("来源渠道")]), EntityType: talent.EntityType(types[cell("经营主体类型|主体类型")]),
			EntityName: cell("经营主体名称"), CreditCode: cell("统一社会信用代码"), Industry: cell("主导产业|产业"), Revenue: num("上年营业收入（元）|营业收入", "revenue"),
			Employees: int(num("从业人数", "employees")), Households: int(num("带动农户数", "households")), IncomeRise: num("带动户均增收（元）|户均增收", "income_rise"),
			Products: cell("主要产品"), SalesRoutes: cell("销售渠道"), Honours: cell("所获荣誉"), Summary: cell("个人简介与发展设想|个人简介")}
		if cell("来源渠道") != "" && in.Channel == "" {
			fs.Add("channel", "talent.candidate.channel_invalid")
		}
		if cell("经营主体类型|主体类型") != "" && in.EntityType == "" {
			fs.Add("entity_type", "talent.candidate.entity_type_invalid")
		}
		rows = append(rows, talent.ImportRow{Line: line, Input: in, Village: cell("所属嘎查村|嘎查村|村|嘎查村代码"), Township: cell("所属苏木乡镇|苏木乡镇|乡镇"), Sheet: fs.Err()})
	})
	if err != nil {
		return nil, err
	}
	return rows, nil
}

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
		rows, err = w.readApplications(round.ID, name, data)
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
	for _, c := range talentColumns {
		cols = append(cols, sheet.Column{Header: strings.Split(c, "|")[0], Kind: sheet.Text, Width: 14})
	}
	w.sendSheet(rw, r, sheet.Table{Title: "晓景计划申报导入模板", Columns: cols}, "晓景计划申报导入模板", "talent-template.xlsx", [][]any{talentExample})
}
