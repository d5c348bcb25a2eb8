package api

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/i18n"
	"shanzhi/internal/review"
	"shanzhi/internal/talent"
	"shanzhi/internal/talentsheet"
)

// maxTalentBody bounds a talent body that carries rows (an import, a
// scoring or quota list, a sheet): a league's 5,000-row sheet fits.
const maxTalentBody = 8 << 20

// zh is the catalogue's Chinese, in which the programme's sheets name
// their codes.
func (a *API) zh(key string) string { return a.Catalog.T(i18n.ZH, key) }

// sheetBody reads an uploaded sheet, refusing one over the bound before
// it is read whole.
func sheetBody(r *http.Request) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r.Body, maxTalentBody+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxTalentBody {
		return nil, fault.OnField(fault.TooLarge, "file", "error.too_large", maxTalentBody>>20)
	}
	return data, nil
}

// commitParam is ?commit=true: without it a batch is only checked.
func commitParam(r *http.Request) bool { return r.URL.Query().Get("commit") == "true" }

// rowProblem is one refused row of a batch, by its line or position.
type rowProblem struct {
	Line    int           `json:"line"`
	Message string        `json:"message"`
	Fields  []errorDetail `json:"fields,omitempty"`
}

// problem describes a refused row of a batch in the caller's language.
func (a *API) problem(r *http.Request, line int, err error) rowProblem {
	l := lang(r)
	p := rowProblem{Line: line}
	var fe *fault.Error
	if errors.As(err, &fe) {
		p.Message = a.Catalog.Text(l, fe.Msg)
		for _, f := range fe.Fields {
			p.Fields = append(p.Fields, errorDetail{Field: f.Name, Message: a.Catalog.Text(l, f.Msg)})
		}
	} else {
		p.Message = a.Catalog.T(l, "error.bad_request")
	}
	return p
}

// batchResult answers a checked or committed batch: 200 with what was
// done, or 422 with every refused row, so a client fixes them all at once.
type batchResult struct {
	Committed bool         `json:"committed"`
	Rows      int          `json:"rows"`
	Problems  []rowProblem `json:"problems"`
	IDs       []int64      `json:"ids,omitempty"`
}

func (a *API) batch(r *http.Request, err error, committed bool, n int, refused func(yield func(line int, err error))) (int, any, error) {
	out := batchResult{Rows: n, Problems: []rowProblem{}}
	refused(func(line int, err error) { out.Problems = append(out.Problems, a.problem(r, line, err)) })
	if err != nil && len(out.Problems) == 0 {
		return 0, nil, err
	}
	if err != nil {
		return http.StatusUnprocessableEntity, out, nil
	}
	out.Committed = committed
	return http.StatusOK, out, nil
}

// roundJSON is a round as the API shows and takes it.
type roundJSON struct {
	ID         int64              `json:"id"`
	Region     string             `json:"region_code"`
	Name       string             `json:"name"`
	StartYear  int                `json:"start_year"`
	Years      int                `json:"years"`
	Trajectory []int              `json:"trajectory"`
	Opens      string             `json:"opens"`
	Closes     string             `json:"closes"`
	Criteria   []talent.Criterion `json:"criteria"`
	Quotas     []quotaJSON        `json:"quotas"`
}

type quotaJSON struct {
	Region string `json:"region_code"`
	Kind   string `json:"kind"`
	N      int    `json:"n"`
}

func toRound(r talent.Round) roundJSON {
	out := roundJSON{ID: r.ID, Region: r.Region, Name: r.Name, StartYear: r.StartYear, Years: r.Years, Trajectory: r.Trajectory, Opens: r.Opens,
		Closes: r.Closes, Criteria: r.Criteria, Quotas: []quotaJSON{}}
	for _, q := range r.Quotas {
		out.Quotas = append(out.Quotas, quotaJSON{q.Region, string(q.Kind), q.N})
	}
	return out
}

func (in roundJSON) round() talent.Round {
	return talent.Round{Name: in.Name, StartYear: in.StartYear, Years: in.Years, Trajectory: in.Trajectory, Opens: in.Opens, Closes: in.Closes, Criteria: in.Criteria}
}

func (a *API) talentRounds(r *http.Request, act *access.Actor) (int, any, error) {
	if !act.CanAnywhere(access.RegistryRead) {
		return 0, nil, fault.E(fault.Forbidden, "error.forbidden")
	}
	rs, err := a.Talent.Rounds(r.Context(), act)
	if err != nil {
		return 0, nil, err
	}
	out := []roundJSON{}
	for _, x := range rs {
		out = append(out, toRound(x))
	}
	return http.StatusOK, out, nil
}

