package web

import (
	"net/http"

	"shanzhi/internal/access"
	"shanzhi/internal/honour"
	"shanzhi/internal/server"
	"shanzhi/internal/survey"
)

// Routes registers every page with the rule that guards it. The
// authorisation test walks this table, role by role and region by region.
func (w *Web) Routes(rt *server.Router) {
	pub, self := server.Rule{On: server.Public}, server.Rule{On: server.Session}
	on := func(p access.Permission, t server.Target) server.Rule { return server.Rule{Perm: p, On: t} }
	read, write := access.RegistryRead, access.RegistryWrite

	rt.Handle("GET /static/", pub, w.Static())
	rt.HandleFunc("GET /fonts/{file}", pub, w.serveFont)
	rt.HandleFunc("GET /login", pub, w.loginPage)
	rt.HandleFunc("GET /lang", pub, w.language)
	rt.HandleFunc("GET /text-size", pub, w.textSize)
	rt.HandleFunc("POST /login", pub, w.login)
	rt.HandleFunc("POST /logout", pub, w.logout)
	rt.HandleFunc("GET /login/otp", self, w.secondFactor)
	rt.HandleFunc("POST /login/otp", self, w.secondFactor)
	rt.HandleFunc("GET /password", self, w.passwordPage)
	rt.HandleFunc("POST /password", self, w.passwordPage)
	rt.HandleFunc("GET /card/{token}", pub, w.cardOpen)

	rt.HandleFunc("GET /{$}", self, w.page(w.home))
	rt.HandleFunc("GET /regions", self, w.page(w.home))
	rt.HandleFunc("GET /regions/{code}", on(read, server.OnRegion), w.page(w.regionShow))
	rt.HandleFunc("GET /regions/{code}/manage", on(access.RegionManage, server.OnRegion), w.page(w.regionManage))
	rt.HandleFunc("POST /regions/{code}/rename", on(access.RegionManage, server.OnRegion), w.page(w.regionAction(w.regionRename)))
	rt.HandleFunc("POST /regions/{code}/villages", on(access.RegionManage, server.OnRegion), w.page(w.regionAction(w.regionAddVillage)))
	rt.HandleFunc("POST /regions/{code}/merge", on(access.RegionManage, server.OnRegion), w.page(w.regionAction(w.regionMerge)))
	rt.HandleFunc("POST /regions/{code}/script", on(access.RegionManage, server.OnRegion), w.page(w.regionAction(w.regionScript)))
	rt.HandleFunc("POST /regions/{code}/retire", on(access.RegionManage, server.OnRegion), w.page(w.regionAction(w.regionRetire)))

	rt.HandleFunc("GET /households", on(read, server.OnQuery), w.page(w.households))
	rt.HandleFunc("GET /households/new", on(write, server.OnQuery), w.page(w.householdNew))
	rt.HandleFunc("POST /households", on(write, server.OnQuery), w.page(w.householdCreate))
	rt.HandleFunc("GET /households/{id}", on(read, server.OnHousehold), w.page(w.householdShow))
	for name, act := range w.householdActions() {
		rt.HandleFunc("GET /households/{id}/"+name, on(read, server.OnHousehold), w.page(do(w, w.householdTarget, act)))
		rt.HandleFunc("POST /households/{id}/"+name, on(write, server.OnHousehold), w.page(do(w, w.householdTarget, act)))
	}
	rt.HandleFunc("GET /households/{id}/card", on(write, server.OnHousehold), w.page(w.householdCard))
	rt.HandleFunc("GET /households/{id}/card/print", on(write, server.OnHousehold), w.page(w.cardPrint))
	rt.HandleFunc("GET /households/{id}/card.pdf", on(write, server.OnHousehold), w.page(w.cardPrint))
	rt.HandleFunc("GET /households/{id}/correct", on(access.PointsWrite, server.OnHousehold), w.page(w.awardCorrect))
	rt.HandleFunc("POST /households/{id}/correct", on(access.PointsWrite, server.OnHousehold), w.page(w.awardCorrect))
	rt.HandleFunc("GET /households/{id}/appeal", on(access.PointsWrite, server.OnHousehold), w.page(w.householdAppeal))
	rt.HandleFunc("POST /households/{id}/appeal", on(access.PointsWrite, server.OnHousehold), w.page(w.householdAppeal))
	rt.HandleFunc("GET /households/{id}/points", on(read, server.OnHousehold), w.page(w.statement))
	rt.HandleFunc("GET /households/{id}/points.xlsx", on(read, server.OnHousehold), w.page(w.statementExport))
	rt.HandleFunc("GET /households/{id}/points/print", on(read, server.OnHousehold), w.page(w.statementPrint))
	rt.HandleFunc("GET /households/{id}/points.pdf", on(read, server.OnHousehold), w.page(w.statementPrint))
	rt.HandleFunc("GET /households/{id}/award", on(access.PointsWrite, server.OnHousehold), w.page(w.awardForm))
	rt.HandleFunc("POST /households/{id}/award", on(access.PointsWrite, server.OnHousehold), w.page(w.awardForm))
	rt.HandleFunc("GET /regions/{code}/awards/import", on(access.PointsWrite, server.OnRegion), w.page(w.awardImport))
	rt.HandleFunc("POST /regions/{code}/awards/import", on(access.PointsWrite, server.OnRegion), w.page(w.awardImport))
	rt.HandleFunc("GET /awards/import/{id}", on(access.PointsWrite, server.OnBatch), w.page(w.awardImportRun))
	rt.HandleFunc("POST /awards/import/{id}", on(access.PointsWrite, server.OnBatch), w.page(w.awardImportRun))
	rt.HandleFunc("POST /regions/{code}/points/base", on(access.PointsWrite, server.OnRegion), w.page(w.periodBase))
	rt.HandleFunc("POST /regions/{code}/points/close", on(access.PointsWrite, server.OnRegion), w.page(w.periodClose))
	rt.HandleFunc("GET /regions/{code}/inspection", on(access.PointsWrite, server.OnRegion), w.page(w.inspection))
	// The 公示 for the board is printed by the village's officials: it
	// shows what the public page shows, but a PDF costs the server work.
	noticePrint := server.Rule{Perm: read, Or: access.PointsApprove, On: server.OnRegion}
	for _, p := range []string{"/regions/{code}/register/print", "/regions/{code}/register.pdf"} {
		rt.HandleFunc("GET "+p, on(read, server.OnRegion), w.page(w.registerPrint))
		rt.HandleFunc("POST "+p, on(access.ExportFull, server.OnRegion), w.page(w.registerPrint))
	}
	rt.HandleFunc("GET /regions/{code}/notice/print", noticePrint, w.page(w.noticePrint))
	rt.HandleFunc("GET /regions/{code}/notice.pdf", noticePrint, w.page(w.noticePrint))
	rt.HandleFunc("POST /regions/{code}/inspection", on(access.PointsWrite, server.OnRegion), w.page(w.inspection))
	rt.HandleFunc("GET /regions/{code}/inspection/print", on(access.PointsWrite, server.OnRegion), w.page(w.inspectionPrint))
	rt.HandleFunc("GET /regions/{code}/inspection.pdf", on(access.PointsWrite, server.OnRegion), w.page(w.inspectionPrint))
	// A scheme is read by whoever awards or reads the registers under it,
	// and drafted and published by a leader (scheme.manage).
	schemeRead := server.Rule{Perm: read, Or: access.PointsWrite, On: server.OnRegion}
	schemes := on(access.SchemeManage, server.OnRegion)
	rt.HandleFunc("GET /regions/{code}/scheme", schemeRead, w.page(w.schemeShow))
	rt.HandleFunc("GET /regions/{code}/scheme.xlsx", schemeRead, w.page(w.schemeExport))
	rt.HandleFunc("POST /regions/{code}/scheme/start", schemes, w.page(w.schemeStart))
	rt.HandleFunc("POST /regions/{code}/scheme/draft", schemes, w.page(w.schemeSave))
	rt.HandleFunc("POST /regions/{code}/scheme/discard", schemes, w.page(w.schemeDiscard))
	rt.HandleFunc("POST /regions/{code}/scheme/publish", schemes, w.page(w.schemePublish))
	rt.HandleFunc("POST /regions/{code}/scheme/import", schemes, w.page(w.schemeImport))
	rt.HandleFunc("GET /reviews", on(access.PointsApprove, server.Anywhere), w.page(w.reviews))
	// Evidence photos go to those who read the household, and to its own
	// villager; never to the public notice or board.
	rt.HandleFunc("GET /photos/{id}", server.Rule{Perm: read, On: server.OnPhoto, Own: true}, w.page(w.photoServe))
	rt.HandleFunc("POST /reviews/approve", on(access.PointsApprove, server.Anywhere), w.page(w.reviewApproveMany))
	rt.HandleFunc("POST /reviews/{id}", on(access.PointsApprove, server.OnReview), w.page(w.reviewDecide))
	rt.HandleFunc("POST /reviews/{id}/objection", on(access.PointsApprove, server.OnReview), w.page(w.reviewResolve))
	rt.HandleFunc("POST /reviews/{id}/withdraw", on(access.PointsWrite, server.OnReview), w.page(w.reviewWithdraw))
	rt.HandleFunc("GET /notice/{code}", pub, w.notice)
	rt.HandleFunc("GET /board/{code}", pub, w.board)
	rt.HandleFunc("GET /rankings", on(read, server.OnQuery), w.page(w.rankings))
	rt.HandleFunc("POST /notice/{code}/{id}/object", pub, w.noticeObject)
	rt.HandleFunc("GET /objection", pub, w.objectionOutcome)
	rt.HandleFunc("GET /households/{id}/villager", on(read, server.OnHousehold), w.page(w.issueVillager))
	rt.HandleFunc("POST /households/{id}/villager", on(write, server.OnHousehold), w.page(w.issueVillager))
	rt.HandleFunc("GET /residents", on(read, server.OnQuery), w.page(w.residents))
	for name, act := range w.residentActions() {
		rt.HandleFunc("GET /residents/{id}/"+name, on(read, server.OnResident), w.page(do(w, w.residentTarget, act)))
		rt.HandleFunc("POST /residents/{id}/"+name, on(write, server.OnResident), w.page(do(w, w.residentTarget, act)))
	}
	rt.HandleFunc("GET /residents/{id}/erase", on(read, server.OnResident), w.page(do(w, w.residentTarget, w.residentErase())))
	rt.HandleFunc("POST /residents/{id}/erase", on(access.RegionManage, server.OnResident), w.page(do(w, w.residentTarget, w.residentErase())))
	rt.HandleFunc("GET /residents/{id}/reveal", on(read, server.OnResident), w.page(w.reveal))
	rt.HandleFunc("POST /residents/{id}/reveal", on(access.PersonalReveal, server.OnResident), w.page(w.reveal))
	rt.HandleFunc("GET /my", on(access.OwnHousehold, server.Anywhere), w.page(w.myHousehold))
	rt.HandleFunc("GET /my/declare", on(access.OwnHousehold, server.Anywhere), w.page(w.declare))
	rt.HandleFunc("POST /my/declare", on(access.OwnHousehold, server.Anywhere), w.page(w.declare))
	rt.HandleFunc("GET /my/appeal", on(access.OwnHousehold, server.Anywhere), w.page(w.myAppeal))
	rt.HandleFunc("POST /my/appeal", on(access.OwnHousehold, server.Anywhere), w.page(w.myAppeal))

	w.marketRoutes(rt)

	w.talentRoutes(rt)

	w.orgRoutes(rt)
	w.memberRoutes(rt)
	w.trainingRoutes(rt)

	w.surveyRoutes(rt)

	w.honourRoutes(rt)

	rt.HandleFunc("GET /import", on(write, server.OnQuery), w.page(w.importPage))
	rt.HandleFunc("POST /import", on(write, server.OnQuery), w.page(w.importUpload))
	rt.HandleFunc("GET /import/template.xlsx", self, w.page(w.importTemplate))
	rt.HandleFunc("GET /import/{id}", on(write, server.OnBatch), w.page(w.importRun))
	rt.HandleFunc("POST /import/{id}", on(write, server.OnBatch), w.page(w.importRun))
	rt.HandleFunc("GET /export/residents.xlsx", on(read, server.OnQuery), w.page(w.exportResidents))
	rt.HandleFunc("POST /export/residents.xlsx", on(access.ExportFull, server.OnQuery), w.page(w.exportResidents))

	admins := server.Rule{Perm: access.UserManage, Or: access.RoleManage, On: server.Anywhere}
	rt.HandleFunc("GET /admin/users", admins, w.page(w.users))
	rt.HandleFunc("GET /admin/users/new", on(access.UserManage, server.Anywhere), w.page(w.userNew))
	rt.HandleFunc("POST /admin/users/new", on(access.UserManage, server.Anywhere), w.page(w.userNew))
	rt.HandleFunc("GET /admin/users/{id}", admins, w.page(w.userShow))
	rt.HandleFunc("POST /admin/users/{id}/disable", on(access.UserManage, server.Anywhere), w.page(w.userAction(w.userDisable)))
	rt.HandleFunc("POST /admin/users/{id}/reset", on(access.UserManage, server.Anywhere), w.page(w.userAction(w.userReset)))
	rt.HandleFunc("POST /admin/users/{id}/grant", on(access.RoleManage, server.Anywhere), w.page(w.userAction(w.userGrant)))
	rt.HandleFunc("POST /admin/users/{id}/revoke", on(access.RoleManage, server.Anywhere), w.page(w.userAction(w.userRevoke)))
	rt.HandleFunc("POST /admin/users/{id}/grants/bulk", on(access.RoleManage, server.Anywhere), w.page(w.userAction(w.userGrantBulk)))
	rt.HandleFunc("GET /admin/region-name", on(access.RoleManage, server.Anywhere), w.page(w.regionName))
	rt.HandleFunc("GET /admin/mongolian", on(access.UserManage, server.Anywhere), w.page(w.mongolDrafts))
	rt.HandleFunc("GET /audit", on(access.AuditRead, server.Anywhere), w.page(w.auditLog))
	rt.HandleFunc("GET /audit.xlsx", on(access.AuditRead, server.Anywhere), w.page(w.auditExport))
	rt.HandleFunc("GET /tokens", self, w.page(w.tokens))
	rt.HandleFunc("POST /tokens", self, w.page(w.tokens))
	rt.HandleFunc("POST /tokens/{id}/revoke", self, w.page(w.tokenRevoke))
}

