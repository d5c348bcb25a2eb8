// Package trainingsheet writes the cadre-training workbooks: a unit's
// yearly file (the lines the 年度考核 and the 干部政治素质档案 take) and a
// year's figures per class, unit and rank. The pages and the JSON API
// send the same files.
package trainingsheet

import (
	"io"
	"strings"
	"time"

	"shanzhi/internal/sheet"
	"shanzhi/internal/training"
)

// OutcomeNames are the outcomes as workbooks name them.
var OutcomeNames = map[string]string{training.Excellent: "优秀", training.Pass: "合格", training.Retake: "重修", "": "待定"}

// ReasonNames are the 重修 reasons as workbooks name them.
var ReasonNames = map[string]string{training.ReasonHours: "学时不够", training.ReasonEvaluation: "评价不达标", training.ReasonExam: "结业成绩不合格"}

// write streams rows under t, discarding the workbook on a bad row.
func write(out io.Writer, t sheet.Table, rows [][]any) error {
	xw, err := sheet.NewWriter(out, t)
	if err != nil {
		return err
	}
	for _, row := range rows {
		if err := xw.Write(row...); err != nil {
			xw.Discard()
			return err
		}
	}
	return xw.Close()
}

// FileTitle is the yearly file's title for a year.
func FileTitle(year string) string {
	return year + "年度干部参训档案（年度考核、干部政治素质档案）"
}

// WriteFile writes a unit's (or region's) yearly lines: name, unit, post,
// rank, required hours, hours, classes, outcomes, certificates and the
// retakes still open.
func WriteFile(out io.Writer, year, unit string, now time.Time, rows []training.FileRow) error {
	t := sheet.Table{Title: FileTitle(year), Unit: unit, Date: now, Columns: []sheet.Column{
		{Header: "姓名", Kind: sheet.Text, Width: 10}, {Header: "单位", Kind: sheet.Text, Width: 20}, {Header: "职务", Kind: sheet.Text, Width: 14},
		{Header: "职级", Kind: sheet.Text, Width: 10}, {Header: "应修学时", Kind: sheet.Int}, {Header: "已修学时", Kind: sheet.Int},
		{Header: "参训班次", Kind: sheet.Text, Width: 30}, {Header: "结业评定", Kind: sheet.Text, Width: 14}, {Header: "证书编号", Kind: sheet.Text, Width: 24},
		{Header: "待重修", Kind: sheet.Int},
	}}
	var data [][]any
	for _, r := range rows {
		outcomes := make([]string, len(r.Outcomes))
		for i, o := range r.Outcomes {
			outcomes[i] = OutcomeNames[o]
		}
		data = append(data, []any{r.Name, r.Unit, r.Post, r.Rank, r.Required, r.Hours, strings.Join(r.Classes, "；"), strings.Join(outcomes, "；"),
			strings.Join(r.Certificates, "；"), r.RetakesOpen})
	}
	return write(out, t, data)
}

// FiguresTitle is the figures' title for a year.
func FiguresTitle(year string) string { return year + "年度干部教育培训统计" }

// WriteFigures writes a year's figures: per class, then per unit, then
// per rank, and the total, each line with its 重修 reasons.
func WriteFigures(out io.Writer, unit string, now time.Time, f *training.Figures) error {
	cols := []sheet.Column{{Header: "分组", Kind: sheet.Text, Width: 8}, {Header: "名称", Kind: sheet.Text, Width: 28},
		{Header: "参训人数", Kind: sheet.Int}, {Header: "到课人数", Kind: sheet.Int}, {Header: "学时合计", Kind: sheet.Int},
		{Header: "优秀", Kind: sheet.Int}, {Header: "合格", Kind: sheet.Int}, {Header: "重修", Kind: sheet.Int}}
	for _, r := range training.RetakeReasons {
		cols = append(cols, sheet.Column{Header: "重修：" + ReasonNames[r], Kind: sheet.Int})
	}
	var data [][]any
	line := func(group string, c training.Counts) {
		row := []any{group, c.Label, c.Enrolled, c.Attended, c.Hours, c.Excellent, c.Pass, c.Retake}
		for _, r := range training.RetakeReasons {
			row = append(row, c.Reasons[r])
		}
		data = append(data, row)
	}
	for _, g := range []struct {
		name string
		list []training.Counts
	}{{"班次", f.Classes}, {"单位", f.Units}, {"职级", f.Ranks}} {
		for _, c := range g.list {
			line(g.name, c)
		}
	}
	line("合计", f.Total)
	return write(out, sheet.Table{Title: FiguresTitle(f.Year), Unit: unit, Date: now, Columns: cols}, data)
}
