package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/regioncode"
	"shanzhi/internal/review"
	"shanzhi/internal/talent"
)

// talentAtStep loads an application waiting at an approve step and its
// review item, and checks that a may act at that step: the step's
// permission at the step's level over the village. A reviewer of another
// township sees nothing; one of the same village at the wrong level is
// refused.
func (s *TalentService) talentAtStep(ctx context.Context, tx *Tx, a *access.Actor, id int64) (*talent.Candidate, *review.Item, error) {
	c, err := tx.talentCandidate(ctx, a, id)
	if err != nil {
		return nil, nil, err
	}
	if c.Status != talent.InReview {
		return nil, nil, fault.E(fault.Conflict, "talent.candidate.not_in_review")
	}
	it, err := tx.reviewItem(ctx, c.ReviewID)
	if err != nil {
		return nil, nil, err
	}
	if it.State != review.Pending || it.Step >= len(talent.Levels) {
		return nil, nil, fault.E(fault.Conflict, "talent.candidate.not_pending")
	}
	if !talent.ReviewFlow().Steps[it.Step].Holds(a, c.Village) {
		return nil, nil, talentDeny(a, c.Village, "talent.review.wrong_level")
	}
	return c, it, nil
}

// Score records one reviewer's scores at the application's current level.
// Whoever submitted the application stands aside, as in every review.
func (s *TalentService) Score(ctx context.Context, a *access.Actor, id int64, points []int, comment string) error {
	return s.db.update(ctx, func(tx *Tx) error {
		_, err := s.scoreTx(ctx, tx, a, id, points, comment)
		return err
	})
}

// scoreTx is Score inside the caller's transaction; it returns the
// application scored.
func (s *TalentService) scoreTx(ctx context.Context, tx *Tx, a *access.Actor, id int64, points []int, comment string) (*talent.Candidate, error) {
	c, it, err := s.talentAtStep(ctx, tx, a, id)
	if err != nil {
		return nil, err
	}
	r, err := tx.talentRound(ctx, nil, c.Round)
	if err != nil {
		return nil, err
	}
	if err := talent.CheckScores(r.Criteria, points, comment); err != nil {
		return nil, err
	}
	if it.SubmitterID == a.UserID {
		return nil, fault.E(fault.Forbidden, "review.decide.recuse")
	}
	var n int
	if err := tx.queryRow(ctx, `SELECT count(*) FROM talent_scores WHERE review_id = ? AND step = ? AND reviewer_id = ?`, it.ID, it.Step, a.UserID).Scan(&n); err != nil {
		return nil, err
	}
	if n > 0 {
		return nil, fault.E(fault.Conflict, "talent.score.twice")
	}
	total := 0
	for _, p := range points {
		total += p
	}
	uid, uname := actorRef(a)
	if _, err := tx.exec(ctx, `INSERT INTO talent_scores (candidate_id, review_id, step, reviewer_id, reviewer_name, points, total, comment, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, c.ID, it.ID, it.Step, uid, uname, joinInts(points), total, strings.TrimSpace(comment), tx.nowMS()); err != nil {
		return nil, err
	}
	// The audit trail keeps the scores but not the comment, which is
	// for reviewers only.
	return c, tx.audit(ctx, a, auditEntry{action: "talent.score", target: fmt.Sprintf("talent_candidate:%d", c.ID), region: c.Village,
		detail: fmt.Sprintf("step %d: %s = %d", it.Step, joinInts(points), total)})
}

// SetOrder records the level's recommendation order for an application.
func (s *TalentService) SetOrder(ctx context.Context, a *access.Actor, id int64, position int) error {
	if position < 1 || position > 9999 {
		return fault.OnField(fault.Invalid, "position", "talent.order.invalid")
	}
	return s.db.update(ctx, func(tx *Tx) error {
		c, it, err := s.talentAtStep(ctx, tx, a, id)
		if err != nil {
			return err
		}
		_, uname := actorRef(a)
		if _, err := tx.exec(ctx, `INSERT INTO talent_positions (candidate_id, review_id, step, position, actor_name, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			c.ID, it.ID, it.Step, position, uname, tx.nowMS()); err != nil {
			return err
		}
		return tx.audit(ctx, a, auditEntry{action: "talent.order", target: fmt.Sprintf("talent_candidate:%d", c.ID), region: c.Village,
			detail: fmt.Sprintf("step %d position %d", it.Step, position)})
	})
}

