package web

import (
	"errors"
	"net/http"
	"strings"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/sheet"
	"shanzhi/internal/survey"
	"shanzhi/internal/surveysheet"
)

// Answers gathered on paper or typed into Excel by the staff who phoned,
// interviewed or visited come in as a sheet: one row per respondent, a
// 渠道 column, a 受访人 column for a named survey, and one column per
// question headed by its text.

// answerColumns are the sheet's columns for the live version of s.
func answerColumns(s *survey.Survey) []string {
	cols := []string{"渠道|收集渠道"}
	if !s.Anonymous {
		cols = append(cols, "受访人|受访人姓名|姓名")
	}
	for _, q := range s.Live {
		cols = append(cols, q.Label)
	}
	return cols
}

type answerImportView struct {
	S       *survey.Survey
	Rows    []talentImportLine
	Error   string
	Done    int
	Checked bool
	Failed  int
}

// surveyImport enters answers from a sheet: 检查 checks every row and
// lists the problems beside their lines; 导入 stores the whole sheet in
// one go when every row passes, and nothing otherwise.
func (w *Web) surveyImport(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	s, err := w.surveyOf(r, a, access.SurveyEnter)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "survey.page.import", "surveys")
	v.Crumbs = []crumb{{Label: v.T("survey.page.list"), Href: "/surveys?region=" + s.Region}, {Label: s.Title, Href: surveyPath(s.ID)}, {Label: v.T("survey.page.import")}}
	d := &answerImportView{S: s}
	v.Data = d
	if r.Method != http.MethodPost {
		w.render(rw, http.StatusOK, "survey_import", v)
		return
	}
	cols := answerColumns(s)
	var ins []survey.AnswerInput
	name, data, err := w.upload(r)
	if err == nil {
		err = w.eachSheetRow(name, data, cols, "survey.import.no_header", func(line int, cell func(string) string) {
			in := survey.AnswerInput{Channel: survey.ChannelNamed(cell(cols[0]), surveysheet.ChannelNames), Values: map[string][]string{}}
			if !s.Anonymous {
				in.Respondent = cell(cols[1])
			}
			for _, q := range s.Live {
				if vals := q.FromText(cell(q.Label)); len(vals) > 0 {
					in.Values[q.Key] = vals
				}
			}
			l := talentImportLine{Line: line, Name: in.Respondent, OK: true}
			_, cerr := survey.Check(s.Live, s.Anonymous, in)
			if in.Channel == "" {
				cerr = fault.OnField(fault.Invalid, "channel", "survey.answer.channel_invalid")
			}
			if cerr != nil {
				l.OK, l.Problem = false, problemText(v, cerr)
				d.Failed++
			}
			d.Rows = append(d.Rows, l)
			ins = append(ins, in)
		})
	}
	if err == nil && len(ins) == 0 {
		err = fault.OnField(fault.Invalid, "file", "org.import.empty")
	}
	commit := r.FormValue("mode") == "import"
	if err == nil && d.Failed == 0 && commit {
		d.Done, err = w.Surveys.EnterMany(r.Context(), a, s.ID, ins)
	}
	status := http.StatusOK
	switch {
	case err != nil:
		status, d.Error, _ = refusal(v, err, "")
		d.Done = 0
	case d.Failed > 0:
		status, d.Error = http.StatusUnprocessableEntity, v.T("survey.import.problems", d.Failed)
	default:
		d.Checked = !commit
	}
	w.render(rw, status, "survey_import", v)
}

// problemText joins an error's field messages, which name their question.
func problemText(v *view, err error) string {
	_, msg, _ := refusal(v, err, "")
	var parts []string
	var fe *fault.Error
	if errors.As(err, &fe) {
		for _, f := range fe.Fields {
			parts = append(parts, v.M(f.Msg))
		}
	}
	if len(parts) == 0 {
		return msg
	}
	return strings.Join(parts, "；")
}

// surveyImportTemplate sends the sheet to fill in: the columns of the
// live version and one example row.
func (w *Web) surveyImportTemplate(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	s, err := w.surveyOf(r, a, access.SurveyEnter)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	var cols []sheet.Column
	example := []any{surveysheet.ChannelNames[survey.Phone]}
	for _, c := range answerColumns(s) {
		cols = append(cols, sheet.Column{Header: strings.Split(c, "|")[0], Kind: sheet.Text, Width: 16})
	}
	if !s.Anonymous {
		example = append(example, "张三")
	}
	for _, q := range s.Live {
		var cell string
		switch ch := q.Choices(); {
		case q.Kind == survey.Multiple && len(ch) > 1:
			cell = ch[0].Label + "、" + ch[1].Label
		case len(ch) > 0:
			cell = ch[0].Label
		case q.Kind == survey.Number:
			cell = "0"
		}
		example = append(example, cell)
	}
	w.sendSheet(rw, r, sheet.Table{Title: s.Title + "答卷录入模板", Unit: s.RegionName, Columns: cols}, s.Title+"答卷录入模板", "survey-answers-template.xlsx", [][]any{example})
}
