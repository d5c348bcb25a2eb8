package web

import (
	"html/template"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/document"
	"shanzhi/internal/fault"
	"shanzhi/internal/localtime"
	"shanzhi/internal/server"
	"shanzhi/internal/training"
)

type linksView struct {
	C     *training.Class
	Links []training.Link
	Base  string // the links' origin and path, before the token
}

// trainingLinks issues personal links to the class's trainees who have
// none and shows them once, to print and hand out: only hashes are kept.
func (w *Web) trainingLinks(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	c, err := w.pathClass(r, a)
	if err == nil {
		var links []training.Link
		if links, err = w.Training.IssueLinks(r.Context(), a, c.ID); err == nil {
			v := w.newView(r, "training.page.links", "training")
			v.Crumbs = []crumb{{Label: c.Name, Href: "/training/classes/" + strconv.FormatInt(c.ID, 10)}, {Label: v.T("training.page.links")}}
			v.Data = &linksView{C: c, Links: links, Base: origin(r) + "/attend/t/"}
			w.render(rw, http.StatusOK, "training_links", v)
			return
		}
	}
	w.fail(rw, r, err)
}

type screenView struct {
	S       *training.Screen
	QR      template.URL
	Refresh int // seconds to the next code
}

// trainingScreen is the classroom screen: the session's current code as a
// QR and in digits, reloading itself when the code changes, so it needs
// no script.
func (w *Web) trainingScreen(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	id, err := pathID(r, "id")
	var s *training.Screen
	if err == nil {
		s, err = w.Training.ScreenCode(r.Context(), a, id)
	}
	var qr template.URL
	if err == nil {
		qr, err = document.QRDataURL(s.Code)
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "training.page.screen", "training")
	v.Title = s.Class.Name + " " + s.Session.Title
	v.Crumbs = []crumb{{Label: s.Class.Name, Href: "/training/classes/" + strconv.FormatInt(s.Class.ID, 10)}, {Label: v.T("training.page.screen")}}
	v.Data = &screenView{S: s, QR: qr, Refresh: max(1, int(time.Until(s.Until).Seconds()+1))}
	rw.Header().Set("Cache-Control", "no-store")
	w.render(rw, http.StatusOK, "training_screen", v)
}

type rollView struct {
	R     *training.Roll
	Error string
}

// trainingRoll is a session's attendance sheet for its 班主任: who checked
// in (and late), ticked by hand on a POST, and the leave requests.
func (w *Web) trainingRoll(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	id, err := pathID(r, "id")
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "training.page.roll", "training")
	var actErr error
	if r.Method == http.MethodPost {
		r.ParseForm()
		_, actErr = w.Training.MarkRoll(r.Context(), a, id, formIDs(r, "present"))
		if actErr == nil {
			seeOther(rw, r, r.URL.Path, "saved")
			return
		}
	}
	roll, err := w.Training.Roll(r.Context(), a, id)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	status, msg, _ := refusal(v, actErr, "training.field.")
	v.Title = roll.Class.Name + " " + roll.Session.Title
	v.Crumbs = []crumb{{Label: roll.Class.Name, Href: "/training/classes/" + strconv.FormatInt(roll.Class.ID, 10)}, {Label: v.T("training.page.roll")}}
	v.Data = &rollView{R: roll, Error: msg}
	w.render(rw, status, "training_roll", v)
}

