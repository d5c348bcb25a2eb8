package web

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"shanzhi/internal/access"
	"shanzhi/internal/document"
	"shanzhi/internal/fault"
	"shanzhi/internal/server"
	"shanzhi/internal/survey"
)

// The survey pages (问卷调查): the organisation department builds a
// questionnaire, publishes it, shares its link and QR code, enters the
// answers its staff gather by phone, interview and visit, watches the
// quotas fill, and reads the figures.

type surveysView struct {
	Region, RegionName string
	Rows               []survey.Survey
	CanManage          bool
}

// surveys lists the questionnaires of a region.
func (w *Web) surveys(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	code, err := talentRegion(r, a, access.SurveyRead)
	d := &surveysView{Region: code, CanManage: survey.CanManage(a, code)}
	if err == nil {
		if d.RegionName, err = w.regionTitle(r, a, code); err == nil {
			d.Rows, err = w.Surveys.List(r.Context(), a, survey.Filter{Region: code})
		}
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "survey.page.list", "surveys")
	v.Crumbs = []crumb{{Label: v.T("survey.page.list")}}
	v.Data = d
	w.render(rw, http.StatusOK, "survey_list", v)
}

// surveyNew starts a questionnaire in the region of ?region=: blank, or
// from the needs survey's template.
func (w *Web) surveyNew(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	code, err := talentRegion(r, a, access.SurveyManage)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "survey.page.new", "surveys")
	v.Crumbs = []crumb{{Label: v.T("survey.page.list"), Href: "/surveys?region=" + code}, {Label: v.T("survey.page.new")}}
	f := &form{Action: r.URL.RequestURI(), Submit: v.T("action.save"), Cancel: "/surveys?region=" + code, Intro: v.T("survey.intro.new"), Fields: []field{
		{Name: "template", Label: v.T("survey.field.template"), Type: "select", Value: r.FormValue("template"),
			Options: []option{{Value: "", Label: v.T("survey.template.blank")}, {Value: survey.TemplateNeeds, Label: v.T("survey.template.needs")}}},
		{Name: "title", Label: v.T("survey.field.title"), Type: "text", Value: r.FormValue("title"), MaxLen: survey.MaxTitle, Help: v.T("survey.help.title")},
		{Name: "anonymous", Label: v.T("survey.field.anonymous"), Type: "checkboxes", Options: []option{{Value: "1", Label: v.T("survey.anonymous"), Checked: r.Method != http.MethodPost || r.FormValue("anonymous") != ""}}},
	}}
	if r.Method != http.MethodPost {
		w.showForm(rw, v, f)
		return
	}
	in := survey.Input{Region: code, Title: r.FormValue("title"), Anonymous: r.FormValue("anonymous") != ""}
	s, err := w.Surveys.Create(r.Context(), a, in, r.FormValue("template"))
	if err != nil {
		w.formOrFail(rw, r, v, f, err)
		return
	}
	seeOther(rw, r, surveyPath(s.ID), "saved")
}

// surveyOf loads the survey of the path for a page that needs p at the
// survey's region; the store has already hidden a survey the actor may
// neither read nor enter answers for.
func (w *Web) surveyOf(r *http.Request, a *access.Actor, p access.Permission) (*survey.Survey, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	s, err := w.Surveys.Survey(r.Context(), a, id)
	if err == nil && !a.Can(p, s.Region) {
		return nil, fault.E(fault.Forbidden, "error.forbidden")
	}
	return s, err
}

func surveyPath(id int64) string { return "/surveys/" + strconv.FormatInt(id, 10) }

type surveyView struct {
	S          *survey.Survey
	Link       string // the public link, for those who manage it
	Sampling   *survey.Sampling
	CanManage  bool
	CanEnter   bool
	Kinds      []option
	Strata     []survey.Question // single-choice questions a quota can stratify by
	Cells      []quotaCell       // every stratum of the chosen strata, to set targets
	Slots      []strataSlot      // the strata pickers
	Error      string
	Problems   []string
	Changed    bool // the draft differs from the live version
	HasRanking bool
}

type strataSlot struct {
	N       int
	Current string
}

type quotaCell struct {
	Key, Label string
	Target     int
}

// surveyShow is a questionnaire's page: its status and link, the draft's
// questions with the builder, the quotas and their progress.
func (w *Web) surveyShow(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	w.showSurvey(rw, r, a, nil)
}

