package web

import (
	"bytes"
	"net/http"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/scheme"
	"shanzhi/internal/schemesheet"
)

// schemeExport sends the region's draft (?draft=1, for a leader) or the
// scheme in force there as a sheet another village can import.
func (w *Web) schemeExport(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	code := r.PathValue("code")
	s, err := scheme.Exported(r.Context(), w.Schemes, a, code, r.URL.Query().Get("draft") != "", w.Now())
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	name, err := w.regionTitle(r, a, code)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	var buf bytes.Buffer
	if err := schemesheet.Write(&buf, s, name, w.Now()); err != nil {
		w.fail(rw, r, err)
		return
	}
	attachment(rw, name+w.Catalog.T(langOf(r), "page.scheme")+".xlsx", "scheme.xlsx")
	rw.Write(buf.Bytes())
}

// schemeImport reads a scheme sheet into the region's draft: the whole
// draft is replaced, or, on any problem, nothing is.
func (w *Web) schemeImport(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	code := r.PathValue("code")
	if !a.Can(access.SchemeManage, code) {
		w.schemePage(rw, r, a, nil, fault.E(fault.Forbidden, "scheme.manage.forbidden"))
		return
	}
	name, data, err := w.upload(r)
	if err == nil {
		var d scheme.Scheme
		if d, err = schemesheet.Read(name, data, code, w.MaxUpload); err == nil {
			_, err = w.Schemes.SaveDraft(r.Context(), a, d)
		}
	}
	if err != nil {
		w.schemePage(rw, r, a, nil, err)
		return
	}
	seeOther(rw, r, "/regions/"+code+"/scheme#changes", "scheme_imported")
}
