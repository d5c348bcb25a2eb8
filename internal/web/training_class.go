package web

import (
	"net/http"
	"strconv"
	"strings"

	"shanzhi/internal/access"
	"shanzhi/internal/training"
)

// atoiForm reads a whole number from a form; -1 when it is not one, so
// the service's range check refuses it with its own message.
func atoiForm(r *http.Request, name string) int {
	n, err := strconv.Atoi(strings.TrimSpace(r.FormValue(name)))
	if err != nil {
		return -1
	}
	return n
}

type poolView struct {
	Region, RegionName string
	Teachers           []training.Teacher
	Courses            []training.Course
	CanManage          bool
}

// trainingPool shows a department's teacher pool and course catalogue.
func (w *Web) trainingPool(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	code, err := talentRegion(r, a, access.TrainingRead)
	d := &poolView{Region: code, CanManage: a.Can(access.TrainingManage, code)}
	if err == nil {
		if d.RegionName, err = w.regionTitle(r, a, code); err == nil {
			if d.Teachers, err = w.Training.Teachers(r.Context(), a, code); err == nil {
				d.Courses, err = w.Training.Courses(r.Context(), a, code)
			}
		}
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "training.page.pool", "training")
	v.Crumbs = []crumb{{Label: v.T("training.nav"), Href: "/training/classes"}, {Label: v.T("training.page.pool")}}
	v.Data = d
	w.render(rw, http.StatusOK, "training_pool", v)
}

// trainingTeacherNew adds a teacher to the pool.
func (w *Web) trainingTeacherNew(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	code, err := talentRegion(r, a, access.TrainingManage)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	back := "/training/pool?region=" + code
	v := w.newView(r, "training.page.teacher_new", "training")
	v.Crumbs = []crumb{{Label: v.T("training.page.pool"), Href: back}, {Label: v.T("training.page.teacher_new")}}
	f := &form{Action: r.URL.RequestURI(), Submit: v.T("action.save"), Cancel: back, Fields: []field{
		{Name: "name", Label: v.T("org.field.member_name"), Type: "text", Value: r.FormValue("name"), Required: true, MaxLen: 30},
		{Name: "kind", Label: v.T("training.field.teacher_kind"), Type: "select", Value: r.FormValue("kind"), Options: []option{{Value: "internal", Label: v.T("training.teacher.internal")}, {Value: "external", Label: v.T("training.teacher.external")}}},
		{Name: "affiliation", Label: v.T("training.field.affiliation"), Type: "text", Value: r.FormValue("affiliation"), MaxLen: training.MaxText},
		{Name: "subjects", Label: v.T("training.field.subjects"), Type: "textarea", Value: r.FormValue("subjects")},
	}}
	if r.Method != http.MethodPost {
		w.showForm(rw, v, f)
		return
	}
	in := training.TeacherInput{Region: code, Name: r.FormValue("name"), Internal: r.FormValue("kind") != "external", Affiliation: r.FormValue("affiliation"), Subjects: r.FormValue("subjects")}
	if _, err := w.Training.CreateTeacher(r.Context(), a, in); err != nil {
		w.formOrFail(rw, r, v, f, err)
		return
	}
	seeOther(rw, r, back, "saved")
}

// teacherOptions are a department's teachers, after a first "none".
func (w *Web) teacherOptions(r *http.Request, a *access.Actor, code, none string) []option {
	out := []option{{Label: none}}
	ts, _ := w.Training.Teachers(r.Context(), a, code)
	for _, t := range ts {
		out = append(out, option{Value: strconv.FormatInt(t.ID, 10), Label: t.Name})
	}
	return out
}

// modeOptions are the teaching modes.
func modeOptions(v *view) []option {
	var out []option
	for _, m := range training.Modes {
		out = append(out, option{Value: m, Label: v.T("training.mode." + m)})
	}
	return out
}

