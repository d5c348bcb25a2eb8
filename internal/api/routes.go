package api

import (
	"strconv"

	"shanzhi/internal/access"
	"shanzhi/internal/server"
)

// Routes registers every endpoint under /api/v1 with the rule that guards
// it; the authorisation test walks this table.
func (a *API) Routes(rt *server.Router) {
	on := func(p access.Permission, t server.Target) server.Rule { return server.Rule{Perm: p, On: t} }
	read, write, manage := access.RegistryRead, access.RegistryWrite, access.RegionManage
	rt.HandleFunc("POST /api/v1/sessions", server.Rule{On: server.Public}, a.login)
	rt.HandleFunc("GET /api/v1/regions/{code}", on(read, server.OnRegion), a.handle(a.region))
	rt.HandleFunc("GET /api/v1/regions/{code}/children", on(read, server.OnRegion), a.handle(a.regionChildren))
	rt.HandleFunc("GET /api/v1/regions/{code}/history", on(read, server.OnRegion), a.handle(a.regionHistory))
	rt.HandleFunc("POST /api/v1/regions/{code}/rename", on(manage, server.OnRegion), a.handle(a.regionDo(a.regionRename)))
	rt.HandleFunc("POST /api/v1/regions/{code}/villages", on(manage, server.OnRegion), a.handle(a.regionDo(a.regionAddVillage)))
	rt.HandleFunc("POST /api/v1/regions/{code}/merge", on(manage, server.OnRegion), a.handle(a.regionDo(a.regionMerge)))
	rt.HandleFunc("POST /api/v1/regions/{code}/retire", on(manage, server.OnRegion), a.handle(a.regionDo(a.regionRetire)))
	rt.HandleFunc("POST /api/v1/regions/{code}/script", on(manage, server.OnRegion), a.handle(a.regionDo(a.regionScript)))
	rt.HandleFunc("GET /api/v1/i18n/mongolian/drafts", on(access.UserManage, server.Anywhere), a.handle(a.mongolDrafts))
	rt.HandleFunc("GET /api/v1/households", on(read, server.OnQuery), a.handle(a.households))
	rt.HandleFunc("POST /api/v1/households", on(write, server.OnQuery), a.handle(a.householdCreate))
	rt.HandleFunc("GET /api/v1/households/{id}", on(read, server.OnHousehold), a.handle(a.household))
	rt.HandleFunc("PATCH /api/v1/households/{id}", on(write, server.OnHousehold), a.handle(a.householdUpdate))
	rt.HandleFunc("GET /api/v1/households/{id}/history", on(read, server.OnHousehold), a.handle(a.householdHistory))
	rt.HandleFunc("POST /api/v1/households/{id}/members", on(write, server.OnHousehold), a.handle(a.memberAdd))
	rt.HandleFunc("POST /api/v1/households/{id}/head", on(write, server.OnHousehold), a.handle(a.changeHead))
	rt.HandleFunc("POST /api/v1/households/{id}/split", on(write, server.OnHousehold), a.handle(a.split))
	rt.HandleFunc("POST /api/v1/households/{id}/merge", on(write, server.OnHousehold), a.handle(a.merge))
	rt.HandleFunc("GET /api/v1/residents", on(read, server.OnQuery), a.handle(a.residents))
	rt.HandleFunc("GET /api/v1/residents/{id}", on(read, server.OnResident), a.handle(a.resident))
	rt.HandleFunc("PATCH /api/v1/residents/{id}", on(write, server.OnResident), a.handle(a.residentUpdate))
	rt.HandleFunc("POST /api/v1/residents/{id}/move", on(write, server.OnResident), a.handle(a.residentMove))
	rt.HandleFunc("POST /api/v1/residents/{id}/status", on(write, server.OnResident), a.handle(a.residentStatus))
	rt.HandleFunc("POST /api/v1/residents/{id}/erase", on(access.RegionManage, server.OnResident), a.handle(a.residentErase))
	rt.HandleFunc("POST /api/v1/residents/{id}/reveal", on(access.PersonalReveal, server.OnResident), a.handle(a.residentReveal))
	rt.HandleFunc("POST /api/v1/households/{id}/awards", on(access.PointsWrite, server.OnHousehold), a.handle(a.awardCreate))
	// The points of a household are read by its officials, by the counter's
	// clerks and by its own villager, as the ledger allows.
	points := server.Rule{Perm: read, Or: access.PointsSpend, On: server.OnHousehold, Own: true}
	rt.HandleFunc("GET /api/v1/households/{id}/awards", points, a.handle(a.awardList))
	rt.HandleFunc("GET /api/v1/households/{id}/balance", points, a.handle(a.balance))
	rt.HandleFunc("GET /api/v1/households/{id}/statement", points, a.handle(a.statement))
	// The printed statement names the household's village and head, as the
	// register does: its readers only, as on the page.
	rt.HandleFunc("GET /api/v1/households/{id}/statement/period", points, a.handle(a.statementPeriod))
	rt.HandleFunc("GET /api/v1/households/{id}/statement.pdf", on(read, server.OnHousehold), a.pdf(a.statementPDF))
	rt.HandleFunc("GET /api/v1/regions/{code}/register.pdf", on(read, server.OnRegion), a.pdf(a.registerPDF))
	rt.HandleFunc("GET /api/v1/regions/{code}/inspection.pdf", on(access.PointsWrite, server.OnRegion), a.pdf(a.inspectionPDF))
	rt.HandleFunc("GET /api/v1/regions/{code}/notice.pdf", server.Rule{Perm: read, Or: access.PointsApprove, On: server.OnRegion}, a.pdf(a.noticePDF))
	rt.HandleFunc("POST /api/v1/photos", on(access.PointsWrite, server.Anywhere), a.handle(a.photoUpload))
	rt.HandleFunc("GET /api/v1/photos/{id}", server.Rule{Perm: read, On: server.OnPhoto, Own: true}, a.photoGet)
	rt.HandleFunc("GET /api/v1/rankings", on(read, server.OnQuery), a.handle(a.rankings))
	// A scheme is read by whoever awards or reads the registers under it;
	// drafts and versions are a leader's (scheme.manage).
	schemeRead := server.Rule{Perm: read, Or: access.PointsWrite, On: server.OnRegion}
	schemes := on(access.SchemeManage, server.OnRegion)
	rt.HandleFunc("GET /api/v1/regions/{code}/scheme", schemeRead, a.handle(a.schemeInForce))
	rt.HandleFunc("GET /api/v1/regions/{code}/scheme/versions", schemeRead, a.handle(a.schemeVersions))
	rt.HandleFunc("POST /api/v1/regions/{code}/scheme/draft", schemes, a.handle(a.schemeDraftStart))
	rt.HandleFunc("GET /api/v1/regions/{code}/scheme/draft", schemes, a.handle(a.schemeDraft))
	rt.HandleFunc("PUT /api/v1/regions/{code}/scheme/draft", schemes, a.handle(a.schemeDraftSave))
	rt.HandleFunc("DELETE /api/v1/regions/{code}/scheme/draft", schemes, a.handle(a.schemeDraftDiscard))
	rt.HandleFunc("POST /api/v1/regions/{code}/scheme/publish", schemes, a.handle(a.schemePublish))
	rt.HandleFunc("GET /api/v1/regions/{code}/scheme.xlsx", schemeRead, a.schemeExport)
	rt.HandleFunc("PUT /api/v1/regions/{code}/scheme/draft.xlsx", schemes, a.handle(a.schemeImport))
	rt.HandleFunc("GET /api/v1/reviews", on(access.PointsApprove, server.Anywhere), a.handle(a.reviewQueue))
	rt.HandleFunc("POST /api/v1/reviews/{id}/decision", on(access.PointsApprove, server.OnReview), a.handle(a.reviewDecide))
	rt.HandleFunc("POST /api/v1/reviews/{id}/objection", on(access.PointsApprove, server.OnReview), a.handle(a.reviewResolve))
	rt.HandleFunc("POST /api/v1/reviews/{id}/withdraw", on(access.PointsWrite, server.OnReview), a.handle(a.reviewWithdraw))
	rt.HandleFunc("POST /api/v1/households/{id}/corrections", on(access.PointsWrite, server.OnHousehold), a.handle(a.awardCorrect))
	// A household appeals through its villager or through the clerk.
	appeal := server.Rule{Perm: access.PointsWrite, On: server.OnHousehold, Own: true}
	rt.HandleFunc("POST /api/v1/households/{id}/appeals", appeal, a.handle(a.awardAppeal))
	rt.HandleFunc("GET /api/v1/households/{id}/appeals", points, a.handle(a.appealList))
	// The public notice takes objections from anyone, and answers a
	// reference number; both are rate-limited per client.
	rt.HandleFunc("POST /api/v1/notice/{code}/items/{id}/objections", server.Rule{On: server.Public}, a.noticeObject)
	rt.HandleFunc("GET /api/v1/objections/{ref}", server.Rule{On: server.Public}, a.objectionOutcome)
	sell := access.MarketSell
	either := func(t server.Target) server.Rule { return server.Rule{Perm: access.MarketManage, Or: sell, On: t} }
	rt.HandleFunc("GET /api/v1/stores", either(server.Anywhere), a.handle(a.stores))
	rt.HandleFunc("GET /api/v1/stores/{id}", either(server.OnStore), a.handle(storeCall(a.Market.Store)))
	rt.HandleFunc("POST /api/v1/stores/{id}/close", on(access.MarketManage, server.OnStore), a.handle(a.storeClose))
	rt.HandleFunc("POST /api/v1/stores/{id}/reopen", on(access.MarketManage, server.OnStore), a.handle(storeCall(a.Market.ReopenStore)))
	rt.HandleFunc("GET /api/v1/stores/{id}/goods", either(server.OnStore), a.handle(a.storeGoods))
	rt.HandleFunc("POST /api/v1/stores/{id}/redemptions", on(sell, server.OnStore), a.handle(a.redeem))
	rt.HandleFunc("GET /api/v1/redemptions/{id}", either(server.OnRedeemed), a.handle(a.redemption))
	rt.HandleFunc("GET /api/v1/redemptions/{id}/receipt.pdf", either(server.OnRedeemed), a.pdf(a.receiptPDF))
	rt.HandleFunc("POST /api/v1/redemptions/{id}/return", on(sell, server.OnRedeemed), a.handle(a.redemptionReturn))
	// Roles in bulk: one action for a role at every village of a league.
	rt.HandleFunc("POST /api/v1/users/{id}/grants/bulk", on(access.RoleManage, server.Anywhere), a.handle(a.grantBulk))
	// One grant: at a region, or for a grid, a party organisation or a unit.
	rt.HandleFunc("POST /api/v1/users/{id}/grants", on(access.RoleManage, server.Anywhere), a.handle(a.grantOne(false)))
	rt.HandleFunc("POST /api/v1/users/{id}/grants/revoke", on(access.RoleManage, server.Anywhere), a.handle(a.grantOne(true)))
	a.talentRoutes(rt)
	a.orgRoutes(rt)
	a.trainingRoutes(rt)
	a.attendRoutes(rt)
	a.evalRoutes(rt)
	a.trainingFileRoutes(rt)
	a.surveyRoutes(rt)
	a.memberRoutes(rt)
	a.honourRoutes(rt)
	a.fundRoutes(rt)
	a.privilegeRoutes(rt)
	rt.HandleFunc("/api/", server.Rule{On: server.Public}, a.notFound)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// talentRoutes registers the rural-leader programme's endpoints (晓景计划):
// every step a page offers, for officials who run a league's round from
// their own tools.
func (a *API) talentRoutes(rt *server.Router) {
	on := func(p access.Permission, t server.Target) server.Rule { return server.Rule{Perm: p, On: t} }
	read, write, rev, manage := access.RegistryRead, access.TalentWrite, access.TalentReview, access.TalentManage
	rt.HandleFunc("GET /api/v1/talent/candidates", on(read, server.OnQuery), a.handle(a.talentCandidates))
	rt.HandleFunc("GET /api/v1/talent/candidates/{id}", on(read, server.OnCandidate), a.handle(a.talentCandidate))
	rt.HandleFunc("GET /api/v1/talent/candidates/{id}/review.pdf", on(read, server.OnCandidate), a.pdf(a.talentReviewPDF))
	rt.HandleFunc("POST /api/v1/talent/candidates/{id}/scores", on(rev, server.OnCandidate), a.handle(a.talentScore))
	rt.HandleFunc("POST /api/v1/talent/candidates/{id}/decision", on(rev, server.OnCandidate), a.handle(a.talentDecide))
	rt.HandleFunc("GET /api/v1/talent/coverage", on(read, server.OnQuery), a.handle(a.talentCoverage))
	rt.HandleFunc("GET /api/v1/talent/uncovered", on(read, server.OnQuery), a.handle(a.talentUncovered))
	rt.HandleFunc("GET /api/v1/talent/rounds", on(read, server.Anywhere), a.handle(a.talentRounds))
	rt.HandleFunc("GET /api/v1/talent/rounds/{id}", on(read, server.OnRound), a.handle(a.talentRound))
	rt.HandleFunc("POST /api/v1/regions/{code}/talent/rounds", on(manage, server.OnRegion), a.handle(a.talentRoundCreate))
	rt.HandleFunc("PUT /api/v1/talent/rounds/{id}", on(manage, server.OnRound), a.handle(a.talentRoundUpdate))
	rt.HandleFunc("POST /api/v1/talent/rounds/{id}/quotas", on(manage, server.OnRound), a.handle(a.talentQuotas))
	rt.HandleFunc("PUT /api/v1/talent/rounds/{id}/quotas.xlsx", on(manage, server.OnRound), a.handle(a.talentQuotas))
	rt.HandleFunc("POST /api/v1/talent/candidates", on(write, server.OnQuery), a.handle(a.talentSave))
	rt.HandleFunc("PUT /api/v1/talent/candidates/{id}", on(write, server.OnCandidate), a.handle(a.talentSave))
	rt.HandleFunc("POST /api/v1/talent/candidates/{id}/submit", on(write, server.OnCandidate), a.handle(a.talentSubmit))
	rt.HandleFunc("POST /api/v1/talent/imports", on(write, server.OnQuery), a.handle(a.talentImport))
	rt.HandleFunc("PUT /api/v1/talent/imports.xlsx", on(write, server.OnQuery), a.handle(a.talentImport))
	rt.HandleFunc("GET /api/v1/talent/ranking", on(rev, server.OnQuery), a.handle(a.talentRanking))
	rt.HandleFunc("POST /api/v1/talent/candidates/{id}/order", on(rev, server.OnCandidate), a.handle(a.talentOrder))
	rt.HandleFunc("POST /api/v1/talent/candidates/{id}/objection", on(rev, server.OnCandidate), a.handle(a.talentResolve))
	rt.HandleFunc("POST /api/v1/talent/decisions", on(rev, server.Anywhere), a.handle(a.talentDecideMany))
	rt.HandleFunc("POST /api/v1/talent/scores", on(rev, server.Anywhere), a.handle(a.talentScoreMany))
	rt.HandleFunc("PUT /api/v1/talent/scores.xlsx", on(rev, server.Anywhere), a.handle(a.talentScoreMany))
	rt.HandleFunc("GET /api/v1/talent/leaders/{id}", on(read, server.OnLeader), a.handle(a.talentLeader))
	rt.HandleFunc("POST /api/v1/talent/leaders/{id}/recognition", on(manage, server.OnLeader), a.handle(a.talentRecognise))
	rt.HandleFunc("POST /api/v1/talent/leaders/{id}/plan", on(write, server.OnLeader), a.handle(a.talentPlan))
	rt.HandleFunc("POST /api/v1/talent/leaders/{id}/support", on(write, server.OnLeader), a.handle(a.talentSupport))
	rt.HandleFunc("PUT /api/v1/talent/leaders/{id}/showcase", on(write, server.OnLeader), a.handle(a.talentShowcaseSet))
	rt.HandleFunc("POST /api/v1/talent/leaders/{id}/showcase/photos", on(write, server.OnLeader), a.handle(a.talentShowcasePhoto))
	rt.HandleFunc("GET /api/v1/talent/support", on(read, server.OnQuery), a.handle(a.talentSupportSums))
	rt.HandleFunc("GET /api/v1/showcase", server.Rule{On: server.Public}, a.showcase)
}

// orgRoutes registers the organisation register's endpoints: units,
// party organisations, members and transfers for the organisation
// department; grids for those who keep the household register's villages.
func (a *API) orgRoutes(rt *server.Router) {
	on := func(p access.Permission, t server.Target) server.Rule { return server.Rule{Perm: p, On: t} }
	read, manage := access.OrgRead, access.OrgManage
	rt.HandleFunc("GET /api/v1/org/units", on(read, server.OnQuery), a.handle(a.orgUnits))
	rt.HandleFunc("POST /api/v1/org/units", on(manage, server.OnQuery), a.handle(a.orgUnitCreate))
	rt.HandleFunc("GET /api/v1/org/units/{id}", on(read, server.OnUnit), a.handle(a.orgUnit))
	rt.HandleFunc("PATCH /api/v1/org/units/{id}", on(manage, server.OnUnit), a.handle(a.orgUnitUpdate))
	rt.HandleFunc("GET /api/v1/org/orgs", on(read, server.OnQuery), a.handle(a.orgOrgs))
	rt.HandleFunc("POST /api/v1/org/orgs", on(manage, server.OnQuery), a.handle(a.orgCreate))
	rt.HandleFunc("GET /api/v1/org/orgs/{id}", on(read, server.OnOrg), a.handle(a.orgShow))
	for _, c := range []string{"rename", "move", "dissolve", "posts", "merge"} {
		rt.HandleFunc("POST /api/v1/org/orgs/{id}/"+c, on(manage, server.OnOrg), a.handle(a.orgChange(c)))
	}
	rt.HandleFunc("GET /api/v1/org/orgs/{id}/members", on(read, server.OnOrg), a.handle(a.orgMembers))
	rt.HandleFunc("POST /api/v1/org/orgs/{id}/members", on(manage, server.OnOrg), a.handle(a.orgMemberCreate))
	rt.HandleFunc("GET /api/v1/org/members/{id}", on(read, server.OnMember), a.handle(a.orgMember))
	rt.HandleFunc("PATCH /api/v1/org/members/{id}", on(manage, server.OnMember), a.handle(a.orgMemberUpdate))
	rt.HandleFunc("POST /api/v1/org/members/{id}/transfer", on(manage, server.OnMember), a.handle(a.orgMemberMove(false)))
	rt.HandleFunc("POST /api/v1/org/members/{id}/receive", on(manage, server.OnMember), a.handle(a.orgMemberMove(true)))
	rt.HandleFunc("GET /api/v1/cadres", on(read, server.OnQuery), a.handle(a.cadres))
	rt.HandleFunc("POST /api/v1/cadres", on(manage, server.OnQuery), a.handle(a.cadreCreate))
	rt.HandleFunc("GET /api/v1/cadres/{id}", server.Rule{Perm: read, Or: access.UnitCadres, On: server.OnCadre}, a.handle(a.cadre))
	rt.HandleFunc("PATCH /api/v1/cadres/{id}", on(manage, server.OnCadre), a.handle(a.cadreUpdate))
	rt.HandleFunc("POST /api/v1/cadres/{id}/leave", on(manage, server.OnCadre), a.handle(a.cadreLeave))
	rt.HandleFunc("GET /api/v1/cadre-ranks", on(read, server.Anywhere), a.handle(a.ranks))
	rt.HandleFunc("POST /api/v1/cadre-ranks", on(manage, server.Anywhere), a.handle(a.rankSave))
	// Grids are read with grid.read, which a grid leader's or worker's
	// grant holds for their grid only.
	gread := access.GridRead
	rt.HandleFunc("GET /api/v1/grids", on(gread, server.OnQuery), a.handle(a.grids))
	rt.HandleFunc("POST /api/v1/regions/{code}/grids", on(access.GridManage, server.OnRegion), a.handle(a.gridCreate))
	rt.HandleFunc("GET /api/v1/grids/{id}", on(gread, server.OnGrid), a.handle(a.grid))
	rt.HandleFunc("POST /api/v1/grids/{id}/households", on(access.GridManage, server.OnGrid), a.handle(a.gridHouseholds))
	rt.HandleFunc("POST /api/v1/grids/{id}/households/import", on(access.GridManage, server.OnGrid), a.handle(a.gridImport))
	rt.HandleFunc("GET /api/v1/grids/{id}/net", on(gread, server.OnGrid), a.handle(a.gridNet))
	rt.HandleFunc("POST /api/v1/grids/{id}/net", on(access.GridLink, server.OnGrid), a.handle(a.gridNetChange))
	rt.HandleFunc("GET /api/v1/grids/{id}/coverage", on(gread, server.OnGrid), a.handle(a.gridCoverage))
	rt.HandleFunc("GET /api/v1/grids/{id}/cards", on(gread, server.OnGrid), a.handle(a.gridCards))
	rt.HandleFunc("GET /api/v1/grids/{id}/contacts", on(gread, server.OnGrid), a.handle(a.gridContacts))
	rt.HandleFunc("POST /api/v1/grids/{id}/contacts", on(access.GridContact, server.OnGrid), a.handle(a.gridContactLog))
	rt.HandleFunc("GET /api/v1/contacts/{id}", on(gread, server.OnContact), a.handle(a.contact))
	rt.HandleFunc("POST /api/v1/contacts/{id}/escalate", on(access.GridContact, server.OnContact), a.handle(a.contactAct(true)))
	rt.HandleFunc("POST /api/v1/contacts/{id}/close", on(access.GridContact, server.OnContact), a.handle(a.contactAct(false)))
	rt.HandleFunc("GET /api/v1/org/orgs/{id}/contacts", on(read, server.OnOrg), a.handle(a.branchContacts))
}

// trainingRoutes registers the cadre-training programme's endpoints.
func (a *API) trainingRoutes(rt *server.Router) {
	on := func(p access.Permission, t server.Target) server.Rule { return server.Rule{Perm: p, On: t} }
	read, manage := access.TrainingRead, access.TrainingManage
	rt.HandleFunc("GET /api/v1/training/lists", on(read, server.OnQuery), a.handle(a.trainingLists))
	rt.HandleFunc("POST /api/v1/training/lists", on(manage, server.OnQuery), a.handle(a.trainingListCreate))
	rt.HandleFunc("GET /api/v1/training/lists/{id}", on(read, server.OnTrainingList), a.handle(a.trainingList))
	rt.HandleFunc("POST /api/v1/training/lists/{id}/items", on(manage, server.OnTrainingList), a.handle(a.trainingListItem))
	rt.HandleFunc("POST /api/v1/training/lists/{id}/draft", on(manage, server.OnTrainingList), a.handle(a.trainingListDraft))
	rt.HandleFunc("POST /api/v1/training/lists/{id}/publish", on(manage, server.OnTrainingList), a.handle(a.trainingListPublish))
	rt.HandleFunc("GET /api/v1/training/teachers", on(read, server.OnQuery), a.handle(a.trainingTeachers))
	rt.HandleFunc("POST /api/v1/training/teachers", on(manage, server.OnQuery), a.handle(a.trainingTeacherCreate))
	rt.HandleFunc("GET /api/v1/training/courses", on(read, server.OnQuery), a.handle(a.trainingCourses))
	rt.HandleFunc("POST /api/v1/training/courses", on(manage, server.OnQuery), a.handle(a.trainingCourseCreate))
	rt.HandleFunc("GET /api/v1/training/classes", on(read, server.OnQuery), a.handle(a.trainingClasses))
	rt.HandleFunc("GET /api/v1/training/mine", server.Rule{On: server.Session}, a.handle(a.trainingMine))
	rt.HandleFunc("POST /api/v1/training/classes", on(manage, server.OnQuery), a.handle(a.trainingClassCreate))
	// A class's own 班主任 and 跟班干部 read it without a region grant.
	staff := server.Rule{Perm: read, Or: access.TrainingAttend, On: server.OnClass}
	rt.HandleFunc("GET /api/v1/training/classes/{id}", staff, a.handle(a.trainingClass))
	rt.HandleFunc("POST /api/v1/training/classes/{id}/sessions", on(manage, server.OnClass), a.handle(a.trainingSessionAdd))
	rt.HandleFunc("GET /api/v1/training/classes/{id}/targets", on(manage, server.OnClass), a.handle(a.trainingTargets))
	rt.HandleFunc("POST /api/v1/training/classes/{id}/enrolments", on(manage, server.OnClass), a.handle(a.trainingEnrol))
	rt.HandleFunc("GET /api/v1/training/classes/{id}/enrolments", staff, a.handle(a.trainingEnrolments))
	// Unit nominations within quotas (单位推荐).
	rt.HandleFunc("GET /api/v1/training/classes/{id}/quotas", on(manage, server.OnClass), a.handle(a.trainingQuotas))
	rt.HandleFunc("POST /api/v1/training/classes/{id}/quotas", on(manage, server.OnClass), a.handle(a.trainingQuotasSet))
	rt.HandleFunc("POST /api/v1/training/classes/{id}/withdraw", on(manage, server.OnClass), a.handle(a.trainingWithdraw))
	unitRead := server.Rule{Perm: access.OrgRead, Or: access.UnitCadres, On: server.OnUnit}
	rt.HandleFunc("GET /api/v1/org/units/{id}/cadres", unitRead, a.handle(a.unitCadres))
	rt.HandleFunc("GET /api/v1/org/units/{id}/notice", unitRead, a.handle(a.unitNotice))
	rt.HandleFunc("POST /api/v1/org/units/{id}/nominations", server.Rule{Perm: access.UnitCadres, Or: manage, On: server.OnUnit}, a.handle(a.unitNominate))
}

// surveyRoutes registers the survey engine's endpoints: questionnaires
// for the organisation department that owns them, answers for those who
// enter them, figures for those who read them, and the public
// questionnaire behind its link.
func (a *API) surveyRoutes(rt *server.Router) {
	on := func(p access.Permission, t server.Target) server.Rule { return server.Rule{Perm: p, On: t} }
	read, manage, enter := access.SurveyRead, access.SurveyManage, access.SurveyEnter
	rt.HandleFunc("GET /api/v1/surveys", on(read, server.OnQuery), a.handle(a.surveys))
	rt.HandleFunc("POST /api/v1/surveys", on(manage, server.OnQuery), a.handle(a.surveyCreate))
	rt.HandleFunc("GET /api/v1/surveys/{id}", server.Rule{Perm: read, Or: enter, On: server.OnSurvey}, a.handle(a.surveyShow))
	rt.HandleFunc("PUT /api/v1/surveys/{id}", on(manage, server.OnSurvey), a.handle(a.surveyUpdate))
	for _, c := range []string{"publish", "close", "reopen"} {
		rt.HandleFunc("POST /api/v1/surveys/{id}/"+c, on(manage, server.OnSurvey), a.handle(a.surveyChange(c)))
	}
	rt.HandleFunc("GET /api/v1/surveys/{id}/quotas", on(read, server.OnSurvey), a.handle(a.surveyQuotas))
	rt.HandleFunc("PUT /api/v1/surveys/{id}/quotas", on(manage, server.OnSurvey), a.handle(a.surveyQuotasSet))
	rt.HandleFunc("POST /api/v1/surveys/{id}/answers", on(enter, server.OnSurvey), a.handle(a.surveyEnter))
	rt.HandleFunc("POST /api/v1/surveys/{id}/answers/batch", on(enter, server.OnSurvey), a.handle(a.surveyEnterMany))
	rt.HandleFunc("GET /api/v1/surveys/{id}/answers", on(read, server.OnSurvey), a.handle(a.surveyAnswers))
	rt.HandleFunc("GET /api/v1/surveys/{id}/analysis", on(read, server.OnSurvey), a.handle(a.surveyAnalysis))
	rt.HandleFunc("GET /api/v1/surveys/{id}/cross", on(read, server.OnSurvey), a.handle(a.surveyCross))
	rt.HandleFunc("GET /api/v1/surveys/{id}/ranking", on(read, server.OnSurvey), a.handle(a.surveyRanking))
	for _, kind := range []string{"answers", "analysis", "ranking"} {
		rt.HandleFunc("GET /api/v1/surveys/{id}/"+kind+".xlsx", on(read, server.OnSurvey), a.surveyExport(kind))
	}
	pub := server.Rule{On: server.Public}
	rt.HandleFunc("GET /api/v1/public/surveys/{token}", pub, a.surveyPublic)
	rt.HandleFunc("POST /api/v1/public/surveys/{token}/answers", pub, a.surveyPublicAnswer)
}
