package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/regioncode"
	"shanzhi/internal/registry"
	"shanzhi/internal/talent"
)

// Coverage counts, for region and each region directly below it, the
// active gacha and villages (talent.RuralKinds) and those with at least one leader (of any round: the
// goal is a leader in every village, whichever round found them), and the
// round's applications and leaders by tier and channel.
func (s *TalentService) Coverage(ctx context.Context, a *access.Actor, round int64, code string) (*talent.Coverage, error) {
	if !regioncode.ValidCode(code) || !talentSees(a, code) {
		return nil, fault.E(fault.NotFound, "region.not_found")
	}
	level := regioncode.LevelOf(code)
	out := &talent.Coverage{Region: code, ByTier: map[talent.Tier]int{}, ByChannel: map[talent.Channel]int{}, Applied: map[talent.Status]int{},
		CandidatesByTier: map[talent.Tier]int{}, CandidatesByChannel: map[talent.Channel]int{}, OnNoticeByTier: map[talent.Tier]int{},
		OnNoticeByChannel: map[talent.Channel]int{}}
	err := s.db.view(ctx, func(tx *Tx) error {
		r, err := tx.talentRound(ctx, a, round)
		if err != nil {
			return err
		}
		out.Round = *r
		reg, err := tx.region(ctx, code)
		if err != nil {
			return err
		}
		out.Name, out.Total = reg.Name, talent.Area{Code: code, Name: reg.Name}
		lo, hi := regioncode.Range(code)
		// Areas: the regions one level down, so a league reads per banner
		// and a banner per township; a township reads per village.
		areas := map[string]int{}
		if level < regioncode.Village {
			rows, err := tx.query(ctx, `SELECT code, name FROM regions WHERE parent_code = ? AND status = 'active' ORDER BY code`, code)
			if err != nil {
				return err
			}
			for rows.Next() {
				var ar talent.Area
				if err := rows.Scan(&ar.Code, &ar.Name); err != nil {
					rows.Close()
					return err
				}
				areas[ar.Code] = len(out.Areas)
				out.Areas = append(out.Areas, ar)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		rows, err := tx.query(ctx, `SELECT v.code, v.name,
			(SELECT count(*) FROM talent_leaders l WHERE l.village_code = v.code AND l.stage <> ?),
			(SELECT count(*) FROM talent_leaders l WHERE l.village_code = v.code AND l.stage = ?)
			FROM regions v WHERE v.level = 5 AND v.status = 'active' AND v.kind IN (?, ?) AND v.code >= ? AND v.code < ? ORDER BY v.code`,
			talent.StageEnded, talent.StageRecognised, talent.RuralKinds[0], talent.RuralKinds[1], lo, hi)
		if err != nil {
			return err
		}
		// add counts a village's figures into its own area and the total.
		add := func(village string, f func(*talent.Area)) {
			f(&out.Total)
			if level < regioncode.Village {
				if i, ok := areas[talent.Ancestor(village, level+1)]; ok {
					f(&out.Areas[i])
				}
			}
		}
		for rows.Next() {
			var v talent.Area
			if err := rows.Scan(&v.Code, &v.Name, &v.People, &v.RecognisedPeople); err != nil {
				rows.Close()
				return err
			}
			add(v.Code, func(ar *talent.Area) {
				ar.Villages++
				ar.People += v.People
				ar.RecognisedPeople += v.RecognisedPeople
				if v.People > 0 {
					ar.Covered++
				}
				if v.RecognisedPeople > 0 {
					ar.Recognised++
				}
			})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		rows, err = tx.query(ctx, `SELECT village_code, status, step, tier, channel, count(*) FROM talent_candidates
			WHERE round_id = ? AND village_code >= ? AND village_code < ? GROUP BY village_code, status, step, tier, channel`, round, lo, hi)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var village string
			var st talent.Status
			var step int
			var tier talent.Tier
			var ch talent.Channel
			var n int
			if err := rows.Scan(&village, &st, &step, &tier, &ch, &n); err != nil {
				return err
			}
			out.Applied[st] += n
			if st != talent.Draft {
				out.CandidatesByChannel[ch] += n
			}
			if tier != "" && (st == talent.InReview || st == talent.Approved) {
				out.CandidatesByTier[tier] += n
			}
			if st == talent.InReview && step == talent.NoticeStep {
				out.OnNoticeByTier[tier] += n
				out.OnNoticeByChannel[ch] += n
				add(village, func(ar *talent.Area) { ar.OnNotice += n })
			}
			if st == talent.Approved {
				out.ByTier[tier] += n
				out.ByChannel[ch] += n
			}
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	// An area without gacha or villages (a 街道 of town communities) has
	// nothing the goal counts; a row of 0/0/0 % would only mislead.
	out.Areas = slices.DeleteFunc(out.Areas, func(ar talent.Area) bool { return ar.Villages == 0 })
	out.Uncovered = out.Total.Villages - out.Total.Covered
	out.Targets = out.Round.Targets(out.Total.Villages)
	return out, nil
}

// Uncovered pages the gacha and villages below code that have neither a
// cultivation target nor a leader, in code order after the cursor after.
func (s *TalentService) Uncovered(ctx context.Context, a *access.Actor, code, after string, limit int) ([]talent.Area, string, error) {
	if !regioncode.ValidCode(code) || !talentSees(a, code) {
		return nil, "", fault.E(fault.NotFound, "region.not_found")
	}
	if limit <= 0 || limit > talent.MaxPage {
		limit = talent.MaxPage
	}
	lo, hi := regioncode.Range(code)
	var out []talent.Area
	err := s.db.view(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT v.code, v.name FROM regions v
			WHERE v.level = 5 AND v.status = 'active' AND v.kind IN (?, ?) AND v.code >= ? AND v.code > ? AND v.code < ?
			AND NOT EXISTS (SELECT 1 FROM talent_leaders l WHERE l.village_code = v.code AND l.stage <> ?)
			ORDER BY v.code LIMIT ?`, talent.RuralKinds[0], talent.RuralKinds[1], lo, after, hi, talent.StageEnded, limit+1)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			v := talent.Area{Villages: 1}
			if err := rows.Scan(&v.Code, &v.Name); err != nil {
				return err
			}
			out = append(out, v)
		}
		return rows.Err()
	})
	if err != nil || len(out) <= limit {
		return out, "", err
	}
	return out[:limit], out[limit-1].Code, nil
}

const talentLeaderCols = `l.id, l.name, l.village_code, COALESCE(v.name, ''), l.candidate_id, l.tier, l.entity_type, l.entity_name, l.industry,
	l.products, l.sales_routes, l.households, l.honours, l.channel, l.created_at, l.stage, l.stage_day`

func scanTalentLeader(sc interface{ Scan(...any) error }) (talent.Leader, error) {
	var l talent.Leader
	var created int64
	err := sc.Scan(&l.ID, &l.Name, &l.Village, &l.VillageName, &l.Candidate, &l.Tier, &l.EntityType, &l.EntityName, &l.Industry,
		&l.Products, &l.SalesRoutes, &l.Households, &l.Honours, &l.Channel, &created, &l.Stage, &l.StageDay)
	l.Since = msTime(created)
	return l, err
}

func (tx *Tx) talentLeader(ctx context.Context, a *access.Actor, id int64) (*talent.Leader, error) {
	l, err := scanTalentLeader(tx.queryRow(ctx, `SELECT `+talentLeaderCols+` FROM talent_leaders l LEFT JOIN regions v ON v.code = l.village_code WHERE l.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) || err == nil && a != nil && !talentSees(a, l.Village) {
		return nil, fault.E(fault.NotFound, "talent.leader.not_found")
	}
	if err != nil {
		return nil, err
	}
	return &l, nil
}

// Leaders lists the leaders within region, highest tier first.
func (s *TalentService) Leaders(ctx context.Context, a *access.Actor, code string) ([]talent.Leader, error) {
	if !regioncode.ValidCode(code) || !talentSees(a, code) {
		return nil, fault.E(fault.NotFound, "region.not_found")
	}
	var out []talent.Leader
	err := s.db.view(ctx, func(tx *Tx) error {
		lo, hi := regioncode.Range(code)
		rows, err := tx.query(ctx, `SELECT `+talentLeaderCols+` FROM talent_leaders l LEFT JOIN regions v ON v.code = l.village_code
			WHERE l.village_code >= ? AND l.village_code < ? ORDER BY l.village_code, l.id LIMIT 5000`, lo, hi)
		if err != nil {
			return err
		}
		for rows.Next() {
			l, err := scanTalentLeader(rows)
			if err != nil {
				rows.Close()
				return err
			}
			out = append(out, l)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		day := tx.localDay()
		all, err := tx.talentMeasures(ctx, `l.village_code >= ? AND l.village_code < ?`, lo, hi)
		if err != nil {
			return err
		}
		by := map[int64][]talent.Measure{}
		for _, m := range all {
			by[m.Leader] = append(by[m.Leader], m)
		}
		for i := range out {
			out[i].Progress = talent.Summarise(by[out[i].ID], day)
		}
		return nil
	})
	sortLeaders(out)
	return out, err
}

// sortLeaders puts higher tiers first, then village order, so the same
// data always lists the same way.
func sortLeaders(ls []talent.Leader) {
	for i := 1; i < len(ls); i++ {
		for j := i; j > 0 && ls[j].Tier.Rank() > ls[j-1].Tier.Rank(); j-- {
			ls[j], ls[j-1] = ls[j-1], ls[j]
		}
	}
}

// Leader returns one leader with their tier history and three lists.
func (s *TalentService) Leader(ctx context.Context, a *access.Actor, id int64) (*talent.Leader, error) {
	var out *talent.Leader
	err := s.db.view(ctx, func(tx *Tx) error {
		l, err := tx.talentLeader(ctx, a, id)
		if err != nil {
			return err
		}
		rows, err := tx.query(ctx, `SELECT t.tier, t.round_id, COALESCE(r.name, ''), t.candidate_id, t.created_at FROM talent_tiers t
			LEFT JOIN talent_rounds r ON r.id = t.round_id WHERE t.leader_id = ? ORDER BY t.id`, id)
		if err != nil {
			return err
		}
		for rows.Next() {
			var t talent.TierRecord
			var at int64
			if err := rows.Scan(&t.Tier, &t.Round, &t.RoundName, &t.Candidate, &at); err != nil {
				rows.Close()
				return err
			}
			t.At = msTime(at)
			l.Tiers = append(l.Tiers, t)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if l.Measures, err = tx.talentMeasures(ctx, `m.leader_id = ?`, id); err != nil {
			return err
		}
		day := tx.localDay()
		for i := range l.Measures {
			l.Measures[i].OverdueOn = l.Measures[i].Overdue(day)
		}
		l.Progress = talent.Summarise(l.Measures, day)
		if err := tx.cultivation(ctx, l); err != nil {
			return err
		}
		out = l
		return nil
	})
	return out, err
}

// Profile returns a leader's public page, which shows nothing personal
// beyond the name, the village and the business.
func (s *TalentService) Profile(ctx context.Context, id int64) (*talent.Profile, error) {
	var out *talent.Profile
	err := s.db.view(ctx, func(tx *Tx) error {
		l, err := tx.talentLeader(ctx, nil, id)
		if err != nil {
			return err
		}
		out = &talent.Profile{ID: l.ID, Name: l.Name, Village: l.Village, VillageName: l.VillageName, Tier: l.Tier, Business: l.Business}
		return nil
	})
	return out, err
}

func (tx *Tx) talentMeasures(ctx context.Context, where string, args ...any) ([]talent.Measure, error) {
	rows, err := tx.query(ctx, `SELECT m.id, m.leader_id, l.name, m.village_code, m.list, m.title, m.goal, m.owner, m.deadline, m.partner, m.household_id, m.direction,
		COALESCE(h.number, ''), m.status, m.logs, m.amount, m.evidence, m.last_log_at, m.created_at
		FROM talent_measures m JOIN talent_leaders l ON l.id = m.leader_id LEFT JOIN households h ON h.id = m.household_id
		WHERE `+where+` ORDER BY m.leader_id, m.list, m.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []talent.Measure
	for rows.Next() {
		var m talent.Measure
		var last, created int64
		if err := rows.Scan(&m.ID, &m.Leader, &m.Name, &m.Village, &m.List, &m.Title, &m.Goal, &m.Owner, &m.Deadline, &m.Partner, &m.Household, &m.Direction,
			&m.HouseNo, &m.Status, &m.Logs, &m.Amount, &m.Evidence, &last, &created); err != nil {
			return nil, err
		}
		m.LastLog, m.Created = msTime(last), msTime(created)
		out = append(out, m)
	}
	return out, rows.Err()
}

// AddMeasure adds a measure to a leader's list. An industry project's
// beneficiary is a household of the registry that the actor may write
// for, so nobody attaches a stranger's household.
func (s *TalentService) AddMeasure(ctx context.Context, a *access.Actor, leader int64, in talent.MeasureInput) (*talent.Measure, error) {
	in.Normalize()
	var out *talent.Measure
	err := s.db.update(ctx, func(tx *Tx) error {
		l, err := tx.talentLeader(ctx, a, leader)
		if err != nil {
			return err
		}
		if !a.Can(access.TalentWrite, l.Village) {
			return fault.E(fault.Forbidden, "talent.measure.forbidden")
		}
		if err := in.Validate(); err != nil {
			return err
		}
		if in.List != talent.Industry {
			in.Household = 0
		}
		if in.List != talent.Training {
			in.Direction = ""
		}
		if in.Household != 0 {
			var village string
			err := tx.queryRow(ctx, `SELECT village_code FROM households WHERE id = ? AND status = ?`, in.Household, string(registry.HouseholdActive)).Scan(&village)
			if errors.Is(err, sql.ErrNoRows) || err == nil && !a.Can(access.TalentWrite, village) {
				return fault.OnField(fault.Invalid, "household", "talent.measure.household_invalid")
			}
			if err != nil {
				return err
			}
		}
		_, uname := actorRef(a)
		id, err := tx.insertID(ctx, `INSERT INTO talent_measures (leader_id, village_code, list, title, goal, owner, deadline, partner, household_id, direction, status,
			actor_name, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'planned', ?, ?, ?) RETURNING id`,
			l.ID, l.Village, string(in.List), in.Title, in.Goal, in.Owner, in.Deadline, in.Partner, in.Household, string(in.Direction), uname, tx.nowMS(), tx.nowMS())
		if err != nil {
			return err
		}
		if err := tx.audit(ctx, a, auditEntry{action: "talent.measure", target: fmt.Sprintf("talent_leader:%d measure:%d", l.ID, id), region: l.Village,
			detail: strings.TrimSpace(fmt.Sprintf("%s %s by %s %s", in.List, in.Title, in.Deadline, in.Direction))}); err != nil {
			return err
		}
		ms, err := tx.talentMeasures(ctx, `m.id = ?`, id)
		if err != nil || len(ms) == 0 {
			return err
		}
		out = &ms[0]
		return nil
	})
	return out, err
}

// LogMeasure records progress on one of a leader's measures; the log is
// append-only and the measure keeps the running count, sum and status.
func (s *TalentService) LogMeasure(ctx context.Context, a *access.Actor, leader int64, in talent.LogInput) error {
	in.Note, in.Evidence, in.Day = strings.TrimSpace(in.Note), strings.TrimSpace(in.Evidence), strings.TrimSpace(in.Day)
	return s.db.update(ctx, func(tx *Tx) error {
		l, err := tx.talentLeader(ctx, a, leader)
		if err != nil {
			return err
		}
		if !a.Can(access.TalentWrite, l.Village) {
			return fault.E(fault.Forbidden, "talent.measure.forbidden")
		}
		if err := in.Validate(tx.localDay()); err != nil {
			return err
		}
		var status string
		err = tx.queryRow(ctx, `SELECT status FROM talent_measures WHERE id = ? AND leader_id = ?`, in.Measure, leader).Scan(&status)
		if errors.Is(err, sql.ErrNoRows) {
			return fault.OnField(fault.NotFound, "measure", "talent.measure.not_found")
		}
		if err != nil {
			return err
		}
		if in.Status == "" {
			in.Status = talent.MeasureStatus(status)
			if in.Status == talent.Planned {
				in.Status = talent.Ongoing // the first logged step starts it
			}
		}
		uid, uname := actorRef(a)
		if _, err := tx.exec(ctx, `INSERT INTO talent_measure_logs (measure_id, day, note, amount, evidence, status, actor_id, actor_name, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, in.Measure, in.Day, in.Note, in.Amount, in.Evidence, string(in.Status), uid, uname, tx.nowMS()); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE talent_measures SET logs = logs + 1, amount = amount + ?, status = ?,
			evidence = CASE WHEN ? = '' THEN evidence ELSE ? END, last_log_at = ?, updated_at = ? WHERE id = ?`,
			in.Amount, string(in.Status), in.Evidence, in.Evidence, tx.nowMS(), tx.nowMS(), in.Measure); err != nil {
			return err
		}
		return tx.audit(ctx, a, auditEntry{action: "talent.measure_log", target: fmt.Sprintf("talent_leader:%d measure:%d", l.ID, in.Measure), region: l.Village,
			detail: fmt.Sprintf("%s %s amount %d", in.Day, in.Status, in.Amount)})
	})
}

// Overdue lists the measures within region past their deadline and not
// done, by leader: what the responsible level chases.
func (s *TalentService) Overdue(ctx context.Context, a *access.Actor, code string) ([]talent.Measure, error) {
	if !regioncode.ValidCode(code) || !talentSees(a, code) {
		return nil, fault.E(fault.NotFound, "region.not_found")
	}
	var out []talent.Measure
	err := s.db.view(ctx, func(tx *Tx) error {
		lo, hi := regioncode.Range(code)
		var err error
		out, err = tx.talentMeasures(ctx, `m.village_code >= ? AND m.village_code < ? AND m.status <> 'done' AND m.deadline < ?`, lo, hi, tx.localDay())
		for i := range out {
			out[i].OverdueOn = true
		}
		return err
	})
	return out, err
}
