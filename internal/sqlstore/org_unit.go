package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/org"
)

// OrgService implements org.Service: the organisation department's
// register.
type OrgService struct{ db *DB }

// Org returns the store's organisation register.
func (db *DB) Org() *OrgService { return &OrgService{db: db} }

var _ org.Service = (*OrgService)(nil)

const unitSelect = `SELECT u.id, u.region_code, r.name, u.name, u.credit_code, u.type, u.two_new, u.new_employment, u.created_at, u.updated_at,
	COALESCE((SELECT i.name FROM org_instructors i WHERE i.unit_id = u.id AND i.to_date = '' ORDER BY i.id DESC LIMIT 1), '')
	FROM org_units u JOIN regions r ON r.code = u.region_code`

func scanUnit(s interface{ Scan(...any) error }) (org.Unit, error) {
	var u org.Unit
	var twoNew, newEmp int
	var created, updated int64
	err := s.Scan(&u.ID, &u.Region, &u.RegionName, &u.Name, &u.CreditCode, &u.Type, &twoNew, &newEmp, &created, &updated, &u.Instructor)
	u.TwoNew, u.NewEmployment = twoNew != 0, newEmp != 0
	u.Created, u.Updated = time.UnixMilli(created), time.UnixMilli(updated)
	return u, err
}

func flag(b bool) int {
	if b {
		return 1
	}
	return 0
}

// unitFor loads a unit the actor may read, and may change when manage is
// set. A unit outside the actor's reach does not exist for them.
func (tx *Tx) unitFor(ctx context.Context, a *access.Actor, id int64, manage bool) (*org.Unit, error) {
	u, err := scanUnit(tx.queryRow(ctx, unitSelect+` WHERE u.id = ?`, id))
	if err := orgReachable(err, a, u.Region, manage); err != nil {
		return nil, err
	}
	return &u, nil
}

// orgScopes are the subtrees a list of the register covers: region when
// given, which the actor must hold p at, else every region they hold it
// at. An actor without p anywhere is refused rather than shown nothing.
func orgScopes(a *access.Actor, p access.Permission, region string) ([]string, error) {
	if !a.CanAnywhere(p) {
		return nil, fault.E(fault.Forbidden, "error.forbidden")
	}
	if region == "" {
		// Grants for one organisation or unit list nothing region-wide:
		// the lists that serve them ask for them apart.
		s := a.Scopes(p)
		if len(s) == 0 {
			return nil, fault.E(fault.Forbidden, "error.forbidden")
		}
		return s, nil
	}
	if !a.Can(p, region) {
		return nil, fault.E(fault.NotFound, "region.not_found")
	}
	return []string{region}, nil
}

// orgReachable is reachable for the register: an object outside the
// actor's org.read scope is not found, one they may read but not change
// (when manage is asked) is forbidden.
func orgReachable(loadErr error, a *access.Actor, home string, manage bool) error {
	return permReachable(loadErr, a, home, access.OrgRead, access.OrgManage, manage)
}

// permReachable is an object at home as a programme's read and manage
// permissions reach it: outside read it is not found, inside read but
// outside manage (when manage is asked) it is forbidden.
func permReachable(loadErr error, a *access.Actor, home string, read, write access.Permission, manage bool) error {
	switch {
	case errors.Is(loadErr, sql.ErrNoRows):
		return fault.E(fault.NotFound, "error.not_found")
	case loadErr != nil:
		return loadErr
	case !a.Can(read, home):
		return fault.E(fault.NotFound, "error.not_found")
	case manage && !a.Can(write, home):
		return fault.E(fault.Forbidden, "error.forbidden")
	}
	return nil
}

// orgAudit records a write of the register in the audit trail, in the
// region it concerns.
func (tx *Tx) orgAudit(ctx context.Context, a *access.Actor, action, target, region, detail string) error {
	return tx.audit(ctx, a, auditEntry{action: action, target: target, region: region, detail: detail})
}

// checkUnit checks a unit's input against the actor's rights and the
// region table, so a page and an import refuse alike.
func (tx *Tx) checkUnit(ctx context.Context, a *access.Actor, in *org.UnitInput) error {
	in.Normalize()
	if err := in.Validate(); err != nil {
		return err
	}
	if !org.CanManage(a, in.Region) {
		return fault.OnField(fault.Forbidden, "region", "error.forbidden")
	}
	var status string
	err := tx.queryRow(ctx, `SELECT status FROM regions WHERE code = ?`, in.Region).Scan(&status)
	if errors.Is(err, sql.ErrNoRows) || err == nil && status != "active" {
		return fault.OnField(fault.Invalid, "region", "org.unit.region_invalid")
	}
	return err
}

// creditTaken reports a credit code another unit already carries.
func (tx *Tx) creditTaken(ctx context.Context, code string, self int64) error {
	if code == "" {
		return nil
	}
	var name string
	err := tx.queryRow(ctx, `SELECT name FROM org_units WHERE credit_code = ? AND id <> ?`, code, self).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	return fault.OnField(fault.Conflict, "credit_code", "org.unit.credit_code_taken", name)
}

