package api

import (
	"bytes"
	"net/http"
	"strconv"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/server"
	"shanzhi/internal/survey"
	"shanzhi/internal/surveysheet"
)

// The survey engine's endpoints: questionnaires and their drafts,
// publishing, quotas, answers entered by staff (one or a batch), the
// figures and the workbooks, and the public questionnaire behind its
// link. The bodies are the survey package's own types.

type surveyBody struct {
	survey.Input
	Template string `json:"template"`
}

func (a *API) surveys(r *http.Request, act *access.Actor) (int, any, error) {
	q := r.URL.Query()
	list, err := a.Surveys.List(r.Context(), act, survey.Filter{Region: q.Get("region"), Status: survey.Status(q.Get("status"))})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, items[survey.Survey]{Items: append([]survey.Survey{}, list...)}, nil
}

func (a *API) surveyCreate(r *http.Request, act *access.Actor) (int, any, error) {
	var b surveyBody
	if err := decode(r, &b); err != nil {
		return 0, nil, err
	}
	s, err := a.Surveys.Create(r.Context(), act, b.Input, b.Template)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, s, nil
}

func (a *API) surveyShow(r *http.Request, act *access.Actor) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	s, err := a.Surveys.Survey(r.Context(), act, id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, s, nil
}

func (a *API) surveyUpdate(r *http.Request, act *access.Actor) (int, any, error) {
	id, b, err := idAndBody[survey.Input](r)
	if err != nil {
		return 0, nil, err
	}
	s, err := a.Surveys.Update(r.Context(), act, id, b)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, s, nil
}

// surveyChange publishes, closes or reopens the survey of the path.
func (a *API) surveyChange(change string) func(r *http.Request, act *access.Actor) (int, any, error) {
	return func(r *http.Request, act *access.Actor) (int, any, error) {
		id, err := pathID(r)
		if err != nil {
			return 0, nil, err
		}
		var s *survey.Survey
		switch change {
		case "publish":
			s, err = a.Surveys.Publish(r.Context(), act, id)
		case "close":
			s, err = a.Surveys.SetStatus(r.Context(), act, id, survey.Closed)
		default:
			s, err = a.Surveys.SetStatus(r.Context(), act, id, survey.Open)
		}
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, s, nil
	}
}

type quotasBody struct {
	Strata []string       `json:"strata"`
	Quotas []survey.Quota `json:"quotas"`
}

func (a *API) surveyQuotas(r *http.Request, act *access.Actor) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	smp, err := a.Surveys.Sampling(r.Context(), act, id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, smp, nil
}

func (a *API) surveyQuotasSet(r *http.Request, act *access.Actor) (int, any, error) {
	id, b, err := idAndBody[quotasBody](r)
	if err != nil {
		return 0, nil, err
	}
	smp, err := a.Surveys.SetQuotas(r.Context(), act, id, b.Strata, b.Quotas)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, smp, nil
}

type answerCreated struct {
	ID int64 `json:"id"`
}

func (a *API) surveyEnter(r *http.Request, act *access.Actor) (int, any, error) {
	id, b, err := idAndBody[survey.AnswerInput](r)
	if err != nil {
		return 0, nil, err
	}
	aid, err := a.Surveys.Enter(r.Context(), act, id, b)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, answerCreated{ID: aid}, nil
}

type batchBody struct {
	Answers []survey.AnswerInput `json:"answers"`
}

type batchDone struct {
	Stored int `json:"stored"`
}

func (a *API) surveyEnterMany(r *http.Request, act *access.Actor) (int, any, error) {
	id, b, err := idAndBody[batchBody](r)
	if err != nil {
		return 0, nil, err
	}
	n, err := a.Surveys.EnterMany(r.Context(), act, id, b.Answers)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, batchDone{Stored: n}, nil
}

type answerJSON struct {
	ID         int64             `json:"id"`
	Version    int               `json:"version"`
	Channel    survey.Channel    `json:"channel"`
	EnteredBy  string            `json:"entered_by,omitempty"`
	Respondent string            `json:"respondent,omitempty"`
	At         time.Time         `json:"at"`
	Values     map[string]string `json:"values"`
}

func (a *API) surveyAnswers(r *http.Request, act *access.Actor) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	rows, err := a.Surveys.Answers(r.Context(), act, id)
	if err != nil {
		return 0, nil, err
	}
	out := items[answerJSON]{Items: []answerJSON{}}
	for _, x := range rows {
		out.Items = append(out.Items, answerJSON(x))
	}
	return http.StatusOK, out, nil
}

func (a *API) surveyAnalysis(r *http.Request, act *access.Actor) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	an, err := a.Surveys.Analyze(r.Context(), act, id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, an, nil
}

func (a *API) surveyCross(r *http.Request, act *access.Actor) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	q := r.URL.Query()
	ct, err := a.Surveys.Cross(r.Context(), act, id, q.Get("row"), q.Get("col"))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, ct, nil
}

// surveyRanking ranks the needs survey's lacking competencies per rank
// and sector, or, with ?rank=&sector=&item=, any multiple-choice
// question within the strata of two single-choice ones.
func (a *API) surveyRanking(r *http.Request, act *access.Actor) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	q := r.URL.Query()
	var list []survey.RankedItem
	if q.Get("item") == "" {
		list, err = a.Surveys.NeedsRanking(r.Context(), act, id)
	} else {
		list, err = a.Surveys.Ranking(r.Context(), act, id, q.Get("rank"), q.Get("sector"), q.Get("item"))
	}
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, items[survey.RankedItem]{Items: append([]survey.RankedItem{}, list...)}, nil
}

// surveyExport sends a survey's workbook, the same file as the page's.
func (a *API) surveyExport(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		act, err := a.actor(r)
		var id int64
		var s *survey.Survey
		if err == nil {
			id, err = pathID(r)
		}
		if err == nil {
			s, err = a.Surveys.Survey(r.Context(), act, id)
		}
		if err == nil {
			err = server.Limited(a.Limits.Export, strconv.FormatInt(act.UserID, 10))
		}
		var buf bytes.Buffer
		if err == nil {
			err = surveysheet.Write(r.Context(), a.Surveys, act, kind, s, s.RegionName, time.Now(), &buf)
		}
		if err != nil {
			a.fail(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		w.Header().Set("Content-Disposition", `attachment; filename="survey-`+strconv.FormatInt(id, 10)+"-"+kind+`.xlsx"`)
		w.Header().Set("Cache-Control", "no-store")
		w.Write(buf.Bytes())
	}
}

// surveyPublic returns an open questionnaire by its link's token: its
// live questions, nothing of its figures.
func (a *API) surveyPublic(w http.ResponseWriter, r *http.Request) {
	s, err := a.Surveys.Public(r.Context(), r.PathValue("token"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	write(w, http.StatusOK, s)
}

// surveyPublicAnswer takes an answer through the public link, under the
// same per-address limit as the page's form.
func (a *API) surveyPublicAnswer(w http.ResponseWriter, r *http.Request) {
	var b survey.AnswerInput
	err := server.Limited(a.Limits.Card, "survey:"+access.RequestFrom(r.Context()).ClientKey())
	if err == nil {
		err = decode(r, &b)
	}
	var id int64
	if err == nil {
		id, err = a.Surveys.AnswerPublic(r.Context(), r.PathValue("token"), b)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	write(w, http.StatusCreated, answerCreated{ID: id})
}
