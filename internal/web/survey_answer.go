package web

import (
	"errors"
	"net/http"
	"net/url"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/server"
	"shanzhi/internal/survey"
)

// The answer forms: the public questionnaire behind the link and QR code
// (问卷调查), the staff form for answers gathered by phone, interview and
// visit (a phone's screen during a visit is the form's size), and the
// builder's preview. All three draw the questions with one template.

type answerView struct {
	S        *survey.Survey
	Qs       []questionView
	Action   string // "" for the preview, which cannot be sent
	Staff    bool   // the staff form: channel and, for a named survey, the respondent
	Channels []option
	Channel  string
	Name     string
	Error    string
	Closed   bool
	Done     bool // the public form after an answer went in
}

type questionView struct {
	Q       survey.Question
	Field   string
	Choices []option
	Value   string
	Error   string
}

// answerForm lays the questions out with the values and errors of the
// form just sent.
func answerForm(v *view, s *survey.Survey, qs []survey.Question, r *http.Request, err error) *answerView {
	d := &answerView{S: s, Closed: s.Status != survey.Open, Name: r.FormValue("respondent")}
	var fe *fault.Error
	errors.As(err, &fe)
	if fe != nil {
		d.Error = v.M(fe.Msg)
	}
	for _, q := range qs {
		qv := questionView{Q: q, Field: "q_" + q.Key}
		picked := map[string]bool{}
		if r.Method == http.MethodPost && fe != nil {
			for _, x := range r.Form[qv.Field] {
				picked[x] = true
			}
			qv.Value = r.FormValue(qv.Field)
		}
		for _, o := range q.Choices() {
			qv.Choices = append(qv.Choices, option{Value: o.Key, Label: o.Label, Checked: picked[o.Key]})
		}
		if fe != nil {
			for _, f := range fe.Fields {
				if f.Name == qv.Field {
					qv.Error = v.M(f.Msg)
				}
			}
		}
		d.Qs = append(d.Qs, qv)
	}
	return d
}

// readAnswer reads an answer form: per question, every value sent under
// its field.
func readAnswer(r *http.Request, qs []survey.Question) survey.AnswerInput {
	in := survey.AnswerInput{Channel: survey.Channel(r.FormValue("channel")), Respondent: r.FormValue("respondent"), Values: map[string][]string{}}
	for _, q := range qs {
		if vals := r.Form["q_"+q.Key]; len(vals) > 0 {
			in.Values[q.Key] = vals
		}
	}
	return in
}

// surveyPublic is the online questionnaire behind the public link: no
// account, rate-limited per client address like the other public forms,
// and for an anonymous survey nothing about the respondent is kept.
func (w *Web) surveyPublic(rw http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	s, err := w.Surveys.Public(r.Context(), token)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "survey.page.public", "")
	v.Title = s.Title
	var sendErr error
	if r.Method == http.MethodPost {
		sendErr = w.parseForm(rw, r)
		if sendErr == nil {
			sendErr = server.Limited(w.Limits.Card, "survey:"+access.RequestFrom(r.Context()).ClientKey())
		}
		if sendErr == nil {
			in := readAnswer(r, s.Live)
			if _, sendErr = w.Surveys.AnswerPublic(r.Context(), token, in); sendErr == nil {
				seeOther(rw, r, "/s/"+url.PathEscape(token), "survey_thanks")
				return
			}
		}
		if c := fault.CodeOf(sendErr); c != fault.Invalid && c != fault.TooMany {
			w.fail(rw, r, sendErr)
			return
		}
	}
	d := answerForm(v, s, s.Live, r, sendErr)
	d.Action = "/s/" + url.PathEscape(token)
	d.Done = v.Flash != ""
	w.renderAnswer(rw, v, d, sendErr)
}

// renderAnswer draws an answer form, with the status of the refusal it
// carries.
func (w *Web) renderAnswer(rw http.ResponseWriter, v *view, d *answerView, sendErr error) {
	v.Data = d
	status := http.StatusOK
	if sendErr != nil {
		status = fault.HTTPStatus(fault.CodeOf(sendErr))
	}
	w.render(rw, status, "survey_answer", v)
}

// surveyEnter is the staff form: an answer gathered by phone, in an
// interview or on a visit, entered with its channel. After each answer
// it comes back empty with the same channel, for the next one.
func (w *Web) surveyEnter(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	s, err := w.surveyOf(r, a, access.SurveyEnter)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	id := s.ID
	v := w.newView(r, "survey.page.enter", "surveys")
	v.Crumbs = []crumb{{Label: v.T("survey.page.list"), Href: "/surveys?region=" + s.Region}, {Label: s.Title, Href: surveyPath(s.ID)}, {Label: v.T("survey.page.enter")}}
	var sendErr error
	if r.Method == http.MethodPost {
		if _, sendErr = w.Surveys.Enter(r.Context(), a, id, readAnswer(r, s.Live)); sendErr == nil {
			seeOther(rw, r, surveyPath(id)+"/enter?channel="+url.QueryEscape(r.FormValue("channel")), "survey_entered")
			return
		}
		if c := fault.CodeOf(sendErr); c != fault.Invalid {
			w.fail(rw, r, sendErr)
			return
		}
	}
	d := answerForm(v, s, s.Live, r, sendErr)
	d.Action, d.Staff, d.Channel = surveyPath(id)+"/enter", true, r.FormValue("channel")
	for _, c := range survey.StaffChannels {
		d.Channels = append(d.Channels, option{Value: string(c), Label: v.T("survey.channel." + string(c)), Checked: string(c) == d.Channel})
	}
	w.renderAnswer(rw, v, d, sendErr)
}

// surveyPreview shows the draft as a respondent will see it, on a phone's
// width, without a way to send it.
func (w *Web) surveyPreview(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	s, err := w.surveyOf(r, a, access.SurveyRead)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "survey.page.preview", "surveys")
	v.Title = v.T("survey.page.preview") + "：" + s.Title
	v.Crumbs = []crumb{{Label: v.T("survey.page.list"), Href: "/surveys?region=" + s.Region}, {Label: s.Title, Href: surveyPath(s.ID)}, {Label: v.T("survey.page.preview")}}
	d := answerForm(v, s, s.Questions, r, nil)
	d.Closed = false
	v.Data = d
	w.render(rw, http.StatusOK, "survey_answer", v)
}