// honourRoutes registers the honours module's pages: boards and their
// nominations for officials (a villager nominates from their phone), and
// the public board pages and posters.
func (w *Web) honourRoutes(rt *server.Router) {
	pub := server.Rule{On: server.Public}
	manage := access.HonourManage
	read := func(t server.Target) server.Rule { return server.Rule{Perm: access.RegistryRead, Or: manage, On: t} }
	on := func(t server.Target) server.Rule { return server.Rule{Perm: manage, On: t} }
	rt.HandleFunc("GET /honours", read(server.OnQuery), w.page(w.honourBoards))
	rt.HandleFunc("GET /honours/new", on(server.OnQuery), w.page(w.honourBoardNew))
	rt.HandleFunc("POST /honours/new", on(server.OnQuery), w.page(w.honourBoardNew))
	rt.HandleFunc("GET /honours/boards/{id}", read(server.OnBoard), w.page(w.honourBoard))
	rt.HandleFunc("POST /honours/boards/{id}/publish", on(server.OnBoard), w.page(w.honourPublish))
	nominate := server.Rule{Perm: manage, Or: access.OwnHousehold, On: server.OnBoard}
	rt.HandleFunc("GET /honours/boards/{id}/nominate", nominate, w.page(w.honourNominate))
	rt.HandleFunc("POST /honours/boards/{id}/nominate", nominate, w.page(w.honourNominate))
	rt.HandleFunc("GET /honour/{code}", pub, w.honourPublicBoards)
	rt.HandleFunc("GET /honour/board/{id}", pub, w.honourPublicBoard)
	rt.HandleFunc("GET /honour/board/{id}/poster", pub, w.honourPoster)
	rt.HandleFunc("GET /honour/board/{id}/nominate", pub, w.honourPublicNominate)
	rt.HandleFunc("POST /honour/board/{id}/nominate", pub, w.honourPublicNominate)
	rt.HandleFunc("GET /honours/boards/{id}/photos/{photo}", read(server.OnBoard), w.page(w.honourPhoto))
	// A nominee's signed consent, as a credit consent's scan: the
	// register's readers only.
	rt.HandleFunc("GET /honours/boards/{id}/scans/{scan}", server.Rule{Perm: access.RegistryRead, On: server.OnBoard}, w.page(w.nominationScan))
	rt.HandleFunc("GET /honour/photos/{photo}", pub, w.honourPublicPhoto)
	rt.HandleFunc("GET /honour/board/{id}/poster.pdf", pub, w.honourPoster)

	rt.HandleFunc("GET /funds", read(server.OnQuery), w.page(w.funds))
	rt.HandleFunc("GET /funds/new", on(server.OnQuery), w.page(w.fundNew))
	rt.HandleFunc("POST /funds/new", on(server.OnQuery), w.page(w.fundNew))
	rt.HandleFunc("GET /funds/{id}", read(server.OnCampaign), w.page(w.fundShow))
	rt.HandleFunc("GET /funds/{id}/ledger.xlsx", read(server.OnCampaign), w.page(w.fundExport))
	for name, kind := range map[string]honour.EntryKind{"donations": honour.Donation, "confirm": honour.Confirmation, "disbursements": honour.Disbursement, "close": honour.Closing} {
		rt.HandleFunc("POST /funds/{id}/"+name, on(server.OnCampaign), w.page(w.fundPost(kind)))
	}
	// A drive's consent scan, as a credit consent's: the register's
	// readers only.
	rt.HandleFunc("GET /funds/{id}/scans/{scan}", server.Rule{Perm: access.RegistryRead, On: server.OnCampaign}, w.page(w.fundScan))
	rt.HandleFunc("GET /fund/{id}", pub, w.fundPublic)

	rt.HandleFunc("GET /privileges", read(server.OnQuery), w.page(w.privileges))
	rt.HandleFunc("GET /privileges/new", on(server.OnQuery), w.page(w.privilegeNew))
	rt.HandleFunc("POST /privileges/new", on(server.OnQuery), w.page(w.privilegeNew))
	// A household's privileges and credit consents are read like its
	// points: by its officials, the counter's clerks and its own villager.
	points := server.Rule{Perm: access.RegistryRead, Or: access.PointsSpend, On: server.OnHousehold, Own: true}
	rt.HandleFunc("GET /households/{id}/privileges", points, w.page(w.householdPrivileges))
	rt.HandleFunc("POST /households/{id}/privileges", on(server.OnHousehold), w.page(w.privilegeGrant))
	rt.HandleFunc("GET /households/{id}/credit", points, w.page(w.householdCredit))
	consent := server.Rule{Perm: manage, On: server.OnHousehold, Own: true}
	rt.HandleFunc("POST /households/{id}/credit/consent", consent, w.page(w.creditConsent))
	rt.HandleFunc("POST /households/{id}/credit/revoke", consent, w.page(w.creditRevoke))
	// A consent's scan shows the head's signature, often an ID number: not
	// for the counter's clerks, who see a balance and no more.
	scan := server.Rule{Perm: access.RegistryRead, On: server.OnHousehold, Own: true}
	rt.HandleFunc("GET /households/{id}/credit/scans/{scan}", scan, w.page(w.creditScan))
	rt.HandleFunc("GET /households/{id}/credit.csv", server.Rule{Perm: access.CreditExport, On: server.OnHousehold}, w.page(w.creditExport("csv")))
	rt.HandleFunc("GET /households/{id}/credit.xlsx", server.Rule{Perm: access.CreditExport, On: server.OnHousehold}, w.page(w.creditExport("xlsx")))
}