// trainingCourseNew adds a course to the catalogue.
func (w *Web) trainingCourseNew(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	code, err := talentRegion(r, a, access.TrainingManage)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	back := "/training/pool?region=" + code
	v := w.newView(r, "training.page.course_new", "training")
	v.Crumbs = []crumb{{Label: v.T("training.page.pool"), Href: back}, {Label: v.T("training.page.course_new")}}
	f := &form{Action: r.URL.RequestURI(), Submit: v.T("action.save"), Cancel: back, Fields: []field{
		{Name: "title", Label: v.T("training.field.course"), Type: "text", Value: r.FormValue("title"), Required: true, MaxLen: training.MaxText},
		{Name: "competency", Label: v.T("training.field.competency"), Type: "text", Value: r.FormValue("competency"), Required: true, MaxLen: training.MaxText, Help: v.T("training.help.competency")},
		{Name: "mode", Label: v.T("training.field.mode"), Type: "select", Value: r.FormValue("mode"), Options: modeOptions(v), Required: true},
		{Name: "hours", Label: v.T("training.field.hours"), Type: "text", Value: r.FormValue("hours"), InputMode: "numeric", Required: true},
		{Name: "teacher", Label: v.T("training.field.teacher"), Type: "select", Value: r.FormValue("teacher"), Options: w.teacherOptions(r, a, code, v.T("training.none"))},
	}}
	if r.Method != http.MethodPost {
		w.showForm(rw, v, f)
		return
	}
	in := training.CourseInput{Region: code, Title: r.FormValue("title"), Competency: r.FormValue("competency"), Mode: r.FormValue("mode"), Hours: atoiForm(r, "hours"), Teacher: formID(r, "teacher")}
	if _, err := w.Training.CreateCourse(r.Context(), a, in); err != nil {
		w.formOrFail(rw, r, v, f, err)
		return
	}
	seeOther(rw, r, back, "saved")
}

type classesView struct {
	Region, RegionName string
	Rows               []training.Class
	CanManage          bool
}

// trainingClasses lists a department's classes.
func (w *Web) trainingClasses(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	code, err := talentRegion(r, a, access.TrainingRead)
	d := &classesView{Region: code, CanManage: a.Can(access.TrainingManage, code)}
	if err == nil {
		if d.RegionName, err = w.regionTitle(r, a, code); err == nil {
			d.Rows, err = w.Training.Classes(r.Context(), a, code)
		}
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "training.page.classes", "training")
	v.Crumbs = []crumb{{Label: v.T("training.nav")}}
	v.Data = d
	w.render(rw, http.StatusOK, "training_classes", v)
}

// trainingMine lists the classes the user is 班主任 or 跟班干部 of: the way
// into their classes' rolls and evaluation for class staff who hold no
// grant at the department's region.
func (w *Web) trainingMine(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	rows, err := w.Training.StaffClasses(r.Context(), a)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "training.page.mine", "mine")
	v.Crumbs = []crumb{{Label: v.T("training.page.mine")}}
	v.Data = &classesView{Rows: rows}
	w.render(rw, http.StatusOK, "training_mine", v)
}

