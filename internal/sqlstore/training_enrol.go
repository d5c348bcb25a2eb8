package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/localtime"
	"shanzhi/internal/org"
	"shanzhi/internal/regioncode"
	"shanzhi/internal/training"
)

// Targets lists the cadres in post in the class's region that the filter
// picks and the class has not enrolled yet, by region and name.
func (s *TrainingService) Targets(ctx context.Context, a *access.Actor, class int64, f training.TargetFilter) ([]org.Cadre, error) {
	var out []org.Cadre
	err := s.db.view(ctx, func(tx *Tx) error {
		c, err := tx.classFor(ctx, a, class, true)
		if err != nil {
			return err
		}
		scopes, err := orgScopes(a, access.OrgRead, c.Region)
		if err != nil {
			return err
		}
		where, args := cadreWhere(scopes, org.CadreFilter{Unit: f.Unit, Rank: f.Rank, Sector: f.Sector}, localtime.Day(tx.now))
		where += ` AND NOT EXISTS (SELECT 1 FROM training_enrolments e WHERE e.cadre_id = c.id AND e.class_id = ?)`
		args = append(args, class)
		if f.Untrained != "" {
			where += ` AND NOT EXISTS (SELECT 1 FROM training_enrolments e JOIN training_class_items ci ON ci.class_id = e.class_id
				JOIN training_list_items i ON i.id = ci.item_id WHERE e.cadre_id = c.id AND i.competency = ?)`
			args = append(args, f.Untrained)
		}
		if f.HoursShort {
			where += ` AND ` + yearHoursSQL + ` < (SELECT k.hours FROM cadre_ranks k WHERE k.code = c.rank_code)`
			args = append(args, yearSpan(tx.now)...)
		}
		if f.RetakeDue {
			where += ` AND ` + retakeDueSQL
			args = append(args, localtime.Day(tx.now))
		}
		out, err = queryAll(ctx, tx, scanCadre(a), cadreSelect+` WHERE `+where+` ORDER BY c.region_code, c.name, c.id LIMIT ?`, append(args, training.MaxEnrol)...)
		return err
	})
	return out, err
}

// retakeDueSQL holds for cadre c with a 重修 still open whose 情况说明
// the department accepted, who is in no class that has not ended (?:
// today) nor in a later class still waiting for its outcome. It starts
// from the 重修 outcomes, a few among many, so the register is not
// searched cadre by cadre.
const retakeDueSQL = `c.id IN (SELECT e.cadre_id FROM training_outcomes o JOIN training_enrolments e ON e.id = o.enrolment_id
		JOIN training_classes k ON k.id = e.class_id WHERE o.outcome = 'retake' AND o.confirmed_at > 0 AND ` + retakeOpen + `
		AND EXISTS (SELECT 1 FROM training_statements st WHERE st.enrolment_id = e.id AND st.status = 'accepted')
		AND NOT EXISTS (SELECT 1 FROM training_enrolments e3 JOIN training_classes k3 ON k3.id = e3.class_id
			WHERE e3.cadre_id = e.cadre_id AND k3.start_on > k.end_on AND NOT EXISTS (SELECT 1 FROM training_outcomes o3 WHERE o3.enrolment_id = e3.id AND o3.confirmed_at > 0))
		AND NOT EXISTS (SELECT 1 FROM training_enrolments e4 JOIN training_classes k4 ON k4.id = e4.class_id WHERE e4.cadre_id = e.cadre_id AND k4.end_on >= ?))`

// admit is the 入学关 for one cadre of a summons to class c.
func (tx *Tx) admit(ctx context.Context, a *access.Actor, c *training.Class, id int64, seen map[int64]bool) (string, error) {
	cd, err := tx.cadreFor(ctx, a, id, false)
	if err != nil {
		return "", fault.E(fault.Invalid, "training.enrol.unknown", id)
	}
	switch {
	case !regioncode.Covers(c.Region, cd.Region):
		return cd.Name, fault.E(fault.Invalid, "training.enrol.outside", cd.Name)
	case !cd.InPost(c.Start):
		return cd.Name, fault.E(fault.Invalid, "training.enrol.left", cd.Name, cd.Left)
	case seen[id]:
		return cd.Name, fault.E(fault.Invalid, "training.enrol.twice", cd.Name)
	}
	seen[id] = true
	var other string
	err = tx.queryRow(ctx, `SELECT k.name FROM training_enrolments e JOIN training_classes k ON k.id = e.class_id
		WHERE e.cadre_id = ? AND (k.id = ? OR k.start_on <= ? AND k.end_on >= ?) ORDER BY k.id LIMIT 1`, id, c.ID, c.End, c.Start).Scan(&other)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return cd.Name, nil
	case err != nil:
		return cd.Name, err
	case other == c.Name:
		return cd.Name, fault.E(fault.Invalid, "training.enrol.already", cd.Name)
	}
	return cd.Name, fault.E(fault.Invalid, "training.enrol.conflict", cd.Name, other)
}

