package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/region"
	"shanzhi/internal/regioncode"
	"shanzhi/internal/registry"
	"shanzhi/internal/review"
	"shanzhi/internal/talent"
)

const talentCandidateCols = `c.id, c.round_id, c.village_code, COALESCE(v.name, ''), c.channel, c.resident_id, c.name, c.gender, c.birth_date, c.ethnicity,
	c.political, c.education, c.id_masked, c.phone_masked, c.entity_type, c.entity_name, c.credit_code, c.industry, c.revenue, c.employees,
	c.households, c.income_rise, c.products, c.sales_routes, c.honours, c.summary, c.status, c.review_id, c.step, c.tier, c.submissions,
	c.leader_id, c.actor_name, c.created_at, c.updated_at`

const talentCandidateFrom = ` FROM talent_candidates c LEFT JOIN regions v ON v.code = c.village_code`

func scanTalentCandidate(sc interface{ Scan(...any) error }) (talent.Candidate, error) {
	var c talent.Candidate
	var created, updated int64
	err := sc.Scan(&c.ID, &c.Round, &c.Village, &c.VillageName, &c.Channel, &c.Resident, &c.Name, &c.Gender, &c.BirthDate, &c.Ethnicity,
		&c.Political, &c.Education, &c.IDMasked, &c.PhoneMasked, &c.EntityType, &c.EntityName, &c.CreditCode, &c.Industry, &c.Revenue, &c.Employees,
		&c.Households, &c.IncomeRise, &c.Products, &c.SalesRoutes, &c.Honours, &c.Summary, &c.Status, &c.ReviewID, &c.Step, &c.Tier, &c.Submissions,
		&c.LeaderID, &c.Actor, &created, &updated)
	c.Created, c.Updated = msTime(created), msTime(updated)
	return c, err
}