// trainingLeave approves or refuses a leave request of the session.
func (w *Web) trainingLeave(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	id, err := pathID(r, "id")
	var leave int64
	if err == nil {
		leave, _ = strconv.ParseInt(r.FormValue("leave"), 10, 64)
		_, err = w.Training.DecideLeave(r.Context(), a, id, leave, r.FormValue("decision") == "approve")
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	seeOther(rw, r, "/training/sessions/"+strconv.FormatInt(id, 10)+"/roll", "saved")
}

type traineeView struct {
	T    *training.Trainee
	File filePart
	// Writable are the trainee's open 重修 whose 情况说明 is not written
	// yet or was returned: the statement form is for these.
	Writable []training.RetakeCase
	Action   string // where the page's forms post
	Code     string // the short code, posted back when the page was opened by it
	Error    string
	Done     string // what the last action did
	// Rateable are the sessions they attended whose teacher they have
	// not rated yet.
	Rateable []training.Session
}

// attendLookup opens a trainee's page by the short code printed beside
// the link, for who cannot follow it; failed look-ups are rate-limited
// per address, successes are not, since a classroom shares one.
func (w *Web) attendLookup(rw http.ResponseWriter, r *http.Request) {
	code := r.FormValue("code")
	if r.Method == http.MethodGet || code == "" {
		v := w.newView(r, "training.page.trainee", "")
		w.showForm(rw, v, &form{Action: "/attend", Submit: v.T("training.code.open"), Intro: v.T("training.help.code"), Fields: []field{
			{Name: "code", Label: v.T("training.field.link_code"), Required: true, Auto: "off", MaxLen: 12},
		}})
		return
	}
	key := access.RequestFrom(r.Context()).ClientKey()
	if err := server.Limited(w.Limits.Code, key); err != nil {
		w.fail(rw, r, err)
		return
	}
	if _, err := w.Training.Trainee(r.Context(), code); err == nil {
		w.Limits.Code.Refund(key)
	}
	w.attendAct(rw, r, code, "/attend")
}

// attendToken is a trainee's page opened by their personal link.
func (w *Web) attendToken(rw http.ResponseWriter, r *http.Request) {
	w.attendAct(rw, r, r.PathValue("token"), "/attend/t/"+url.PathEscape(r.PathValue("token")))
}

// attendAct shows the trainee's page and, on a POST, checks in with the
// screen's code (op=checkin) or asks for leave (op=leave).
func (w *Web) attendAct(rw http.ResponseWriter, r *http.Request, cred, action string) {
	v := w.newView(r, "training.page.trainee", "")
	d := &traineeView{Action: action}
	if action == "/attend" {
		d.Code = cred
	}
	status := http.StatusOK
	if r.Method == http.MethodPost {
		if err := w.parseForm(rw, r); err != nil {
			w.fail(rw, r, err)
			return
		}
		var err error
		switch r.FormValue("op") {
		case "statement":
			if err = w.attendStatement(r, cred); err == nil {
				d.Done = v.T("training.retake.sent")
			}
		case "checkin":
			var x *training.Attendance
			if x, err = w.Training.CheckIn(r.Context(), cred, r.FormValue("checkin"), r.FormValue("how")); err == nil {
				d.Done = v.T("training.checkin.done", localtime.In(x.At).Format("15:04"))
			}
		case "leave":
			session, _ := strconv.ParseInt(r.FormValue("session"), 10, 64)
			if _, err = w.Training.RequestLeave(r.Context(), cred, session, r.FormValue("reason")); err == nil {
				d.Done = v.T("training.leave.sent")
			}
		case "rate":
			session, _ := strconv.ParseInt(r.FormValue("session"), 10, 64)
			score, _ := strconv.Atoi(r.FormValue("score"))
			if _, err = w.Training.Rate(r.Context(), cred, training.Rating{Session: session, Score: score, Comment: r.FormValue("comment")}); err == nil {
				d.Done = v.T("training.rating.sent")
			}
		}
		if err != nil {
			status, d.Error, _ = refusal(v, err, "training.field.")
			if status == http.StatusNotFound {
				w.fail(rw, r, err)
				return
			}
		}
	}
	t, err := w.Training.Trainee(r.Context(), cred)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	d.T = t
	for _, x := range t.Class.Sessions {
		if _, done := t.Rated[x.ID]; !done && x.Teacher != 0 {
			if _, present := t.Present[x.ID]; present {
				d.Rateable = append(d.Rateable, x)
			}
		}
	}
	file, err := w.Training.TraineeFile(r.Context(), cred)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	d.File = filePart{V: v, F: file}
	for _, y := range file.Years {
		for _, c := range y.Retakes {
			if c.Open() && (c.Statement == nil || c.Statement.Status == training.StatementReturned) {
				d.Writable = append(d.Writable, c)
			}
		}
	}
	v.Title = t.Name + " · " + t.Class.Name
	rw.Header().Set("Cache-Control", "no-store")
	v.Data = d
	w.render(rw, status, "training_trainee", v)
}

// attendStatement sends a 重修 trainee's 情况说明 with its file, if any,
// read no further than one byte past the limit. A refused one counts
// against the address's limit, as a wrong code does.
func (w *Web) attendStatement(r *http.Request, cred string) error {
	key := access.RequestFrom(r.Context()).ClientKey()
	if err := server.Limited(w.Limits.Code, key); err != nil {
		return err
	}
	in := training.StatementInput{Enrolment: formID(r, "enrolment"), Text: r.FormValue("text")}
	if r.MultipartForm != nil {
		for _, fh := range r.MultipartForm.File["file"] {
			if fh.Size == 0 {
				continue
			}
			if fh.Size > training.MaxStatementFile {
				return fault.OnField(fault.TooLarge, "file", "training.retake.file_size", training.MaxStatementFile>>20)
			}
			f, err := fh.Open()
			if err != nil {
				return err
			}
			in.File, err = io.ReadAll(io.LimitReader(f, training.MaxStatementFile+1))
			f.Close()
			if err != nil {
				return err
			}
			break
		}
	}
	_, err := w.Training.SubmitStatement(r.Context(), cred, in)
	if err == nil {
		w.Limits.Code.Refund(key)
	}
	return err
}

// attendRoutes are the trainee's own pages: public, reached only by the
// personal link's token or short code.
func (w *Web) attendRoutes(rt *server.Router, pub server.Rule) {
	rt.HandleFunc("GET /attend", pub, w.attendLookup)
	rt.HandleFunc("POST /attend", pub, w.attendLookup)
	rt.HandleFunc("GET /attend/t/{token}", pub, w.attendToken)
	rt.HandleFunc("POST /attend/t/{token}", pub, w.attendToken)
}