// Enrol summons cadres to a class after the 入学关: all of them, or none
// when any is refused.
func (s *TrainingService) Enrol(ctx context.Context, a *access.Actor, class int64, cadres []int64) ([]training.Admission, error) {
	if len(cadres) == 0 || len(cadres) > training.MaxEnrol {
		return nil, fault.E(fault.Invalid, "training.enrol.count", training.MaxEnrol)
	}
	var out []training.Admission
	err := s.db.update(ctx, func(tx *Tx) error {
		c, err := tx.classFor(ctx, a, class, true)
		if err != nil {
			return err
		}
		var enrolled int
		if err := tx.queryRow(ctx, `SELECT count(*) FROM training_enrolments WHERE class_id = ?`, class).Scan(&enrolled); err != nil {
			return err
		}
		seen := map[int64]bool{}
		refused := 0
		for _, id := range cadres {
			name, err := tx.admit(ctx, a, c, id, seen)
			if err != nil && fault.CodeOf(err) != fault.Invalid {
				return err
			}
			if err == nil && enrolled+len(out)-refused >= c.Capacity {
				err = fault.E(fault.Invalid, "training.enrol.full", name, c.Capacity)
			}
			if err != nil {
				refused++
			}
			out = append(out, training.Admission{Cadre: id, Name: name, Err: err})
		}
		if refused > 0 {
			return fault.E(fault.Invalid, "training.enrol.refused", refused)
		}
		for _, x := range out {
			// A cadre with a 重修 still open comes to retake (回炉重修).
			var open int
			if err := tx.queryRow(ctx, `SELECT count(*) FROM training_enrolments e JOIN training_classes k ON k.id = e.class_id
				WHERE e.cadre_id = ? AND k.end_on < ? AND `+retakeOpen, x.Cadre, c.Start).Scan(&open); err != nil {
				return err
			}
			source := "summons"
			if open > 0 {
				source = "retake"
			}
			if _, err := tx.exec(ctx, `INSERT INTO training_enrolments (class_id, cadre_id, source, created_at) VALUES (?, ?, ?, ?)`, class, x.Cadre, source, tx.nowMS()); err != nil {
				return err
			}
		}
		return tx.audit(ctx, a, auditEntry{action: "training.enrol", target: fmt.Sprintf("training_class:%d", class), region: c.Region,
			detail: fmt.Sprintf("点名调训 %d 人: %v", len(out), cadres)})
	})
	return out, err
}

// Enrolments lists a class's trainees by unit and name.
func (s *TrainingService) Enrolments(ctx context.Context, a *access.Actor, class int64) ([]training.Enrolment, error) {
	var out []training.Enrolment
	err := s.db.view(ctx, func(tx *Tx) error {
		if _, err := tx.classFor(ctx, a, class, false); err != nil {
			return err
		}
		type row struct {
			id     int64
			source string
			hours  int
			link   bool
		}
		rows, err := queryAll(ctx, tx, func(s interface{ Scan(...any) error }) (row, error) {
			var r row
			var link int
			err := s.Scan(&r.id, &r.source, &r.hours, &link)
			r.link = link != 0
			return r, err
		}, `SELECT e.id, e.source,
			(SELECT COALESCE(sum(s.hours), 0) FROM training_attendance a JOIN training_sessions s ON s.id = a.session_id WHERE a.enrolment_id = e.id),
			(SELECT count(*) FROM training_links l WHERE l.enrolment_id = e.id) FROM training_enrolments e JOIN cadres c ON c.id = e.cadre_id
			WHERE e.class_id = ? ORDER BY COALESCE(c.unit_id, 0), c.region_code, c.name, e.id`, class)
		if err != nil {
			return err
		}
		cadres, err := queryAll(ctx, tx, scanCadre(a), cadreSelect+` JOIN training_enrolments e ON e.cadre_id = c.id
			WHERE e.class_id = ? ORDER BY COALESCE(c.unit_id, 0), c.region_code, c.name, e.id`, class)
		if err != nil || len(cadres) != len(rows) {
			return err
		}
		for i, r := range rows {
			out = append(out, training.Enrolment{ID: r.id, Class: class, Cadre: cadres[i], Source: r.source, Hours: r.hours, Link: r.link})
		}
		return nil
	})
	return out, err
}
