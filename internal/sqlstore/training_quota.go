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

var _ training.Nominating = (*TrainingService)(nil)

// unitOf loads a unit's name and region for its staff's pages: its own
// staff (by their grant for it) and who runs the programme at its region
// see it and nominate for it; who reads the register there sees it
// (nominate unset). Anyone else is answered as for a unit that does not
// exist.
func (tx *Tx) unitOf(ctx context.Context, a *access.Actor, id int64, nominate bool) (name, region string, err error) {
	err = tx.queryRow(ctx, `SELECT name, region_code FROM org_units WHERE id = ?`, id).Scan(&name, &region)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", "", fault.E(fault.NotFound, "error.not_found")
	case err != nil:
		return "", "", err
	case a.CanUnit(access.UnitCadres, region, id), a.Can(access.TrainingManage, region):
		return name, region, nil
	case !nominate && a.Can(access.OrgRead, region):
		return name, region, nil
	}
	return "", "", fault.E(fault.NotFound, "error.not_found")
}

// CanNominate answers nil when the actor may nominate for the unit.
func (s *TrainingService) CanNominate(ctx context.Context, a *access.Actor, unit int64) error {
	return s.db.view(ctx, func(tx *Tx) error {
		_, _, err := tx.unitOf(ctx, a, unit, true)
		return err
	})
}

const quotaSelect = `SELECT q.class_id, k.name, k.start_on, k.end_on, q.unit_id, u.name, q.quota,
	(SELECT count(*) FROM training_enrolments e WHERE e.class_id = q.class_id AND e.unit_id = q.unit_id)
	FROM training_quotas q JOIN training_classes k ON k.id = q.class_id JOIN org_units u ON u.id = q.unit_id`

func scanQuota(s interface{ Scan(...any) error }) (training.Quota, error) {
	var q training.Quota
	err := s.Scan(&q.Class, &q.ClassName, &q.Start, &q.End, &q.Unit, &q.UnitName, &q.Quota, &q.Nominated)
	return q, err
}

// Quotas lists a class's quotas by unit name.
func (s *TrainingService) Quotas(ctx context.Context, a *access.Actor, class int64) ([]training.Quota, error) {
	var out []training.Quota
	err := s.db.view(ctx, func(tx *Tx) error {
		if _, err := tx.classFor(ctx, a, class, false); err != nil {
			return err
		}
		var err error
		out, err = queryAll(ctx, tx, scanQuota, quotaSelect+` WHERE q.class_id = ? AND q.quota > 0 ORDER BY u.name, u.id`, class)
		return err
	})
	return out, err
}

// SetQuotas sets units' places in a class, all or none.
func (s *TrainingService) SetQuotas(ctx context.Context, a *access.Actor, class int64, in []training.QuotaInput) ([]training.Quota, error) {
	if err := training.ValidateQuotas(in); err != nil {
		return nil, err
	}
	var out []training.Quota
	err := s.db.update(ctx, func(tx *Tx) error {
		c, err := tx.classFor(ctx, a, class, true)
		if err != nil {
			return err
		}
		total := 0
		for _, q := range in {
			var name, region string
			err := tx.queryRow(ctx, `SELECT name, region_code FROM org_units WHERE id = ?`, q.Unit).Scan(&name, &region)
			if errors.Is(err, sql.ErrNoRows) || err == nil && !regioncode.Covers(c.Region, region) {
				return fault.OnField(fault.Invalid, "unit", "training.quota.unit_outside", q.Unit)
			}
			if err != nil {
				return err
			}
			var nominated int
			if err := tx.queryRow(ctx, `SELECT count(*) FROM training_enrolments WHERE class_id = ? AND unit_id = ?`, class, q.Unit).Scan(&nominated); err != nil {
				return err
			}
			if q.Quota < nominated {
				return fault.OnField(fault.Invalid, "quota", "training.quota.below_nominated", name, nominated)
			}
			if _, err := tx.exec(ctx, `INSERT INTO training_quotas (class_id, unit_id, quota, updated_at) VALUES (?, ?, ?, ?)
				ON CONFLICT (class_id, unit_id) DO UPDATE SET quota = excluded.quota, updated_at = excluded.updated_at`, class, q.Unit, q.Quota, tx.nowMS()); err != nil {
				return err
			}
			if err := tx.audit(ctx, a, auditEntry{action: "training.quota", target: fmt.Sprintf("training_class:%d", class), region: c.Region,
				detail: fmt.Sprintf("%s %d 人", name, q.Quota)}); err != nil {
				return err
			}
		}
		if err := tx.queryRow(ctx, `SELECT COALESCE(sum(quota), 0) FROM training_quotas WHERE class_id = ?`, class).Scan(&total); err != nil {
			return err
		}
		if total > c.Capacity {
			return fault.OnField(fault.Invalid, "quota", "training.quota.over_capacity", total, c.Capacity)
		}
		out, err = queryAll(ctx, tx, scanQuota, quotaSelect+` WHERE q.class_id = ? AND q.quota > 0 ORDER BY u.name, u.id`, class)
		return err
	})
	return out, err
}