// marketRoutes registers the points supermarket's pages: stores and their
// goods and stock for those who manage them, the till and receipts for
// those who sell, reports for both, and the villager's catalogue.
func (w *Web) marketRoutes(rt *server.Router) {
	manage, sell := access.MarketManage, access.MarketSell
	on := func(p access.Permission, t server.Target) server.Rule { return server.Rule{Perm: p, On: t} }
	either := func(t server.Target) server.Rule { return server.Rule{Perm: manage, Or: sell, On: t} }
	rt.HandleFunc("GET /market", either(server.Anywhere), w.page(w.marketStores))
	rt.HandleFunc("GET /market/photos/{id}", server.Rule{On: server.Public}, w.goodsPhotoServe)
	rt.HandleFunc("GET /market/board/{code}", server.Rule{On: server.Public}, w.marketBoard)
	rt.HandleFunc("GET /regions/{code}/stores/new", on(manage, server.OnRegion), w.page(w.storeNew))
	rt.HandleFunc("POST /regions/{code}/stores/new", on(manage, server.OnRegion), w.page(w.storeNew))
	rt.HandleFunc("GET /stores/{id}", either(server.OnStore), w.page(w.storeShow))
	for name, h := range map[string]func(http.ResponseWriter, *http.Request, *access.Actor){
		"settings": w.storeSettings(), "clerks": w.storeClerks(), "goods": w.goodsEdit(), "photo": w.goodsPhoto(),
		"inbound": w.stockIn(), "adjust": w.stockAdjust(), "count": w.stockCount, "close": w.storeClose(),
	} {
		rt.HandleFunc("GET /stores/{id}/"+name, on(manage, server.OnStore), w.page(h))
		rt.HandleFunc("POST /stores/{id}/"+name, on(manage, server.OnStore), w.page(h))
	}
	rt.HandleFunc("POST /stores/{id}/reopen", on(manage, server.OnStore), w.page(w.storeReopen))
	rt.HandleFunc("GET /stores/{id}/counter", on(sell, server.OnStore), w.page(w.counter))
	rt.HandleFunc("POST /stores/{id}/counter", on(sell, server.OnStore), w.page(w.counter))
	rt.HandleFunc("GET /stores/{id}/reports", either(server.OnStore), w.page(w.marketReports))
	rt.HandleFunc("GET /stores/{id}/reports.xlsx", either(server.OnStore), w.page(w.marketExport))
	rt.HandleFunc("GET /redemptions/{id}", either(server.OnRedeemed), w.page(w.receipt))
	rt.HandleFunc("GET /redemptions/{id}/receipt.pdf", either(server.OnRedeemed), w.page(w.receipt))
	rt.HandleFunc("POST /redemptions/{id}/return", on(sell, server.OnRedeemed), w.page(w.receiptReturn))
	rt.HandleFunc("GET /my/market", on(access.OwnHousehold, server.Anywhere), w.page(w.myMarket))
}

