package web

import (
	"fmt"
	"net/http"

	"shanzhi/internal/access"
)

// action is a form about one object (a household, a resident): drawn on
// GET, run on POST, redrawn with the error or followed by a redirect to the
// household the change ended in.
type action[T any] struct {
	title  string
	intro  string
	fields func(v *view, r *http.Request, obj T) []field
	run    func(r *http.Request, a *access.Actor, obj T) (int64, error)
}

// target loads an action's object, its breadcrumbs and the way back.
type target[T any] func(r *http.Request, a *access.Actor, v *view) (T, []crumb, string, error)

// do serves one action over objects that load finds.
func do[T any](w *Web, load target[T], act action[T]) func(http.ResponseWriter, *http.Request, *access.Actor) {
	return func(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
		v := w.newView(r, act.title, "households")
		obj, crumbs, back, err := load(r, a, v)
		if err != nil {
			w.fail(rw, r, err)
			return
		}
		var runErr error
		if r.Method == http.MethodPost {
			to, err := act.run(r, a, obj)
			if err == nil {
				seeOther(rw, r, fmt.Sprintf("/households/%d", to), "saved")
				return
			}
			runErr = err
		}
		v.Crumbs = append(crumbs, crumb{Label: v.T(act.title)})
		f := &form{Action: r.URL.Path, Submit: v.T("action.save"), Cancel: back, Fields: act.fields(v, r, obj)}
		if act.intro != "" {
			f.Intro = v.T(act.intro)
		}
		if runErr != nil {
			w.formOrFail(rw, r, v, f, runErr)
			return
		}
		w.showForm(rw, v, f)
	}
}
