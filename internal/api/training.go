package api

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/training"
)

// The cadre-training programme's endpoints: the 紧缺能力清单, the teacher
// pool and course catalogue, classes and their sessions.

type listItemJSON struct {
	ID         int64    `json:"id"`
	Rank       string   `json:"rank"`
	RankName   string   `json:"rank_name"`
	Sector     string   `json:"sector,omitempty"`
	Competency string   `json:"competency"`
	Priority   int      `json:"priority"`
	Classes    []string `json:"classes"`
}

type listJSON struct {
	ID        int64          `json:"id"`
	Region    string         `json:"region"`
	Title     string         `json:"title"`
	Version   int            `json:"version"`
	Published string         `json:"published,omitempty"`
	Covered   int            `json:"covered"`
	Items     []listItemJSON `json:"items,omitempty"`
}

func toList(l training.List) listJSON {
	out := listJSON{ID: l.ID, Region: l.Region, Title: l.Title, Version: l.Version, Covered: l.Covered()}
	if !l.Draft() {
		out.Published = l.Published.UTC().Format(time.RFC3339)
	}
	for _, it := range l.Items {
		x := listItemJSON{ID: it.ID, Rank: it.Rank, RankName: it.RankName, Sector: it.Sector, Competency: it.Competency, Priority: it.Priority, Classes: []string{}}
		for _, c := range it.Classes {
			x.Classes = append(x.Classes, c.Name)
		}
		out.Items = append(out.Items, x)
	}
	return out
}

func (a *API) trainingLists(r *http.Request, act *access.Actor) (int, any, error) {
	ls, err := a.Training.Lists(r.Context(), act, r.URL.Query().Get("region"))
	if err != nil {
		return 0, nil, err
	}
	out := items[listJSON]{Items: []listJSON{}}
	for _, l := range ls {
		out.Items = append(out.Items, toList(l))
	}
	return http.StatusOK, out, nil
}

func (a *API) trainingListCreate(r *http.Request, act *access.Actor) (int, any, error) {
	var b struct {
		Region string `json:"region"`
		Title  string `json:"title"`
	}
	if err := decode(r, &b); err != nil {
		return 0, nil, err
	}
	l, err := a.Training.CreateList(r.Context(), act, training.ListInput{Region: b.Region, Title: b.Title})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, toList(*l), nil
}

func (a *API) trainingList(r *http.Request, act *access.Actor) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	l, err := a.Training.List(r.Context(), act, id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, toList(*l), nil
}

type itemBody struct {
	Rank       string `json:"rank"`
	Sector     string `json:"sector"`
	Competency string `json:"competency"`
	Priority   int    `json:"priority"`
}

func (a *API) trainingListItem(r *http.Request, act *access.Actor) (int, any, error) {
	id, b, err := idAndBody[itemBody](r)
	if err != nil {
		return 0, nil, err
	}
	l, err := a.Training.AddItem(r.Context(), act, id, training.ItemInput(b))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, toList(*l), nil
}

func (a *API) trainingListPublish(r *http.Request, act *access.Actor) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	l, err := a.Training.Publish(r.Context(), act, id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, toList(*l), nil
}

type teacherJSON struct {
	ID          int64  `json:"id"`
	Region      string `json:"region"`
	Name        string `json:"name"`
	Internal    bool   `json:"internal"`
	Affiliation string `json:"affiliation,omitempty"`
	Subjects    string `json:"subjects,omitempty"`
	Sessions    int    `json:"sessions"`
	Classes     int    `json:"classes"`
}

func (a *API) trainingTeachers(r *http.Request, act *access.Actor) (int, any, error) {
	ts, err := a.Training.Teachers(r.Context(), act, r.URL.Query().Get("region"))
	if err != nil {
		return 0, nil, err
	}
	out := items[teacherJSON]{Items: []teacherJSON{}}
	for _, t := range ts {
		out.Items = append(out.Items, teacherJSON{t.ID, t.Region, t.Name, t.Internal, t.Affiliation, t.Subjects, t.Sessions, t.Classes})
	}
	return http.StatusOK, out, nil
}

func (a *API) trainingTeacherCreate(r *http.Request, act *access.Actor) (int, any, error) {
	var b teacherJSON
	if err := decode(r, &b); err != nil {
		return 0, nil, err
	}
	t, err := a.Training.CreateTeacher(r.Context(), act, training.TeacherInput{Region: b.Region, Name: b.Name, Internal: b.Internal, Affiliation: b.Affiliation, Subjects: b.Subjects})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, teacherJSON{t.ID, t.Region, t.Name, t.Internal, t.Affiliation, t.Subjects, 0, 0}, nil
}

type courseJSON struct {
	ID         int64  `json:"id"`
	Region     string `json:"region"`
	Title      string `json:"title"`
	Competency string `json:"competency"`
	Mode       string `json:"mode"`
	Hours      int    `json:"hours"`
	Teacher    int64  `json:"teacher,omitempty"`
}

func toCourse(c training.Course) courseJSON {
	return courseJSON{c.ID, c.Region, c.Title, c.Competency, c.Mode, c.Hours, c.Teacher}
}