func (a *API) talentRound(r *http.Request, act *access.Actor) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	x, err := a.Talent.Round(r.Context(), act, id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, toRound(*x), nil
}

// talentRoundCreate sets up a round at the region of the path.
func (a *API) talentRoundCreate(r *http.Request, act *access.Actor) (int, any, error) {
	var in roundJSON
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	x := in.round()
	x.Region = r.PathValue("code")
	made, err := a.Talent.CreateRound(r.Context(), act, x)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, toRound(*made), nil
}

func (a *API) talentRoundUpdate(r *http.Request, act *access.Actor) (int, any, error) {
	id, in, err := idAndBody[roundJSON](r)
	if err != nil {
		return 0, nil, err
	}
	x, err := a.Talent.UpdateRound(r.Context(), act, id, in.round())
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, toRound(*x), nil
}

// talentQuotas sets many quotas of a round at once, all or nothing: as a
// JSON list, or as the quota sheet the round's page hands out.
func (a *API) talentQuotas(r *http.Request, act *access.Actor) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	var rows []talent.QuotaRow
	if strings.HasSuffix(r.URL.Path, ".xlsx") {
		data, err := sheetBody(r)
		if err != nil {
			return 0, nil, err
		}
		if rows, err = talentsheet.Quotas("quotas.xlsx", data, maxTalentBody, a.zh); err != nil {
			return 0, nil, err
		}
	} else {
		var in struct {
			Quotas []quotaJSON `json:"quotas"`
		}
		if err := decodeMax(r, &in, maxTalentBody); err != nil {
			return 0, nil, err
		}
		for i, q := range in.Quotas {
			rows = append(rows, talent.QuotaRow{Line: i + 1, Quota: talent.Quota{Region: q.Region, Kind: talent.QuotaKind(q.Kind), N: q.N}})
		}
	}
	err = a.Talent.SetQuotas(r.Context(), act, id, rows)
	return a.batch(r, err, true, len(rows), func(yield func(int, error)) {
		for _, x := range rows {
			if x.Err != nil {
				yield(x.Line, x.Err)
			}
		}
	})
}

// candidateInput is an application as the API takes it; the village is a
// code (or, in an import, a name the township tells apart).
type candidateInput struct {
	Round       int64  `json:"round"`
	Village     string `json:"village"`
	Township    string `json:"township,omitempty"`
	Channel     string `json:"channel"`
	Resident    int64  `json:"resident_id,omitempty"`
	Name        string `json:"name"`
	Gender      string `json:"gender"`
	BirthDate   string `json:"birth_date"`
	Ethnicity   string `json:"ethnicity"`
	Political   string `json:"political"`
	Education   string `json:"education"`
	IDNumber    string `json:"id_number"`
	Phone       string `json:"phone"`
	EntityType  string `json:"entity_type"`
	EntityName  string `json:"entity_name"`
	CreditCode  string `json:"credit_code"`
	Industry    string `json:"industry"`
	Revenue     int64  `json:"revenue"`
	Employees   int    `json:"employees"`
	Households  int    `json:"households"`
	IncomeRise  int64  `json:"income_rise"`
	Products    string `json:"products"`
	SalesRoutes string `json:"sales_routes"`
	Honours     string `json:"honours"`
	Summary     string `json:"summary"`
}

func (in candidateInput) input() talent.CandidateInput {
	return talent.CandidateInput{Round: in.Round, Village: in.Village, Channel: talent.Channel(in.Channel), Resident: in.Resident, Name: in.Name,
		Gender: in.Gender, BirthDate: in.BirthDate, Ethnicity: in.Ethnicity, Political: in.Political, Education: in.Education, IDNumber: in.IDNumber,
		Phone: in.Phone, EntityType: talent.EntityType(in.EntityType), EntityName: in.EntityName, CreditCode: in.CreditCode, Industry: in.Industry,
		Revenue: in.Revenue, Employees: in.Employees, Households: in.Households, IncomeRise: in.IncomeRise, Products: in.Products,
		SalesRoutes: in.SalesRoutes, Honours: in.Honours, Summary: in.Summary}
}

