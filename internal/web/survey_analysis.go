package web

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/server"
	"shanzhi/internal/survey"
	"shanzhi/internal/surveysheet"
)

type analysisView struct {
	S         *survey.Survey
	A         *survey.Analysis
	Choice    []survey.Question // the questions a cross-tabulation can use
	Row, Col  string
	Cross     *crossView
	Ranking   []rankGroup
	CrossErr  string
	MaxCounts map[string]int // per question, the largest option count, for scaling bars
}

type crossView struct {
	T         *survey.CrossTab
	ColLabels []string
	Rows      []crossRow
}

type crossRow struct {
	Label string
	Cells []int
	Total int
}

// rankGroup is one stratum of the ranked list, as the page draws it.
type rankGroup struct {
	Rank, Sector string
	Respondents  int
	Items        []survey.RankedItem
}

// surveyAnalysis draws a survey's figures: answers by channel, each
// question's options as bars, a cross-tabulation of two questions picked
// on the page, and for a needs survey the ranked list of lacking
// competencies per rank and sector. Bars are SVG, so the page needs no
// script and prints.
func (w *Web) surveyAnalysis(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	d := &analysisView{MaxCounts: map[string]int{}}
	var err error
	var id int64
	if d.S, err = w.surveyOf(r, a, access.SurveyRead); err == nil {
		id = d.S.ID
		d.A, err = w.Surveys.Analyze(r.Context(), a, id)
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "survey.page.analysis", "surveys")
	v.Title = d.S.Title + " · " + v.T("survey.page.analysis")
	v.Crumbs = []crumb{{Label: v.T("survey.page.list"), Href: "/surveys?region=" + d.S.Region}, {Label: d.S.Title, Href: surveyPath(id)}, {Label: v.T("survey.page.analysis")}}
	for _, st := range d.A.Questions {
		for _, o := range st.Options {
			d.MaxCounts[st.Question.Key] = max(d.MaxCounts[st.Question.Key], o.Count)
		}
		if st.Question.Kind.Choice() {
			d.Choice = append(d.Choice, st.Question)
		}
	}
	d.Row, d.Col = r.URL.Query().Get("row"), r.URL.Query().Get("col")
	if d.Row == "" && d.Col == "" && len(d.Choice) >= 2 {
		d.Row, d.Col = d.Choice[0].Key, d.Choice[len(d.Choice)-1].Key
		if _, ok := d.S.Question(survey.NeedsLacking); ok {
			d.Row, d.Col = survey.NeedsRank, survey.NeedsLacking
		}
	}
	if d.Row != "" || d.Col != "" {
		ct, err := w.Surveys.Cross(r.Context(), a, id, d.Row, d.Col)
		switch {
		case fault.Is(err, fault.Invalid):
			_, d.CrossErr, _ = refusal(v, err, "")
		case err != nil:
			w.fail(rw, r, err)
			return
		default:
			d.Cross = crossOf(ct)
		}
	}
	if _, ok := d.S.Question(survey.NeedsLacking); ok {
		items, err := w.Surveys.NeedsRanking(r.Context(), a, id)
		if err != nil && !fault.Is(err, fault.Invalid) {
			w.fail(rw, r, err)
			return
		}
		d.Ranking = rankGroups(items)
	}
	v.Data = d
	w.render(rw, http.StatusOK, "survey_analysis", v)
}

func crossOf(ct *survey.CrossTab) *crossView {
	c := &crossView{T: ct}
	for _, o := range ct.Col.Choices() {
		c.ColLabels = append(c.ColLabels, o.Label)
	}
	for i, o := range ct.Row.Choices() {
		row := crossRow{Label: o.Label, Cells: ct.Counts[i]}
		for _, n := range row.Cells {
			row.Total += n
		}
		c.Rows = append(c.Rows, row)
	}
	return c
}

// rankTop is how many competencies of a stratum the page lists; the
// workbook has them all.
const rankTop = 10

// rankGroups splits the ranked list by stratum, keeping each stratum's
// first rankTop.
func rankGroups(items []survey.RankedItem) []rankGroup {
	var out []rankGroup
	for _, it := range items {
		if n := len(out); n == 0 || out[n-1].Rank != it.Rank || out[n-1].Sector != it.Sector {
			out = append(out, rankGroup{Rank: it.Rank, Sector: it.Sector, Respondents: it.Respondents})
		}
		if g := &out[len(out)-1]; len(g.Items) < rankTop {
			g.Items = append(g.Items, it)
		}
	}
	return out
}

// surveyExport sends one of a survey's workbooks: the raw answers, the
// analysis, or a needs survey's ranked list.
func (w *Web) surveyExport(kind string) func(http.ResponseWriter, *http.Request, *access.Actor) {
	return func(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
		var buf bytes.Buffer
		s, err := w.surveyOf(r, a, access.SurveyRead)
		if err == nil {
			err = server.Limited(w.Limits.Export, fmt.Sprint(a.UserID))
		}
		if err == nil {
			err = surveysheet.Write(r.Context(), w.Surveys, a, kind, s, s.RegionName, w.Now(), &buf)
		}
		if err != nil {
			w.fail(rw, r, err)
			return
		}
		attachment(rw, s.Title+surveysheet.Names[kind]+".xlsx", "survey-"+strconv.FormatInt(s.ID, 10)+"-"+kind+".xlsx")
		rw.Write(buf.Bytes())
	}
}