func (tx *Tx) createUnit(ctx context.Context, a *access.Actor, in org.UnitInput) (int64, error) {
	if err := tx.checkUnit(ctx, a, &in); err != nil {
		return 0, err
	}
	if err := tx.creditTaken(ctx, in.CreditCode, 0); err != nil {
		return 0, err
	}
	id, err := tx.insertID(ctx, `INSERT INTO org_units (region_code, name, credit_code, type, two_new, new_employment, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, in.Region, in.Name, in.CreditCode, string(in.Type), flag(in.TwoNew), flag(in.NewEmployment), tx.nowMS(), tx.nowMS())
	if err != nil {
		return 0, err
	}
	return id, tx.orgAudit(ctx, a, "org.unit.create", fmt.Sprintf("unit:%d", id), in.Region, unitDetail(in))
}

func unitDetail(in org.UnitInput) string {
	return fmt.Sprintf("%s; %s; %s; 两新=%t; 新就业群体=%t", in.Name, in.CreditCode, in.Type, in.TwoNew, in.NewEmployment)
}

// CreateUnit registers a unit in a region the actor manages.
func (s *OrgService) CreateUnit(ctx context.Context, a *access.Actor, in org.UnitInput) (*org.Unit, error) {
	var out *org.Unit
	err := s.db.update(ctx, func(tx *Tx) error {
		id, err := tx.createUnit(ctx, a, in)
		if err != nil {
			return err
		}
		out, err = tx.unitFor(ctx, a, id, false)
		return err
	})
	return out, err
}

// UpdateUnit changes a unit; moving it to another region needs the right
// at both.
func (s *OrgService) UpdateUnit(ctx context.Context, a *access.Actor, id int64, in org.UnitInput) (*org.Unit, error) {
	var out *org.Unit
	err := s.db.update(ctx, func(tx *Tx) error {
		if _, err := tx.unitFor(ctx, a, id, true); err != nil {
			return err
		}
		if err := tx.checkUnit(ctx, a, &in); err != nil {
			return err
		}
		if err := tx.creditTaken(ctx, in.CreditCode, id); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE org_units SET region_code = ?, name = ?, credit_code = ?, type = ?, two_new = ?, new_employment = ?, updated_at = ? WHERE id = ?`,
			in.Region, in.Name, in.CreditCode, string(in.Type), flag(in.TwoNew), flag(in.NewEmployment), tx.nowMS(), id); err != nil {
			return err
		}
		if err := tx.orgAudit(ctx, a, "org.unit.update", fmt.Sprintf("unit:%d", id), in.Region, unitDetail(in)); err != nil {
			return err
		}
		var err error
		out, err = tx.unitFor(ctx, a, id, false)
		return err
	})
	return out, err
}

// Unit returns one unit.
func (s *OrgService) Unit(ctx context.Context, a *access.Actor, id int64) (*org.Unit, error) {
	var out *org.Unit
	err := s.db.view(ctx, func(tx *Tx) (err error) {
		out, err = tx.unitFor(ctx, a, id, false)
		return err
	})
	return out, err
}

// Units lists the units the actor may read, by region and name.
func (s *OrgService) Units(ctx context.Context, a *access.Actor, f org.UnitFilter) ([]org.Unit, int, error) {
	scopes, err := orgScopes(a, access.OrgRead, f.Region)
	if err != nil {
		return nil, 0, err
	}
	where, args := scopeWhere("u.region_code", scopes)
	if f.Query != "" {
		where += ` AND (u.name LIKE ? ESCAPE '\' OR u.credit_code = ?)`
		args = append(args, "%"+likeEscape(f.Query)+"%", f.Query)
	}
	if f.TwoNew {
		where += ` AND u.two_new = 1`
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	var out []org.Unit
	var total int
	err = s.db.view(ctx, func(tx *Tx) error {
		if err := tx.queryRow(ctx, `SELECT count(*) FROM org_units u WHERE `+where, args...).Scan(&total); err != nil {
			return err
		}
		var err error
		out, err = queryAll(ctx, tx, scanUnit, unitSelect+` WHERE `+where+` ORDER BY u.region_code, u.name, u.id LIMIT ? OFFSET ?`, append(args, f.Limit, f.Offset)...)
		return err
	})
	return out, total, err
}

// ImportUnits checks each row as CreateUnit would and, when commit is
// set, creates the rows that pass in one transaction. A credit code twice
// in the sheet refuses the later row.
func (s *OrgService) ImportUnits(ctx context.Context, a *access.Actor, rows []org.UnitRow, commit bool) ([]org.UnitRow, error) {
	seen := map[string]int{}
	return importRows(ctx, s.db, rows, commit, func(tx *Tx, r *org.UnitRow) error {
		r.Input.Normalize()
		if r.Err = tx.checkUnit(ctx, a, &r.Input); r.Err != nil {
			return nil
		}
		if line, ok := seen[r.Input.CreditCode]; ok && r.Input.CreditCode != "" {
			r.Err = fault.OnField(fault.Conflict, "credit_code", "org.unit.credit_code_twice", line)
			return nil
		}
		if r.Err = tx.creditTaken(ctx, r.Input.CreditCode, 0); r.Err != nil {
			return nil
		}
		seen[r.Input.CreditCode] = r.Line
		if !commit {
			return nil
		}
		id, err := tx.createUnit(ctx, a, r.Input)
		r.ID = id
		return err
	})
}

// importRows runs an import's rows through check in one transaction: a
// read-only one for a check, a write one when commit is set. check sets
// a row's problem on the row and returns an error only for a failure that
// must roll the whole import back.
func importRows[R any](ctx context.Context, db *DB, rows []R, commit bool, check func(tx *Tx, r *R) error) ([]R, error) {
	if len(rows) > org.MaxImportRows {
		return nil, fault.E(fault.Invalid, "org.unit.import_too_many", org.MaxImportRows)
	}
	out := make([]R, len(rows))
	copy(out, rows)
	run := db.view
	if commit {
		run = db.update
	}
	err := run(ctx, func(tx *Tx) error {
		for i := range out {
			if err := check(tx, &out[i]); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}
