package api

import (
	"net/http"
	"strconv"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/regioncode"
	"shanzhi/internal/review"
	"shanzhi/internal/talent"
)

// candidateJSON is an application as the API shows it: the ID number
// and phone masked, as on the pages.
type candidateJSON struct {
	ID          int64   `json:"id"`
	Round       int64   `json:"round"`
	Village     string  `json:"village_code"`
	VillageName string  `json:"village_name"`
	Name        string  `json:"name"`
	IDMasked    string  `json:"id_number_masked"`
	PhoneMasked string  `json:"phone_masked"`
	Channel     string  `json:"channel"`
	EntityType  string  `json:"entity_type"`
	EntityName  string  `json:"entity_name"`
	CreditCode  string  `json:"credit_code"`
	Industry    string  `json:"industry"`
	Revenue     int64   `json:"revenue"`
	Employees   int     `json:"employees"`
	Households  int     `json:"households"`
	IncomeRise  int64   `json:"income_rise"`
	Status      string  `json:"status"`
	Step        int     `json:"step"`
	Tier        string  `json:"tier"`
	Submissions int     `json:"submissions"`
	LeaderID    int64   `json:"leader_id,omitempty"`
	Levels      []level `json:"levels,omitempty"`
}

// level is one review level's record; comments only for reviewers.
type level struct {
	Step     int     `json:"step"`
	Region   string  `json:"region_code"`
	Mean     string  `json:"mean"`
	Scores   []score `json:"scores"`
	Position int     `json:"position,omitempty"`
	Decision string  `json:"decision,omitempty"`
	Reason   string  `json:"reason,omitempty"`
}

type score struct {
	Reviewer string `json:"reviewer"`
	Points   []int  `json:"points"`
	Total    int    `json:"total"`
	Comment  string `json:"comment,omitempty"`
}

func toCandidate(c talent.Candidate) candidateJSON {
	out := candidateJSON{ID: c.ID, Round: c.Round, Village: c.Village, VillageName: c.VillageName, Name: c.Name, IDMasked: c.IDMasked,
		PhoneMasked: c.PhoneMasked, Channel: string(c.Channel), EntityType: string(c.EntityType), EntityName: c.EntityName, CreditCode: c.CreditCode,
		Industry: c.Industry, Revenue: c.Revenue, Employees: c.Employees, Households: c.Households, IncomeRise: c.IncomeRise, Status: string(c.Status),
		Step: c.Step, Tier: string(c.Tier), Submissions: c.Submissions, LeaderID: c.LeaderID}
	for _, l := range c.Levels {
		lv := level{Step: l.Step, Region: l.Region, Mean: l.MeanText(), Position: l.Position, Decision: string(l.Decision), Reason: l.Reason, Scores: []score{}}
		for _, s := range l.Scores {
			lv.Scores = append(lv.Scores, score{Reviewer: s.Reviewer, Points: s.Points, Total: s.Total, Comment: s.Comment})
		}
		out.Levels = append(out.Levels, lv)
	}
	return out
}

// talentRegion checks the ?region= of a programme list: by default the
// actor's first region, and never one where they do not hold p, so a
// parent's region is refused rather than answered with an empty list.
func talentRegion(r *http.Request, act *access.Actor, p access.Permission) (string, error) {
	if !act.CanAnywhere(p) {
		return "", fault.E(fault.Forbidden, "error.forbidden")
	}
	code := r.URL.Query().Get("region")
	if code == "" {
		// A grant for one branch, grid or unit has no region to default to.
		s := act.Scopes(p)
		if len(s) == 0 {
			return "", fault.E(fault.Forbidden, "error.forbidden")
		}
		code = s[0]
	}
	if !regioncode.ValidCode(code) || !act.Can(p, code) {
		return "", fault.E(fault.NotFound, "region.not_found")
	}
	return code, nil
}

func queryID(r *http.Request, name string) int64 {
	n, _ := strconv.ParseInt(r.URL.Query().Get(name), 10, 64)
	return n
}

// talentCandidates lists applications newest first; ?after= (the next of
// the page before) reads on by cursor, ?offset= by position.
func (a *API) talentCandidates(r *http.Request, act *access.Actor) (int, any, error) {
	code, err := talentRegion(r, act, access.RegistryRead)
	if err != nil {
		return 0, nil, err
	}
	offset, limit, err := page(r)
	if err != nil {
		return 0, nil, err
	}
	q := r.URL.Query()
	after := queryID(r, "after")
	if q.Get("after") != "" && after <= 0 {
		return 0, nil, fault.OnField(fault.Invalid, "after", "api.cursor")
	}
	rows, total, err := a.Talent.Candidates(r.Context(), act, talent.Filter{Round: queryID(r, "round"), Region: code, Status: talent.Status(q.Get("status")),
		Tier: talent.Tier(q.Get("tier")), Name: q.Get("q"), Offset: offset, Limit: limit, After: after})
	if err != nil {
		return 0, nil, err
	}
	out := struct {
		list[candidateJSON]
		Next string `json:"next"`
	}{list: list[candidateJSON]{Items: make([]candidateJSON, len(rows)), Total: total, Offset: offset, Limit: limit}}
	for i, c := range rows {
		out.Items[i] = toCandidate(c)
	}
	if len(rows) == limit {
		out.Next = strconv.FormatInt(rows[len(rows)-1].ID, 10)
	}
	return http.StatusOK, out, nil
}

func (a *API) talentCandidate(r *http.Request, act *access.Actor) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	c, err := a.Talent.Candidate(r.Context(), act, id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, toCandidate(*c), nil
}

