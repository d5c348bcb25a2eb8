package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/localtime"
	"shanzhi/internal/org"
	"shanzhi/internal/registry"
)

// CadreService implements org.CadreService: the cadres of the
// organisation register, whom the training programme trains.
type CadreService struct{ db *DB }

// Cadres returns the store's cadre register.
func (db *DB) Cadres() *CadreService { return &CadreService{db: db} }

var _ org.CadreService = (*CadreService)(nil)

const cadreSelect = `SELECT c.id, c.region_code, r.name, COALESCE(c.unit_id, 0), COALESCE(u.name, ''), c.name, c.gender, c.id_masked, c.phone_masked,
	c.post, c.rank_code, k.name, c.sector, c.appointed, c.left_on, c.leave_reason, COALESCE(c.successor_id, 0), COALESCE(s.name, ''), COALESCE(s.region_code, ''),
	COALESCE(us.username, ''), COALESCE(c.resident_id, 0), c.created_at
	FROM cadres c JOIN regions r ON r.code = c.region_code JOIN cadre_ranks k ON k.code = c.rank_code
	LEFT JOIN org_units u ON u.id = c.unit_id LEFT JOIN cadres s ON s.id = c.successor_id LEFT JOIN users us ON us.id = c.user_id`

// scanCadre reads a cadre; the successor's name stays only where the
// actor reads the successor's region.
func scanCadre(a *access.Actor) func(s interface{ Scan(...any) error }) (org.Cadre, error) {
	return func(s interface{ Scan(...any) error }) (org.Cadre, error) {
		var c org.Cadre
		var succRegion string
		var created int64
		err := s.Scan(&c.ID, &c.Region, &c.RegionName, &c.Unit, &c.UnitName, &c.Name, &c.Gender, &c.IDMasked, &c.PhoneMasked,
			&c.Post, &c.Rank, &c.RankName, &c.Sector, &c.Appointed, &c.Left, &c.LeaveReason, &c.Successor, &c.SuccessorName, &succRegion,
			&c.Username, &c.Resident, &created)
		if c.Successor != 0 && !org.CanRead(a, succRegion) {
			c.SuccessorName = ""
		}
		c.Created = time.UnixMilli(created)
		return c, err
	}
}

// cadreFor loads a cadre the actor reads through the region of their
// post, and may change when manage is set.
//
// A unit's staff read their unit's cadres (their post and training file),
// never change them.
func (tx *Tx) cadreFor(ctx context.Context, a *access.Actor, id int64, manage bool) (*org.Cadre, error) {
	c, err := scanCadre(a)(tx.queryRow(ctx, cadreSelect+` WHERE c.id = ?`, id))
	if err == nil && !manage && c.Unit != 0 && !a.Can(access.OrgRead, c.Region) && a.CanUnit(access.UnitCadres, c.Region, c.Unit) {
		return &c, nil
	}
	if err := orgReachable(err, a, c.Region, manage); err != nil {
		return nil, err
	}
	return &c, nil
}

// Ranks lists the ranks in their order.
func (s *CadreService) Ranks(ctx context.Context, a *access.Actor) ([]org.Rank, error) {
	if !a.CanAnywhere(access.OrgRead) {
		return nil, fault.E(fault.Forbidden, "error.forbidden")
	}
	var out []org.Rank
	err := s.db.view(ctx, func(tx *Tx) (err error) {
		out, err = tx.ranks(ctx)
		return err
	})
	return out, err
}

func (tx *Tx) ranks(ctx context.Context) ([]org.Rank, error) {
	return queryAll(ctx, tx, func(s interface{ Scan(...any) error }) (org.Rank, error) {
		var r org.Rank
		err := s.Scan(&r.Code, &r.Name, &r.Hours, &r.Position)
		return r, err
	}, `SELECT code, name, hours, position FROM cadre_ranks ORDER BY position, code`)
}

