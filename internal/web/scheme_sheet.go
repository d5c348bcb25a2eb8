package web

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/scheme"
	"shanzhi/internal/sheet"
)

// schemeColumns are the columns of a scheme sheet, one item a row. The
// scheme's settings ride on the first row, so one sheet carries a whole
// scheme from one village to another.
var schemeColumns = []string{"方面代码", "方面名称", "项目代码", "项目名称", "说明", "分值", "计分单位", "每户上限", "上限周期", "须附照片", "须附文字说明",
	"须有证明人", "可评定角色", "允许下级改分值", "方案名称", "基础分", "基础分周期", "年终结转", "公示期（天）"}

// The words a sheet uses for the scheme's codes, both ways.
var (
	unitWords   = map[scheme.Unit]string{scheme.PerOccurrence: "每次", scheme.PerMonth: "每月", scheme.PerInspection: "每次检查"}
	periodWords = map[scheme.Period]string{scheme.Month: "按月", scheme.Year: "按年"}
	carryWords  = map[scheme.CarryOver]string{scheme.Carry: "结转", scheme.Expire: "清零"}
	roleWords   = map[access.Role]string{access.Operator: "经办人员", access.Leader: "分管领导", access.Reviewer: "审核人员"}
)

func sheetYes(b bool) string {
	if b {
		return "是"
	}
	return "否"
}

// wordOf reads a sheet's word back into its code; a word it does not know
// comes back as itself, so Validate names the field.
func wordOf[K ~string](words map[K]string, s string) K {
	s = strings.TrimSpace(s)
	for k, w := range words {
		if w == s || string(k) == s {
			return k
		}
	}
	return K(s)
}

