package web

import (
	"net/http"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/i18n"
)

// mongolDraftsPage is the list of Mongolian catalogue entries waiting for
// a Mongolian-literate reviewer, with the Chinese each translates.
type mongolDraftsPage struct {
	Drafts []i18n.Draft
	Public int // how many public texts there are in all
}

// mongolDrafts lists the unreviewed Mongolian entries for the
// administrator, who hands them to a reviewer: the reviewer corrects
// internal/i18n/messages/mn.json and strikes the key from mn-draft.txt.
func (w *Web) mongolDrafts(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	if !a.CanAnywhere(access.UserManage) {
		w.fail(rw, r, fault.E(fault.Forbidden, "error.forbidden"))
		return
	}
	v := w.newView(r, "page.mongol_drafts", "mongol")
	v.Bilingual, v.MongolCSS = true, w.font.cssPath
	v.Data = &mongolDraftsPage{Drafts: w.Catalog.Drafts(), Public: len(w.Catalog.PublicKeys())}
	w.render(rw, http.StatusOK, "mongol_drafts", v)
}