func (a *API) trainingCourses(r *http.Request, act *access.Actor) (int, any, error) {
	cs, err := a.Training.Courses(r.Context(), act, r.URL.Query().Get("region"))
	if err != nil {
		return 0, nil, err
	}
	out := items[courseJSON]{Items: []courseJSON{}}
	for _, c := range cs {
		out.Items = append(out.Items, toCourse(c))
	}
	return http.StatusOK, out, nil
}

func (a *API) trainingCourseCreate(r *http.Request, act *access.Actor) (int, any, error) {
	var b courseJSON
	if err := decode(r, &b); err != nil {
		return 0, nil, err
	}
	c, err := a.Training.CreateCourse(r.Context(), act, training.CourseInput{Region: b.Region, Title: b.Title, Competency: b.Competency, Mode: b.Mode, Hours: b.Hours, Teacher: b.Teacher})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, toCourse(*c), nil
}

type sessionJSON struct {
	ID      int64  `json:"id"`
	Day     string `json:"day"`
	Starts  string `json:"starts"`
	Title   string `json:"title"`
	Course  int64  `json:"course,omitempty"`
	Teacher int64  `json:"teacher,omitempty"`
	Place   string `json:"place,omitempty"`
	Hours   int    `json:"hours"`
}

type classJSON struct {
	ID            int64         `json:"id"`
	Region        string        `json:"region"`
	Name          string        `json:"name"`
	Theme         string        `json:"theme,omitempty"`
	Target        string        `json:"target,omitempty"`
	Start         string        `json:"start"`
	End           string        `json:"end"`
	Capacity      int           `json:"capacity"`
	HoursRequired int           `json:"hours_required"`
	Hours         int           `json:"hours"`
	Head          string        `json:"head,omitempty"`
	Escort        string        `json:"escort,omitempty"`
	EscortUser    string        `json:"escort_user,omitempty"` // the 跟班干部's account; taken, not shown
	List          int64         `json:"list,omitempty"`
	Items         []int64       `json:"items"`
	Sessions      []sessionJSON `json:"sessions"`
}

func toClass(c training.Class) classJSON {
	out := classJSON{ID: c.ID, Region: c.Region, Name: c.Name, Theme: c.Theme, Target: c.Target, Start: c.Start, End: c.End, Capacity: c.Capacity,
		HoursRequired: c.HoursRequired, Hours: c.Hours, Head: c.Head, Escort: c.Escort, List: c.List, Items: []int64{}, Sessions: []sessionJSON{}}
	out.Items = append(out.Items, c.Items...)
	for _, s := range c.Sessions {
		out.Sessions = append(out.Sessions, sessionJSON{s.ID, s.Day, s.Starts, s.Title, s.Course, s.Teacher, s.Place, s.Hours})
	}
	return out
}

func (a *API) trainingClasses(r *http.Request, act *access.Actor) (int, any, error) {
	return classList(a.Training.Classes(r.Context(), act, r.URL.Query().Get("region")))
}

// classList answers a list of classes.
func classList(cs []training.Class, err error) (int, any, error) {
	if err != nil {
		return 0, nil, err
	}
	out := items[classJSON]{Items: []classJSON{}}
	for _, c := range cs {
		out.Items = append(out.Items, toClass(c))
	}
	return http.StatusOK, out, nil
}

// trainingMine lists the classes the caller is 班主任 or 跟班干部 of.
func (a *API) trainingMine(r *http.Request, act *access.Actor) (int, any, error) {
	return classList(a.Training.StaffClasses(r.Context(), act))
}

func (a *API) trainingClassCreate(r *http.Request, act *access.Actor) (int, any, error) {
	var b classJSON
	if err := decode(r, &b); err != nil {
		return 0, nil, err
	}
	c, err := a.Training.CreateClass(r.Context(), act, training.ClassInput{Region: b.Region, Name: b.Name, Theme: b.Theme, Target: b.Target, Start: b.Start, End: b.End,
		Capacity: b.Capacity, HoursRequired: b.HoursRequired, Head: b.Head, Escort: b.Escort, EscortUser: b.EscortUser, List: b.List, Items: b.Items})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, toClass(*c), nil
}

func (a *API) trainingClass(r *http.Request, act *access.Actor) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	c, err := a.Training.Class(r.Context(), act, id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, toClass(*c), nil
}

func (a *API) trainingSessionAdd(r *http.Request, act *access.Actor) (int, any, error) {
	id, b, err := idAndBody[sessionJSON](r)
	if err != nil {
		return 0, nil, err
	}
	c, err := a.Training.AddSession(r.Context(), act, id, training.SessionInput{Day: b.Day, Starts: b.Starts, Title: b.Title, Course: b.Course, Teacher: b.Teacher, Place: b.Place, Hours: b.Hours})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, toClass(*c), nil
}