func (w *Web) showSurvey(rw http.ResponseWriter, r *http.Request, a *access.Actor, actErr error) {
	id, err := pathID(r, "id")
	var s *survey.Survey
	var smp *survey.Sampling
	if err == nil {
		if s, err = w.Surveys.Survey(r.Context(), a, id); err == nil && survey.CanRead(a, s.Region) {
			smp, err = w.Surveys.Sampling(r.Context(), a, id)
		}
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "survey.page.show", "surveys")
	v.Title = s.Title
	v.Crumbs = []crumb{{Label: v.T("survey.page.list"), Href: "/surveys?region=" + s.Region}, {Label: s.Title}}
	d := &surveyView{S: s, Sampling: smp, CanManage: survey.CanManage(a, s.Region), CanEnter: survey.CanEnter(a, s.Region)}
	if d.CanManage {
		d.Link = w.publicBase(r) + "/s/" + url.PathEscape(s.Token)
	}
	for _, k := range survey.Kinds {
		d.Kinds = append(d.Kinds, option{Value: string(k), Label: v.T("survey.kind." + string(k))})
	}
	for _, q := range surveyQuestions(s) {
		if q.Kind == survey.Single {
			d.Strata = append(d.Strata, q)
		}
	}
	d.Cells = quotaCells(s, smp)
	for i := range survey.MaxStrata {
		slot := strataSlot{N: i + 1}
		if smp != nil && i < len(smp.Strata) {
			slot.Current = smp.Strata[i]
		}
		d.Slots = append(d.Slots, slot)
	}
	d.Changed = s.Version == 0 || !sameQuestions(s.Questions, s.Live)
	_, hasRank := s.Question(survey.NeedsRank)
	_, hasLack := s.Question(survey.NeedsLacking)
	d.HasRanking = hasRank && hasLack
	// The messages name their question or field themselves.
	status, msg, _ := refusal(v, actErr, "")
	d.Error = msg
	var fe *fault.Error
	if errors.As(actErr, &fe) {
		for _, f := range fe.Fields {
			d.Problems = append(d.Problems, v.M(f.Msg))
		}
	}
	v.Data = d
	w.render(rw, status, "survey_show", v)
}

// surveyQuestions are the questions the figures and quotas go by: the
// live version's, or the draft's before the first publication.
func surveyQuestions(s *survey.Survey) []survey.Question {
	if s.Version == 0 {
		return s.Questions
	}
	return s.Live
}

func sameQuestions(a, b []survey.Question) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.Key != y.Key || x.Kind != y.Kind || x.Label != y.Label || x.Required != y.Required || x.Min != y.Min || x.Max != y.Max || len(x.Options) != len(y.Options) {
			return false
		}
		for j := range x.Options {
			if x.Options[j] != y.Options[j] {
				return false
			}
		}
	}
	return true
}

// quotaCells lists every stratum of the survey's strata questions with
// its target, so the quota form can show one box per stratum.
func quotaCells(s *survey.Survey, smp *survey.Sampling) []quotaCell {
	if smp == nil || len(smp.Strata) == 0 {
		return nil
	}
	targets := map[string]int{}
	for _, q := range smp.Quotas {
		targets[strings.Join(q.Cell, "|")] = q.Target
	}
	cells := []quotaCell{{}}
	for _, k := range smp.Strata {
		q, _ := s.Question(k)
		var next []quotaCell
		for _, c := range cells {
			for _, o := range q.Choices() {
				n := quotaCell{Key: o.Key, Label: o.Label}
				if c.Key != "" {
					n = quotaCell{Key: c.Key + "|" + o.Key, Label: c.Label + " × " + o.Label}
				}
				next = append(next, n)
			}
		}
		cells = next
	}
	for i := range cells {
		cells[i].Target = targets[cells[i].Key]
	}
	return cells
}

