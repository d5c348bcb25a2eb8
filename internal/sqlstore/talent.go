package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/localtime"
	"shanzhi/internal/regioncode"
	"shanzhi/internal/talent"
)

// TalentService implements talent.Service over the review engine: an
// application walks talent.ReviewFlow in rev, and the programme's own
// rules (scores, quotas, tiers) are checked in the same transaction as
// each step's decision.
type TalentService struct {
	db     *DB
	review *ReviewService
}

var _ talent.Service = (*TalentService)(nil)

// Talent returns the programme's service, whose applications walk rev's
// talent.leader flow.
func (db *DB) Talent(rev *ReviewService) *TalentService { return &TalentService{db: db, review: rev} }

// talentPerms are the permissions that let a user see the programme in a
// region: its readers, its clerks, its reviewers and its managers.
var talentPerms = []access.Permission{access.RegistryRead, access.TalentWrite, access.TalentReview, access.TalentManage}

// talentSees reports whether a may see the programme's records of code.
func talentSees(a *access.Actor, code string) bool {
	for _, p := range talentPerms {
		if a.Can(p, code) {
			return true
		}
	}
	return false
}

func talentScopes(a *access.Actor) []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range talentPerms {
		for _, c := range a.Scopes(p) {
			if !seen[c] {
				seen[c] = true
				out = append(out, c)
			}
		}
	}
	return out
}

// talentDeny is the refusal for an object a may or may not see: Forbidden
// when it is in their sight, NotFound otherwise, so ids probe nothing.
func talentDeny(a *access.Actor, code, key string) error {
	if talentSees(a, code) {
		return fault.E(fault.Forbidden, key)
	}
	return fault.E(fault.NotFound, "error.not_found")
}

// localDay is the transaction's local day, the day deadlines and
// application windows are written in.
func (tx *Tx) localDay() string { return localtime.Day(tx.now) }

func joinInts(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ",")
}

func splitInts(s string) []int {
	var out []int
	for _, p := range strings.Split(s, ",") {
		if n, err := strconv.Atoi(strings.TrimSpace(p)); err == nil {
			out = append(out, n)
		}
	}
	return out
}

const talentRoundCols = `id, region_code, name, start_year, years, trajectory, opens, closes, criteria, created_at`

func scanTalentRound(sc interface{ Scan(...any) error }) (talent.Round, error) {
	var r talent.Round
	var traj, crit string
	var created int64
	if err := sc.Scan(&r.ID, &r.Region, &r.Name, &r.StartYear, &r.Years, &traj, &r.Opens, &r.Closes, &crit, &created); err != nil {
		return r, err
	}
	r.Trajectory, r.Created = splitInts(traj), msTime(created)
	if err := json.Unmarshal([]byte(crit), &r.Criteria); err != nil {
		return r, fmt.Errorf("round %d criteria: %w", r.ID, err)
	}
	return r, nil
}

// roundRelated reports whether a works in the region of round r: at it,
// below it or above it.
func roundRelated(a *access.Actor, r *talent.Round) bool {
	for _, c := range talentScopes(a) {
		if regioncode.Covers(r.Region, c) || regioncode.Covers(c, r.Region) {
			return true
		}
	}
	return false
}

func (tx *Tx) talentRound(ctx context.Context, a *access.Actor, id int64) (*talent.Round, error) {
	r, err := scanTalentRound(tx.queryRow(ctx, `SELECT `+talentRoundCols+` FROM talent_rounds WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) || err == nil && a != nil && !roundRelated(a, &r) {
		return nil, fault.E(fault.NotFound, "talent.round.not_found")
	}
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// CreateRound stores a new round of the programme.
func (s *TalentService) CreateRound(ctx context.Context, a *access.Actor, r talent.Round) (*talent.Round, error) {
	r.Name = strings.TrimSpace(r.Name)
	if len(r.Criteria) == 0 {
		r.Criteria = talent.DefaultCriteria()
	}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	if !a.Can(access.TalentManage, r.Region) {
		return nil, talentDeny(a, r.Region, "talent.round.forbidden")
	}
	crit, err := json.Marshal(r.Criteria)
	if err != nil {
		return nil, err
	}
	var out *talent.Round
	err = s.db.update(ctx, func(tx *Tx) error {
		uid, uname := actorRef(a)
		id, err := tx.insertID(ctx, `INSERT INTO talent_rounds (region_code, name, start_year, years, trajectory, opens, closes, criteria, actor_id, actor_name, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, r.Region, r.Name, r.StartYear, r.Years, joinInts(r.Trajectory), r.Opens, r.Closes, string(crit),
			uid, uname, tx.nowMS())
		if err != nil {
			return err
		}
		if err := tx.audit(ctx, a, auditEntry{action: "talent.round", target: fmt.Sprintf("talent_round:%d", id), region: r.Region,
			detail: fmt.Sprintf("%s %s..%s goal %v", r.Name, r.Opens, r.Closes, r.Trajectory)}); err != nil {
			return err
		}
		out, err = tx.talentRound(ctx, nil, id)
		return err
	})
	return out, err
}