// talentRoutes registers the rural-leader programme's pages (晓景计划):
// the register and its export, applications and their review at each
// level, rankings, coverage, leaders with their three lists, rounds and
// quotas, and each leader's public page.
func (w *Web) talentRoutes(rt *server.Router) {
	on := func(p access.Permission, t server.Target) server.Rule { return server.Rule{Perm: p, On: t} }
	read, write, rev, manage := access.RegistryRead, access.TalentWrite, access.TalentReview, access.TalentManage
	rt.HandleFunc("GET /talent", on(read, server.OnQuery), w.page(w.talentCandidates))
	rt.HandleFunc("GET /talent.xlsx", on(read, server.OnQuery), w.page(w.talentExport))
	rt.HandleFunc("GET /talent/new", on(write, server.OnQuery), w.page(w.talentNew))
	rt.HandleFunc("GET /talent/import", on(write, server.OnQuery), w.page(w.talentImport))
	rt.HandleFunc("POST /talent/import", on(write, server.OnQuery), w.page(w.talentImport))
	rt.HandleFunc("GET /talent/import/template.xlsx", on(write, server.OnQuery), w.page(w.talentImportTemplate))
	rt.HandleFunc("POST /talent/new", on(write, server.OnQuery), w.page(w.talentNew))
	rt.HandleFunc("GET /talent/candidates/{id}", on(read, server.OnCandidate), w.page(w.talentCandidate))
	rt.HandleFunc("GET /talent/candidates/{id}/print", on(read, server.OnCandidate), w.page(w.talentReviewPrint))
	rt.HandleFunc("GET /talent/candidates/{id}/review.pdf", on(read, server.OnCandidate), w.page(w.talentReviewPrint))
	rt.HandleFunc("GET /talent/candidates/{id}/edit", on(write, server.OnCandidate), w.page(w.talentEdit))
	rt.HandleFunc("POST /talent/candidates/{id}/edit", on(write, server.OnCandidate), w.page(w.talentEdit))
	rt.HandleFunc("POST /talent/candidates/{id}/submit", on(write, server.OnCandidate), w.page(w.candidateAct(write, "talent_submitted", w.talentSubmitAct)))
	rt.HandleFunc("POST /talent/candidates/{id}/score", on(rev, server.OnCandidate), w.page(w.candidateAct(rev, "saved", w.talentScore)))
	rt.HandleFunc("POST /talent/candidates/{id}/decide", on(rev, server.OnCandidate), w.page(w.candidateAct(rev, "saved", w.talentDecide)))
	rt.HandleFunc("POST /talent/candidates/{id}/order", on(rev, server.OnCandidate), w.page(w.candidateAct(rev, "saved", w.talentOrder)))
	rt.HandleFunc("POST /talent/candidates/{id}/objection", on(rev, server.OnCandidate), w.page(w.candidateAct(rev, "saved", w.talentResolve)))
	rt.HandleFunc("GET /talent/ranking", on(rev, server.OnQuery), w.page(w.talentRanking))
	rt.HandleFunc("GET /talent/ranking.xlsx", on(rev, server.OnQuery), w.page(w.talentRankingExport))
	rt.HandleFunc("POST /talent/ranking/decide", on(rev, server.OnQuery), w.page(w.talentDecideBulk))
	rt.HandleFunc("GET /talent/ranking/scores.xlsx", on(rev, server.OnQuery), w.page(w.talentScoreSheet))
	rt.HandleFunc("POST /talent/ranking/scores", on(rev, server.OnQuery), w.page(w.talentScoreUpload))
	rt.HandleFunc("GET /talent/coverage", on(read, server.OnQuery), w.page(w.talentCoverage))
	rt.HandleFunc("GET /talent/coverage.xlsx", on(read, server.OnQuery), w.page(w.talentCoverageExport))
	rt.HandleFunc("GET /talent/leaders", on(read, server.OnQuery), w.page(w.talentLeaders))
	rt.HandleFunc("GET /talent/leaders.xlsx", on(read, server.OnQuery), w.page(w.talentListsExport))
	rt.HandleFunc("GET /talent/leaders/{id}", on(read, server.OnLeader), w.page(w.talentLeader))
	rt.HandleFunc("POST /talent/leaders/{id}/measures", on(write, server.OnLeader), w.page(w.leaderAct(write, w.measureAdd)))
	rt.HandleFunc("POST /talent/leaders/{id}/log", on(write, server.OnLeader), w.page(w.leaderAct(write, w.measureLog)))
	rt.HandleFunc("POST /talent/leaders/{id}/recognition", on(manage, server.OnLeader), w.page(w.leaderAct(manage, w.leaderRecognise)))
	rt.HandleFunc("POST /talent/leaders/{id}/plan", on(write, server.OnLeader), w.page(w.leaderAct(write, w.leaderPlan)))
	rt.HandleFunc("POST /talent/leaders/{id}/support", on(write, server.OnLeader), w.page(w.leaderAct(write, w.leaderSupport)))
	rt.HandleFunc("POST /talent/leaders/{id}/showcase", on(write, server.OnLeader), w.page(w.leaderAct(write, w.leaderShowcase)))
	rt.HandleFunc("GET /talent/support", on(read, server.OnQuery), w.page(w.talentSupportPage))
	rt.HandleFunc("GET /showcase", server.Rule{On: server.Public}, w.showcasePage)
	rt.HandleFunc("GET /showcase/photos/{id}", server.Rule{On: server.Public}, w.showcasePhoto)
	rt.HandleFunc("GET /regions/{code}/talent/round", on(manage, server.OnRegion), w.page(w.talentRoundNew))
	rt.HandleFunc("POST /regions/{code}/talent/round", on(manage, server.OnRegion), w.page(w.talentRoundNew))
	rt.HandleFunc("GET /talent/rounds/{id}", on(read, server.OnRound), w.page(w.talentRoundShow))
	rt.HandleFunc("POST /talent/rounds/{id}/quota", on(manage, server.OnRound), w.page(w.talentQuota))
	rt.HandleFunc("GET /talent/rounds/{id}/quotas.xlsx", on(manage, server.OnRound), w.page(w.talentQuotaSheet))
	rt.HandleFunc("POST /talent/rounds/{id}/quotas", on(manage, server.OnRound), w.page(w.talentQuotaUpload))
	rt.HandleFunc("GET /leaders/{id}", server.Rule{On: server.Public}, w.talentProfile)
	rt.HandleFunc("POST /talent/candidates/{id}/attach", on(write, server.OnCandidate), w.page(w.candidateAct(write, "saved", w.talentAttach)))
	rt.HandleFunc("GET /talent/attachments/{id}", on(read, server.OnAttachment), w.page(w.talentAttachment))
	// The applicant's own pages: no account, the private link's token is
	// the key (talent_apply.go).
	pub := server.Rule{On: server.Public}
	rt.HandleFunc("GET /apply/{round}", pub, w.talentApply)
	rt.HandleFunc("POST /apply/{round}", pub, w.talentApply)
	rt.HandleFunc("GET /apply/t/{token}", pub, w.applicantPage)
	rt.HandleFunc("GET /apply/t/{token}/edit", pub, w.applicantEdit)
	rt.HandleFunc("POST /apply/t/{token}/edit", pub, w.applicantEdit)
	rt.HandleFunc("POST /apply/t/{token}/attach", pub, w.applicantPost("saved", w.applicantAttach))
	rt.HandleFunc("POST /apply/t/{token}/submit", pub, w.applicantPost("talent_submitted", w.applicantSubmit))
	rt.HandleFunc("GET /apply/t/{token}/files/{file}", pub, w.applicantFile)
}