// publicBase is the address the public link starts with, as the request
// reached the server.
func (w *Web) publicBase(r *http.Request) string {
	scheme := "http"
	if server.IsHTTPS(r) {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// surveyAct runs a change of the survey in the path and returns to its
// page, or shows the page with the refusal.
func (w *Web) surveyAct(act func(r *http.Request, a *access.Actor, id int64) error) func(http.ResponseWriter, *http.Request, *access.Actor) {
	return func(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
		id, err := pathID(r, "id")
		if err == nil {
			err = act(r, a, id)
		}
		w.afterAct(rw, r, err, surveyPath(id), "saved", func(err error) { w.showSurvey(rw, r, a, err) })
	}
}

// draftChange loads the survey, lets change edit its draft, and saves it.
func (w *Web) draftChange(change func(r *http.Request, in *survey.Input) error) func(r *http.Request, a *access.Actor, id int64) error {
	return func(r *http.Request, a *access.Actor, id int64) error {
		s, err := w.Surveys.Survey(r.Context(), a, id)
		if err != nil {
			return err
		}
		in := s.Input
		in.Questions = append([]survey.Question(nil), s.Questions...)
		if err := change(r, &in); err != nil {
			return err
		}
		_, err = w.Surveys.Update(r.Context(), a, id, in)
		return err
	}
}

// surveySettings changes the title, introduction and anonymity.
func surveySettings(r *http.Request, in *survey.Input) error {
	in.Title, in.Intro, in.Anonymous = r.FormValue("title"), r.FormValue("intro"), r.FormValue("anonymous") != ""
	return nil
}

// surveyAddQuestion adds a question from the builder's form, keyed by
// the first free qN.
func surveyAddQuestion(r *http.Request, in *survey.Input) error {
	q := survey.Question{Kind: survey.Kind(r.FormValue("kind"))}
	taken := map[string]bool{}
	for _, x := range in.Questions {
		taken[x.Key] = true
	}
	for n := len(in.Questions) + 1; ; n++ {
		if q.Key = "q" + strconv.Itoa(n); !taken[q.Key] {
			break
		}
	}
	if err := readQuestion(r, &q); err != nil {
		return err
	}
	in.Questions = append(in.Questions, q)
	return nil
}

// surveyEditQuestion changes the text, options, bounds and requiredness
// of the draft's question of the form's key; its key and kind stay.
func surveyEditQuestion(r *http.Request, in *survey.Input) error {
	i, err := surveyQuestionAt(r, in)
	if err != nil {
		return err
	}
	q := survey.Question{Key: in.Questions[i].Key, Kind: in.Questions[i].Kind}
	if err := readQuestion(r, &q); err != nil {
		return err
	}
	in.Questions[i] = q
	return nil
}

// readQuestion reads a question form into q: options one per line, keyed
// by their place unless written "key=label", so an edit keeps the keys
// answers are counted under.
func readQuestion(r *http.Request, q *survey.Question) error {
	q.Label, q.Required = r.FormValue("label"), r.FormValue("required") != ""
	var fs fault.Fields
	for _, b := range []struct {
		name string
		dst  *int64
	}{{"min", &q.Min}, {"max", &q.Max}} {
		if s := strings.TrimSpace(r.FormValue(b.name)); s != "" {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				fs.Add(b.name, "survey.question.bound_invalid")
			}
			*b.dst = n
		}
	}
	if err := fs.Err(); err != nil {
		return err
	}
	n := 0
	for _, line := range strings.Split(r.FormValue("options"), "\n") {
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		n++
		o := survey.Option{Key: strconv.Itoa(n), Label: line}
		if k, l, ok := strings.Cut(line, "="); ok {
			o = survey.Option{Key: strings.TrimSpace(k), Label: l}
		}
		q.Options = append(q.Options, o)
	}
	return nil
}

// surveyQuestionEdit is the form that edits one question of the draft.
func (w *Web) surveyQuestionEdit(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	s, err := w.surveyOf(r, a, access.SurveyManage)
	var q survey.Question
	if err == nil {
		var i int
		i, err = surveyQuestionAt(r, &s.Input)
		if err == nil {
			q = s.Questions[i]
		}
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "survey.page.question", "surveys")
	v.Crumbs = []crumb{{Label: v.T("survey.page.list"), Href: "/surveys?region=" + s.Region}, {Label: s.Title, Href: surveyPath(s.ID)}, {Label: v.T("survey.page.question")}}
	var lines []string
	for _, o := range q.Options {
		lines = append(lines, o.Key+"="+o.Label)
	}
	bound := func(n int64) string {
		if q.Kind == survey.Number || q.Kind == survey.Rating {
			return strconv.FormatInt(n, 10)
		}
		return ""
	}
	f := &form{Action: r.URL.RequestURI(), Submit: v.T("action.save"), Cancel: surveyPath(s.ID), Intro: v.T("survey.intro.question", v.T("survey.kind."+string(q.Kind))), Fields: []field{
		{Name: "key", Type: "hidden", Value: q.Key},
		{Name: "label", Label: v.T("survey.field.label"), Type: "text", Value: q.Label, Required: true, MaxLen: survey.MaxLabel},
		{Name: "options", Label: v.T("survey.field.options"), Type: "textarea", Value: strings.Join(lines, "\n"), Help: v.T("survey.help.options")},
		{Name: "min", Label: v.T("survey.field.min"), Type: "text", InputMode: "numeric", Value: bound(q.Min)},
		{Name: "max", Label: v.T("survey.field.max"), Type: "text", InputMode: "numeric", Value: bound(q.Max), Help: v.T("survey.help.bounds")},
		{Name: "required", Label: v.T("survey.field.required"), Type: "checkboxes", Options: []option{{Value: "1", Label: v.T("survey.field.required"), Checked: q.Required}}},
	}}
	if r.Method != http.MethodPost {
		w.showForm(rw, v, f)
		return
	}
	for i := range f.Fields {
		switch fl := &f.Fields[i]; fl.Name {
		case "label", "options", "min", "max":
			fl.Value = r.FormValue(fl.Name)
		case "required":
			fl.Options[0].Checked = r.FormValue("required") != ""
		}
	}
	if err := w.draftChange(surveyEditQuestion)(r, a, s.ID); err != nil {
		w.formOrFail(rw, r, v, f, err)
		return
	}
	seeOther(rw, r, surveyPath(s.ID), "saved")
}

// surveyQuestionAt finds the question of the form's key in the draft.
func surveyQuestionAt(r *http.Request, in *survey.Input) (int, error) {
	key := r.FormValue("key")
	for i, q := range in.Questions {
		if q.Key == key {
			return i, nil
		}
	}
	return 0, fault.OnField(fault.Invalid, "key", "survey.question.not_in_draft")
}

// surveyRemoveQuestion takes a question out of the draft.
func surveyRemoveQuestion(r *http.Request, in *survey.Input) error {
	i, err := surveyQuestionAt(r, in)
	if err == nil {
		in.Questions = append(in.Questions[:i], in.Questions[i+1:]...)
	}
	return err
}

// surveyMoveQuestion moves a question of the draft one place up.
func surveyMoveQuestion(r *http.Request, in *survey.Input) error {
	i, err := surveyQuestionAt(r, in)
	if err == nil && i > 0 {
		in.Questions[i-1], in.Questions[i] = in.Questions[i], in.Questions[i-1]
	}
	return err
}

func (w *Web) surveyPublish(r *http.Request, a *access.Actor, id int64) error {
	_, err := w.Surveys.Publish(r.Context(), a, id)
	return err
}

func (w *Web) surveyStatus(st survey.Status) func(r *http.Request, a *access.Actor, id int64) error {
	return func(r *http.Request, a *access.Actor, id int64) error {
		_, err := w.Surveys.SetStatus(r.Context(), a, id, st)
		return err
	}
}

// surveyQuotas sets the strata (the form's strata fields) and, when they
// stay as they were, a target per stratum (t_<cell>); a stratum left
// empty or at 0 has no quota.
func (w *Web) surveyQuotas(r *http.Request, a *access.Actor, id int64) error {
	var strata []string
	for _, k := range r.Form["strata"] {
		if k = strings.TrimSpace(k); k != "" {
			strata = append(strata, k)
		}
	}
	var quotas []survey.Quota
	for name, vals := range r.Form {
		cell, ok := strings.CutPrefix(name, "t_")
		if !ok || len(vals) == 0 || strings.TrimSpace(vals[0]) == "" || strings.TrimSpace(vals[0]) == "0" {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(vals[0]))
		if err != nil {
			return fault.OnField(fault.Invalid, "quotas", "survey.quota.target_invalid", strings.ReplaceAll(cell, "|", "×"))
		}
		quotas = append(quotas, survey.Quota{Cell: strings.Split(cell, "|"), Target: n})
	}
	cur, err := w.Surveys.Sampling(r.Context(), a, id)
	if err != nil {
		return err
	}
	if strings.Join(cur.Strata, ",") != strings.Join(strata, ",") {
		quotas = nil // new strata start with no targets: the old cells mean nothing under them
	}
	_, err = w.Surveys.SetQuotas(r.Context(), a, id, strata, quotas)
	return err
}

type posterView struct {
	S    *survey.Survey
	Link string
	QR   template.URL
}

// surveyPoster is the printable A4 notice of an open survey: its title,
// introduction, QR code and link, to post or hand out.
func (w *Web) surveyPoster(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	s, err := w.surveyOf(r, a, access.SurveyManage)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	d := &posterView{S: s, Link: w.publicBase(r) + "/s/" + url.PathEscape(s.Token)}
	if d.QR, err = document.QRDataURL(d.Link); err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "survey.page.poster", "surveys")
	v.Title = s.Title
	v.Crumbs = []crumb{{Label: v.T("survey.page.list"), Href: "/surveys?region=" + s.Region}, {Label: s.Title, Href: surveyPath(s.ID)}, {Label: v.T("survey.page.poster")}}
	v.Data = d
	w.render(rw, http.StatusOK, "survey_poster", v)
}