// talentSave creates a draft (POST) or changes a draft or returned
// application (PUT on its id).
func (a *API) talentSave(r *http.Request, act *access.Actor) (int, any, error) {
	var id int64
	var in candidateInput
	var err error
	status := http.StatusCreated
	if r.PathValue("id") != "" {
		id, in, err = idAndBody[candidateInput](r)
		status = http.StatusOK
	} else {
		err = decode(r, &in)
	}
	if err != nil {
		return 0, nil, err
	}
	c, err := a.Talent.Save(r.Context(), act, id, in.input())
	if err != nil {
		return 0, nil, err
	}
	return status, toCandidate(*c), nil
}

// talentImport enters applications as drafts in the villages of ?region=
// (a village up to the league), all or nothing: as JSON rows, or as the
// applications sheet of the pages. Without ?commit=true it only checks,
// and answers with each row's resolved village either way.
func (a *API) talentImport(r *http.Request, act *access.Actor) (int, any, error) {
	code, err := talentRegion(r, act, access.TalentWrite)
	if err != nil {
		return 0, nil, err
	}
	var rows []talent.ImportRow
	if strings.HasSuffix(r.URL.Path, ".xlsx") {
		round := queryID(r, "round")
		if round <= 0 {
			return 0, nil, fault.OnField(fault.Invalid, "round", "talent.round.not_found")
		}
		data, err := sheetBody(r)
		if err != nil {
			return 0, nil, err
		}
		if rows, err = talentsheet.Applications("applications.xlsx", data, maxTalentBody, round, a.zh); err != nil {
			return 0, nil, err
		}
	} else {
		var in struct {
			Rows []candidateInput `json:"rows"`
		}
		if err := decodeMax(r, &in, maxTalentBody); err != nil {
			return 0, nil, err
		}
		for i, x := range in.Rows {
			rows = append(rows, talent.ImportRow{Line: i + 1, Input: x.input(), Village: x.Village, Township: x.Township})
		}
	}
	commit := commitParam(r)
	err = a.Talent.Import(r.Context(), act, code, rows, commit)
	type placed struct {
		Line     int    `json:"line"`
		ID       int64  `json:"id,omitempty"`
		Village  string `json:"village_code"`
		Township string `json:"township"`
		Name     string `json:"village_name"`
	}
	out := struct {
		batchResult
		Placed []placed `json:"placed"`
	}{Placed: []placed{}}
	status, res, err := a.batch(r, err, commit, len(rows), func(yield func(int, error)) {
		for _, x := range rows {
			if x.Err != nil {
				yield(x.Line, x.Err)
			}
		}
	})
	if err != nil {
		return 0, nil, err
	}
	out.batchResult = res.(batchResult)
	for _, x := range rows {
		out.Placed = append(out.Placed, placed{Line: x.Line, ID: x.ID, Village: x.Place.Code, Township: x.Place.TownshipName, Name: x.Place.Name})
	}
	return status, out, nil
}

// talentSubmit puts a draft under review, or resubmits a returned one.
func (a *API) talentSubmit(r *http.Request, act *access.Actor) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	c, err := a.Talent.Submit(r.Context(), act, id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, toCandidate(*c), nil
}

// talentOrder sets the level's recommendation order of an application.
func (a *API) talentOrder(r *http.Request, act *access.Actor) (int, any, error) {
	id, in, err := idAndBody[struct {
		Position int `json:"position"`
	}](r)
	if err != nil {
		return 0, nil, err
	}
	if err := a.Talent.SetOrder(r.Context(), act, id, in.Position); err != nil {
		return 0, nil, err
	}
	return a.talentCandidate(r, act)
}

// talentResolve resolves an objection to an application's notice: upheld,
// the application is cancelled; dismissed, the notice runs on.
func (a *API) talentResolve(r *http.Request, act *access.Actor) (int, any, error) {
	id, in, err := idAndBody[struct {
		Objection int64  `json:"objection"`
		Uphold    bool   `json:"uphold"`
		Reason    string `json:"reason"`
	}](r)
	if err != nil {
		return 0, nil, err
	}
	if strings.TrimSpace(in.Reason) == "" {
		return 0, nil, fault.OnField(fault.Invalid, "reason", "review.reason.required")
	}
	c, err := a.Talent.Candidate(r.Context(), act, id)
	if err != nil {
		return 0, nil, err
	}
	it, err := a.Review.Item(r.Context(), act, c.ReviewID)
	if err != nil {
		return 0, nil, err
	}
	found := false
	for _, o := range it.Objections {
		found = found || o.ID == in.Objection
	}
	if !found {
		return 0, nil, fault.OnField(fault.Invalid, "objection", "review.objection.not_found")
	}
	if _, err := a.Review.ResolveObjection(r.Context(), act, in.Objection, in.Uphold, in.Reason); err != nil {
		return 0, nil, err
	}
	return a.talentCandidate(r, act)
}