// UnitQuotas lists the classes a unit has places in, newest first.
func (s *TrainingService) UnitQuotas(ctx context.Context, a *access.Actor, unit int64) ([]training.Quota, error) {
	var out []training.Quota
	err := s.db.view(ctx, func(tx *Tx) error {
		if _, _, err := tx.unitOf(ctx, a, unit, false); err != nil {
			return err
		}
		var err error
		out, err = queryAll(ctx, tx, scanQuota, quotaSelect+` WHERE q.unit_id = ? AND q.quota > 0 ORDER BY k.start_on DESC, k.id DESC`, unit)
		return err
	})
	return out, err
}

// UnitCadres lists a unit's cadres in post, by name.
func (s *TrainingService) UnitCadres(ctx context.Context, a *access.Actor, unit int64) ([]org.Cadre, error) {
	var out []org.Cadre
	err := s.db.view(ctx, func(tx *Tx) error {
		if _, _, err := tx.unitOf(ctx, a, unit, false); err != nil {
			return err
		}
		var err error
		out, err = queryAll(ctx, tx, scanCadre(a), cadreSelect+` WHERE c.unit_id = ? AND (c.left_on = '' OR c.left_on > ?) ORDER BY c.name, c.id`, unit, localtime.Day(tx.now))
		return err
	})
	return out, err
}

// Nominate enrols a unit's cadres in a class within the unit's quota. The
// quota row is locked first (PostgreSQL; SQLite has one writer), so two
// nominations racing for the last place cannot both take it.
func (s *TrainingService) Nominate(ctx context.Context, a *access.Actor, class, unit int64, cadres []int64) ([]training.Admission, error) {
	if len(cadres) == 0 || len(cadres) > training.MaxQuota {
		return nil, fault.E(fault.Invalid, "training.nominate.count", training.MaxQuota)
	}
	var out []training.Admission
	err := s.db.update(ctx, func(tx *Tx) error {
		unitName, _, err := tx.unitOf(ctx, a, unit, true)
		if err != nil {
			return err
		}
		var quota int
		err = tx.queryRow(ctx, `UPDATE training_quotas SET updated_at = ? WHERE class_id = ? AND unit_id = ? RETURNING quota`, tx.nowMS(), class, unit).Scan(&quota)
		if errors.Is(err, sql.ErrNoRows) || err == nil && quota == 0 {
			return fault.OnField(fault.Invalid, "class", "training.nominate.no_quota")
		}
		if err != nil {
			return err
		}
		k, err := scanClass(tx.queryRow(ctx, classSelect+` WHERE c.id = ?`, class))
		if err != nil {
			return err
		}
		c, err := tx.classDetail(ctx, &k)
		if err != nil {
			return err
		}
		var nominated, enrolled int
		if err := tx.queryRow(ctx, `SELECT count(*), COALESCE(sum(CASE WHEN unit_id = ? THEN 1 ELSE 0 END), 0) FROM training_enrolments WHERE class_id = ?`, unit, class).Scan(&enrolled, &nominated); err != nil {
			return err
		}
		seen := map[int64]bool{}
		refused, taken := 0, 0
		for _, id := range cadres {
			var name string
			var err error
			var cu int64
			if e := tx.queryRow(ctx, `SELECT COALESCE(unit_id, 0), name FROM cadres WHERE id = ?`, id).Scan(&cu, &name); e != nil || cu != unit {
				if e != nil && !errors.Is(e, sql.ErrNoRows) {
					return e
				}
				err = fault.E(fault.Invalid, "training.nominate.other_unit", id, unitName)
				name = ""
			} else {
				name, err = tx.admit(ctx, a, c, id, seen)
				if err != nil && fault.CodeOf(err) != fault.Invalid {
					return err
				}
			}
			switch {
			case err == nil && nominated+taken >= quota:
				err = fault.E(fault.Invalid, "training.nominate.over_quota", name, unitName, quota, nominated)
			case err == nil && enrolled+taken >= c.Capacity:
				err = fault.E(fault.Invalid, "training.enrol.full", name, c.Capacity)
			}
			if err != nil {
				refused++
			} else {
				taken++
			}
			out = append(out, training.Admission{Cadre: id, Name: name, Err: err})
		}
		if refused > 0 {
			return fault.E(fault.Invalid, "training.nominate.refused", refused)
		}
		for _, x := range out {
			if _, err := tx.exec(ctx, `INSERT INTO training_enrolments (class_id, cadre_id, source, unit_id, created_at) VALUES (?, ?, ?, ?, ?)`,
				class, x.Cadre, training.SourceNomination, unit, tx.nowMS()); err != nil {
				return err
			}
		}
		return tx.audit(ctx, a, auditEntry{action: "training.nominate", target: fmt.Sprintf("training_class:%d", class), region: c.Region,
			detail: fmt.Sprintf("单位推荐 %s %d 人（名额 %d）: %v", unitName, len(out), quota, cadres)})
	})
	return out, err
}

