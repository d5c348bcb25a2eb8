// Package surveysheet writes a survey's xlsx workbooks: the raw answers,
// one row per respondent and one column per question; the analysis, one
// row per option; and a needs survey's ranked list. The pages and the
// JSON API send the same files.
package surveysheet

import (
	"context"
	"io"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/sheet"
	"shanzhi/internal/survey"
)

// ChannelNames are the channels as the workbooks and pages name them.
var ChannelNames = map[survey.Channel]string{
	survey.Online:    "问卷调查",
	survey.Phone:     "电话沟通",
	survey.Interview: "面谈交流",
	survey.Visit:     "深入走访",
}

// questions are the questions a survey's workbooks are laid out by: the
// live version's, or the draft's before publication.
func questions(s *survey.Survey) []survey.Question {
	if s.Version == 0 {
		return s.Questions
	}
	return s.Live
}

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

// Answers writes the raw answers: when, channel, who entered it, the
// respondent of a named survey, the version, and each question's answer
// as the respondent chose it (a multiple choice joined with 、).
func Answers(out io.Writer, s *survey.Survey, unit string, now time.Time, rows []survey.AnswerRow) error {
	qs := questions(s)
	cols := []sheet.Column{{Header: "时间", Width: 17}, {Header: "渠道"}, {Header: "录入人"}, {Header: "版本", Kind: sheet.Int}}
	if !s.Anonymous {
		cols = append(cols, sheet.Column{Header: "受访人"})
	}
	for _, q := range qs {
		c := sheet.Column{Header: q.Label, Width: 16}
		if q.Kind == survey.Number {
			c.Kind = sheet.Int
		}
		cols = append(cols, c)
	}
	data := make([][]any, len(rows))
	for i, r := range rows {
		by := r.EnteredBy
		if by == "" {
			by = "受访人自填"
		}
		row := []any{r.At.Format("2006-01-02 15:04"), ChannelNames[r.Channel], by, r.Version}
		if !s.Anonymous {
			row = append(row, r.Respondent)
		}
		for _, q := range qs {
			row = append(row, r.Values[q.Key])
		}
		data[i] = row
	}
	return write(out, sheet.Table{Title: s.Title + "答卷明细", Unit: unit, Date: now, Columns: cols}, data)
}

// Analysis writes the figures: answers by channel, then each question's
// options with counts and shares, a number's or rating's range and mean.
func Analysis(out io.Writer, s *survey.Survey, unit string, now time.Time, a *survey.Analysis) error {
	cols := []sheet.Column{{Header: "题目", Width: 30}, {Header: "选项", Width: 20}, {Header: "人数", Kind: sheet.Int}, {Header: "占比（%）", Kind: sheet.Decimal}}
	rows := [][]any{{"答卷总数", "", a.Total, nil}}
	for _, c := range a.Channels {
		rows = append(rows, []any{"其中：" + ChannelNames[c.Channel], "", c.Count, percent(c.Count, a.Total)})
	}
	for _, st := range a.Questions {
		rows = append(rows, []any{st.Question.Label, "作答人数", st.Answered, nil})
		for _, o := range st.Options {
			rows = append(rows, []any{st.Question.Label, o.Label, o.Count, round1(o.Share * 100)})
		}
		if st.Question.Kind == survey.Number || st.Question.Kind == survey.Rating {
			rows = append(rows, []any{st.Question.Label, "平均值", nil, round1(st.Mean)})
		}
	}
	return write(out, sheet.Table{Title: s.Title + "统计分析", Unit: unit, Date: now, Columns: cols}, rows)
}

// Ranking writes a needs survey's ranked list of lacking competencies per
// rank and sector.
func Ranking(out io.Writer, s *survey.Survey, unit string, now time.Time, items []survey.RankedItem) error {
	cols := []sheet.Column{{Header: "职级"}, {Header: "单位类型"}, {Header: "位次", Kind: sheet.Int}, {Header: "紧缺能力", Width: 24},
		{Header: "提及人数", Kind: sheet.Int}, {Header: "本类受访人数", Kind: sheet.Int}, {Header: "提及率（%）", Kind: sheet.Decimal}}
	rows := make([][]any, len(items))
	for i, it := range items {
		rows[i] = []any{it.Rank, it.Sector, it.Place, it.Competency, it.Count, it.Respondents, round1(it.Share * 100)}
	}
	return write(out, sheet.Table{Title: s.Title + "紧缺能力排序", Unit: unit, Date: now, Columns: cols}, rows)
}

func percent(n, of int) float64 {
	if of == 0 {
		return 0
	}
	return round1(float64(n) * 100 / float64(of))
}

// round1 rounds to one decimal, as the office's tables print shares.
func round1(f float64) float64 {
	if f < 0 {
		return -round1(-f)
	}
	return float64(int64(f*10+0.5)) / 10
}

// Names are the workbooks' names, after the survey's title.
var Names = map[string]string{"answers": "答卷明细", "analysis": "统计分析", "ranking": "紧缺能力排序"}

// Write writes workbook kind ("answers", "analysis" or "ranking") of
// survey s, read from svc as actor a; unit is the 填报单位 line.
func Write(ctx context.Context, svc survey.Service, a *access.Actor, kind string, s *survey.Survey, unit string, now time.Time, out io.Writer) error {
	switch kind {
	case "answers":
		rows, err := svc.Answers(ctx, a, s.ID)
		if err != nil {
			return err
		}
		return Answers(out, s, unit, now, rows)
	case "analysis":
		an, err := svc.Analyze(ctx, a, s.ID)
		if err != nil {
			return err
		}
		return Analysis(out, s, unit, now, an)
	default:
		items, err := svc.NeedsRanking(ctx, a, s.ID)
		if err != nil {
			return err
		}
		return Ranking(out, s, unit, now, items)
	}
}