// talentDecideMany decides many applications at the caller's level at
// once, all or nothing.
func (a *API) talentDecideMany(r *http.Request, act *access.Actor) (int, any, error) {
	var in struct {
		IDs      []int64 `json:"ids"`
		Decision string  `json:"decision"`
		Reason   string  `json:"reason"`
		Tier     string  `json:"tier"`
	}
	if err := decodeMax(r, &in, maxTalentBody); err != nil {
		return 0, nil, err
	}
	if !act.CanAnywhere(access.TalentReview) {
		return 0, nil, fault.E(fault.Forbidden, "error.forbidden")
	}
	switch review.Decision(in.Decision) {
	case review.Approve, review.Reject, review.Return:
	default:
		return 0, nil, fault.OnField(fault.Invalid, "decision", "review.decision.invalid")
	}
	cs, err := a.Talent.DecideMany(r.Context(), act, in.IDs, talent.Decision{Decision: review.Decision(in.Decision), Reason: in.Reason, Tier: talent.Tier(in.Tier)})
	if err != nil {
		return 0, nil, err
	}
	out := []candidateJSON{}
	for _, c := range cs {
		out = append(out, toCandidate(c))
	}
	return http.StatusOK, out, nil
}

// talentScoreMany records the caller's scores of many applications, all
// or nothing: as JSON rows, or as the scoring sheet of ?round=. Without
// ?commit=true it only checks.
func (a *API) talentScoreMany(r *http.Request, act *access.Actor) (int, any, error) {
	var rows []talent.ScoreRow
	if !act.CanAnywhere(access.TalentReview) {
		return 0, nil, fault.E(fault.Forbidden, "error.forbidden")
	}
	if strings.HasSuffix(r.URL.Path, ".xlsx") {
		round := queryID(r, "round")
		if round <= 0 {
			return 0, nil, fault.OnField(fault.Invalid, "round", "talent.round.not_found")
		}
		rd, err := a.Talent.Round(r.Context(), act, round)
		if err != nil {
			return 0, nil, err
		}
		data, err := sheetBody(r)
		if err != nil {
			return 0, nil, err
		}
		if rows, err = talentsheet.Scores("scores.xlsx", data, maxTalentBody, rd.Criteria); err != nil {
			return 0, nil, err
		}
	} else {
		var in struct {
			Rows []struct {
				Candidate int64  `json:"candidate"`
				Name      string `json:"name"`
				Points    []int  `json:"points"`
				Comment   string `json:"comment"`
			} `json:"rows"`
		}
		if err := decodeMax(r, &in, maxTalentBody); err != nil {
			return 0, nil, err
		}
		for i, x := range in.Rows {
			rows = append(rows, talent.ScoreRow{Line: i + 1, Candidate: x.Candidate, Name: x.Name, Points: x.Points, Comment: x.Comment})
		}
	}
	commit := commitParam(r)
	err := a.Talent.ScoreMany(r.Context(), act, rows, commit)
	return a.batch(r, err, commit, len(rows), func(yield func(int, error)) {
		for _, x := range rows {
			if x.Err != nil {
				yield(x.Line, x.Err)
			}
		}
	})
}

// talentRanking is a level's ranking of a round within ?region=.
func (a *API) talentRanking(r *http.Request, act *access.Actor) (int, any, error) {
	code, err := talentRegion(r, act, access.TalentReview)
	if err != nil {
		return 0, nil, err
	}
	step, err := strconv.Atoi(r.URL.Query().Get("step"))
	if err != nil {
		return 0, nil, fault.OnField(fault.Invalid, "step", "talent.step.invalid")
	}
	rows, err := a.Talent.Ranking(r.Context(), act, queryID(r, "round"), code, step)
	if err != nil {
		return 0, nil, err
	}
	type ranked struct {
		Candidate  int64  `json:"candidate"`
		Name       string `json:"name"`
		Village    string `json:"village_name"`
		Entity     string `json:"entity_name"`
		Households int    `json:"households"`
		Reviewers  int    `json:"reviewers"`
		Mean       string `json:"mean"`
		Rank       int    `json:"rank"`
		Position   int    `json:"position,omitempty"`
	}
	out := []ranked{}
	for _, x := range rows {
		out = append(out, ranked{x.Candidate, x.Name, x.Village, x.Entity, x.Households, x.Reviewers, x.MeanText(), x.Rank, x.Position})
	}
	return http.StatusOK, out, nil
}