// Rounds lists the rounds that reach any of the actor's regions, newest
// first.
func (s *TalentService) Rounds(ctx context.Context, a *access.Actor) ([]talent.Round, error) {
	var out []talent.Round
	err := s.db.view(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT `+talentRoundCols+` FROM talent_rounds ORDER BY id DESC`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanTalentRound(rows)
			if err != nil {
				return err
			}
			if roundRelated(a, &r) {
				out = append(out, r)
			}
		}
		return rows.Err()
	})
	return out, err
}

// Round returns one round with the quotas in force.
func (s *TalentService) Round(ctx context.Context, a *access.Actor, id int64) (*talent.Round, error) {
	var out *talent.Round
	err := s.db.view(ctx, func(tx *Tx) error {
		r, err := tx.talentRound(ctx, a, id)
		if err != nil {
			return err
		}
		if r.Quotas, err = tx.talentQuotas(ctx, id); err != nil {
			return err
		}
		out = r
		return nil
	})
	return out, err
}

// talentQuotas returns the quotas in force: the newest record per region
// and kind.
func (tx *Tx) talentQuotas(ctx context.Context, round int64) ([]talent.Quota, error) {
	rows, err := tx.query(ctx, `SELECT region_code, kind, n, actor_name, created_at FROM talent_quotas q
		WHERE round_id = ? AND id = (SELECT max(id) FROM talent_quotas p WHERE p.round_id = q.round_id AND p.region_code = q.region_code AND p.kind = q.kind)
		ORDER BY region_code, kind`, round)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []talent.Quota
	for rows.Next() {
		var q talent.Quota
		var at int64
		if err := rows.Scan(&q.Region, &q.Kind, &q.N, &q.Actor, &at); err != nil {
			return nil, err
		}
		q.At = msTime(at)
		out = append(out, q)
	}
	return out, rows.Err()
}

// quotaFor returns the quota in force for a region and kind, and whether
// there is one; without one the region is not limited.
func (tx *Tx) quotaFor(ctx context.Context, round int64, region string, kind talent.QuotaKind) (int, bool, error) {
	var n int
	err := tx.queryRow(ctx, `SELECT n FROM talent_quotas WHERE round_id = ? AND region_code = ? AND kind = ? ORDER BY id DESC LIMIT 1`,
		round, region, string(kind)).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	return n, err == nil, err
}

// SetQuota records a quota. It is set from the level above the region, so
// a township never sets its own: a league official sets the banners',
// a banner official the townships'.
func (s *TalentService) SetQuota(ctx context.Context, a *access.Actor, round int64, q talent.Quota) error {
	return s.db.update(ctx, func(tx *Tx) error {
		r, err := tx.talentRound(ctx, a, round)
		if err != nil {
			return err
		}
		return tx.setQuota(ctx, a, r, q)
	})
}

// setQuota is SetQuota inside the caller's transaction.
func (tx *Tx) setQuota(ctx context.Context, a *access.Actor, r *talent.Round, q talent.Quota) error {
	if err := q.Validate(r.Region); err != nil {
		return err
	}
	above := talent.Ancestor(q.Region, regioncode.LevelOf(q.Region)-1)
	if q.Region == r.Region {
		above = r.Region // the round's own limits are its managers'
	}
	if !a.Can(access.TalentManage, above) {
		return talentDeny(a, q.Region, "talent.quota.forbidden")
	}
	if _, err := tx.region(ctx, q.Region); err != nil {
		return fault.OnField(fault.Invalid, "region", "talent.quota.region_invalid")
	}
	_, uname := actorRef(a)
	if _, err := tx.exec(ctx, `INSERT INTO talent_quotas (round_id, region_code, kind, n, actor_name, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		r.ID, q.Region, string(q.Kind), q.N, uname, tx.nowMS()); err != nil {
		return err
	}
	return tx.audit(ctx, a, auditEntry{action: "talent.quota", target: fmt.Sprintf("talent_round:%d", r.ID), region: q.Region,
		detail: fmt.Sprintf("%s = %d", q.Kind, q.N)})
}

// UpdateRound changes a round. The criteria are fixed once anyone has
// scored against them, because a changed maximum would make the scores
// already given mean something else.
func (s *TalentService) UpdateRound(ctx context.Context, a *access.Actor, id int64, in talent.Round) (*talent.Round, error) {
	var out *talent.Round
	err := s.db.update(ctx, func(tx *Tx) error {
		r, err := tx.talentRound(ctx, a, id)
		if err != nil {
			return err
		}
		in.ID, in.Region, in.StartYear, in.Name = r.ID, r.Region, r.StartYear, strings.TrimSpace(in.Name)
		if len(in.Criteria) == 0 {
			in.Criteria = r.Criteria
		}
		if err := in.Validate(); err != nil {
			return err
		}
		if !a.Can(access.TalentManage, r.Region) {
			return talentDeny(a, r.Region, "talent.round.forbidden")
		}
		was, _ := json.Marshal(r.Criteria)
		crit, err := json.Marshal(in.Criteria)
		if err != nil {
			return err
		}
		if string(was) != string(crit) {
			var scored int
			if err := tx.queryRow(ctx, `SELECT count(*) FROM talent_scores s JOIN talent_candidates c ON c.id = s.candidate_id WHERE c.round_id = ?`, id).Scan(&scored); err != nil {
				return err
			}
			if scored > 0 {
				return fault.OnField(fault.Conflict, "criteria", "talent.round.criteria_scored", scored)
			}
		}
		if _, err := tx.exec(ctx, `UPDATE talent_rounds SET name = ?, years = ?, trajectory = ?, opens = ?, closes = ?, criteria = ? WHERE id = ?`,
			in.Name, in.Years, joinInts(in.Trajectory), in.Opens, in.Closes, string(crit), id); err != nil {
			return err
		}
		if err := tx.audit(ctx, a, auditEntry{action: "talent.round.update", target: fmt.Sprintf("talent_round:%d", id), region: r.Region,
			detail: fmt.Sprintf("%s %s..%s goal %v", in.Name, in.Opens, in.Closes, in.Trajectory)}); err != nil {
			return err
		}
		out, err = tx.talentRound(ctx, nil, id)
		return err
	})
	return out, err
}