// trainingListDraft adds the top competencies of each stratum of a needs
// survey's ranking to a draft, and answers each line's fate.
func (a *API) trainingListDraft(r *http.Request, act *access.Actor) (int, any, error) {
	id, b, err := idAndBody[struct {
		Survey int64 `json:"survey"`
		Top    int   `json:"top"`
	}](r)
	if err != nil {
		return 0, nil, err
	}
	if b.Top < 1 || b.Top > training.MaxDraftTop {
		return 0, nil, fault.OnField(fault.Invalid, "top", "training.draft.top_invalid", training.MaxDraftTop)
	}
	ranked, err := a.Surveys.NeedsRanking(r.Context(), act, b.Survey)
	if err != nil {
		return 0, nil, err
	}
	ranks, err := a.Cadres.Ranks(r.Context(), act)
	if err != nil {
		return 0, nil, err
	}
	codes := map[string]string{}
	for _, k := range ranks {
		codes[k.Name] = k.Code
	}
	needs := make([]training.Need, len(ranked))
	for i, x := range ranked {
		needs[i] = training.Need{Rank: x.Rank, Sector: x.Sector, Competency: x.Competency, Place: x.Place}
	}
	type lineJSON struct {
		Line       int    `json:"line"`
		Competency string `json:"competency"`
		Added      bool   `json:"added"`
		Problem    string `json:"problem,omitempty"`
	}
	out := struct {
		Added int        `json:"added"`
		Lines []lineJSON `json:"lines"`
	}{Lines: []lineJSON{}}
	rows := training.DraftItems(needs, codes, b.Top)
	var sound []training.ItemRow
	for _, x := range rows {
		if x.Err == nil {
			sound = append(sound, x)
		}
	}
	done, err := a.Training.ImportItems(r.Context(), act, id, sound, true)
	if err != nil {
		return 0, nil, err
	}
	k := 0
	for _, x := range rows {
		if x.Err == nil {
			x, k = done[k], k+1
		}
		l := lineJSON{Line: x.Line, Competency: x.Input.Competency, Added: x.Err == nil}
		if x.Err != nil {
			l.Problem = a.problemText(r, x.Err)
		} else {
			out.Added++
		}
		out.Lines = append(out.Lines, l)
	}
	return http.StatusOK, out, nil
}

// problemText is a refused row's reason as the user reads it: the field's
// message where there is one.
func (a *API) problemText(r *http.Request, err error) string {
	var fe *fault.Error
	if !errors.As(err, &fe) {
		return err.Error()
	}
	if len(fe.Fields) > 0 {
		return a.Catalog.Text(lang(r), fe.Fields[0].Msg)
	}
	return a.Catalog.Text(lang(r), fe.Msg)
}

func (a *API) trainingTargets(r *http.Request, act *access.Actor) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	q := r.URL.Query()
	unit, _ := strconv.ParseInt(q.Get("unit"), 10, 64)
	cs, err := a.Training.Targets(r.Context(), act, id, training.TargetFilter{Rank: q.Get("rank"), Sector: q.Get("sector"), Unit: unit, Untrained: q.Get("untrained"),
		HoursShort: q.Get("hours_short") != "", RetakeDue: q.Get("retake_due") != ""})
	if err != nil {
		return 0, nil, err
	}
	out := items[cadreJSON]{Items: []cadreJSON{}}
	for _, c := range cs {
		out.Items = append(out.Items, toCadre(c))
	}
	return http.StatusOK, out, nil
}

// trainingEnrol summons cadres through the 入学关; a refusal answers
// each cadre's problem beside the error.
func (a *API) trainingEnrol(r *http.Request, act *access.Actor) (int, any, error) {
	id, b, err := idAndBody[struct {
		Cadres []int64 `json:"cadres"`
	}](r)
	if err != nil {
		return 0, nil, err
	}
	adm, err := a.Training.Enrol(r.Context(), act, id, b.Cadres)
	return a.admissions(r, adm, err)
}

// admissions answers a 入学关 run, an enrolment or a unit's nomination:
// each cadre with the reason they were refused, 422 when the run was
// refused for them (nothing written), 201 when it went in.
func (a *API) admissions(r *http.Request, adm []training.Admission, err error) (int, any, error) {
	type admissionJSON struct {
		Cadre   int64  `json:"cadre"`
		Name    string `json:"name,omitempty"`
		Problem string `json:"problem,omitempty"`
	}
	out := items[admissionJSON]{Items: []admissionJSON{}}
	for _, x := range adm {
		j := admissionJSON{Cadre: x.Cadre, Name: x.Name}
		if x.Err != nil {
			j.Problem = a.problemText(r, x.Err)
		}
		out.Items = append(out.Items, j)
	}
	if fault.Is(err, fault.Invalid) && len(adm) > 0 {
		return http.StatusUnprocessableEntity, out, nil
	}
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, out, nil
}

func (a *API) trainingEnrolments(r *http.Request, act *access.Actor) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	es, err := a.Training.Enrolments(r.Context(), act, id)
	if err != nil {
		return 0, nil, err
	}
	type enrolmentJSON struct {
		ID     int64     `json:"id"`
		Source string    `json:"source"`
		Cadre  cadreJSON `json:"cadre"`
	}
	out := items[enrolmentJSON]{Items: []enrolmentJSON{}}
	for _, e := range es {
		out.Items = append(out.Items, enrolmentJSON{e.ID, e.Source, toCadre(e.Cadre)})
	}
	return http.StatusOK, out, nil
}