// schemeExport sends the region's draft (?draft=1, for a leader) or the
// scheme in force there today, inheritance resolved, as a sheet: what a
// village that copies it would award by.
func (w *Web) schemeExport(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	code := r.PathValue("code")
	ctx := r.Context()
	var s *scheme.Scheme
	var err error
	if r.URL.Query().Get("draft") != "" {
		if s, err = w.Schemes.Draft(ctx, a, code); err == nil && s == nil {
			err = fault.E(fault.Conflict, "scheme.draft.none")
		}
	} else {
		var res *scheme.Resolved
		res, err = w.Schemes.Resolve(ctx, a, code, scheme.Today(w.Now()))
		// Nothing in force is no missing page: the region is there.
		if fe := (*fault.Error)(nil); errors.As(err, &fe) && fe.Msg.Key == "scheme.none" {
			err = fault.E(fault.Conflict, "scheme.none")
		}
		if err == nil {
			s = &scheme.Scheme{Name: res.Name, BaseScore: res.BaseScore, BasePeriod: res.BasePeriod, CarryOver: res.CarryOver,
				NoticeDays: res.NoticeDays, Aspects: res.Aspects}
			for _, it := range res.Items {
				s.Items = append(s.Items, it.Item)
			}
		}
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	name, err := w.regionTitle(r, a, code)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	cols := make([]sheet.Column, len(schemeColumns))
	for i, h := range schemeColumns {
		cols[i] = sheet.Column{Header: h}
		if h == "分值" || h == "每户上限" || h == "基础分" || h == "公示期（天）" {
			cols[i].Kind = sheet.Int
		}
	}
	aspects := map[string]string{}
	for _, as := range s.Aspects {
		aspects[as.Code] = as.Name
	}
	rows := make([][]any, len(s.Items))
	for i, it := range s.Items {
		var roles []string
		for _, ro := range it.Roles {
			roles = append(roles, roleWords[ro])
		}
		cap, capPer := "", ""
		if it.Cap > 0 {
			cap, capPer = strconv.Itoa(it.Cap), periodWords[it.CapPeriod]
		}
		row := []any{it.Aspect, aspects[it.Aspect], it.Code, it.Name, it.Description, it.Points, unitWords[it.Unit], cap, capPer, sheetYes(it.Evidence.Photo),
			sheetYes(it.Evidence.Text), sheetYes(it.Evidence.Witness), strings.Join(roles, "、"), sheetYes(it.Overridable), "", "", "", "", ""}
		if i == 0 {
			copy(row[14:], []any{s.Name, s.BaseScore, periodWords[s.BasePeriod], carryWords[s.CarryOver], s.NoticeDays})
		}
		rows[i] = row
	}
	v := w.newView(r, "page.scheme", "regions")
	w.sendSheet(rw, r, sheet.Table{Title: s.Name, Unit: name, Date: w.Now(), Columns: cols}, name+v.T("page.scheme"), "scheme.xlsx", rows)
}

// schemeImport reads a scheme sheet into the region's draft: the whole
// draft is replaced, or, on any problem, nothing is.
func (w *Web) schemeImport(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	code := r.PathValue("code")
	if !a.Can(access.SchemeManage, code) {
		w.schemePage(rw, r, a, nil, fault.E(fault.Forbidden, "scheme.manage.forbidden"))
		return
	}
	name, data, err := w.upload(r)
	if err == nil {
		var d scheme.Scheme
		if d, err = readScheme(name, data, code, w.MaxUpload); err == nil {
			_, err = w.Schemes.SaveDraft(r.Context(), a, d)
		}
	}
	if err != nil {
		w.schemePage(rw, r, a, nil, err)
		return
	}
	seeOther(rw, r, "/regions/"+code+"/scheme#changes", "scheme_imported")
}

// readScheme reads a sheet written by schemeExport (or typed by hand in
// its shape).
func readScheme(name string, data []byte, code string, limit int64) (scheme.Scheme, error) {
	d := scheme.Scheme{Region: code}
	rd, err := sheet.Open(name, bytes.NewReader(data), limit)
	if err != nil {
		return d, fault.Wrap(fault.Invalid, err, "scheme.import.unreadable")
	}
	defer rd.Close()
	h, err := rd.Header(schemeColumns, 6)
	if err != nil {
		return d, fault.OnField(fault.Invalid, "file", "scheme.import.no_header")
	}
	seen := map[string]bool{}
	first := true
	for {
		row, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return d, fault.Wrap(fault.Invalid, err, "scheme.import.unreadable")
		}
		cell := func(col string) string {
			if i, ok := h.Columns[col]; ok && i < len(row.Cells) {
				return strings.TrimSpace(row.Cells[i])
			}
			return ""
		}
		num := func(col string) int {
			s := cell(col)
			if s == "" {
				return 0
			}
			n, err := strconv.Atoi(s)
			if err != nil {
				return -1 << 20
			}
			return n
		}
		if first {
			first = false
			d.Name, d.BaseScore, d.NoticeDays = cell("方案名称"), num("基础分"), num("公示期（天）")
			d.BasePeriod, d.CarryOver = wordOf(periodWords, cell("基础分周期")), wordOf(carryWords, cell("年终结转"))
			d.AllowLocalItems, d.AllowOverride = true, true
		}
		asp := cell("方面代码")
		if asp != "" && !seen[asp] {
			seen[asp] = true
			d.Aspects = append(d.Aspects, scheme.Aspect{Code: asp, Name: cell("方面名称"), Order: len(d.Aspects) + 1})
		}
		it := scheme.Item{Aspect: asp, Code: cell("项目代码"), Name: cell("项目名称"), Description: cell("说明"), Points: num("分值"),
			Unit: wordOf(unitWords, cell("计分单位")), Cap: num("每户上限"), CapPeriod: wordOf(periodWords, cell("上限周期")),
			Evidence:    scheme.Evidence{Photo: cell("须附照片") == "是", Text: cell("须附文字说明") == "是", Witness: cell("须有证明人") == "是"},
			Overridable: cell("允许下级改分值") == "是"}
		for _, ro := range strings.FieldsFunc(cell("可评定角色"), func(c rune) bool { return c == '、' || c == ',' || c == '，' || c == ' ' }) {
			it.Roles = append(it.Roles, wordOf(roleWords, ro))
		}
		d.Items = append(d.Items, it)
	}
	return d, nil
}
