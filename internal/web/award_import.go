package web

import (
	"fmt"
	"net/http"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/points"
)

// awardImport takes an award sheet for a village: the upload form on GET,
// staging on POST, then the preview.
func (w *Web) awardImport(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	code := r.PathValue("code")
	if !a.Can(access.PointsWrite, code) {
		w.fail(rw, r, fault.E(fault.NotFound, "region.not_found"))
		return
	}
	name, err := w.regionTitle(r, a, code)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "page.award_import", "households")
	f := &form{Action: r.URL.Path, Submit: v.T("import.upload"), Multipart: true, Cancel: "/regions/" + code, Intro: v.T("award_import.intro", name), Fields: []field{
		{Name: "file", Label: v.T("import.file"), Type: "file", Required: true, Accept: ".xlsx,.csv,.txt", Help: v.T("award_import.help")},
	}}
	if r.Method != http.MethodPost {
		w.showForm(rw, v, f)
		return
	}
	name, data, err := w.upload(r)
	if err != nil {
		w.formOrFail(rw, r, v, f, err)
		return
	}
	batch, err := w.Awards.StageAwards(r.Context(), a, code, name, data)
	if err != nil {
		w.formOrFail(rw, r, v, f, err)
		return
	}
	http.Redirect(rw, r, fmt.Sprintf("/awards/import/%d", batch), http.StatusSeeOther)
}

// awardImportRun previews a staged award sheet on GET and runs it on POST.
func (w *Web) awardImportRun(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	id, err := pathID(r, "id")
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	rep, err := w.Awards.RunAwards(r.Context(), a, id, runMode(r))
	if err != nil && (rep == nil || fault.CodeOf(err) == fault.Internal || fault.CodeOf(err) == fault.NotFound) {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "page.award_import", "households")
	d := &awardImportView{Report: rep, Action: r.URL.Path}
	status := http.StatusOK
	if fe, ok := err.(*fault.Error); ok {
		d.Error, status = v.M(fe.Msg), fault.HTTPStatus(fe.Code)
	}
	v.Data = d
	w.render(rw, status, "award_import", v)
}

type awardImportView struct {
	Report *points.ImportReport
	Error  string
	Action string
}