// orgRoutes registers the organisation register's pages (组织底账): units,
// the party organisations with their posts and history, rosters and
// members with their transfers, and the grids of villages.
func (w *Web) orgRoutes(rt *server.Router) {
	on := func(p access.Permission, t server.Target) server.Rule { return server.Rule{Perm: p, On: t} }
	read, manage, grid := access.OrgRead, access.OrgManage, access.GridManage
	rt.HandleFunc("GET /org/units", on(read, server.OnQuery), w.page(w.orgUnits))
	rt.HandleFunc("GET /org/units/new", on(manage, server.OnQuery), w.page(w.orgUnitNew))
	rt.HandleFunc("POST /org/units/new", on(manage, server.OnQuery), w.page(w.orgUnitNew))
	rt.HandleFunc("GET /org/units/import", on(manage, server.OnQuery), w.page(w.orgUnitImport))
	rt.HandleFunc("POST /org/units/import", on(manage, server.OnQuery), w.page(w.orgUnitImport))
	rt.HandleFunc("GET /org/units/import/template.xlsx", on(manage, server.OnQuery), w.page(w.orgUnitTemplate))
	rt.HandleFunc("GET /org/units/{id}", on(read, server.OnUnit), w.page(w.orgUnitEdit))
	rt.HandleFunc("POST /org/units/{id}", on(manage, server.OnUnit), w.page(w.orgUnitEdit))
	rt.HandleFunc("GET /org/cadres", on(read, server.OnQuery), w.page(w.orgCadres))
	rt.HandleFunc("GET /org/cadres/new", on(manage, server.OnQuery), w.page(w.orgCadreNew))
	rt.HandleFunc("POST /org/cadres/new", on(manage, server.OnQuery), w.page(w.orgCadreNew))
	rt.HandleFunc("GET /org/cadres/import", on(manage, server.OnQuery), w.page(w.orgCadreImport))
	rt.HandleFunc("POST /org/cadres/import", on(manage, server.OnQuery), w.page(w.orgCadreImport))
	rt.HandleFunc("GET /org/cadres/import/template.xlsx", on(manage, server.OnQuery), w.page(w.orgCadreTemplate))
	// A unit's staff read their own cadres' files too.
	rt.HandleFunc("GET /org/cadres/{id}", server.Rule{Perm: read, Or: access.UnitCadres, On: server.OnCadre}, w.page(w.orgCadre))
	rt.HandleFunc("GET /org/cadres/{id}/edit", on(manage, server.OnCadre), w.page(w.orgCadreEdit))
	rt.HandleFunc("POST /org/cadres/{id}/edit", on(manage, server.OnCadre), w.page(w.orgCadreEdit))
	rt.HandleFunc("POST /org/cadres/{id}/leave", on(manage, server.OnCadre), w.page(w.orgCadreLeave))
	// The rank list is the deployment's: read by whoever reads cadres,
	// kept by the organisation department.
	rt.HandleFunc("GET /org/ranks", on(read, server.Anywhere), w.page(w.orgRanks))
	rt.HandleFunc("POST /org/ranks", on(manage, server.Anywhere), w.page(w.orgRanks))
	rt.HandleFunc("GET /org/orgs", on(read, server.OnQuery), w.page(w.orgOrgs))
	rt.HandleFunc("GET /org/orgs.xlsx", on(read, server.OnQuery), w.page(w.orgOrgsExport))
	rt.HandleFunc("GET /org/orgs/new", on(manage, server.OnQuery), w.page(w.orgNew))
	rt.HandleFunc("POST /org/orgs/new", on(manage, server.OnQuery), w.page(w.orgNew))
	rt.HandleFunc("GET /org/orgs/{id}", on(read, server.OnOrg), w.page(w.orgShow))
	for name, act := range map[string]func(*http.Request, *access.Actor, int64) error{
		"rename": w.orgRename, "move": w.orgMove, "dissolve": w.orgDissolve, "post": w.orgPost, "merge": w.orgMerge, "split": w.orgSplit,
	} {
		rt.HandleFunc("POST /org/orgs/{id}/"+name, on(manage, server.OnOrg), w.page(w.orgAct(act)))
	}
	rt.HandleFunc("GET /org/orgs/{id}/roster", on(read, server.OnOrg), w.page(w.orgRoster))
	rt.HandleFunc("GET /org/orgs/{id}/roster.xlsx", on(read, server.OnOrg), w.page(w.orgRosterExport))
	rt.HandleFunc("GET /org/orgs/{id}/members/new", on(manage, server.OnOrg), w.page(w.orgMemberNew))
	rt.HandleFunc("POST /org/orgs/{id}/members/new", on(manage, server.OnOrg), w.page(w.orgMemberNew))
	rt.HandleFunc("GET /org/members/{id}", on(read, server.OnMember), w.page(w.orgMember))
	rt.HandleFunc("GET /org/members/{id}/edit", on(manage, server.OnMember), w.page(w.orgMemberEdit))
	rt.HandleFunc("POST /org/members/{id}/edit", on(manage, server.OnMember), w.page(w.orgMemberEdit))
	rt.HandleFunc("POST /org/members/{id}/transfer", on(manage, server.OnMember), w.page(w.orgMemberMove(false)))
	rt.HandleFunc("POST /org/members/{id}/receive", on(manage, server.OnMember), w.page(w.orgMemberMove(true)))
	gread, link, contact := access.GridRead, access.GridLink, access.GridContact
	rt.HandleFunc("GET /grids", on(gread, server.OnQuery), w.page(w.orgGrids))
	rt.HandleFunc("GET /grids.xlsx", on(access.RegistryRead, server.OnQuery), w.page(w.gridsExport))
	rt.HandleFunc("GET /regions/{code}/grids/new", on(grid, server.OnRegion), w.page(w.gridNew))
	rt.HandleFunc("POST /regions/{code}/grids/new", on(grid, server.OnRegion), w.page(w.gridNew))
	rt.HandleFunc("GET /grids/{id}", on(gread, server.OnGrid), w.page(w.gridShow))
	rt.HandleFunc("POST /grids/{id}/assign", on(grid, server.OnGrid), w.page(w.gridAct(false)))
	rt.HandleFunc("POST /grids/{id}/release", on(grid, server.OnGrid), w.page(w.gridAct(true)))
	rt.HandleFunc("GET /grids/{id}/import", on(grid, server.OnGrid), w.page(w.gridImport))
	rt.HandleFunc("POST /grids/{id}/import", on(grid, server.OnGrid), w.page(w.gridImport))
	rt.HandleFunc("GET /grids/{id}/import/template.xlsx", on(grid, server.OnGrid), w.page(w.gridImportTemplate))
	rt.HandleFunc("GET /grids/{id}/net", on(gread, server.OnGrid), w.page(w.gridNet))
	rt.HandleFunc("POST /grids/{id}/net", on(link, server.OnGrid), w.page(w.gridNetAct))
	rt.HandleFunc("GET /grids/{id}/net.xlsx", on(gread, server.OnGrid), w.page(w.gridNetExport))
	rt.HandleFunc("GET /grids/{id}/coverage", on(gread, server.OnGrid), w.page(w.gridCoverage))
	rt.HandleFunc("GET /grids/{id}/cards", on(gread, server.OnGrid), w.page(w.gridCards))
	rt.HandleFunc("GET /grids/{id}/members", on(gread, server.OnGrid), w.page(w.gridMemberPage))
	rt.HandleFunc("GET /grids/{id}/contacts", on(gread, server.OnGrid), w.page(w.gridContacts))
	rt.HandleFunc("POST /grids/{id}/contacts", on(contact, server.OnGrid), w.page(w.gridContactLog))
	rt.HandleFunc("GET /grids/{id}/contacts.xlsx", on(gread, server.OnGrid), w.page(w.gridContactsExport))
	rt.HandleFunc("GET /contacts/{id}", on(gread, server.OnContact), w.page(w.contactShow))
	rt.HandleFunc("POST /contacts/{id}/escalate", on(contact, server.OnContact), w.page(w.contactAct(true)))
	rt.HandleFunc("POST /contacts/{id}/close", on(contact, server.OnContact), w.page(w.contactAct(false)))
	rt.HandleFunc("GET /org/orgs/{id}/contacts", on(read, server.OnOrg), w.page(w.orgContacts))
}

