package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/regioncode"
	"shanzhi/internal/review"
	"shanzhi/internal/talent"
)

type candidatePage struct {
	C        *talent.Candidate
	Round    *talent.Round
	Levels   []levelView
	Error    string
	Problems []string
	// What the user may do now.
	CanEdit, CanSubmit, CanReview, CanDecide, LeagueStep bool
	StepName                                             string
	Tiers                                                []option
	ShowComments                                         bool
	// Objections to the public notice, and whether the user resolves them.
	Objections []review.Objection
	CanResolve bool
	// The application's photos and licences, and the attach form's kinds.
	Attachments []talent.Attachment
	Kinds       []option
	MaxMB, Max  int
}

type levelView struct {
	talent.LevelResult
	Name string
}

// showCandidate draws an application with what the user may do at its
// current step; err, when set, is a refused action drawn above it with
// its status, and an incomplete submission lists the missing fields.
func (w *Web) showCandidate(rw http.ResponseWriter, r *http.Request, a *access.Actor, id int64, actErr error) {
	c, err := w.Talent.Candidate(r.Context(), a, id)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	round, err := w.Talent.Round(r.Context(), a, c.Round)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "talent.page.candidate", "talent")
	v.Title = v.T("talent.page.candidate_of", c.Name)
	v.Crumbs = []crumb{{Label: v.T("talent.nav"), Href: "/talent"}, {Label: c.Name}}
	flow := talent.ReviewFlow()
	p := &candidatePage{C: c, Round: round, CanEdit: c.Status.Editable() && a.Can(access.TalentWrite, c.Village),
		ShowComments: a.Can(access.TalentReview, c.Village), Tiers: talentOptions(v, "talent.tier.", false, strs(talent.Tiers)...)}
	p.CanSubmit = p.CanEdit
	for _, l := range c.Levels {
		p.Levels = append(p.Levels, levelView{LevelResult: l, Name: v.T(flow.Steps[l.Step].Name)})
	}
	if c.Status == talent.InReview && c.Step < len(talent.Levels) {
		p.StepName = v.T(flow.Steps[c.Step].Name)
		p.CanReview = flow.Steps[c.Step].Holds(a, c.Village)
		p.CanDecide, p.LeagueStep = p.CanReview, c.Step == len(talent.Levels)-1
	} else if c.Status == talent.InReview {
		p.StepName = v.T(flow.Steps[talent.NoticeStep].Name)
		p.CanResolve = flow.Steps[talent.NoticeStep].Holds(a, c.Village)
	}
	if c.ReviewID != 0 && p.ShowComments {
		if it, err := w.Review.Item(r.Context(), a, c.ReviewID); err == nil {
			p.Objections = it.Objections
		}
	}
	if p.Attachments, err = w.Talent.Attachments(r.Context(), a, c.ID); err != nil {
		w.fail(rw, r, err)
		return
	}
	p.Kinds = attachmentKinds(v)
	p.MaxMB, p.Max = talent.MaxAttachmentBytes>>20, talent.MaxAttachments
	status, msg, problems := talentRefusal(v, actErr)
	p.Error, p.Problems = msg, problems
	v.Data = p
	w.render(rw, status, "talent_candidate", v)
}

// talentRefusal turns a refused action into its status, its message and
// one line per field at fault, each named as the form names it; no error
// is 200 and nothing to say.
func talentRefusal(v *view, err error) (int, string, []string) {
	return refusal(v, err, "talent.field.")
}

// refusal is talentRefusal for a module whose form fields are labelled
// under prefix in the catalogue.
func refusal(v *view, err error, prefix string) (int, string, []string) {
	var fe *fault.Error
	if err == nil || !errors.As(err, &fe) {
		return http.StatusOK, "", nil
	}
	var lines []string
	for _, f := range fe.Fields {
		lines = append(lines, v.T(prefix+f.Name)+"："+v.M(f.Msg))
	}
	return fault.HTTPStatus(fe.Code), v.M(fe.Msg), lines
}

// talentCandidate is an application's page, which also prints as its A4
// review form with every level's scores and opinions.
func (w *Web) talentCandidate(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	id, err := pathID(r, "id")
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	w.showCandidate(rw, r, a, id, nil)
}

// candidateAct runs a review action on the application of the path after
// the user's form has been read; refusals the page can explain are drawn
// on the page, the rest (not found, internal) as an error page.
func (w *Web) candidateAct(perm access.Permission, flash string, act func(r *http.Request, a *access.Actor, id int64) error) func(http.ResponseWriter, *http.Request, *access.Actor) {
	return func(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
		id, err := pathID(r, "id")
		if err == nil && !a.CanAnywhere(perm) {
			err = fault.E(fault.Forbidden, "error.forbidden")
		}
		if err == nil {
			err = act(r, a, id)
		}
		w.afterAct(rw, r, err, "/talent/candidates/"+strconv.FormatInt(id, 10), flash, func(err error) { w.showCandidate(rw, r, a, id, err) })
	}
}

// afterAct ends a programme POST: back to the page on success, the page
// redrawn with a refusal it can explain (bad input, a full quota, the
// wrong level), and the error page for the rest (not found, internal).
func (w *Web) afterAct(rw http.ResponseWriter, r *http.Request, err error, back, flash string, show func(error)) {
	switch c := fault.CodeOf(err); {
	case err == nil:
		seeOther(rw, r, back, flash)
	case c == fault.Invalid || c == fault.Conflict || c == fault.Forbidden:
		show(err)
	default:
		w.fail(rw, r, err)
	}
}