// Decide records a level's decision in one transaction with the review
// item's move: recommending upward needs at least one score and room in
// the deciding region's quota; the league's approval needs a tier with
// room in every tier quota above the village, higher than any tier the
// person already holds.
func (s *TalentService) Decide(ctx context.Context, a *access.Actor, id int64, d talent.Decision) (*talent.Candidate, error) {
	var out *talent.Candidate
	err := s.db.update(ctx, func(tx *Tx) error {
		var err error
		out, err = s.decideTx(ctx, tx, a, id, d)
		return err
	})
	return out, err
}

// decideTx is Decide inside the caller's transaction, so a batch of
// decisions counts each approval against the quota the one before used.
func (s *TalentService) decideTx(ctx context.Context, tx *Tx, a *access.Actor, id int64, d talent.Decision) (*talent.Candidate, error) {
	var out *talent.Candidate
	err := func() error {
		c, it, err := s.talentAtStep(ctx, tx, a, id)
		if err != nil {
			return err
		}
		flow := talent.ReviewFlow()
		if err := flow.CanDecide(a, it, d.Decision, d.Reason); err != nil {
			return err
		}
		step := it.Step
		deciding := talent.Ancestor(c.Village, talent.StepLevel(step))
		levels, err := tx.talentLevels(ctx, c, false)
		if err != nil {
			return err
		}
		mean := levels[step].Mean
		tier := talent.Tier("")
		if d.Decision == review.Approve {
			if len(levels[step].Scores) == 0 {
				return fault.E(fault.Conflict, "talent.decide.unscored")
			}
			if step == len(talent.Levels)-1 {
				tier = d.Tier
				if err := s.checkTier(ctx, tx, c, tier); err != nil {
					return err
				}
			} else if err := s.checkPass(ctx, tx, c, step, deciding); err != nil {
				return err
			}
		}
		moved, err := s.review.DecideTx(ctx, tx, a, it.ID, d.Decision, d.Reason)
		if err != nil {
			return err
		}
		uid, uname := actorRef(a)
		if _, err := tx.exec(ctx, `INSERT INTO talent_decisions (candidate_id, round_id, review_id, step, region_code, decision, tier, mean, reason, actor_id, actor_name, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, c.ID, c.Round, it.ID, step, deciding, string(d.Decision), string(tier), mean, strings.TrimSpace(d.Reason),
			uid, uname, tx.nowMS()); err != nil {
			return err
		}
		// An ended item has had its applier set the status already; an
		// open one moves on to its next step here.
		if moved.State.Open() {
			if _, err := tx.exec(ctx, `UPDATE talent_candidates SET step = ?, tier = ?, updated_at = ? WHERE id = ?`, moved.Step, string(tier), tx.nowMS(), c.ID); err != nil {
				return err
			}
		}
		if err := tx.audit(ctx, a, auditEntry{action: "talent.decide", target: fmt.Sprintf("talent_candidate:%d", c.ID), region: c.Village,
			detail: fmt.Sprintf("step %d %s %s mean %d", step, d.Decision, tier, mean)}); err != nil {
			return err
		}
		out, err = tx.talentCandidate(ctx, nil, c.ID)
		return err
	}()
	return out, err
}

// checkPass checks the deciding region's pass quota: the applications it
// has recommended upward this round, counting each once however often it
// was returned and resubmitted, stay below the quota.
func (s *TalentService) checkPass(ctx context.Context, tx *Tx, c *talent.Candidate, step int, deciding string) error {
	n, ok, err := tx.quotaFor(ctx, c.Round, deciding, talent.QuotaPass)
	if err != nil || !ok {
		return err
	}
	var used int
	if err := tx.queryRow(ctx, `SELECT count(DISTINCT candidate_id) FROM talent_decisions
		WHERE round_id = ? AND step = ? AND region_code = ? AND decision = 'approve' AND candidate_id <> ?`, c.Round, step, deciding, c.ID).Scan(&used); err != nil {
		return err
	}
	if used >= n {
		return fault.E(fault.Conflict, "talent.quota.full", n)
	}
	return nil
}

// checkTier checks a tier the league gives: a known tier, room under
// every tier quota set for a region above the village, and a step up for
// someone who already leads.
func (s *TalentService) checkTier(ctx context.Context, tx *Tx, c *talent.Candidate, tier talent.Tier) error {
	if !tier.Valid() {
		return fault.OnField(fault.Invalid, "tier", "talent.tier.required")
	}
	for l := regioncode.League; l <= regioncode.Village; l++ {
		region := talent.Ancestor(c.Village, l)
		n, ok, err := tx.quotaFor(ctx, c.Round, region, talent.TierQuota(tier))
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		lo, hi := regioncode.Range(region)
		var used int
		if err := tx.queryRow(ctx, `SELECT count(*) FROM talent_candidates WHERE round_id = ? AND tier = ? AND status IN ('in_review', 'approved')
			AND village_code >= ? AND village_code < ? AND id <> ?`, c.Round, string(tier), lo, hi, c.ID).Scan(&used); err != nil {
			return err
		}
		if used >= n {
			return fault.OnField(fault.Conflict, "tier", "talent.quota.tier_full", n)
		}
	}
	var held string
	err := tx.queryRow(ctx, `SELECT l.tier FROM talent_leaders l JOIN talent_candidates c ON c.id_hash = l.person_hash WHERE c.id = ?`, c.ID).Scan(&held)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if held != "" && talent.Tier(held).Rank() >= tier.Rank() {
		return fault.OnField(fault.Conflict, "tier", "talent.tier.not_higher")
	}
	return nil
}

// Ranking lists a round's applications waiting at step within region,
// ranked by the level's mean score.
func (s *TalentService) Ranking(ctx context.Context, a *access.Actor, round int64, code string, step int) ([]talent.Ranked, error) {
	if step < 0 || step >= len(talent.Levels) {
		return nil, fault.OnField(fault.Invalid, "step", "talent.step.invalid")
	}
	if !regioncode.ValidCode(code) || !talentSees(a, code) {
		return nil, fault.E(fault.NotFound, "region.not_found")
	}
	var out []talent.Ranked
	err := s.db.view(ctx, func(tx *Tx) error {
		if _, err := tx.talentRound(ctx, a, round); err != nil {
			return err
		}
		lo, hi := regioncode.Range(code)
		rows, err := tx.query(ctx, `SELECT c.id, c.name, COALESCE(v.name, ''), c.entity_name, c.households, c.review_id,
			COALESCE((SELECT sum(total) FROM talent_scores t WHERE t.review_id = c.review_id AND t.step = c.step), 0),
			(SELECT count(*) FROM talent_scores t WHERE t.review_id = c.review_id AND t.step = c.step),
			COALESCE((SELECT position FROM talent_positions p WHERE p.review_id = c.review_id AND p.step = c.step ORDER BY p.id DESC LIMIT 1), 0)
			FROM talent_candidates c LEFT JOIN regions v ON v.code = c.village_code
			WHERE c.round_id = ? AND c.status = 'in_review' AND c.step = ? AND c.village_code >= ? AND c.village_code < ?`, round, step, lo, hi)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r talent.Ranked
			var reviewID int64
			var sum int
			if err := rows.Scan(&r.Candidate, &r.Name, &r.Village, &r.Entity, &r.Households, &reviewID, &sum, &r.Reviewers, &r.Position); err != nil {
				return err
			}
			r.Mean = talent.MeanOf(sum, r.Reviewers)
			out = append(out, r)
		}
		return rows.Err()
	})
	talent.RankAll(out)
	return out, err
}

// TalentApplier is the review applier of the programme's flow: when an
// application's review ends it records the status, and when it ends
// approved (the notice closed with no objection upheld) the person becomes
// a leader, or an existing leader gets the higher tier, as a new tier
// record beside the old ones.
func (db *DB) TalentApplier() ReviewApplier {
	return func(ctx context.Context, tx *Tx, it review.Item) error {
		if it.SubjectKind != talent.SubjectKind {
			return nil
		}
		c, err := tx.talentCandidate(ctx, nil, it.SubjectID)
		if err != nil {
			return err
		}
		st := talent.StatusOf(it.State)
		// Only an application under review or approved holds a tier; one
		// whose notice was upheld against (cancelled), or that was
		// rejected or returned, keeps its proposed tier in its decisions
		// and shows none.
		tier := c.Tier
		if st != talent.Approved && st != talent.InReview {
			tier = ""
		}
		if _, err := tx.exec(ctx, `UPDATE talent_candidates SET status = ?, step = ?, tier = ?, updated_at = ? WHERE id = ?`, string(st), it.Step, string(tier), tx.nowMS(), c.ID); err != nil {
			return err
		}
		if st != talent.Approved {
			return nil
		}
		var hash *string
		if err := tx.queryRow(ctx, `SELECT id_hash FROM talent_candidates WHERE id = ?`, c.ID).Scan(&hash); err != nil {
			return err
		}
		var leader int64
		err = tx.queryRow(ctx, `SELECT id FROM talent_leaders WHERE person_hash = ?`, hash).Scan(&leader)
		switch {
		case err == nil:
			// The newest application describes the business as it is now;
			// the tier only ever rises, and its history is in talent_tiers.
			_, err = tx.exec(ctx, `UPDATE talent_leaders SET candidate_id = ?, name = ?, village_code = ?, channel = ?, entity_type = ?, entity_name = ?, industry = ?,
				products = ?, sales_routes = ?, households = ?, honours = ?, updated_at = ?,
				tier = CASE WHEN ? > (CASE tier WHEN 'league' THEN 4 WHEN 'banner' THEN 3 WHEN 'township' THEN 2 ELSE 1 END) THEN ? ELSE tier END
				WHERE id = ?`, c.ID, c.Name, c.Village, string(c.Channel), string(c.EntityType), c.EntityName, c.Industry, c.Products, c.SalesRoutes,
				c.Households, c.Honours, tx.nowMS(), c.Tier.Rank(), string(c.Tier), leader)
		case errors.Is(err, sql.ErrNoRows):
			// A selected person starts as a cultivation target (培育对象),
			// from the day the notice closed.
			leader, err = tx.insertID(ctx, `INSERT INTO talent_leaders (person_hash, candidate_id, name, village_code, channel, tier, entity_type, entity_name, industry,
				products, sales_routes, households, honours, created_at, updated_at, stage, stage_day) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
				hash, c.ID, c.Name, c.Village, string(c.Channel), string(c.Tier), string(c.EntityType), c.EntityName, c.Industry, c.Products, c.SalesRoutes,
				c.Households, c.Honours, tx.nowMS(), tx.nowMS(), string(talent.StageTarget), tx.localDay())
		}
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `INSERT INTO talent_tiers (leader_id, round_id, candidate_id, tier, created_at) VALUES (?, ?, ?, ?, ?)`,
			leader, c.Round, c.ID, string(c.Tier), tx.nowMS()); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE talent_candidates SET leader_id = ? WHERE id = ?`, leader, c.ID); err != nil {
			return err
		}
		return tx.audit(ctx, nil, auditEntry{action: "talent.leader", target: fmt.Sprintf("talent_leader:%d", leader), region: c.Village,
			detail: fmt.Sprintf("candidate %d tier %s", c.ID, c.Tier)})
	}
}