// trainingRoutes registers the cadre-training programme's pages (精准滴灌):
// the 紧缺能力清单 in versions, the teacher pool and course catalogue, the
// classes and their sessions.
func (w *Web) trainingRoutes(rt *server.Router) {
	on := func(p access.Permission, t server.Target) server.Rule { return server.Rule{Perm: p, On: t} }
	read, manage := access.TrainingRead, access.TrainingManage
	rt.HandleFunc("GET /training/lists", on(read, server.OnQuery), w.page(w.trainingLists))
	rt.HandleFunc("GET /training/lists/new", on(manage, server.OnQuery), w.page(w.trainingListNew))
	rt.HandleFunc("POST /training/lists/new", on(manage, server.OnQuery), w.page(w.trainingListNew))
	rt.HandleFunc("GET /training/lists/{id}", on(read, server.OnTrainingList), w.page(w.trainingList))
	for path, act := range map[string]string{"items": "item", "remove": "remove", "publish": "publish"} {
		rt.HandleFunc("POST /training/lists/{id}/"+path, on(manage, server.OnTrainingList), w.page(w.trainingListAct(act)))
	}
	rt.HandleFunc("POST /training/lists/{id}/draft", on(manage, server.OnTrainingList), w.page(w.trainingListDraft))
	rt.HandleFunc("GET /training/lists/{id}/import", on(manage, server.OnTrainingList), w.page(w.trainingListImport))
	rt.HandleFunc("POST /training/lists/{id}/import", on(manage, server.OnTrainingList), w.page(w.trainingListImport))
	rt.HandleFunc("GET /training/lists/{id}/import/template.xlsx", on(manage, server.OnTrainingList), w.page(w.trainingListTemplate))
	rt.HandleFunc("GET /training/pool", on(read, server.OnQuery), w.page(w.trainingPool))
	rt.HandleFunc("GET /training/teachers/new", on(manage, server.OnQuery), w.page(w.trainingTeacherNew))
	rt.HandleFunc("POST /training/teachers/new", on(manage, server.OnQuery), w.page(w.trainingTeacherNew))
	rt.HandleFunc("GET /training/courses/new", on(manage, server.OnQuery), w.page(w.trainingCourseNew))
	rt.HandleFunc("POST /training/courses/new", on(manage, server.OnQuery), w.page(w.trainingCourseNew))
	rt.HandleFunc("GET /training/classes", on(read, server.OnQuery), w.page(w.trainingClasses))
	rt.HandleFunc("GET /training/mine", server.Rule{On: server.Session}, w.page(w.trainingMine))
	rt.HandleFunc("GET /training/classes/new", on(manage, server.OnQuery), w.page(w.trainingClassNew))
	rt.HandleFunc("POST /training/classes/new", on(manage, server.OnQuery), w.page(w.trainingClassNew))
	// A class's own 班主任 and 跟班干部 read it (training.attend, held by
	// the class's staff) without reading the programme at a region.
	staff := server.Rule{Perm: read, Or: access.TrainingAttend, On: server.OnClass}
	rt.HandleFunc("GET /training/classes/{id}", staff, w.page(w.trainingClass))
	rt.HandleFunc("POST /training/classes/{id}/sessions", on(manage, server.OnClass), w.page(w.trainingSessionAdd))
	rt.HandleFunc("GET /training/classes/{id}/targeting", on(manage, server.OnClass), w.page(w.trainingTargeting))
	rt.HandleFunc("POST /training/classes/{id}/targeting", on(manage, server.OnClass), w.page(w.trainingTargeting))
	rt.HandleFunc("GET /training/classes/{id}/notices", staff, w.page(w.trainingNotices))
	// Unit nominations: the department's quotas, a nomination withdrawn.
	rt.HandleFunc("GET /training/classes/{id}/quotas", on(manage, server.OnClass), w.page(w.trainingQuotas))
	rt.HandleFunc("POST /training/classes/{id}/quotas", on(manage, server.OnClass), w.page(w.trainingQuotas))
	rt.HandleFunc("POST /training/classes/{id}/withdraw", on(manage, server.OnClass), w.page(w.trainingWithdraw))
	rt.HandleFunc("GET /training/classes/{id}/quotas.xlsx", on(manage, server.OnClass), w.page(w.trainingQuotasExport))
	rt.HandleFunc("POST /training/classes/{id}/quotas/import", on(manage, server.OnClass), w.page(w.trainingQuotasImport))
	// A unit's own page, for its staff (unit.cadres, granted at the unit)
	// and whoever reads the register there; they nominate, and the
	// department may on their behalf.
	unitRead := server.Rule{Perm: access.OrgRead, Or: access.UnitCadres, On: server.OnUnit}
	unitNominate := server.Rule{Perm: access.UnitCadres, Or: manage, On: server.OnUnit}
	rt.HandleFunc("GET /org/units/{id}/cadres", unitRead, w.page(w.unitCadres))
	rt.HandleFunc("GET /org/units/{id}/notice", unitRead, w.page(w.unitNotice))
	rt.HandleFunc("GET /org/units/{id}/nominate", unitNominate, w.page(w.unitNominate))
	rt.HandleFunc("POST /org/units/{id}/nominate", unitNominate, w.page(w.unitNominate))
	rt.HandleFunc("POST /training/classes/{id}/links", on(manage, server.OnClass), w.page(w.trainingLinks))
	attend := on(access.TrainingAttend, server.OnSession)
	rt.HandleFunc("GET /training/sessions/{id}/screen", attend, w.page(w.trainingScreen))
	rt.HandleFunc("GET /training/sessions/{id}/roll", attend, w.page(w.trainingRoll))
	rt.HandleFunc("POST /training/sessions/{id}/roll", attend, w.page(w.trainingRoll))
	rt.HandleFunc("POST /training/sessions/{id}/leaves", attend, w.page(w.trainingLeave))
	rt.HandleFunc("GET /training/retakes", on(read, server.OnQuery), w.page(w.trainingRetakes))
	rt.HandleFunc("POST /training/retakes/decide", on(manage, server.OnQuery), w.page(w.trainingStatementDecide))
	rt.HandleFunc("GET /training/retakes/file", on(read, server.OnQuery), w.page(w.trainingStatementFile))
	rt.HandleFunc("GET /training/figures", on(read, server.OnQuery), w.page(w.trainingFigures))
	rt.HandleFunc("GET /training/figures.xlsx", on(read, server.OnQuery), w.page(w.trainingFiguresSheet))
	// The yearly file is the cadres' record: whoever reads the cadres.
	rt.HandleFunc("GET /training/files", on(access.OrgRead, server.OnQuery), w.page(w.trainingFiles))
	rt.HandleFunc("GET /training/files.xlsx", on(access.OrgRead, server.OnQuery), w.page(w.trainingFilesSheet))
	w.attendRoutes(rt, server.Rule{On: server.Public})
	w.evalRoutes(rt)
}