// talentCandidate loads an application the actor may see; one outside
// their sight is not found.
func (tx *Tx) talentCandidate(ctx context.Context, a *access.Actor, id int64) (*talent.Candidate, error) {
	c, err := scanTalentCandidate(tx.queryRow(ctx, `SELECT `+talentCandidateCols+talentCandidateFrom+` WHERE c.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) || err == nil && a != nil && !talentSees(a, c.Village) {
		return nil, fault.E(fault.NotFound, "talent.candidate.not_found")
	}
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// editableCandidate loads an application the village may still change:
// a draft or a returned one, in a village the actor enters applications
// for.
func (tx *Tx) editableCandidate(ctx context.Context, a *access.Actor, id int64) (*talent.Candidate, error) {
	c, err := tx.talentCandidate(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if !a.Can(access.TalentWrite, c.Village) {
		return nil, talentDeny(a, c.Village, "talent.candidate.forbidden")
	}
	if !c.Status.Editable() {
		return nil, fault.E(fault.Conflict, "talent.candidate.not_editable")
	}
	return c, nil
}

// checkTalentVillage checks that the village exists and is active, and
// that a linked resident lives in it.
func (tx *Tx) checkTalentVillage(ctx context.Context, in talent.CandidateInput) error {
	r, err := tx.region(ctx, in.Village)
	if err != nil {
		return fault.OnField(fault.Invalid, "village", "talent.candidate.village_invalid")
	}
	if r.Status != region.Active {
		return fault.OnField(fault.Conflict, "village", "region.inactive")
	}
	if in.Resident != 0 {
		var village string
		err := tx.queryRow(ctx, `SELECT h.village_code FROM residents r JOIN households h ON h.id = r.household_id WHERE r.id = ?`, in.Resident).Scan(&village)
		if errors.Is(err, sql.ErrNoRows) || err == nil && village != in.Village {
			return fault.OnField(fault.Invalid, "resident", "talent.candidate.resident_invalid")
		}
		return err
	}
	return nil
}

// Save creates a draft or changes a draft or returned application. On a
// change, an empty ID number or phone keeps the stored one, because the
// form only ever shows them masked.
func (s *TalentService) Save(ctx context.Context, a *access.Actor, id int64, in talent.CandidateInput) (*talent.Candidate, error) {
	var out *talent.Candidate
	err := s.db.update(ctx, func(tx *Tx) error {
		id, err := tx.saveCandidate(ctx, a, id, in)
		if err != nil {
			return err
		}
		out, err = tx.talentCandidate(ctx, nil, id)
		return err
	})
	return out, err
}

// saveCandidate is Save inside the caller's transaction, returning the
// application's id; the Excel import runs it row by row.
func (tx *Tx) saveCandidate(ctx context.Context, a *access.Actor, id int64, in talent.CandidateInput) (int64, error) {
	in.Normalize()
	if err := in.Validate(tx.now); err != nil {
		return 0, err
	}
	err := func() error {
		if !a.Can(access.TalentWrite, in.Village) {
			return talentDeny(a, in.Village, "talent.candidate.forbidden")
		}
		if err := tx.checkTalentVillage(ctx, in); err != nil {
			return err
		}
		uid, uname := actorRef(a)
		if id == 0 {
			r, err := tx.talentRound(ctx, a, in.Round)
			if err != nil {
				return fault.OnField(fault.Invalid, "round", "talent.round.not_found")
			}
			if !regioncode.Covers(r.Region, in.Village) {
				return fault.OnField(fault.Invalid, "village", "talent.candidate.outside_round")
			}
			if !r.OpenOn(tx.localDay()) {
				return fault.E(fault.Conflict, "talent.round.closed", r.Opens, r.Closes)
			}
			id, err = tx.insertID(ctx, `INSERT INTO talent_candidates (round_id, village_code, name, status, actor_id, actor_name, created_at, updated_at)
				VALUES (?, ?, ?, 'draft', ?, ?, ?, ?) RETURNING id`, in.Round, in.Village, in.Name, uid, uname, tx.nowMS(), tx.nowMS())
			if err != nil {
				return err
			}
		} else {
			c, err := tx.editableCandidate(ctx, a, id)
			if err != nil {
				return err
			}
			// A correction may move the application to another village,
			// but not out of its round's region.
			r, err := tx.talentRound(ctx, nil, c.Round)
			if err != nil {
				return err
			}
			if !regioncode.Covers(r.Region, in.Village) {
				return fault.OnField(fault.Invalid, "village", "talent.candidate.outside_round")
			}
		}
		if _, err := tx.exec(ctx, `UPDATE talent_candidates SET village_code = ?, channel = ?, resident_id = ?, name = ?, gender = ?, birth_date = ?,
			ethnicity = ?, political = ?, education = ?, entity_type = ?, entity_name = ?, credit_code = ?, industry = ?, revenue = ?, employees = ?,
			households = ?, income_rise = ?, products = ?, sales_routes = ?, honours = ?, summary = ?, actor_id = ?, actor_name = ?, updated_at = ?
			WHERE id = ?`, in.Village, string(in.Channel), in.Resident, in.Name, in.Gender, in.BirthDate, in.Ethnicity, in.Political, in.Education,
			string(in.EntityType), in.EntityName, in.CreditCode, in.Industry, in.Revenue, in.Employees, in.Households, in.IncomeRise, in.Products,
			in.SalesRoutes, in.Honours, in.Summary, uid, uname, tx.nowMS(), id); err != nil {
			return err
		}
		if in.IDNumber != "" {
			if _, err := tx.exec(ctx, `UPDATE talent_candidates SET id_enc = ?, id_hash = ?, id_masked = ? WHERE id = ?`,
				tx.box.Seal(purposeID, in.IDNumber), tx.box.Index(purposeID, in.IDNumber), registry.MaskID(in.IDNumber), id); err != nil {
				return err
			}
		}
		if in.Phone != "" {
			if _, err := tx.exec(ctx, `UPDATE talent_candidates SET phone_enc = ?, phone_masked = ? WHERE id = ?`,
				tx.box.Seal(purposePhone, in.Phone), registry.MaskPhone(in.Phone), id); err != nil {
				return err
			}
		}
		return tx.audit(ctx, a, auditEntry{action: "talent.save", target: fmt.Sprintf("talent_candidate:%d", id), region: in.Village,
			detail: in.EntityName})
	}()
	return id, err
}

// asInput is the stored application as the completeness check reads it:
// the masked ID number and phone stand for the sealed ones.
func asInput(c *talent.Candidate) talent.CandidateInput {
	in := c.CandidateInput
	in.IDNumber, in.Phone = c.IDMasked, c.PhoneMasked
	return in
}

// Submit checks an application is complete and puts it under review at
// its village. A first submission must fall in the round's window; a
// returned one may come back after it closes, since it came in on time.
// One person has one application in review or approved per round.
func (s *TalentService) Submit(ctx context.Context, a *access.Actor, id int64) (*talent.Candidate, error) {
	var out *talent.Candidate
	err := s.db.update(ctx, func(tx *Tx) error {
		var err error
		out, err = s.submitTx(ctx, tx, a, id)
		return err
	})
	return out, err
}

// submitTx is Submit inside the caller's transaction, which the
// applicant's private link shares.
func (s *TalentService) submitTx(ctx context.Context, tx *Tx, a *access.Actor, id int64) (*talent.Candidate, error) {
	var out *talent.Candidate
	err := func() error {
		c, err := tx.editableCandidate(ctx, a, id)
		if err != nil {
			return err
		}
		if err := asInput(c).Complete(); err != nil {
			return err
		}
		r, err := tx.talentRound(ctx, nil, c.Round)
		if err != nil {
			return err
		}
		if c.Submissions == 0 && !r.OpenOn(tx.localDay()) {
			return fault.E(fault.Conflict, "talent.round.closed", r.Opens, r.Closes)
		}
		var twins int
		if err := tx.queryRow(ctx, `SELECT count(*) FROM talent_candidates WHERE round_id = ? AND id <> ? AND status IN ('in_review', 'approved')
			AND id_hash = (SELECT id_hash FROM talent_candidates WHERE id = ?)`, c.Round, c.ID, c.ID).Scan(&twins); err != nil {
			return err
		}
		if twins > 0 {
			return fault.E(fault.Conflict, "talent.candidate.duplicate")
		}
		sum := review.Summary{Title: "晓景计划：" + truncRunes(review.MaskNameIn(c.EntityName, c.Name), 40), Note: c.Industry}
		publicPerson(&sum, c.Name, "", c.BirthDate, tx.now)
		it, err := s.review.SubmitTx(ctx, tx, a, talent.Flow, talent.SubjectKind, c.ID, c.Village, sum)
		if err != nil {
			return err
		}
		snap, err := json.Marshal(asInput(c))
		if err != nil {
			return err
		}
		n := c.Submissions + 1
		_, uname := actorRef(a)
		if _, err := tx.exec(ctx, `INSERT INTO talent_submissions (candidate_id, n, review_id, snapshot, actor_name, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			c.ID, n, it.ID, string(snap), uname, tx.nowMS()); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE talent_candidates SET status = 'in_review', review_id = ?, step = 0, tier = '', submissions = ?, updated_at = ? WHERE id = ?`,
			it.ID, n, tx.nowMS(), c.ID); err != nil {
			return err
		}
		if err := tx.audit(ctx, a, auditEntry{action: "talent.submit", target: fmt.Sprintf("talent_candidate:%d", c.ID), region: c.Village,
			detail: fmt.Sprintf("submission %d, review %d", n, it.ID)}); err != nil {
			return err
		}
		out, err = tx.talentCandidate(ctx, nil, c.ID)
		return err
	}()
	return out, err
}

func truncRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}

// Candidate returns one application with its levels and submissions.
// Reviewers' comments are kept for those who may review in its village.
func (s *TalentService) Candidate(ctx context.Context, a *access.Actor, id int64) (*talent.Candidate, error) {
	var out *talent.Candidate
	err := s.db.view(ctx, func(tx *Tx) error {
		c, err := tx.talentCandidate(ctx, a, id)
		if err != nil {
			return err
		}
		if c.Levels, err = tx.talentLevels(ctx, c, a.Can(access.TalentReview, c.Village)); err != nil {
			return err
		}
		if c.History, err = tx.talentSubmissions(ctx, c.ID); err != nil {
			return err
		}
		for _, l := range c.Levels {
			if l.Step == c.Step {
				c.Mean, c.Position = l.Mean, l.Position
			}
		}
		out = c
		return nil
	})
	return out, err
}

func (tx *Tx) talentSubmissions(ctx context.Context, id int64) ([]talent.Submission, error) {
	rows, err := tx.query(ctx, `SELECT s.n, s.review_id, s.actor_name, s.created_at, COALESCE(i.state, '') FROM talent_submissions s
		LEFT JOIN review_items i ON i.id = s.review_id WHERE s.candidate_id = ? ORDER BY s.n`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []talent.Submission
	for rows.Next() {
		var h talent.Submission
		var at int64
		var st string
		if err := rows.Scan(&h.N, &h.ReviewID, &h.Actor, &at, &st); err != nil {
			return nil, err
		}
		h.At, h.Outcome = msTime(at), talent.StatusOf(review.State(st))
		out = append(out, h)
	}
	return out, rows.Err()
}

// talentLevels gathers the current submission's record at each level:
// scores, mean, order and decision.
func (tx *Tx) talentLevels(ctx context.Context, c *talent.Candidate, comments bool) ([]talent.LevelResult, error) {
	if c.ReviewID == 0 {
		return nil, nil
	}
	out := make([]talent.LevelResult, len(talent.Levels))
	for i := range out {
		out[i].Step, out[i].Region = i, talent.Ancestor(c.Village, talent.StepLevel(i))
	}
	scores, err := tx.talentScores(ctx, c.ReviewID)
	if err != nil {
		return nil, err
	}
	for _, sc := range scores {
		if sc.Step < len(out) {
			if !comments {
				sc.Comment = ""
			}
			out[sc.Step].Scores = append(out[sc.Step].Scores, sc)
		}
	}
	for i := range out {
		var totals []int
		for _, sc := range out[i].Scores {
			totals = append(totals, sc.Total)
		}
		out[i].Mean = talent.Mean(totals)
	}
	rows, err := tx.query(ctx, `SELECT step, position FROM talent_positions WHERE review_id = ? ORDER BY id`, c.ReviewID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var step, pos int
		if err := rows.Scan(&step, &pos); err != nil {
			rows.Close()
			return nil, err
		}
		if step < len(out) {
			out[step].Position = pos
		}
	}
	rows.Close()
	rows, err = tx.query(ctx, `SELECT step, decision, reason, actor_name, created_at FROM talent_decisions WHERE review_id = ? ORDER BY id`, c.ReviewID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var step int
		var d talent.LevelResult
		var at int64
		if err := rows.Scan(&step, &d.Decision, &d.Reason, &d.Decider, &at); err != nil {
			return nil, err
		}
		if step < len(out) {
			out[step].Decision, out[step].Reason, out[step].Decider, out[step].At = d.Decision, d.Reason, d.Decider, msTime(at)
		}
	}
	return out, rows.Err()
}

func (tx *Tx) talentScores(ctx context.Context, reviewID int64) ([]talent.Score, error) {
	rows, err := tx.query(ctx, `SELECT step, reviewer_id, reviewer_name, points, total, comment, created_at FROM talent_scores WHERE review_id = ? ORDER BY step, id`, reviewID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []talent.Score
	for rows.Next() {
		var sc talent.Score
		var pts string
		var at int64
		if err := rows.Scan(&sc.Step, &sc.ReviewerID, &sc.Reviewer, &pts, &sc.Total, &sc.Comment, &at); err != nil {
			return nil, err
		}
		sc.Points, sc.At = splitInts(pts), msTime(at)
		out = append(out, sc)
	}
	return out, rows.Err()
}

// Candidates lists applications within the actor's scope, newest first.
func (s *TalentService) Candidates(ctx context.Context, a *access.Actor, f talent.Filter) ([]talent.Candidate, int, error) {
	scope, args := scopeWhere("c.village_code", talentScopes(a))
	where := []string{scope}
	if f.Round != 0 {
		where, args = append(where, "c.round_id = ?"), append(args, f.Round)
	}
	if f.Region != "" {
		if !regioncode.ValidCode(f.Region) {
			return nil, 0, fault.OnField(fault.Invalid, "region", "region.not_found")
		}
		lo, hi := regioncode.Range(f.Region)
		where, args = append(where, "c.village_code >= ? AND c.village_code < ?"), append(args, lo, hi)
	}
	if f.Status != "" {
		where, args = append(where, "c.status = ?"), append(args, string(f.Status))
	}
	if f.Tier != "" {
		where, args = append(where, "c.tier = ?"), append(args, string(f.Tier))
	}
	if f.After > 0 {
		where, args = append(where, "c.id < ?"), append(args, f.After)
	}
	if f.Name != "" {
		where, args = append(where, `(c.name LIKE ? ESCAPE '\' OR c.entity_name LIKE ? ESCAPE '\')`), append(args, "%"+likeEscape(f.Name)+"%", "%"+likeEscape(f.Name)+"%")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 5000)
	var out []talent.Candidate
	var total int
	err := s.db.view(ctx, func(tx *Tx) error {
		w := strings.Join(where, " AND ")
		if err := tx.queryRow(ctx, `SELECT count(*) FROM talent_candidates c WHERE `+w, args...).Scan(&total); err != nil {
			return err
		}
		found, err := queryAll(ctx, tx, scanTalentCandidate, `SELECT `+talentCandidateCols+talentCandidateFrom+` WHERE `+w+` ORDER BY c.id DESC LIMIT ? OFFSET ?`,
			append(args, limit, max(f.Offset, 0))...)
		out = found
		return err
	})
	return out, total, err
}

// Import enters a sheet's rows as drafts in one transaction, each row in
// a savepoint so a refused row leaves the transaction usable for checking
// the rest; a rehearsal when commit is false, so the preview meets exactly
// the checks the real run will.
func (s *TalentService) Import(ctx context.Context, a *access.Actor, code string, rows []talent.ImportRow, commit bool) error {
	if !regioncode.ValidCode(code) || !a.Can(access.TalentWrite, code) {
		return fault.E(fault.NotFound, "region.not_found")
	}
	if len(rows) == 0 {
		return fault.OnField(fault.Invalid, "file", "talent.import.empty")
	}
	if len(rows) > talent.MaxImportRows {
		return fault.OnField(fault.Invalid, "file", "talent.import.too_many", talent.MaxImportRows)
	}
	run := s.db.rehearse
	if commit {
		run = s.db.update
	}
	failed := 0
	err := run(ctx, func(tx *Tx) error {
		failed = 0
		places, err := tx.places(ctx, code)
		if err != nil {
			return err
		}
		for i := range rows {
			rows[i].ID = 0
			// The village is resolved here, against the villages of the
			// sheet's own region, so the pages and the API read a sheet
			// the same way and a row never lands outside that region.
			typed := rows[i].Village
			if typed == "" {
				typed = rows[i].Input.Village
			}
			var place error
			rows[i].Place, place = places.Resolve(typed, rows[i].Township)
			if place == nil {
				rows[i].Input.Village = rows[i].Place.Code
			}
			if rows[i].Err = fault.Merge(rows[i].Sheet, place); rows[i].Err != nil {
				failed++
				continue
			}
			err := rowSavepoint(ctx, tx, func() error {
				id, err := tx.saveCandidate(ctx, a, 0, rows[i].Input)
				rows[i].ID = id
				return err
			})
			if err != nil {
				if fault.CodeOf(err) == fault.Internal {
					return err
				}
				failed++
				rows[i].Err, rows[i].ID = err, 0
			}
		}
		if failed > 0 {
			return fault.E(fault.Invalid, "talent.import.problems", failed)
		}
		return nil
	})
	if err == nil && !commit {
		for i := range rows {
			rows[i].ID = 0 // rehearsed ids were never kept
		}
	}
	return err
}