// SaveRank adds or changes a rank. The list is the deployment's, so any
// organisation department may keep it; every change is audited.
func (s *CadreService) SaveRank(ctx context.Context, a *access.Actor, r org.Rank) ([]org.Rank, error) {
	r.Code, r.Name = strings.TrimSpace(r.Code), strings.TrimSpace(r.Name)
	if !a.CanAnywhere(access.OrgManage) {
		return nil, fault.E(fault.Forbidden, "error.forbidden")
	}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	var out []org.Rank
	err := s.db.update(ctx, func(tx *Tx) error {
		var other string
		err := tx.queryRow(ctx, `SELECT code FROM cadre_ranks WHERE name = ? AND code <> ?`, r.Name, r.Code).Scan(&other)
		if err == nil {
			return fault.OnField(fault.Conflict, "name", "cadre.rank.name_taken", r.Name)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if _, err := tx.exec(ctx, `INSERT INTO cadre_ranks (code, name, hours, position, updated_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (code) DO UPDATE SET name = excluded.name, hours = excluded.hours, position = excluded.position, updated_at = excluded.updated_at`,
			r.Code, r.Name, r.Hours, r.Position, tx.nowMS()); err != nil {
			return err
		}
		if err := tx.audit(ctx, a, auditEntry{action: "cadre.rank.save", target: "rank:" + r.Code, detail: fmt.Sprintf("%s; %d 学时; %d", r.Name, r.Hours, r.Position)}); err != nil {
			return err
		}
		out, err = tx.ranks(ctx)
		return err
	})
	return out, err
}

// checkCadre checks a cadre's input against the register: the unit (whose
// region the post then sits in) or the region, the rank, the account and
// the resident; it returns the values of the user and resident columns.
func (tx *Tx) checkCadre(ctx context.Context, a *access.Actor, in *org.CadreInput, self int64) (user, resident any, err error) {
	in.Normalize()
	if err := in.Validate(tx.now); err != nil {
		return nil, nil, err
	}
	if in.Unit != 0 {
		u, err := tx.unitFor(ctx, a, in.Unit, false)
		if err != nil {
			return nil, nil, fault.OnField(fault.Invalid, "unit", "cadre.unit_invalid")
		}
		in.Region = u.Region
	} else {
		var status string
		err := tx.queryRow(ctx, `SELECT status FROM regions WHERE code = ?`, in.Region).Scan(&status)
		if errors.Is(err, sql.ErrNoRows) || err == nil && status != "active" {
			return nil, nil, fault.OnField(fault.Invalid, "region", "org.unit.region_invalid")
		}
		if err != nil {
			return nil, nil, err
		}
	}
	if !org.CanManage(a, in.Region) {
		return nil, nil, fault.OnField(fault.Forbidden, "region", "error.forbidden")
	}
	var n int
	if err := tx.queryRow(ctx, `SELECT count(*) FROM cadre_ranks WHERE code = ?`, in.Rank).Scan(&n); err != nil {
		return nil, nil, err
	}
	if n == 0 {
		return nil, nil, fault.OnField(fault.Invalid, "rank", "cadre.rank_invalid")
	}
	if user, err = tx.cadreUser(ctx, a, in.Username, self); err != nil {
		return nil, nil, err
	}
	if resident, err = tx.memberResident(ctx, a, in.Resident); err != nil {
		return nil, nil, fault.OnField(fault.Invalid, "resident", "cadre.resident_invalid")
	}
	if in.IDNumber != "" {
		var name string
		err := tx.queryRow(ctx, `SELECT name FROM cadres WHERE id_hash = ? AND id <> ?`, tx.box.Index(purposeID, in.IDNumber), self).Scan(&name)
		if err == nil {
			return nil, nil, fault.OnField(fault.Conflict, "id_number", "cadre.twice", name)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return nil, nil, err
		}
	}
	return user, resident, nil
}

// cadreUser resolves the account a cadre is linked to. An administrator's
// account is refused: their roles are the security administrator's to
// give and take (三权分立), never a leaving date's. So is the actor's own
// account, which would let them hand themselves a leaver's grants.
func (tx *Tx) cadreUser(ctx context.Context, a *access.Actor, username string, self int64) (any, error) {
	if username == "" {
		return nil, nil
	}
	var id int64
	err := tx.queryRow(ctx, `SELECT id FROM users WHERE username = ?`, username).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fault.OnField(fault.Invalid, "username", "cadre.user_unknown", username)
	}
	if err != nil {
		return nil, err
	}
	if id == a.UserID {
		return nil, fault.OnField(fault.Invalid, "username", "cadre.user_self")
	}
	grants, err := tx.grants(ctx, id)
	if err != nil {
		return nil, err
	}
	for _, g := range grants {
		if g.Role.Admin() {
			return nil, fault.OnField(fault.Invalid, "username", "cadre.user_admin")
		}
	}
	var name string
	err = tx.queryRow(ctx, `SELECT name FROM cadres WHERE user_id = ? AND id <> ?`, id, self).Scan(&name)
	if err == nil {
		return nil, fault.OnField(fault.Conflict, "username", "cadre.user_taken", name)
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	return id, nil
}

func (tx *Tx) createCadre(ctx context.Context, a *access.Actor, in org.CadreInput) (int64, error) {
	user, resident, err := tx.checkCadre(ctx, a, &in, 0)
	if err != nil {
		return 0, err
	}
	var unit any
	if in.Unit != 0 {
		unit = in.Unit
	}
	id, err := tx.insertID(ctx, `INSERT INTO cadres (region_code, unit_id, name, gender, id_enc, id_hash, id_masked, phone_enc, phone_masked,
		post, rank_code, sector, appointed, user_id, resident_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		in.Region, unit, in.Name, in.Gender, tx.box.Seal(purposeID, in.IDNumber), nullable(tx.box.Index(purposeID, in.IDNumber)), maskedOrEmpty(in.IDNumber, registry.MaskID),
		tx.box.Seal(purposePhone, in.Phone), maskedOrEmpty(in.Phone, registry.MaskPhone), in.Post, in.Rank, in.Sector, in.Appointed, user, resident, tx.nowMS(), tx.nowMS())
	if isUniqueViolation(err) {
		return 0, fault.E(fault.Conflict, "cadre.twice", in.Name)
	}
	if err != nil {
		return 0, err
	}
	return id, tx.orgAudit(ctx, a, "cadre.create", fmt.Sprintf("cadre:%d", id), in.Region, cadreDetail(in))
}

func cadreDetail(in org.CadreInput) string {
	return fmt.Sprintf("%s; %s; %s; %s; %s; unit:%d; %s; user=%s", in.Name, maskedOrEmpty(in.IDNumber, registry.MaskID), in.Post, in.Rank, in.Sector, in.Unit, in.Appointed, in.Username)
}

// CreateCadre records a cadre in a unit or region the actor manages.
func (s *CadreService) CreateCadre(ctx context.Context, a *access.Actor, in org.CadreInput) (*org.Cadre, error) {
	var out *org.Cadre
	err := s.db.update(ctx, func(tx *Tx) error {
		id, err := tx.createCadre(ctx, a, in)
		if err != nil {
			return err
		}
		out, err = tx.cadreFor(ctx, a, id, false)
		return err
	})
	return out, err
}

// UpdateCadre corrects a cadre the actor manages; a move to another unit
// or region needs the right at both.
func (s *CadreService) UpdateCadre(ctx context.Context, a *access.Actor, id int64, in org.CadreInput) (*org.Cadre, error) {
	var out *org.Cadre
	err := s.db.update(ctx, func(tx *Tx) error {
		if _, err := tx.cadreFor(ctx, a, id, true); err != nil {
			return err
		}
		user, resident, err := tx.checkCadre(ctx, a, &in, id)
		if err != nil {
			return err
		}
		var unit any
		if in.Unit != 0 {
			unit = in.Unit
		}
		if _, err := tx.exec(ctx, `UPDATE cadres SET region_code = ?, unit_id = ?, name = ?, gender = ?, post = ?, rank_code = ?, sector = ?, appointed = ?,
			user_id = ?, resident_id = ?, updated_at = ? WHERE id = ?`,
			in.Region, unit, in.Name, in.Gender, in.Post, in.Rank, in.Sector, in.Appointed, user, resident, tx.nowMS(), id); err != nil {
			return err
		}
		if in.IDNumber != "" {
			if _, err := tx.exec(ctx, `UPDATE cadres SET id_enc = ?, id_hash = ?, id_masked = ? WHERE id = ?`,
				tx.box.Seal(purposeID, in.IDNumber), tx.box.Index(purposeID, in.IDNumber), registry.MaskID(in.IDNumber), id); err != nil {
				return err
			}
		}
		if in.Phone != "" {
			if _, err := tx.exec(ctx, `UPDATE cadres SET phone_enc = ?, phone_masked = ? WHERE id = ?`,
				tx.box.Seal(purposePhone, in.Phone), registry.MaskPhone(in.Phone), id); err != nil {
				return err
			}
		}
		if err := tx.orgAudit(ctx, a, "cadre.update", fmt.Sprintf("cadre:%d", id), in.Region, cadreDetail(in)); err != nil {
			return err
		}
		out, err = tx.cadreFor(ctx, a, id, false)
		return err
	})
	return out, err
}

// Cadre returns one cadre.
func (s *CadreService) Cadre(ctx context.Context, a *access.Actor, id int64) (*org.Cadre, error) {
	var out *org.Cadre
	err := s.db.view(ctx, func(tx *Tx) (err error) {
		out, err = tx.cadreFor(ctx, a, id, false)
		return err
	})
	return out, err
}

// cadreWhere is the WHERE of a list of cadres.
func cadreWhere(scopes []string, f org.CadreFilter, today string) (string, []any) {
	where, args := scopeWhere("c.region_code", scopes)
	if f.Unit != 0 {
		where += ` AND c.unit_id = ?`
		args = append(args, f.Unit)
	}
	if f.Rank != "" {
		where += ` AND c.rank_code = ?`
		args = append(args, f.Rank)
	}
	if f.Sector != "" {
		where += ` AND c.sector = ?`
		args = append(args, f.Sector)
	}
	if f.Query != "" {
		where += ` AND (c.name LIKE ? ESCAPE '\' OR c.post LIKE ? ESCAPE '\')`
		q := "%" + likeEscape(f.Query) + "%"
		args = append(args, q, q)
	}
	if !f.Former {
		where += ` AND (c.left_on = '' OR c.left_on > ?)`
		args = append(args, today)
	}
	return where, args
}

// Cadres lists the cadres the actor reads, by region and name; those who
// have left only on request.
func (s *CadreService) Cadres(ctx context.Context, a *access.Actor, f org.CadreFilter) ([]org.Cadre, int, error) {
	scopes, err := orgScopes(a, access.OrgRead, f.Region)
	if err != nil {
		return nil, 0, err
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	var out []org.Cadre
	var total int
	err = s.db.view(ctx, func(tx *Tx) error {
		where, args := cadreWhere(scopes, f, localtime.Day(tx.now))
		if err := tx.queryRow(ctx, `SELECT count(*) FROM cadres c WHERE `+where, args...).Scan(&total); err != nil {
			return err
		}
		var err error
		out, err = queryAll(ctx, tx, scanCadre(a), cadreSelect+` WHERE `+where+` ORDER BY c.region_code, c.name, c.id LIMIT ? OFFSET ?`, append(args, f.Limit, f.Offset)...)
		return err
	})
	return out, total, err
}

// ImportCadres checks each row as CreateCadre would and, when commit is
// set, creates the rows that pass in one transaction. An ID number twice
// in the sheet refuses the later row.
func (s *CadreService) ImportCadres(ctx context.Context, a *access.Actor, rows []org.CadreRow, commit bool) ([]org.CadreRow, error) {
	seen := map[string]int{}
	return importRows(ctx, s.db, rows, commit, func(tx *Tx, r *org.CadreRow) error {
		if _, _, r.Err = tx.checkCadre(ctx, a, &r.Input, 0); r.Err != nil {
			return nil
		}
		keys := []string{}
		if r.Input.IDNumber != "" {
			keys = append(keys, "id:"+r.Input.IDNumber)
		}
		if r.Input.Username != "" {
			keys = append(keys, "user:"+r.Input.Username)
		}
		for _, k := range keys {
			if line, ok := seen[k]; ok {
				r.Err = fault.E(fault.Conflict, "cadre.import_twice", line)
				return nil
			}
		}
		for _, k := range keys {
			seen[k] = r.Line
		}
		if !commit {
			return nil
		}
		id, err := tx.createCadre(ctx, a, r.Input)
		r.ID = id
		return err
	})
}
