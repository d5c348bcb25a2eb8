package api

import (
	"cmp"
	"net/http"
	"slices"

	"shanzhi/internal/access"
	"shanzhi/internal/server"
	"shanzhi/internal/training"
)

// The attendance endpoints: personal links, the screen's code, the roll
// and leaves for the 班主任; and the trainee's own, public but reached
// only by their link's token.

func (a *API) attendRoutes(rt *server.Router) {
	on := func(p access.Permission, t server.Target) server.Rule { return server.Rule{Perm: p, On: t} }
	attend := on(access.TrainingAttend, server.OnSession)
	rt.HandleFunc("POST /api/v1/training/classes/{id}/links", on(access.TrainingManage, server.OnClass), a.handle(a.trainingLinks))
	rt.HandleFunc("GET /api/v1/training/sessions/{id}/code", attend, a.handle(a.trainingCode))
	rt.HandleFunc("GET /api/v1/training/sessions/{id}/roll", attend, a.handle(a.trainingRoll))
	rt.HandleFunc("PUT /api/v1/training/sessions/{id}/roll", attend, a.handle(a.trainingMarkRoll))
	rt.HandleFunc("POST /api/v1/training/sessions/{id}/leaves", attend, a.handle(a.trainingLeave))
	// A unit's staff read their own cadres' files, hours included.
	rt.HandleFunc("GET /api/v1/cadres/{id}/hours", server.Rule{Perm: access.OrgRead, Or: access.UnitCadres, On: server.OnCadre}, a.handle(a.cadreHours))
	rt.HandleFunc("GET /api/v1/attend/{token}", server.Rule{On: server.Public}, a.attendTrainee)
	rt.HandleFunc("POST /api/v1/attend/{token}/checkins", server.Rule{On: server.Public}, a.attendCheckin)
	rt.HandleFunc("POST /api/v1/attend/{token}/leaves", server.Rule{On: server.Public}, a.attendLeave)
	rt.HandleFunc("GET /api/v1/attend/{token}/ratings", server.Rule{On: server.Public}, a.attendRatings)
	rt.HandleFunc("POST /api/v1/attend/{token}/ratings", server.Rule{On: server.Public}, a.attendRate)
}

func (a *API) trainingLinks(r *http.Request, act *access.Actor) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	ls, err := a.Training.IssueLinks(r.Context(), act, id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, items[training.Link]{Items: append([]training.Link{}, ls...)}, nil
}

func (a *API) trainingCode(r *http.Request, act *access.Actor) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	s, err := a.Training.ScreenCode(r.Context(), act, id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, s, nil
}

func (a *API) trainingRoll(r *http.Request, act *access.Actor) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	roll, err := a.Training.Roll(r.Context(), act, id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, roll, nil
}

// trainingMarkRoll sets the session's present trainees to exactly those
// given.
func (a *API) trainingMarkRoll(r *http.Request, act *access.Actor) (int, any, error) {
	id, b, err := idAndBody[struct {
		Present []int64 `json:"present"`
	}](r)
	if err != nil {
		return 0, nil, err
	}
	roll, err := a.Training.MarkRoll(r.Context(), act, id, b.Present)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, roll, nil
}

func (a *API) trainingLeave(r *http.Request, act *access.Actor) (int, any, error) {
	id, b, err := idAndBody[struct {
		Leave   int64 `json:"leave"`
		Approve bool  `json:"approve"`
	}](r)
	if err != nil {
		return 0, nil, err
	}
	l, err := a.Training.DecideLeave(r.Context(), act, id, b.Leave, b.Approve)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, l, nil
}

func (a *API) cadreHours(r *http.Request, act *access.Actor) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	y, err := a.Training.CadreHours(r.Context(), act, id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"year": y.Year, "hours": y.Hours, "required": y.Required, "short": y.Short()}, nil
}

// traineeJSON is a trainee's own view: no other trainee's name.
type traineeJSON struct {
	Name     string                `json:"name"`
	Class    string                `json:"class"`
	Hours    int                   `json:"hours"`
	Required int                   `json:"hours_required"`
	Sessions []training.Session    `json:"sessions"`
	Present  []training.Attendance `json:"present"`
	Leaves   []training.Leave      `json:"leaves"`
}

func (a *API) attendTrainee(w http.ResponseWriter, r *http.Request) {
	t, err := a.Training.Trainee(r.Context(), r.PathValue("token"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := traineeJSON{Name: t.Name, Class: t.Class.Name, Hours: t.Hours, Required: t.Class.HoursRequired, Sessions: append([]training.Session{}, t.Class.Sessions...),
		Present: []training.Attendance{}, Leaves: []training.Leave{}}
	for _, x := range t.Class.Sessions {
		if p, ok := t.Present[x.ID]; ok {
			out.Present = append(out.Present, p)
		}
		if l, ok := t.Leaves[x.ID]; ok {
			out.Leaves = append(out.Leaves, l)
		}
	}
	write(w, http.StatusOK, out)
}

// attendCheckin checks the link's trainee in with the screen's code; a
// retry answers the first check-in.
func (a *API) attendCheckin(w http.ResponseWriter, r *http.Request) {
	var b struct {
		Code string `json:"code"`
		How  string `json:"how"`
	}
	if err := decode(r, &b); err != nil {
		a.fail(w, r, err)
		return
	}
	x, err := a.Training.CheckIn(r.Context(), r.PathValue("token"), b.Code, b.How)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	write(w, http.StatusOK, x)
}

func (a *API) attendLeave(w http.ResponseWriter, r *http.Request) {
	var b struct {
		Session int64  `json:"session"`
		Reason  string `json:"reason"`
	}
	if err := decode(r, &b); err != nil {
		a.fail(w, r, err)
		return
	}
	l, err := a.Training.RequestLeave(r.Context(), r.PathValue("token"), b.Session, b.Reason)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	write(w, http.StatusCreated, l)
}

// attendRatings lists the trainee's ratings of their teachers.
func (a *API) attendRatings(w http.ResponseWriter, r *http.Request) {
	t, err := a.Training.Trainee(r.Context(), r.PathValue("token"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := items[training.Rating]{Items: []training.Rating{}}
	for _, x := range t.Rated {
		out.Items = append(out.Items, x)
	}
	slices.SortFunc(out.Items, func(x, y training.Rating) int { return cmp.Compare(x.Session, y.Session) })
	write(w, http.StatusOK, out)
}

// attendRate rates the teacher of a session the trainee attended.
func (a *API) attendRate(w http.ResponseWriter, r *http.Request) {
	var b training.Rating
	if err := decode(r, &b); err != nil {
		a.fail(w, r, err)
		return
	}
	x, err := a.Training.Rate(r.Context(), r.PathValue("token"), b)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	write(w, http.StatusCreated, x)
}
