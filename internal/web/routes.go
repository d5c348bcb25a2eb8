package web

import "net/http"

// Routes registers every page. The access-control test walks this list,
// so a page added here without an authorisation rule fails it.
func (w *Web) Routes(mux *http.ServeMux) {
	mux.Handle("GET /static/", w.Static())
	mux.HandleFunc("GET /login", w.loginPage)
	mux.HandleFunc("GET /lang", w.language)
	mux.HandleFunc("POST /login", w.login)
	mux.HandleFunc("POST /logout", w.logout)
	mux.HandleFunc("GET /login/otp", w.secondFactor)
	mux.HandleFunc("POST /login/otp", w.secondFactor)
	mux.HandleFunc("GET /password", w.passwordPage)
	mux.HandleFunc("POST /password", w.passwordPage)

	mux.HandleFunc("GET /{$}", w.page(w.home))
	mux.HandleFunc("GET /regions", w.page(w.home))
	mux.HandleFunc("GET /regions/{code}", w.page(w.regionShow))
	mux.HandleFunc("GET /regions/{code}/manage", w.page(w.regionManage))
	mux.HandleFunc("POST /regions/{code}/rename", w.page(w.regionAction(w.regionRename)))
	mux.HandleFunc("POST /regions/{code}/villages", w.page(w.regionAction(w.regionAddVillage)))
	mux.HandleFunc("POST /regions/{code}/merge", w.page(w.regionAction(w.regionMerge)))
	mux.HandleFunc("POST /regions/{code}/retire", w.page(w.regionAction(w.regionRetire)))

	mux.HandleFunc("GET /households", w.page(w.households))
	mux.HandleFunc("GET /households/new", w.page(w.householdNew))
	mux.HandleFunc("POST /households", w.page(w.householdCreate))
	mux.HandleFunc("GET /households/{id}", w.page(w.householdShow))
	for name, act := range w.householdActions() {
		mux.HandleFunc("GET /households/{id}/"+name, w.page(do(w, w.householdTarget, act)))
		mux.HandleFunc("POST /households/{id}/"+name, w.page(do(w, w.householdTarget, act)))
	}
	mux.HandleFunc("GET /residents", w.page(w.residents))
	mux.HandleFunc("GET /households/{id}/card", w.page(w.householdCard))
	mux.HandleFunc("GET /my", w.page(w.myHousehold))
	mux.HandleFunc("GET /card/{token}", w.cardOpen)
	for name, act := range w.residentActions() {
		mux.HandleFunc("GET /residents/{id}/"+name, w.page(do(w, w.residentTarget, act)))
		mux.HandleFunc("POST /residents/{id}/"+name, w.page(do(w, w.residentTarget, act)))
	}

	mux.HandleFunc("GET /import", w.page(w.importPage))
	mux.HandleFunc("POST /import", w.page(w.importUpload))
	mux.HandleFunc("GET /import/template.xlsx", w.page(w.importTemplate))
	mux.HandleFunc("GET /import/{id}", w.page(w.importRun))
	mux.HandleFunc("POST /import/{id}", w.page(w.importRun))
	mux.HandleFunc("GET /export/residents.xlsx", w.page(w.exportResidents))
	mux.HandleFunc("POST /export/residents.xlsx", w.page(w.exportResidents))
	mux.HandleFunc("GET /residents/{id}/reveal", w.page(w.reveal))
	mux.HandleFunc("POST /residents/{id}/reveal", w.page(w.reveal))

	mux.HandleFunc("GET /admin/users", w.page(w.users))
	mux.HandleFunc("GET /admin/users/new", w.page(w.userNew))
	mux.HandleFunc("POST /admin/users/new", w.page(w.userNew))
	mux.HandleFunc("GET /admin/users/{id}", w.page(w.userShow))
	mux.HandleFunc("POST /admin/users/{id}/disable", w.page(w.userAction(w.userDisable)))
	mux.HandleFunc("POST /admin/users/{id}/reset", w.page(w.userAction(w.userReset)))
	mux.HandleFunc("POST /admin/users/{id}/grant", w.page(w.userAction(w.userGrant)))
	mux.HandleFunc("POST /admin/users/{id}/revoke", w.page(w.userAction(w.userRevoke)))
	mux.HandleFunc("GET /audit", w.page(w.auditLog))
	mux.HandleFunc("GET /audit.xlsx", w.page(w.auditExport))
	mux.HandleFunc("GET /tokens", w.page(w.tokens))
	mux.HandleFunc("POST /tokens", w.page(w.tokens))
	mux.HandleFunc("POST /tokens/{id}/revoke", w.page(w.tokenRevoke))
}