// readScores reads the five criteria's scores of the score form, each a
// whole number; the service checks them against the round's top scores.
func readScores(r *http.Request) ([]int, error) {
	out := make([]int, talent.CriteriaCount)
	for i := range out {
		n, err := strconv.Atoi(strings.TrimSpace(r.FormValue("p" + strconv.Itoa(i+1))))
		if err != nil {
			return nil, fault.OnField(fault.Invalid, "points", "talent.score.count", talent.CriteriaCount)
		}
		out[i] = n
	}
	return out, nil
}

func (w *Web) talentScore(r *http.Request, a *access.Actor, id int64) error {
	pts, err := readScores(r)
	if err != nil {
		return err
	}
	return w.Talent.Score(r.Context(), a, id, pts, r.FormValue("comment"))
}

func (w *Web) talentDecide(r *http.Request, a *access.Actor, id int64) error {
	d := talent.Decision{Decision: review.Decision(r.FormValue("decision")), Reason: r.FormValue("reason"), Tier: talent.Tier(r.FormValue("tier"))}
	switch d.Decision {
	case review.Approve, review.Reject, review.Return:
	default:
		return fault.OnField(fault.Invalid, "decision", "review.decision.invalid")
	}
	_, err := w.Talent.Decide(r.Context(), a, id, d)
	return err
}

func (w *Web) talentOrder(r *http.Request, a *access.Actor, id int64) error {
	n, err := strconv.Atoi(strings.TrimSpace(r.FormValue("position")))
	if err != nil {
		return fault.OnField(fault.Invalid, "position", "talent.order.invalid")
	}
	return w.Talent.SetOrder(r.Context(), a, id, n)
}

// talentResolve upholds or dismisses an objection to an application's
// public notice; the objection must be one lodged against this
// application's current review.
func (w *Web) talentResolve(r *http.Request, a *access.Actor, id int64) error {
	oid, _ := strconv.ParseInt(r.FormValue("objection"), 10, 64)
	c, err := w.Talent.Candidate(r.Context(), a, id)
	if err != nil {
		return err
	}
	return w.resolveObjection(r, a, c.ReviewID, oid, r.FormValue("uphold") == "1", r.FormValue("reason"))
}

func (w *Web) talentSubmitAct(r *http.Request, a *access.Actor, id int64) error {
	_, err := w.Talent.Submit(r.Context(), a, id)
	return err
}

type rankingView struct {
	Round      *talent.Round
	Rounds     []talent.Round
	Region     string
	RegionName string
	Step       int
	Steps      []option
	Rows       []talent.Ranked
	Quota      string // the region's pass quota, "" when none
	CanOrder   bool
	// The bulk form: the decisions a level takes, and the tiers when the
	// step is the league's.
	Decisions []option
	Tiers     []option
	League    bool
	Query     string // region, round and step, for the forms' actions
	// The outcome of a bulk action or an uploaded scoring sheet.
	Error    string
	Problems []string
	Lines    []sheetLine
	Note     string
}

// talentRankingData gathers a level's ranking for the page and its export.
func (w *Web) talentRankingData(r *http.Request, a *access.Actor, v *view) (*rankingView, error) {
	code, err := talentRegion(r, a, access.TalentReview)
	if err != nil {
		return nil, err
	}
	round, rounds, err := w.talentRound(r, a)
	if err != nil {
		return nil, err
	}
	step, _ := strconv.Atoi(r.URL.Query().Get("step"))
	if r.URL.Query().Get("step") == "" {
		// By default, the step the region's own level decides.
		for i, l := range talent.Levels {
			if l == regioncode.LevelOf(code) {
				step = i
			}
		}
	}
	d := &rankingView{Round: round, Rounds: rounds, Region: code, Step: step}
	flow := talent.ReviewFlow()
	for i := range talent.Levels {
		d.Steps = append(d.Steps, option{Value: strconv.Itoa(i), Label: v.T(flow.Steps[i].Name)})
	}
	if d.RegionName, err = w.regionTitle(r, a, code); err != nil {
		return nil, err
	}
	if round == nil {
		return d, nil
	}
	if d.Rows, err = w.Talent.Ranking(r.Context(), a, round.ID, code, step); err != nil {
		return nil, err
	}
	full, err := w.Talent.Round(r.Context(), a, round.ID)
	if err != nil {
		return nil, err
	}
	for _, q := range full.Quotas {
		if q.Region == code && q.Kind == talent.QuotaPass {
			d.Quota = strconv.Itoa(q.N)
		}
	}
	d.Rows = talent.ByPosition(d.Rows)
	d.CanOrder = step < len(talent.Levels) && regioncode.LevelOf(code) == talent.StepLevel(step)
	d.League = step == len(talent.Levels)-1
	d.Decisions = talentOptions(v, "talent.decision.", false, string(review.Approve), string(review.Return), string(review.Reject))
	d.Tiers = talentOptions(v, "talent.tier.", false, strs(talent.Tiers)...)
	d.Query = url.Values{"region": {code}, "round": {strconv.FormatInt(round.ID, 10)}, "step": {strconv.Itoa(step)}}.Encode()
	return d, nil
}

// talentRanking shows the applications waiting at a level of a region,
// ranked by their mean score, in the order the level recommends them.
func (w *Web) talentRanking(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	v := w.newView(r, "talent.page.ranking", "talent")
	d, err := w.talentRankingData(r, a, v)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v.Crumbs = []crumb{{Label: v.T("talent.nav"), Href: "/talent"}, {Label: v.T("talent.page.ranking")}}
	v.Data = d
	w.render(rw, http.StatusOK, "talent_ranking", v)
}