// Withdraw takes a unit's nomination back.
func (s *TrainingService) Withdraw(ctx context.Context, a *access.Actor, class, enrolment int64) error {
	return s.db.update(ctx, func(tx *Tx) error {
		c, err := tx.classFor(ctx, a, class, true)
		if err != nil {
			return err
		}
		var name string
		var unit sql.NullInt64
		err = tx.queryRow(ctx, `SELECT d.name, e.unit_id FROM training_enrolments e JOIN cadres d ON d.id = e.cadre_id WHERE e.id = ? AND e.class_id = ? AND e.source = ?`,
			enrolment, class, training.SourceNomination).Scan(&name, &unit)
		if errors.Is(err, sql.ErrNoRows) {
			return fault.OnField(fault.Invalid, "enrolment", "training.withdraw.unknown")
		}
		if err != nil {
			return err
		}
		var attended int
		if err := tx.queryRow(ctx, `SELECT (SELECT count(*) FROM training_attendance WHERE enrolment_id = ?) + (SELECT count(*) FROM training_leaves WHERE enrolment_id = ?)`,
			enrolment, enrolment).Scan(&attended); err != nil {
			return err
		}
		if attended > 0 {
			return fault.E(fault.Conflict, "training.withdraw.attended", name)
		}
		for _, q := range []string{`DELETE FROM training_links WHERE enrolment_id = ?`, `DELETE FROM training_enrolments WHERE id = ?`} {
			if _, err := tx.exec(ctx, q, enrolment); err != nil {
				return err
			}
		}
		return tx.audit(ctx, a, auditEntry{action: "training.withdraw", target: fmt.Sprintf("training_class:%d", class), region: c.Region,
			detail: fmt.Sprintf("撤回单位推荐 %s（unit:%d enrolment:%d）", name, unit.Int64, enrolment)})
	})
}

// UnitEnrolments are a unit's trainees of a class (nominated or
// summoned), for the enrolment notice its staff print.
func (s *TrainingService) UnitEnrolments(ctx context.Context, a *access.Actor, class, unit int64) (*training.Class, []training.Enrolment, error) {
	var c *training.Class
	var out []training.Enrolment
	err := s.db.view(ctx, func(tx *Tx) error {
		if _, _, err := tx.unitOf(ctx, a, unit, false); err != nil {
			return err
		}
		var n int
		if err := tx.queryRow(ctx, `SELECT count(*) FROM training_enrolments e JOIN cadres d ON d.id = e.cadre_id
			WHERE e.class_id = ? AND (e.unit_id = ? OR d.unit_id = ?)`, class, unit, unit).Scan(&n); err != nil {
			return err
		}
		var quota int
		if err := tx.queryRow(ctx, `SELECT count(*) FROM training_quotas WHERE class_id = ? AND unit_id = ?`, class, unit).Scan(&quota); err != nil {
			return err
		}
		if n == 0 && quota == 0 {
			return fault.E(fault.NotFound, "error.not_found")
		}
		k, err := scanClass(tx.queryRow(ctx, classSelect+` WHERE c.id = ?`, class))
		if err != nil {
			return err
		}
		if c, err = tx.classDetail(ctx, &k); err != nil {
			return err
		}
		cadres, err := queryAll(ctx, tx, scanCadre(a), cadreSelect+` JOIN training_enrolments e ON e.cadre_id = c.id
			WHERE e.class_id = ? AND c.unit_id = ? ORDER BY c.name, e.id`, class, unit)
		for _, cd := range cadres {
			out = append(out, training.Enrolment{Class: class, Cadre: cd})
		}
		return err
	})
	return c, out, err
}