// evalRoutes registers the evaluation pages: a class's sheet, read by the
// department and by its 班主任 and 跟班干部 (who hold training.attend; the
// store checks which class), their entry forms and the exam sheet, the
// department's steps, the certificates, and the public verification page
// a certificate's QR code opens.
func (w *Web) evalRoutes(rt *server.Router) {
	on := func(p access.Permission, t server.Target) server.Rule { return server.Rule{Perm: p, On: t} }
	read, manage, enter := access.TrainingRead, access.TrainingManage, on(access.TrainingAttend, server.OnClass)
	rt.HandleFunc("GET /training/classes/{id}/evaluation", server.Rule{Perm: read, Or: access.TrainingAttend, On: server.OnClass}, w.page(w.trainingEvaluation))
	rt.HandleFunc("POST /training/classes/{id}/evaluation", enter, w.page(w.trainingEvaluate))
	rt.HandleFunc("GET /training/classes/{id}/evaluation/exam", enter, w.page(w.trainingExamImport))
	rt.HandleFunc("POST /training/classes/{id}/evaluation/exam", enter, w.page(w.trainingExamImport))
	rt.HandleFunc("GET /training/classes/{id}/evaluation/exam/template.xlsx", enter, w.page(w.trainingExamTemplate))
	for _, step := range []string{"rules", "escort", "compute", "confirm", "certificates"} {
		rt.HandleFunc("POST /training/classes/{id}/evaluation/"+step, on(manage, server.OnClass), w.page(w.trainingEvalStep(step)))
	}
	cert := on(read, server.OnCertificate)
	rt.HandleFunc("GET /training/certificates/{id}", cert, w.page(w.trainingCertificate))
	rt.HandleFunc("GET /training/certificates/{id}/print", cert, w.page(w.trainingCertificatePrint))
	rt.HandleFunc("GET /training/certificates/{id}/certificate.pdf", cert, w.page(w.trainingCertificatePrint))
	rt.HandleFunc("POST /training/certificates/{id}/revoke", on(manage, server.OnCertificate), w.page(w.trainingCertificateRevoke))
	rt.HandleFunc("GET /v/c/{token}", server.Rule{On: server.Public}, w.certificateVerify)
}