// talentScore records the caller's scores at the application's level.
// The body is checked before the level, so a malformed call is told what
// is wrong with it whoever makes it.
func (a *API) talentScore(r *http.Request, act *access.Actor) (int, any, error) {
	id, in, err := idAndBody[struct {
		Points  []int  `json:"points"`
		Comment string `json:"comment"`
	}](r)
	if err != nil {
		return 0, nil, err
	}
	if len(in.Points) != talent.CriteriaCount {
		return 0, nil, fault.OnField(fault.Invalid, "points", "talent.score.count", talent.CriteriaCount)
	}
	if !act.CanAnywhere(access.TalentReview) {
		return 0, nil, fault.E(fault.Forbidden, "error.forbidden")
	}
	if err := a.Talent.Score(r.Context(), act, id, in.Points, in.Comment); err != nil {
		return 0, nil, err
	}
	return a.talentCandidate(r, act)
}

// talentDecide records the level's decision on an application.
func (a *API) talentDecide(r *http.Request, act *access.Actor) (int, any, error) {
	id, in, err := idAndBody[struct {
		Decision string `json:"decision"`
		Reason   string `json:"reason"`
		Tier     string `json:"tier"`
	}](r)
	if err != nil {
		return 0, nil, err
	}
	switch review.Decision(in.Decision) {
	case review.Approve, review.Reject, review.Return:
	default:
		return 0, nil, fault.OnField(fault.Invalid, "decision", "review.decision.invalid")
	}
	if !act.CanAnywhere(access.TalentReview) {
		return 0, nil, fault.E(fault.Forbidden, "error.forbidden")
	}
	c, err := a.Talent.Decide(r.Context(), act, id, talent.Decision{Decision: review.Decision(in.Decision), Reason: in.Reason, Tier: talent.Tier(in.Tier)})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, toCandidate(*c), nil
}

// talentCoverage is the coverage report of a region for a round (the
// newest the caller works in by default), with the figures the dashboard
// draws.
func (a *API) talentCoverage(r *http.Request, act *access.Actor) (int, any, error) {
	code, err := talentRegion(r, act, access.RegistryRead)
	if err != nil {
		return 0, nil, err
	}
	round := queryID(r, "round")
	if round == 0 {
		rounds, err := a.Talent.Rounds(r.Context(), act)
		if err != nil {
			return 0, nil, err
		}
		if len(rounds) == 0 {
			return 0, nil, fault.E(fault.NotFound, "talent.round.none")
		}
		round = rounds[0].ID
	}
	c, err := a.Talent.Coverage(r.Context(), act, round, code)
	if err != nil {
		return 0, nil, err
	}
	out := struct {
		Round             int64                  `json:"round"`
		Total             areaJSON               `json:"total"`
		Areas             []areaJSON             `json:"areas"`
		Targets           []talent.Target        `json:"targets"`
		Uncovered         int                    `json:"uncovered"`
		ByTier            map[talent.Tier]int    `json:"selected_by_tier"`
		ByChannel         map[talent.Channel]int `json:"selected_by_channel"`
		OnNoticeByTier    map[talent.Tier]int    `json:"on_notice_by_tier"`
		OnNoticeByChannel map[talent.Channel]int `json:"on_notice_by_channel"`
		CandidatesTier    map[talent.Tier]int    `json:"candidates_by_tier"`
		CandidatesChannel map[talent.Channel]int `json:"candidates_by_channel"`
		Applied           map[talent.Status]int  `json:"applied"`
	}{Round: round, Total: toArea(c.Total), Areas: []areaJSON{}, Targets: c.Targets, Uncovered: c.Uncovered, ByTier: c.ByTier, ByChannel: c.ByChannel,
		OnNoticeByTier: c.OnNoticeByTier, OnNoticeByChannel: c.OnNoticeByChannel, CandidatesTier: c.CandidatesByTier, CandidatesChannel: c.CandidatesByChannel,
		Applied: c.Applied}
	for _, x := range c.Areas {
		out.Areas = append(out.Areas, toArea(x))
	}
	return http.StatusOK, out, nil
}

// areaJSON is a coverage row: villages covered by a cultivation target
// (培育对象) or a recognised leader, and by a recognised leader only.
type areaJSON struct {
	Code             string `json:"code"`
	Name             string `json:"name"`
	Villages         int    `json:"villages"`
	Covered          int    `json:"covered"`
	People           int    `json:"people"`
	Recognised       int    `json:"recognised"`
	RecognisedPeople int    `json:"recognised_people"`
	OnNotice         int    `json:"on_notice"`
}

func toArea(x talent.Area) areaJSON {
	return areaJSON{x.Code, x.Name, x.Villages, x.Covered, x.People, x.Recognised, x.RecognisedPeople, x.OnNotice}
}

// talentUncovered pages the villages of a region with neither a target
// nor a leader, by the cursor of the last one read.
func (a *API) talentUncovered(r *http.Request, act *access.Actor) (int, any, error) {
	code, err := talentRegion(r, act, access.RegistryRead)
	if err != nil {
		return 0, nil, err
	}
	limit, err := cursorLimit(r)
	if err != nil {
		return 0, nil, err
	}
	rows, next, err := a.Talent.Uncovered(r.Context(), act, code, r.URL.Query().Get("after"), limit)
	if err != nil {
		return 0, nil, err
	}
	out := cursorPage[areaJSON]{Items: []areaJSON{}, Next: next}
	for _, x := range rows {
		out.Items = append(out.Items, toArea(x))
	}
	return http.StatusOK, out, nil
}
