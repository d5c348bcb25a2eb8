// Package schemesheet writes a scoring scheme as a 台账-shaped workbook and
// reads one back, so a scheme travels between villages as a file (推广王家
// 地村、小河沿村模式): one item a row, the scheme's settings on the first.
// The pages and the API both use it, through the project's sheet reader
// and writer.
package schemesheet

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/scheme"
	"shanzhi/internal/sheet"
)

// Columns are the columns of a scheme sheet.
var Columns = []string{"方面代码", "方面名称", "项目代码", "项目名称", "说明", "分值", "计分单位", "每户上限", "上限周期", "须附照片", "须附文字说明",
	"须有证明人", "可评定角色", "允许下级改分值", "方案名称", "基础分", "基础分周期", "年终结转", "公示期（天）"}

// settingsAt is the first settings column, filled on the first row only.
const settingsAt = 14

// The words a sheet uses for the scheme's codes, both ways.
var (
	unitWords   = map[scheme.Unit]string{scheme.PerOccurrence: "每次", scheme.PerMonth: "每月", scheme.PerInspection: "每次检查"}
	periodWords = map[scheme.Period]string{scheme.Month: "按月", scheme.Year: "按年"}
	carryWords  = map[scheme.CarryOver]string{scheme.Carry: "结转", scheme.Expire: "清零"}
	roleWords   = map[access.Role]string{access.Operator: "经办人员", access.Leader: "分管领导", access.Reviewer: "审核人员"}
)

func yes(b bool) string {
	if b {
		return "是"
	}
	return "否"
}

// wordOf reads a sheet's word back into its code; a word it does not know
// comes back as itself, so the scheme's validation names the field.
func wordOf[K ~string](words map[K]string, s string) K {
	s = strings.TrimSpace(s)
	for k, w := range words {
		if w == s || string(k) == s {
			return k
		}
	}
	return K(s)
}

// Write writes s as a workbook titled with its name, for unit (填报单位)
// on date.
func Write(out io.Writer, s *scheme.Scheme, unit string, date time.Time) error {
	cols := make([]sheet.Column, len(Columns))
	for i, h := range Columns {
		cols[i] = sheet.Column{Header: h}
		if h == "分值" || h == "每户上限" || h == "基础分" || h == "公示期（天）" {
			cols[i].Kind = sheet.Int
		}
	}
	var buf bytes.Buffer
	xw, err := sheet.NewWriter(&buf, sheet.Table{Title: s.Name, Unit: unit, Date: date, Columns: cols})
	if err != nil {
		return err
	}
	aspects := map[string]string{}
	for _, as := range s.Aspects {
		aspects[as.Code] = as.Name
	}
	for i, it := range s.Items {
		var roles []string
		for _, ro := range it.Roles {
			roles = append(roles, roleWords[ro])
		}
		limit, per := "", ""
		if it.Cap > 0 {
			limit, per = strconv.Itoa(it.Cap), periodWords[it.CapPeriod]
		}
		row := []any{it.Aspect, aspects[it.Aspect], it.Code, it.Name, it.Description, it.Points, unitWords[it.Unit], limit, per, yes(it.Evidence.Photo),
			yes(it.Evidence.Text), yes(it.Evidence.Witness), strings.Join(roles, "、"), yes(it.Overridable), "", "", "", "", ""}
		if i == 0 {
			copy(row[settingsAt:], []any{s.Name, s.BaseScore, periodWords[s.BasePeriod], carryWords[s.CarryOver], s.NoticeDays})
		}
		if err := xw.Write(row...); err != nil {
			xw.Discard()
			return err
		}
	}
	if err := xw.Close(); err != nil {
		return err
	}
	_, err = out.Write(buf.Bytes())
	return err
}

// Read reads a sheet written by Write (or typed by hand in its shape) as
// the scheme of region code; limit bounds the file's size. It checks only
// that the sheet is one: the scheme's own rules are the store's to check.
func Read(name string, data []byte, code string, limit int64) (scheme.Scheme, error) {
	d := scheme.Scheme{Region: code}
	rd, err := sheet.Open(name, bytes.NewReader(data), limit)
	if err != nil {
		return d, fault.Wrap(fault.Invalid, err, "scheme.import.unreadable")
	}
	defer rd.Close()
	h, err := rd.Header(Columns, 6)
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
		num := func(col string) int { return scheme.Number(cell(col)) }
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
