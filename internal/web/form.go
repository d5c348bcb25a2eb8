package web

import (
	"errors"
	"html/template"
	"net/http"

	"shanzhi/internal/fault"
	"shanzhi/internal/i18n"
)

// field is one input of a generic form. One template draws every form, so
// a fix to how fields, errors and help look applies everywhere at once.
type field struct {
	Name     string
	Label    string
	Type     string // text, date, tel, select, textarea, password, file, checkboxes, hidden, trap (a honeypot people never see)
	Value    string
	Options  []option
	Required bool
	Help     string
	Error    string
	// Input hints for phones: the keyboard to show, autofill, file types.
	InputMode string
	Auto      string
	Accept    string
	MaxLen    int
	Multiple  bool // a file input that takes several files
}

type option struct {
	Value, Label string
	Checked      bool // for checkboxes
}

// form is a whole form page's content.
type form struct {
	Action    string
	Submit    string
	Cancel    string
	Multipart bool
	Error     string
	Intro     string
	// Template is the blank sheet an upload form asks for first, linked
	// beside the intro.
	Template string
	Fields   []field
	// QR and Secret show a TOTP enrolment: the code to scan, and the
	// secret to type in where the camera fails.
	QR     template.URL
	Secret string
}

func opts(values []string) []option {
	out := make([]option, len(values))
	for i, v := range values {
		out[i] = option{Value: v, Label: v}
	}
	return out
}

// applyError puts a service error onto the form: field problems beside
// their fields, the summary on top. It returns false for errors a form
// cannot show (internal ones, not-found), which the caller hands to fail.
func (v *view) applyError(f *form, err error) bool {
	var fe *fault.Error
	if !errors.As(err, &fe) || fe.Code == fault.Internal || fe.Code == fault.NotFound || fe.Code == fault.Unauthorized {
		return false
	}
	f.Error = v.M(fe.Msg)
	for _, p := range fe.Fields {
		placed := false
		for i := range f.Fields {
			if f.Fields[i].Name == p.Name {
				f.Fields[i].Error = v.M(p.Msg)
				placed = true
			}
		}
		if !placed && len(fe.Fields) == 1 {
			f.Error = v.M(p.Msg)
		}
	}
	return true
}

// showForm renders a form page, with status 422 when it carries errors so
// tests and scripts can tell a rejected submission from a fresh form.
func (w *Web) showForm(rw http.ResponseWriter, v *view, f *form) {
	status := http.StatusOK
	if f.Error != "" {
		status = http.StatusUnprocessableEntity
	}
	v.Data = f
	w.render(rw, status, "form", v)
}

// formOrFail shows the form with err on it, or the error page when the
// form cannot carry it.
func (w *Web) formOrFail(rw http.ResponseWriter, r *http.Request, v *view, f *form, err error) {
	if v.applyError(f, err) {
		if fault.CodeOf(err) == fault.Forbidden && f.Error == "" {
			f.Error = v.M(i18n.M("error.forbidden"))
		}
		w.showForm(rw, v, f)
		return
	}
	w.fail(rw, r, err)
}