// trainingClassNew sets up a class; the items it addresses are picked
// from the department's latest published list.
func (w *Web) trainingClassNew(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	code, err := talentRegion(r, a, access.TrainingManage)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	back := "/training/classes?region=" + code
	v := w.newView(r, "training.page.class_new", "training")
	v.Crumbs = []crumb{{Label: v.T("training.page.classes"), Href: back}, {Label: v.T("training.page.class_new")}}
	r.ParseForm()
	var list *training.List
	lists, err := w.Training.Lists(r.Context(), a, code)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	for i := range lists {
		if !lists[i].Draft() && lists[i].Region == code {
			if list, err = w.Training.List(r.Context(), a, lists[i].ID); err != nil {
				w.fail(rw, r, err)
				return
			}
			break
		}
	}
	items := []option{}
	if list != nil {
		for _, it := range list.Items {
			id := strconv.FormatInt(it.ID, 10)
			checked := false
			for _, x := range r.Form["items"] {
				checked = checked || x == id
			}
			items = append(items, option{Value: id, Label: it.RankName + " " + it.Sector + " " + it.Competency, Checked: checked})
		}
	}
	f := &form{Action: r.URL.RequestURI(), Submit: v.T("action.save"), Cancel: back, Fields: []field{
		{Name: "name", Label: v.T("training.field.class_name"), Type: "text", Value: r.FormValue("name"), Required: true, MaxLen: training.MaxText},
		{Name: "theme", Label: v.T("training.field.theme"), Type: "text", Value: r.FormValue("theme"), MaxLen: 200},
		{Name: "target", Label: v.T("training.field.target"), Type: "text", Value: r.FormValue("target"), MaxLen: 200},
		{Name: "start", Label: v.T("training.field.start"), Type: "date", Value: r.FormValue("start"), Required: true},
		{Name: "end", Label: v.T("training.field.end"), Type: "date", Value: r.FormValue("end"), Required: true},
		{Name: "capacity", Label: v.T("training.field.capacity"), Type: "text", Value: r.FormValue("capacity"), InputMode: "numeric", Required: true},
		{Name: "hours_required", Label: v.T("training.field.hours_required"), Type: "text", Value: r.FormValue("hours_required"), InputMode: "numeric", Required: true},
		{Name: "head", Label: v.T("training.field.head"), Type: "text", Value: r.FormValue("head"), MaxLen: 60, Help: v.T("training.help.head")},
		{Name: "escort", Label: v.T("training.field.escort"), Type: "text", Value: r.FormValue("escort"), MaxLen: 30},
		{Name: "escort_user", Label: v.T("training.field.escort_user"), Type: "text", Value: r.FormValue("escort_user"), MaxLen: 60, Help: v.T("training.help.escort_user")},
		{Name: "items", Label: v.T("training.field.items"), Type: "checkboxes", Options: items, Help: v.T("training.help.items")},
	}}
	if r.Method != http.MethodPost {
		w.showForm(rw, v, f)
		return
	}
	in := training.ClassInput{Region: code, Name: r.FormValue("name"), Theme: r.FormValue("theme"), Target: r.FormValue("target"), Start: r.FormValue("start"), End: r.FormValue("end"),
		Capacity: atoiForm(r, "capacity"), HoursRequired: atoiForm(r, "hours_required"), Head: r.FormValue("head"), Escort: r.FormValue("escort"), EscortUser: r.FormValue("escort_user")}
	for _, x := range r.Form["items"] {
		if n, err := strconv.ParseInt(x, 10, 64); err == nil {
			in.Items = append(in.Items, n)
		}
	}
	if list != nil && len(in.Items) > 0 {
		in.List = list.ID
	}
	c, err := w.Training.CreateClass(r.Context(), a, in)
	if err != nil {
		w.formOrFail(rw, r, v, f, err)
		return
	}
	seeOther(rw, r, "/training/classes/"+strconv.FormatInt(c.ID, 10), "saved")
}

type classView struct {
	C         *training.Class
	Trainees  []training.Enrolment
	CanManage bool
	Teachers  []option
	Courses   []option
	Error     string
	Problems  []string
}

func (w *Web) trainingClass(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	w.showClass(rw, r, a, nil)
}

// showClass draws a class: its sessions, the items it addresses and, for
// the department, the form that adds a session.
func (w *Web) showClass(rw http.ResponseWriter, r *http.Request, a *access.Actor, actErr error) {
	c, err := w.pathClass(r, a)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	id := c.ID
	v := w.newView(r, "training.page.class", "training")
	v.Title = c.Name
	v.Crumbs = []crumb{{Label: v.T("training.page.classes"), Href: "/training/classes?region=" + c.Region}, {Label: c.Name}}
	d := &classView{C: c, CanManage: a.Can(access.TrainingManage, c.Region)}
	if d.Trainees, err = w.Training.Enrolments(r.Context(), a, id); err != nil {
		w.fail(rw, r, err)
		return
	}
	if d.CanManage {
		d.Teachers = w.teacherOptions(r, a, c.Region, v.T("training.none"))
		d.Courses = []option{{Label: v.T("training.none")}}
		cs, _ := w.Training.Courses(r.Context(), a, c.Region)
		for _, k := range cs {
			d.Courses = append(d.Courses, option{Value: strconv.FormatInt(k.ID, 10), Label: k.Title})
		}
	}
	status, msg, problems := refusal(v, actErr, "training.field.")
	d.Error, d.Problems = msg, problems
	v.Data = d
	w.render(rw, status, "training_class", v)
}

// trainingSessionAdd adds a session to a class.
func (w *Web) trainingSessionAdd(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	id, err := pathID(r, "id")
	if err == nil {
		_, err = w.Training.AddSession(r.Context(), a, id, training.SessionInput{Day: r.FormValue("day"), Starts: r.FormValue("starts"), Title: r.FormValue("title"),
			Course: formID(r, "course"), Teacher: formID(r, "teacher"), Place: r.FormValue("place"), Hours: atoiForm(r, "hours")})
	}
	w.afterAct(rw, r, err, "/training/classes/"+strconv.FormatInt(id, 10), "saved", func(err error) { w.showClass(rw, r, a, err) })
}