// surveyRoutes registers the survey pages (问卷调查): the list, the
// builder with its preview, publishing and closing, quotas, the staff's
// answer form, the figures and their workbooks, the printable QR notice,
// and the public questionnaire behind its link.
func (w *Web) surveyRoutes(rt *server.Router) {
	on := func(p access.Permission, t server.Target) server.Rule { return server.Rule{Perm: p, On: t} }
	read, manage, enter := access.SurveyRead, access.SurveyManage, access.SurveyEnter
	rt.HandleFunc("GET /surveys", on(read, server.OnQuery), w.page(w.surveys))
	rt.HandleFunc("GET /surveys/new", on(manage, server.OnQuery), w.page(w.surveyNew))
	rt.HandleFunc("POST /surveys/new", on(manage, server.OnQuery), w.page(w.surveyNew))
	rt.HandleFunc("GET /surveys/{id}", server.Rule{Perm: read, Or: enter, On: server.OnSurvey}, w.page(w.surveyShow))
	rt.HandleFunc("GET /surveys/{id}/preview", on(read, server.OnSurvey), w.page(w.surveyPreview))
	rt.HandleFunc("GET /surveys/{id}/poster", on(manage, server.OnSurvey), w.page(w.surveyPoster))
	rt.HandleFunc("GET /surveys/{id}/question", on(manage, server.OnSurvey), w.page(w.surveyQuestionEdit))
	rt.HandleFunc("POST /surveys/{id}/question", on(manage, server.OnSurvey), w.page(w.surveyQuestionEdit))
	for name, act := range map[string]func(*http.Request, *access.Actor, int64) error{
		"settings":         w.draftChange(surveySettings),
		"questions":        w.draftChange(surveyAddQuestion),
		"questions/remove": w.draftChange(surveyRemoveQuestion),
		"questions/up":     w.draftChange(surveyMoveQuestion),
		"publish":          w.surveyPublish,
		"close":            w.surveyStatus(survey.Closed),
		"reopen":           w.surveyStatus(survey.Open),
		"quotas":           w.surveyQuotas,
	} {
		rt.HandleFunc("POST /surveys/{id}/"+name, on(manage, server.OnSurvey), w.page(w.surveyAct(act)))
	}
	rt.HandleFunc("GET /surveys/{id}/enter", on(enter, server.OnSurvey), w.page(w.surveyEnter))
	rt.HandleFunc("POST /surveys/{id}/enter", on(enter, server.OnSurvey), w.page(w.surveyEnter))
	rt.HandleFunc("GET /surveys/{id}/import", on(enter, server.OnSurvey), w.page(w.surveyImport))
	rt.HandleFunc("POST /surveys/{id}/import", on(enter, server.OnSurvey), w.page(w.surveyImport))
	rt.HandleFunc("GET /surveys/{id}/import/template.xlsx", on(enter, server.OnSurvey), w.page(w.surveyImportTemplate))
	rt.HandleFunc("GET /surveys/{id}/analysis", on(read, server.OnSurvey), w.page(w.surveyAnalysis))
	for _, kind := range []string{"answers", "analysis", "ranking"} {
		rt.HandleFunc("GET /surveys/{id}/"+kind+".xlsx", on(read, server.OnSurvey), w.page(w.surveyExport(kind)))
	}
	pub := server.Rule{On: server.Public}
	rt.HandleFunc("GET /s/{token}", pub, w.surveyPublic)
	rt.HandleFunc("POST /s/{token}", pub, w.surveyPublic)
}
